// Reading DevTools' network log (chrome.devtools.network) while the panel runs inside DevTools, to
// add the Realtime sockets the page hook cannot see (opened by workers). The decisions live in
// devtools-merge.ts (pure); this file only talks to DevTools and keeps time.
//
// When the log is read (measured in Chromium 156, see har-sockets.ts):
// - getHAR() once at start: everything DevTools recorded since it opened, open sockets included
//   with their frames so far;
// - onRequestFinished: each request as it finishes; a WebSocket only when it CLOSES (or its
//   upgrade fails), then with all its frames;
// - so a socket that opens and stays open (a worker's Realtime socket, typically) is only found,
//   and its frames only follow, by re-reading the whole log. getHAR() costs in proportion to the
//   log (40–160 ms for a small page here, round trip), so: every POLL_MS while a socket the hook
//   did not see (or has not been matched yet) looks alive — until it has shown no new frame for a
//   minute (a live Realtime socket heartbeats every 25–30 s); otherwise every DISCOVER_MS to find
//   new sockets, or POLL_MS after other requests finished (a worker opens its socket right after
//   its script loaded); and never more often than 20× the last read's duration (≤ 5% of the time spent
//   reading, however big the log). A closed socket's final frames come with onRequestFinished.

import { hookSocketsFromRows, type DevtoolsSocketMerger, type Session } from '../core/session';

/** The subset of `chrome.devtools.network` used (Chromium's callback form; Firefox also returns a promise). */
export interface DevtoolsNetworkLike {
  getHAR(callback: (har: unknown) => void): unknown;
  onRequestFinished: {
    addListener(listener: (entry: unknown) => void): void;
    removeListener?(listener: (entry: unknown) => void): void;
  };
}

/** `chrome.devtools.network` when this page runs inside DevTools. */
export function findDevtoolsNetwork(): DevtoolsNetworkLike | undefined {
  const network = (globalThis as { chrome?: { devtools?: { network?: Partial<DevtoolsNetworkLike> } } }).chrome?.devtools?.network;
  if (!network || typeof network.getHAR !== 'function' || typeof network.onRequestFinished?.addListener !== 'function') return undefined;
  return network as DevtoolsNetworkLike;
}

const POLL_MS = 3_000;
const DISCOVER_MS = 5_000;
const TICK_MS = 500;
const HAR_TIMEOUT_MS = 15_000;

export interface DevtoolsNetworkReaderOptions {
  network: DevtoolsNetworkLike;
  merger: DevtoolsSocketMerger;
  session: Session;
  /** Called after events were added or the reader's status changed. */
  onChange: () => void;
  now?: () => number;
}

export interface DevtoolsReaderStatus {
  /** Times the whole log was read. */
  harReads: number;
  /** Duration of the last getHAR() in ms. */
  lastReadMs?: number;
  /** The log is re-read every POLL_MS (a socket only DevTools sees looks alive), not every DISCOVER_MS. */
  polling: boolean;
}

export class DevtoolsNetworkReader {
  readonly merger: DevtoolsSocketMerger;
  private readonly network: DevtoolsNetworkLike;
  private readonly session: Session;
  private readonly onChange: () => void;
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private reading = false;
  /** Earliest next read (the cost bound), and the next read when nothing suggests a new socket. */
  private nextReadAt = 0;
  private discoverAt = 0;
  /** A request finished since the last read: a new socket may have opened with it. */
  private activity = false;
  private readonly status: DevtoolsReaderStatus = { harReads: 0, polling: false };
  private readonly onFinished = (entry: unknown) => {
    this.activity = true;
    this.merger.offer(entry, true, this.now());
    this.tick();
  };

  constructor(options: DevtoolsNetworkReaderOptions) {
    this.network = options.network;
    this.merger = options.merger;
    this.session = options.session;
    this.onChange = options.onChange;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.timer !== undefined) return;
    try {
      this.network.onRequestFinished.addListener(this.onFinished);
    } catch (error) {
      this.merger.problem(`DevTools refused the network listener: ${messageOf(error)}`);
    }
    void this.readHar();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    try {
      this.network.onRequestFinished.removeListener?.(this.onFinished);
    } catch {
      // DevTools is going away: nothing left to detach from.
    }
  }

  readerStatus(): DevtoolsReaderStatus {
    return { ...this.status };
  }

  private tick(): void {
    const now = this.now();
    const events = this.merger.decide(now, () => hookSocketsFromRows(this.session.log.rows), this.session.log.status !== 'connecting');
    let changed = false;
    if (events.length > 0) {
      this.session.applyLocal(events);
      changed = true;
    }
    const polling = this.merger.wantsPoll(now);
    if (polling !== this.status.polling) {
      this.status.polling = polling;
      changed = true;
    }
    if (!this.reading && now >= this.nextReadAt && (polling || this.activity || now >= this.discoverAt)) void this.readHar();
    if (changed) this.onChange();
  }

  private async readHar(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    const started = this.now();
    this.activity = false;
    try {
      const har = await getHar(this.network);
      const now = this.now();
      const took = now - started;
      this.status.harReads++;
      this.status.lastReadMs = took;
      this.nextReadAt = now + Math.max(POLL_MS, took * 20);
      this.discoverAt = now + Math.max(DISCOVER_MS, took * 20);
      const entries = isRecord(har) ? har.entries : undefined;
      if (!Array.isArray(entries)) {
        this.merger.problem('DevTools returned a network log without an entries list; sockets opened by workers cannot be shown.');
      } else {
        for (const entry of entries) this.merger.offer(entry, false, now);
      }
    } catch (error) {
      this.nextReadAt = this.discoverAt = this.now() + POLL_MS * 4;
      this.merger.problem(`Reading DevTools' network log failed: ${messageOf(error)}`);
    } finally {
      this.reading = false;
    }
    this.tick();
    this.onChange();
  }
}

function getHar(network: DevtoolsNetworkLike): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`no answer from getHAR() within ${HAR_TIMEOUT_MS / 1000} s`)), HAR_TIMEOUT_MS);
    const done = (har: unknown) => {
      clearTimeout(timeout);
      resolve(har);
    };
    try {
      const returned = network.getHAR(done);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then(done, (error: unknown) => {
          clearTimeout(timeout);
          reject(error);
        });
      }
    } catch (error) {
      clearTimeout(timeout);
      reject(error);
    }
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
