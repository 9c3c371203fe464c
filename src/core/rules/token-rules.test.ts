import { describe, expect, it } from 'vitest';
import { predictConnectVerdict, predictJoinVerdict } from '../diagnosis/verdict';
import { decodeToken } from '../tokens/decode';
import { makeTestKeys, type TestKeys } from '../tokens/testing';
import { checkToken, isoOf } from './token-rules';
import { AT_MS, tokenCases, type TokenCase } from './token-cases';

// Tokens are minted with jose when the test file loads (top-level await), never baked in.
const keys: TestKeys = await makeTestKeys();
const cases: TokenCase[] = await tokenCases(keys);

describe('pasted-token table: findings and predicted verdicts in the server words', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(30));

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, tc) => {
    const decoded = decodeToken(tc.token);
    const project = tc.project ?? {};
    const use = { at: AT_MS };
    if (tc.tokenClass) expect(decoded.tokenClass, tc.name).toBe(tc.tokenClass);

    const { findings } = await checkToken(decoded, { project, use });
    expect([...new Set(findings.map((f) => f.code))].sort(), tc.name).toEqual([...tc.codes].sort());
    for (const f of findings) {
      expect(f.message.length, tc.name).toBeGreaterThan(5);
      expect(f.fix.length, tc.name).toBeGreaterThan(5);
    }

    const connect = await predictConnectVerdict(tc.token, project, use);
    const join = await predictJoinVerdict(tc.token, project, use);
    if (decoded.form === 'opaque-key') {
      expect(connect.status, tc.name).toBeNull();
      expect(join.accepted, tc.name).toBeNull();
    } else if (tc.connect === null) {
      expect(connect, tc.name).toMatchObject({ status: 101, body: null, accepted: true });
    } else {
      expect(connect, tc.name).toMatchObject({ status: tc.connect.status, body: { error: tc.connect.error }, accepted: false });
    }
    if (decoded.form !== 'opaque-key') {
      expect(join.reason, tc.name).toBe(tc.join);
      expect(join.accepted, tc.name).toBe(tc.join === null);
    }
    if (tc.conditional !== undefined) expect(connect.conditional, tc.name).toBe(tc.conditional);
  });
});

describe('signature status is never guessed', () => {
  it('without a key, the verdict says it assumes a valid signature', async () => {
    const c = cases.find((x) => x.name.startsWith('hosted token without any key'))!;
    const join = await predictJoinVerdict(c.token, {}, { at: AT_MS });
    expect(join.accepted).toBe(true);
    expect(join.conditional).toBe(true);
    expect(join.conditions.join(' ')).toMatch(/if the signature is valid/);
  });
  it('a hosted HS256 kid never yields kid-unknown, even with a JWKS that lacks it', async () => {
    const c = cases.find((x) => x.name.startsWith('hosted-style'))!;
    const { findings, judgement } = await checkToken(decodeToken(c.token), { project: { secret: keys.secret, jwks: keys.jwks }, use: { at: AT_MS } });
    expect(findings.map((f) => f.code)).not.toContain('kid-unknown');
    expect(judgement.signature?.status).toBe('valid');
  });
  it('clock skew moves the time of use: a token valid on the browser clock is expired on the server clock', async () => {
    const c = cases.find((x) => x.name === 'HS384 user token')!;
    const join = await predictJoinVerdict(c.token, c.project, { at: AT_MS + 3_590_000, skewMs: 20_000 });
    expect(join.reason).toBe('InvalidJWTToken: Token has expired 10 seconds ago');
  });
});

describe('isoOf', () => {
  it('gives the ISO time of a date in seconds, and the number itself (never a RangeError) when it is no date', () => {
    expect(isoOf(1_900_000_000)).toBe('2030-03-17T17:46:40.000Z');
    // A page can post any finite expires_at (the content script checks only that it is a number).
    expect(isoOf(1e20)).toBe('100000000000000000000');
    expect(isoOf(Number.NaN)).toBe('NaN');
  });
});
