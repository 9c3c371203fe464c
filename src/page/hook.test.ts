// The hook in Node, where Node has the same web APIs as a page (fetch, MessageChannel, EventTarget,
// Blob, Request/Response): a real HTTP server, the real fetch, and the real content-side validator
// reading what the hook posts through its private port. WebSocket and XHR are proven in Chromium
// (e2e/capture-smoke.spec.ts): Node 20 has neither.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePageBatch } from '../content/validate';
import { PROTOCOL_VERSION } from '../messages';
import { HANDOVER_KEY } from './handover';
import { installHook, looksPhoenix } from './hook';

let server: Server;
let origin = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith('/auth/v1/token')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'a.b.c', expires_at: 2_000_000_000, expires_in: 3600, refresh_token: 'SECRET-REFRESH', user: { id: 'u' } }));
    } else if (req.url?.startsWith('/auth/v1/')) {
      res.writeHead(422, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: 'refresh_token_already_used', pad: 'x'.repeat(10_000) }));
    } else {
      res.writeHead(200).end('plain');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A page-like global backed by Node's own web APIs; records the hand-over. */
function fakeWindow() {
  const handovers: { data: unknown; ports: MessagePort[] }[] = [];
  const w = Object.assign(new EventTarget(), {
    Date,
    performance,
    setTimeout,
    setInterval: (fn: () => void, ms: number) => setInterval(fn, ms).unref(),
    EventTarget,
    MessagePort,
    MessageChannel,
    Uint8Array,
    ArrayBuffer,
    Blob,
    URL,
    Request,
    Headers,
    Response,
    Promise,
    Function,
    fetch: globalThis.fetch,
    location: { href: `${origin}/app/` },
    postMessage(data: unknown, _origin: string, ports: MessagePort[]) {
      handovers.push({ data, ports });
    },
  });
  return { w: w as any, handovers };
}

/** Collects what the hook posts, validated exactly as the content script does. */
function collect(port: MessagePort) {
  const accepted: any[] = [];
  const rejected: string[] = [];
  port.onmessage = (m) => {
    const r = validatePageBatch(m.data, 'doc');
    accepted.push(...r.accepted.map((a) => a.body));
    rejected.push(...r.rejected);
  };
  return {
    accepted,
    rejected,
    async until(pred: () => boolean) {
      for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(pred()).toBe(true);
    },
  };
}

describe('installHook (fetch, in Node)', () => {
  const { w, handovers } = fakeWindow();
  const nativeFetch = w.fetch;
  let sink: ReturnType<typeof collect>;

  it('hands over one private port, once, even if injected twice', () => {
    expect(installHook(w)).toBe(true);
    expect(installHook(w)).toBe(false);
    expect(handovers).toHaveLength(1);
    expect(handovers[0].data).toEqual({ [HANDOVER_KEY]: PROTOCOL_VERSION });
    expect(handovers[0].ports).toHaveLength(1);
    sink = collect(handovers[0].ports[0]);
    // The marker is not enumerable: for..in over the global does not show it.
    expect(Object.keys(w)).not.toContain('claimscope.hook');
  });

  it('keeps fetch looking native', () => {
    expect(w.fetch).not.toBe(nativeFetch);
    expect(w.fetch.name).toBe(nativeFetch.name);
    expect(w.fetch.length).toBe(nativeFetch.length);
    expect(Function.prototype.toString.call(w.fetch)).toBe(Function.prototype.toString.call(nativeFetch));
  });

  it('records a token call with its headers and grant, and the page still reads the whole body', async () => {
    const res = await w.fetch(`${origin}/auth/v1/token?grant_type=password`, {
      method: 'post',
      headers: { Apikey: 'anon', Authorization: 'Bearer anon', 'content-type': 'application/json' },
      body: '{}',
    });
    const body = await res.json();
    expect(body.refresh_token).toBe('SECRET-REFRESH'); // the page's body was not consumed
    await sink.until(() => sink.accepted.some((e) => e.kind === 'http-response'));
    const [req, resp] = sink.accepted.filter((e) => e.kind.startsWith('http'));
    expect(req).toEqual({ kind: 'http-request', req: 'doc:1', method: 'POST', url: `${origin}/auth/v1/token?grant_type=password`, headers: { apikey: 'anon', authorization: 'Bearer anon' }, api: 'fetch' });
    expect(resp).toEqual({ kind: 'http-response', req: 'doc:1', status: 200, grant: { access_token: 'a.b.c', expires_at: 2_000_000_000, expires_in: 3600 } });
    expect(JSON.stringify(sink.accepted)).not.toContain('SECRET-REFRESH');
    expect(sink.rejected).toEqual([]);
  });

  it('keeps a capped error body of a failed auth call, from a Request object with relative URL', async () => {
    const res = await w.fetch(new Request(`${origin}/auth/v1/logout`, { method: 'POST', headers: { apikey: 'k' } }));
    expect((await res.text()).length).toBeGreaterThan(10_000);
    await sink.until(() => sink.accepted.some((e) => e.kind === 'http-response' && e.status === 422));
    const resp = sink.accepted.find((e) => e.kind === 'http-response' && e.status === 422);
    expect(resp.errorBody).toHaveLength(4_096);
    expect(resp.errorBody).toContain('refresh_token_already_used');
    expect(sink.accepted.find((e) => e.kind === 'http-request' && e.url.endsWith('/auth/v1/logout'))).toMatchObject({ method: 'POST', headers: { apikey: 'k' } });
  });

  it('records a network failure and the page still sees the same rejection', async () => {
    const dead = `http://127.0.0.1:1/rest/v1/todos`;
    const err = await w.fetch(dead).catch((e: Error) => e);
    expect(err).toBeInstanceOf(TypeError);
    await sink.until(() => sink.accepted.some((e) => e.kind === 'http-response' && e.status === 0));
    expect(sink.accepted.find((e) => e.kind === 'http-response' && e.status === 0).networkError).toBe(err.message);
  });

  it('ignores calls that are not Supabase paths', async () => {
    const before = sink.accepted.length;
    expect(await (await w.fetch(`${origin}/elsewhere`)).text()).toBe('plain');
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.accepted.length).toBe(before);
  });
});

describe('looksPhoenix', () => {
  it('recognises V2 arrays and V1 objects, nothing else', () => {
    expect(looksPhoenix('["1","1","realtime:a","phx_join",{}]')).toBe(true);
    expect(looksPhoenix('[null,"2","phoenix","heartbeat",{}]')).toBe(true);
    expect(looksPhoenix('{"topic":"realtime:a","event":"phx_join","payload":{},"ref":"1"}')).toBe(true);
    expect(looksPhoenix('["a","b"]')).toBe(false);
    expect(looksPhoenix('{"type":"subscribe"}')).toBe(false);
    expect(looksPhoenix('hello')).toBe(false);
    expect(looksPhoenix('[' + '['.repeat(100_000))).toBe(false);
  });
});
