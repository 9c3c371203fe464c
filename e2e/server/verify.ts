// Realtime's token check, step by step as realtime-facts.md §4.1 (pipeline) and §4.2 (signer
// selection) describe `jwt_verification.ex` + `authorize_conn`. Errors are values; the wording for
// each place (connect, join, live channel) is chosen by the callers in wording.ts.
import { compactVerify, importJWK, type JWK } from 'jose';

export type VerifyError =
  | { kind: 'not_a_string' }
  | { kind: 'malformed' }
  | { kind: 'expected_claims_map' }
  | { kind: 'expected_header_map' }
  | { kind: 'signer'; kid?: string }
  | { kind: 'signature' }
  /** exp failed with an integer exp: "Token has expired N seconds ago". */
  | { kind: 'expired'; secondsAgo: number; exp: number }
  /** Any other Joken claim failure (string exp, bad iat, validator mismatch, non-integer expired exp). */
  | { kind: 'claim'; claim: string; value: unknown }
  | { kind: 'missing_claims' };

export type VerifyResult = { ok: true; claims: Record<string, unknown>; header: Record<string, unknown> } | { ok: false; error: VerifyError };

export interface TenantKeys {
  jwtSecret: string;
  /** `jwt_jwks` keys; `null` when the tenant has no JWKS map at all. */
  jwks: JWK[] | null;
}

export interface VerifyOptions {
  nowSec: number;
  /** JWT_CLAIM_VALIDATORS: strict (deep JSON) equality per claim. */
  claimValidators: Record<string, unknown>;
}

const HS = ['HS256', 'HS384', 'HS512'];
const RS = ['RS256', 'RS384', 'RS512'];
const ES = ['ES256', 'ES384', 'ES512'];
const ED = ['Ed25519', 'Ed448', 'EdDSA'];

/** §4.1 step 1: URL-decode, then strip every whitespace character. */
export function cleanToken(token: string): string {
  let t = token;
  try {
    t = decodeURIComponent(t);
  } catch {
    // Not valid percent-encoding: keep it as it is (the verify step will call it malformed).
  }
  return t.replace(/\s+/g, '');
}

function decodeSegment(seg: string): unknown | typeof MALFORMED {
  if (!/^[A-Za-z0-9_-]*$/.test(seg) || seg.length % 4 === 1) return MALFORMED;
  try {
    return JSON.parse(Buffer.from(seg, 'base64url').toString('utf8'));
  } catch {
    // Guess (§9 open point): a segment that base64-decodes but is not JSON is reported as malformed.
    return MALFORMED;
  }
}
const MALFORMED = Symbol('malformed');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type Signer = { ok: true; key: Uint8Array | JWK; alg: string } | { ok: false; error: VerifyError };

/** §4.2 `generate_signer`. */
export function selectSigner(header: Record<string, unknown>, tenant: TenantKeys): Signer {
  const alg = header.alg;
  const kid = header.kid;
  const secret = new TextEncoder().encode(tenant.jwtSecret);
  if (typeof alg !== 'string') return { ok: false, error: { kind: 'signer' } };
  if (HS.includes(alg)) {
    if (typeof kid === 'string' && tenant.jwks) {
      const jwk = tenant.jwks.find((k) => k.kty === 'oct' && k.kid === kid);
      if (jwk) {
        if (typeof jwk.k !== 'string' || !/^[A-Za-z0-9_-]+$/.test(jwk.k)) return { ok: false, error: { kind: 'signer', kid } };
        return { ok: true, key: new Uint8Array(Buffer.from(jwk.k, 'base64url')), alg };
      }
    }
    // HS with a kid that is not in the JWKS falls back to the tenant secret.
    return { ok: true, key: secret, alg };
  }
  const family = RS.includes(alg) ? 'RSA' : ES.includes(alg) ? 'EC' : ED.includes(alg) ? 'OKP' : undefined;
  if (!family || typeof kid !== 'string' || !tenant.jwks) return { ok: false, error: { kind: 'signer' } };
  const jwk = tenant.jwks.find(
    (k) => k.kty === family && k.kid === kid && (family !== 'OKP' || k.crv === 'Ed25519' || k.crv === 'Ed448'),
  );
  if (!jwk) return { ok: false, error: { kind: 'signer', kid } };
  return { ok: true, key: jwk, alg };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The whole §4.1 pipeline, ending with `authorize_conn`'s presence check of `role` and `exp`. */
export async function verifyRealtimeToken(raw: unknown, tenant: TenantKeys, opts: VerifyOptions): Promise<VerifyResult> {
  if (typeof raw !== 'string') return { ok: false, error: { kind: 'not_a_string' } };
  const token = cleanToken(raw);
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, error: { kind: 'malformed' } };
  const claims = decodeSegment(parts[1]);
  if (claims === MALFORMED) return { ok: false, error: { kind: 'malformed' } };
  if (!isObject(claims)) return { ok: false, error: { kind: 'expected_claims_map' } };
  const header = decodeSegment(parts[0]);
  if (header === MALFORMED) return { ok: false, error: { kind: 'malformed' } };
  if (!isObject(header)) return { ok: false, error: { kind: 'expected_header_map' } };

  const signer = selectSigner(header, tenant);
  if (!signer.ok) return signer;
  try {
    const key = signer.key instanceof Uint8Array ? signer.key : await importJWK(signer.key, signer.alg);
    // verify_strict: only the header's alg is accepted for this key.
    await compactVerify(token, key, { algorithms: [signer.alg] });
  } catch {
    return { ok: false, error: { kind: 'signature' } };
  }

  // Joken validates only claims present in the token, walking keys in sorted order (≤ 32 keys:
  // Erlang small-map order) and reporting the first failure.
  const validators = opts.claimValidators;
  for (const name of Object.keys(claims).sort()) {
    const value = claims[name];
    if (name === 'exp') {
      if (!(typeof value === 'number' && value > opts.nowSec)) {
        if (Number.isInteger(value)) {
          return { ok: false, error: { kind: 'expired', secondsAgo: opts.nowSec - (value as number), exp: value as number } };
        }
        return { ok: false, error: { kind: 'claim', claim: 'exp', value } };
      }
      continue;
    }
    if (name === 'iat') {
      // iat must be a number; its value is not compared to now.
      if (typeof value !== 'number') return { ok: false, error: { kind: 'claim', claim: 'iat', value } };
      if (!(name in validators)) continue;
    }
    if (name in validators && !sameJson(value, validators[name])) {
      return { ok: false, error: { kind: 'claim', claim: name, value } };
    }
  }
  if (!('role' in claims) || !('exp' in claims)) return { ok: false, error: { kind: 'missing_claims' } };
  // §4.1 step 8: exp/iat decimals are rounded (used for the expiry timer).
  const rounded = { ...claims };
  if (typeof rounded.exp === 'number') rounded.exp = Math.round(rounded.exp);
  if (typeof rounded.iat === 'number') rounded.iat = Math.round(rounded.iat);
  return { ok: true, claims: rounded, header };
}

/** Elixir `inspect` of a JSON value, close enough for log-shaped messages. */
export function elixirInspect(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return `[${v.map(elixirInspect).join(', ')}]`;
  if (typeof v === 'object') {
    return `%{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)} => ${elixirInspect(x)}`).join(', ')}}`;
  }
  return String(v);
}

/** How the Elixir side prints a verify error (`inspect(error)` / `Realtime.Logs.to_log`). */
export function inspectError(e: VerifyError): string {
  switch (e.kind) {
    case 'not_a_string':
      return ':not_a_string';
    case 'malformed':
      return ':token_malformed';
    case 'expected_claims_map':
      return ':expected_claims_map';
    case 'expected_header_map':
      return ':expected_header_map';
    case 'signer':
      return e.kid === undefined ? ':error_generating_signer' : `{:error_generating_signer, ${JSON.stringify(e.kid)}}`;
    case 'signature':
      return ':signature_error';
    case 'expired':
      return `[message: "Invalid token", claim: "exp", claim_val: ${e.exp}]`;
    case 'claim':
      return `[message: "Invalid token", claim: ${JSON.stringify(e.claim)}, claim_val: ${elixirInspect(e.value)}]`;
    case 'missing_claims':
      return ':missing_claims';
  }
}
