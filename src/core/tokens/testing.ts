// Test support: mints real tokens with jose at test time (no fixtures with baked-in tokens).
// Imported by tests only.

import { base64url, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

export type MintAlg = 'HS256' | 'HS384' | 'HS512' | 'RS256' | 'ES256' | 'EdDSA';

export interface TestKeys {
  secretText: string;
  secret: Uint8Array;
  rsa: CryptoKeyPair;
  ec: CryptoKeyPair;
  ed: CryptoKeyPair;
  /** Public JWKS listing the asymmetric keys with kids rsa-1, ec-1, ed-1. */
  jwks: { keys: JWK[] };
}

export async function makeTestKeys(): Promise<TestKeys> {
  const secretText = 'super-secret-jwt-token-with-at-least-32-characters-long';
  const rsa = (await generateKeyPair('RS256', { extractable: true })) as CryptoKeyPair;
  const ec = (await generateKeyPair('ES256', { extractable: true })) as CryptoKeyPair;
  const ed = (await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })) as CryptoKeyPair;
  const jwks = {
    keys: [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256' },
      { ...(await exportJWK(ed.publicKey)), kid: 'ed-1' },
    ],
  };
  return { secretText, secret: new TextEncoder().encode(secretText), rsa, ec, ed, jwks };
}

export interface MintOptions {
  alg?: MintAlg;
  claims?: Record<string, unknown>;
  /** Extra header fields; `kid: undefined` removes the default kid. */
  header?: Record<string, unknown>;
  /** Sign HS tokens with another secret. */
  secret?: Uint8Array;
}

const DEFAULT_KIDS: Partial<Record<MintAlg, string>> = { RS256: 'rsa-1', ES256: 'ec-1', EdDSA: 'ed-1' };

export async function mint(keys: TestKeys, opts: MintOptions = {}): Promise<string> {
  const alg = opts.alg ?? 'HS256';
  const header: Record<string, unknown> = { alg, typ: 'JWT' };
  if (DEFAULT_KIDS[alg]) header.kid = DEFAULT_KIDS[alg];
  Object.assign(header, opts.header ?? {});
  for (const k of Object.keys(header)) if (header[k] === undefined) delete header[k];
  const key = alg.startsWith('HS') ? (opts.secret ?? keys.secret) : alg === 'RS256' ? keys.rsa.privateKey : alg === 'ES256' ? keys.ec.privateKey : keys.ed.privateKey;
  return new SignJWT(opts.claims ?? {}).setProtectedHeader(header as { alg: string }).sign(key);
}

/** An unsigned `alg: none` token (jose refuses to produce one through SignJWT on purpose). */
export function mintNone(claims: Record<string, unknown>): string {
  const enc = (v: unknown) => base64url.encode(JSON.stringify(v));
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
}

export const REF = 'abcdefghijklmnopqrst';
export const OTHER_REF = 'zyxwvutsrqponmlkjihg';

/** Claims as Supabase Auth writes them (§5.1), valid for an hour from `nowSec`. */
export function userClaims(nowSec: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: `https://${REF}.supabase.co/auth/v1`,
    sub: '5b7c6a0e-0000-4000-8000-000000000001',
    aud: 'authenticated',
    exp: nowSec + 3600,
    iat: nowSec,
    email: 'ada@example.com',
    phone: '',
    app_metadata: { provider: 'email' },
    user_metadata: {},
    role: 'authenticated',
    aal: 'aal1',
    amr: [{ method: 'password', timestamp: nowSec }],
    session_id: 'a1b2c3d4-0000-4000-8000-000000000002',
    is_anonymous: false,
    ...extra,
  };
}

export function legacyKeyClaims(role: 'anon' | 'service_role', nowSec: number, ref = REF): Record<string, unknown> {
  return { iss: 'supabase', ref, role, iat: nowSec - 86400, exp: nowSec + 10 * 365 * 86400 };
}
