// Property test (issue 8): malformed variants of every message kind — each field removed, each field
// of the wrong type, an enum field with an unknown value, extra junk, another protocol version,
// non-objects — sent to every receiver: the content script's, the router's content-side and
// panel-side ports, the panel link. Each is rejected and counted, none throws, and no handler acts on
// it (the receivers' observable effects — posts, stored events, badge, reloads — stay unchanged).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Router } from '../background/router';
import { ContentStore } from '../content/store';
import { PROTOCOL_VERSION, type BackgroundToPanel } from '../messages';
import { openPanelLink } from '../panel/link';
import { createEndpoint, type Rejection } from './endpoint';
import { BACKGROUND_TO_CONTENT, BACKGROUND_TO_PANEL, CONTENT_PING, CONTENT_TO_BACKGROUND, PANEL_TO_BACKGROUND } from './schemas';
import { FakeClock, MemoryPort, portPair } from './testing';
import type { MessageSchema, Tagged } from './validate';

// ---- valid samples of every kind, with every optional field present -----------------------------

const DOC = { docId: 'd1', url: 'https://app.test/', isTop: true, startedAt: 1, hook: 'connected' };
const STATS = { events: 1, bytes: 100, droppedEvents: 0, droppedBytes: 0, truncatedFrames: 0, otherSockets: 0, rejected: 0 };
const EVENT = { kind: 'ws-open', docId: 'd1', seq: 1, time: 2 };
const SNAPSHOT = { doc: DOC, events: [EVENT], stats: STATS };
const NET = { kind: 'net', url: 'wss://x.test/realtime/v1/websocket', resourceType: 'websocket', method: 'GET', status: 101, date: 'Mon', error: 'e', req: 'r', conn: 'c' };

interface KindCase {
  sample: Record<string, unknown>;
  /** Paths (dot-joined, array indexes as numbers) whose removal is valid. */
  optional?: string[];
  /** String paths restricted to a set of values: 'bogus' there is invalid too. */
  enums?: string[];
}
type Cases = Record<string, KindCase>;

const docOptional = (at: string) => [`${at}.hook`];
const docEnums = (at: string) => [`${at}.hook`];

const contentToBackground = (snapshotRequestId: string): Cases => ({
  hello: { sample: { type: 'hello', v: PROTOCOL_VERSION, doc: DOC }, optional: docOptional('doc'), enums: docEnums('doc') },
  document: { sample: { type: 'document', doc: DOC }, optional: docOptional('doc'), enums: docEnums('doc') },
  events: { sample: { type: 'events', docId: 'd1', events: [EVENT], stats: STATS } },
  snapshot: { sample: { type: 'snapshot', requestId: snapshotRequestId, snapshot: SNAPSHOT }, optional: docOptional('snapshot.doc'), enums: docEnums('snapshot.doc') },
  summary: { sample: { type: 'summary', docId: 'd1', realtimeSockets: 1, serverErrors: 2, exposures: 0 } },
});

const backgroundToContent: Cases = {
  stream: { sample: { type: 'stream', on: true } },
  'snapshot-request': { sample: { type: 'snapshot-request', requestId: 's1' } },
  clear: { sample: { type: 'clear' } },
  'network-events': {
    sample: { type: 'network-events', events: [NET], source: 'network', times: [5] },
    optional: ['status', 'date', 'error', 'req', 'conn'].map((f) => `events.0.${f}`),
    enums: ['source', 'events.0.kind', 'events.0.resourceType'],
  },
};

const ping: Cases = { 'claimscope:ping': { sample: { type: 'claimscope:ping', v: PROTOCOL_VERSION } } };

const panelToBackground: Cases = {
  subscribe: { sample: { type: 'subscribe', v: PROTOCOL_VERSION, tabId: 1 } },
  clear: { sample: { type: 'clear', tabId: 1 } },
  'reload-and-capture': { sample: { type: 'reload-and-capture', tabId: 1 } },
};

const backgroundToPanel: Cases = {
  status: {
    sample: { type: 'status', v: PROTOCOL_VERSION, tabId: 1, status: 'capturing', url: 'https://app.test/', hook: 'missing', documents: [DOC] },
    optional: ['url', 'hook', 'documents', 'documents.0.hook'],
    enums: ['status', 'hook', 'documents.0.hook'],
  },
  snapshot: { sample: { type: 'snapshot', snapshot: SNAPSHOT }, optional: docOptional('snapshot.doc'), enums: docEnums('snapshot.doc') },
  events: { sample: { type: 'events', docId: 'd1', events: [EVENT], stats: STATS } },
  navigated: { sample: { type: 'navigated', tabId: 1, url: 'https://app.test/next' } },
  problem: { sample: { type: 'problem', message: 'm' } },
};

// ---- malformed variants -------------------------------------------------------------------------

interface Variant {
  message: unknown;
  /** Set for "another protocol version" variants: the version the message claims. */
  peerVersion?: number;
}

type Path = Array<string | number>;

function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...pathsOf(v, [...prefix, i])]);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
  return [];
}

function valueAt(root: unknown, path: Path): any {
  return path.reduce<any>((v, k) => v[k], root);
}

function withChange(sample: object, path: Path, change: { remove: true } | { value: unknown }): unknown {
  const copy: any = structuredClone(sample);
  const parent = valueAt(copy, path.slice(0, -1));
  const key = path[path.length - 1];
  if ('remove' in change) delete parent[key];
  else parent[key] = change.value;
  return copy;
}

function classOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function malformed(cases: Cases): fc.Arbitrary<Variant> {
  const kinds = Object.keys(cases);
  const perKind = Object.values(cases).map(({ sample, optional = [], enums = [] }) => {
    const paths = pathsOf(sample);
    const isOptional = (p: Path) => optional.includes(p.join('.'));
    const removable = paths.filter((p) => typeof p[p.length - 1] === 'string' && !isOptional(p));
    const options: Array<fc.Arbitrary<Variant>> = [
      // each required field removed
      fc.constantFrom(...removable).map((p) => ({ message: withChange(sample, p, { remove: true }) })),
      // each field of another type (undefined is no wrong type for an optional field)
      fc.constantFrom(...paths).chain((p) =>
        fc
          .anything({ withNullPrototype: true, withBigInt: true, withBoxedValues: true, withSparseArray: true, withTypedArray: true })
          .filter((v) => classOf(v) !== classOf(valueAt(sample, p)) && !(v === undefined && isOptional(p)))
          .map((value) => ({ message: withChange(sample, p, { value }) })),
      ),
      // extra junk at the top level
      fc
        .tuple(
          fc.string({ minLength: 1 }).filter((k) => !Object.prototype.hasOwnProperty.call(sample, k)),
          fc.anything(),
        )
        .map(([key, value]) => {
          const message: any = structuredClone(sample);
          Object.defineProperty(message, key, { value, enumerable: true, configurable: true, writable: true });
          return { message };
        }),
    ];
    if (removable.length === 0) options.shift();
    if (enums.length) options.push(fc.constantFrom(...enums).map((p) => ({ message: withChange(sample, p.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k)), { value: 'bogus' }) })));
    if ('v' in sample) {
      options.push(fc.integer().filter((v) => v !== PROTOCOL_VERSION).map((v) => ({ message: { ...sample, v }, peerVersion: v })));
    }
    return fc.oneof(...options);
  });
  const nonObjects = fc
    .oneof(
      fc.constant(null),
      fc.constant(undefined),
      fc.double(),
      fc.string(),
      fc.boolean(),
      fc.bigInt(),
      fc.array(fc.anything()),
      fc.record({ type: fc.string().filter((t) => !kinds.includes(t)) }),
      fc.record({ kind: fc.constantFrom(...kinds) }),
    )
    .map((message) => ({ message }));
  return fc.oneof(...perKind, nonObjects);
}

const RUNS = { numRuns: 300 };
const tick = () => new Promise((r) => setTimeout(r, 0));

// ---- every receiver -----------------------------------------------------------------------------

describe('malformed messages to every receiver', () => {
  it('the generator makes only invalid variants (checked on a bare endpoint per schema, with a handler on every kind)', () => {
    const schemas: Array<[MessageSchema<Tagged>, Cases]> = [
      [CONTENT_TO_BACKGROUND as unknown as MessageSchema<Tagged>, contentToBackground('s1')],
      [BACKGROUND_TO_CONTENT as unknown as MessageSchema<Tagged>, backgroundToContent],
      [PANEL_TO_BACKGROUND as unknown as MessageSchema<Tagged>, panelToBackground],
      [BACKGROUND_TO_PANEL as unknown as MessageSchema<Tagged>, backgroundToPanel],
      [CONTENT_PING as unknown as MessageSchema<Tagged>, ping],
    ];
    for (const [schema, cases] of schemas) {
      const port = new MemoryPort();
      const endpoint = createEndpoint(port, schema);
      const handled: unknown[] = [];
      const rejections: Rejection[] = [];
      for (const kind of Object.keys(schema)) endpoint.on(kind, (m) => handled.push(m));
      endpoint.onAny((m) => handled.push(m));
      endpoint.onInvalid((r) => rejections.push(r));
      // Every valid sample is accepted: the variants differ from a valid message by their fault only.
      for (const { sample } of Object.values(cases)) port.deliver(sample);
      expect(handled).toHaveLength(2 * Object.keys(cases).length);
      handled.length = 0;
      fc.assert(
        fc.property(malformed(cases), ({ message, peerVersion }) => {
          const before = endpoint.rejected;
          expect(() => port.deliver(message)).not.toThrow();
          expect(endpoint.rejected).toBe(before + 1);
          expect(handled).toEqual([]);
          expect(rejections.at(-1)?.message).toBe(message);
          expect(rejections.at(-1)?.peerVersion).toBe(peerVersion);
        }),
        RUNS,
      );
    }
  });

  it("the content script's port and ping listener", () => {
    const clock = new FakeClock();
    const ends: MemoryPort[] = [];
    const store = new ContentStore({
      docId: 'd1',
      url: 'https://app.test/',
      isTop: true,
      startedAt: 0,
      window: {},
      currentUrl: () => 'https://app.test/',
      connect: () => {
        const [content] = portPair();
        ends.push(content);
        return content;
      },
      now: () => clock.now,
      setTimer: clock.setTimer,
      clearTimer: clock.clearTimer,
    });
    store.start();
    store.ingest({ v: PROTOCOL_VERSION, type: 'batch', events: [{ kind: 'lifecycle', change: 'online', time: 1 }] });
    const port = ends[0];
    const posted = port.posted.length;
    const check = (deliver: () => unknown) => {
      const before = store.backgroundRejected;
      expect(deliver).not.toThrow();
      expect(store.backgroundRejected).toBe(before + 1);
      // Nothing answered, stored, cleared or reconnected.
      expect(port.posted).toHaveLength(posted);
      expect(store.events()).toHaveLength(1);
      expect(ends).toHaveLength(1);
    };
    fc.assert(fc.property(malformed(backgroundToContent), ({ message }) => check(() => port.deliver(message))), RUNS);
    fc.assert(fc.property(malformed(ping), ({ message }) => check(() => expect(store.ping(message)).toBeUndefined())), RUNS);
    // No variant of `stream` turned the stream on.
    store.ingest({ v: PROTOCOL_VERSION, type: 'batch', events: [{ kind: 'lifecycle', change: 'offline', time: 2 }] });
    clock.advance(1_000);
    expect(port.ofType('events')).toEqual([]);
  });

  it("the router's content-side and panel-side ports", async () => {
    const badges: number[] = [];
    const reloads: number[] = [];
    const router = new Router({
      pingTab: async () => true,
      tabUrl: async () => 'https://app.test/',
      reloadTab: async (tabId) => void reloads.push(tabId),
      setBadge: (_tabId, n) => void badges.push(n),
      now: () => 0,
    });
    const content = new MemoryPort();
    router.contentConnected(content, 1, 0);
    content.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: { ...DOC, hook: undefined } });
    const listening = new MemoryPort();
    router.panelConnected(listening);
    listening.deliver({ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 1 });
    await tick();
    await tick();
    const [{ requestId }] = content.ofType('snapshot-request');
    const contentPosted = content.posted.length;
    const panelPosted = () => listening.posted.filter((m) => m.type !== 'problem').length;
    const listeningBefore = panelPosted();
    const badgesBefore = badges.length;

    // Content side: a slipped-through message would post to the listening panel (status, events,
    // snapshot) or set the badge.
    let problems = listening.ofType('problem').length;
    await fc.assert(
      fc.asyncProperty(malformed(contentToBackground(requestId)), async ({ message, peerVersion }) => {
        const before = router.rejected.content;
        expect(() => content.deliver(message)).not.toThrow();
        await tick();
        expect(router.rejected.content).toBe(before + 1);
        expect(panelPosted()).toBe(listeningBefore);
        expect(content.posted).toHaveLength(contentPosted);
        expect(badges).toHaveLength(badgesBefore);
        // Another protocol version is the one rejection the user hears of.
        if (peerVersion !== undefined) problems++;
        expect(listening.ofType('problem')).toHaveLength(problems);
      }),
      RUNS,
    );
    expect(router['snapshotRequests'].has(requestId)).toBe(true);

    // Panel side: a slipped-through message would subscribe (stream, snapshot request, status),
    // clear the tab's stores or reload the tab.
    const panel = new MemoryPort();
    router.panelConnected(panel);
    await fc.assert(
      fc.asyncProperty(malformed(panelToBackground), async ({ message, peerVersion }) => {
        const before = router.rejected.panel;
        const problemsBefore = panel.ofType('problem').length;
        expect(() => panel.deliver(message)).not.toThrow();
        await tick();
        await tick();
        expect(router.rejected.panel).toBe(before + 1);
        expect(panel.posted.filter((m) => m.type !== 'problem')).toEqual([]);
        expect(panel.ofType('problem')).toHaveLength(problemsBefore + (peerVersion !== undefined ? 1 : 0));
        expect(content.posted).toHaveLength(contentPosted);
        expect(reloads).toEqual([]);
      }),
      RUNS,
    );
  });

  it("the panel link's port", () => {
    const ports: MemoryPort[] = [];
    const received: BackgroundToPanel[] = [];
    const invalid: unknown[] = [];
    const link = openPanelLink({
      tabId: 1,
      connect: () => {
        const port = new MemoryPort();
        ports.push(port);
        return port;
      },
      onMessage: (m) => received.push(m),
      onInvalid: (_reason, m) => invalid.push(m),
      onState: () => undefined,
    });
    fc.assert(
      fc.property(malformed(backgroundToPanel), ({ message }) => {
        const before = link.rejected;
        expect(() => ports[0].deliver(message)).not.toThrow();
        expect(link.rejected).toBe(before + 1);
        expect(invalid.at(-1)).toBe(message);
        expect(received).toEqual([]);
      }),
      RUNS,
    );
    link.close();
  });
});
