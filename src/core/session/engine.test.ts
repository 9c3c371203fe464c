// The panel's use of the claims engine, on captured sessions with tokens minted by jose at test
// time: predicted join verdicts next to the server's replies (matched / differed), the effective
// channel token, per-token summaries that never carry a whole token, and the verdict cache.

import { describe, expect, it } from 'vitest';
import { JOIN_REASONS } from '../../../e2e/fixtures/server-strings';
import { SessionScript, T0 } from '../analysis/session-cases';
import { trackRealtime } from '../realtime';
import { legacyKeyClaims, makeTestKeys, mint, OTHER_REF, REF, userClaims } from '../tokens/testing';
import { channelKeyString, SessionEngine, type EngineResult } from './engine';
import { maskToken } from './masking';
import { decodeToken } from '../analysis';

const keys = await makeTestKeys();
const nowSec = Math.floor(T0 / 1000);
const anonKey = await mint(keys, { claims: legacyKeyClaims('anon', nowSec) });

async function run(s: SessionScript, opts: { project?: Parameters<SessionEngine['run']>[2]['project']; engine?: SessionEngine } = {}): Promise<EngineResult> {
  const engine = opts.engine ?? new SessionEngine();
  return engine.run(s.events, trackRealtime(s.events), { now: s.time, project: opts.project, projectKey: opts.project ? 'k' : '' });
}

function only(result: EngineResult, topic: string) {
  const found = [...result.channels.values()].filter((c) => c.key.topic === `realtime:${topic}`);
  expect(found.length).toBe(1);
  return found[0];
}

describe('predicted join verdict vs the server’s reply', () => {
  it('expired token: predicts the server’s exact words (N at the join time) and marks it matched, conditional without a key', async () => {
    const token = await mint(keys, { claims: userClaims(nowSec - 3720, { exp: nowSec - 120 }) });
    const s = new SessionScript().socket('c1', anonKey).join('c1', 'room1', '1', token).after(5_000).joinError('c1', 'room1', '1', JOIN_REASONS.expired(120));
    const ch = only(await run(s), 'room1');
    expect(ch.latest?.prediction?.reason).toBe(JOIN_REASONS.expired(120));
    expect(ch.latest?.prediction?.conditional).toBe(true);
    expect(ch.latest?.comparison.match).toBe('yes');
    expect(ch.latest?.span?.source).toBe('join-access-token');

    // With the secret the same prediction is unconditional.
    const sure = only(await run(s, { project: { secret: keys.secret } }), 'room1');
    expect(sure.latest?.prediction?.conditional).toBe(false);
    expect(sure.latest?.comparison.match).toBe('yes');
  });

  it('a reply that contradicts the prediction is marked differed, with the predicted words', async () => {
    const token = await mint(keys, { claims: userClaims(nowSec - 3720, { exp: nowSec - 120 }) });
    const s = new SessionScript().socket('c1', anonKey).join('c1', 'room1', '1', token).after(50).joinOk('c1', 'room1', '1');
    const ch = only(await run(s), 'room1');
    expect(ch.latest?.comparison.match).toBe('no');
    expect(ch.latest?.comparison.text).toContain('Token has expired 120 seconds ago');
  });

  it('missing role and a bad signature (secret supplied) are predicted in the server’s words', async () => {
    const noRole = userClaims(nowSec);
    delete noRole.role;
    const a = await mint(keys, { claims: noRole });
    const b = await mint(keys, { claims: userClaims(nowSec), secret: new TextEncoder().encode('another-projects-secret-at-least-32-chars!') });
    const s = new SessionScript()
      .socket('c1', anonKey)
      .join('c1', 'a', '1', a).after(100).joinError('c1', 'a', '1', JOIN_REASONS.missingClaims)
      .join('c1', 'b', '2', b).after(100).joinError('c1', 'b', '2', JOIN_REASONS.signature);
    const r = await run(s, { project: { secret: keys.secret } });
    expect(only(r, 'a').latest?.comparison.match).toBe('yes');
    expect(only(r, 'b').latest?.prediction?.reason).toBe(JOIN_REASONS.signature);
    expect(only(r, 'b').latest?.comparison.match).toBe('yes');
    // Without the secret the bad signature cannot be known: the prediction says accepted, conditionally.
    const blind = await run(s);
    expect(only(blind, 'b').latest?.prediction?.accepted).toBe(true);
    expect(only(blind, 'b').latest?.prediction?.conditional).toBe(true);
    expect(only(blind, 'b').latest?.comparison.match).toBe('no');
  });

  it('an asymmetric token whose kid the supplied JWKS lacks: the JwtSignerError with that kid', async () => {
    const token = await mint(keys, { alg: 'ES256', header: { kid: 'other-projects-kid' }, claims: userClaims(nowSec) });
    const s = new SessionScript().socket('c1', anonKey).join('c1', 'room1', '1', token).after(100).joinError('c1', 'room1', '1', JOIN_REASONS.signerKid('other-projects-kid'));
    const blind = only(await run(s), 'room1');
    expect(blind.latest?.prediction?.accepted).toBe(true);
    expect(blind.latest?.prediction?.conditions.join(' ')).toContain('other-projects-kid');
    expect(blind.latest?.comparison.match).toBe('no');
    const known = only(await run(s, { project: { jwks: keys.jwks } }), 'room1');
    expect(known.latest?.prediction?.reason).toBe(JOIN_REASONS.signerKid('other-projects-kid'));
    expect(known.latest?.comparison.match).toBe('yes');
  });

  it('private channel: the token passes, RLS refuses — consistent with the prediction, RLS itself not predicted', async () => {
    const token = await mint(keys, { claims: userClaims(nowSec) });
    const s = new SessionScript().socket('c1', anonKey).join('c1', 'room1', '1', token, true).after(100).joinError('c1', 'room1', '1', JOIN_REASONS.unauthorized('room1'));
    const ch = only(await run(s, { project: { secret: keys.secret } }), 'room1');
    expect(ch.latest?.prediction?.accepted).toBe(true);
    expect(ch.latest?.comparison.match).toBe('yes');
    expect(ch.latest?.comparison.text).toMatch(/RLS/);
  });

  it('an sb_publishable_ apikey and no user token: the gateway’s JWT, no prediction, no countdown', async () => {
    const s = new SessionScript().socket('c1', 'sb_publishable_abcdefghijklmnop1234').join('c1', 'room1', '1').after(100).joinOk('c1', 'room1', '1');
    const r = await run(s);
    const ch = only(r, 'room1');
    expect(ch.current?.source).toBe('gateway');
    expect(ch.expiresAt).toBeNull();
    expect(ch.latest?.prediction).toBeNull();
    expect(ch.latest?.noPrediction).toMatch(/issued by the gateway, not visible/);
    expect(ch.latest?.comparison.match).toBe('none');
    expect(r.tokens.find((t) => t.tokenClass === 'publishable-key')?.verdicts).toBeNull();
  });

  it('a join awaiting its reply is pending; the prediction uses the token as of the join, not a later push', async () => {
    const old = await mint(keys, { claims: userClaims(nowSec - 3720, { exp: nowSec - 5 }) });
    const fresh = await mint(keys, { claims: userClaims(nowSec) });
    const s = new SessionScript().socket('c1', anonKey).join('c1', 'room1', '1', old).after(10).accessToken('c1', 'room1', '1', '2', fresh);
    const ch = only(await run(s), 'room1');
    expect(ch.latest?.comparison.match).toBe('pending');
    expect(ch.latest?.prediction?.reason).toBe(JOIN_REASONS.expired(5));
    expect(ch.current?.source).toBe('access-token-push');
  });
});

describe('tokens in use', () => {
  it('summarises every token with class, ref, claims, uses and findings — never the whole token', async () => {
    const service = await mint(keys, { claims: legacyKeyClaims('service_role', nowSec) });
    const user = await mint(keys, { claims: userClaims(nowSec) });
    const s = new SessionScript()
      .socket('c1', service)
      .join('c1', 'room1', '1', user).after(50).joinOk('c1', 'room1', '1')
      .http('GET', '/rest/v1/todos', { authorization: `Bearer ${user}`, apikey: service }, { status: 200 });
    const r = await run(s);
    const svc = r.tokens.find((t) => t.tokenClass === 'legacy-service-role-key')!;
    expect(svc.projectRef).toBe(REF);
    expect(svc.claims.role).toBe('service_role');
    expect(svc.uses.map((u) => u.kind).sort()).toEqual(['http-apikey', 'socket-apikey']);
    expect(svc.findings.filter((f) => f.code === 'service-role-in-browser')).toHaveLength(1); // said once on the card, though used on the socket and over HTTP
    expect(svc.verdicts?.connect.accepted).toBe(true);
    expect(svc.verdicts?.connect.conditional).toBe(true);
    const usr = r.tokens.find((t) => t.tokenClass === 'user-access-token')!;
    expect(usr.uses.find((u) => u.kind === 'join-access-token')?.places).toEqual(['realtime:room1']);
    expect(usr.uses.find((u) => u.kind === 'http-authorization')?.places).toEqual(['/rest/v1/todos']);
    for (const t of r.tokens) {
      const text = JSON.stringify({ ...t, findings: t.findings, verdicts: t.verdicts });
      expect(text).not.toContain(user.split('.')[2]);
      expect(text).not.toContain(service.split('.')[2]);
      expect(t.masked).toContain('(signature hidden)');
    }
  });

  it('another project’s key and session on one page: project-mismatch on the summary', async () => {
    const otherAnon = await mint(keys, { claims: legacyKeyClaims('anon', nowSec, OTHER_REF) });
    const user = await mint(keys, { claims: userClaims(nowSec) });
    const s = new SessionScript().socket('c1', otherAnon).join('c1', 'room1', '1', user);
    const r = await run(s);
    const codes = r.analysis.findings.map((f) => f.code);
    expect(codes).toContain('project-mismatch');
  });

  it('verifies each token once per time of use and project knowledge, however often it re-runs', async () => {
    const user = await mint(keys, { claims: userClaims(nowSec) });
    const s = new SessionScript().socket('c1', anonKey).join('c1', 'room1', '1', user).after(50).joinOk('c1', 'room1', '1');
    const engine = new SessionEngine();
    await run(s, { engine });
    const first = engine.predictions;
    expect(first).toBeGreaterThan(0);
    await run(s, { engine });
    await run(s, { engine });
    expect(engine.predictions).toBe(first);
    await run(s, { engine, project: { secret: keys.secret } });
    expect(engine.predictions).toBe(first * 2);
  });
});

describe('predicted connect verdict vs the upgrade', () => {
  it('an expired apikey: predicted 401 "Token has expired", the refused upgrade matches', async () => {
    const expired = await mint(keys, { claims: { ...legacyKeyClaims('anon', nowSec), exp: nowSec - 120 } });
    const s = new SessionScript();
    s.push({ kind: 'ws-connecting', conn: 'c1', url: `wss://${REF}.supabase.co/realtime/v1/websocket?apikey=${expired}&vsn=2.0.0`, protocols: [] });
    s.after(2_000).push({ kind: 'ws-error', conn: 'c1' }).push({ kind: 'ws-close', conn: 'c1', code: 1006, reason: '', wasClean: false });
    const r = await run(s);
    const v = r.connections.get('c1')!;
    expect(v.prediction?.status).toBe(401);
    expect(v.prediction?.body).toEqual({ error: 'Token has expired' });
    expect(v.comparison.match).toBe('yes');
    expect(r.analysis.findings.map((f) => f.code)).toContain('server-connect-refused');
  });

  it('an open socket with a valid apikey matches; with the publishable key nothing is predicted', async () => {
    const a = await run(new SessionScript().socket('c1', anonKey));
    expect(a.connections.get('c1')?.comparison.match).toBe('yes');
    const b = await run(new SessionScript().socket('c1', 'sb_publishable_abcdefghijklmnop1234'));
    expect(b.connections.get('c1')?.comparison.match).toBe('none');
  });
});

describe('maskToken', () => {
  it('keeps segment prefixes and hides the signature; opaque keys keep a prefix and the last 4', async () => {
    const t = await mint(keys, { claims: userClaims(nowSec) });
    const masked = maskToken(decodeToken(t));
    expect(masked).toMatch(/^eyJ[\w-]{7}….eyJ[\w-]{7}….\(signature hidden\) · \d+ chars$/);
    expect(maskToken(decodeToken('sb_secret_0123456789abcdefghij'))).toBe('sb_secret_…(30 chars)…ghij');
    expect(maskToken(decodeToken(''))).toBe('"" (empty string)');
    expect(channelKeyString({ conn: 'c', topic: 't', joinRef: null })).toBe('c\u0000t\u0000null');
  });
});
