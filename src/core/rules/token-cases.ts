// Test support: the table of pasted-token cases, shared by token-rules.test.ts (which asserts
// each case) and docs-meta.test.ts (which checks every documented code is produced by some case).
// The expected server words come from e2e/fixtures/server-strings.ts, never from the engine.

import { CONNECT_ERRORS, JOIN_REASONS } from '../../../e2e/fixtures/server-strings';
import type { TokenClass } from '../tokens/decode';
import type { ProjectKnowledge } from '../tokens/project';
import { legacyKeyClaims, mint, mintNone, OTHER_REF, REF, userClaims, type TestKeys } from '../tokens/testing';
import type { FindingCode } from './catalogue';

/** Fixed time of use: cases are deterministic; tokens are still minted at test time. */
export const AT_MS = Date.UTC(2026, 10, 27, 12, 0, 0);
export const NOW = AT_MS / 1000;

export interface TokenCase {
  name: string;
  token: string;
  /** What is known of the project; defaults to the test secret and JWKS. */
  project?: ProjectKnowledge;
  tokenClass?: TokenClass;
  codes: FindingCode[];
  /** Expected connect answer: null = accepted (101). */
  connect: { status: number; error: string } | null;
  /** Expected join reason: null = accepted. */
  join: string | null;
  conditional?: boolean;
}

/** `value` inside `depth` arrays: [[[…value…]]]. */
function nested(depth: number, value: unknown): unknown {
  let v = value;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

export async function tokenCases(keys: TestKeys): Promise<TokenCase[]> {
  const full: ProjectKnowledge = { secret: keys.secret, jwks: keys.jwks, projectUrl: `https://${REF}.supabase.co` };
  const user = (extra: Record<string, unknown> = {}) => userClaims(NOW, extra);
  const hosted = { kid: 'hostedKid42' };
  const c = (x: TokenCase) => x;
  const expired0 = { status: CONNECT_ERRORS.expired.status, error: CONNECT_ERRORS.expired.error };
  const generic = { status: CONNECT_ERRORS.unknown.status, error: CONNECT_ERRORS.unknown.error };
  const signer = { status: CONNECT_ERRORS.signer.status, error: CONNECT_ERRORS.signer.error };
  const missing = { status: CONNECT_ERRORS.missingClaims.status, error: CONNECT_ERRORS.missingClaims.error };
  const malformed = { status: CONNECT_ERRORS.malformed.status, error: CONNECT_ERRORS.malformed.error };
  const signature = { status: CONNECT_ERRORS.signature.status, error: CONNECT_ERRORS.signature.error };

  const hostedToken = await mint(keys, { claims: user(), header: hosted });

  return [
    c({ name: 'hosted-style HS256 access token with a kid (falls back to the secret)', token: hostedToken, project: full, tokenClass: 'user-access-token', codes: [], connect: null, join: null }),
    c({ name: 'HS384 user token', token: await mint(keys, { alg: 'HS384', claims: user() }), project: full, codes: [], connect: null, join: null }),
    c({ name: 'HS512 user token', token: await mint(keys, { alg: 'HS512', claims: user() }), project: full, codes: [], connect: null, join: null }),
    c({ name: 'RS256 user token with a known kid', token: await mint(keys, { alg: 'RS256', claims: user() }), project: full, codes: [], connect: null, join: null }),
    c({ name: 'ES256 user token with a known kid', token: await mint(keys, { alg: 'ES256', claims: user() }), project: full, codes: [], connect: null, join: null }),
    c({ name: 'EdDSA user token with a known kid', token: await mint(keys, { alg: 'EdDSA', claims: user() }), project: full, codes: [], connect: null, join: null }),
    c({ name: 'anonymous sign-in token', token: await mint(keys, { claims: user({ is_anonymous: true }) }), project: full, tokenClass: 'anonymous-user-token', codes: [], connect: null, join: null }),
    c({ name: 'hosted token without any key supplied: conditional', token: hostedToken, project: {}, codes: [], connect: null, join: null, conditional: true }),
    c({ name: 'RS256 with a kid, no JWKS supplied: conditional', token: await mint(keys, { alg: 'RS256', claims: user() }), project: { secret: keys.secret }, codes: [], connect: null, join: null, conditional: true }),
    c({ name: 'pasted with "Bearer ", URL-encoding and line breaks', token: `Bearer ${hostedToken.slice(0, 30)}\n  ${hostedToken.slice(30, 60).replace(/\./g, '%2E')}${hostedToken.slice(60)}`, project: full, codes: [], connect: null, join: null }),
    c({ name: 'decimal exp in the future', token: await mint(keys, { claims: user({ exp: NOW + 100.6 }) }), project: full, codes: [], connect: null, join: null }),

    // §3.1 table / §4.1: Joken fails the raw decimal, and only an integer exp maps to "Token has expired".
    c({ name: 'decimal exp in the past: the server answers with its generic error', token: await mint(keys, { claims: user({ exp: NOW - 10.5 }) }), project: full, codes: ['token-expired'], connect: generic, join: JOIN_REASONS.unknown }),
    c({ name: 'exp equal to the time of use is expired', token: await mint(keys, { claims: user({ exp: NOW }) }), project: full, codes: ['token-expired'], connect: expired0, join: JOIN_REASONS.expired(0) }),
    c({ name: 'expired 42 s ago', token: await mint(keys, { alg: 'ES256', claims: user({ exp: NOW - 42 }) }), project: full, codes: ['token-expired'], connect: expired0, join: JOIN_REASONS.expired(42) }),
    c({ name: 'exp as a string', token: await mint(keys, { claims: user({ exp: String(NOW + 3600) }) }), project: full, codes: ['claim-type-invalid'], connect: generic, join: JOIN_REASONS.unknown }),
    c({ name: 'iat as a string', token: await mint(keys, { claims: user({ iat: String(NOW) }) }), project: full, codes: ['claim-type-invalid'], connect: generic, join: JOIN_REASONS.unknown }),
    c({ name: 'RS256 without kid', token: await mint(keys, { alg: 'RS256', claims: user(), header: { kid: undefined } }), project: full, codes: ['kid-missing'], connect: signer, join: JOIN_REASONS.signer }),
    c({ name: 'ES256 with an unknown kid', token: await mint(keys, { alg: 'ES256', claims: user(), header: { kid: 'revoked-7' } }), project: full, codes: ['kid-unknown'], connect: CONNECT_ERRORS.signerKid('revoked-7'), join: JOIN_REASONS.signerKid('revoked-7') }),
    c({ name: 'alg none', token: mintNone(user()), project: full, codes: ['alg-unsupported'], connect: signer, join: JOIN_REASONS.signer }),
    c({ name: 'wrong secret', token: await mint(keys, { claims: user(), secret: new TextEncoder().encode('not-the-project-secret-at-all-0123456789') }), project: full, codes: ['signature-invalid'], connect: signature, join: JOIN_REASONS.signature }),
    c({ name: 'wrong secret and expired: signature is reported first', token: await mint(keys, { claims: user({ exp: NOW - 5 }), secret: new TextEncoder().encode('another-secret-another-secret-another') }), project: full, codes: ['signature-invalid', 'token-expired'], connect: signature, join: JOIN_REASONS.signature }),
    c({ name: 'no role', token: await mint(keys, { claims: user({ role: undefined }) }), project: full, codes: ['role-missing'], connect: missing, join: JOIN_REASONS.missingClaims }),
    c({ name: 'no role and expired: expiry is reported first', token: await mint(keys, { claims: user({ role: undefined, exp: NOW - 3 }) }), project: full, codes: ['role-missing', 'token-expired'], connect: expired0, join: JOIN_REASONS.expired(3) }),
    c({ name: 'no exp', token: await mint(keys, { claims: user({ exp: undefined }) }), project: full, codes: ['exp-missing'], connect: missing, join: JOIN_REASONS.missingClaims }),
    c({ name: 'legacy anon key', token: await mint(keys, { claims: legacyKeyClaims('anon', NOW) }), project: full, tokenClass: 'legacy-anon-key', codes: [], connect: null, join: null }),
    c({ name: 'legacy service-role key', token: await mint(keys, { claims: legacyKeyClaims('service_role', NOW) }), project: full, tokenClass: 'legacy-service-role-key', codes: ['service-role-in-browser'], connect: null, join: null }),
    c({ name: 'legacy anon key of another project', token: await mint(keys, { claims: legacyKeyClaims('anon', NOW, OTHER_REF) }), project: { projectRef: REF }, codes: ['project-mismatch'], connect: null, join: null, conditional: true }),
    c({ name: 'local-development key', token: await mint(keys, { claims: { iss: 'supabase-demo', role: 'anon', exp: 1983812996 } }), project: full, tokenClass: 'local-dev-key', codes: [], connect: null, join: null }),
    c({ name: 'local-development user token', token: await mint(keys, { claims: user({ iss: 'http://127.0.0.1:54321/auth/v1' }) }), project: { secret: keys.secret, projectUrl: 'http://127.0.0.1:54321' }, tokenClass: 'user-access-token', codes: [], connect: null, join: null }),
    c({ name: 'claim validator: a string aud is not ["authenticated"]', token: await mint(keys, { claims: user() }), project: { ...full, claimValidators: { aud: ['authenticated'] } }, codes: ['claim-validator-mismatch'], connect: generic, join: JOIN_REASONS.unknown }),
    c({ name: 'claim validator: matching iss', token: await mint(keys, { claims: user() }), project: { ...full, claimValidators: { iss: `https://${REF}.supabase.co/auth/v1` } }, codes: [], connect: null, join: null }),
    c({ name: 'claim validator mismatch on aud is reported before expiry (sorted order)', token: await mint(keys, { claims: user({ exp: NOW - 1 }) }), project: { ...full, claimValidators: { aud: 'other' } }, codes: ['claim-validator-mismatch', 'token-expired'], connect: generic, join: JOIN_REASONS.unknown }),
    c({ name: 'nbf in the future', token: await mint(keys, { claims: user({ nbf: NOW + 600 }) }), project: full, codes: ['token-not-yet-valid'], connect: null, join: null }),
    c({ name: 'iat an hour in the future', token: await mint(keys, { claims: user({ iat: NOW + 3600, exp: NOW + 7200 }) }), project: full, codes: ['iat-in-future'], connect: null, join: null }),
    c({ name: 'aud not authenticated', token: await mint(keys, { claims: user({ aud: 'my-api' }) }), project: full, codes: ['aud-unexpected'], connect: null, join: null }),
    c({ name: 'iss of another Auth server', token: await mint(keys, { claims: user({ iss: 'https://auth.example.com/auth/v1' }) }), project: full, codes: ['iss-unexpected'], connect: null, join: null }),
    c({ name: 'access token of another project', token: await mint(keys, { claims: user({ iss: `https://${OTHER_REF}.supabase.co/auth/v1` }) }), project: { ...full, secret: undefined, projectRef: REF }, codes: ['project-mismatch', 'iss-unexpected'], connect: null, join: null, conditional: true }),
    c({ name: 'aud nested 40 levels deep: checked, quoted cut (analysis-limited)', token: await mint(keys, { claims: user({ aud: nested(40, 'authenticated') }) }), project: full, codes: ['analysis-limited', 'aud-unexpected'], connect: null, join: null }),
    c({ name: 'role that is not a usual Postgres role', token: await mint(keys, { claims: user({ role: 'potato' }) }), project: full, codes: ['role-unknown'], connect: null, join: null }),
    c({ name: 'third-party token without role', token: await mint(keys, { alg: 'RS256', claims: { iss: 'https://clerk.example.dev', sub: 'user_2x', exp: NOW + 60, iat: NOW } }), project: full, tokenClass: 'third-party-jwt', codes: ['role-missing'], connect: missing, join: JOIN_REASONS.missingClaims }),
    c({ name: 'sb_publishable_ key', token: 'sb_publishable_AbCdEf0123456789_xyzXYZ01', project: full, tokenClass: 'publishable-key', codes: ['opaque-api-key'], connect: null, join: null, conditional: true }),
    c({ name: 'sb_secret_ key', token: 'sb_secret_AbCdEf0123456789_xyzXYZ01', project: full, tokenClass: 'secret-key', codes: ['secret-key-in-browser'], connect: null, join: null, conditional: true }),
    c({ name: 'garbage', token: 'hello world', project: full, tokenClass: 'not-a-token', codes: ['token-malformed'], connect: malformed, join: JOIN_REASONS.malformed }),
    c({ name: 'empty string', token: '', project: full, codes: ['token-malformed'], connect: malformed, join: JOIN_REASONS.malformed }),
    c({ name: 'header segment not base64url', token: `ey!x.${hostedToken.split('.')[1]}.sig`, project: full, codes: ['token-malformed'], connect: malformed, join: JOIN_REASONS.malformed }),
    c({ name: 'claims are a JSON array', token: `${hostedToken.split('.')[0]}.${Buffer.from('[1,2]').toString('base64url')}.c2ln`, project: full, codes: ['token-malformed'], connect: generic, join: JOIN_REASONS.unknown }),
  ];
}
