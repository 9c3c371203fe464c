// What the user told us about the project. Only what was supplied is used; nothing is guessed
// (a signature without a key stays "unverified").

import { base64url, type JWK } from 'jose';

export interface ProjectKnowledge {
  /** The tenant `jwt_secret` as the raw bytes the server uses (§4.2). */
  secret?: Uint8Array;
  /** The tenant `jwt_jwks` (or the public `/auth/v1/.well-known/jwks.json`, fetched on request). */
  jwks?: { keys: JWK[] };
  /** Mirrors the server-wide `JWT_CLAIM_VALIDATORS` (strict equality per claim, §4.1). */
  claimValidators?: Record<string, unknown>;
  /** Audience expected of user access tokens (default `authenticated`). */
  expectedAudience?: string;
  /**
   * Issuer(s) the user expects (a custom domain's `https://api.example.com/auth/v1`, a third-party
   * IdP): tokens carrying one of them raise no `iss-unexpected`, and a user token must carry one of
   * them or this project's own issuer.
   */
  expectedIssuer?: string | readonly string[];
  /**
   * Seconds before `exp` when a channel token counts as "expiring soon" and a refresh is due
   * (default REFRESH_MARGIN_S, auth-js's 90 s EXPIRY_MARGIN).
   */
  refreshMarginSeconds?: number;
  /** The project URL the page uses, e.g. `https://abc.supabase.co` or `http://127.0.0.1:54321`. */
  projectUrl?: string;
  /** The project ref, when known (from the URL or typed by the user). */
  projectRef?: string;
  /** Extra Postgres roles the user says exist (silences `role-unknown`). */
  knownRoles?: string[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function secretFromText(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Accepts standard base64 or base64url, padded or not. */
export function secretFromBase64(text: string): Parsed<Uint8Array> {
  const compact = text.replace(/\s+/g, '').replace(/(?<!=)=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  if (compact === '' || !/^[A-Za-z0-9_-]+$/.test(compact)) {
    return { ok: false, error: 'the secret is not base64 (allowed: A–Z a–z 0–9 + / - _ =)' };
  }
  try {
    return { ok: true, value: base64url.decode(compact) };
  } catch {
    return { ok: false, error: 'the secret is not valid base64 (wrong length)' };
  }
}

/** Accepts a JWKS `{"keys":[…]}`, a single JWK, or an array of JWKs (JSON text). */
export function parseJwks(text: string): Parsed<{ keys: JWK[] }> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'the JWKS is not JSON' };
  }
  const keys: unknown = Array.isArray(value)
    ? value
    : isObject(value) && Array.isArray(value.keys)
      ? value.keys
      : isObject(value) && typeof value.kty === 'string'
        ? [value]
        : undefined;
  if (!Array.isArray(keys)) return { ok: false, error: 'expected a JWKS {"keys":[…]}, a JWK, or an array of JWKs' };
  const bad = keys.findIndex((k) => !isObject(k) || typeof k.kty !== 'string');
  if (bad !== -1) return { ok: false, error: `key #${bad + 1} of the JWKS has no "kty"` };
  return { ok: true, value: { keys: keys as JWK[] } };
}

export function parseClaimValidators(text: string): Parsed<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'the claim validators are not JSON (expected e.g. {"iss":"https://…/auth/v1"})' };
  }
  if (!isObject(value)) return { ok: false, error: 'the claim validators must be a JSON object of claim → value' };
  return { ok: true, value };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
