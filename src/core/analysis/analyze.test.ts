import { describe, expect, it } from 'vitest';
import { trackRealtime } from '../realtime';
import { makeTestKeys } from '../tokens/testing';
import { analyzeSession } from './analyze';
import { sessionCases } from './session-cases';

const keys = await makeTestKeys();
const cases = await sessionCases(keys);

describe('analyzeSession: captured sessions → findings', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const analysis = await analyzeSession(c.events, trackRealtime(c.events), c.options);
    const codes = new Set(analysis.findings.map((f) => f.code));
    for (const code of c.codes) expect(codes, `${c.name}: expected ${code}; got ${[...codes].join(', ')}`).toContain(code);
    for (const code of c.absent ?? []) expect(codes, `${c.name}: unexpected ${code}`).not.toContain(code);
    for (const [code, sev] of Object.entries(c.severities ?? {})) {
      expect(analysis.findings.find((f) => f.code === code)?.severity, `${c.name}: severity of ${code}`).toBe(sev);
    }
    if (c.quiet) {
      const loud = analysis.findings.filter((f) => f.severity !== 'info').map((f) => `${f.code}: ${f.message}`);
      expect(loud, `${c.name}: a healthy set-up raises no error or warning`).toEqual([]);
    }
    if (c.skewMs === null) expect(analysis.skew.known).toBe(false);
    else if (c.skewMs !== undefined) expect(Math.abs((analysis.skew.skewMs ?? NaN) - c.skewMs)).toBeLessThanOrEqual(1500);
    for (const f of analysis.findings) {
      expect(f.fix, `${f.code} has a fix`).not.toBe('');
      expect(JSON.stringify(f), 'findings never carry a whole token').not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
    }
  });
});

describe('effective channel token', () => {
  it('links each server statement to the token in force and says so', async () => {
    const c = cases[0];
    const analysis = await analyzeSession(c.events, trackRealtime(c.events), c.options);
    const rejected = analysis.findings.filter((f) => f.code === 'server-join-rejected');
    expect(rejected.length).toBe(3);
    expect(rejected[0].causeCode).toBe('token-expired');
    expect(rejected[0].evidence.token).toMatch(/^user access token …/);
    expect(rejected[0].cause).toMatch(/the token judged was the user access token/i);
    // With the measured 45 s skew the engine predicts the server's own N (±1 s).
    const predicted = String(rejected[0].evidence.expected);
    const n = Number(/expired (\d+) seconds/.exec(predicted)?.[1]);
    expect(Math.abs(n - 1)).toBeLessThanOrEqual(1);
  });

  it('with an sb_publishable_ apikey the fallback is the gateway JWT: no countdown, no verdict', async () => {
    const c = cases[1];
    const analysis = await analyzeSession(c.events, trackRealtime(c.events), { now: c.events[3].time });
    const pub = analysis.channels.find((ch) => ch.key.topic === 'realtime:public')!;
    expect(pub.current?.source).toBe('gateway');
    expect(pub.current?.token).toBeNull();
    expect(pub.current?.note).toMatch(/issued by the gateway, not visible/);
    expect(pub.current?.note).toMatch(/24 h/);
    expect(pub.secondsLeft).toBeNull();
    const lobby = analysis.channels.find((ch) => ch.key.topic === 'realtime:lobby')!;
    expect(lobby.current?.source).toBe('join-access-token');
    expect(lobby.secondsLeft).toBeGreaterThan(500);
  });

  it('token-expires-soon is silent on healthy channels', async () => {
    const c = cases[2];
    const analysis = await analyzeSession(c.events, trackRealtime(c.events), { now: c.events[0].time + 60_000 });
    expect(analysis.findings.map((f) => f.code)).not.toContain('token-expires-soon');
  });

  it('an analysis of the same events later gives the same findings (time of use, not wall clock)', async () => {
    const c = cases[0];
    const a = await analyzeSession(c.events, trackRealtime(c.events), c.options);
    const b = await analyzeSession(c.events, trackRealtime(c.events), { ...c.options });
    expect(b.findings.map((f) => f.code)).toEqual(a.findings.map((f) => f.code));
  });

  it('accepts junk without throwing', async () => {
    await expect(analyzeSession([], { connections: [], channels: [] })).resolves.toMatchObject({ findings: [], skew: { known: false } });
    await expect(analyzeSession(null as never, { connections: [], channels: [] })).resolves.toBeTruthy();
  });
});
