import { describe, expect, it } from 'vitest';
import type { DocumentInfo, StoreSnapshot } from '../messages';
import { PROTOCOL_VERSION } from '../messages';
import { Router, isRestrictedUrl, type RouterHost } from './router';

class MemoryPort {
  sent: any[] = [];
  postMessage(m: unknown): void {
    this.sent.push(m);
  }
  ofType(type: string): any[] {
    return this.sent.filter((m) => m.type === type);
  }
}

function setup(opts: { contentAnswers?: boolean; url?: string } = {}) {
  const badges = new Map<number, number>();
  const pings: number[] = [];
  const reloads: number[] = [];
  const host: RouterHost = {
    async pingTab(tabId) {
      pings.push(tabId);
      return opts.contentAnswers ?? false;
    },
    async tabUrl() {
      return opts.url;
    },
    async reloadTab(tabId) {
      reloads.push(tabId);
    },
    setBadge(tabId, n) {
      badges.set(tabId, n);
    },
    now: () => 1_000_000,
  };
  return { router: new Router(host), badges, pings, reloads };
}

const doc = (docId: string, isTop = true, startedAt = 1): DocumentInfo => ({ docId, url: `https://app.test/${docId}`, isTop, startedAt });
const tick = () => new Promise((r) => setTimeout(r, 0));
const emptySnapshot = (d: DocumentInfo): StoreSnapshot => ({
  doc: d,
  events: [],
  stats: { events: 0, bytes: 0, droppedEvents: 0, droppedBytes: 0, truncatedFrames: 0, otherSockets: 0, rejected: 0 },
});

describe('Router', () => {
  it('serves a subscribing panel a snapshot from each document of the tab, then streams live events', async () => {
    const { router } = setup({ contentAnswers: true, url: 'https://app.test/' });
    const top = new MemoryPort();
    const frame = new MemoryPort();
    router.contentConnected(top, 7, 0);
    router.contentMessage(top, { type: 'hello', v: PROTOCOL_VERSION, doc: doc('top') });
    router.contentConnected(frame, 7, 3);
    router.contentMessage(frame, { type: 'hello', v: PROTOCOL_VERSION, doc: doc('iframe', false) });
    expect(top.sent).toEqual([]); // nobody listens: nothing streamed

    const panel = new MemoryPort();
    router.panelMessage(panel, { type: 'subscribe', v: PROTOCOL_VERSION, tabId: 7 });
    await tick();
    expect(top.ofType('stream')).toEqual([{ type: 'stream', on: true }]);
    const req = top.ofType('snapshot-request')[0];
    expect(frame.ofType('snapshot-request')).toHaveLength(1);
    router.contentMessage(top, { type: 'snapshot', requestId: req.requestId, snapshot: emptySnapshot(doc('top')) });
    expect(panel.ofType('snapshot')).toHaveLength(1);
    expect(panel.ofType('status')).toEqual([
      { type: 'status', v: PROTOCOL_VERSION, tabId: 7, status: 'capturing', url: 'https://app.test/', documents: [doc('top'), doc('iframe', false)] },
    ]);

    router.contentMessage(top, { type: 'events', docId: 'top', events: [], stats: emptySnapshot(doc('top')).stats });
    expect(panel.ofType('events')).toHaveLength(1);

    router.panelDisconnected(panel);
    expect(top.ofType('stream').at(-1)).toEqual({ type: 'stream', on: false });
  });

  it('after a service worker restart, a pinged document that says hello again is served to the waiting panel', async () => {
    const { router, pings } = setup({ contentAnswers: true });
    const panel = new MemoryPort();
    router.panelMessage(panel, { type: 'subscribe', v: PROTOCOL_VERSION, tabId: 3 });
    await tick();
    expect(pings).toEqual([3]);
    const content = new MemoryPort();
    router.contentConnected(content, 3, 0);
    router.contentMessage(content, { type: 'hello', v: PROTOCOL_VERSION, doc: doc('a') });
    expect(content.ofType('stream')).toEqual([{ type: 'stream', on: true }]);
    expect(content.ofType('snapshot-request')).toHaveLength(1);
  });

  it('tells tabs without a content script apart from restricted pages', async () => {
    for (const [url, status] of [
      ['https://opened-before-install.test/', 'not-capturing'],
      ['chrome://extensions/', 'restricted'],
      [undefined, 'restricted'],
      ['https://chromewebstore.google.com/detail/x', 'restricted'],
    ] as const) {
      const { router } = setup({ contentAnswers: false, url });
      const panel = new MemoryPort();
      router.panelMessage(panel, { type: 'subscribe', v: PROTOCOL_VERSION, tabId: 1 });
      await tick();
      await tick();
      expect(panel.ofType('status')[0]).toMatchObject({ status });
    }
    expect(isRestrictedUrl('https://example.com/')).toBe(false);
  });

  it('queues network observations until the tab has a store, then delivers them to the requesting frame', () => {
    const { router, pings } = setup();
    router.network(5, 2, { kind: 'net', url: 'wss://x/realtime/v1/websocket', resourceType: 'websocket', method: 'GET', error: 'net::ERR_FAILED' }, 999_000);
    expect(pings).toEqual([5]);
    const top = new MemoryPort();
    router.contentConnected(top, 5, 0);
    router.contentMessage(top, { type: 'hello', v: PROTOCOL_VERSION, doc: doc('t') });
    // Frame 2 has no store: the top document's store takes it.
    expect(top.ofType('network-events')).toEqual([
      { type: 'network-events', source: 'network', events: [{ kind: 'net', url: 'wss://x/realtime/v1/websocket', resourceType: 'websocket', method: 'GET', error: 'net::ERR_FAILED' }], times: [999_000] },
    ]);
    router.network(-1, 0, { kind: 'net', url: 'x', resourceType: 'other', method: 'GET' }, 999_000);
    expect(pings).toEqual([5]); // not a tab's request: ignored
  });

  it('sums server auth errors of the tab for the badge and forgets them on a new top document', () => {
    const { router, badges } = setup();
    const top = new MemoryPort();
    const frame = new MemoryPort();
    router.contentConnected(top, 9, 0);
    router.contentMessage(top, { type: 'hello', v: PROTOCOL_VERSION, doc: doc('a', true, 1) });
    router.contentConnected(frame, 9, 1);
    router.contentMessage(frame, { type: 'hello', v: PROTOCOL_VERSION, doc: doc('f', false, 2) });
    router.contentMessage(top, { type: 'summary', docId: 'a', realtimeSockets: 1, serverErrors: 2 });
    router.contentMessage(frame, { type: 'summary', docId: 'f', realtimeSockets: 1, serverErrors: 1 });
    expect(badges.get(9)).toBe(3);
    const panel = new MemoryPort();
    router.panelMessage(panel, { type: 'subscribe', v: PROTOCOL_VERSION, tabId: 9 });
    const next = new MemoryPort();
    router.contentConnected(next, 9, 0);
    router.contentMessage(next, { type: 'hello', v: PROTOCOL_VERSION, doc: doc('b', true, 10) });
    expect(badges.get(9)).toBe(0);
    expect(panel.ofType('navigated')).toEqual([{ type: 'navigated', tabId: 9, url: 'https://app.test/b' }]);
  });

  it("carries each document's hook state to the panels: decided after hello, and on a later subscribe", async () => {
    const { router } = setup({ contentAnswers: true, url: 'https://app.test/' });
    const panel = new MemoryPort();
    router.panelMessage(panel, { type: 'subscribe', v: PROTOCOL_VERSION, tabId: 2 });
    await tick();
    const top = new MemoryPort();
    const frame = new MemoryPort();
    router.contentConnected(top, 2, 0);
    router.contentMessage(top, { type: 'hello', v: PROTOCOL_VERSION, doc: doc('top', true, 5) });
    // Undecided (the first second of the document): no hook state yet, never a guess.
    expect(panel.ofType('status').at(-1)).not.toHaveProperty('hook');

    router.contentMessage(top, { type: 'document', doc: { ...doc('top', true, 5), hook: 'missing' } });
    expect(panel.ofType('status').at(-1)).toEqual({
      type: 'status',
      v: PROTOCOL_VERSION,
      tabId: 2,
      status: 'capturing',
      url: 'https://app.test/top',
      hook: 'missing',
      documents: [{ ...doc('top', true, 5), hook: 'missing' }],
    });

    // An iframe whose hook started, said hello with its state; the top one's hand-over came late.
    router.contentConnected(frame, 2, 4);
    router.contentMessage(frame, { type: 'hello', v: PROTOCOL_VERSION, doc: { ...doc('frame', false, 6), hook: 'connected' } });
    router.contentMessage(top, { type: 'document', doc: { ...doc('top', true, 5), hook: 'connected' } });
    expect(panel.ofType('status').at(-1)).toMatchObject({
      hook: 'connected',
      documents: [
        { docId: 'top', hook: 'connected' },
        { docId: 'frame', hook: 'connected' },
      ],
    });

    // A panel that subscribes later gets the states at once.
    router.contentMessage(frame, { type: 'document', doc: { ...doc('frame', false, 6), hook: 'missing' } });
    const later = new MemoryPort();
    router.panelMessage(later, { type: 'subscribe', v: PROTOCOL_VERSION, tabId: 2 });
    await tick();
    await tick();
    expect(later.ofType('status')).toEqual([
      {
        type: 'status',
        v: PROTOCOL_VERSION,
        tabId: 2,
        status: 'capturing',
        url: 'https://app.test/',
        hook: 'connected',
        documents: [
          { ...doc('top', true, 5), hook: 'connected' },
          { ...doc('frame', false, 6), hook: 'missing' },
        ],
      },
    ]);
  });

  it('lets a document describe only itself, and drops the previous page from the documents list', () => {
    const { router } = setup();
    const panel = new MemoryPort();
    router.panelMessage(panel, { type: 'subscribe', v: PROTOCOL_VERSION, tabId: 8 });
    const frame = new MemoryPort();
    router.contentConnected(frame, 8, 3);
    router.contentMessage(frame, { type: 'hello', v: PROTOCOL_VERSION, doc: doc('frame', false, 2) });
    const before = panel.sent.length;
    // An iframe posing as another document (or as the top one) changes nothing.
    router.contentMessage(frame, { type: 'document', doc: { ...doc('top', true, 2), hook: 'missing' } });
    router.contentMessage(new MemoryPort(), { type: 'document', doc: { ...doc('frame', false, 2), hook: 'missing' } });
    expect(panel.sent.length).toBe(before);

    const old = new MemoryPort();
    router.contentConnected(old, 8, 0);
    router.contentMessage(old, { type: 'hello', v: PROTOCOL_VERSION, doc: { ...doc('old', true, 1), hook: 'missing' } });
    const next = new MemoryPort();
    router.contentConnected(next, 8, 0);
    router.contentMessage(next, { type: 'hello', v: PROTOCOL_VERSION, doc: { ...doc('new', true, 10), hook: 'connected' } });
    const status = panel.ofType('status').at(-1);
    expect(status).toMatchObject({ hook: 'connected', url: 'https://app.test/new' });
    expect(status.documents.map((d: DocumentInfo) => d.docId)).toEqual(['new']);
  });

  it('forgets a snapshot request when the asked document disconnects before answering', async () => {
    const { router } = setup({ contentAnswers: true });
    const gone = new MemoryPort();
    const stays = new MemoryPort();
    router.contentConnected(gone, 6, 0);
    router.contentMessage(gone, { type: 'hello', v: PROTOCOL_VERSION, doc: doc('gone') });
    router.contentConnected(stays, 6, 2);
    router.contentMessage(stays, { type: 'hello', v: PROTOCOL_VERSION, doc: doc('stays', false) });
    const panel = new MemoryPort();
    router.panelMessage(panel, { type: 'subscribe', v: PROTOCOL_VERSION, tabId: 6 });
    await tick();
    const pending = () => [...router['snapshotRequests'].keys()];
    const goneReq = gone.ofType('snapshot-request')[0].requestId;
    const staysReq = stays.ofType('snapshot-request')[0].requestId;
    expect(pending().sort()).toEqual([goneReq, staysReq].sort());

    router.contentDisconnected(gone);
    expect(pending()).toEqual([staysReq]);
    // The remaining document still answers its own request; another port cannot answer for it.
    router.contentMessage(gone, { type: 'snapshot', requestId: staysReq, snapshot: emptySnapshot(doc('gone')) });
    router.contentMessage(stays, { type: 'snapshot', requestId: goneReq, snapshot: emptySnapshot(doc('stays', false)) });
    expect(panel.ofType('snapshot')).toEqual([]);
    router.contentMessage(stays, { type: 'snapshot', requestId: staysReq, snapshot: emptySnapshot(doc('stays', false)) });
    expect(panel.ofType('snapshot')).toHaveLength(1);
    expect(pending()).toEqual([]);
  });

  it('forgets the snapshot request of a document whose port throws when asked', async () => {
    const { router } = setup({ contentAnswers: true });
    const broken = new MemoryPort();
    router.contentConnected(broken, 11, 0);
    router.contentMessage(broken, { type: 'hello', v: PROTOCOL_VERSION, doc: doc('b') });
    broken.postMessage = (m: any) => {
      if (m.type === 'snapshot-request') throw new Error('Attempting to use a disconnected port object');
    };
    router.panelMessage(new MemoryPort(), { type: 'subscribe', v: PROTOCOL_VERSION, tabId: 11 });
    await tick();
    expect(router['snapshotRequests'].size).toBe(0);
  });

  it('refuses mismatched protocol versions with a message the user can act on', () => {
    const { router } = setup();
    const panel = new MemoryPort();
    router.panelMessage(panel, { type: 'subscribe', v: PROTOCOL_VERSION + 1, tabId: 1 });
    expect(panel.ofType('problem')[0].message).toMatch(/close and reopen DevTools/);
  });

  it('reloads the tab on reload-and-capture and clears every store of the tab', () => {
    const { router, reloads } = setup();
    const c = new MemoryPort();
    router.contentConnected(c, 4, 0);
    router.panelMessage(new MemoryPort(), { type: 'reload-and-capture', tabId: 4 });
    router.panelMessage(new MemoryPort(), { type: 'clear', tabId: 4 });
    expect(reloads).toEqual([4]);
    expect(c.ofType('clear')).toHaveLength(1);
  });
});
