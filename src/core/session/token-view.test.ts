// The token view model on its own: uses grouped by kind, findings once per code, verdicts as given,
// and a pasted token judged alone at a given time — the same view the session engine builds.

import { describe, expect, it } from 'vitest';
import { JOIN_REASONS } from '../../../e2e/fixtures/server-strings';
import { SessionScript, T0 } from '../analysis/session-cases';
import { decodeToken, type Finding, type SeenToken } from '../analysis';
import { trackRealtime } from '../realtime';
import { legacyKeyClaims, makeTestKeys, mint, REF, userClaims } from '../tokens/testing';
import { SessionEngine } from './engine';
import { hasPredictableVerdicts, judgePastedToken, predictVerdicts, tokenView } from './token-view';

const keys = await makeTestKeys();
const nowSec = Math.floor(T0 / 1000);

function finding(code: string, severity: Finding['severity'], token: string): Finding {
  return { code, severity, message: `${code} ${severity}`, cause: '', fix: '', evidence: { token }, time: null } as unknown as Finding;
}

describe('tokenView', () => {
  it('groups uses by kind (places deduplicated, four at most), says each finding code once (an error first) and keeps the verdicts it is given', async () => {
    const token = decodeToken(await mint(keys, { claims: userClaims(nowSec) }));
    const seen: SeenToken = {
      token,
      uses: [
        ...['a', 'b', 'a', 'c', 'd', 'e'].map((topic, i) => ({ kind: 'join-access-token' as const, time: T0 + i, seq: i, topic: `realtime:${topic}` })),
        { kind: 'http-authorization' as const, time: T0 + 10, seq: 10, url: `https://${REF}.supabase.co/rest/v1/items?select=*` },
      ],
      firstSeen: T0,
      lastSeen: T0 + 10,
    };
    const findings = [finding('x', 'warning', token.label), finding('x', 'error', token.label), finding('x', 'warning', token.label), finding('y', 'info', 'another token')];
    const verdicts = await predictVerdicts(token, {}, { at: seen.lastSeen });
    const view = tokenView(seen, 3, findings, verdicts);

    expect(view.id).toBe(`3:${token.label}`);
    expect(view.uses).toEqual([
      { kind: 'join-access-token', where: 'join access_token', count: 6, places: ['realtime:a', 'realtime:b', 'realtime:c', 'realtime:d'], last: T0 + 5 },
      { kind: 'http-authorization', where: 'HTTP Authorization: Bearer', count: 1, places: ['/rest/v1/items'], last: T0 + 10 },
    ]);
    expect(view.findings.map((f) => [f.code, f.severity])).toEqual([['x', 'error']]);
    expect(view.verdicts).toBe(verdicts);
    expect(view.claims).toMatchObject({ role: 'authenticated', aud: 'authenticated', hasRole: true });
    expect(view.masked).not.toContain(token.cleaned.split('.')[2]);
  });

  it('only sb_ keys have no predictable verdicts', async () => {
    expect(hasPredictableVerdicts(decodeToken('sb_publishable_AbCdEf0123456789_xyz'))).toBe(false);
    expect(hasPredictableVerdicts(decodeToken('garbage'))).toBe(true);
    expect(hasPredictableVerdicts(decodeToken(await mint(keys, { claims: userClaims(nowSec) })))).toBe(true);
  });
});

describe('judgePastedToken', () => {
  it('judges a pasted token at the given time: expired 30 s ago, in the server’s words', async () => {
    const raw = await mint(keys, { claims: userClaims(nowSec, { exp: nowSec - 30 }) });
    const { token, view, judgement } = await judgePastedToken(raw, { project: { secret: keys.secret }, at: T0 });
    expect(token.cleaned).toBe(raw);
    expect(judgement.signature?.status).toBe('valid');
    expect(view.uses).toEqual([]);
    expect(view.verdicts?.at).toBe(T0);
    expect(view.verdicts?.join).toMatchObject({ accepted: false, reason: JOIN_REASONS.expired(30), conditional: false });
    expect(view.findings.map((f) => f.code)).toContain('token-expired');
  });

  it('an sb_ key: no verdicts, as in the Tokens view', async () => {
    const { view } = await judgePastedToken('sb_publishable_AbCdEf0123456789_xyz', { at: T0 });
    expect(view.tokenClass).toBe('publishable-key');
    expect(view.verdicts).toBeNull();
  });

  it('gives the view the session engine builds for the same token at its last use', async () => {
    const anonKey = await mint(keys, { claims: legacyKeyClaims('anon', nowSec) });
    const user = await mint(keys, { claims: userClaims(nowSec - 3000, { exp: nowSec + 600 }) });
    const s = new SessionScript().socket('c1', anonKey).after(1_000).join('c1', 'room', '1', user).after(20).joinOk('c1', 'room', '1');
    const project = { secret: keys.secret };
    const result = await new SessionEngine().run(s.events, trackRealtime(s.events), { now: s.time, project, projectKey: 'k' });
    for (const [raw, index] of [[anonKey, 0], [user, 1]] as const) {
      const inSession = result.tokens.find((t) => t.label === decodeToken(raw).label)!;
      const { view } = await judgePastedToken(raw, { project, at: inSession.lastSeen });
      const { id: _a, uses: _b, firstSeen: _c, findings: _d, ...sessionRest } = inSession;
      const { id: _e, uses: _f, firstSeen: _g, findings: _h, ...pastedRest } = view;
      expect(pastedRest, `token ${index}`).toEqual(sessionRest);
    }
  });
});
