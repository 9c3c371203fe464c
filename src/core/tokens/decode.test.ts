import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkToken } from '../rules/token-rules';
import { decodeToken, projectRefOfUrl } from './decode';
import { legacyKeyClaims, makeTestKeys, mint, REF, userClaims } from './testing';

const keys = await makeTestKeys();
const NOW = 1_800_000_000;

describe('decodeToken', () => {
  it('decodes a user access token and knows its project from iss', async () => {
    const t = decodeToken(await mint(keys, { claims: userClaims(NOW), header: { kid: 'abc' } }));
    expect(t.form).toBe('jwt');
    expect(t.tokenClass).toBe('user-access-token');
    expect(t.projectRef).toBe(REF);
    expect(t.header).toMatchObject({ alg: 'HS256', kid: 'abc' });
    expect(t.label).toMatch(/^user access token …/);
  });
  it('knows a legacy key project from its ref claim', async () => {
    const t = decodeToken(await mint(keys, { claims: legacyKeyClaims('anon', NOW, 'qwertyuiopasdfghjklz') }));
    expect(t).toMatchObject({ tokenClass: 'legacy-anon-key', projectRef: 'qwertyuiopasdfghjklz' });
  });
  it('says "unknown" for a localhost issuer', async () => {
    const t = decodeToken(await mint(keys, { claims: userClaims(NOW, { iss: 'http://127.0.0.1:54321/auth/v1' }) }));
    expect(t.projectRef).toBe('unknown');
  });
  it('tolerates Bearer, URL-encoding, spaces and newlines like the server', async () => {
    const jwt = await mint(keys, { claims: userClaims(NOW) });
    const messy = `Bearer  ${jwt.slice(0, 20)}\r\n ${jwt.slice(20, 40).replace(/\./g, '%2E')} ${jwt.slice(40)}`;
    const t = decodeToken(messy);
    expect(t.cleaned).toBe(jwt);
    expect(t.notes.join(' ')).toMatch(/Bearer/);
  });
  it.each([
    ['one segment', 'abc', 'token', /3 dot-separated segments; this has 1/],
    ['bad base64 in claims', 'eyJhbGciOiJIUzI1NiJ9.ey$$.x', 'claims', /not base64url/],
    ['claims not JSON', `eyJhbGciOiJIUzI1NiJ9.${Buffer.from('nope').toString('base64url')}.x`, 'claims', /not JSON/],
    ['header a JSON string', `${Buffer.from('"x"').toString('base64url')}.e30.x`, 'header', /not an object/],
    ['bad base64 signature', `eyJhbGciOiJIUzI1NiJ9.e30.a*b`, 'signature', /signature segment is not valid base64url/],
  ])('names the broken segment: %s', (_n, raw, segment, reason) => {
    const t = decodeToken(raw);
    expect(t.problem?.segment).toBe(segment);
    expect(t.problem?.reason).toMatch(reason);
  });
  it('classifies opaque keys without decoding them', () => {
    expect(decodeToken('sb_publishable_x').tokenClass).toBe('publishable-key');
    expect(decodeToken('sb_secret_x').tokenClass).toBe('secret-key');
    expect(decodeToken('sb_temp_x').tokenClass).toBe('opaque-sb-key');
    expect(decodeToken(null).form).toBe('not-a-string');
  });
  it('reads the project ref of a *.supabase.co URL only', () => {
    expect(projectRefOfUrl(`wss://${REF}.supabase.co/realtime/v1/websocket?apikey=x`)).toBe(REF);
    expect(projectRefOfUrl('https://api.example.com/rest/v1/')).toBe('unknown');
    expect(projectRefOfUrl('http://127.0.0.1:54321/auth/v1/token')).toBe('unknown');
  });
});

describe('property: no input makes decoding or the rules throw', () => {
  const project = { secret: keys.secret, jwks: keys.jwks, claimValidators: { aud: 'authenticated' } };
  const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v) ?? 'null').toString('base64url');
  it('any string', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary' }), async (s) => {
      const t = decodeToken(s);
      await checkToken(t, { project, use: { at: 0 } });
    }), { numRuns: 300 });
  });
  it('any byte array (as text) and any JSON value', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array(), fc.jsonValue(), async (bytes, json) => {
      decodeToken(new TextDecoder().decode(bytes));
      decodeToken(json);
      await checkToken(decodeToken(`${b64({ alg: 'HS256' })}.${b64(json)}.${Buffer.from(bytes).toString('base64url')}`), { project, use: { at: Date.now() } });
    }), { numRuns: 300 });
  });
  it('any JSON header and claims in a well-formed JWT', async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue(), fc.jsonValue(), fc.string(), async (h, c, s) => {
      const t = decodeToken(`${b64(h)}.${b64(c)}.${b64(s)}`);
      await checkToken(t, { project, use: { at: Date.now(), skewMs: 5000 } });
    }), { numRuns: 300 });
  });
  it('any object of claims, including odd exp/iat/role types', async () => {
    const claims = fc.record({ exp: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)), iat: fc.anything(), role: fc.anything(), aud: fc.anything(), iss: fc.anything(), ref: fc.anything(), sub: fc.anything() }, { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(claims, fc.constantFrom('HS256', 'RS256', 'ES256', 'EdDSA', 'none', 'PS256'), async (c, alg) => {
      const t = decodeToken(`${b64({ alg, kid: 'k' })}.${b64(c)}.${b64('sig')}`);
      await checkToken(t, { project, use: { at: Date.now() } });
    }), { numRuns: 300 });
  });
});
