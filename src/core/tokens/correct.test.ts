// "Fix it": for every finding code the token rules raise (the popup judges a pasted token with
// exactly these rules), the correction's diff, and — the behaviour that matters — a token re-signed
// with the corrected header and claims no longer raises that code. The tokens come from the same
// case table as the rules' own tests (token-cases.ts), minted with jose at test time.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { checkToken } from '../rules/token-rules';
import { AT_MS, NOW, tokenCases } from '../rules/token-cases';
import type { Finding, FindingCode } from '../rules/catalogue';
import { correctedToken, correctionFor, diffFields, isLocalIssuer, mintRefusal, CORRECTED_LIFETIME_S } from './correct';
import { decodeToken } from './decode';
import { mintCorrected, publicJwk, signCorrected, signingJwk } from './mint';
import { makeTestKeys, mint, userClaims } from './testing';

const keys = await makeTestKeys();
const cases = await tokenCases(keys);

/** Every code token-rules.ts can raise (read from its source, so a new rule without a correction fails here). */
const RULE_CODES = [...new Set([...readFileSync(join(__dirname, '../rules/token-rules.ts'), 'utf8').matchAll(/finding\('([a-z-]+)'/g)].map((m) => m[1]))] as FindingCode[];

/** What each code's correction must look like: the fields it changes (where.name:op), or none. */
const EXPECTED: Record<string, { changes: string[]; mintFixes: boolean }> = {
  'secret-key-in-browser': { changes: [], mintFixes: false },
  'opaque-api-key': { changes: [], mintFixes: false },
  'token-malformed': { changes: [], mintFixes: false },
  'analysis-limited': { changes: ['claims.aud:remove'], mintFixes: true },
  'alg-unsupported': { changes: ['header.alg:replace'], mintFixes: true },
  'kid-missing': { changes: ['header.kid:add'], mintFixes: true },
  'kid-unknown': { changes: ['header.kid:replace'], mintFixes: true },
  'signature-invalid': { changes: [], mintFixes: true },
  'exp-missing': { changes: ['claims.exp:add'], mintFixes: true },
  'role-missing': { changes: ['claims.role:add'], mintFixes: true },
  'claim-type-invalid': { changes: ['claims.exp:replace|claims.iat:replace'], mintFixes: true },
  'token-expired': { changes: ['claims.exp:replace'], mintFixes: true },
  'token-not-yet-valid': { changes: ['claims.nbf:remove'], mintFixes: true },
  'iat-in-future': { changes: ['claims.iat:replace'], mintFixes: true },
  'project-mismatch': { changes: ['claims.ref:replace|claims.iss:replace'], mintFixes: true },
  'aud-unexpected': { changes: ['claims.aud:replace'], mintFixes: true },
  'iss-unexpected': { changes: ['claims.iss:replace'], mintFixes: true },
  'claim-validator-mismatch': { changes: ['claims.aud:replace'], mintFixes: true },
  'role-unknown': { changes: ['claims.role:replace'], mintFixes: true },
  'service-role-in-browser': { changes: ['claims.role:replace'], mintFixes: true },
};

async function findingsOf(token: string, project: (typeof cases)[number]['project']): Promise<Finding[]> {
  return (await checkToken(decodeToken(token), { project: project ?? {}, use: { at: AT_MS } })).findings;
}

describe('the claims diff, for every code the rules (and so the popup) can raise', () => {
  it('the rules raise the codes this test knows, and the case table produces each of them', async () => {
    expect(RULE_CODES.length).toBeGreaterThan(15);
    expect([...RULE_CODES].sort()).toEqual(Object.keys(EXPECTED).sort());
    const produced = new Set<string>();
    for (const tc of cases) (await findingsOf(tc.token, tc.project)).forEach((f) => produced.add(f.code));
    expect(RULE_CODES.filter((c) => !produced.has(c))).toEqual([]);
  });

  const rows = cases.flatMap((tc) => tc.codes.map((code) => [`${code} — ${tc.name}`, tc, code] as const));
  it.each(rows)('%s', async (_n, tc, code) => {
    const token = decodeToken(tc.token);
    const f = (await findingsOf(tc.token, tc.project)).find((x) => x.code === code)!;
    const c = correctionFor(token, f, NOW);
    expect(c.code).toBe(code);
    const shape = c.changes.map((ch) => `${ch.where}.${ch.name}:${ch.op}`);
    const expected = EXPECTED[code];
    for (const want of expected.changes) expect(shape.some((s) => want.split('|').includes(s)), `${code}: ${shape.join(', ')}`).toBe(true);
    if (expected.changes.length === 0) expect(shape).toEqual([]);
    expect(c.mintFixes).toBe(expected.mintFixes);
    if (!c.mintFixes || c.changes.length === 0) expect(c.note?.length ?? 0, `${code} explains itself`).toBeGreaterThan(20);
    for (const ch of c.changes) {
      if (ch.op !== 'add') expect(ch.before, `${code} before`).toEqual(ch.where === 'claims' ? token.claims![ch.name] : token.header![ch.name]);
      if (ch.op !== 'remove') expect(ch.after, `${code} after`).not.toEqual(ch.before);
    }
    if (!c.mintFixes) return;

    // Re-signed (with the project secret) from the corrected token: the code is gone, and so is
    // every other fixable code of the token.
    const corrected = correctedToken(token, [f], NOW);
    const minted = await signCorrected(corrected, { kind: 'secret', secret: keys.secret });
    expect(minted.ok, JSON.stringify(minted)).toBe(true);
    if (!minted.ok) return;
    expect((await findingsOf(minted.token, tc.project)).map((x) => x.code), `${code} after correction`).not.toContain(code);

    const all = correctedToken(token, await findingsOf(tc.token, tc.project), NOW);
    const allMinted = await signCorrected(all, { kind: 'secret', secret: keys.secret });
    if (!allMinted.ok) throw new Error(allMinted.error);
    const left = await findingsOf(allMinted.token, tc.project);
    if (typeof tc.project?.claimValidators?.aud === 'string' && tc.project.claimValidators.aud !== 'authenticated') {
      // The server's validators win over the usual audience: what is left is that warning only.
      expect(left.map((x) => x.code), tc.name).toEqual(['aud-unexpected']);
    } else expect(left, `${tc.name}: every finding fixed`).toEqual([]);
  });

  it('the corrected token has a fresh iat and exp, and its diff lists exactly what changed', async () => {
    const raw = await mint(keys, { claims: userClaims(NOW - 7200, { iss: 'http://127.0.0.1:54321/auth/v1', role: undefined }) });
    const token = decodeToken(raw);
    const all = correctedToken(token, await findingsOf(raw, {}), NOW);
    expect(all.claims.iat).toBe(NOW);
    expect(all.claims.exp).toBe(NOW + CORRECTED_LIFETIME_S);
    expect(all.claims.role).toBe('authenticated');
    expect(all.changes.map((c) => `${c.where}.${c.name}:${c.op}`).sort()).toEqual(['claims.exp:replace', 'claims.iat:replace', 'claims.role:add']);
    // Everything else is the token's own.
    const { iat: _i, exp: _e, role: _r, ...rest } = all.claims;
    const { iat: _i2, exp: _e2, ...restBefore } = token.claims!;
    expect(rest).toEqual(restBefore);
  });

  it('diffFields compares values, not references', () => {
    expect(diffFields({ amr: [{ m: 1 }], a: 1 }, { amr: [{ m: 1 }], b: 2 }, 'claims')).toEqual([
      { where: 'claims', name: 'a', op: 'remove', before: 1 },
      { where: 'claims', name: 'b', op: 'add', after: 2 },
    ]);
  });
});

describe('minting is for local development only', () => {
  it('local issuers: loopback hosts and supabase-demo; nothing else', () => {
    for (const iss of ['http://127.0.0.1:54321/auth/v1', 'http://localhost:54321/auth/v1', 'http://[::1]:54321/auth/v1', 'supabase-demo', 'http://127.0.0.2/auth/v1'])
      expect(isLocalIssuer(iss), iss).toBe(true);
    for (const iss of ['https://abcdefghijklmnopqrst.supabase.co/auth/v1', 'supabase', 'http://localhost.evil.com/auth/v1', 'http://127.0.0.1.nip.io/auth/v1', 'http://evil.com/?x=http://localhost', undefined, 42, ''])
      expect(isLocalIssuer(iss), String(iss)).toBe(false);
  });

  it('refuses a hosted issuer (before or after the correction) and service_role', () => {
    const local = { iss: 'http://127.0.0.1:54321/auth/v1', role: 'authenticated' };
    expect(mintRefusal(local, local)).toBeNull();
    expect(mintRefusal({ ...local, iss: 'https://abcdefghijklmnopqrst.supabase.co/auth/v1' }, local)).toMatch(/local development only/);
    expect(mintRefusal(local, { ...local, iss: 'https://abcdefghijklmnopqrst.supabase.co/auth/v1' })).toMatch(/local development only/);
    expect(mintRefusal({ iss: 'supabase-demo', role: 'service_role' }, { iss: 'supabase-demo', role: 'anon' })).toMatch(/service_role/);
  });

  it('mints a local token that verifies with the secret and carries the corrected claims; a hosted one is refused', async () => {
    const raw = await mint(keys, { claims: userClaims(NOW - 7200, { iss: 'http://127.0.0.1:54321/auth/v1' }) });
    const token = decodeToken(raw);
    const corrected = correctedToken(token, await findingsOf(raw, {}), NOW);
    const minted = await mintCorrected(token.claims!, corrected, { kind: 'secret', secret: keys.secret });
    if (!minted.ok) throw new Error(minted.error);
    const { payload, protectedHeader } = await jwtVerify(minted.token, keys.secret, { currentDate: new Date(AT_MS) });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toEqual(corrected.claims);

    const hosted = await mint(keys, { claims: userClaims(NOW - 7200) });
    const h = decodeToken(hosted);
    const refused = await mintCorrected(h.claims!, correctedToken(h, await findingsOf(hosted, {}), NOW), { kind: 'secret', secret: keys.secret });
    expect(refused).toEqual({ ok: false, error: expect.stringMatching(/local development only/) });
  });

  it('with a private JWK: its algorithm and kid; the public half verifies it; a public JWK cannot mint', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const priv = { ...(await exportJWK(pair.privateKey)), kid: 'local-ec', alg: 'ES256' };
    const raw = await mint(keys, { alg: 'ES256', claims: userClaims(NOW, { iss: 'http://localhost:54321/auth/v1', exp: NOW - 10 }) });
    const token = decodeToken(raw);
    const corrected = correctedToken(token, await findingsOf(raw, {}), NOW);
    const minted = await mintCorrected(token.claims!, corrected, { kind: 'jwk', jwk: signingJwk([publicJwk(priv), priv], 'nope')! });
    if (!minted.ok) throw new Error(minted.error);
    expect(decodeProtectedHeader(minted.token)).toEqual({ alg: 'ES256', kid: 'local-ec', typ: 'JWT' });
    expect(decodeJwt(minted.token).exp).toBe(NOW + CORRECTED_LIFETIME_S);
    const verified = await checkToken(decodeToken(minted.token), { project: { jwks: { keys: [publicJwk(priv)] } }, use: { at: AT_MS } });
    expect(verified.judgement.signature?.status).toBe('valid');
    expect(publicJwk(priv)).not.toHaveProperty('d');

    const pub = await mintCorrected(token.claims!, corrected, { kind: 'jwk', jwk: publicJwk(priv) });
    expect(pub).toEqual({ ok: false, error: expect.stringMatching(/public/) });
    const noKid = await mintCorrected(token.claims!, corrected, { kind: 'jwk', jwk: { ...priv, kid: undefined } });
    expect(noKid).toEqual({ ok: false, error: expect.stringMatching(/no "kid"/) });
  });
});
