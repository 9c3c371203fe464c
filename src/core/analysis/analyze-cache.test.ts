// Repeated uses of one token are verified once, across uses and across runs; time checks are
// still made at every use.

import { describe, expect, it } from 'vitest';
import { trackRealtime } from '../realtime';
import { TokenCache } from '../tokens/cache';
import { secretFromText } from '../tokens/project';
import { legacyKeyClaims, makeTestKeys, mint, userClaims } from '../tokens/testing';
import { analyzeSession } from './analyze';
import { SessionScript, T0 } from './session-cases';

const keys = await makeTestKeys();
const nowS = T0 / 1000;
const anon = await mint(keys, { claims: legacyKeyClaims('anon', nowS) });
const user = await mint(keys, { claims: userClaims(nowS, { exp: nowS + 600 }) });

/** A page that sends the same two tokens with every request and joins two channels. */
function busySession(requests: number, gapMs = 1_000): SessionScript {
  const s = new SessionScript().socket('c1', anon).join('c1', 'room', '1', user).after(30).joinOk('c1', 'room', '1').join('c1', 'lobby', '2');
  for (let i = 0; i < requests; i++) s.after(gapMs).http('GET', `/rest/v1/t${i % 3}`, { authorization: `Bearer ${user}`, apikey: anon }, { status: 200 });
  return s;
}

const strip = (findings: unknown) => JSON.parse(JSON.stringify(findings)) as unknown;

describe('analyzeSession: token verification is cached', () => {
  it('200 requests and two channels with two tokens: two verifications, none on the next run', async () => {
    const s = busySession(200);
    const cache = new TokenCache();
    const project = { secret: keys.secret };
    const first = await analyzeSession(s.events, trackRealtime(s.events), { project, cache });
    expect(cache.stats.verifications).toBe(2); // the anon key and the user token
    expect(cache.stats.decodes).toBe(3); // anon, the user token, and "Bearer <user token>" (a distinct raw string)
    const second = await analyzeSession(s.events, trackRealtime(s.events), { project, cache });
    expect(cache.stats.verifications).toBe(2);
    expect(cache.stats.verificationHits).toBeGreaterThan(0);
    expect(strip(second.findings)).toEqual(strip(first.findings));
    // Same answers as an analysis with a fresh cache.
    const fresh = await analyzeSession(s.events, trackRealtime(s.events), { project, cache: new TokenCache() });
    expect(strip(fresh.findings)).toEqual(strip(first.findings));
  });

  it('a new token in the session is the only new verification', async () => {
    const cache = new TokenCache();
    const project = { secret: keys.secret };
    const s = busySession(20);
    await analyzeSession(s.events, trackRealtime(s.events), { project, cache });
    const refreshed = await mint(keys, { claims: userClaims(nowS + 500, { exp: nowS + 4100 }) });
    s.after(1_000).http('GET', '/rest/v1/t0', { authorization: `Bearer ${refreshed}`, apikey: anon }, { status: 200 });
    await analyzeSession(s.events, trackRealtime(s.events), { project, cache });
    expect(cache.stats.verifications).toBe(3);
  });

  it('other project knowledge is verified afresh: a wrong secret shows signature-invalid', async () => {
    const cache = new TokenCache();
    const s = busySession(10);
    const ok = await analyzeSession(s.events, trackRealtime(s.events), { project: { secret: keys.secret }, cache });
    expect(ok.findings.map((f) => f.code)).not.toContain('signature-invalid');
    const wrong = await analyzeSession(s.events, trackRealtime(s.events), { project: { secret: secretFromText('not-the-secret-not-the-secret-not-the') }, cache });
    expect(cache.stats.verifications).toBe(4);
    const bad = wrong.findings.filter((f) => f.code === 'signature-invalid');
    expect(bad).toHaveLength(2); // once per token, not once per use
    for (const f of bad) expect(f.evidence.useCount).toBeGreaterThan(10);
  });

  it('time checks are not cached: the same token, used later, is found expired', async () => {
    const cache = new TokenCache();
    const project = { secret: keys.secret };
    const early = busySession(3);
    const a = await analyzeSession(early.events, trackRealtime(early.events), { project, cache });
    expect(a.findings.map((f) => f.code)).not.toContain('token-expired');
    // 700 requests a second apart: the user token (exp +600 s) expires part-way.
    const late = busySession(700);
    const before = cache.stats.verifications;
    const b = await analyzeSession(late.events, trackRealtime(late.events), { project, cache });
    expect(cache.stats.verifications).toBe(before);
    const expired = b.findings.filter((f) => f.code === 'token-expired');
    expect(expired).toHaveLength(1);
    // Requests at T0+1 s … T0+700 s; exp at T0+600 s: the 600th request onward (101 uses).
    expect(expired[0].evidence.useCount).toBe(101);
    expect(expired[0].time).toBe(T0 + 30 + 600_000);
  });

  it('without a cache option the default cache gives the same findings', async () => {
    const s = busySession(5);
    const project = { secret: keys.secret };
    const withDefault = await analyzeSession(s.events, trackRealtime(s.events), { project });
    const withOwn = await analyzeSession(s.events, trackRealtime(s.events), { project, cache: new TokenCache() });
    expect(strip(withDefault.findings)).toEqual(strip(withOwn.findings));
  });
});
