import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../model';
import { PROTOCOL_VERSION } from '../../messages';
import { DevtoolsSocketMerger, frameBody, hookSocketsFromRows, matchHookSocket, type HookSocket } from './devtools-merge';
import { EMPTY_STATS } from './test-doc';
import { parseHarSocket, type HarSocket } from './har-sockets';
import { scrubUrl } from '../url-secrets';
import { Session } from './session';

// Shapes as Chromium 156 reported them (measured with the real DevTools panel; see har-sockets.ts).
const T0 = Date.parse('2026-11-27T10:12:29.610Z');
const WS_URL = 'ws://127.0.0.1:35265/realtime/v1/websocket?apikey=eyJhbGciOiJIUzI1NiJ9.e30.sig&vsn=2.0.0';
const JOIN = '["1","1","realtime:worker-room","phx_join",{"config":{"broadcast":{"self":false},"presence":{"key":""},"postgres_changes":[],"private":false}}]';
const REPLY = '["1","1","realtime:worker-room","phx_reply",{"status":"ok","response":{"postgres_changes":[]}}]';
const BROADCAST = '[null,"2","realtime:worker-room","broadcast",{"type":"broadcast","event":"from-worker","payload":{"n":1}}]';

function wsEntry(opts: { url?: string; start?: number; status?: number; messages?: unknown[] | null; time?: number; initiator?: string } = {}) {
  const start = opts.start ?? T0;
  const entry: Record<string, unknown> = {
    _resourceType: 'websocket',
    _initiator: { type: 'script', stack: { callFrames: [{ functionName: 'onmessage', url: opts.initiator ?? 'http://127.0.0.1:35265/app/worker.js', lineNumber: 15 }] } },
    request: { method: 'GET', url: opts.url ?? WS_URL, headers: [] },
    response: { status: opts.status ?? 101, statusText: opts.status === 0 ? '' : 'Switching Protocols', headers: [] },
    startedDateTime: new Date(start).toISOString(),
    time: opts.time ?? 24.96,
  };
  if (opts.messages !== null) entry._webSocketMessages = opts.messages ?? [];
  return entry;
}

const msg = (type: 'send' | 'receive', atMs: number, data: string, opcode = 1) => ({ type, time: atMs / 1000, opcode, data });

function workerMessages(): unknown[] {
  return [msg('send', T0 + 12.8, JOIN), msg('receive', T0 + 24.4, REPLY), msg('send', T0 + 24.8, BROADCAST)];
}

function socketOf(entry: unknown): HarSocket {
  const parsed = parseHarSocket(entry);
  if (parsed.kind !== 'socket') throw new Error(`expected a socket, got ${parsed.kind}`);
  return parsed.socket;
}

describe('parseHarSocket (Chromium HAR WebSocket entries)', () => {
  it('reads direction, epoch-seconds time as ms, text and base64 binary frames', () => {
    const s = socketOf(wsEntry({ messages: [...workerMessages(), msg('receive', T0 + 30, 'AQID', 2)] }));
    expect(s.url).toBe(WS_URL);
    expect(s.startedAt).toBe(T0);
    expect(s.status).toBe(101);
    expect(s.framesVisible).toBe(true);
    expect(s.messages.map((m) => [m.dir, m.opcode, m.time - T0])).toEqual([
      ['sent', 'text', 13],
      ['received', 'text', 24],
      ['sent', 'text', 25],
      ['received', 'binary', 30],
    ]);
    expect(s.messages[0].data).toBe(JOIN);
  });

  it('a refused upgrade: status 0 and an error message, no frames', () => {
    const s = socketOf(wsEntry({ status: 0, messages: [{ type: 'error', time: (T0 + 70) / 1000, opcode: -1, data: '' }] }));
    expect(s.status).toBe(0);
    expect(s.errored).toBe(true);
    expect(s.errorAt).toBe(T0 + 70);
    expect(s.messages).toEqual([]);
  });

  it('no _webSocketMessages (Firefox): frames not visible', () => {
    expect(socketOf(wsEntry({ messages: null })).framesVisible).toBe(false);
  });

  it('ignores ordinary HTTP entries, explains unreadable ones, counts unreadable messages', () => {
    expect(parseHarSocket({ _resourceType: 'script', request: { url: 'http://x/app.js' } }).kind).toBe('not-websocket');
    expect(parseHarSocket('nonsense')).toEqual({ kind: 'unreadable', reason: 'a HAR entry was not an object' });
    const noDate = parseHarSocket({ _resourceType: 'websocket', request: { url: WS_URL } });
    expect(noDate.kind).toBe('unreadable');
    if (noDate.kind === 'unreadable') expect(noDate.reason).toContain('startedDateTime');
    const s = socketOf(wsEntry({ messages: [msg('send', T0, JOIN), { type: 'send', time: 'x', data: 1 }, msg('receive', T0, '!!!', 2), { type: 'ping' }] }));
    expect(s.messages).toHaveLength(1);
    expect(s.unreadableMessages).toBe(3);
  });
});

describe('matchHookSocket', () => {
  const har = socketOf(wsEntry({ messages: workerMessages() }));
  const hook = (over: Partial<HookSocket> = {}): HookSocket => ({
    conn: 'd1:1',
    url: WS_URL,
    time: T0 - 1,
    frames: [
      { dir: 'sent', opcode: 'text', data: JOIN, truncated: false, time: T0 + 12 },
      { dir: 'received', opcode: 'text', data: REPLY, truncated: false, time: T0 + 25 },
    ],
    ...over,
  });

  it('same URL and same first frames: the hook’s socket', () => {
    expect(matchHookSocket(har, [hook()], new Set())).toBe('d1:1');
  });

  it('a different payload, direction, URL, or a time far off: not the hook’s', () => {
    const other = '["1","1","realtime:other","phx_join",{}]';
    expect(matchHookSocket(har, [hook({ frames: [{ dir: 'sent', opcode: 'text', data: other, truncated: false, time: T0 + 12 }] })], new Set())).toBeUndefined();
    expect(matchHookSocket(har, [hook({ frames: [{ dir: 'received', opcode: 'text', data: JOIN, truncated: false, time: T0 + 12 }] })], new Set())).toBeUndefined();
    expect(matchHookSocket(har, [hook({ url: WS_URL.replace('35265', '1') })], new Set())).toBeUndefined();
    expect(matchHookSocket(har, [hook({ frames: [{ dir: 'sent', opcode: 'text', data: JOIN, truncated: false, time: T0 + 60_000 }] })], new Set())).toBeUndefined();
  });

  it('two sockets to the same URL (a worker and the page, same key): each DevTools socket claims its own', () => {
    const page = hook({ conn: 'd1:1', time: T0 - 5_000, frames: [{ dir: 'sent', opcode: 'text', data: JOIN.replace('worker-room', 'main-room'), truncated: false, time: T0 - 4_990 }] });
    expect(matchHookSocket(har, [page], new Set())).toBeUndefined();
    const twin = hook({ conn: 'd1:2' });
    expect(matchHookSocket(har, [page, twin], new Set())).toBe('d1:2');
    expect(matchHookSocket(har, [page, twin], new Set(['d1:2']))).toBeUndefined();
  });

  it('no frames on either side yet: creation time decides', () => {
    const bare = socketOf(wsEntry({ messages: [] }));
    expect(matchHookSocket(bare, [hook({ frames: [] })], new Set())).toBe('d1:1');
    expect(matchHookSocket(bare, [hook({ frames: [], time: T0 + 10_000 })], new Set())).toBeUndefined();
  });

  it('a hook preview (truncated frame) matches the full frame DevTools has', () => {
    const big = `["1","1","realtime:worker-room","phx_join",{"x":"${'a'.repeat(1000)}"}]`;
    const h = socketOf(wsEntry({ messages: [msg('send', T0 + 5, big)] }));
    expect(matchHookSocket(h, [hook({ frames: [{ dir: 'sent', opcode: 'text', data: big.slice(0, 100), truncated: true, time: T0 + 5 }] })], new Set())).toBe('d1:1');
  });
});

// -----------------------------------------------------------------------------------------------
// The merger feeding a real Session (the panel's store and Realtime tracker).

const TAB = 7;
const stats = EMPTY_STATS;

function modelWithHookSocket(frames: Array<{ dir: 'sent' | 'received'; text: string; time: number }>, url = WS_URL, time = T0 - 1): Session {
  const model = new Session({ tabId: TAB });
  const events: CapturedEvent[] = [
    { kind: 'ws-connecting', conn: 'doc1:1', url, protocols: [], seq: 1, time, docId: 'doc1', source: 'page' },
    { kind: 'ws-open', conn: 'doc1:1', protocol: '', extensions: '', seq: 2, time: time + 5, docId: 'doc1', source: 'page' },
    ...frames.map(
      (f, i): CapturedEvent => ({ kind: 'ws-frame', conn: 'doc1:1', dir: f.dir, opcode: 'text', text: f.text, size: f.text.length, seq: 3 + i, time: f.time, docId: 'doc1', source: 'page' }),
    ),
  ];
  model.apply({ type: 'status', v: PROTOCOL_VERSION, tabId: TAB, status: 'capturing' });
  model.apply({ type: 'snapshot', snapshot: { doc: { docId: 'doc1', url: 'http://127.0.0.1/app/', isTop: true, startedAt: T0 - 100 }, events, stats } });
  return model;
}

function step(merger: DevtoolsSocketMerger, model: Session, now: number): CapturedEvent[] {
  const events = merger.decide(now, () => hookSocketsFromRows(model.log.rows), model.log.status !== 'connecting');
  model.applyLocal(events);
  return events;
}

describe('DevtoolsSocketMerger with the panel model', () => {
  it('a worker’s socket (the hook never saw it) is added once, as devtools:<tab> events, then decoded like any socket', () => {
    const model = modelWithHookSocket([]); // the page has its own socket... to another URL
    model.apply({ type: 'events', docId: 'doc1', events: [], stats });
    const merger = new DevtoolsSocketMerger({ tabId: TAB });
    const workerUrl = WS_URL.replace('vsn=2.0.0', 'vsn=2.0.0&worker=1');
    merger.offer(wsEntry({ url: workerUrl, messages: workerMessages().slice(0, 2) }), false, T0 + 100);
    expect(step(merger, model, T0 + 200)).toEqual([]); // grace period: the hook's events may be on their way
    expect(merger.summary().pending).toBe(1);
    expect(merger.wantsPoll(T0 + 200)).toBe(true);

    const first = step(merger, model, T0 + 2_000);
    expect(first.map((e) => e.kind)).toEqual(['ws-connecting', 'ws-open', 'ws-frame', 'ws-frame']);
    expect(first.every((e) => e.docId === `devtools:${TAB}` && e.source === 'devtools')).toBe(true);
    expect(first.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    const conn = (first[0] as CapturedEvent & { kind: 'ws-connecting' }).conn;
    expect(conn).toBe(`devtools:${TAB}:1`);

    // Re-reading the log (getHAR again) brings one more frame: only that one is added.
    merger.offer(wsEntry({ url: workerUrl, messages: workerMessages() }), false, T0 + 5_000);
    const second = step(merger, model, T0 + 5_000);
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({ kind: 'ws-frame', dir: 'sent', text: BROADCAST, seq: 5 });
    // The same read again adds nothing.
    merger.offer(wsEntry({ url: workerUrl, messages: workerMessages() }), false, T0 + 8_000);
    expect(step(merger, model, T0 + 8_000)).toEqual([]);

    // It closes: onRequestFinished reports it with its lifetime, and no close code.
    merger.offer(wsEntry({ url: workerUrl, messages: workerMessages(), time: 859 }), true, T0 + 9_000);
    const closed = step(merger, model, T0 + 9_000);
    expect(closed).toEqual([expect.objectContaining({ kind: 'ws-close', conn, code: 0, time: T0 + 859 })]);
    expect(merger.wantsPoll(T0 + 9_000)).toBe(false);

    const session = model.realtime();
    const record = session.connections.find((c) => c.conn === conn)!;
    expect(record).toMatchObject({ url: workerUrl, framesSent: 2, framesReceived: 1, refused: false });
    const channel = session.channels.find((c) => c.key.conn === conn)!;
    expect(channel.key.topic).toBe('realtime:worker-room');
    expect(channel.attempts[0].status).toBe('ok');
    expect(merger.devtoolsSocket(conn)).toMatchObject({ framesVisible: true, finished: true, status: 101 });
    expect(merger.devtoolsSocket('doc1:1')).toBeUndefined();
    expect(model.log.eventCount).toBe(2 + 6); // the hook's 2 + the worker socket's 6, nothing twice
  });

  it('a socket the hook captured (same URL and frames) is not added again', () => {
    const model = modelWithHookSocket([
      { dir: 'sent', text: JOIN, time: T0 + 13 },
      { dir: 'received', text: REPLY, time: T0 + 24 },
    ]);
    const merger = new DevtoolsSocketMerger({ tabId: TAB });
    merger.offer(wsEntry({ messages: workerMessages() }), false, T0 + 100);
    expect(step(merger, model, T0 + 100)).toEqual([]);
    expect(merger.summary()).toMatchObject({ hookSeen: 1, devtoolsOnly: 0, pending: 0 });
    merger.offer(wsEntry({ messages: workerMessages(), time: 900 }), true, T0 + 5_000);
    expect(step(merger, model, T0 + 5_000)).toEqual([]);
    expect(merger.wantsPoll(T0 + 5_000)).toBe(false);
    expect(model.log.eventCount).toBe(4);
  });

  it('the initiator stack decides nothing: a page naming its script like an extension gets its socket shown', () => {
    // The hook's sockets are recognised by URL, frames and time; a script URL on the initiator
    // stack (which a page controls with a sourceURL) makes no socket the hook's.
    const model = new Session({ tabId: TAB });
    model.apply({ type: 'status', v: PROTOCOL_VERSION, tabId: TAB, status: 'capturing' });
    model.apply({ type: 'snapshot', snapshot: { doc: { docId: 'doc1', url: 'http://x/', isTop: true, startedAt: T0 }, events: [], stats } });
    const merger = new DevtoolsSocketMerger({ tabId: TAB });
    merger.offer(wsEntry({ messages: workerMessages(), initiator: 'chrome-extension://abc/page.js' }), false, T0);
    expect(step(merger, model, T0 + 10_000).map((e) => e.kind)).toContain('ws-connecting');
    expect(merger.summary()).toMatchObject({ hookSeen: 0, devtoolsOnly: 1 });
  });

  it("a URL with a secret is scrubbed as the hook's are, so the two still match and no secret is added", () => {
    const secretUrl = `${WS_URL}&token=one-time-secret`;
    const model = modelWithHookSocket([{ dir: 'sent', text: JOIN, time: T0 + 13 }], scrubUrl(secretUrl));
    const merger = new DevtoolsSocketMerger({ tabId: TAB });
    merger.offer(wsEntry({ url: secretUrl, messages: workerMessages() }), false, T0 + 100);
    expect(step(merger, model, T0 + 10_000)).toEqual([]);
    expect(merger.summary()).toMatchObject({ hookSeen: 1, devtoolsOnly: 0 });
  });

  it('waits for the hook’s snapshot before deciding (panel still connecting)', () => {
    const model = new Session({ tabId: TAB });
    const merger = new DevtoolsSocketMerger({ tabId: TAB });
    merger.offer(wsEntry({ messages: workerMessages() }), false, T0);
    expect(step(merger, model, T0 + 10_000)).toEqual([]);
    // The snapshot arrives with the hook's copy of the same socket: matched, nothing added.
    model.apply({
      type: 'snapshot',
      snapshot: {
        doc: { docId: 'doc1', url: 'http://x/', isTop: true, startedAt: T0 },
        events: [
          { kind: 'ws-connecting', conn: 'doc1:1', url: WS_URL, protocols: [], seq: 1, time: T0, docId: 'doc1', source: 'page' },
          { kind: 'ws-frame', conn: 'doc1:1', dir: 'sent', opcode: 'text', text: JOIN, size: JOIN.length, seq: 2, time: T0 + 13, docId: 'doc1', source: 'page' },
        ],
        stats,
      },
    });
    expect(step(merger, model, T0 + 10_500)).toEqual([]);
    expect(merger.summary().hookSeen).toBe(1);
  });

  it('a refused upgrade only DevTools saw: connecting, error, close; the tracker calls it refused; no status invented', () => {
    const model = modelWithHookSocket([]);
    const merger = new DevtoolsSocketMerger({ tabId: TAB });
    const url = WS_URL.replace('apikey=', 'apikey=expired');
    merger.offer(wsEntry({ url, status: 0, time: 76, messages: [{ type: 'error', time: (T0 + 70) / 1000, opcode: -1, data: '' }] }), true, T0 + 100);
    const events = step(merger, model, T0 + 2_000);
    expect(events.map((e) => e.kind)).toEqual(['ws-connecting', 'ws-error', 'ws-close']);
    expect(events.some((e) => e.kind === 'net')).toBe(false);
    const record = model.realtime().connections.find((c) => c.url === url)!;
    expect(record.refused).toBe(true);
    expect(record.upgrade).toBeUndefined();
    expect(merger.devtoolsSocket(record.conn)).toMatchObject({ status: 0, finished: true });
  });

  it('after Clear, re-reading the log adds nothing old again', () => {
    const model = modelWithHookSocket([]);
    const merger = new DevtoolsSocketMerger({ tabId: TAB });
    const url = WS_URL.replace('vsn', 'w=1&vsn');
    merger.offer(wsEntry({ url, messages: workerMessages() }), false, T0);
    expect(step(merger, model, T0 + 2_000)).toHaveLength(5);
    model.clear();
    merger.offer(wsEntry({ url, messages: workerMessages() }), false, T0 + 3_000);
    expect(step(merger, model, T0 + 3_000)).toEqual([]);
    expect(model.log.eventCount).toBe(0);
  });

  it('stops asking for re-reads once an open socket is idle for a minute; unreadable entries are reported', () => {
    const merger = new DevtoolsSocketMerger({ tabId: TAB });
    merger.offer(wsEntry({ messages: workerMessages() }), false, T0);
    expect(merger.wantsPoll(T0 + 59_000)).toBe(true);
    expect(merger.wantsPoll(T0 + 61_000)).toBe(false);
    merger.offer({ _resourceType: 'websocket', request: {} }, false, T0);
    expect(merger.summary().unreadable).toBe(1);
    expect(merger.summary().problems[0]).toContain('no request URL');
  });

  it('non-Realtime sockets in the log are left alone; Phoenix-speaking ones on other paths are taken', () => {
    const merger = new DevtoolsSocketMerger({ tabId: TAB });
    merger.offer(wsEntry({ url: 'ws://127.0.0.1/chat', messages: [msg('send', T0, 'hello')] }), false, T0);
    expect(merger.summary()).toMatchObject({ pending: 0, hookSeen: 0, devtoolsOnly: 0 });
    merger.offer(wsEntry({ url: 'ws://127.0.0.1/custom', messages: [msg('send', T0, JOIN)] }), false, T0);
    expect(merger.summary().pending).toBe(1);
  });
});

describe('frameBody', () => {
  it('cuts frames over the store cap to a preview with their full size, like the content script', () => {
    const big = 'x'.repeat(300 * 1024);
    const body = frameBody('c', { dir: 'received', time: T0, opcode: 'text', data: big });
    expect(body).toMatchObject({ kind: 'ws-frame', size: 300 * 1024, truncated: true });
    expect((body as { text: string }).text.length).toBe(16 * 1024);
    expect(frameBody('c', { dir: 'sent', time: T0, opcode: 'binary', data: 'AQID' })).toMatchObject({ base64: 'AQID', size: 3 });
  });
});
