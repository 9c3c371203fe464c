// Key selection and signature verification, mirroring the server's `generate_signer` (§4.2) and
// `JOSE.JWT.verify_strict` (§4.1 step 6). Verification uses jose; nothing is guessed without a key.

import { base64url, compactVerify, createLocalJWKSet, errors, type JWK } from 'jose';
import type { DecodedToken } from './decode';
import { errorMessage } from './decode';
import { safeJsonText } from '../safe-json';
import type { ProjectKnowledge } from './project';

const HS_ALGS = ['HS256', 'HS384', 'HS512'] as const;
const RS_ALGS = ['RS256', 'RS384', 'RS512'] as const;
const ES_ALGS = ['ES256', 'ES384', 'ES512'] as const;
const ED_ALGS = ['EdDSA', 'Ed25519', 'Ed448'] as const;
export const SUPPORTED_ALGS: readonly string[] = [...HS_ALGS, ...RS_ALGS, ...ES_ALGS, ...ED_ALGS];

export function isAsymmetricAlg(alg: unknown): boolean {
  return typeof alg === 'string' && [...RS_ALGS, ...ES_ALGS, ...ED_ALGS].includes(alg as never);
}
function isHmacAlg(alg: unknown): boolean {
  return typeof alg === 'string' && (HS_ALGS as readonly string[]).includes(alg);
}

function expectedKty(alg: string): 'RSA' | 'EC' | 'OKP' | 'oct' {
  if (alg.startsWith('RS')) return 'RSA';
  if (alg.startsWith('ES')) return 'EC';
  if (alg.startsWith('HS')) return 'oct';
  return 'OKP';
}

export type SignerSelection =
  /** HS token judged with the tenant secret (no kid, or a kid no JWKS entry matches: fallback, §4.2). */
  | { kind: 'tenant-secret'; kidIgnored?: string }
  /** HS token whose kid matches an `oct` JWK of the supplied JWKS. */
  | { kind: 'jwks-oct'; jwk: JWK; secret: Uint8Array }
  /** Asymmetric token whose kid matches a JWK of the right type in the supplied JWKS. */
  | { kind: 'jwks-asymmetric'; jwk: JWK }
  /** Asymmetric token with a kid, and no JWKS supplied: the server's answer depends on its JWKS. */
  | { kind: 'asymmetric-unknown'; kid: string }
  | {
      kind: 'error';
      /** Which finding explains it. */
      code: 'alg-unsupported' | 'kid-missing' | 'kid-unknown';
      /** Set when the server names the kid in its message. */
      kid?: string;
      detail: string;
    };

export function selectSigner(token: DecodedToken, project: ProjectKnowledge): SignerSelection {
  const alg = token.header?.alg;
  const kid = token.header?.kid;
  if (typeof alg !== 'string' || !SUPPORTED_ALGS.includes(alg)) {
    return {
      kind: 'error',
      code: 'alg-unsupported',
      detail: alg === undefined ? 'the header has no "alg"' : `"alg" is ${safeJsonText(alg, { maxDepth: 8, maxLength: 200 })}, which Realtime does not accept`,
    };
  }
  const keys = project.jwks?.keys;
  if (isHmacAlg(alg)) {
    if (typeof kid === 'string' && keys) {
      const jwk = keys.find((k) => k.kty === 'oct' && k.kid === kid);
      if (jwk) {
        if (typeof jwk.k !== 'string') return { kind: 'error', code: 'kid-unknown', kid, detail: `the oct JWK "${kid}" has no "k"` };
        try {
          return { kind: 'jwks-oct', jwk, secret: base64url.decode(jwk.k) };
        } catch {
          return { kind: 'error', code: 'kid-unknown', kid, detail: `the oct JWK "${kid}" has a "k" that is not base64url` };
        }
      }
    }
    // §4.2: no matching oct JWK → the tenant jwt_secret. Hosted HS256 tokens carry a kid no
    // public JWKS lists; that is not an error.
    return { kind: 'tenant-secret', kidIgnored: typeof kid === 'string' ? kid : undefined };
  }
  if (typeof kid !== 'string') {
    return { kind: 'error', code: 'kid-missing', detail: `${alg} tokens must carry a "kid" in the header` };
  }
  if (!keys) return { kind: 'asymmetric-unknown', kid };
  const kty = expectedKty(alg);
  const jwk = keys.find(
    (k) => k.kid === kid && k.kty === kty && (kty !== 'OKP' || k.crv === 'Ed25519' || k.crv === 'Ed448'),
  );
  if (!jwk) {
    return { kind: 'error', code: 'kid-unknown', kid, detail: `no ${kty} key with kid "${kid}" in the JWKS` };
  }
  return { kind: 'jwks-asymmetric', jwk };
}

export type SignatureStatus = 'valid' | 'invalid' | 'unverified';

export interface SignatureCheck {
  status: SignatureStatus;
  detail: string;
}

/** Verifies the signature only (claims are judged separately, in the server's order). */
export async function verifySignature(
  token: DecodedToken,
  selection: SignerSelection,
  project: ProjectKnowledge,
): Promise<SignatureCheck> {
  if (token.form !== 'jwt') return { status: 'unverified', detail: 'not a JWT' };
  // Taken from a URL, signature removed at capture: nothing to verify (judge.ts SIGNATURE_NOT_KEPT).
  if (token.signatureNotKept) return { status: 'unverified', detail: 'signature not kept (the token was taken from a URL)' };
  const alg = String(token.header?.alg);
  try {
    if (selection.kind === 'tenant-secret' || selection.kind === 'jwks-oct') {
      const secret = selection.kind === 'jwks-oct' ? selection.secret : project.secret;
      if (!secret) return { status: 'unverified', detail: 'no JWT secret supplied: the signature cannot be checked' };
      if (secret.length === 0) return { status: 'invalid', detail: 'the supplied secret is empty' };
      await compactVerify(token.cleaned, secret, { algorithms: [alg] });
      return { status: 'valid', detail: selection.kind === 'jwks-oct' ? `verified with the oct JWK "${selection.jwk.kid}"` : 'verified with the supplied secret' };
    }
    if (selection.kind === 'jwks-asymmetric') {
      const jwks = createLocalJWKSet({ keys: [selection.jwk] });
      await compactVerify(token.cleaned, jwks, { algorithms: [alg] });
      return { status: 'valid', detail: `verified with the JWK "${selection.jwk.kid}"` };
    }
    return { status: 'unverified', detail: 'no key selected' };
  } catch (err) {
    if (err instanceof errors.JWSSignatureVerificationFailed) {
      return { status: 'invalid', detail: 'the signature does not match the supplied key' };
    }
    if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JOSENotSupported) {
      return { status: 'invalid', detail: `the key cannot verify this token: ${errorMessage(err)}` };
    }
    return { status: 'invalid', detail: `verification failed: ${errorMessage(err)}` };
  }
}
