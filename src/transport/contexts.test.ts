// The three contexts wired together on in-memory ports: a document's ContentStore, the service
// worker's Router and a panel's link, with every message in flight on one Wire the test flushes, so
// orderings that are rare in a browser (a clear overtaking a snapshot, a worker restart while a
// panel listens) are staged exactly.

import { describe, expect, it } from 'vitest';
import { RECONNECT_MS, STREAM_FLUSH_MS } from '../content/store';
import { PROTOCOL_VERSION, type BackgroundToPanel } from '../messages';
import { openPanelLink } from '../panel/link';
import { MemoryContexts } from './contexts.testing';

const TAB = 4;
const T0 = 1_700_000_000_000;

class World extends MemoryContexts {
  constructor() {
    super({ tabId: TAB, start: T0, storesAnswerPings: true, urlOf: (docId) => `https://app.test/${docId}` });
  }

  openPanel(backoff: number[] = [50]) {
    const received: BackgroundToPanel[] = [];
    const link = openPanelLink({
      tabId: TAB,
      connect: () => this.connectPanel(),
      onMessage: (m) => received.push(m),
      onState: () => undefined,
      backoff,
      setTimer: this.clock.setTimer,
      clearTimer: this.clock.clearTimer,
    });
    const seqsOf = (type: 'snapshot' | 'events') =>
      received.flatMap((m) => (m.type === 'snapshot' && type === 'snapshot' ? m.snapshot.events : m.type === 'events' && type === 'events' ? m.events : [])).map((e) => e.seq);
    return { link, received, seqsOf };
  }
}

const pageBatch = (from: number, to: number) => ({
  v: PROTOCOL_VERSION,
  type: 'batch',
  events: Array.from({ length: to - from + 1 }, (_, i) => ({ kind: 'lifecycle', change: 'online', time: T0 + from + i })),
});
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('content store, router and panel link together', () => {
  it('serves a new panel a snapshot and then live events; events queued while the snapshot was asked are in it once', async () => {
    const w = new World();
    const doc = w.addDocument('d1');
    doc.ingest(pageBatch(1, 3));
    await w.settle();
    const panel = w.openPanel();
    // The subscription is processed and the router sends stream-on and the snapshot request...
    w.wire.step();
    expect(w.wire.pending).toBe(2); // stream-on and snapshot-request in flight to the document
    w.wire.step(); // ...stream-on arrives first:
    doc.ingest(pageBatch(4, 5)); // captured while the snapshot request is in flight
    await w.settle();
    doc.ingest(pageBatch(6, 7));
    await w.advance(STREAM_FLUSH_MS);
    expect(panel.seqsOf('snapshot')).toEqual(range(1, 5));
    expect(panel.seqsOf('events')).toEqual([6, 7]);
    expect(panel.received.find((m) => m.type === 'status')).toMatchObject({ status: 'capturing', url: 'https://app.test/' });
  });

  it('a clear that overtakes a snapshot answer: the panel gets a snapshot taken after the clear', async () => {
    const w = new World();
    const doc = w.addDocument('d1');
    doc.ingest(pageBatch(1, 3));
    await w.settle();
    const panel = w.openPanel();
    w.wire.step(); // subscribe processed: stream-on and snapshot-request are in flight
    // The user presses Clear before the snapshot answer is back.
    panel.link.send({ type: 'clear', tabId: TAB });
    await w.settle();
    const snapshots = panel.received.filter((m) => m.type === 'snapshot');
    expect(snapshots).toHaveLength(1);
    expect(panel.seqsOf('snapshot')).toEqual([]);
    doc.ingest(pageBatch(4, 4));
    await w.advance(STREAM_FLUSH_MS);
    expect(panel.seqsOf('events')).toEqual([4]);
  });

  for (const [first, backoff] of [
    ['the panel', [50]],
    ['the document', [300]],
  ] as const) {
    it(`after a worker restart with ${first} back first, the panel is served again and streaming resumes`, async () => {
      const w = new World();
      const doc = w.addDocument('d1');
      const panel = w.openPanel([...backoff]);
      await w.settle();
      doc.ingest(pageBatch(1, 2));
      await w.advance(STREAM_FLUSH_MS);
      expect(panel.seqsOf('events')).toEqual([1, 2]);

      w.restartWorker();
      await w.settle();
      expect(doc.connected).toBe(false);
      doc.ingest(pageBatch(3, 3)); // no worker: kept in the store
      await w.advance(Math.max(RECONNECT_MS, backoff[0]) + 20);
      expect(doc.connected).toBe(true);
      const snapshotSeqs = panel.seqsOf('snapshot');
      expect(snapshotSeqs).toEqual(range(1, 3));
      doc.ingest(pageBatch(4, 5));
      await w.advance(STREAM_FLUSH_MS);
      // Every event reached the panel; the only repeats are the snapshot's, which the panel
      // deduplicates by (docId, seq).
      expect(new Set([...panel.seqsOf('events'), ...snapshotSeqs])).toEqual(new Set(range(1, 5)));
      expect(panel.seqsOf('events')).toEqual([1, 2, 4, 5]);
      expect(panel.link.rejected).toBe(0);
      expect(w.router.rejected).toEqual({ content: 0, panel: 0 });
    });
  }
});
