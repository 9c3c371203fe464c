// What a JWT's header fields and claims mean, in a line each (shown on hover next to a decoded
// token), and the rows of a claims table: value as text, and for time claims a readable date and
// how far it is from now. Standard claims (RFC 7519) and those Supabase Auth writes (§5.1 of
// realtime-facts). Pure: no DOM.

import { formatDuration, formatExp, claimText } from './format';

export const CLAIM_DESCRIPTIONS: Readonly<Record<string, string>> = {
  exp: 'Expiry (seconds since 1970, UTC). Realtime refuses the token once its clock passes this: "Token has expired N seconds ago".',
  iat: 'Issued at (seconds since 1970, UTC): when Auth signed the token.',
  nbf: 'Not before (seconds since 1970, UTC): the token is not valid until then.',
  auth_time: 'When the user authenticated (seconds since 1970, UTC).',
  iss: 'Issuer: who signed the token. Supabase Auth writes https://<project-ref>.supabase.co/auth/v1 (or your local Auth URL).',
  aud: 'Audience: who the token is for. Supabase user tokens carry "authenticated"; Realtime checks it only if a claim validator asks.',
  sub: 'Subject: the user id (auth.users.id). Absent from anon and service-role keys.',
  role: 'The Postgres role Realtime and PostgREST act as (anon, authenticated, service_role). Realtime refuses a token without it.',
  ref: 'Project ref written into the legacy anon and service-role keys: which project the key belongs to.',
  session_id: "Supabase Auth's session id: the sign-in this token was refreshed from.",
  aal: 'Authenticator assurance level: aal1 (one factor) or aal2 (multi-factor verified).',
  amr: 'Authentication methods used for this session (password, otp, oauth…), with when.',
  is_anonymous: 'True for an anonymous sign-in (signInAnonymously).',
  email: "The user's email address at sign-in.",
  phone: "The user's phone number at sign-in.",
  app_metadata: 'Set by the server only (provider, custom claims from an Auth hook); the user cannot change it.',
  user_metadata: 'Set by the user at sign-up or update; never trust it for authorisation.',
  jti: 'JWT id: a unique id for this token.',
};

export const HEADER_DESCRIPTIONS: Readonly<Record<string, string>> = {
  alg: 'Signing algorithm. HS256 = the project JWT secret; ES256/RS256 = an asymmetric signing key. "none" means unsigned: Realtime refuses it.',
  kid: 'Key id: which of the project\'s signing keys signed this token (looked up in the JWKS). Absent on tokens signed with the legacy JWT secret.',
  typ: 'Token type, normally "JWT".',
  cty: 'Content type of the payload (rare; nested JWTs).',
  jku: 'URL of a JWKS named by the token itself: never trusted by Realtime.',
};

/** The description of a claim (or header field with `header: true`), or '' when we know none. */
export function describeField(name: string, header = false): string {
  const table = header ? HEADER_DESCRIPTIONS : CLAIM_DESCRIPTIONS;
  return Object.hasOwn(table, name) ? table[name] : '';
}

export const TIME_CLAIMS: ReadonlySet<string> = new Set(['exp', 'iat', 'nbf', 'auth_time']);

export interface FieldRow {
  name: string;
  /** The value as short text (JSON for non-strings, capped). */
  value: string;
  description: string;
  /** For a numeric time claim: the local date and time. */
  date?: string;
  /** For a numeric time claim: seconds from `nowMs` to the claim (negative: in the past). */
  secondsFromNow?: number;
}

/** One row per field, in the token's own order. `nowMs` is the browser clock. */
export function fieldRows(fields: Record<string, unknown> | undefined, nowMs: number, header = false): FieldRow[] {
  if (!fields) return [];
  return Object.entries(fields).map(([name, value]) => {
    const row: FieldRow = { name, value: claimText(value, 400), description: describeField(name, header) };
    if (!header && TIME_CLAIMS.has(name) && typeof value === 'number' && Number.isFinite(value)) {
      row.date = formatExp(value);
      row.secondsFromNow = Math.round(value) - Math.floor(nowMs / 1000);
    }
    return row;
  });
}

/** "in 3 min" / "now" / "12 s ago", for a time claim that is not exp (exp gets the countdown). */
export function relativeText(secondsFromNow: number): string {
  if (secondsFromNow === 0) return 'now';
  return secondsFromNow > 0 ? `in ${formatDuration(secondsFromNow)}` : `${formatDuration(secondsFromNow)} ago`;
}
