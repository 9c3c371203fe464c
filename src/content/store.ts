// The document's store of record and its link to the service worker (ARCHITECTURE.md "Store of
// record"), behind an injected host so its ordering rules are unit-tested on in-memory ports:
//   page hook --(private MessagePort, handed over at document_start)--> here: validate, stamp,
//     keep in the bounded EventBuffer;
//   here <--(runtime port PORT_CONTENT, src/transport/endpoint.ts)--> service worker: hello, live
//     events while a panel listens, snapshots on request, badge summaries, network events.
// The store lives as long as the document, so a stopped service worker loses nothing: the store
// connects again when it has something to say, when the service worker pings it, or at once when
// a panel was listening as the port dropped. src/content/index.ts wires it to `browser`, `window`
// and real timers.

import type { CapturedEvent, CapturedEventBody } from '../core/model';
import { HEARTBEAT_TOPIC, classifyBinaryKind, classifyHead, peekPhoenix } from '../core/realtime/framing';
import { EventBuffer, approxFrameBytes } from '../core/session/buffer';
import { scrubUrl } from '../core/url-secrets';
import { PAGE_LIMITS, PROTOCOL_VERSION, type BackgroundToContent, type ContentPong, type ContentToBackground, type DocumentInfo, type StoreStats } from '../messages';

type NetworkEventsMessage = Extract<BackgroundToContent, { type: 'network-events' }>;
import { HANDOVER_KEY } from '../page/handover';
import { contentEndpoint, type ContentEndpoint, type PortLike } from '../transport/endpoint';
import { MESSAGE_BYTE_BUDGET, chunkBySize, jsonByteLength } from '../transport/chunk';
import { CONTENT_PING } from '../transport/schemas';
import { validateMessage } from '../transport/validate';
import { ExposureCounter, isRealtimeSocketOpening, isServerAuthError } from './evidence';
import { HOOK_GRACE_MS, HookWatch } from './hook-watch';
import { isArrayBuffer, validatePageBatch } from './validate';

/** The URLs a page event carries, with their secrets scrubbed (core/url-secrets) before anything keeps them. */
function scrubUrls(body: CapturedEventBody): CapturedEventBody {
  return body.kind === 'ws-connecting' || body.kind === 'http-request' ? { ...body, url: scrubUrl(body.url) } : body;
}

/** How many frames and events a page batch holds at most (a run counts its frames); 0 when unreadable. */
function batchLength(data: unknown): number {
  try {
    const events = (data as { events?: unknown }).events;
    if (!Array.isArray(events)) return 0;
    let n = 0;
    for (let i = 0; i < events.length && n < PAGE_LIMITS.maxEventsPerBatch; i++) {
      const x = (events[i] as { x?: unknown } | null)?.x;
      n += Array.isArray(x) ? x.length : 1;
    }
    return Math.min(n, PAGE_LIMITS.maxEventsPerBatch);
  } catch {
    return 0;
  }
}

/** Rejected page events stored as evidence; beyond this they are only counted. */
const MAX_STORED_REJECTIONS = 50;
export const STREAM_FLUSH_MS = 50;
export const STREAM_FLUSH_AT = 500;

export const SUMMARY_MS = 500;
export const RECONNECT_MS = 100;

/** What the store needs from its document and the extension runtime. */
export interface ContentHost {
  readonly docId: string;
  /** The document's URL at document_start. */
  readonly url: string;
  readonly isTop: boolean;
  /** Wall-clock ms when the content script started (document_start). */
  readonly startedAt: number;
  /** The document's window: the hook's hand-over must come from it (compared by identity). */
  readonly window: unknown;
  /** The document's URL now (a single-page app may have moved on since document_start). */
  currentUrl(): string;
  /** Opens the runtime port to the service worker (PORT_CONTENT). Throws once the extension context is gone. */
  connect(): PortLike;
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** A hook batch of bulk frames only, as the structured clone gave it (not validated yet: `read` does). */
interface BulkBatch {
  events: Array<{ t: unknown[]; x: Array<string | ArrayBuffer> }>;
}

/** A batch of bulk frames received and not read yet (see `ingest`). */
interface Waiting {
  data: BulkBatch;
  /** Frames it holds, the seq reserved for the first (the others follow), their size as the buffer counts it. */
  frames: number;
  seq: number;
  bytes: number;
}

/** The private port the hook hands over (a MessagePort in the browser). */
export interface PagePort {
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
}

/** The `message` event that may carry the hand-over (the window's, in the capture phase). */
export interface HandoverEvent {
  readonly data: unknown;
  readonly source: unknown;
  readonly isTrusted: boolean;
  readonly ports: readonly PagePort[];
  stopImmediatePropagation(): void;
}

export class ContentStore {
  readonly doc: DocumentInfo;
  private readonly buffer: EventBuffer;
  private readonly hookWatch: HookWatch;
  private storedRejections = 0;
  private pagePort?: PagePort;
  private endpoint?: ContentEndpoint;
  /** Background messages refused by earlier ports and by the ping listener (the current port counts its own). */
  private rejectedElsewhere = 0;
  private streaming = false;
  private streamQueue: CapturedEvent[] = [];
  /** JSON bytes of `streamQueue` (src/transport/chunk.ts): a flush comes before the message budget. */
  private streamBytes = 0;
  private streamTimer: unknown;
  /** JSON size of each event, measured once, when it is first sent (only while a panel listens). */
  private readonly sizes = new WeakMap<CapturedEvent, number>();
  /** Posts to the service worker that failed (a message the port refused, or a port gone mid-post). */
  private postFailures = 0;
  private serverErrors = 0;
  /** Distinct sb_secret_ / service_role keys the page used (the badge's critical exposures). */
  private readonly exposures = new ExposureCounter();
  private realtimeSockets = 0;
  private summarySent = '';
  private summaryTimer: unknown;
  private reconnectTimer: unknown;
  private contextGone = false;
  private tamperTimer: unknown;
  /** Batches of bulk frames received and not read yet, oldest first (see `ingest`). */
  private pending: Waiting[] = [];
  /** Frames in `pending`, and their size as the buffer will count it (approxFrameBytes). */
  private pendingEvents = 0;
  private pendingBytes = 0;

  constructor(private readonly host: ContentHost) {
    this.doc = { docId: host.docId, url: host.url, isTop: host.isTop, startedAt: host.startedAt };
    // The document's URL is in `doc`, once (scrubbed by the caller); events carry their docId only.
    this.buffer = new EventBuffer(host.docId);
    // Did the hook start? The panel must not say "Capturing" when it did not.
    this.hookWatch = new HookWatch((state) => {
      this.doc.hook = state;
      // Only over an open port: a later hello carries the state anyway, and this alone is no reason
      // to wake the service worker.
      this.post({ type: 'document', doc: { ...this.doc } });
    });
    host.setTimer(() => this.hookWatch.graceElapsed(), Math.max(0, host.startedAt + HOOK_GRACE_MS - host.now()));
  }

  /** Connects to the service worker (at document_start, and again when asked). */
  start(): void {
    this.connect();
  }

  /** DOMContentLoaded fired (or the document was already parsed when the content script ran). */
  documentParsed(): void {
    this.hookWatch.documentParsed();
  }

  // ---- the hand-over: runs before any page script (ISOLATED is listed first in the manifest) -----
  // The listener stays for the document's life: one port is accepted, and every later hand-over (a
  // second hook in the same window, or a page imitating one) is swallowed and its port closed, so
  // no hand-over ever reaches the page's own listeners and nothing is recorded twice. This is the
  // hook's idempotence: the hook itself leaves no marker on the page's global.
  /** A `message` event on the window (capture phase, first listener). */
  handover(e: HandoverEvent): void {
    // Source and ports first: reading `e.data` deserializes whatever the page posted (a megabyte,
    // a deep object) in this world, so it is read only for a message that can be the hand-over —
    // one from this very window that carries a port. Every other message of the page goes by
    // untouched.
    if (e.source !== this.host.window) return;
    const ports = e.ports;
    if (!ports || ports.length === 0) return;
    const data: unknown = e.data;
    if (!data || typeof data !== 'object' || !(HANDOVER_KEY in data)) return;
    // Page listeners registered later never see the hand-over.
    e.stopImmediatePropagation();
    // The hook hands over at document_start, before any page script: once its grace period is over
    // (HookWatch decided 'missing') a hand-over can only be a page's own, after its hook was blocked.
    if (!this.pagePort && this.hookWatch.state === 'missing') {
      for (const extra of e.ports) extra.close();
      return this.tampered('a hand-over of the capture port came after the page hook could have sent it; refused');
    }
    // A page script can dispatch a synthetic MessageEvent synchronously, ahead of the hook's queued
    // postMessage: only a real postMessage (isTrusted) can carry the hook's port.
    if (this.pagePort || !e.isTrusted || ports.length !== 1) {
      for (const extra of ports) extra.close();
      return;
    }
    this.pagePort = ports[0];
    this.pagePort.onmessage = (m) => this.ingest(m.data);
    this.hookWatch.handedOver();
  }

  /**
   * One message from the page hook's private port: data only. What must happen at arrival happens
   * here, and no more (issue 14: the content script shares the page's thread, and a page flooding
   * or sending frames should not wait for it). A batch of bulk frames only — broadcasts, presence,
   * Postgres changes, heartbeats: what makes a flood, and what the store evicts first — is kept
   * as it came, with the seqs it will have reserved (so the order holds), and waits unread until
   * something needs the store: a snapshot, a panel starting to listen (Clear drops it). Anything else —
   * sockets, HTTP calls, lifecycle, drops, forged events, joins, replies, errors, tokens: the
   * evidence and what the badge counts — is read at once and takes its place after what waits.
   * When the store and what waits exceed the store's limits, the oldest bulk goes first, stored or
   * waiting, as it would have once stored: a waiting frame that goes is counted as dropped without
   * ever being read. Nothing leaves this script unread, so every guarantee of validation holds for
   * whatever does.
   */
  ingest(data: unknown): void {
    if (this.streaming) return this.read(data);
    const bulk = this.bulkFrames(data);
    if (bulk) {
      this.pending.push({ data: data as BulkBatch, frames: bulk.events, seq: this.buffer.reserveSeqs(bulk.events), bytes: bulk.bytes });
      this.pendingEvents += bulk.events;
      this.pendingBytes += bulk.bytes;
      return this.makeRoom();
    }
    // Room for what this batch may hold goes to what waits first: bulk is evicted before the rest.
    if (this.pending.length) this.makeRoom(batchLength(data));
    this.read(data);
  }

  /** Reads everything waiting, in order, now. */
  private readPending(): void {
    if (!this.pending.length) return;
    const pending = this.pending;
    this.pending = [];
    this.pendingEvents = this.pendingBytes = 0;
    for (const item of pending) this.read(item.data, item);
  }

  /**
   * For a batch of whole bulk frames only: how many and their size as stored. Undefined for
   * anything else, or anything malformed (read at once, where validation reports it). Reads only
   * what a structured clone made, and each frame's head: a frame is bulk by its head alone
   * (core/realtime/framing.ts `classifyHead` without the joins: a `phx_reply` may answer a join,
   * so only the heartbeat's count), or a binary broadcast by its kind byte.
   */
  private bulkFrames(data: unknown): { events: number; bytes: number } | undefined {
    try {
      const batch = data as { v?: unknown; type?: unknown; events?: unknown };
      const events = batch.events;
      if (batch.v !== PROTOCOL_VERSION || batch.type !== 'batch' || !Array.isArray(events) || events.length > PAGE_LIMITS.maxEventsPerBatch) return undefined;
      let n = 0;
      let bytes = 0;
      for (let i = 0; i < events.length; i++) {
        const run = events[i] as { kind?: unknown; dir?: unknown; t?: unknown; x?: unknown };
        if (!run || run.kind !== 'ws-frames' || (run.dir !== 'received' && run.dir !== 'sent') || !Array.isArray(run.x) || !Array.isArray(run.t)) return undefined;
        const payloads = run.x as unknown[];
        if (payloads.length !== run.t.length || payloads.length > PAGE_LIMITS.maxEventsPerBatch - n) return undefined;
        for (let k = 0; k < payloads.length; k++) {
          const p = payloads[k];
          if (typeof p === 'string') {
            const head = peekPhoenix(p);
            if (!head || classifyHead(head) !== 'bulk' || (head.event === 'phx_reply' && head.topic !== HEARTBEAT_TOPIC)) return undefined;
          } else if (!isArrayBuffer(p) || (p as ArrayBuffer).byteLength === 0 || classifyBinaryKind(new Uint8Array(p as ArrayBuffer, 0, 1)[0]) !== 'bulk') return undefined;
          bytes += approxFrameBytes(p as string | ArrayBuffer);
        }
        n += payloads.length;
      }
      return n > 0 ? { events: n, bytes } : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Keeps the store and what waits, and `extra` events about to be stored, within the store's
   * limits: the oldest bulk goes first (see `ingest`).
   */
  private makeRoom(extra = 0): void {
    let { events, bytes } = this.buffer.makeRoomForBulk(this.pendingEvents + extra, this.pendingBytes);
    let dropped = 0;
    let droppedBytes = 0;
    // The oldest waiting frames go, unread.
    while ((events > 0 || bytes > 0) && this.pending.length) {
      const item = this.pending[0];
      const runs = item.data.events;
      const run = runs[0];
      let k = 0;
      for (; k < run.x.length && (events > 0 || bytes > 0); k++) {
        const size = approxFrameBytes(run.x[k]);
        events--;
        bytes -= size;
        dropped++;
        droppedBytes += size;
        item.frames--;
        item.seq++;
        item.bytes -= size;
      }
      if (k < run.x.length) {
        run.x = run.x.slice(k);
        run.t = run.t.slice(k);
      } else if (runs.length > 1) runs.shift();
      else this.pending.shift();
    }
    if (!dropped) return;
    this.pendingEvents -= dropped;
    this.pendingBytes -= droppedBytes;
    this.buffer.countUnstored(dropped, droppedBytes);
  }

  /** Validates one page batch and stores what it holds (a waiting one: at the seqs it reserved). */
  private read(data: unknown, waited?: Waiting): void {
    const { accepted, rejected, excess } = validatePageBatch(data, this.doc.docId);
    // The excess of an over-long batch is counted, not stored one by one (its one reason is).
    if (excess > 0) this.buffer.countRejected(excess - 1);
    for (let i = 0; i < accepted.length; i++) {
      const { body, time } = accepted[i];
      const seq = waited && i < waited.frames ? waited.seq + i : undefined;
      // Only a forged-event report validates to a rejection (the page cannot claim that kind).
      if (body.kind === 'rejected') this.tampered(body.reason);
      else this.store(this.buffer.add(scrubUrls(body), { time, source: 'page' }, seq));
    }
    for (const reason of rejected) {
      if (this.storedRejections++ < MAX_STORED_REJECTIONS) this.store(this.buffer.add({ kind: 'rejected', reason }, { time: this.host.now(), source: 'page' }));
      else this.buffer.countRejected();
    }
  }

  /**
   * A forgery was detected (an event the page dispatched itself, a late hand-over): stored like a
   * rejection, and the document marked as tampered: told at once the first time, then at most
   * every SUMMARY_MS with the count.
   */
  private tampered(reason: string): void {
    const first = !this.doc.tampered;
    this.doc.tampered = (this.doc.tampered ?? 0) + 1;
    if (this.storedRejections++ < MAX_STORED_REJECTIONS) this.store(this.buffer.add({ kind: 'rejected', reason }, { time: this.host.now(), source: 'page' }));
    else this.buffer.countRejected();
    if (first) this.post({ type: 'document', doc: { ...this.doc } });
    // Later ones are told together (a page can dispatch forged events in a loop).
    else
      this.tamperTimer ??= this.host.setTimer(() => {
        this.tamperTimer = undefined;
        this.post({ type: 'document', doc: { ...this.doc } });
      }, SUMMARY_MS);
  }

  /**
   * The service worker's "are you there?" (runtime.sendMessage to the tab): it tells capturing tabs
   * from tabs opened before install, and brings back ports dropped when the worker was stopped.
   * Returns the answer, or undefined for anything that is not a valid ping (left unanswered).
   */
  ping(message: unknown): ContentPong | undefined {
    const result = validateMessage(CONTENT_PING, message);
    if (!result.ok) {
      this.rejectedElsewhere++;
      return undefined;
    }
    this.connect();
    return { type: 'claimscope:pong', docId: this.doc.docId, url: this.host.currentUrl() };
  }

  /**
   * The document goes away (or into the back/forward cache): its sockets go with it. Recorded as
   * the document's last event and pushed out at once, so a listening panel can close this
   * document's connections ("closed: page unloaded") instead of showing them open forever. No
   * panel listening: the fact stays in the store, which dies with the document unless it is only
   * cached.
   */
  pagehide(persisted: boolean): void {
    // After what waits, by seq: nothing needs reading for that (a document going away should not wait).
    if (this.pending.length) this.makeRoom(1);
    this.store(this.buffer.add({ kind: 'lifecycle', change: 'pagehide', persisted }, { time: this.host.now(), source: 'page' }));
    this.flushStream();
  }

  /** Back from the back/forward cache: the browser dropped our port while the page was frozen. */
  pageshow(persisted: boolean): void {
    if (!persisted) return;
    if (this.pending.length) this.makeRoom(1);
    this.store(this.buffer.add({ kind: 'lifecycle', change: 'pageshow', persisted: true }, { time: this.host.now(), source: 'page' }));
    this.connect();
  }

  /** Messages from the service worker the transport refused (malformed or another protocol version). */
  get backgroundRejected(): number {
    return this.rejectedElsewhere + (this.endpoint?.rejected ?? 0);
  }

  /** Whether a port to the service worker is open. */
  get connected(): boolean {
    return this.endpoint !== undefined;
  }

  /** Frames received and not read yet (for tests and diagnostics). */
  get unread(): number {
    return this.pending.length ? this.pendingEvents : 0;
  }

  /** The events held (for tests and diagnostics). */
  events(): CapturedEvent[] {
    this.readPending();
    return this.buffer.events();
  }

  // ---- storing and streaming ------------------------------------------------------------------
  private store(ev: CapturedEvent): void {
    // The buffer sniffed the frame's Phoenix head as it classified it: not sniffed a second time.
    const head = this.buffer.lastStoredHead(ev);
    if (isServerAuthError(ev, head)) this.serverErrors++;
    this.exposures.note(ev, head);
    if (isRealtimeSocketOpening(ev)) this.realtimeSockets++;
    if (this.serverErrors || this.realtimeSockets || this.exposures.count) this.scheduleSummary();
    if (!this.streaming) return;
    this.streamQueue.push(ev);
    this.streamBytes += this.sizeOf(ev);
    if (this.streamQueue.length >= STREAM_FLUSH_AT || this.streamBytes >= MESSAGE_BYTE_BUDGET) this.flushStream();
    else this.streamTimer ??= this.host.setTimer(() => this.flushStream(), STREAM_FLUSH_MS);
  }

  private flushStream(): void {
    if (this.streamTimer !== undefined) this.host.clearTimer(this.streamTimer);
    this.streamTimer = undefined;
    if (!this.streamQueue.length) return;
    const events = this.streamQueue;
    this.dropStreamQueue();
    const parts = this.parts(events);
    for (let i = 0; i < parts.length; i++) {
      const last = i === parts.length - 1;
      if (!this.post({ type: 'events', docId: this.doc.docId, events: parts[i], stats: this.stats(last ? undefined : parts[i]) })) return this.postFailed();
    }
  }

  private dropStreamQueue(): void {
    this.streamQueue = [];
    this.streamBytes = 0;
  }

  /** Everything held, in parts under the message budget, to the panel that asked (through the router). */
  private sendSnapshot(requestId: string): void {
    this.readPending();
    // Everything queued for the stream is in the snapshot: do not send it twice.
    this.dropStreamQueue();
    const parts = this.parts(this.buffer.events());
    for (let i = 0; i < parts.length; i++) {
      const more = i < parts.length - 1;
      const snapshot = { doc: { ...this.doc }, events: parts[i], stats: this.stats(more ? parts[i] : undefined) };
      if (!this.post({ type: 'snapshot', requestId, snapshot, ...(more ? { more } : {}) })) return this.postFailed();
    }
  }

  /**
   * Consecutive parts under MESSAGE_BYTE_BUDGET. No single event can exceed it (PAGE_LIMITS cap
   * frames, URLs and headers far below); one that did would be left out, and the panel counts it
   * among the events that never reached it, by its seq.
   */
  private parts(events: CapturedEvent[]): CapturedEvent[][] {
    const sendable = events.filter((ev) => this.sizeOf(ev) <= MESSAGE_BYTE_BUDGET);
    return chunkBySize(sendable, this.sizeOf);
  }

  private readonly sizeOf = (ev: CapturedEvent): number => {
    let size = this.sizes.get(ev);
    if (size === undefined) this.sizes.set(ev, (size = jsonByteLength(ev)));
    return size;
  };

  /**
   * The store's stats for a message. A part that is not the last of its series says the seq of its
   * own last event as `lastSeq`, so the panel does not count the parts still on their way as lost.
   */
  private stats(part?: CapturedEvent[]): StoreStats {
    const stats: StoreStats = { ...this.buffer.stats(), postFailures: this.postFailures };
    const partLast = part?.[part.length - 1]?.seq;
    if (partLast !== undefined) stats.lastSeq = partLast;
    return stats;
  }

  /**
   * A post failed: the endpoint closed the port (src/transport/endpoint.ts). Counted, and the store
   * connects again at once: the router asks for a new snapshot for every listening panel, which
   * brings back everything still held; what the store evicted meanwhile the panel counts as lost
   * (the seqs it never received, StoreStats.lastSeq), so nothing vanishes uncounted.
   */
  private postFailed(): void {
    this.postFailures++;
    this.dropStreamQueue();
    this.scheduleReconnect();
  }

  private scheduleSummary(): void {
    this.summaryTimer ??= this.host.setTimer(() => {
      this.summaryTimer = undefined;
      const key = `${this.realtimeSockets}/${this.serverErrors}/${this.exposures.count}`;
      if (key === this.summarySent) return;
      // A summary is worth waking the service worker for: it feeds the badge. Marked sent after the
      // post, since a wake-up connect forgets what the previous port was told.
      this.post({ type: 'summary', docId: this.doc.docId, realtimeSockets: this.realtimeSockets, serverErrors: this.serverErrors, exposures: this.exposures.count }, true);
      this.summarySent = key;
    }, SUMMARY_MS);
  }

  // ---- the runtime port to the service worker -------------------------------------------------
  private connect(): void {
    if (this.endpoint || this.contextGone) return;
    let endpoint: ContentEndpoint;
    try {
      endpoint = contentEndpoint(this.host.connect());
    } catch {
      // The extension was reloaded or removed: this document's capture is over.
      this.contextGone = true;
      return;
    }
    this.endpoint = endpoint;
    endpoint.on('stream', (m) => {
      // A panel listens from now on: what waits is read first, so the stream stays in order.
      if (m.on) this.readPending();
      this.streaming = m.on;
      if (!this.streaming) this.dropStreamQueue();
    });
    endpoint.on('snapshot-request', (m) => this.sendSnapshot(m.requestId));
    endpoint.on('clear', () => this.clear());
    endpoint.on('network-events', (m) => {
      if (this.pending.length) this.makeRoom(m.events.length);
      this.storeNetworkEvents(m);
    });
    endpoint.onDisconnect(() => this.disconnected(endpoint));
    if (!endpoint.send({ type: 'hello', v: PROTOCOL_VERSION, doc: { ...this.doc } })) {
      // A port that fails at once: the extension context is gone.
      this.contextGone = true;
      return;
    }
    this.summarySent = '';
    if (this.serverErrors || this.realtimeSockets || this.exposures.count) this.scheduleSummary();
  }

  private disconnected(endpoint: ContentEndpoint): void {
    if (this.endpoint !== endpoint) return;
    this.rejectedElsewhere += endpoint.rejected;
    this.endpoint = undefined;
    const wasStreaming = this.streaming;
    this.streaming = false;
    this.dropStreamQueue();
    // A panel was listening: it will resubscribe to the restarted service worker, so be there.
    // Otherwise stay disconnected until there is something to say (no wake-up loop).
    if (wasStreaming) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.reconnectTimer ??= this.host.setTimer(() => {
      this.reconnectTimer = undefined;
      this.connect();
    }, RECONNECT_MS);
  }

  /** Posts over the open port (connecting first when `wake`); false when it could not be posted. */
  private post(message: ContentToBackground, wake = false): boolean {
    if (!this.endpoint && wake) this.connect();
    return this.endpoint?.send(message) ?? false;
  }

  /**
   * The worker's network observations, stored as observed: the Realtime tracker pairs an upgrade
   * with its socket by URL when the session reads them (one place for that rule), nothing is
   * paired on the page's thread.
   */
  private storeNetworkEvents(m: NetworkEventsMessage): void {
    // After what waits (its seqs are reserved): no read needed for the order.
    m.events.forEach((body, i) => this.store(this.buffer.add(body, { time: m.times[i] ?? this.host.now(), source: m.source })));
  }

  private clear(): void {
    // Captured before Clear: gone with the rest. What waits is bulk frames only (drop reports and
    // forged events are read as they come): gone unread, within the seqs the Clear covers.
    this.pending = [];
    this.pendingEvents = this.pendingBytes = 0;
    this.buffer.clear();
    this.postFailures = 0;
    this.dropStreamQueue();
    this.serverErrors = 0;
    this.exposures.clear();
    this.realtimeSockets = 0;
    this.storedRejections = 0;
    this.scheduleSummary();
  }
}
