// "Fix it" (issue 12 item 4): for each finding about a token, the header fields and claims that
// would fix it, as a diff against the token's; and the whole corrected token (every fix, a fresh
// exp) that the popup can mint for local development. Pure: the expected values come from the
// finding's own evidence (what the rules compared against), never a second guess of the rules.
// Minting itself is in mint.ts.

import type { Finding, FindingCode } from '../rules/catalogue';
import type { DecodedToken } from './decode';
import { isObject } from './project';

export type ChangeOp = 'add' | 'replace' | 'remove';

export interface FieldChange {
  where: 'header' | 'claims';
  name: string;
  op: ChangeOp;
  /** Absent for `add`. */
  before?: unknown;
  /** Absent for `remove`. */
  after?: unknown;
}

export interface Correction {
  code: FindingCode;
  /** What to change in the header and claims (may be empty: see `note`). */
  changes: FieldChange[];
  /**
   * What the changes alone do not say: a fix that is not in the claims (re-sign, another key, not
   * a JWT at all), or a value only the user knows. Absent when the changes are the whole fix.
   */
  note?: string;
  /** True when re-minting with the changes (and the right key) fixes the finding. */
  mintFixes: boolean;
}

/** A token's lifetime when re-minted (what `supabase start` gives its access tokens). */
export const CORRECTED_LIFETIME_S = 3600;

const PLACEHOLDER_ISS = '<project URL>/auth/v1';

/**
 * The correction for one finding about `token`. `nowSec` is the (server) time the fresh times are
 * counted from. Total: any finding on any token gives a correction (perhaps with no change and a note).
 */
export function correctionFor(token: DecodedToken, finding: Finding, nowSec: number): Correction {
  const c = correctionOf(token, finding, nowSec);
  // A fresh iat equal to the token's own is no change.
  return { ...c, changes: c.changes.filter((ch) => ch.op !== 'replace' || !sameValue(ch.before, ch.after)) };
}

function correctionOf(token: DecodedToken, finding: Finding, nowSec: number): Correction {
  const claims = token.claims ?? {};
  const header = token.header ?? {};
  const code = finding.code;
  const claim = (name: string, after: unknown): FieldChange =>
    name in claims ? { where: 'claims', name, op: 'replace', before: claims[name], after } : { where: 'claims', name, op: 'add', after };
  const remove = (name: string): FieldChange => ({ where: 'claims', name, op: 'remove', before: claims[name] });
  const fresh = (): FieldChange[] => [claim('iat', nowSec), claim('exp', nowSec + CORRECTED_LIFETIME_S)];
  const ok = (changes: FieldChange[], note?: string): Correction => ({ code, changes, mintFixes: true, ...(note ? { note } : {}) });
  const noFix = (note: string): Correction => ({ code, changes: [], note, mintFixes: false });
  const exp = finding.evidence.expected;

  if (token.form !== 'jwt' || token.claims === undefined) {
    switch (code) {
      case 'secret-key-in-browser':
        return noFix('Not a JWT: there are no claims to correct. Use the project’s sb_publishable_ key in the browser instead, and rotate this secret key if it shipped.');
      case 'opaque-api-key':
        return noFix('Not a JWT: nothing to correct. To act as a user on channels, pass the session access token to Realtime.');
      default:
        return noFix('The token does not decode, so there are no claims to correct: copy the whole access token (three base64url parts).');
    }
  }

  switch (code) {
    case 'token-malformed':
      // A JWT whose only problem is the signature segment: the claims are fine, the signature is not.
      return ok([], 'The claims are fine; only the signature is broken. Re-sign the same claims with the project’s key.');
    case 'alg-unsupported': {
      const to = 'HS256';
      return ok([{ where: 'header', name: 'alg', op: 'alg' in header ? 'replace' : 'add', before: header.alg, after: to }], 'Sign with a supported algorithm: HS256 with the project JWT secret, or RS256/ES256/EdDSA with a key of the project JWKS (and its kid).');
    }
    case 'kid-missing':
      return ok([{ where: 'header', name: 'kid', op: 'add', after: '<kid of the signing key>' }], 'Put the signing key’s kid in the header (or sign HS256 with the project JWT secret, which needs no kid).');
    case 'kid-unknown':
      return ok(
        [{ where: 'header', name: 'kid', op: 'replace', before: header.kid, after: '<kid of a key in the project JWKS>' }],
        'Sign with a key the project trusts (in use or previously used), and put its kid in the header.',
      );
    case 'signature-invalid':
      return ok([], 'The claims are not the problem: the token was signed with another key. Re-sign the same claims with this project’s key.');
    case 'exp-missing':
      return ok([claim('exp', nowSec + CORRECTED_LIFETIME_S)]);
    case 'role-missing':
      return ok([claim('role', typeof claims.sub === 'string' ? 'authenticated' : 'anon')]);
    case 'claim-type-invalid': {
      const name = finding.evidence.claim === 'iat' ? 'iat' : 'exp';
      return ok([claim(name, name === 'iat' ? nowSec : nowSec + CORRECTED_LIFETIME_S)]);
    }
    case 'token-expired':
      return ok(fresh(), 'Or rather: let supabase-js refresh the session and pass the new access token to Realtime (setAuth).');
    case 'token-not-yet-valid':
      return ok([remove('nbf')]);
    case 'iat-in-future':
      return ok([claim('iat', nowSec)], 'Then sync the issuer’s clock: it mints tokens in the future.');
    case 'project-mismatch': {
      const ref = typeof exp === 'string' ? exp : undefined;
      if (!ref) return noFix('Use the keys of the project the page talks to.');
      const changes: FieldChange[] = [];
      if ('ref' in claims) changes.push(claim('ref', ref));
      if (typeof claims.iss === 'string' && /^https:\/\/[a-z0-9]+\.supabase\.(co|in|net)\/auth\/v1\/?$/.test(claims.iss)) {
        changes.push(claim('iss', `https://${ref}.supabase.co/auth/v1`));
      }
      return ok(changes, 'And sign it with that project’s key: a token of another project never verifies.');
    }
    case 'aud-unexpected':
      return typeof exp === 'string' ? ok([claim('aud', exp)]) : noFix('Mint with the audience your project expects.');
    case 'iss-unexpected': {
      const wanted = Array.isArray(exp) ? exp[0] : exp;
      if (typeof wanted === 'string' && wanted !== PLACEHOLDER_ISS) return ok([claim('iss', wanted)]);
      // No project URL known: an Auth URL without its /auth/v1 is the likely slip.
      const origin = typeof claims.iss === 'string' ? /^(https?:\/\/[^/?#]+)/i.exec(claims.iss)?.[1] : undefined;
      if (origin) return ok([claim('iss', `${origin}/auth/v1`)], 'Assuming this is your project’s Auth server; use your project URL followed by /auth/v1.');
      return noFix('Set iss to your project URL followed by /auth/v1 (e.g. http://127.0.0.1:54321/auth/v1).');
    }
    case 'claim-validator-mismatch': {
      const name = finding.evidence.claim;
      if (typeof name !== 'string') return noFix('Mint with the claims JWT_CLAIM_VALIDATORS requires.');
      return ok([claim(name, exp)]);
    }
    case 'role-unknown':
      return ok([claim('role', typeof claims.sub === 'string' ? 'authenticated' : 'anon')], 'Or create that Postgres role and add it to the known roles.');
    case 'service-role-in-browser':
      return ok([claim('role', typeof claims.sub === 'string' ? 'authenticated' : 'anon')], 'In the browser use the anon (or sb_publishable_) key; keep service_role on servers.');
    case 'analysis-limited': {
      const name = finding.evidence.claim;
      if (typeof name === 'string' && name in claims && !(name in header && /header field/.test(finding.message))) return ok([remove(name)], 'Mint with plain claims: no real token holds such a value.');
      return noFix('Mint the token with plain header fields: no real token holds such a value.');
    }
    default:
      return noFix('This finding is about how the page uses the token, not about its claims.');
  }
}

export interface CorrectedToken {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** Every change against the token: the findings' fixes, then a fresh iat and exp. */
  changes: FieldChange[];
  corrections: Correction[];
}

/**
 * The token with every finding's fix applied (placeholders, such as "<kid of …>", are left out:
 * the minting key decides the header) and a fresh iat and exp, whatever the findings.
 */
export function correctedToken(token: DecodedToken, findings: readonly Finding[], nowSec: number): CorrectedToken {
  const corrections = findings.map((f) => correctionFor(token, f, nowSec));
  const claims: Record<string, unknown> = { ...(token.claims ?? {}) };
  const header: Record<string, unknown> = { ...(token.header ?? {}) };
  // Removals first: a claim one fix removes (a value too large to quote) and another sets (aud) is set.
  // The server's claim validators are applied last: where they and a usual-value warning disagree
  // (aud "authenticated" vs a configured aud), Realtime goes by its validators.
  const ordered = [...corrections.filter((c) => c.code !== 'claim-validator-mismatch'), ...corrections.filter((c) => c.code === 'claim-validator-mismatch')];
  const all = ordered.flatMap((c) => c.changes).filter((ch) => !(typeof ch.after === 'string' && ch.after.startsWith('<')));
  for (const ch of all) if (ch.op === 'remove') delete (ch.where === 'claims' ? claims : header)[ch.name];
  for (const ch of all) if (ch.op !== 'remove') (ch.where === 'claims' ? claims : header)[ch.name] = ch.after;
  claims.iat = nowSec;
  claims.exp = nowSec + CORRECTED_LIFETIME_S;
  return { header, claims, changes: diffFields(token.header ?? {}, header, 'header').concat(diffFields(token.claims ?? {}, claims, 'claims')), corrections };
}

/** The changes from `before` to `after` (key order: `before`'s, then the added keys). */
export function diffFields(before: Record<string, unknown>, after: Record<string, unknown>, where: 'header' | 'claims'): FieldChange[] {
  const out: FieldChange[] = [];
  for (const name of Object.keys(before)) {
    if (!(name in after)) out.push({ where, name, op: 'remove', before: before[name] });
    else if (!sameValue(before[name], after[name])) out.push({ where, name, op: 'replace', before: before[name], after: after[name] });
  }
  for (const name of Object.keys(after)) if (!(name in before)) out.push({ where, name, op: 'add', after: after[name] });
  return out;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && sameValue(a[k], b[k]));
  }
  return false;
}

/** Hosts of a local `supabase start` (or this project's test server). */
const LOCAL_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Whether a corrected token may be minted: for local development only (an issuer on
 * localhost/127.0.0.1/[::1], or `supabase-demo`), never a hosted project's issuer, never with
 * role service_role. Both the token's issuer and the corrected one must be local.
 */
export function mintRefusal(original: Record<string, unknown>, corrected: Record<string, unknown>): string | null {
  for (const iss of [original.iss, corrected.iss]) {
    if (!isLocalIssuer(iss)) {
      return `Minting is for local development only: the issuer ${typeof iss === 'string' ? `"${iss.slice(0, 120)}"` : '(absent)'} is not on localhost, 127.0.0.1 or [::1], nor supabase-demo. For a hosted project, sign in again (or refresh the session) to get a real token.`;
    }
  }
  if (corrected.role === 'service_role' || original.role === 'service_role') {
    return 'No test token is minted with role service_role: it bypasses Row Level Security.';
  }
  return null;
}

export function isLocalIssuer(iss: unknown): boolean {
  if (iss === 'supabase-demo') return true;
  if (typeof iss !== 'string') return false;
  const m = /^https?:\/\/(\[[^\]]*\]|[^/:?#]+)(?::\d+)?(?:[/?#]|$)/i.exec(iss);
  return !!m && LOCAL_HOST.test(m[1]);
}
