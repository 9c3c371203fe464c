// Minting a corrected test token (issue 12 item 4) with jose, with the key the user supplied: the
// JWT secret (HS256, or the token's own HS algorithm) or a private JWK (its algorithm, its kid).
// Callers check mintRefusal (correct.ts) first; this module refuses service_role on its own too,
// so no path of the popup can mint one.

import { importJWK, SignJWT, type JWK } from 'jose';
import type { CorrectedToken } from './correct';
import { mintRefusal } from './correct';
import { errorMessage } from './decode';

export type MintKey = { kind: 'secret'; secret: Uint8Array } | { kind: 'jwk'; jwk: JWK };

export type Minted = { ok: true; token: string; alg: string; kid?: string } | { ok: false; error: string };

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'] as const;

export function isPrivateJwk(jwk: JWK): boolean {
  return typeof jwk.d === 'string';
}

/** The JWK without its private members (what verification needs; WebCrypto will not verify with a private key). */
export function publicJwk(jwk: JWK): JWK {
  const out: JWK = { ...jwk };
  for (const m of PRIVATE_MEMBERS) delete (out as Record<string, unknown>)[m];
  if (Array.isArray(out.key_ops)) delete out.key_ops;
  return out;
}

function algOfJwk(jwk: JWK): string | undefined {
  if (typeof jwk.alg === 'string') return jwk.alg;
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC') return jwk.crv === 'P-384' ? 'ES384' : jwk.crv === 'P-521' ? 'ES512' : 'ES256';
  if (jwk.kty === 'OKP' && (jwk.crv === 'Ed25519' || jwk.crv === 'Ed448')) return 'EdDSA';
  return undefined;
}

/**
 * The private key of `keys` to mint with: the one whose kid the token names, else the first
 * private one. Undefined when the JWKS holds public keys only.
 */
export function signingJwk(keys: readonly JWK[], kid: unknown): JWK | undefined {
  const priv = keys.filter(isPrivateJwk);
  return priv.find((k) => k.kid === kid) ?? priv[0];
}

/** Mints `corrected` for local development: refused (see mintRefusal) unless the issuers are local and no role is service_role. */
export async function mintCorrected(original: Record<string, unknown>, corrected: CorrectedToken, key: MintKey): Promise<Minted> {
  const refusal = mintRefusal(original, corrected.claims);
  if (refusal) return { ok: false, error: refusal };
  return signCorrected(corrected, key);
}

/** Signs `corrected` with `key`, whatever its issuer (tests; callers facing users go through mintCorrected). */
export async function signCorrected(corrected: CorrectedToken, key: MintKey): Promise<Minted> {
  if (corrected.claims.role === 'service_role') return { ok: false, error: 'No test token is minted with role service_role: it bypasses Row Level Security.' };
  const header: Record<string, unknown> = { typ: 'JWT' };
  try {
    if (key.kind === 'secret') {
      if (key.secret.length === 0) return { ok: false, error: 'The secret is empty.' };
      const alg = typeof corrected.header.alg === 'string' && /^HS(256|384|512)$/.test(corrected.header.alg) ? corrected.header.alg : 'HS256';
      header.alg = alg;
      // An HS token's kid names the key it was signed with; the server falls back to the secret
      // when no oct JWK matches (§4.2), so a kid of an asymmetric key is dropped.
      if (alg === corrected.header.alg && typeof corrected.header.kid === 'string') header.kid = corrected.header.kid;
      const token = await new SignJWT(corrected.claims).setProtectedHeader(header as { alg: string }).sign(key.secret);
      return { ok: true, token, alg, ...(header.kid ? { kid: header.kid as string } : {}) };
    }
    const jwk = key.jwk;
    if (!isPrivateJwk(jwk)) return { ok: false, error: 'This JWK is public: minting needs the private key (with "d"), as `supabase start` or your key file has it.' };
    const alg = algOfJwk(jwk);
    if (!alg) return { ok: false, error: `No signing algorithm for a ${String(jwk.kty)} key${jwk.crv ? ` on ${jwk.crv}` : ''}.` };
    if (typeof jwk.kid !== 'string' || jwk.kid === '') return { ok: false, error: 'The private JWK has no "kid": Realtime picks the verification key by kid, so a token signed with it cannot be verified.' };
    header.alg = alg;
    header.kid = jwk.kid;
    const { key_ops: _ops, use: _use, ...importable } = jwk;
    const privateKey = await importJWK(importable, alg);
    const token = await new SignJWT(corrected.claims).setProtectedHeader(header as { alg: string }).sign(privateKey);
    return { ok: true, token, alg, kid: jwk.kid };
  } catch (err) {
    return { ok: false, error: `Could not sign: ${errorMessage(err)}.` };
  }
}
