// Exact frames on the wire (§1.2–§1.4, §2.3, §3.3, §3.4, §3.5), seen through raw ws sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, JOIN_REASONS, REST_UNAUTHORIZED, SYSTEM_MESSAGES, SYSTEM_MESSAGES_HISTORICAL } from '../fixtures/server-strings.js';
import { startServer, type TestServer } from './index.js';
import { nowSec, rawConnect, RawSocket, v1, v2, wsUrl } from './test-helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ knobs: { connectBackoffMs: 20, channelBackoffMs: 20 } });
});
afterAll(() => server.close());

async function open(vsn: '1.0.0' | '2.0.0' = '2.0.0', key = server.defaultProject.anonKey, host?: string): Promise<RawSocket> {
  const r = await rawConnect(wsUrl(server, key, vsn), host ? { Host: host } : {});
  if (r.kind !== 'open') throw new Error(`refused: ${r.status} ${r.body}`);
  return r.socket;
}

const userToken = (extra: Record<string, unknown> = {}) =>
  server.mintToken({ sub: 'u-1', role: 'authenticated', exp: nowSec(server) + 3600, ...extra });

async function joinV2(s: RawSocket, topic: string, payload: Record<string, unknown>, joinRef = '1'): Promise<unknown[]> {
  s.send([joinRef, joinRef, `realtime:${topic}`, 'phx_join', payload]);
  return (await s.next(v2('phx_reply', joinRef))).json as unknown[];
}

/** realtime-js's kind-3 layout (§1.4). */
function kind3(joinRef: string, ref: string, topic: string, event: string, payload: unknown): Buffer {
  const parts = [joinRef, ref, topic, event, ''].map((x) => Buffer.from(x));
  return Buffer.concat([Buffer.from([3, parts[0].length, parts[1].length, parts[2].length, parts[3].length, 0, 1]), ...parts, Buffer.from(JSON.stringify(payload))]);
}

describe('serializers', () => {
  it('decodes the protocol.mdx kind-3 example and fans it out as kind 4 to V2, as a JSON map to V1', async () => {
    const sender = await open('2.0.0');
    const rxV2 = await open('2.0.0');
    const rxV1 = await open('1.0.0');
    await joinV2(sender, 'chat-room', { config: { broadcast: { self: false, ack: true } } }, '10');
    await joinV2(rxV2, 'chat-room', { config: {} });
    rxV1.send({ topic: 'realtime:chat-room', event: 'phx_join', payload: { config: {} }, ref: '1', join_ref: '1' });
    const v1reply = (await rxV1.next(v1('phx_reply', '1'))).json as Record<string, unknown>;
    // V1 never outputs join_ref (§1.2).
    expect(Object.keys(v1reply).sort()).toEqual(['event', 'payload', 'ref', 'topic']);
    const example = Buffer.concat([
      Buffer.from([0x03, 0x02, 0x01, 0x12, 0x0a, 0x00, 0x01]),
      Buffer.from('10'),
      Buffer.from('1'),
      Buffer.from('realtime:chat-room'),
      Buffer.from('user-event'),
      Buffer.from(JSON.stringify({ hello: 'world' })),
    ]);
    sender.send(example);
    // ack:true → an ok reply to the push's ref.
    expect((await sender.next(v2('phx_reply', '1'))).json).toEqual(['10', '1', 'realtime:chat-room', 'phx_reply', { status: 'ok', response: {} }]);
    const bin = await rxV2.next((f) => f.binary);
    const topic = Buffer.from('realtime:chat-room');
    const ev = Buffer.from('user-event');
    expect(bin.data).toEqual(Buffer.concat([Buffer.from([4, topic.length, ev.length, 0, 1]), topic, ev, Buffer.from('{"hello":"world"}')]));
    const j = await rxV1.next(v1('broadcast'));
    expect(j.json).toEqual({ topic: 'realtime:chat-room', event: 'broadcast', payload: { type: 'broadcast', event: 'user-event', payload: { hello: 'world' } }, ref: null });
    // self:false → the sender got nothing but its ack.
    expect(sender.frames.some((f) => f.binary)).toBe(false);
    for (const s of [sender, rxV2, rxV1]) s.close();
  });

  it('keeps the connection on a V1 map sent to a V2 socket, answers heartbeats and unmatched topics', async () => {
    const s = await open('2.0.0');
    s.send({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '1' });
    s.send([null, '2', 'phoenix', 'heartbeat', {}]);
    expect((await s.next(v2('phx_reply', '2'))).json).toEqual([null, '2', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
    expect(server.logs.some((l) => l.code === 'MalformedWebSocketMessage' && l.message.startsWith('expected V2 array, got:'))).toBe(true);
    s.send(['1', '3', 'room', 'phx_join', {}]);
    expect(((await s.next(v2('phx_reply', '3'))).json as unknown[])[4]).toEqual({ status: 'error', response: { reason: JOIN_REASONS.unmatchedTopic } });
    s.send([null, '4', 'realtime:never-joined', 'broadcast', { type: 'broadcast', event: 'x', payload: {} }]);
    expect(((await s.next(v2('phx_reply', '4'))).json as unknown[])[4]).toEqual({ status: 'error', response: { reason: JOIN_REASONS.unmatchedTopic } });
    s.send(kind3('9', '5', 'realtime:x', 'e', {}));
    s.close();
  });
});

describe('access_token (§2.3) and live-channel shutdowns (§3.3)', () => {
  it('no reply on a good refresh; sb_ values ignored; a malformed token gives system + phx_close', async () => {
    const s = await open();
    await joinV2(s, 'rt', { config: {}, access_token: await userToken() }, '1');
    s.send(['1', '2', 'realtime:rt', 'access_token', { access_token: await userToken({ exp: nowSec(server) + 7200 }) }]);
    s.send(['1', '3', 'realtime:rt', 'access_token', { access_token: 'sb_publishable_whatever' }]);
    s.send(['1', '4', 'realtime:rt', 'access_token', { access_token: '' }]);
    const system = await s.next(v2('system'));
    expect(system.json).toEqual(['1', null, 'realtime:rt', 'system', { extension: 'system', status: 'error', message: SYSTEM_MESSAGES.malformed, channel: 'rt' }]);
    const close = await s.next(v2('phx_close'));
    expect(close.json).toEqual(['1', '1', 'realtime:rt', 'phx_close', {}]);
    // Neither the good refresh nor the sb_ one was answered.
    expect(s.frames.filter((f) => Array.isArray(f.json) && (f.json[1] === '2' || f.json[1] === '3'))).toEqual([]);
    s.close();
  });

  it('a refresh with a bad signature is the raw atom ":signature_error"; historical wording wraps it', async () => {
    const s = await open();
    await joinV2(s, 'sig', { config: {}, access_token: await userToken() });
    const forged = await server.mintToken({ role: 'authenticated', exp: nowSec(server) + 60 }, { signWith: { secret: 'not-the-project-secret-not-the-secret' } });
    s.send(['1', '2', 'realtime:sig', 'access_token', { access_token: forged }]);
    expect(((await s.next(v2('system'))).json as unknown[])[4]).toMatchObject({ message: SYSTEM_MESSAGES.signatureAtom });
    server.knobs.wordings = 'historical';
    try {
      await joinV2(s, 'sig2', { config: {}, access_token: await userToken() }, '5');
      s.send(['5', '6', 'realtime:sig2', 'access_token', { access_token: forged }]);
      const sys = await s.next((f) => v2('system')(f) && (f.json as unknown[])[2] === 'realtime:sig2');
      expect(((sys.json as unknown[])[4] as { message: string }).message).toBe(SYSTEM_MESSAGES_HISTORICAL.invalidAccessToken(':signature_error'));
    } finally {
      server.knobs.wordings = 'current';
    }
    s.close();
  });

  it('a refresh that loses the private read permission: "You no longer have permission…"', async () => {
    server.setPolicies(server.defaultProject.ref, [{ topic: 'secret', sub: 'u-1', read: true }]);
    const s = await open();
    const reply = await joinV2(s, 'secret', { config: { private: true }, access_token: await userToken() });
    expect((reply[4] as { status: string }).status).toBe('ok');
    s.send(['1', '2', 'realtime:secret', 'access_token', { access_token: await userToken({ sub: 'u-2' }) }]);
    expect(((await s.next(v2('system'))).json as unknown[])[4]).toMatchObject({ message: SYSTEM_MESSAGES.lostPermission('secret') });
    server.setPolicies(server.defaultProject.ref, []);
    s.close();
  });

  it('V1: the expiry close arrives as objects without join_ref', async () => {
    const s = await open('1.0.0');
    s.send({ topic: 'realtime:v1exp', event: 'phx_join', payload: { config: {}, access_token: await userToken({ exp: nowSec(server) + 1 }) }, ref: '1', join_ref: '1' });
    await s.next(v1('phx_reply', '1'));
    const sys = await s.next(v1('system'), 4000);
    expect(sys.json).toEqual({ topic: 'realtime:v1exp', event: 'system', ref: null, payload: { extension: 'system', status: 'error', message: expect.stringMatching(/^Token has expired [01] seconds ago$/), channel: 'v1exp' } });
    expect((await s.next(v1('phx_close'))).json).toEqual({ topic: 'realtime:v1exp', event: 'phx_close', payload: {}, ref: '1' });
    s.close();
  });
});

describe('close codes (§3.4)', () => {
  it('a JWT secret change drains with "Server requested disconnect" then 1012', async () => {
    const p = await server.createProject();
    const s = await open('2.0.0', p.anonKey, `${p.ref}.supabase.co`);
    await joinV2(s, 'd', { config: {} });
    server.setJwtSecret(p.ref, 'a-brand-new-secret-a-brand-new-secret');
    const sys = await s.next(v2('system'));
    expect((sys.json as unknown[])[4]).toEqual({ extension: 'system', status: 'ok', message: SYSTEM_MESSAGES.serverRequestedDisconnect });
    expect(await s.closed()).toBe(CLOSE_CODES.serviceRestart);
  });

  it('a join after the tenant vanished: TenantNotFound, then close 1001', async () => {
    const p = await server.createProject();
    const s = await open('2.0.0', p.anonKey, `${p.ref}.supabase.co`);
    server.removeProject(p.ref);
    const reply = await joinV2(s, 'gone', { config: {} });
    expect(reply[4]).toEqual({ status: 'error', response: { reason: JOIN_REASONS.tenantNotFound } });
    expect(await s.closed()).toBe(CLOSE_CODES.goingAway);
  });
});

describe('presence and leave', () => {
  it('presence_state on join carries tracked metas; phx_leave is answered ok {}', async () => {
    const a = await open();
    const b = await open();
    await joinV2(a, 'lobby', { config: { presence: { key: 'alice', enabled: true } } });
    a.send(['1', '2', 'realtime:lobby', 'presence', { type: 'presence', event: 'track', payload: { online_at: 1 } }]);
    await a.next(v2('phx_reply', '2'));
    await joinV2(b, 'lobby', { config: { presence: { key: 'bob', enabled: true } } });
    const state = ((await b.next(v2('presence_state'))).json as unknown[])[4] as Record<string, { metas: Array<Record<string, unknown>> }>;
    expect(Object.keys(state)).toEqual(['alice']);
    expect(state.alice.metas[0]).toMatchObject({ online_at: 1, phx_ref: expect.any(String) });
    b.send(['1', '3', 'realtime:lobby', 'phx_leave', {}]);
    expect((await b.next(v2('phx_reply', '3'))).json).toEqual(['1', '3', 'realtime:lobby', 'phx_reply', { status: 'ok', response: {} }]);
    a.close();
    b.close();
  });
});

describe('REST broadcast (§2.5, §3.5)', () => {
  it('401 {"message":"Unauthorized"}: Authorization wins over a good apikey; 202 fans out', async () => {
    const rx = await open('2.0.0');
    await joinV2(rx, 'news', { config: {} });
    const url = `${server.url}/realtime/v1/api/broadcast`;
    const body = JSON.stringify({ messages: [{ topic: 'news', event: 'headline', payload: { n: 1 } }] });
    const bad = await fetch(url, { method: 'POST', body, headers: { apikey: server.defaultProject.anonKey, Authorization: 'Bearer potato', 'Content-Type': 'application/json' } });
    expect(bad.status).toBe(REST_UNAUTHORIZED.status);
    expect(await bad.json()).toEqual(REST_UNAUTHORIZED.body);
    const ok = await fetch(url, { method: 'POST', body, headers: { apikey: server.defaultProject.publishableKey, 'Content-Type': 'application/json' } });
    expect(ok.status).toBe(202);
    const f = await rx.next(v2('broadcast'));
    expect(f.json).toEqual([null, null, 'realtime:news', 'broadcast', { type: 'broadcast', event: 'headline', payload: { n: 1 } }]);
    const single = await fetch(`${server.url}/realtime/v1/api/broadcast/news/events/flash`, {
      method: 'POST',
      body: JSON.stringify({ n: 2 }),
      headers: { apikey: server.defaultProject.anonKey, Authorization: `Bearer ${await userToken()}`, 'Content-Type': 'application/json' },
    });
    expect(single.status).toBe(202);
    const bin = await rx.next((x) => x.binary);
    expect(bin.data?.[0]).toBe(4);
    rx.close();
  });
});
