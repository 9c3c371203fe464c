// Token decoding and classification. Never throws: any string, any value, gives a DecodedToken
// that says what it is, or which segment is broken and why.
//
// Every decode goes through `jose` (per-segment diagnostics use `jose.base64url`, the happy path
// `decodeProtectedHeader` / `decodeJwt`).

import { base64url, decodeJwt, decodeProtectedHeader } from 'jose';
import { cleanToken } from './clean';
import { signatureScrubbed } from '../url-secrets';

export type TokenClass =
  | 'user-access-token'
  | 'anonymous-user-token'
  | 'legacy-anon-key'
  | 'legacy-service-role-key'
  | 'local-dev-key'
  | 'publishable-key'
  | 'secret-key'
  /** Another `sb_<x>_` key (e.g. `sb_temp_`): opaque, ignored by the server as a channel token. */
  | 'opaque-sb-key'
  | 'third-party-jwt'
  | 'not-a-token';

export const TOKEN_CLASS_LABELS: Record<TokenClass, string> = {
  'user-access-token': 'user access token',
  'anonymous-user-token': 'anonymous-user token',
  'legacy-anon-key': 'legacy anon key',
  'legacy-service-role-key': 'legacy service-role key',
  'local-dev-key': 'local-development key',
  'publishable-key': 'publishable key (sb_publishable_)',
  'secret-key': 'secret key (sb_secret_)',
  'opaque-sb-key': 'opaque sb_ key',
  'third-party-jwt': 'third-party JWT',
  'not-a-token': 'not a token',
};

export type TokenForm = 'jwt' | 'opaque-key' | 'malformed' | 'not-a-string';

export type TokenSegment = 'token' | 'header' | 'claims' | 'signature';

export interface TokenProblem {
  segment: TokenSegment;
  reason: string;
  /**
   * How the server classifies it (§4.1): `malformed` → `MalformedJWT` / "not a valid JWT";
   * `generic` → header or claims parse as JSON but are not objects, which the server reports
   * through its generic path (`Unknown Error on Channel` / HTTP 500).
   */
  serverSees: 'malformed' | 'generic';
}

export interface DecodedToken {
  form: TokenForm;
  /** The value exactly as found (may be any JSON value when it came from a frame). */
  raw: unknown;
  /** The value after the server's own cleaning (§4.1); '' for non-strings. */
  cleaned: string;
  notes: string[];
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  /** Set when form is 'malformed', or when only the signature segment is broken. */
  problem?: TokenProblem;
  tokenClass: TokenClass;
  /** Project ref where knowable (`ref` claim, hosted `iss`), else 'unknown'. */
  projectRef: string;
  /** A short, non-secret label to refer to this token in findings and lists. */
  label: string;
  /**
   * Set on a token taken from a URL whose signature Claimscope removed at capture
   * (core/url-secrets.ts: `header.claims.[redacted]`): header and claims are the token's, the
   * signature is unknown, so nothing about it is judged (`urlToken`).
   */
  signatureNotKept?: 'url';
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeToken(raw: unknown): DecodedToken {
  if (typeof raw !== 'string') {
    return {
      form: 'not-a-string',
      raw,
      cleaned: '',
      notes: [],
      problem: { segment: 'token', reason: `not a string (${describeType(raw)})`, serverSees: 'malformed' },
      tokenClass: 'not-a-token',
      projectRef: 'unknown',
      label: `not a token (${describeType(raw)})`,
    };
  }
  const { cleaned, notes } = cleanToken(raw);
  const base = { raw, cleaned, notes };

  if (cleaned.startsWith('sb_')) {
    const tokenClass = opaqueKeyClass(cleaned);
    return { ...base, form: 'opaque-key', tokenClass, projectRef: 'unknown', label: opaqueLabel(cleaned) };
  }

  const malformed = (segment: TokenSegment, reason: string, serverSees: TokenProblem['serverSees'] = 'malformed'): DecodedToken => ({
    ...base,
    form: 'malformed',
    problem: { segment, reason, serverSees },
    tokenClass: 'not-a-token',
    projectRef: 'unknown',
    label: cleaned === '' ? 'empty string' : `not a JWT (${cleaned.length} chars)`,
  });

  if (cleaned === '') return malformed('token', 'the value is an empty string');
  const parts = cleaned.split('.');
  if (parts.length !== 3) {
    return malformed('token', `a JWT has 3 dot-separated segments; this has ${parts.length}`);
  }
  const [h, c, s] = parts;
  const header = parseSegment(h, 'header');
  if ('problem' in header) return malformed('header', header.problem, header.serverSees);
  const claims = parseSegment(c, 'claims');
  if ('problem' in claims) return malformed('claims', claims.problem, claims.serverSees);

  // The segments are sound: take the values through jose's own decoders.
  let headerObj: Record<string, unknown>;
  let claimsObj: Record<string, unknown>;
  try {
    headerObj = { ...decodeProtectedHeader(cleaned) };
    claimsObj = { ...decodeJwt(cleaned) };
  } catch (err) {
    return malformed('token', `jose could not decode it: ${errorMessage(err)}`);
  }

  let problem: TokenProblem | undefined;
  if (s === '' && headerObj.alg !== 'none') problem = { segment: 'signature', reason: 'the signature segment is empty (unsigned token)', serverSees: 'malformed' };
  else if (!B64URL.test(s) || !decodesAsBase64url(s)) {
    problem = { segment: 'signature', reason: 'the signature segment is not valid base64url', serverSees: 'malformed' };
  }

  const { tokenClass, projectRef } = classifyClaims(claimsObj);
  return {
    ...base,
    form: 'jwt',
    header: headerObj,
    claims: claimsObj,
    problem,
    tokenClass,
    projectRef,
    label: jwtLabel(tokenClass, s),
  };
}

/**
 * A token as a URL held it (core/url-secrets.ts `tokensInUrl`), decoded by `decode`. A whole JWT (an
 * `apikey` kept whole) is that JWT; one whose signature was scrubbed keeps its header, claims and
 * class, is marked `signatureNotKept` instead of "malformed" (the server never saw it in this form:
 * the page did, with its signature), and is labelled by a short digest of its header and claims,
 * since it has no signature to name it by (the claims' own last characters are the same for most
 * tokens: `…"is_anonymous":false}`). Anything else is returned as decoded.
 */
export function urlToken(raw: string, decode: (raw: string) => DecodedToken = decodeToken): DecodedToken {
  const token = decode(raw);
  if (token.form !== 'jwt' || !signatureScrubbed(token.cleaned) || token.problem?.segment !== 'signature') return token;
  const { problem: _scrubbed, ...rest } = token;
  return { ...rest, signatureNotKept: 'url', label: `${TOKEN_CLASS_LABELS[token.tokenClass]} #${digest(token.cleaned)} (signature not kept)` };
}

/** FNV-1a (32 bits) in 6 base-36 digits: tells tokens apart in a label, reveals nothing of them. */
function digest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return ((h >>> 0) % 36 ** 6).toString(36).padStart(6, '0');
}

type SegmentResult = { value: Record<string, unknown> } | { problem: string; serverSees: TokenProblem['serverSees'] };

function parseSegment(segment: string, name: 'header' | 'claims'): SegmentResult {
  if (segment === '') return { problem: `the ${name} segment is empty`, serverSees: 'malformed' };
  if (!B64URL.test(segment)) {
    const at = segment.search(/[^A-Za-z0-9_-]/);
    const bad = at === -1 ? '?' : segment.codePointAt(at)! > 0xffff ? segment.slice(at, at + 2) : segment.charAt(at);
    return { problem: `the ${name} segment is not base64url (contains ${JSON.stringify(bad)})`, serverSees: 'malformed' };
  }
  let bytes: Uint8Array;
  try {
    bytes = base64url.decode(segment);
  } catch {
    return { problem: `the ${name} segment is not valid base64url (bad length)`, serverSees: 'malformed' };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { problem: `the ${name} segment does not decode to UTF-8 text`, serverSees: 'malformed' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: `the ${name} segment is not JSON`, serverSees: 'malformed' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    // §4.1 steps 3–4: `:expected_claims_map` / `:expected_header_map`, reported generically.
    return { problem: `the ${name} segment is JSON but not an object (${describeType(value)})`, serverSees: 'generic' };
  }
  return { value: value as Record<string, unknown> };
}

function decodesAsBase64url(segment: string): boolean {
  try {
    base64url.decode(segment);
    return true;
  } catch {
    return false;
  }
}

function opaqueKeyClass(cleaned: string): TokenClass {
  if (cleaned.startsWith('sb_publishable_')) return 'publishable-key';
  if (cleaned.startsWith('sb_secret_')) return 'secret-key';
  return 'opaque-sb-key';
}

const LOCAL_AUTH_ISS = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\]):54321\/auth\/v1\/?$/;
const HOSTED_ISS = /^https:\/\/([a-z0-9]+)\.supabase\.(?:co|in|net)\/auth\/v1\/?$/;

/** Classifies a decoded JWT by its claims (§5.1–§5.2). */
export function classifyClaims(claims: Record<string, unknown>): { tokenClass: TokenClass; projectRef: string } {
  const iss = typeof claims.iss === 'string' ? claims.iss : undefined;
  const role = claims.role;
  const hasSub = typeof claims.sub === 'string' && claims.sub !== '';
  const projectRef = projectRefOfClaims(claims);

  let tokenClass: TokenClass;
  if (iss === 'supabase-demo' || (iss !== undefined && LOCAL_AUTH_ISS.test(iss) && !hasSub)) {
    tokenClass = 'local-dev-key';
  } else if (!hasSub && (iss === 'supabase' || typeof claims.ref === 'string') && (role === 'anon' || role === 'service_role')) {
    tokenClass = role === 'anon' ? 'legacy-anon-key' : 'legacy-service-role-key';
  } else if (hasSub && looksLikeSupabaseAuth(claims, iss)) {
    tokenClass = claims.is_anonymous === true ? 'anonymous-user-token' : 'user-access-token';
  } else {
    tokenClass = 'third-party-jwt';
  }
  return { tokenClass, projectRef };
}

function looksLikeSupabaseAuth(claims: Record<string, unknown>, iss: string | undefined): boolean {
  if (iss !== undefined && (HOSTED_ISS.test(iss) || LOCAL_AUTH_ISS.test(iss) || /\/auth\/v1\/?$/.test(iss))) return true;
  // Supabase Auth always writes these (§5.1); a third-party IdP rarely writes all three.
  return 'session_id' in claims && 'aal' in claims && 'is_anonymous' in claims;
}

function projectRefOfClaims(claims: Record<string, unknown>): string {
  if (typeof claims.ref === 'string' && claims.ref !== '') return claims.ref;
  if (typeof claims.iss === 'string') {
    const m = HOSTED_ISS.exec(claims.iss);
    if (m) return m[1];
  }
  return 'unknown';
}

/** `<ref>.supabase.co` hosts give a ref; localhost and custom domains give 'unknown'. */
export function projectRefOfUrl(url: string): string {
  const m = /^[a-z]+:\/\/([a-z0-9]+)\.supabase\.(?:co|in|net)(?::\d+)?(?:[/?#]|$)/i.exec(url);
  return m ? m[1].toLowerCase() : 'unknown';
}

/** `https://host[:port]` of a URL, or undefined. */
export function originOfUrl(url: string): string | undefined {
  const m = /^([a-z]+:\/\/[^/?#]+)/i.exec(url);
  if (!m) return undefined;
  return m[1].replace(/^wss:/i, 'https:').replace(/^ws:/i, 'http:');
}

function jwtLabel(tokenClass: TokenClass, signature: string): string {
  const tail = signature.length >= 6 ? signature.slice(-6) : signature || 'unsigned';
  return `${TOKEN_CLASS_LABELS[tokenClass]} …${tail}`;
}

function opaqueLabel(cleaned: string): string {
  const prefix = /^sb_[a-z]+_/.exec(cleaned)?.[0] ?? 'sb_';
  return `${prefix}…${cleaned.slice(-4)}`;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
