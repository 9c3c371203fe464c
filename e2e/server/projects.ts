// Projects (Realtime "tenants"): a ref, a legacy JWT secret, signing keys with kids, and the four
// API keys a Supabase project hands out (§5.2 legacy anon/service_role JWTs, §5.3 sb_ keys).
import { randomBytes, randomUUID } from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair, type JWK } from 'jose';

export type SigningAlg = 'ES256' | 'RS256' | 'EdDSA' | 'HS256';
/** signing-keys.mdx key states: standby → in_use → previously_used → revoked. */
export type KeyStatus = 'standby' | 'in_use' | 'previously_used' | 'revoked';

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  status: KeyStatus;
  /** CryptoKey for asymmetric keys, raw bytes for HS256 keys. */
  privateKey: CryptoKey | Uint8Array;
  /** Public JWK (asymmetric) or `oct` JWK (HS256, never published by Auth). */
  jwk: JWK;
}

/** One row of a private channel's read/write policy table (stands in for RLS on realtime.messages). */
export interface ChannelPolicy {
  /** Sub-topic (without `realtime:`), or `*` for every topic. */
  topic: string;
  /** Matches the token's `role` claim; omitted = any role. */
  role?: string;
  /** Matches the token's `sub` claim; omitted = any sub. */
  sub?: string;
  read?: boolean;
  write?: boolean;
}

export interface Project {
  ref: string;
  /** Legacy JWT secret (HS256, used as raw bytes, §4.2). */
  jwtSecret: string;
  /** kid put on HS256 user tokens (hosted tokens carry one, §5.1); undefined = no kid. */
  legacyKid: string | undefined;
  signingKeys: SigningKey[];
  /** Which key Auth signs access tokens with: the legacy secret, or the `in_use` signing key. */
  authSigning: 'legacy' | 'asymmetric';
  /** GOTRUE_JWT_EXP (default 3600 s). */
  accessTokenLifetimeSec: number;
  anonKey: string;
  serviceRoleKey: string;
  publishableKey: string;
  secretKey: string;
  /** Realtime tenant flags. */
  privateOnly: boolean;
  suspended: boolean;
  /** Private channel policies; like permissive RLS policies, any matching row that grants wins. */
  policies: ChannelPolicy[];
  /** Roles that exist in the project's Postgres besides anon/authenticated/service_role. */
  extraRoles: string[];
}

export interface CreateProjectOptions {
  ref?: string;
  jwtSecret?: string;
  legacyKid?: string;
  /** Algorithm of the initial in-use signing key; `null` = no asymmetric signing key at all. */
  signingAlg?: SigningAlg | null;
  authSigning?: 'legacy' | 'asymmetric';
  accessTokenLifetimeSec?: number;
  publishableKey?: string;
  secretKey?: string;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
export function randomRef(): string {
  const bytes = randomBytes(20);
  return Array.from(bytes, (b) => LETTERS[b % 26]).join('');
}

const enc = new TextEncoder();

export async function newSigningKey(alg: SigningAlg, status: KeyStatus = 'standby'): Promise<SigningKey> {
  const kid = randomUUID();
  if (alg === 'HS256') {
    const raw = new Uint8Array(randomBytes(32));
    const k = Buffer.from(raw).toString('base64url');
    return { kid, alg, status, privateKey: raw, jwk: { kty: 'oct', k, kid, alg } };
  }
  const { privateKey, publicKey } = await generateKeyPair(alg === 'EdDSA' ? 'Ed25519' : alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig', key_ops: ['verify'] };
  return { kid, alg, status, privateKey, jwk };
}

/** Sign any header/claims with HS (raw secret bytes) or an asymmetric private key. */
export async function signCompact(
  header: Record<string, unknown> & { alg: string },
  claims: unknown,
  key: CryptoKey | Uint8Array,
): Promise<string> {
  return new CompactSign(enc.encode(JSON.stringify(claims))).setProtectedHeader(header).sign(key);
}

function opaqueKey(prefix: string): string {
  // Same shape as hosted keys: prefix + 22 url-safe characters + `_` + 8 characters.
  return `${prefix}${randomBytes(16).toString('base64url').slice(0, 22)}_${randomBytes(6).toString('base64url').slice(0, 8)}`;
}

/** §5.2: legacy anon / service_role keys: HS256, `{iss:"supabase", ref, role, iat, exp}`, no sub/aud. */
async function legacyApiKey(ref: string, secret: string, role: 'anon' | 'service_role'): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  const claims = { iss: 'supabase', ref, role, iat, exp: iat + 10 * 365 * 24 * 3600 };
  return signCompact({ alg: 'HS256', typ: 'JWT' }, claims, enc.encode(secret));
}

export async function createProject(opts: CreateProjectOptions = {}): Promise<Project> {
  const ref = opts.ref ?? randomRef();
  const jwtSecret = opts.jwtSecret ?? randomBytes(30).toString('base64url');
  const signingAlg = opts.signingAlg === undefined ? 'ES256' : opts.signingAlg;
  const signingKeys = signingAlg ? [await newSigningKey(signingAlg, 'in_use')] : [];
  return {
    ref,
    jwtSecret,
    legacyKid: opts.legacyKid,
    signingKeys,
    authSigning: opts.authSigning ?? (signingAlg && signingAlg !== 'HS256' ? 'asymmetric' : 'legacy'),
    accessTokenLifetimeSec: opts.accessTokenLifetimeSec ?? 3600,
    anonKey: await legacyApiKey(ref, jwtSecret, 'anon'),
    serviceRoleKey: await legacyApiKey(ref, jwtSecret, 'service_role'),
    publishableKey: opts.publishableKey ?? opaqueKey('sb_publishable_'),
    secretKey: opts.secretKey ?? opaqueKey('sb_secret_'),
    privateOnly: false,
    suspended: false,
    policies: [],
    extraRoles: [],
  };
}

/** The keys Realtime trusts for the tenant (`jwt_jwks`): every key not revoked, `oct` included. */
export function tenantJwks(p: Project): JWK[] {
  return p.signingKeys.filter((k) => k.status !== 'revoked').map((k) => k.jwk);
}

/** What Auth publishes at /.well-known/jwks.json: asymmetric public keys only (§5.1). */
export function publicJwks(p: Project): JWK[] {
  return p.signingKeys.filter((k) => k.status !== 'revoked' && k.alg !== 'HS256').map((k) => k.jwk);
}

export function inUseKey(p: Project): SigningKey | undefined {
  return p.signingKeys.find((k) => k.status === 'in_use');
}

/** Roles that exist in every Supabase Postgres, plus the project's extra ones (§4.3). */
export function isPostgresRole(p: Project, role: unknown): boolean {
  if (typeof role !== 'string') return false;
  return ['anon', 'authenticated', 'service_role', 'postgres', 'supabase_admin', 'authenticator'].includes(role) ||
    p.extraRoles.includes(role);
}

/**
 * The gateway's swap of an sb_ key for a JWT the browser never sees (§2.1): publishable → anon,
 * secret → service_role. Signed with the in-use asymmetric key when there is one (Kong's
 * `*_KEY_ASYMMETRIC`), else the legacy secret. The 24 h lifetime is the docs' figure (§2.1; a guess).
 */
export async function gatewayJwtFor(p: Project, apiKey: string, nowSec: number): Promise<string | undefined> {
  let role: string;
  if (apiKey === p.publishableKey) role = 'anon';
  else if (apiKey === p.secretKey) role = 'service_role';
  else return undefined;
  const claims = { iss: 'supabase', ref: p.ref, role, iat: nowSec, exp: nowSec + 24 * 3600 };
  const key = inUseKey(p);
  if (key && key.alg !== 'HS256') return signCompact({ alg: key.alg, kid: key.kid, typ: 'JWT' }, claims, key.privateKey);
  return signCompact({ alg: 'HS256', typ: 'JWT' }, claims, enc.encode(p.jwtSecret));
}

/** Evaluate the policy table like RLS on realtime.messages (§4.3). service_role bypasses RLS. */
export function channelPermission(
  p: Project,
  subTopic: string,
  claims: Record<string, unknown>,
  action: 'read' | 'write',
): 'allowed' | 'denied' | 'rls_error' {
  const role = claims.role;
  // A role that is not a real Postgres role makes set_config('role', …) fail: RlsPolicyError.
  if (!isPostgresRole(p, role)) return 'rls_error';
  if (role === 'service_role' || role === 'postgres' || role === 'supabase_admin') return 'allowed';
  for (const pol of p.policies) {
    if (pol.topic !== '*' && pol.topic !== subTopic) continue;
    if (pol.role !== undefined && pol.role !== role) continue;
    if (pol.sub !== undefined && pol.sub !== claims.sub) continue;
    if (pol[action]) return 'allowed';
  }
  return 'denied';
}
