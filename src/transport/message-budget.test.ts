// No silent loss between contexts (issue 10 item 3): what a document's store sends to a panel
// crosses the ports in parts under MESSAGE_BYTE_BUDGET, on ports that refuse a message over
// Chromium's 64 MiB as Chromium does; a post that fails is counted, the store reconnects and the
// panel gets a new snapshot; and the panel's own accounting adds up: every event the store
// recorded is held by the panel, evicted by it, or counted as lost before it.

import { describe, expect, it } from 'vitest';
import { RECONNECT_MS, STREAM_FLUSH_MS } from '../content/store';
import { EventLog } from '../core/session/event-log';
import { PROTOCOL_VERSION, type BackgroundToPanel } from '../messages';
import { openPanelLink } from '../panel/link';
import { ENVELOPE_ALLOWANCE, MESSAGE_BYTE_BUDGET, chunkBySize, jsonByteLength } from './chunk';
import { MemoryContexts } from './contexts.testing';
import { portPair, type MemoryPort } from './testing';
import { CONTENT_TO_BACKGROUND } from './schemas';
import { validateMessage } from './validate';

const TAB = 7;
const T0 = 1_700_000_000_000;
/** Chromium's limit on one runtime-port message (extensions/common/api/messaging). */
const CHROMIUM_MESSAGE_LIMIT = 64 * 1024 * 1024;
const SOCKET = 'wss://abcdefghijklmnopqrst.supabase.co/realtime/v1/websocket?apikey=sb_publishable_x&vsn=2.0.0';

class World extends MemoryContexts {
  /** Every message posted on any port, with its JSON size. */
  readonly sizes: number[] = [];

  constructor() {
    super({ tabId: TAB, start: T0 });
  }

  /** Ports that refuse what Chromium refuses, and measure what they carry. */
  protected override newPortPair(): [MemoryPort, MemoryPort] {
    const pair = super.newPortPair();
    for (const end of pair) {
      end.maxMessageBytes = CHROMIUM_MESSAGE_LIMIT;
      const post = end.postMessage.bind(end);
      end.postMessage = (message: unknown) => {
        post(message);
        this.sizes.push(Buffer.byteLength(JSON.stringify(message), 'utf8'));
      };
    }
    return pair;
  }

  /** A panel whose messages go into the panel's own EventLog (the session's, minus the analysis). */
  openPanel() {
    const log = new EventLog({ tabId: TAB });
    const received: BackgroundToPanel[] = [];
    openPanelLink({
      tabId: TAB,
      connect: () => this.connectPanel(),
      onMessage: (m) => {
        received.push(m);
        log.apply(m);
      },
      onState: () => undefined,
      setTimer: this.clock.setTimer,
      clearTimer: this.clock.clearTimer,
    });
    return { log, received };
  }
}

/** 127,000 characters of two- and three-byte UTF-8 (261,000 bytes): under the 256 KiB frame cap, so kept whole. */
const BIG_TEXT = 'é'.repeat(60_000) + 'ж'.repeat(60_000) + '€'.repeat(7_000);
const broadcast = (i: number) => `[null,null,"realtime:room1","broadcast",{"type":"broadcast","event":"big","payload":{"i":${i},"t":"${BIG_TEXT}"}}]`;
const pageBatch = (events: unknown[]) => ({ v: PROTOCOL_VERSION, type: 'batch', events });
const opening = () => ({ kind: 'ws-connecting', conn: 'c1', url: SOCKET, protocols: [], time: T0 });
const bigFrames = (from: number, n: number) =>
  Array.from({ length: n }, (_, k) => ({ kind: 'ws-frame', conn: 'c1', dir: 'received', opcode: 'text', text: broadcast(from + k), size: 0, time: T0 + from + k }));
const lifecycle = (n: number) => Array.from({ length: n }, (_, k) => ({ kind: 'lifecycle', change: k % 2 ? 'online' : 'offline', time: T0 + k }));

/** Held by the panel + evicted by the panel + lost before it = everything the store recorded. */
function accounted(log: EventLog): { held: number; panelDropped: number; lost: number } {
  const drops = log.drops();
  return { held: log.eventCount, panelDropped: drops.panelDroppedEvents, lost: drops.lostBeforePanel };
}

describe('jsonByteLength', () => {
  it('is the UTF-8 length of JSON.stringify, escapes, multi-byte characters and lone surrogates included', () => {
    const values: unknown[] = [
      '',
      'plain',
      'é ж € 𝄞 😀',
      '"quoted" \\ back\\slash',
      '\u0000\u0001\u001f\b\t\n\f\r\u007f',
      '\ud800 lone high, lone low \udc00, pair \ud83d\ude00, reversed \ude00\ud83d',
      '\u2028\u2029',
      { kind: 'ws-frame', seq: 12, time: 1.5, text: 'ü', truncated: true, skipped: undefined, nested: { a: [1, null, 'x', undefined], b: false } },
      [1, -2.5e-7, 1e21, NaN, Infinity, true, null],
      { headers: { authorization: 'Bearer eyJ…' }, protocols: [] },
    ];
    for (const v of values) expect(jsonByteLength(v), JSON.stringify(v)).toBe(Buffer.byteLength(JSON.stringify(v), 'utf8'));
  });

  it('cuts a list into consecutive chunks under the budget, never an empty list into none', () => {
    const items = Array.from({ length: 10 }, (_, i) => 'x'.repeat(100 + i));
    const chunks = chunkBySize(items, jsonByteLength, 350);
    expect(chunks.flat()).toEqual(items);
    for (const c of chunks) expect(jsonByteLength(c)).toBeLessThanOrEqual(350);
    expect(chunkBySize([], jsonByteLength, 350)).toEqual([[]]);
  });
});

describe('message budget between the store, the router and the panel', () => {
  it('a late panel gets a 70 MB store in parts under the budget; held + lost adds up to what was recorded', async () => {
    const w = new World();
    const doc = w.addDocument('d1');
    doc.ingest(pageBatch([opening()]));
    // 300 frames of 261 KB: 38 M UTF-16 units, past the store's 32 MB, so the store evicts some;
    // what it holds is about 64 MiB of JSON: one snapshot message would be refused.
    for (let i = 0; i < 300; i += 50) doc.ingest(pageBatch(bigFrames(i, 50)));
    await w.settle();
    const recorded = doc.events().at(-1)!.seq;
    expect(recorded).toBe(301);
    const held = doc.events().length;
    expect(held).toBeLessThan(301);
    expect(jsonByteLength(doc.events())).toBeGreaterThan(CHROMIUM_MESSAGE_LIMIT);

    const panel = w.openPanel();
    await w.settle();
    const parts = panel.received.filter((m) => m.type === 'snapshot');
    expect(parts.length).toBeGreaterThan(8);
    expect(Math.max(...w.sizes)).toBeLessThanOrEqual(MESSAGE_BYTE_BUDGET + ENVELOPE_ALLOWANCE);
    expect(panel.log.eventCount).toBe(held);
    expect(accounted(panel.log)).toEqual({ held, panelDropped: 0, lost: recorded - held });
    expect(panel.log.drops().postFailures).toBe(0);
    // The opening of the socket (auth evidence) is held; the evicted ones are the oldest broadcasts.
    expect(panel.log.events()[0]).toMatchObject({ kind: 'ws-connecting', seq: 1 });
  });

  it('a panel that listens gets every frame of a flood in parts, nothing counted lost', async () => {
    const w = new World();
    const doc = w.addDocument('d1');
    const panel = w.openPanel();
    await w.settle();
    doc.ingest(pageBatch([opening()]));
    // The hook posts up to 500 events per batch: 300 large frames arrive in one.
    doc.ingest(pageBatch(bigFrames(0, 300)));
    await w.advance(STREAM_FLUSH_MS * 2);
    expect(Math.max(...w.sizes)).toBeLessThanOrEqual(MESSAGE_BYTE_BUDGET + ENVELOPE_ALLOWANCE);
    expect(accounted(panel.log)).toEqual({ held: 301, panelDropped: 0, lost: 0 });
  });

  it('without parts, the same flood is refused by the port (the loss this prevents)', () => {
    const [port] = portPair();
    port.maxMessageBytes = CHROMIUM_MESSAGE_LIMIT;
    const events = Array.from({ length: 300 }, (_, i) => ({ kind: 'ws-frame', docId: 'd1', seq: i + 1, time: T0, text: broadcast(i) }));
    expect(() => port.postMessage({ type: 'events', docId: 'd1', events })).toThrow(/maximum allowed length/);
  });

  it('a post that fails is counted, the store reconnects and the panel gets a new snapshot with what was in the failed post', async () => {
    const w = new World();
    const doc = w.addDocument('d1');
    const panel = w.openPanel();
    await w.settle();
    doc.ingest(pageBatch(lifecycle(10)));
    await w.advance(STREAM_FLUSH_MS);
    expect(panel.log.eventCount).toBe(10);

    w.contentPorts.at(-1)!.failNextPost = true;
    doc.ingest(pageBatch(lifecycle(5)));
    await w.advance(STREAM_FLUSH_MS);
    expect(doc.connected).toBe(false);
    await w.advance(RECONNECT_MS + 20);
    expect(doc.connected).toBe(true);
    expect(accounted(panel.log)).toEqual({ held: 15, panelDropped: 0, lost: 0 });
    expect(panel.log.drops().postFailures).toBe(1);
    // Streaming resumed on the new port.
    doc.ingest(pageBatch(lifecycle(1)));
    await w.advance(STREAM_FLUSH_MS);
    expect(accounted(panel.log)).toEqual({ held: 16, panelDropped: 0, lost: 0 });
  });

  it('what the store evicted before the new snapshot is counted as lost before the panel, exactly', async () => {
    const w = new World();
    const doc = w.addDocument('d1');
    const panel = w.openPanel();
    await w.settle();
    doc.ingest(pageBatch(lifecycle(10)));
    await w.advance(STREAM_FLUSH_MS);
    w.contentPorts.at(-1)!.failNextPost = true;
    doc.ingest(pageBatch(lifecycle(5))); // seqs 11..15: their post fails
    await w.advance(STREAM_FLUSH_MS);
    // Before the store is back, the page floods it past its 20,000-event bound: the oldest go,
    // the five of the failed post among them.
    for (let i = 0; i < 5; i++) doc.ingest(pageBatch(lifecycle(4_500)));
    await w.advance(RECONNECT_MS + 20);
    const recorded = 15 + 5 * 4_500;
    const { held, lost } = accounted(panel.log);
    expect(held + lost).toBe(recorded);
    expect(held).toBe(10 + doc.events().length);
    expect(lost).toBe(recorded - 10 - doc.events().length);
    expect(lost).toBeGreaterThan(5);
  });

  it('the router relays every part of a snapshot to the panel that asked, and only the last part answers it', async () => {
    const w = new World();
    const doc = w.addDocument('d1');
    doc.ingest(pageBatch([opening(), ...bigFrames(0, 80)]));
    await w.settle();
    const panel = w.openPanel();
    await w.settle();
    const parts = panel.received.filter((m) => m.type === 'snapshot');
    expect(parts.length).toBe(Math.ceil(jsonByteLength(doc.events()) / MESSAGE_BYTE_BUDGET));
    expect(parts.flatMap((m) => (m.type === 'snapshot' ? m.snapshot.events.map((e) => e.seq) : []))).toEqual(doc.events().map((e) => e.seq));
    // A part with `more` passes the router's checks; one with a malformed `more` does not.
    const part = { type: 'snapshot', requestId: 's1', snapshot: { doc: { docId: 'd', url: '', isTop: true, startedAt: 0 }, events: [], stats: doc.events().length ? { events: 0, bytes: 0, droppedEvents: 0, droppedBytes: 0, truncatedFrames: 0, otherSockets: 0, rejected: 0 } : {} } };
    expect(validateMessage(CONTENT_TO_BACKGROUND, { ...part, more: true }).ok).toBe(true);
    expect(validateMessage(CONTENT_TO_BACKGROUND, { ...part, more: 'yes' }).ok).toBe(false);
  });

  it('a forged events message of length 1e9 is refused by its count, not walked', () => {
    const sparse: unknown[] = [];
    sparse.length = 1e9;
    // Counts every element read: refused by count means none is.
    let reads = 0;
    const events = new Proxy(sparse, { get: (t, k, r) => (typeof k === 'string' && /^\d+$/.test(k) && reads++, Reflect.get(t, k, r)) });
    const result = validateMessage(CONTENT_TO_BACKGROUND, { type: 'events', docId: 'd', events, stats: {} });
    expect(reads).toBe(0);
    expect(result).toMatchObject({ ok: false, reason: 'events: events has 1000000000 elements, more than 100000' });
  });
});
