import { describe, expect, it } from 'vitest';
import type { DocumentInfo, StoreSnapshot } from '../messages';
import { PROTOCOL_VERSION } from '../messages';
import type { Rejection } from '../transport/endpoint';
import { MemoryPort } from '../transport/testing';
import { Router, badgeWords, isRestrictedUrl, type RouterHost } from './router';

function setup(opts: { contentAnswers?: boolean; url?: string } = {}) {
  const badges = new Map<number, number>();
  const pings: number[] = [];
  const reloads: number[] = [];
  const invalid: Array<{ from: string; rejection: Rejection }> = [];
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
    setBadge(tabId, errors, exposures) {
      // What the badge reads (badgeWords): the sum.
      badges.set(tabId, errors + exposures);
    },
    now: () => 1_000_000,
    invalidMessage(from, rejection) {
      invalid.push({ from, rejection });
    },
  };
  const router = new Router(host);
  /** A content script's port, connected from tab `tabId`, frame `frameId`. */
  const connectContent = (tabId: number, frameId: number) => {
    const port = new MemoryPort();
    router.contentConnected(port, tabId, frameId);
    return port;
  };
  /** A panel's port, connected. */
  const connectPanel = () => {
    const port = new MemoryPort();
    router.panelConnected(port);
    return port;
  };
  return { router, badges, pings, reloads, invalid, connectContent, connectPanel };
}

const doc = (docId: string, isTop = true, startedAt = 1): DocumentInfo => ({ docId, url: `https://app.test/${docId}`, isTop, startedAt });
const tick = () => new Promise((r) => setTimeout(r, 0));
const emptySnapshot = (d: DocumentInfo): StoreSnapshot => ({
  doc: d,
  events: [],
  stats: { events: 0, bytes: 0, droppedEvents: 0, droppedBytes: 0, truncatedFrames: 0, otherSockets: 0, rejected: 0 },
});

describe('Router: a port speaks for its own document only', () => {
  it('relays events, snapshots and summaries naming the port\'s document, and refuses and counts any other', async () => {
    const { router, badges, invalid, connectContent, connectPanel } = setup({ contentAnswers: true, url: 'https://app.test/' });
    const top = connectContent(7, 0);
    top.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: doc('top') });
    const other = connectContent(7, 3);
    other.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: doc('iframe', false) });
    const panel = connectPanel();
    panel.deliver({ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 7 });
    await tick();
    const stats = emptySnapshot(doc('x')).stats;
    const ev = (docId: string, seq: number) => ({ kind: 'lifecycle', change: 'online', docId, seq, time: 1 });

    top.deliver({ type: 'events', docId: 'top', events: [ev('top', 1)], stats });
    // The iframe's content script posing as the top document, or slipping the top's events in.
    other.deliver({ type: 'events', docId: 'top', events: [ev('top', 2)], stats });
    other.deliver({ type: 'events', docId: 'iframe', events: [ev('iframe', 1), ev('top', 3)], stats });
    const req = other.ofType('snapshot-request')[0];
    other.deliver({ type: 'snapshot', requestId: req.requestId, snapshot: { ...emptySnapshot(doc('top')), events: [ev('top', 4)] } });
    other.deliver({ type: 'summary', docId: 'top', realtimeSockets: 1, serverErrors: 9, exposures: 0 });

    expect(panel.ofType('events')).toEqual([{ type: 'events', docId: 'top', events: [ev('top', 1)], stats }]);
    expect(panel.ofType('snapshot')).toEqual([]);
    expect(badges.get(7) ?? 0).toBe(0);
    expect(router.rejected.content).toBe(4);
    expect(invalid.map((i) => i.rejection.reason)).toEqual([
      'a document spoke for another document ("top")',
      'a document sent events of another document',
      'a document spoke for another document ("top")',
      'a document spoke for another document ("top")',
    ]);
    // A port that has not said hello sends no captured data at all.
    const silent = connectContent(7, 5);
    silent.deliver({ type: 'events', docId: 'top', events: [], stats });
    expect(invalid.at(-1)!.rejection.reason).toBe('a document sent captured data before its hello');
  });
});

describe('Router', () => {
  it('serves a subscribing panel a snapshot from each document of the tab, then streams live events', async () => {
    const { connectContent, connectPanel } = setup({ contentAnswers: true, url: 'https://app.test/' });
    const top = connectContent(7, 0);
    const frame = connectContent(7, 3);
    top.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: doc('top') });
    frame.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: doc('iframe', false) });
    expect(top.posted).toEqual([]); // nobody listens: nothing streamed

    const panel = connectPanel();
    panel.deliver({ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 7 });
    await tick();
    expect(top.ofType('stream')).toEqual([{ type: 'stream', on: true }]);
    const req = top.ofType('snapshot-request')[0];
    expect(frame.ofType('snapshot-request')).toHaveLength(1);
    top.deliver({ type: 'snapshot', requestId: req.requestId, snapshot: emptySnapshot(doc('top')) });
    expect(panel.ofType('snapshot')).toHaveLength(1);
    expect(panel.ofType('status')).toEqual([
      { type: 'status', v: PROTOCOL_VERSION, tabId: 7, status: 'capturing', url: 'https://app.test/', documents: [doc('top'), doc('iframe', false)] },
    ]);

    top.deliver({ type: 'events', docId: 'top', events: [], stats: emptySnapshot(doc('top')).stats });
    expect(panel.ofType('events')).toHaveLength(1);

    panel.drop();
    expect(top.ofType('stream').at(-1)).toEqual({ type: 'stream', on: false });
  });

  it('after a service worker restart, a pinged document that says hello again is served to the waiting panel', async () => {
    const { pings, connectContent, connectPanel } = setup({ contentAnswers: true });
    const panel = connectPanel();
    panel.deliver({ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 3 });
    await tick();
    expect(pings).toEqual([3]);
    const content = connectContent(3, 0);
    content.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: doc('a') });
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
      const { connectPanel } = setup({ contentAnswers: false, url });
      const panel = connectPanel();
      panel.deliver({ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 1 });
      await tick();
      await tick();
      expect(panel.ofType('status')[0]).toMatchObject({ status });
    }
    expect(isRestrictedUrl('https://example.com/')).toBe(false);
  });

  it('queues network observations until the tab has a store, then delivers them to the requesting frame', () => {
    const { router, pings, connectContent } = setup();
    router.network(5, 2, { kind: 'net', url: 'wss://x/realtime/v1/websocket', resourceType: 'websocket', method: 'GET', error: 'net::ERR_FAILED' }, 999_000);
    expect(pings).toEqual([5]);
    const top = connectContent(5, 0);
    top.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: doc('t') });
    // Frame 2 has no store: the top document's store takes it.
    expect(top.ofType('network-events')).toEqual([
      { type: 'network-events', source: 'network', events: [{ kind: 'net', url: 'wss://x/realtime/v1/websocket', resourceType: 'websocket', method: 'GET', error: 'net::ERR_FAILED' }], times: [999_000] },
    ]);
    router.network(-1, 0, { kind: 'net', url: 'x', resourceType: 'other', method: 'GET' }, 999_000);
    expect(pings).toEqual([5]); // not a tab's request: ignored
  });

  it('sums server auth errors of the tab for the badge and forgets them on a new top document', () => {
    const { badges, connectContent, connectPanel } = setup();
    const top = connectContent(9, 0);
    const frame = connectContent(9, 1);
    top.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: doc('a', true, 1) });
    frame.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: doc('f', false, 2) });
    top.deliver({ type: 'summary', docId: 'a', realtimeSockets: 1, serverErrors: 2, exposures: 0 });
    frame.deliver({ type: 'summary', docId: 'f', realtimeSockets: 1, serverErrors: 1, exposures: 0 });
    expect(badges.get(9)).toBe(3);
    const panel = connectPanel();
    panel.deliver({ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 9 });
    const next = connectContent(9, 0);
    next.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: doc('b', true, 10) });
    expect(badges.get(9)).toBe(0);
    expect(panel.ofType('navigated')).toEqual([{ type: 'navigated', tabId: 9, url: 'https://app.test/b' }]);
  });

  it('badges critical exposures with the server errors, per tab, and words them apart in the tooltip', () => {
    const { badges, connectContent } = setup();
    const top = connectContent(4, 0);
    top.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: doc('a', true, 1) });
    top.deliver({ type: 'summary', docId: 'a', realtimeSockets: 1, serverErrors: 0, exposures: 1 });
    expect(badges.get(4)).toBe(1);
    top.deliver({ type: 'summary', docId: 'a', realtimeSockets: 1, serverErrors: 2, exposures: 1 });
    expect(badges.get(4)).toBe(3);
    expect(badges.get(5)).toBeUndefined();
    expect(badgeWords(2, 1)).toEqual({ text: '3', title: 'Claimscope: 2 server auth errors, 1 secret or service_role key used by the page on this tab' });
    expect(badgeWords(0, 0)).toEqual({ text: '', title: 'Claimscope' });
    expect(badgeWords(1000, 5).text).toBe('999');
  });

  it("carries each document's hook state to the panels: decided after hello, and on a later subscribe", async () => {
    const { connectContent, connectPanel } = setup({ contentAnswers: true, url: 'https://app.test/' });
    const panel = connectPanel();
    panel.deliver({ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 2 });
    await tick();
    const top = connectContent(2, 0);
    const frame = connectContent(2, 4);
    top.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: doc('top', true, 5) });
    // Undecided (the first second of the document): no hook state yet, never a guess.
    expect(panel.ofType('status').at(-1)).not.toHaveProperty('hook');

    top.deliver({ type: 'document', doc: { ...doc('top', true, 5), hook: 'missing' } });
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
    frame.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: { ...doc('frame', false, 6), hook: 'connected' } });
    top.deliver({ type: 'document', doc: { ...doc('top', true, 5), hook: 'connected' } });
    expect(panel.ofType('status').at(-1)).toMatchObject({
      hook: 'connected',
      documents: [
        { docId: 'top', hook: 'connected' },
        { docId: 'frame', hook: 'connected' },
      ],
    });

    // A panel that subscribes later gets the states at once.
    frame.deliver({ type: 'document', doc: { ...doc('frame', false, 6), hook: 'missing' } });
    const later = connectPanel();
    later.deliver({ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 2 });
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
    const { connectContent, connectPanel } = setup();
    const panel = connectPanel();
    panel.deliver({ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 8 });
    const frame = connectContent(8, 3);
    frame.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: doc('frame', false, 2) });
    const before = panel.posted.length;
    // An iframe posing as another document (or as the top one) changes nothing.
    frame.deliver({ type: 'document', doc: { ...doc('top', true, 2), hook: 'missing' } });
    connectContent(8, 5).deliver({ type: 'document', doc: { ...doc('frame', false, 2), hook: 'missing' } });
    expect(panel.posted.length).toBe(before);

    const old = connectContent(8, 0);
    old.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: { ...doc('old', true, 1), hook: 'missing' } });
    const next = connectContent(8, 0);
    next.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: { ...doc('new', true, 10), hook: 'connected' } });
    const status = panel.ofType('status').at(-1);
    expect(status).toMatchObject({ hook: 'connected', url: 'https://app.test/new' });
    expect(status.documents.map((d: DocumentInfo) => d.docId)).toEqual(['new']);
  });

  it('forgets a snapshot request when the asked document disconnects before answering', async () => {
    const { router, connectContent, connectPanel } = setup({ contentAnswers: true });
    const gone = connectContent(6, 0);
    const stays = connectContent(6, 2);
    gone.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: doc('gone') });
    stays.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: doc('stays', false) });
    const panel = connectPanel();
    panel.deliver({ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 6 });
    await tick();
    const pending = () => [...router['snapshotRequests'].keys()];
    const goneReq = gone.ofType('snapshot-request')[0].requestId;
    const staysReq = stays.ofType('snapshot-request')[0].requestId;
    expect(pending().sort()).toEqual([goneReq, staysReq].sort());

    gone.drop();
    expect(pending()).toEqual([staysReq]);
    // The remaining document still answers its own request; another port cannot answer for it.
    gone.deliver({ type: 'snapshot', requestId: staysReq, snapshot: emptySnapshot(doc('gone')) });
    stays.deliver({ type: 'snapshot', requestId: goneReq, snapshot: emptySnapshot(doc('stays', false)) });
    expect(panel.ofType('snapshot')).toEqual([]);
    stays.deliver({ type: 'snapshot', requestId: staysReq, snapshot: emptySnapshot(doc('stays', false)) });
    expect(panel.ofType('snapshot')).toHaveLength(1);
    expect(pending()).toEqual([]);
  });

  it('forgets the snapshot request of a document whose port throws when asked', async () => {
    const { router, connectContent, connectPanel } = setup({ contentAnswers: true });
    const broken = connectContent(11, 0);
    broken.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: doc('b') });
    broken.postMessage = (m: any) => {
      if (m.type === 'snapshot-request') throw new Error('Attempting to use a disconnected port object');
    };
    connectPanel().deliver({ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 11 });
    await tick();
    expect(router['snapshotRequests'].size).toBe(0);
  });

  it('refuses mismatched protocol versions with a message the user can act on', () => {
    const { connectPanel } = setup();
    const panel = connectPanel();
    panel.deliver({ type: 'subscribe', v: PROTOCOL_VERSION + 1, tabId: 1 });
    expect(panel.ofType('problem')[0].message).toMatch(/close and reopen DevTools/);
  });

  it('reloads the tab on reload-and-capture and clears every store of the tab', () => {
    const { reloads, connectContent, connectPanel } = setup();
    const c = connectContent(4, 0);
    connectPanel().deliver({ type: 'reload-and-capture', tabId: 4 });
    connectPanel().deliver({ type: 'clear', tabId: 4 });
    expect(reloads).toEqual([4]);
    expect(c.ofType('clear')).toHaveLength(1);
  });

  it('refuses what the transport rejects: counted, reported to the host, never acted upon', async () => {
    const { router, invalid, badges, connectContent, connectPanel } = setup({ contentAnswers: true });
    const panel = connectPanel();
    panel.deliver({ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 3 });
    await tick();
    const content = connectContent(3, 0);
    // A capture script of another version: the panels are told what to do, the document is not served.
    content.deliver({ type: 'hello', v: PROTOCOL_VERSION + 1, doc: doc('old') });
    expect(panel.ofType('problem').at(-1).message).toBe(
      `The page's capture script speaks protocol ${PROTOCOL_VERSION + 1}, this service worker ${PROTOCOL_VERSION}: reload the page.`,
    );
    expect(content.posted).toEqual([]);
    content.deliver({ type: 'summary', docId: 'old', realtimeSockets: 1, serverErrors: '3', exposures: 0 });
    panel.deliver({ type: 'clear', tabId: '3' });
    panel.deliver({ type: 'reload-and-capture' });
    expect(badges.size).toBe(0);
    expect(content.posted).toEqual([]);
    expect(router.rejected).toEqual({ content: 2, panel: 2 });
    expect(invalid.map((i) => `${i.from}: ${i.rejection.reason}`)).toEqual([
      `content: hello has protocol version ${PROTOCOL_VERSION + 1}, expected ${PROTOCOL_VERSION}`,
      'content: summary: serverErrors is not a count',
      'panel: clear: tabId is not an integer',
      'panel: reload-and-capture: tabId is not an integer',
    ]);
  });

  it('after a clear, asks again for snapshots still unanswered, so none carries what was cleared', async () => {
    const { router, connectContent, connectPanel } = setup({ contentAnswers: true });
    const content = connectContent(2, 0);
    content.deliver({ type: 'hello', v: PROTOCOL_VERSION, doc: doc('a') });
    const panel = connectPanel();
    panel.deliver({ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 2 });
    await tick();
    const [first] = content.ofType('snapshot-request');
    panel.deliver({ type: 'clear', tabId: 2 });
    expect(content.posted.map((m) => m.type)).toEqual(['stream', 'snapshot-request', 'clear', 'snapshot-request']);
    const second = content.ofType('snapshot-request')[1];
    content.deliver({ type: 'snapshot', requestId: first.requestId, snapshot: emptySnapshot(doc('a')) });
    expect(panel.ofType('snapshot')).toEqual([]);
    content.deliver({ type: 'snapshot', requestId: second.requestId, snapshot: emptySnapshot(doc('a')) });
    expect(panel.ofType('snapshot')).toHaveLength(1);
    expect(router['snapshotRequests'].size).toBe(0);
  });
});
