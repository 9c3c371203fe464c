import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../messages';
import { HANDOVER_KEY } from '../page/handover';
import { FakeClock, MemoryPort, portPair } from '../transport/testing';
import { HOOK_GRACE_MS } from './hook-watch';
import { ContentStore, RECONNECT_MS, STREAM_FLUSH_AT, STREAM_FLUSH_MS, SUMMARY_MS, type HandoverEvent, type PagePort } from './store';

const URL_AT_START = 'https://app.test/';
const SOCKET_URL = 'wss://x.supabase.co/realtime/v1/websocket?vsn=2.0.0';

/** A document's store on in-memory ports: `ports` are the content script's ends, `workers` the service worker's. */
function setup(opts: { now?: () => number; tasks?: Array<() => void> } = {}) {
  const clock = new FakeClock();
  clock.now = 1_700_000_000_000;
  const ports: MemoryPort[] = [];
  const workers: MemoryPort[] = [];
  const win = {};
  let contextGone = false;
  const store = new ContentStore({
    docId: 'd1',
    url: URL_AT_START,
    isTop: true,
    startedAt: clock.now,
    window: win,
    currentUrl: () => 'https://app.test/moved',
    connect() {
      if (contextGone) throw new Error('Extension context invalidated.');
      const [content, worker] = portPair();
      ports.push(content);
      workers.push(worker);
      return content;
    },
    now: opts.now ?? (() => clock.now),
    // With `tasks`: timers of 0 ms are queued there, for the test to run one task at a time.
    setTimer: opts.tasks ? (fn: () => void, ms: number) => (ms === 0 ? opts.tasks!.push(fn) : clock.setTimer(fn, ms)) : clock.setTimer,
    clearTimer: clock.clearTimer,
  });
  /** What the content script posted on its current (last) port. */
  const sent = () => ports.at(-1)?.posted ?? [];
  /** The service worker posts to the content script. */
  const fromWorker = (message: unknown) => workers.at(-1)!.postMessage(message);
  /** The service worker stops: the port drops. */
  const workerStopped = () => workers.at(-1)!.disconnect();
  const seqs = (events: Array<{ seq: number }>) => events.map((e) => e.seq);
  /** Everything streamed on every port, by seq. */
  const streamed = () => ports.flatMap((p) => p.ofType('events')).flatMap((m) => seqs(m.events));
  return { store, clock, ports, workers, win, sent, fromWorker, workerStopped, seqs, streamed, invalidateContext: () => (contextGone = true) };
}

const pageEvent = (i: number) => ({ kind: 'ws-connecting', conn: `c${i}`, url: SOCKET_URL, protocols: [], time: 1_700_000_000_000 + i });
const serverError = () => ({ kind: 'http-response', req: 'r1', status: 401, time: 1_700_000_000_500 });
const batch = (events: unknown[]) => ({ v: PROTOCOL_VERSION, type: 'batch', events });
const pageEvents = (from: number, to: number) => batch(Array.from({ length: to - from + 1 }, (_, i) => pageEvent(from + i)));

class FakePagePort implements PagePort {
  onmessage: ((event: MessageEvent) => void) | null = null;
  closed = false;
  close() {
    this.closed = true;
  }
  post(data: unknown) {
    this.onmessage?.({ data } as MessageEvent);
  }
}

function handover(source: unknown, opts: { trusted?: boolean; ports?: FakePagePort[]; data?: unknown } = {}) {
  let stopped = false;
  const event: HandoverEvent = {
    data: opts.data ?? { [HANDOVER_KEY]: PROTOCOL_VERSION },
    source,
    isTrusted: opts.trusted ?? true,
    ports: opts.ports ?? [new FakePagePort()],
    stopImmediatePropagation: () => void (stopped = true),
  };
  return { event, stopped: () => stopped };
}

describe('ContentStore', () => {
  it('says hello when it starts, then tells the hook state once decided', () => {
    const h = setup();
    h.store.start();
    expect(h.sent()).toEqual([{ type: 'hello', v: PROTOCOL_VERSION, doc: { docId: 'd1', url: URL_AT_START, isTop: true, startedAt: h.clock.now } }]);
    h.store.documentParsed();
    h.clock.advance(HOOK_GRACE_MS);
    expect(h.sent().at(-1)).toEqual({ type: 'document', doc: expect.objectContaining({ docId: 'd1', hook: 'missing' }) });
    // A hand-over after the hook's grace period can only be the page's own (the hook hands over at
    // document_start): refused, its port closed, and the document marked as tampered.
    const late = new FakePagePort();
    const lateHandover = handover(h.win, { ports: [late] });
    h.store.handover(lateHandover.event);
    expect(lateHandover.stopped()).toBe(true);
    expect(late.closed).toBe(true);
    expect(h.sent().at(-1)).toEqual({ type: 'document', doc: expect.objectContaining({ hook: 'missing', tampered: 1 }) });
    late.post(pageEvents(1, 1));
    expect(h.store.events().map((e) => e.kind)).toEqual(['rejected']);
  });

  it('marks the document tampered when the hook reports an event the page dispatched itself, and keeps capturing', () => {
    const h = setup();
    h.store.start();
    const hook = new FakePagePort();
    h.store.handover(handover(h.win, { ports: [hook] }).event);
    hook.post(batch([pageEvent(1), { kind: 'forged', event: 'message', time: 1_700_000_000_010 }, { kind: 'forged', event: 'close', time: 1_700_000_000_011 }, pageEvent(2)]));
    const events = h.store.events();
    expect(events.map((e) => e.kind)).toEqual(['ws-connecting', 'rejected', 'rejected', 'ws-connecting']);
    expect(events[1]).toMatchObject({ reason: expect.stringContaining('dispatched a WebSocket or lifecycle event itself') });
    // Told at once the first time, then the count together a moment later.
    expect(h.sent().filter((m) => m.type === 'document' && m.doc.tampered)).toEqual([{ type: 'document', doc: expect.objectContaining({ hook: 'connected', tampered: 1 }) }]);
    h.clock.advance(SUMMARY_MS);
    expect(h.sent().filter((m) => m.type === 'document' && m.doc.tampered).map((m) => m.doc.tampered)).toEqual([1, 2]);
    expect(h.store.doc.tampered).toBe(2);
  });

  it('scrubs secrets from the URLs of page events, and stamps no URL on events', () => {
    const h = setup();
    h.store.start();
    const hook = new FakePagePort();
    h.store.handover(handover(h.win, { ports: [hook] }).event);
    hook.post(
      batch([
        { kind: 'http-request', req: 'r1', method: 'GET', url: 'https://x.supabase.co/auth/v1/verify?token=ONE-TIME&type=signup', headers: {}, api: 'fetch', time: 1_700_000_000_001 },
      ]),
    );
    const [ev] = h.store.events();
    expect(ev).toMatchObject({ kind: 'http-request', url: 'https://x.supabase.co/auth/v1/verify?token=[redacted]&type=signup' });
    expect(ev).not.toHaveProperty('frameUrl');
  });

  it('accepts one trusted hand-over from its own window, and swallows and closes every other', () => {
    const h = setup();
    h.store.start();
    const foreign = handover({});
    h.store.handover(foreign.event);
    expect(foreign.stopped()).toBe(false); // another window's message: not ours to touch

    const forged = new FakePagePort();
    const synthetic = handover(h.win, { trusted: false, ports: [forged] });
    h.store.handover(synthetic.event);
    expect(synthetic.stopped()).toBe(true);
    expect(forged.closed).toBe(true);
    forged.post(pageEvents(1, 1));
    expect(h.store.events()).toEqual([]);

    const hook = new FakePagePort();
    h.store.handover(handover(h.win, { ports: [hook] }).event);
    hook.post(pageEvents(1, 2));
    expect(h.store.events().map((e) => e.kind)).toEqual(['ws-connecting', 'ws-connecting']);

    const second = new FakePagePort();
    const again = handover(h.win, { ports: [second] });
    h.store.handover(again.event);
    expect(again.stopped()).toBe(true);
    expect(second.closed).toBe(true);
  });

  it('reads the data of a page message only when it comes from its own window with a port', () => {
    const h = setup();
    h.store.start();
    // Reading `data` deserializes whatever the page posted in the content script's world: a
    // message that cannot be the hand-over (another window's, or one without a port) is left alone.
    let reads = 0;
    const watched = (source: unknown, ports: FakePagePort[]) => {
      const { event } = handover(source, { ports });
      return Object.defineProperty({ ...event }, 'data', {
        get: () => {
          reads++;
          return { [HANDOVER_KEY]: PROTOCOL_VERSION };
        },
      }) as HandoverEvent;
    };
    h.store.handover(watched({}, [new FakePagePort()]));
    h.store.handover(watched(h.win, []));
    expect(reads).toBe(0);
    const hook = new FakePagePort();
    h.store.handover(watched(h.win, [hook]));
    expect(reads).toBe(1);
    hook.post(pageEvents(1, 1));
    expect(h.store.events()).toHaveLength(1);
  });

  it('streams live events in batches while a panel listens, and drops the queue when told to stop', () => {
    const h = setup();
    h.store.start();
    h.store.ingest(pageEvents(1, 3));
    expect(h.sent().filter((m) => m.type === 'events')).toEqual([]); // nobody listens

    h.fromWorker({ type: 'stream', on: true });
    h.store.ingest(pageEvents(4, 5));
    expect(h.streamed()).toEqual([]);
    h.clock.advance(STREAM_FLUSH_MS);
    expect(h.streamed()).toEqual([4, 5]);
    expect(h.sent().at(-1)).toMatchObject({ type: 'events', docId: 'd1', stats: { events: 5 } });

    // A flood is flushed at once, without waiting for the timer.
    const flood = STREAM_FLUSH_AT;
    h.store.ingest(pageEvents(6, 5 + flood));
    expect(h.streamed()).toHaveLength(2 + flood);

    h.store.ingest(pageEvents(6 + flood, 6 + flood));
    h.fromWorker({ type: 'stream', on: false });
    h.clock.advance(STREAM_FLUSH_MS);
    h.store.ingest(pageEvents(7 + flood, 7 + flood));
    h.clock.advance(STREAM_FLUSH_MS);
    expect(h.streamed()).toHaveLength(2 + flood);
    expect(h.store.events()).toHaveLength(7 + flood); // the store keeps everything either way
  });

  it('answers a snapshot request with everything queued for the stream: no event lost, none sent twice', () => {
    const h = setup();
    h.store.start();
    h.store.ingest(pageEvents(1, 2));
    h.fromWorker({ type: 'stream', on: true });
    h.store.ingest(pageEvents(3, 4)); // queued for the stream when the request arrives
    h.fromWorker({ type: 'snapshot-request', requestId: 's1' });
    const [snapshot] = h.sent().filter((m) => m.type === 'snapshot');
    expect(snapshot).toMatchObject({ requestId: 's1', snapshot: { doc: { docId: 'd1' }, stats: { events: 4 } } });
    expect(h.seqs(snapshot.snapshot.events)).toEqual([1, 2, 3, 4]);
    h.store.ingest(pageEvents(5, 6));
    h.clock.advance(STREAM_FLUSH_MS);
    expect(h.streamed()).toEqual([5, 6]);
  });

  it('clears the store, its stream queue and its badge counts', () => {
    const h = setup();
    h.store.start();
    h.fromWorker({ type: 'stream', on: true });
    h.store.ingest(batch([pageEvent(1), serverError()]));
    h.fromWorker({ type: 'clear' });
    h.clock.advance(SUMMARY_MS);
    // The queued events were cleared before they left; the badge is told it is back to zero.
    expect(h.streamed()).toEqual([]);
    expect(h.sent().filter((m) => m.type === 'summary')).toEqual([{ type: 'summary', docId: 'd1', realtimeSockets: 0, serverErrors: 0, exposures: 0 }]);
    h.fromWorker({ type: 'snapshot-request', requestId: 's2' });
    expect(h.sent().at(-1).snapshot.events).toEqual([]);
    // Sequence numbers keep increasing after a clear: the panel tells old from new by seq.
    h.store.ingest(pageEvents(3, 3));
    h.clock.advance(STREAM_FLUSH_MS);
    expect(h.streamed()).toEqual([3]);
  });

  it('reconnects when the port drops while a panel listens: hello again, and streaming resumes when asked', () => {
    const h = setup();
    h.store.start();
    h.fromWorker({ type: 'stream', on: true });
    h.store.ingest(pageEvents(1, 1));
    h.workerStopped();
    expect(h.store.connected).toBe(false);
    // Captured while no service worker runs: kept, not streamed into the void.
    h.store.ingest(pageEvents(2, 2));
    h.clock.advance(RECONNECT_MS);
    expect(h.ports).toHaveLength(2);
    expect(h.sent()).toEqual([{ type: 'hello', v: PROTOCOL_VERSION, doc: expect.objectContaining({ docId: 'd1' }) }]);
    // The restarted worker serves the panel that resubscribed: stream, then a snapshot.
    h.fromWorker({ type: 'stream', on: true });
    h.fromWorker({ type: 'snapshot-request', requestId: 's9' });
    expect(h.seqs(h.sent().at(-1).snapshot.events)).toEqual([1, 2]);
    h.store.ingest(pageEvents(3, 3));
    h.clock.advance(STREAM_FLUSH_MS);
    expect(h.ports[1].ofType('events').flatMap((m) => h.seqs(m.events))).toEqual([3]);
  });

  it('stays disconnected after a drop with nobody listening, until there is news for the badge or a ping', () => {
    const h = setup();
    h.store.start();
    h.workerStopped();
    h.store.ingest(pageEvents(1, 1));
    h.clock.advance(10_000);
    // The socket opening is badge news (N Realtime sockets): it wakes the worker once.
    expect(h.ports).toHaveLength(2);
    expect(h.sent().map((m) => m.type)).toEqual(['hello', 'summary']);
    h.workerStopped();
    h.clock.advance(10_000);
    expect(h.ports).toHaveLength(2);
    expect(h.store.ping({ type: 'claimscope:ping', v: PROTOCOL_VERSION })).toEqual({ type: 'claimscope:pong', docId: 'd1', url: 'https://app.test/moved' });
    expect(h.ports).toHaveLength(3);
    // A new port: the summary is sent again (the worker that asked may be a new one).
    h.clock.advance(SUMMARY_MS);
    expect(h.sent().map((m) => m.type)).toEqual(['hello', 'summary']);
  });

  it('throttles badge summaries and sends one only when the counts changed', () => {
    const h = setup();
    h.store.start();
    h.store.ingest(batch([pageEvent(1), serverError(), serverError()]));
    h.clock.advance(SUMMARY_MS - 1);
    expect(h.sent().filter((m) => m.type === 'summary')).toEqual([]);
    h.clock.advance(1);
    expect(h.sent().filter((m) => m.type === 'summary')).toEqual([{ type: 'summary', docId: 'd1', realtimeSockets: 1, serverErrors: 2, exposures: 0 }]);
    h.store.ingest(pageEvents(2, 2));
    h.store.ingest(pageEvents(2, 2));
    h.clock.advance(SUMMARY_MS);
    h.store.ingest(batch([{ kind: 'lifecycle', change: 'online', time: 1 }]));
    h.clock.advance(SUMMARY_MS);
    expect(h.sent().filter((m) => m.type === 'summary').map((m) => m.realtimeSockets)).toEqual([1, 3]);
  });

  it('counts server auth errors for the badge from Realtime error replies too', () => {
    const h = setup();
    h.store.start();
    const reply = (status: string, topic = 'realtime:room') =>
      ({ kind: 'ws-frame', conn: 'c1', dir: 'received', opcode: 'text', text: JSON.stringify(['1', '1', topic, 'phx_reply', { status, response: {} }]), size: 60, time: 1 });
    h.store.ingest(batch([pageEvent(1), reply('error'), reply('ok'), reply('error', 'phoenix')]));
    h.clock.advance(SUMMARY_MS);
    expect(h.sent().at(-1)).toEqual({ type: 'summary', docId: 'd1', realtimeSockets: 1, serverErrors: 1, exposures: 0 });
  });

  it('counts critical exposures for the badge: distinct sb_secret_ and service_role keys, wherever the page sent them', () => {
    const h = setup();
    h.store.start();
    const jwt = (claims: object) => `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`;
    const serviceRole = jwt({ iss: 'supabase', ref: 'abcdefghijklmnopqrst', role: 'service_role', iat: 1, exp: 2_000_000_000 });
    const anon = jwt({ iss: 'supabase', ref: 'abcdefghijklmnopqrst', role: 'anon', iat: 1, exp: 2_000_000_000 });
    const userAsServiceRole = jwt({ sub: 'u', role: 'service_role', exp: 2_000_000_000 });
    const secret = 'sb_secret_AbCdEf0123456789_xyzXYZ01';
    const join = (token: string, event = 'phx_join') =>
      ({ kind: 'ws-frame', conn: 'c1', dir: 'sent', opcode: 'text', text: JSON.stringify(['1', '1', 'realtime:room', event, { access_token: token }]), size: 300, time: 2 });
    h.store.ingest(
      batch([
        { kind: 'ws-connecting', conn: 'c1', url: `${SOCKET_URL}&apikey=${encodeURIComponent(serviceRole)}`, protocols: [], time: 1 },
        { kind: 'http-request', req: 'r1', method: 'GET', url: 'https://x.supabase.co/rest/v1/t', headers: { apikey: secret, authorization: `Bearer ${serviceRole}` }, api: 'fetch', time: 3 },
        join(anon),
        join(serviceRole),
      ]),
    );
    h.clock.advance(SUMMARY_MS);
    // The service-role key (socket, header and join) counts once; the anon key not at all.
    expect(h.sent().at(-1)).toMatchObject({ type: 'summary', serverErrors: 0, exposures: 2 });
    // A token minted with role service_role, in an access_token push: a third key.
    h.store.ingest(batch([join(userAsServiceRole, 'access_token'), { ...join(userAsServiceRole), dir: 'received' }]));
    h.clock.advance(SUMMARY_MS);
    expect(h.sent().at(-1)).toMatchObject({ type: 'summary', exposures: 3 });
    // Clear forgets them with the rest.
    h.fromWorker({ type: 'clear' });
    h.clock.advance(SUMMARY_MS);
    expect(h.sent().at(-1)).toMatchObject({ type: 'summary', serverErrors: 0, exposures: 0 });
  });

  describe('bulk frames wait unread until something needs the store (issue 14: the page does not wait for the content script)', () => {
    const broadcast = (n: number) => JSON.stringify([null, null, 'realtime:room', 'broadcast', { n }]);
    const run = (from: number, n: number, dir = 'received') => ({
      kind: 'ws-frames',
      conn: 'c1',
      dir,
      t: Array.from({ length: n }, (_, i) => 1_700_000_000_000 + from + i),
      x: Array.from({ length: n }, (_, i) => broadcast(from + i)),
    });
    const texts = (events: Array<{ kind: string; text?: string }>) => events.filter((e) => e.kind === 'ws-frame').map((e) => JSON.parse(e.text!)[4].n);
    const kind4 = (n: number) => new Uint8Array([4, 4, 1, 0, 1, ...new TextEncoder().encode('room'), 99, ...new TextEncoder().encode(`{"n":${n}}`)]).buffer;
    const stats = (h: ReturnType<typeof setup>) => {
      h.fromWorker({ type: 'snapshot-request', requestId: `q${h.sent().length}` });
      return h.sent().filter((m) => m.type === 'snapshot').at(-1)!.snapshot.stats;
    };

    it('keeps broadcasts, heartbeats and binary broadcasts unread, and reads them in order when asked', () => {
      const h = setup();
      h.store.start();
      h.store.ingest(batch([run(0, 3)]));
      const heartbeat = { ...run(3, 2, 'sent'), x: [JSON.stringify([null, '7', 'phoenix', 'heartbeat', {}]), kind4(4)] };
      h.store.ingest(batch([heartbeat]));
      const heartbeatReply = { ...run(5, 1), x: [JSON.stringify([null, '7', 'phoenix', 'phx_reply', { status: 'ok', response: {} }])] };
      h.store.ingest(batch([heartbeatReply]));
      expect(h.store.unread).toBe(6);
      h.clock.advance(60_000);
      expect(h.store.unread).toBe(6);
      const events = h.store.events();
      expect(h.store.unread).toBe(0);
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(events.map((e) => (e.kind === 'ws-frame' ? `${e.dir} ${e.opcode}` : e.kind))).toEqual([
        'received text', 'received text', 'received text', 'sent text', 'sent binary', 'received text',
      ]);
      expect(texts(events.slice(0, 3))).toEqual([0, 1, 2]);
    });

    it('reads everything waiting before anything leaves or is stored after it: snapshot, network events, pagehide, a panel starting to listen', () => {
      const h = setup();
      h.store.start();
      h.store.ingest(batch([run(0, 2)]));
      h.fromWorker({ type: 'network-events', source: 'network', events: [{ kind: 'net', url: SOCKET_URL, resourceType: 'websocket', method: 'GET', status: 101 }], times: [1_700_000_000_100] });
      h.store.ingest(batch([run(2, 2)]));
      h.fromWorker({ type: 'snapshot-request', requestId: 'q1' });
      const snapshot = h.sent().find((m) => m.type === 'snapshot')!;
      expect(snapshot.snapshot.events.map((e: { kind: string }) => e.kind)).toEqual(['ws-frame', 'ws-frame', 'net', 'ws-frame', 'ws-frame']);
      expect(texts(snapshot.snapshot.events)).toEqual([0, 1, 2, 3]);
      // A panel starts listening with frames waiting: they are stored before the next live batch.
      h.store.ingest(batch([run(4, 1)]));
      h.fromWorker({ type: 'stream', on: true });
      h.store.ingest(batch([run(5, 1)]));
      h.clock.advance(STREAM_FLUSH_MS);
      expect(texts(h.ports.at(-1)!.ofType('events').flatMap((m) => m.events))).toEqual([5]);
      expect(texts(h.store.events())).toEqual([0, 1, 2, 3, 4, 5]);
      h.fromWorker({ type: 'stream', on: false });
      h.store.ingest(batch([run(6, 1)]));
      expect(h.store.unread).toBe(1);
      h.store.pagehide(false);
      expect(h.store.events().at(-1)).toMatchObject({ kind: 'lifecycle', change: 'pagehide' });
      expect(texts(h.store.events())).toEqual([0, 1, 2, 3, 4, 5, 6]);
    });

    it('reads at once, after what waits, everything else: replies, errors, joins, tokens, socket events, malformed batches', () => {
      const h = setup();
      h.store.start();
      const reply = (status: string) => JSON.stringify(['1', '2', 'realtime:room', 'phx_reply', { status, response: {} }]);
      const frames = (dir: string, ...x: unknown[]) => batch([{ ...run(100, x.length, dir), x }]);
      const readAtOnce = [
        frames('received', broadcast(1), reply('ok')), // may answer a join
        frames('received', JSON.stringify(['1', '1', 'realtime:room', 'phx_reply', { status: 'error', response: { reason: 'Token has expired 3 seconds ago' } }])),
        frames('received', JSON.stringify([null, null, 'realtime:room', 'system', { status: 'error', message: 'x' }])),
        frames('sent', JSON.stringify(['1', '1', 'realtime:room', 'phx_join', { access_token: 'sb_secret_AbCdEf0123456789_xyzXYZ01' }])),
        frames('sent', JSON.stringify([null, '3', 'realtime:room', 'access_token', { access_token: 'a.b.c' }])),
        frames('received', 'not phoenix'),
        frames('received', new Uint8Array([9, 1]).buffer),
        frames('received', new ArrayBuffer(0)),
        frames('received', 42),
        batch([run(0, 1), pageEvent(1)]),
        { v: PROTOCOL_VERSION + 1, type: 'batch', events: [run(0, 1)] },
        { ...batch([run(0, 1)]), type: 'other' },
        batch([{ ...run(0, 2), t: [1] }]),
        batch([{ ...run(0, 1), dir: 'sideways' }]),
        batch([]),
      ];
      for (const data of readAtOnce) {
        // Read there and then, whether or not a broadcast waits (which keeps waiting).
        h.store.ingest(data);
        expect(h.store.unread, JSON.stringify(data).slice(0, 120)).toBe(0);
        h.store.ingest(batch([run(0, 1)]));
        h.store.ingest(data);
        expect(h.store.unread, JSON.stringify(data).slice(0, 120)).toBe(1);
        h.store.events();
      }
      h.clock.advance(SUMMARY_MS);
      expect(h.sent().at(-1)).toMatchObject({ type: 'summary', serverErrors: 4, exposures: 1 });
      // What is read while a broadcast waits takes its place after it, by seq (reserved at arrival).
      h.store.ingest(batch([run(500, 1)]));
      h.fromWorker({ type: 'network-events', source: 'network', events: [{ kind: 'net', url: SOCKET_URL, resourceType: 'websocket', method: 'GET', status: 101 }], times: [1_700_000_000_100] });
      h.store.ingest(batch([run(501, 1)]));
      h.store.ingest(batch([{ ...run(502, 2), x: [broadcast(502), reply('ok')] }]));
      h.store.ingest(batch([run(503, 1)]));
      expect(h.store.unread).toBe(3);
      const last = h.store.events().slice(-6);
      expect(last.map((e) => (e.kind === 'ws-frame' ? (JSON.parse(e.text!)[3] === 'phx_reply' ? 'reply' : JSON.parse(e.text!)[4].n) : e.kind))).toEqual([500, 'net', 501, 502, 'reply', 503]);
      expect(last.map((e) => e.seq)).toEqual([...last.map((e) => e.seq)].sort((a, b) => a - b));
      expect(new Set(last.map((e) => e.seq)).size).toBe(6);
    });

    it('past the store\'s limits, the oldest bulk goes first, stored or waiting; a waiting frame goes unread and is counted with its seq', () => {
      const h = setup();
      h.store.start();
      const max = 20_000; // STORE_LIMITS.maxEvents
      // Evidence first, then a flood of broadcasts three times the store's size.
      h.store.ingest(batch([pageEvent(0)]));
      for (let k = 0; k < 60; k++) h.store.ingest(batch([run(k * 1_000, 1_000)]));
      // What waits never exceeds what the store may hold beside the evidence.
      expect(h.store.unread).toBe(max - 1);
      const s = stats(h);
      expect(h.store.unread).toBe(0);
      expect(s).toMatchObject({ events: max, droppedEvents: 60_000 - (max - 1), lastSeq: 60_001 });
      const events = h.store.events();
      expect(events[0]).toMatchObject({ kind: 'ws-connecting', seq: 1 });
      // The newest broadcasts, with the seqs they would have had stored one by one.
      expect(texts(events.slice(1, 3))).toEqual([60_000 - (max - 1), 60_000 - (max - 1) + 1]);
      expect(events[1].seq).toBe(60_001 - (max - 1) + 1);
      expect(texts(events).at(-1)).toBe(59_999);
      // Stored bulk goes before waiting bulk: a flood after a read evicts the stored frames first.
      h.store.ingest(batch([run(100_000, 5_000)]));
      expect(h.store.unread).toBe(5_000);
      expect(texts(h.store.events()).slice(0, 1)).toEqual([60_000 - (max - 1) + 5_000]);
    });
  });

  it("stores the worker's network observations as observed, at their times (the session pairs upgrades with sockets)", () => {
    const h = setup();
    h.store.start();
    h.store.ingest(pageEvents(1, 1));
    h.fromWorker({
      type: 'network-events',
      source: 'network',
      events: [{ kind: 'net', url: SOCKET_URL, resourceType: 'websocket', method: 'GET', error: 'net::ERR_FAILED' }],
      times: [1_700_000_000_900],
    });
    const stored = h.store.events().at(-1);
    expect(stored).toMatchObject({ kind: 'net', url: SOCKET_URL, time: 1_700_000_000_900, source: 'network' });
    expect(stored).not.toHaveProperty('conn');
  });

  it('pushes the pagehide out at once, and reconnects on a return from the back/forward cache', () => {
    const h = setup();
    h.store.start();
    h.fromWorker({ type: 'stream', on: true });
    h.store.pagehide(true);
    expect(h.sent().at(-1)).toMatchObject({ type: 'events', events: [{ kind: 'lifecycle', change: 'pagehide', persisted: true }] });
    h.workerStopped(); // the browser drops ports of a cached page
    h.store.pageshow(true);
    expect(h.ports).toHaveLength(2);
    expect(h.store.events().at(-1)).toMatchObject({ kind: 'lifecycle', change: 'pageshow' });
  });

  it('counts and ignores malformed messages from the worker, and pings it cannot read', () => {
    const h = setup();
    h.store.start();
    h.store.ingest(pageEvents(1, 1));
    const before = h.sent().length;
    h.fromWorker({ type: 'stream', on: 'yes' });
    h.fromWorker({ type: 'snapshot-request' });
    h.fromWorker({ type: 'clear', now: true });
    h.fromWorker({ type: 'network-events', source: 'network', events: [{ kind: 'ws-open', conn: 'x' }], times: [1] });
    h.fromWorker('clear');
    expect(h.store.ping({ type: 'claimscope:ping', v: PROTOCOL_VERSION + 1 })).toBeUndefined();
    expect(h.store.ping({ type: 'something-else' })).toBeUndefined();
    expect(h.store.backgroundRejected).toBe(7);
    expect(h.sent()).toHaveLength(before);
    expect(h.store.events()).toHaveLength(1);
    h.store.ingest(pageEvents(2, 2));
    h.clock.advance(STREAM_FLUSH_MS);
    expect(h.streamed()).toEqual([]); // 'yes' did not turn the stream on
    // The count survives a reconnect.
    h.fromWorker({ type: 'stream', on: true });
    h.workerStopped();
    h.clock.advance(RECONNECT_MS);
    expect(h.store.backgroundRejected).toBe(7);
  });

  it('stops for good once the extension context is gone', () => {
    const h = setup();
    h.invalidateContext();
    h.store.start();
    expect(h.ports).toHaveLength(0);
    h.store.ingest(batch([serverError()]));
    h.clock.advance(SUMMARY_MS);
    expect(h.store.ping({ type: 'claimscope:ping', v: PROTOCOL_VERSION })).toMatchObject({ type: 'claimscope:pong' });
    expect(h.ports).toHaveLength(0);
    expect(h.store.events()).toHaveLength(1); // the store itself keeps working
  });
});
