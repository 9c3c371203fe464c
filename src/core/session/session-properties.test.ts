// Issue 8, "Done when": the session's answer does not depend on how its input was cut, and what it
// published stays as it was. Property tests (fast-check) over recorded sessions (fixtures/, real
// supabase-js traffic from the e2e scenarios), plus the decode-once check with an injected decoder.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../model';
import { decodeFrame } from '../realtime';
import { PROTOCOL_VERSION } from '../../messages';
import { Session, type SessionSnapshot } from './session';
import { EMPTY_STATS } from './test-doc';
import { frameList } from './views';
import type { FrameDecoder } from './frame-catalog';

interface Fixture {
  tabId: number;
  now: number;
  events: CapturedEvent[];
}
const load = (name: string): Fixture => JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8'));

const PAGE = load('signout-publishable');
/** A worker's socket seen only by DevTools' network log: its own document id and seq counter (devtools-merge.ts). */
const DEVTOOLS_DOC = 'devtools:7';
const DEVTOOLS: CapturedEvent[] = load('worker').events.map((e) => {
  const conn = (e as { conn?: string }).conn;
  return { ...e, docId: DEVTOOLS_DOC, source: 'devtools', ...(conn ? { conn: `${DEVTOOLS_DOC}:1` } : {}) } as CapturedEvent;
});
const PAGE_DOC = PAGE.events[0].docId;
const DOC_INFO = { docId: PAGE_DOC, url: 'http://127.0.0.1/app/', isTop: true, startedAt: PAGE.events[0].time - 5 };

/** What a face can see, without the version numbers: per-document rows, records (by key), analysis. */
function content(s: SessionSnapshot) {
  const rows = [...s.rows].filter((r) => r.kind !== 'separator') as CapturedEvent[];
  const byDoc = (doc: string) => JSON.stringify(rows.filter((r) => r.docId === doc));
  const sorted = <T,>(items: readonly T[], key: (t: T) => string) => JSON.stringify([...items].sort((a, b) => key(a).localeCompare(key(b))));
  const analysis = s.analysis.kind === 'done' ? s.analysis.result : null;
  return {
    page: byDoc(PAGE_DOC),
    devtools: byDoc(DEVTOOLS_DOC),
    eventCount: s.eventCount,
    drops: JSON.stringify(s.drops),
    status: s.capture.status,
    connections: sorted(s.connections, (c) => c.conn),
    channels: sorted(s.channels, (c) => `${c.key.conn} ${c.key.topic} ${c.key.joinRef}`),
    findings: analysis ? JSON.stringify(analysis.analysis.findings.map((f) => [f.code, f.severity, f.message])) : null,
    tokens: analysis ? JSON.stringify(analysis.tokens.map((t) => [t.label, t.tokenClass, t.verdicts?.join.reason ?? null, t.findings.map((f) => f.code)])) : null,
    channelVerdicts: analysis ? sorted([...analysis.channels.entries()].map(([k, v]) => JSON.stringify([k, v.latest?.comparison ?? null, v.current?.source ?? null])), (x) => x) : null,
  };
}

/** Fresh copies: the catalog caches facts on the event objects it holds. */
const fresh = (events: readonly CapturedEvent[]) => events.map((e) => structuredClone(e));

async function oneBatch(): Promise<ReturnType<typeof content>> {
  const session = new Session({ tabId: PAGE.tabId });
  session.apply({ type: 'snapshot', snapshot: { doc: DOC_INFO, events: fresh(PAGE.events), stats: EMPTY_STATS } });
  session.applyLocal(fresh(DEVTOOLS));
  await session.analyse(PAGE.now);
  return content(session.snapshot());
}

/** Cuts `events` into consecutive batches of the given sizes (the rest in a last batch). */
function cut(events: readonly CapturedEvent[], sizes: readonly number[]): CapturedEvent[][] {
  const out: CapturedEvent[][] = [];
  let i = 0;
  for (const n of sizes) {
    if (i >= events.length) break;
    out.push(events.slice(i, i + n));
    i += n;
  }
  if (i < events.length) out.push(events.slice(i));
  return out;
}

describe('the session does not depend on how its input was cut', () => {
  it('any split into batches, delivered in any order (late events merged), with DevTools-merge events interleaved anywhere, gives the snapshot content of one batch', async () => {
    const expected = await oneBatch();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 16 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 8 }),
        fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
        async (pageSizes, devtoolsSizes, order) => {
          const page = cut(fresh(PAGE.events), pageSizes).map((events, i) => ({ kind: 'page' as const, events, i }));
          const devtools = cut(fresh(DEVTOOLS), devtoolsSizes).map((events, i) => ({ kind: 'devtools' as const, events, i }));
          // Any arrival order: a snapshot racing live deltas makes page batches arrive late too.
          const arrivals = [...page, ...devtools]
            .map((batch, n) => ({ batch, key: order[n % order.length] * 64 + n }))
            .sort((a, b) => a.key - b.key)
            .map((a) => a.batch);
          const session = new Session({ tabId: PAGE.tabId });
          let first = true;
          for (const batch of arrivals) {
            if (batch.kind === 'devtools') session.applyLocal(batch.events);
            else if (first) {
              session.apply({ type: 'snapshot', snapshot: { doc: DOC_INFO, events: batch.events, stats: EMPTY_STATS } });
              first = false;
            } else session.apply({ type: 'events', docId: PAGE_DOC, events: batch.events, stats: EMPTY_STATS });
          }
          if (first) session.apply({ type: 'snapshot', snapshot: { doc: DOC_INFO, events: [], stats: EMPTY_STATS } });
          await session.analyse(PAGE.now);
          expect(content(session.snapshot())).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a published snapshot never changes, whatever the session does next', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: PAGE.events.length - 1 }), fc.boolean(), async (at, clearAfter) => {
        const events = fresh(PAGE.events);
        const session = new Session({ tabId: PAGE.tabId });
        session.apply({ type: 'snapshot', snapshot: { doc: DOC_INFO, events: events.slice(0, at), stats: EMPTY_STATS } });
        await session.analyse(PAGE.now);
        const published = session.snapshot();
        const before = JSON.stringify(content(published));
        expect(Object.isFrozen(published.connections)).toBe(true);
        for (const c of published.connections) expect(Object.isFrozen(c)).toBe(true);
        session.apply({ type: 'events', docId: PAGE_DOC, events: events.slice(at), stats: EMPTY_STATS });
        session.applyLocal(fresh(DEVTOOLS));
        session.apply({ type: 'navigated', tabId: PAGE.tabId, url: 'http://127.0.0.1/other' });
        await session.analyse(PAGE.now + 60_000);
        if (clearAfter) session.clear();
        expect(session.snapshot()).not.toBe(published);
        expect(JSON.stringify(content(published))).toBe(before);
      }),
      { numRuns: 30 },
    );
  });

  it('publishes the same snapshot object until something changes', () => {
    const session = new Session({ tabId: 1 });
    const a = session.snapshot();
    expect(session.snapshot()).toBe(a);
    session.apply({ type: 'status', v: PROTOCOL_VERSION, tabId: 1, status: 'capturing' });
    expect(session.snapshot()).not.toBe(a);
    expect(session.snapshot().version).toBeGreaterThan(a.version);
  });
});

describe('decode once', () => {
  it('decodes each frame once across ingest, rendering the frame list and selecting a frame', () => {
    let decodes = 0;
    const counting: FrameDecoder = (frame, vsn, dir) => {
      decodes++;
      return decodeFrame(frame, vsn, dir);
    };
    const session = new Session({ tabId: PAGE.tabId, decodeFrame: counting });
    session.apply({ type: 'snapshot', snapshot: { doc: DOC_INFO, events: fresh(PAGE.events), stats: EMPTY_STATS } });
    const frames = PAGE.events.filter((e) => e.kind === 'ws-frame').length;
    expect(frames).toBeGreaterThan(5);
    expect(decodes).toBe(frames); // ingest: the tracker decoded each frame through the session's decoder

    // Rendering: the list, each row's facts and description, a search over payloads.
    const snapshot = session.snapshot();
    for (const needle of ['', 'phx_join', 'access_token']) {
      for (const item of frameList(snapshot.rows, session.catalog, { text: needle, showHeartbeats: true }).items) {
        if (item.kind !== 'frame') continue;
        session.catalog.facts(item.event);
        session.catalog.describe(item.event);
      }
    }
    // Selection: the frame the user opens.
    const join = [...snapshot.rows].find((r) => r.kind === 'ws-frame' && session.catalog.facts(r).event === 'phx_join');
    expect(join && join.kind === 'ws-frame' && session.catalog.decoded(join).ok).toBe(true);
    expect(decodes).toBe(frames);
  });
});

describe('analysis runs', () => {
  it('publishes only the latest of two overlapping runs', async () => {
    const session = new Session({ tabId: PAGE.tabId });
    // The first run's answer arrives last.
    const run = session.engine.run.bind(session.engine);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let calls = 0;
    session.engine.run = async (...args) => {
      const answer = run(...args);
      if (calls++ === 0) await held;
      return answer;
    };
    session.apply({ type: 'snapshot', snapshot: { doc: DOC_INFO, events: fresh(PAGE.events).slice(0, 4), stats: EMPTY_STATS } });
    const first = session.analyse(PAGE.now);
    session.apply({ type: 'events', docId: PAGE_DOC, events: fresh(PAGE.events).slice(4), stats: EMPTY_STATS });
    await session.analyse(PAGE.now);
    release();
    await first;
    const { analysis, contentVersion } = session.snapshot();
    expect(analysis.kind === 'done' && analysis.contentVersion).toBe(contentVersion);
    expect(session.analysisStale()).toBe(false);
  });
});

describe('content versions', () => {
  it('a "page reloaded" separator and the document it names change the rows a face shows', () => {
    const session = new Session({ tabId: PAGE.tabId });
    session.apply({ type: 'snapshot', snapshot: { doc: DOC_INFO, events: fresh(PAGE.events), stats: EMPTY_STATS } });
    const before = session.snapshot();
    session.apply({ type: 'navigated', tabId: PAGE.tabId, url: 'http://127.0.0.1/app/?again' });
    const announced = session.snapshot();
    expect(announced.contentVersion).toBeGreaterThan(before.contentVersion);
    expect([...announced.rows].at(-1)).toMatchObject({ kind: 'separator', url: 'http://127.0.0.1/app/?again' });
    const next = { ...DOC_INFO, docId: 'second-doc', url: 'http://127.0.0.1/app/?again#ready' };
    session.apply({ type: 'snapshot', snapshot: { doc: next, events: [], stats: EMPTY_STATS } });
    const named = session.snapshot();
    expect(named.contentVersion).toBeGreaterThan(announced.contentVersion);
    expect([...named.rows].at(-1)).toMatchObject({ kind: 'separator', docId: 'second-doc', url: next.url });
    // The earlier snapshot still shows the separator as it was announced.
    expect([...announced.rows].at(-1)).toMatchObject({ kind: 'separator', url: 'http://127.0.0.1/app/?again' });
    expect([...announced.rows].at(-1)).not.toHaveProperty('docId');
  });
});
