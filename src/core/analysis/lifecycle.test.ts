// Issue 9 items 2–5 in detail: which cause each lifecycle finding names, from what was captured.
import { describe, expect, it } from 'vitest';
import { trackRealtime } from '../realtime';
import { legacyKeyClaims, makeTestKeys, mint, userClaims } from '../tokens/testing';
import { analyzeSession } from './analyze';
import { closeMeaning } from './lifecycle';
import { toldApp } from '../session/told-app';
import { SessionScript, T0 } from './session-cases';

const keys = await makeTestKeys();
const NOW_S = T0 / 1000;
const anon = await mint(keys, { claims: legacyKeyClaims('anon', NOW_S) });
const user = await mint(keys, { claims: userClaims(NOW_S, { exp: NOW_S + 3600 }) });
const TODOS = [{ event: '*', schema: 'public', table: 'todos' }];

async function findings(s: SessionScript, now?: number) {
  return (await analyzeSession(s.events, trackRealtime(s.events), now === undefined ? {} : { now })).findings;
}

describe('channel-joined-as-anon', () => {
  it('names the fixed header when the user token was only ever on HTTP calls', async () => {
    const s = new SessionScript().socket('c1', anon)
      .http('GET', '/rest/v1/todos', { authorization: `Bearer ${user}`, apikey: anon }, { status: 200 })
      .join('c1', 'db', '1', anon, false, TODOS).after(30).joinOk('c1', 'db', '1').after(15_000).heartbeat('c1', '2');
    const f = (await findings(s)).find((x) => x.code === 'channel-joined-as-anon');
    expect(f?.cause).toMatch(/global: \{ headers: \{ Authorization \} \}/);
    expect(f?.evidence).toMatchObject({ topic: 'realtime:db', expected: 'a user access token' });
  });

  it('a live session is judged at its now: no need to wait for the next captured event', async () => {
    const s = new SessionScript().socket('c1', anon)
      .http('GET', '/rest/v1/todos', { authorization: `Bearer ${user}`, apikey: anon }, { status: 200 })
      .join('c1', 'db', '1', anon, false, TODOS).after(30).joinOk('c1', 'db', '1');
    expect((await findings(s, s.time + 5_000)).map((f) => f.code)).not.toContain('channel-joined-as-anon');
    expect((await findings(s, s.time + 12_000)).map((f) => f.code)).toContain('channel-joined-as-anon');
  });

  it('is not raised before the propagation grace has passed, nor after a sign-out', async () => {
    const early = new SessionScript().socket('c1', anon)
      .http('POST', '/auth/v1/token?grant_type=password', { apikey: anon }, { status: 200, grant: { access_token: user } })
      .join('c1', 'db', '1', anon, false, TODOS).after(30).joinOk('c1', 'db', '1').after(5_000).heartbeat('c1', '2');
    expect((await findings(early)).map((f) => f.code)).not.toContain('channel-joined-as-anon');
    const signedOut = new SessionScript().socket('c1', anon)
      .http('POST', '/auth/v1/token?grant_type=password', { apikey: anon }, { status: 200, grant: { access_token: user } })
      .after(1_000).http('POST', '/auth/v1/logout', { authorization: `Bearer ${user}`, apikey: anon }, { status: 204 })
      .join('c1', 'db', '1', anon, false, TODOS).after(30).joinOk('c1', 'db', '1').after(30_000).heartbeat('c1', '2');
    expect((await findings(signedOut)).map((f) => f.code)).not.toContain('channel-joined-as-anon');
  });
});

describe('join-timed-out: the cause from what the socket did', () => {
  const stuck = () => new SessionScript().socket('c1', anon).join('c1', 'stuck', '1', anon);
  it('heartbeats answered: the server is silent on this join', async () => {
    const s = stuck().after(4_000).heartbeat('c1', '2').after(10).heartbeatReply('c1', '2').after(6_000).leave('c1', 'stuck', '1', '3');
    const f = (await findings(s)).find((x) => x.code === 'join-timed-out');
    expect(f?.cause).toMatch(/a heartbeat was answered while the join waited/);
    expect(f?.time).toBe(s.events[s.events.length - 1].time);
  });
  it('heartbeats unanswered too: a stalled connection', async () => {
    const s = stuck().after(4_000).heartbeat('c1', '2').after(6_000).leave('c1', 'stuck', '1', '3');
    expect((await findings(s)).find((x) => x.code === 'join-timed-out')?.cause).toMatch(/a heartbeat went unanswered too/);
  });
  it('a slow upgrade: the join waited in the send buffer', async () => {
    const s = new SessionScript()
      .push({ kind: 'ws-connecting', conn: 'c1', url: `wss://abcdefghijklmnopqrst.supabase.co/realtime/v1/websocket?apikey=${anon}&vsn=2.0.0`, protocols: [] })
      .after(8_000).push({ kind: 'ws-open', conn: 'c1', protocol: '', extensions: '' })
      .after(5).join('c1', 'room', '1', anon).after(2_000).leave('c1', 'room', '1', '2');
    expect((await findings(s)).find((x) => x.code === 'join-timed-out')?.cause).toMatch(/upgrade took 8\.0 s/);
  });
  it('an answered join, however late the page looked, is no timeout', async () => {
    const s = stuck().after(9_000).joinOk('c1', 'stuck', '1');
    expect((await findings(s, T0 + 60_000)).map((f) => f.code)).not.toContain('join-timed-out');
  });
});

describe('socket closes', () => {
  it('a heartbeat timeout after the machine slept says so; the close meaning says the client closed it', async () => {
    const s = new SessionScript().socket('c1', anon).after(25_000).heartbeat('c1', '2').after(20_000).lifecycle('clock-jump', 600_000)
      .after(5_000).close('c1', 1006, 'page');
    const f = (await findings(s)).find((x) => x.code === 'heartbeat-timeout');
    expect(f?.cause).toMatch(/the machine slept/);
    expect(closeMeaning(trackRealtime(s.events).connections[0])).toMatch(/heartbeat went unanswered/);
  });
  it('severity follows the code: 1001 error, 1012 warning, 4000 info; a refused upgrade is not socket-closed', async () => {
    const s = new SessionScript()
      .socket('a:1', anon).after(1_000).close('a:1', 1001)
      .after(60_000).socket('b:1', anon).after(1_000).close('b:1', 1012)
      .after(60_000).socket('c:1', anon).after(1_000).close('c:1', 4000, 'remote', 'proxy says no')
      .after(60_000).push({ kind: 'ws-connecting', conn: 'd:1', url: `wss://abcdefghijklmnopqrst.supabase.co/realtime/v1/websocket?apikey=${anon}&vsn=2.0.0`, protocols: [] }).after(1_000).close('d:1', 1006);
    const closed = (await findings(s)).filter((f) => f.code === 'socket-closed');
    expect(closed.map((f) => [f.evidence.conn, f.severity])).toEqual(expect.arrayContaining([['a:1', 'error'], ['b:1', 'warning'], ['c:1', 'info']]));
    expect(closed.map((f) => f.evidence.conn)).not.toContain('d:1');
    const refused = (await findings(s)).find((f) => f.code === 'server-connect-refused');
    expect(refused?.cause).toMatch(/1006/);
  });
  it('refused upgrades retried again and again are a reconnect loop about the apikey', async () => {
    const s = new SessionScript();
    for (let i = 1; i <= 4; i++) {
      s.push({ kind: 'ws-connecting', conn: `d:${i}`, url: `wss://abcdefghijklmnopqrst.supabase.co/realtime/v1/websocket?apikey=bad&vsn=2.0.0`, protocols: [] })
        .after(2_000).close(`d:${i}`, 1006).after(i * 1_000);
    }
    const loop = (await findings(s)).find((f) => f.code === 'reconnect-loop');
    expect(loop?.message).toMatch(/reconnected 3 times in a row \(refused ×3\)/);
    expect(loop?.fix).toMatch(/apikey/);
  });
});

describe('the client version, where a cause depends on it (item 7)', () => {
  it('a sign-out kept on a channel: a realtime-js ≤ 2.15 page is told its rejoins keep the token too', async () => {
    const pk = 'sb_publishable_AbCdEf0123456789_xyz';
    const signOut = (clientInfo: string) =>
      new SessionScript().socket('c1', pk)
        .http('GET', '/rest/v1/x', { authorization: `Bearer ${user}`, apikey: pk, 'x-client-info': clientInfo }, { status: 200 })
        .join('c1', 'lobby', '1', user).after(30).joinOk('c1', 'lobby', '1')
        .after(1_000).http('POST', '/auth/v1/logout', { authorization: `Bearer ${user}`, apikey: pk }, { status: 204 })
        .after(20).accessToken('c1', 'lobby', '1', '7', pk).after(15_000).heartbeat('c1', '8');
    const legacy = (await findings(signOut('realtime-js/2.11.2'))).find((f) => f.code === 'signed-out-token-retained');
    expect(legacy?.fix).toMatch(/realtime-js \(≤ 2\.15\) also keeps the old token/);
    const current = (await findings(signOut('supabase-js/2.119.1; platform=browser'))).find((f) => f.code === 'signed-out-token-retained');
    expect(current?.fix).not.toMatch(/≤ 2\.15/);
  });
  it('the realtime-js version a join carries (§2.2) wins: supabase-js may bundle an older realtime-js', async () => {
    const pk = 'sb_publishable_AbCdEf0123456789_xyz';
    const s = new SessionScript().socket('c1', pk)
      .http('GET', '/rest/v1/x', { authorization: `Bearer ${user}`, apikey: pk, 'x-client-info': 'supabase-js/2.39.0' }, { status: 200 })
      .sent('c1', ['1', '1', 'realtime:lobby', 'phx_join', { config: { broadcast: { ack: false, self: false }, presence: { key: '' }, postgres_changes: [], private: false }, access_token: user, version: 'realtime-js/2.9.3' }])
      .after(30).joinOk('c1', 'lobby', '1')
      .after(1_000).http('POST', '/auth/v1/logout', { authorization: `Bearer ${user}`, apikey: pk }, { status: 204 })
      .after(20).accessToken('c1', 'lobby', '1', '7', pk).after(15_000).heartbeat('c1', '8');
    const f = (await findings(s)).find((x) => x.code === 'signed-out-token-retained');
    expect(f?.fix).toMatch(/realtime-js \(≤ 2\.15\) also keeps the old token/);
  });
  it('channel-joined-as-anon names the page\'s client and version', async () => {
    const s = new SessionScript().socket('c1', anon)
      .http('GET', '/rest/v1/todos', { authorization: `Bearer ${user}`, apikey: anon, 'x-client-info': 'supabase-js/2.119.1; platform=browser' }, { status: 200 })
      .join('c1', 'db', '1', anon, false, TODOS).after(30).joinOk('c1', 'db', '1').after(15_000).heartbeat('c1', '2');
    const f = (await findings(s)).find((x) => x.code === 'channel-joined-as-anon');
    expect(f?.cause).toMatch(/This page runs supabase-js 2\.119\.1 \(platform=browser\), serializer vsn 2\.0\.0\./);
  });
});

describe('no false alarm on ordinary set-ups (review of the second pass)', () => {
  const url = `wss://abcdefghijklmnopqrst.supabase.co/realtime/v1/websocket?apikey=${anon}&vsn=2.0.0`;
  it('leaving a channel still joining (unsubscribe, StrictMode cleanup) is no timeout, and the app is told CLOSED', async () => {
    const s = new SessionScript().socket('c1', anon).join('c1', 'room', '1', anon).after(5).leave('c1', 'room', '1', '2');
    expect((await findings(s, T0 + 60_000)).map((f) => f.code)).not.toContain('join-timed-out');
    const rt = trackRealtime(s.events);
    expect(toldApp(rt.channels[0], rt.connections[0]).map((t) => t.status)).toEqual(['CLOSED']);
  });
  it('a reply after the client gave up leaves the join timed out (TIMED_OUT, not SUBSCRIBED)', async () => {
    const s = new SessionScript().socket('c1', anon).join('c1', 'room', '1', anon).after(10_000).leave('c1', 'room', '1', '2').after(500).joinOk('c1', 'room', '1');
    const rt = trackRealtime(s.events);
    expect(rt.channels[0].attempts[0].status).toBe('timed-out');
    expect(toldApp(rt.channels[0], rt.connections[0]).map((t) => t.status)).toEqual(['TIMED_OUT']);
    expect((await findings(s)).find((f) => f.code === 'join-timed-out')?.evidence.actual).toMatch(/after the client had given up/);
  });
  it('a page closing its socket while it connects is not a refused upgrade', async () => {
    const s = new SessionScript().push({ kind: 'ws-connecting', conn: 'c1', url, protocols: [] }).after(300).close('c1', 1006, 'page');
    const codes = (await findings(s)).map((f) => f.code);
    expect(codes).not.toContain('server-connect-refused');
    expect(closeMeaning(trackRealtime(s.events).connections[0])).toMatch(/The page closed it itself/);
  });
  it('an SPA that disconnects and subscribes again on each route change is no reconnect loop', async () => {
    const s = new SessionScript();
    for (let i = 1; i <= 5; i++) s.socket(`d:${i}`, anon).after(4_000).close(`d:${i}`, 1005, 'page').after(500);
    expect((await findings(s)).map((f) => f.code)).not.toContain('reconnect-loop');
    expect((await findings(s)).map((f) => f.code)).not.toContain('socket-closed');
  });
  it('a session on the next page is no evidence against the channels of the page before it', async () => {
    const s = new SessionScript().socket('c1', anon).join('c1', 'feed', '1', anon, false, TODOS).after(30).joinOk('c1', 'feed', '1')
      .after(1_000).push({ kind: 'lifecycle', change: 'pagehide', persisted: false });
    s.events.push({ kind: 'http-request', req: 'n1', method: 'GET', url: 'https://abcdefghijklmnopqrst.supabase.co/rest/v1/todos', headers: { authorization: `Bearer ${user}`, apikey: anon }, api: 'fetch', seq: 999, time: s.time + 1_000, docId: 'next-doc', source: 'page' });
    s.after(30_000).push({ kind: 'lifecycle', change: 'online' });
    expect((await findings(s)).map((f) => f.code)).not.toContain('channel-joined-as-anon');
  });
  it('a socket still connecting when its page went away is not a pending upgrade', async () => {
    const s = new SessionScript().push({ kind: 'ws-connecting', conn: 'c1', url, protocols: [] }).after(2_000).push({ kind: 'lifecycle', change: 'pagehide', persisted: false });
    expect((await findings(s, T0 + 60_000)).map((f) => f.code)).not.toContain('join-timed-out');
  });
  it('a heartbeat timeout whose close carries no reason is still recognised; a prompt close after a heartbeat is not one', async () => {
    const late = new SessionScript().socket('c1', anon).after(25_000).heartbeat('c1', '1').after(10).heartbeatReply('c1', '1').after(25_000).heartbeat('c1', '2').after(25_000).close('c1', 1000, 'page');
    expect((await findings(late)).map((f) => f.code)).toContain('heartbeat-timeout');
    const rt = trackRealtime(late.events);
    const prompt = new SessionScript().socket('c1', anon).after(25_000).heartbeat('c1', '1').after(3_000).close('c1', 1000, 'page');
    expect((await findings(prompt)).map((f) => f.code)).not.toContain('heartbeat-timeout');
    expect(rt.connections[0].close?.initiator).toBe('page');
  });
  it('"heartbeat timeout" without a captured heartbeat does not break the analysis', async () => {
    const s = new SessionScript().socket('c1', anon).join('c1', 'room', '1', anon).after(30).joinOk('c1', 'room', '1').after(1_000).close('c1', 1000, 'page', 'heartbeat timeout');
    const all = await findings(s);
    expect(all.map((f) => f.code)).toContain('heartbeat-timeout');
    expect(all.map((f) => f.code)).not.toContain('analysis-limited');
    const rt = trackRealtime(s.events);
    expect(toldApp(rt.channels[0], rt.connections[0]).map((t) => t.message ?? t.status)).toEqual(['SUBSCRIBED', 'heartbeat timeout']);
  });
  it('an sb_secret_ key\'s gateway JWT is not the anon role', async () => {
    const s = new SessionScript().socket('c1', 'sb_secret_AbCdEf0123456789_xyz')
      .http('GET', '/rest/v1/todos', { authorization: `Bearer ${user}`, apikey: 'sb_secret_AbCdEf0123456789_xyz' }, { status: 200 })
      .join('c1', 'db', '1', undefined, false, TODOS).after(30).joinOk('c1', 'db', '1').after(15_000).heartbeat('c1', '2');
    expect((await findings(s)).map((f) => f.code)).not.toContain('channel-joined-as-anon');
  });
});
