// §4.1 order and §4.2 signer selection, at the function level.
import { describe, expect, it } from 'vitest';
import { createProject, signCompact, tenantJwks } from './projects.js';
import { cleanToken, verifyRealtimeToken } from './verify.js';

const enc = new TextEncoder();
const now = 1_800_000_000;

describe('verifyRealtimeToken', () => {
  it('walks claims in sorted order: an aud validator mismatch is reported before an expired exp', async () => {
    const p = await createProject({ signingAlg: null });
    const t = await signCompact({ alg: 'HS256' }, { role: 'anon', exp: now - 5, aud: 'x' }, enc.encode(p.jwtSecret));
    const tenant = { jwtSecret: p.jwtSecret, jwks: null };
    expect(await verifyRealtimeToken(t, tenant, { nowSec: now, claimValidators: { aud: 'authenticated' } })).toEqual({
      ok: false,
      error: { kind: 'claim', claim: 'aud', value: 'x' },
    });
    expect(await verifyRealtimeToken(t, tenant, { nowSec: now, claimValidators: {} })).toEqual({
      ok: false,
      error: { kind: 'expired', secondsAgo: 5, exp: now - 5 },
    });
  });

  it('expired without role reports expired; no exp at all passes verify and fails the presence check', async () => {
    const p = await createProject({ signingAlg: null });
    const tenant = { jwtSecret: p.jwtSecret, jwks: null };
    const expiredNoRole = await signCompact({ alg: 'HS256' }, { exp: now - 1 }, enc.encode(p.jwtSecret));
    expect((await verifyRealtimeToken(expiredNoRole, tenant, { nowSec: now, claimValidators: {} })).ok).toBe(false);
    expect(await verifyRealtimeToken(expiredNoRole, tenant, { nowSec: now, claimValidators: {} })).toMatchObject({ error: { kind: 'expired', secondsAgo: 1 } });
    const noExp = await signCompact({ alg: 'HS256' }, { role: 'anon' }, enc.encode(p.jwtSecret));
    expect(await verifyRealtimeToken(noExp, tenant, { nowSec: now, claimValidators: {} })).toEqual({ ok: false, error: { kind: 'missing_claims' } });
    const decimalExpired = await signCompact({ alg: 'HS256' }, { role: 'anon', exp: now - 1.5 }, enc.encode(p.jwtSecret));
    expect(await verifyRealtimeToken(decimalExpired, tenant, { nowSec: now, claimValidators: {} })).toMatchObject({ error: { kind: 'claim', claim: 'exp' } });
  });

  it('HS256 with a kid absent from the JWKS falls back to the secret; an oct JWK with that kid wins', async () => {
    const p = await createProject({ signingAlg: 'HS256' });
    const oct = p.signingKeys[0];
    const tenant = { jwtSecret: p.jwtSecret, jwks: tenantJwks(p) };
    const viaSecret = await signCompact({ alg: 'HS256', kid: 'unknown' }, { role: 'anon', exp: now + 9 }, enc.encode(p.jwtSecret));
    expect((await verifyRealtimeToken(viaSecret, tenant, { nowSec: now, claimValidators: {} })).ok).toBe(true);
    const viaOct = await signCompact({ alg: 'HS256', kid: oct.kid }, { role: 'anon', exp: now + 9 }, oct.privateKey);
    expect((await verifyRealtimeToken(viaOct, tenant, { nowSec: now, claimValidators: {} })).ok).toBe(true);
    const octKidSecretSigned = await signCompact({ alg: 'HS256', kid: oct.kid }, { role: 'anon', exp: now + 9 }, enc.encode(p.jwtSecret));
    expect(await verifyRealtimeToken(octKidSecretSigned, tenant, { nowSec: now, claimValidators: {} })).toEqual({ ok: false, error: { kind: 'signature' } });
  });

  it('ES256 without a kid or with a tenant without JWKS: signer error without kid', async () => {
    const p = await createProject({ signingAlg: 'ES256' });
    const key = p.signingKeys[0];
    const noKid = await signCompact({ alg: 'ES256' }, { role: 'anon', exp: now + 9 }, key.privateKey);
    expect(await verifyRealtimeToken(noKid, { jwtSecret: p.jwtSecret, jwks: tenantJwks(p) }, { nowSec: now, claimValidators: {} })).toEqual({
      ok: false,
      error: { kind: 'signer' },
    });
    const withKid = await signCompact({ alg: 'ES256', kid: key.kid }, { role: 'anon', exp: now + 9 }, key.privateKey);
    expect(await verifyRealtimeToken(withKid, { jwtSecret: p.jwtSecret, jwks: null }, { nowSec: now, claimValidators: {} })).toEqual({
      ok: false,
      error: { kind: 'signer' },
    });
    expect((await verifyRealtimeToken(withKid, { jwtSecret: p.jwtSecret, jwks: tenantJwks(p) }, { nowSec: now, claimValidators: {} })).ok).toBe(true);
  });

  it('cleans pasted tokens (URL-encoding, whitespace) and calls non-JWTs malformed', async () => {
    expect(cleanToken('a%2Eb .\nc')).toBe('a.b.c');
    const tenant = { jwtSecret: 's', jwks: null };
    for (const t of ['', 'potato', 'a.b', 'a.b.c.d', '!!!.e30.x']) {
      expect(await verifyRealtimeToken(t, tenant, { nowSec: now, claimValidators: {} })).toEqual({ ok: false, error: { kind: 'malformed' } });
    }
    // Claims that are valid JSON but not an object: the generic path.
    expect(await verifyRealtimeToken(`e30.${Buffer.from('[1]').toString('base64url')}.x`, tenant, { nowSec: now, claimValidators: {} })).toEqual({
      ok: false,
      error: { kind: 'expected_claims_map' },
    });
  });
});
