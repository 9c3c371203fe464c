// Test support: the three contexts wired together on in-memory ports — documents' ContentStores,
// the service worker's Router, panels — with every message in flight on one Wire and a manual
// clock, so the test decides when messages arrive and timers fire. Shared by contexts.test.ts and
// message-budget.test.ts, which add their own kind of panel. Imported by *.test.ts only.

import { Router } from '../background/router';
import { ContentStore } from '../content/store';
import { PROTOCOL_VERSION } from '../messages';
import { FakeClock, portPair, Wire, type MemoryPort } from './testing';

export interface MemoryContextsOptions {
  tabId: number;
  /** The clock's start (ms since the epoch). */
  start: number;
  /** The router's pings are answered by the stores, as content scripts do; otherwise no frame answers. */
  storesAnswerPings?: boolean;
  /** A document's URL; https://app.test/ when not given. */
  urlOf?: (docId: string) => string;
}

export class MemoryContexts {
  readonly wire = new Wire();
  readonly clock = new FakeClock();
  readonly stores: ContentStore[] = [];
  /** The content scripts' ends of their ports, in order (a store's latest is its current one). */
  readonly contentPorts: MemoryPort[] = [];
  router: Router;
  /** The service worker's ends of every open port (they all drop when it stops). */
  private workerEnds: MemoryPort[] = [];

  constructor(private readonly options: MemoryContextsOptions) {
    this.clock.now = options.start;
    this.router = this.startWorker();
  }

  get tabId(): number {
    return this.options.tabId;
  }

  startWorker(): Router {
    this.router = new Router({
      pingTab: async () => (this.options.storesAnswerPings ? this.stores.map((s) => s.ping({ type: 'claimscope:ping', v: PROTOCOL_VERSION })).some(Boolean) : false),
      tabUrl: async () => 'https://app.test/',
      reloadTab: async () => undefined,
      setBadge: () => undefined,
      now: () => this.clock.now,
    });
    return this.router;
  }

  /** The MV3 worker is stopped: every port drops; a new worker starts with an empty router. */
  restartWorker(): void {
    for (const end of this.workerEnds) end.disconnect();
    this.workerEnds = [];
    this.startWorker();
  }

  /** A new pair of connected ends on the wire; a subclass may wrap them (a size limit, a meter). */
  protected newPortPair(): [MemoryPort, MemoryPort] {
    return portPair(this.wire);
  }

  addDocument(docId: string): ContentStore {
    const url = this.options.urlOf?.(docId) ?? 'https://app.test/';
    const store = new ContentStore({
      docId,
      url,
      isTop: true,
      startedAt: this.clock.now,
      window: {},
      currentUrl: () => url,
      connect: () => {
        const [content, worker] = this.newPortPair();
        this.contentPorts.push(content);
        this.workerEnds.push(worker);
        this.router.contentConnected(worker, this.tabId, 0);
        return content;
      },
      now: () => this.clock.now,
      setTimer: this.clock.setTimer,
      clearTimer: this.clock.clearTimer,
    });
    this.stores.push(store);
    store.start();
    return store;
  }

  /** Connects a panel to the router: the `connect` of a panel link (panel/link.ts). */
  connectPanel(): MemoryPort {
    const [panel, worker] = this.newPortPair();
    this.workerEnds.push(worker);
    this.router.panelConnected(worker);
    return panel;
  }

  /** Delivers everything in flight, letting the router's awaits run in between. */
  async settle(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      this.wire.flush();
      await new Promise((r) => setTimeout(r, 0));
    }
    this.wire.flush();
  }

  /** Lets timers due within `ms` run, settling after each step. */
  async advance(ms: number, step = 10): Promise<void> {
    for (let t = 0; t < ms; t += step) {
      this.clock.advance(Math.min(step, ms - t));
      await this.settle();
    }
  }
}
