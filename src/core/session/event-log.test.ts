import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../model';
import { PROTOCOL_VERSION, type DocumentInfo, type StoreStats } from '../../messages';
import { SeqRanges } from './seq-ranges';
import { EventLog, isSeparator, type SessionRow } from './event-log';

const zeroStats: StoreStats = {
  events: 0,
  bytes: 0,
  droppedEvents: 0,
  droppedBytes: 0,
  truncatedFrames: 0,
  otherSockets: 0,
  rejected: 0,
};

function doc(docId: string, url = `https://app.example/${docId}`, isTop = true): DocumentInfo {
  return { docId, url, isTop, startedAt: 1_000 };
}

/** A text frame as the store would stamp it; `text` defaults to a V2 broadcast-ish payload. */
function frame(docId: string, seq: number, text = `[null,null,"realtime:room","broadcast",{"n":${seq}}]`): CapturedEvent {
  return {
    kind: 'ws-frame',
    conn: `${docId}:1`,
    dir: 'received',
    opcode: 'text',
    text,
    size: text.length,
    seq,
    time: 1_000 + seq,
    docId,
    source: 'page',
  };
}

function snapshot(d: DocumentInfo, events: CapturedEvent[], stats: Partial<StoreStats> = {}) {
  return { type: 'snapshot', snapshot: { doc: d, events, stats: { ...zeroStats, ...stats } } };
}

function live(docId: string, events: CapturedEvent[], stats: Partial<StoreStats> = {}) {
  return { type: 'events', docId, events, stats: { ...zeroStats, ...stats } };
}

function seqsOf(rows: SessionRow[]): string[] {
  return rows.map((r) => (isSeparator(r) ? `|${r.url}` : `${r.docId}#${r.seq}`));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('SeqRanges', () => {
  it('remembers seqs in any order and stays compact for runs', () => {
    const r = new SeqRanges();
    for (const s of range(1, 1000)) expect(r.add(s)).toBe(true);
    expect(r.intervalCount).toBe(1);
    expect(r.add(500)).toBe(false);
    expect(r.add(1003)).toBe(true);
    expect(r.intervalCount).toBe(2);
    expect(r.add(1002)).toBe(true);
    expect(r.add(1001)).toBe(true); // bridges both intervals
    expect(r.intervalCount).toBe(1);
    expect(r.add(-5)).toBe(true);
    expect(r.has(-5)).toBe(true);
    expect(r.has(-4)).toBe(false);
    expect(r.max()).toBe(1003);
  });

  it('agrees with a plain Set on a shuffled sequence', () => {
    const r = new SeqRanges();
    const reference = new Set<number>();
    let x = 12345;
    for (let i = 0; i < 5000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const seq = x % 700;
      expect(r.add(seq)).toBe(!reference.has(seq));
      reference.add(seq);
    }
    for (let s = -1; s < 702; s++) expect(r.has(s)).toBe(reference.has(s));
  });
});

describe('EventLog', () => {
  it('shows what was captured before the panel opened, then live deltas', () => {
    const state = new EventLog({ tabId: 7 });
    expect(state.status).toBe('connecting');
    state.apply({ type: 'status', v: PROTOCOL_VERSION, tabId: 7, status: 'capturing', url: 'https://app.example/' });
    state.apply(snapshot(doc('A'), [frame('A', 1), frame('A', 2)]));
    const changes = state.apply(live('A', [frame('A', 3)]));
    expect(seqsOf(state.rows)).toEqual(['A#1', 'A#2', 'A#3']);
    expect(changes).toContainEqual({ kind: 'appended', events: [frame('A', 3)] });
    expect(state.status).toBe('capturing');
  });

  it('does not duplicate events when a re-snapshot after a service-worker restart overlaps them', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply(snapshot(doc('A'), [frame('A', 1), frame('A', 2)]));
    state.apply(live('A', [frame('A', 3), frame('A', 4)]));
    // The worker was stopped; the panel reconnects and the store sends everything it holds.
    const changes = state.apply(snapshot(doc('A'), range(1, 6).map((s) => frame('A', s))));
    expect(seqsOf(state.rows)).toEqual(range(1, 6).map((s) => `A#${s}`));
    expect(state.eventCount).toBe(6);
    expect(changes).toContainEqual({ kind: 'appended', events: [frame('A', 5), frame('A', 6)] });
  });

  it('puts snapshot events that lost a race with live deltas back in seq order', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply(live('A', [frame('A', 4), frame('A', 5)]));
    const changes = state.apply(snapshot(doc('A'), range(1, 5).map((s) => frame('A', s))));
    expect(changes).toContainEqual({ kind: 'reordered' });
    expect(seqsOf(state.rows)).toEqual(['A#1', 'A#2', 'A#3', 'A#4', 'A#5']);
  });

  it('keeps two documents (page and iframe) apart even with equal seqs', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply(snapshot(doc('A'), [frame('A', 1)]));
    state.apply(snapshot(doc('F', 'https://embed.example/', false), [frame('F', 1)]));
    expect(seqsOf(state.rows)).toEqual(['A#1', 'F#1']);
    // An iframe document is not a reload.
    expect(state.rows.some(isSeparator)).toBe(false);
  });

  it('preserves the log across a reload of the inspected page, with one separator', () => {
    const state = new EventLog({ tabId: 7, now: () => 5_000 });
    state.apply(snapshot(doc('A'), [frame('A', 1), frame('A', 2)]));
    state.apply({ type: 'navigated', tabId: 7, url: 'https://app.example/next' });
    state.apply({ type: 'navigated', tabId: 7, url: 'https://app.example/next' }); // reported twice
    state.apply(snapshot(doc('B', 'https://app.example/next'), [frame('B', 1)]));
    state.apply(live('B', [frame('B', 2)]));
    expect(seqsOf(state.rows)).toEqual(['A#1', 'A#2', '|https://app.example/next', 'B#1', 'B#2']);
    const separator = state.rows.find(isSeparator)!;
    expect(separator.docId).toBe('B');
  });

  it('adds a separator for a new top document even when no navigated message came', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply(snapshot(doc('A'), [frame('A', 1)]));
    state.apply(snapshot(doc('B', 'https://app.example/b'), [frame('B', 1)]));
    state.apply(snapshot(doc('B', 'https://app.example/b'), [frame('B', 1)])); // re-snapshot: no new separator
    expect(seqsOf(state.rows)).toEqual(['A#1', '|https://app.example/b', 'B#1']);
  });

  it('bounds its copy by dropping the oldest bulk first and counts the drops', () => {
    const isBulk = (e: CapturedEvent) => e.kind === 'ws-frame' && (e.text ?? '').includes('"broadcast"');
    const state = new EventLog({ tabId: 7, maxEvents: 100, keepFraction: 0.5, isBulk });
    const join = frame('A', 1, '["1","1","realtime:room","phx_join",{"access_token":"x"}]');
    const reply = frame('A', 2, '["1","1","realtime:room","phx_reply",{"status":"error","response":{"reason":"Token has expired 5 seconds ago"}}]');
    state.apply(snapshot(doc('A'), [join, reply]));
    state.apply(live('A', range(3, 101).map((s) => frame('A', s))));
    // 101 events > 100: drop down to 50, the 51 oldest broadcasts.
    expect(state.eventCount).toBe(50);
    expect(state.drops().panelDroppedEvents).toBe(51);
    const seqs = state.events().map((e) => e.seq);
    expect(seqs.slice(0, 2)).toEqual([1, 2]); // the join and its error reply survive the flood
    expect(seqs.slice(2)).toEqual(range(54, 101));
    // An evicted event coming back in a later snapshot is not re-added.
    state.apply(snapshot(doc('A'), [frame('A', 3)]));
    expect(state.eventCount).toBe(50);
  });

  it('bounds its copy by bytes as well: large bulk frames go first, the join and its error reply stay, bytes are counted', () => {
    const isBulk = (e: CapturedEvent) => e.kind === 'ws-frame' && (e.text ?? '').includes('"broadcast"');
    const state = new EventLog({ tabId: 7, maxBytes: 1_000_000, keepFraction: 0.5, isBulk });
    const join = frame('A', 1, '["1","1","realtime:room","phx_join",{"access_token":"x"}]');
    const reply = frame('A', 2, '["1","1","realtime:room","phx_reply",{"status":"error","response":{"reason":"Token has expired 5 seconds ago"}}]');
    state.apply(snapshot(doc('A'), [join, reply]));
    // 300 frames of 256 KiB of non-ASCII text: ~75 MB of payload, 300 events (far below the count bound).
    const big = 'é'.repeat(256 * 1024);
    state.apply(live('A', range(3, 302).map((s) => frame('A', s, `[null,null,"realtime:room","broadcast",{"event":"e","payload":"${big}"}]`))));
    expect(state.bytes).toBeLessThanOrEqual(1_000_000);
    const kept = state.events().map((e) => e.seq);
    expect(kept.slice(0, 2)).toEqual([1, 2]);
    const { panelDroppedEvents, panelDroppedBytes } = state.drops();
    // Every frame is held or counted as dropped, and the numbers add up.
    expect(panelDroppedEvents + state.eventCount).toBe(302);
    expect(panelDroppedBytes).toBeGreaterThan(70 * 1024 * 1024);
  });

  it('drops the oldest evidence too when nothing bulk is left, still counting', () => {
    const state = new EventLog({ tabId: 7, maxEvents: 10, keepFraction: 1 });
    state.apply(snapshot(doc('A'), range(1, 12).map((s) => frame('A', s))));
    expect(state.events().map((e) => e.seq)).toEqual(range(3, 12));
    expect(state.drops().panelDroppedEvents).toBe(2);
  });

  it('reports the store drops of every document of the tab', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply(snapshot(doc('A'), [], { droppedEvents: 5, truncatedFrames: 1, droppedBytes: 100 }));
    state.apply(snapshot(doc('F', 'https://embed.example/', false), [], { droppedEvents: 2 }));
    state.apply(live('A', [frame('A', 1)], { droppedEvents: 8, truncatedFrames: 2, droppedBytes: 300, otherSockets: 3 }));
    expect(state.drops()).toMatchObject({ storeDroppedEvents: 10, truncatedFrames: 2, storeDroppedBytes: 300, panelDroppedEvents: 0 });
    expect(state.otherSockets()).toBe(3);
  });

  it('clears its copy and ignores late copies of cleared events, but takes new ones', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply(snapshot(doc('A'), [frame('A', 1), frame('A', 2)], { droppedEvents: 4 }));
    state.clear();
    expect(state.rows).toEqual([]);
    expect(state.drops().storeDroppedEvents).toBe(0);
    // A delta that was in flight when Clear was pressed, and a snapshot taken before the store cleared.
    state.apply(live('A', [frame('A', 2)]));
    state.apply(snapshot(doc('A'), [frame('A', 1), frame('A', 2), frame('A', 3)]));
    expect(seqsOf(state.rows)).toEqual(['A#3']);
    // Clearing does not make the current page look like a reload.
    expect(state.rows.some(isSeparator)).toBe(false);
  });

  it('tells not-capturing, restricted and capturing apart', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply({ type: 'status', v: PROTOCOL_VERSION, tabId: 7, status: 'not-capturing', url: 'https://app.example/' });
    expect(state.status).toBe('not-capturing');
    state.apply({ type: 'status', v: PROTOCOL_VERSION, tabId: 7, status: 'restricted', url: 'chrome://settings' });
    expect(state.status).toBe('restricted');
    // After "Reload and capture", the new document's snapshot proves capture is on.
    state.apply({ type: 'status', v: PROTOCOL_VERSION, tabId: 7, status: 'not-capturing' });
    state.apply(snapshot(doc('A'), []));
    expect(state.status).toBe('capturing');
    expect(state.eventCount).toBe(0);
  });

  it('shows a protocol mismatch plainly instead of misreading messages', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply({ type: 'status', v: PROTOCOL_VERSION + 1, tabId: 7, status: 'capturing' });
    expect(state.status).toBe('connecting');
    expect(state.problem).toMatch(/protocol/);
    expect(state.problem).toMatch(/close DevTools and open it again/);
  });

  it('counts malformed messages and events instead of crashing or silently dropping them', () => {
    const state = new EventLog({ tabId: 7 });
    expect(() => state.apply(null)).not.toThrow();
    state.apply({ type: 'no-such-message' });
    state.apply(live('A', [frame('A', 1), { kind: 'ws-frame' } as unknown as CapturedEvent, 'junk' as unknown as CapturedEvent]));
    expect(state.eventCount).toBe(1);
    expect(state.drops().rejected).toBe(4);
    expect(state.problem).toMatch(/ignored 4 messages/);
  });

  it('bumps its version only when something changed', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply(snapshot(doc('A'), [frame('A', 1)]));
    const v = state.version;
    state.apply({ type: 'navigated', tabId: 7, url: 'u' });
    const v2 = state.version;
    expect(v2).toBeGreaterThan(v);
    state.apply({ type: 'navigated', tabId: 7, url: 'u' });
    expect(state.version).toBe(v2);
  });
});
