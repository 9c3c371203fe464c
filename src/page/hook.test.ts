// The hook in Node, where Node has the same web APIs as a page (fetch, MessageChannel, EventTarget,
// Blob, Request/Response): a real HTTP server, the real fetch, and the real content-side validator
// reading what the hook posts through its private port. WebSocket and XHR are proven in Chromium
// (e2e/capture-smoke.spec.ts): Node 20 has neither.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePageBatch } from '../content/validate';
import { PAGE_LIMITS, PROTOCOL_VERSION } from '../messages';
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
    clearTimeout,
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
    DOMException,
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

  it('hands over one private port and leaves no marker on the global', () => {
    const keysBefore = Reflect.ownKeys(w);
    installHook(w);
    expect(handovers).toHaveLength(1);
    expect(handovers[0].data).toEqual({ [HANDOVER_KEY]: PROTOCOL_VERSION });
    expect(handovers[0].ports).toHaveLength(1);
    sink = collect(handovers[0].ports[0]);
    // Nothing new on the page's global, not even a non-enumerable symbol: only the replaced fetch.
    expect(Reflect.ownKeys(w)).toEqual(keysBefore);
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
      headers: { Apikey: 'anon', Authorization: 'Bearer anon', 'content-type': 'application/json', 'X-Client-Info': 'supabase-js/2.119.1; platform=browser', Cookie: 'never' },
      body: '{}',
    });
    const body = await res.json();
    expect(body.refresh_token).toBe('SECRET-REFRESH'); // the page's body was not consumed
    await sink.until(() => sink.accepted.some((e) => e.kind === 'http-response'));
    const [req, resp] = sink.accepted.filter((e) => e.kind.startsWith('http'));
    expect(req).toEqual({ kind: 'http-request', req: 'doc:1', method: 'POST', url: `${origin}/auth/v1/token?grant_type=password`, headers: { apikey: 'anon', authorization: 'Bearer anon', 'x-client-info': 'supabase-js/2.119.1; platform=browser' }, api: 'fetch' });
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

describe('installHook: a post that fails', () => {
  it('counts the events it carried and says so in the next batch (never lost silently)', async () => {
    const { w, handovers } = fakeWindow();
    // The native the hook captures at install fails once (a batch it cannot clone or transfer).
    let failNext = true;
    const nativePost = MessagePort.prototype.postMessage;
    w.MessagePort = {
      prototype: {
        postMessage(this: MessagePort, ...args: unknown[]) {
          if (failNext) {
            failNext = false;
            throw new DOMException('could not be cloned', 'DataCloneError');
          }
          return Reflect.apply(nativePost, this, args);
        },
      },
    };
    installHook(w);
    const sink = collect(handovers[0].ports[0]);
    const res = await w.fetch(`${origin}/auth/v1/token?grant_type=password`, { method: 'POST' });
    await res.json();
    for (let i = 0; i < 100 && !sink.accepted.some((e) => e.kind === 'drops'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(failNext).toBe(false);
    // The request went with the failed post (the response too, when it was in the same batch): what
    // arrived plus what the drop counts is the request and its response.
    const drops = sink.accepted.filter((e) => e.kind === 'drops');
    expect(drops).toEqual([expect.objectContaining({ reason: 'page hook: post failed' })]);
    const http = sink.accepted.filter((e) => e.kind.startsWith('http-'));
    expect(http.length + drops[0].droppedEvents).toBe(2);
    expect(http.map((e) => e.kind)).not.toContain('http-request');
  });
});

describe('installHook: the page gets what native fetch gives it', () => {
  it('resolves to the very Response native fetch resolved, body unread, and still captures the grant', async () => {
    const { w, handovers } = fakeWindow();
    const response = new Response(JSON.stringify({ access_token: 'x.y.z', refresh_token: 'R' }), { status: 200 });
    const given: unknown[] = [];
    w.fetch = (...args: unknown[]) => (given.push(args), Promise.resolve(response));
    installHook(w);
    const sink = collect(handovers[0].ports[0]);
    const init = { method: 'POST' };
    const p = w.fetch(`${origin}/auth/v1/token`, init);
    expect(p).toBeInstanceOf(Promise);
    const res = await p;
    expect(res).toBe(response);
    expect(given).toEqual([[`${origin}/auth/v1/token`, init]]);
    expect(res.bodyUsed).toBe(false);
    expect(await res.json()).toEqual({ access_token: 'x.y.z', refresh_token: 'R' });
    await sink.until(() => sink.accepted.some((e) => e.kind === 'http-response'));
    expect(sink.accepted.find((e) => e.kind === 'http-response').grant).toEqual({ access_token: 'x.y.z' });
  });

  it('clears its body-wait timer once the body was read', async () => {
    const { w, handovers } = fakeWindow();
    // The page's timers as the hook sees them: which are still pending, and for how long.
    const pending = new Map<unknown, number>();
    w.setTimeout = (fn: () => void, ms: number) => {
      const t: unknown = setTimeout(() => (pending.delete(t), fn()), ms);
      pending.set(t, ms);
      return t;
    };
    w.clearTimeout = (t: any) => (pending.delete(t), clearTimeout(t));
    installHook(w);
    const sink = collect(handovers[0].ports[0]);
    await (await w.fetch(`${origin}/auth/v1/token?grant_type=refresh_token`, { method: 'POST' })).json();
    await sink.until(() => sink.accepted.some((e) => e.kind === 'http-response'));
    expect(sink.accepted.find((e) => e.kind === 'http-response').grant).toMatchObject({ access_token: 'a.b.c' });
    expect([...pending.values()]).not.toContain(5_000);
  });

  it('rejects with the same reason object, and the page\'s own `.then` callbacks run in order', async () => {
    const { w } = fakeWindow();
    const reason = new TypeError('Failed to fetch');
    w.fetch = () => Promise.reject(reason);
    installHook(w);
    const seen: string[] = [];
    const p = w.fetch(`${origin}/rest/v1/x`);
    const q = p.then(
      () => seen.push('fulfilled'),
      (e: unknown) => (seen.push('rejected'), e),
    );
    expect(await q).toBe(reason);
    expect(seen).toEqual(['rejected']);
  });

  it('leaves an unhandled failed fetch unhandled: the runtime reports it with the same reason', async () => {
    // Run in a child Node process: vitest itself fails a run on an unhandled rejection. Node's
    // `unhandledRejection` follows the same rule as the browser's event (no handler at microtask
    // checkpoint), and the browser is proven end to end in e2e/capture-smoke.spec.ts.
    const script = `
      import { installHook } from ${JSON.stringify(new URL('./hook.ts', import.meta.url).pathname)};
      const reason = new TypeError('Failed to fetch');
      const w = Object.assign(new EventTarget(), {
        Date, performance, setTimeout, clearTimeout, setInterval: (f, ms) => setInterval(f, ms).unref(), EventTarget, MessagePort,
        MessageChannel, Uint8Array, ArrayBuffer, Blob, URL, Request, Headers, Response, Promise, Function,
        fetch: () => Promise.reject(reason), location: { href: 'http://127.0.0.1/' }, postMessage(_d, _o, ports) { ports[0].close(); },
      });
      installHook(w);
      let returned;
      process.on('unhandledRejection', (r, promise) => {
        console.log(JSON.stringify({ sameReason: r === reason, samePromise: promise === returned }));
        process.exit(0);
      });
      returned = w.fetch('http://127.0.0.1:1/rest/v1/todos');
      setTimeout(() => { console.log(JSON.stringify({ unhandledRejection: 'never fired' })); process.exit(0); }, 2000);
    `;
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ sameReason: true, samePromise: true });
  });
});

describe('installHook: one XMLHttpRequest object reused for several requests', () => {
  /** The XHR surface the hook reads (prototype getters, open/setRequestHeader/send), backed by the real fetch. */
  class XhrOverFetch extends EventTarget {
    #status = 0;
    #url = '';
    #method = 'GET';
    #body = '';
    get status() {
      return this.#status;
    }
    get responseType() {
      return '';
    }
    get response() {
      return this.#body;
    }
    open(method: string, url: string) {
      this.#method = method;
      this.#url = url;
      this.#status = 0;
    }
    setRequestHeader() {}
    send() {
      void fetch(this.#url, { method: this.#method }).then(async (r) => {
        this.#status = r.status;
        this.#body = await r.text();
        this.dispatchEvent(new Event('loadend'));
      });
    }
  }

  it('reports each request once, with its own status (no listener left over from the previous send)', async () => {
    const { w, handovers } = fakeWindow();
    w.XMLHttpRequest = XhrOverFetch;
    installHook(w);
    const sink = collect(handovers[0].ports[0]);
    const xhr = new w.XMLHttpRequest();
    const done = () => new Promise((r) => xhr.addEventListener('loadend', r, { once: true }));
    xhr.open('GET', `${origin}/rest/v1/todos`);
    xhr.send();
    await done();
    xhr.open('POST', `${origin}/auth/v1/logout`);
    xhr.send();
    await done();
    await sink.until(() => sink.accepted.filter((e) => e.kind === 'http-response').length >= 2);
    await new Promise((r) => setTimeout(r, 50));
    const responses = sink.accepted.filter((e) => e.kind === 'http-response').map((e) => [e.req, e.status]);
    expect(responses).toEqual([
      ['doc:1', 200],
      ['doc:2', 422],
    ]);
  });
});

/**
 * A page whose event plumbing is recorded: every listener and interval callback the hook
 * registers is kept, so the test can run it as the browser would, with the failure the browser
 * cannot be asked to produce on demand (a native getter throwing, a clock that fails).
 */
function recordingWindow() {
  const { w, handovers } = fakeWindow();
  const listeners: { target: unknown; type: string; fn: (e?: unknown) => unknown }[] = [];
  const intervals: (() => unknown)[] = [];
  const broken = { clock: false, perf: false, protocol: false, visibility: false };
  class RecordingTarget extends EventTarget {}
  RecordingTarget.prototype.addEventListener = function (this: unknown, type: string, fn: any) {
    listeners.push({ target: this, type, fn });
  };
  class FakeWebSocket extends RecordingTarget {
    #url: string;
    constructor(url: string) {
      super();
      this.#url = url;
    }
    get url() {
      return this.#url;
    }
    get protocol() {
      if (broken.protocol) throw new TypeError('Illegal invocation');
      return '';
    }
    get extensions() {
      return '';
    }
    get readyState() {
      return 1;
    }
    send() {}
    close() {}
  }
  const date = { now: () => (broken.clock ? Number.NaN.toFixed(-1) : Date.now()) };
  const perf = { now: () => (broken.perf ? Number.NaN.toFixed(-1) : performance.now()) };
  // The hook reads event fields and the visibility state through the prototypes' getters it
  // captured at install, as in a browser.
  class FakeDocument extends RecordingTarget {
    get visibilityState(): string {
      if (broken.visibility) throw new TypeError('Illegal invocation');
      return 'hidden';
    }
  }
  class FakeCloseEvent {
    get code(): number {
      throw new TypeError('Illegal invocation');
    }
    get reason() {
      return '';
    }
    get wasClean() {
      return true;
    }
  }
  class FakeMessageEvent {
    get data() {
      return message.data;
    }
  }
  /** What the next message event carries. */
  const message: { data: unknown } = { data: 'x' };
  const doc = new FakeDocument();
  Object.assign(w, {
    EventTarget: RecordingTarget,
    WebSocket: FakeWebSocket,
    Document: FakeDocument,
    CloseEvent: FakeCloseEvent,
    MessageEvent: FakeMessageEvent,
    Date: date,
    performance: perf,
    document: doc,
    setInterval: (fn: () => unknown) => intervals.push(fn),
  });
  return { w, handovers, listeners, intervals, broken, doc, message };
}

describe('installHook: no callback the page runs can throw into it', () => {
  it('counts a failing WebSocket, lifecycle or clock callback as a drop instead of throwing', async () => {
    const { w, handovers, listeners, intervals, broken, doc } = recordingWindow();
    installHook(w);
    const sink = collect(handovers[0].ports[0]);
    // The native constructor converts each protocol once; the hook keeps the strings, converts nothing.
    let converted = 0;
    const ws = new w.WebSocket('wss://x.supabase.co/realtime/v1/websocket?vsn=2.0.0', ['phoenix', { toString: () => (converted++, 'object') }]);
    const on = (target: unknown, type: string) => listeners.find((l) => l.target === target && l.type === type)!.fn;
    expect(listeners.filter((l) => l.target === ws).map((l) => l.type)).toEqual(['open', 'message', 'error', 'close']);
    expect(intervals).toHaveLength(1);

    // What the browser dispatches (isTrusted); the page's own dispatches are another test.
    const trusted = { isTrusted: true };
    broken.protocol = true;
    expect(() => on(ws, 'open')(trusted)).not.toThrow();
    expect(() => on(ws, 'close')(trusted)).not.toThrow();
    broken.visibility = true;
    expect(() => on(doc, 'visibilitychange')(trusted)).not.toThrow();
    broken.perf = true;
    expect(() => intervals[0]()).not.toThrow();
    // A broken clock breaks even the failure report: still nothing reaches the page.
    broken.clock = true;
    for (const [target, type] of [[ws, 'error'], [ws, 'message'], [doc, 'freeze'], [doc, 'resume'], [w, 'online'], [w, 'offline']] as const)
      expect(() => on(target, type)(trusted), type).not.toThrow();
    broken.clock = false;

    await sink.until(() => sink.accepted.filter((e) => e.kind === 'drops').length >= 4);
    expect(sink.accepted.find((e) => e.kind === 'ws-connecting').protocols).toEqual(['phoenix']);
    expect(converted).toBe(0);
    const reasons = sink.accepted.filter((e) => e.kind === 'drops').map((e) => e.reason);
    const illegal = 'page hook: capture failed (callback): Illegal invocation';
    // open, close, visibilitychange, then the clock check; the broken-clock ones could not report.
    expect(reasons).toEqual([illegal, illegal, illegal, 'page hook: capture failed (callback): toFixed() digits argument must be between 0 and 100']);
    expect(sink.rejected).toEqual([]);
  });
});

describe('installHook: a flood of frames', () => {
  it('delivers every frame, in order, in batches the content script reads whole', async () => {
    const { w, handovers, listeners, message } = recordingWindow();
    installHook(w);
    const port: MessagePort = handovers[0].ports[0];
    const sink = collect(port);
    const framesPerBatch: number[] = [];
    const read = port.onmessage!;
    port.onmessage = (m) => {
      framesPerBatch.push((m.data.events as any[]).reduce((n, e) => n + (e.kind === 'ws-frames' ? e.x.length : 1), 0));
      read.call(port, m);
    };
    const ws = new w.WebSocket('wss://x.supabase.co/realtime/v1/websocket?vsn=2.0.0');
    const onMessage = listeners.find((l) => l.target === ws && l.type === 'message')!.fn;
    // Received text and binary, and sent frames between them: runs open and close on each change
    // of direction, and a batch is cut below the content script's limit.
    const expected: string[] = [];
    const FRAMES = 12_000;
    for (let i = 0; i < FRAMES; i++) {
      if (i % 7 === 3) {
        ws.send(`sent ${i}`);
        expected.push(`sent text sent ${i}`);
      } else if (i % 5 === 4) {
        message.data = new Uint8Array([4, i & 255, (i >> 8) & 255]).buffer;
        onMessage({ isTrusted: true });
        expected.push(`received binary ${Buffer.from([4, i & 255, (i >> 8) & 255]).toString('base64')}`);
      } else {
        message.data = `received ${i}`;
        onMessage({ isTrusted: true });
        expected.push(`received text received ${i}`);
      }
    }
    const frames = () => sink.accepted.filter((e) => e.kind === 'ws-frame');
    await sink.until(() => frames().length >= FRAMES);
    expect(frames().map((f) => `${f.dir} ${f.opcode} ${f.text ?? f.base64}`)).toEqual(expected);
    expect(sink.rejected).toEqual([]);
    expect(sink.accepted.filter((e) => e.kind === 'drops')).toEqual([]);
    expect(Math.max(...framesPerBatch)).toBeLessThanOrEqual(PAGE_LIMITS.maxEventsPerBatch - 2);
  });
});

describe('installHook: a page that patches built-ins after the hook or dispatches events itself', () => {
  it('records the frames the socket really carried, and reports synthetic socket and lifecycle events as forged', async () => {
    const { w, handovers, listeners, doc } = recordingWindow();
    installHook(w);
    const sink = collect(handovers[0].ports[0]);
    const ws = new w.WebSocket('wss://x.supabase.co/realtime/v1/websocket?vsn=2.0.0');
    const on = (target: unknown, type: string) => listeners.find((l) => l.target === target && l.type === type)!.fn;
    const seen: string[] = [];
    const saved = {
      push: Array.prototype.push,
      parse: JSON.parse,
      now: w.Date.now,
      text: Object.getOwnPropertyDescriptor(Object.prototype, 'text'),
      zero: Object.getOwnPropertyDescriptor(Array.prototype, '0'),
    };
    try {
      // After install, as a hostile page would: every built-in the hook used to call at event time.
      Array.prototype.push = function (this: unknown[], ...items: unknown[]) {
        for (const it of items) if (it && typeof it === 'object' && 'kind' in it) (it as { text?: string }).text = 'ALTERED-BY-PUSH';
        return saved.push.apply(this, items);
      };
      Object.defineProperty(Object.prototype, 'text', { configurable: true, set(v) { seen.push(String(v)); }, get() { return 'ALTERED-BY-SETTER'; } });
      Object.defineProperty(Array.prototype, '0', { configurable: true, set(v) { seen.push(JSON.stringify(v)); }, get() { return undefined; } });
      JSON.parse = () => ['1', '1', 'realtime:forged', 'phx_reply', {}];
      w.Date.now = () => 1;
      on(ws, 'message')({ isTrusted: true });
      // The page's own dispatches: a frame on the socket, a close, and an "offline".
      on(ws, 'message')({ isTrusted: false });
      on(ws, 'close')({ isTrusted: false });
      on(w, 'offline')({ isTrusted: false });
      on(doc, 'visibilitychange')({ isTrusted: false });
    } finally {
      Array.prototype.push = saved.push;
      JSON.parse = saved.parse;
      w.Date.now = saved.now;
      delete (Object.prototype as { text?: unknown }).text;
      delete (Array.prototype as { 0?: unknown })[0];
    }
    await sink.until(() => sink.rejected.length + sink.accepted.length >= 6);
    const frames = sink.accepted.filter((e) => e.kind === 'ws-frame');
    // The frame FakeMessageEvent#data gave (the captured getter), untouched: the patches saw nothing.
    expect(frames.map((f) => f.text)).toEqual(['x']);
    expect(seen).toEqual([]);
    expect(sink.accepted.filter((e) => e.kind === 'lifecycle' || e.kind === 'ws-close')).toEqual([]);
    expect(sink.accepted.filter((e) => e.kind === 'rejected').map((e) => e.reason)).toEqual(
      ['message', 'close', 'offline', 'visibilitychange'].map((t) => expect.stringContaining(`(${t})`)),
    );
    expect(JSON.stringify(sink.accepted)).not.toContain('ALTERED');
  });
});

describe('installHook: the page sees its arguments read exactly as often as without the hook', () => {
  /**
   * Arguments that log every page-defined function the call runs: getters of `init`, the
   * `toString` of an object URL, an own `href` getter and `toString` on a URL instance, an own
   * iterator on a headers array, the `toString` of a header value object.
   */
  function loggedArgs(url: string) {
    const log: string[] = [];
    const getters = (o: object, values: Record<string, unknown>) => {
      for (const [k, v] of Object.entries(values))
        Object.defineProperty(o, k, { enumerable: true, get: () => (log.push(`init.${k}`), v) });
      return o;
    };
    const urlObject = { toString: () => (log.push('input.toString'), url) };
    const urlInstance = Object.defineProperties(new URL(url), {
      href: { get: () => (log.push('url.href'), url) },
      toString: { value: () => (log.push('url.toString'), url) },
    });
    const pairs: [string, string][] = [['apikey', 'pairs-key']];
    Object.defineProperty(pairs, Symbol.iterator, { value: () => (log.push('headers[Symbol.iterator]'), Array.prototype[Symbol.iterator].call(pairs)) });
    const value = { toString: () => (log.push('header.toString'), 'Bearer object') };
    return {
      log,
      calls: [
        ['object input', urlObject, undefined],
        ['URL instance, getter init', urlInstance, getters({}, { method: 'POST', headers: { apikey: 'getter-key' }, body: '{}' })],
        ['string, data init with a pairs iterator', url, { method: 'POST', headers: pairs }],
        ['string, data init with an object header value', url, { headers: { apikey: 'record-key', authorization: value } }],
        ['string, inherited init', url, Object.create(getters({}, { method: 'PUT', headers: { apikey: 'inherited-key' } }))],
      ] as [string, unknown, unknown][],
    };
  }

  /** Runs each call through `fetch`, returning what the page's functions logged per call. */
  async function observe(fetch: (...a: unknown[]) => Promise<Response>, url: string) {
    const { log, calls } = loggedArgs(url);
    const seen: Record<string, string[]> = {};
    for (const [name, input, init] of calls) {
      log.length = 0;
      await (await fetch(input, init)).text();
      seen[name] = [...log];
    }
    return seen;
  }

  for (const path of ['/elsewhere', '/auth/v1/token']) {
    it(`fetch of ${path}: the same page code runs, as often, in the same order`, async () => {
      const without = await observe(globalThis.fetch as (...a: unknown[]) => Promise<Response>, `${origin}${path}`);
      const { w, handovers } = fakeWindow();
      installHook(w);
      const sink = collect(handovers[0].ports[0]);
      const withHook = await observe(w.fetch, `${origin}${path}`);
      expect(withHook).toEqual(without);
      // The logs are real: native fetch did run the page's functions (once each).
      expect(without['object input']).toEqual(['input.toString']);
      expect(without['URL instance, getter init']).toEqual(expect.arrayContaining(['url.toString', 'init.method', 'init.headers', 'init.body']));
      expect(without['string, data init with a pairs iterator']).toEqual(['headers[Symbol.iterator]']);
      expect(without['string, data init with an object header value']).toEqual(['header.toString']);

      await new Promise((r) => setTimeout(r, 50));
      const requests = sink.accepted.filter((e) => e.kind === 'http-request');
      if (path === '/elsewhere') return expect(requests).toEqual([]);
      // What the hook could read without running page code is recorded; the rest is not guessed:
      // an object URL is not captured, a getter/inherited method is UNKNOWN, getter headers and
      // non-string header values are left out.
      const url = `${origin}${path}`;
      expect(requests.map(({ method, url, headers }) => ({ method, url, headers }))).toEqual([
        { method: 'UNKNOWN', url, headers: {} },
        { method: 'POST', url, headers: { apikey: 'pairs-key' } },
        { method: 'GET', url, headers: { apikey: 'record-key' } },
        { method: 'UNKNOWN', url, headers: {} },
      ]);
    });
  }

  it("an aborted fetch is recorded with the DOMException's message, a page's own abort reason is not read", async () => {
    const { w, handovers } = fakeWindow();
    installHook(w);
    const sink = collect(handovers[0].ports[0]);
    const aborted = await w.fetch(`${origin}/auth/v1/user`, { signal: AbortSignal.abort() }).catch((e: Error) => e);
    expect(aborted).toBeInstanceOf(DOMException);
    let read = 0;
    const reason = { get message() { return read++, 'page reason'; } };
    expect(await w.fetch(`${origin}/auth/v1/user`, { signal: AbortSignal.abort(reason) }).catch((e: unknown) => e)).toBe(reason);
    await sink.until(() => sink.accepted.filter((e) => e.kind === 'http-response').length === 2);
    expect(sink.accepted.filter((e) => e.kind === 'http-response').map((e) => e.networkError)).toEqual([aborted.message, 'unknown error']);
    expect(read).toBe(0);
  });

  it('XMLHttpRequest#open: an object URL is converted once, by open itself', async () => {
    /** open() converts its arguments once, as the native does (WebIDL ByteString / USVString). */
    class Xhr extends EventTarget {
      opened: string[] = [];
      open(method: unknown, url: unknown) {
        this.opened = [String(method), String(url)];
      }
      setRequestHeader(name: unknown, value: unknown) {
        this.opened.push(String(name), String(value));
      }
      send() {}
    }
    for (const k of ['status', 'responseType', 'response']) Object.defineProperty(Xhr.prototype, k, { get: () => '' });
    const { w, handovers } = fakeWindow();
    w.XMLHttpRequest = Xhr;
    installHook(w);
    const sink = collect(handovers[0].ports[0]);
    const log: string[] = [];
    const run = (x: Xhr, path: string) => {
      log.length = 0;
      const method = { toString: () => (log.push('method.toString'), 'POST') };
      x.open(method, { toString: () => (log.push('url.toString'), `${origin}${path}`) });
      return [...log];
    };
    for (const path of ['/elsewhere', '/auth/v1/token']) {
      expect(run(new w.XMLHttpRequest(), path)).toEqual(['method.toString', 'url.toString']);
      expect(run(new Xhr(), path)).toEqual(['method.toString', 'url.toString']);
    }
    // A URL instance is read through the native getter; a method object is not converted again.
    const x = new w.XMLHttpRequest();
    x.open({ toString: () => 'post' }, new URL(`${origin}/auth/v1/logout`));
    x.setRequestHeader('apikey', 'xhr-key');
    x.setRequestHeader('Authorization', { toString: () => (log.push('value.toString'), 'Bearer x') });
    x.send();
    await sink.until(() => sink.accepted.some((e) => e.kind === 'http-request'));
    expect(sink.accepted.filter((e) => e.kind === 'http-request').map(({ method, url, headers }) => ({ method, url, headers }))).toEqual([
      { method: 'UNKNOWN', url: `${origin}/auth/v1/logout`, headers: { apikey: 'xhr-key' } },
    ]);
    expect(log.filter((l) => l === 'value.toString')).toHaveLength(1); // by setRequestHeader itself
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
