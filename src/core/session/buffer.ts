// The store of record: the bounded event buffer kept by each document's isolated content script
// (ARCHITECTURE.md "Store of record"). Pure: no browser APIs, so it is unit-tested in Node.
//
// Bounded by count and by approximate bytes. When full, it evicts in three tiers, oldest first
// within a tier:
//   1. bulk      — heartbeats, broadcasts (text and binary kinds 2/3/4), presence, postgres_changes,
//                  plain `ok` replies to non-join pushes: the payloads that make a flood;
//   2. ordinary  — everything not classified (undecodable frames, non-auth HTTP calls...);
//   3. pinned    — the auth evidence that explains a failure: socket lifecycle, phx_join and its
//                  reply, error replies, access_token pushes, system, phx_close/phx_error, auth
//                  HTTP calls, failed HTTP calls, network observations, page lifecycle.
// Pinned events go only when nothing else is left. Every drop is counted (never silent).

import type { CapturedEvent, CapturedEventBody, EventSource } from '../model';
import { PAGE_LIMITS, STORE_LIMITS, type StoreStats } from '../../messages';

export interface BufferLimits {
  maxEvents: number;
  maxBytes: number;
  /** Frames above this many bytes are kept as a preview (`truncated: true`) with their full size. */
  maxFrameBytes: number;
  /** Characters of text (or bytes of binary) kept of a frame over `maxFrameBytes`. */
  previewBytes: number;
}

const DEFAULT_BUFFER_LIMITS: BufferLimits = {
  maxEvents: STORE_LIMITS.maxEvents,
  maxBytes: STORE_LIMITS.maxBytes,
  maxFrameBytes: PAGE_LIMITS.maxFrameBytes,
  previewBytes: PAGE_LIMITS.framePreviewBytes,
};

export type RetentionTier = 'bulk' | 'ordinary' | 'pinned';

/** What the buffer stamps on each body it stores. */
export interface StampInput {
  time: number;
  source: EventSource;
}

/** Fixed per-event overhead in the byte estimate (object, stamp fields). */
const EVENT_OVERHEAD_BYTES = 96;

/** Events that are Realtime bulk by their event name (realtime-facts §1.3, §2.4). */
const BULK_EVENTS = new Set(['broadcast', 'presence', 'presence_state', 'presence_diff', 'postgres_changes', 'heartbeat']);
/** Events that carry or answer auth (realtime-facts §2.2, §2.3, §3.2–3.4). */
const PINNED_EVENTS = new Set(['phx_join', 'phx_leave', 'phx_close', 'phx_error', 'access_token', 'system']);

/** A FIFO of events of one tier; events are appended in seq order, so each queue stays sorted. */
class TierQueue {
  private items: CapturedEvent[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(ev: CapturedEvent): void {
    this.items.push(ev);
  }
  shift(): CapturedEvent | undefined {
    if (this.head >= this.items.length) return undefined;
    const ev = this.items[this.head];
    this.head++;
    // Compact now and then so shifting stays O(1) amortised without unbounded garbage.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return ev;
  }
  live(): CapturedEvent[] {
    return this.head === 0 ? this.items : this.items.slice(this.head);
  }
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

export class EventBuffer {
  readonly limits: BufferLimits;
  private readonly tiers: Record<RetentionTier, TierQueue> = {
    bulk: new TierQueue(),
    ordinary: new TierQueue(),
    pinned: new TierQueue(),
  };
  private readonly sizes = new WeakMap<CapturedEvent, number>();
  private nextSeq = 1;
  private count = 0;
  private bytes = 0;
  private droppedEvents = 0;
  private droppedBytes = 0;
  private truncatedFrames = 0;
  private otherSockets = 0;
  private rejected = 0;
  /** `conn|topic|ref` of joins seen, so their replies (ok or not) are pinned too. Bounded. */
  private joinRefs = new Set<string>();
  /** Request ids of auth / realtime-api HTTP calls, so their responses are pinned too. Bounded. */
  private authRequests = new Set<string>();

  constructor(
    readonly docId: string,
    readonly frameUrl?: string,
    limits: Partial<BufferLimits> = {},
  ) {
    this.limits = { ...DEFAULT_BUFFER_LIMITS, ...limits };
    if (this.limits.previewBytes > this.limits.maxFrameBytes) this.limits.previewBytes = this.limits.maxFrameBytes;
  }

  /** Stores one event, stamping it with seq, docId and frameUrl. Returns the stored event. */
  add(body: CapturedEventBody, stamp: StampInput): CapturedEvent {
    const shaped = this.cutLargeFrame(body);
    const ev = {
      ...shaped,
      seq: this.nextSeq++,
      time: stamp.time,
      docId: this.docId,
      ...(this.frameUrl !== undefined ? { frameUrl: this.frameUrl } : {}),
      source: stamp.source,
    } as CapturedEvent;
    if (ev.kind === 'ws-frame' && ev.truncated) this.truncatedFrames++;
    if (ev.kind === 'other-sockets') this.otherSockets = Math.max(this.otherSockets, ev.count);
    if (ev.kind === 'rejected') this.rejected++;
    if (ev.kind === 'drops') {
      // Drops reported upstream (by the hook or a transport) add to ours: one total for the user.
      this.droppedEvents += ev.droppedEvents;
      this.droppedBytes += ev.droppedBytes;
      this.truncatedFrames += ev.truncatedFrames;
    }
    const size = approxEventBytes(ev);
    this.sizes.set(ev, size);
    this.tiers[this.classify(ev)].push(ev);
    this.count++;
    this.bytes += size;
    this.evictToLimits();
    return ev;
  }

  /** Counts page messages that failed validation without storing them (e.g. a flood of junk). */
  countRejected(n = 1): void {
    this.rejected += n;
  }

  /** All events held, in seq order. */
  events(): CapturedEvent[] {
    const [a, b, c] = [this.tiers.bulk.live(), this.tiers.ordinary.live(), this.tiers.pinned.live()];
    const out: CapturedEvent[] = new Array(a.length + b.length + c.length);
    let i = 0, j = 0, k = 0, n = 0;
    // Three-way merge of seq-sorted queues.
    while (n < out.length) {
      const x = i < a.length ? a[i].seq : Infinity;
      const y = j < b.length ? b[j].seq : Infinity;
      const z = k < c.length ? c[k].seq : Infinity;
      if (x <= y && x <= z) out[n++] = a[i++];
      else if (y <= z) out[n++] = b[j++];
      else out[n++] = c[k++];
    }
    return out;
  }

  stats(): StoreStats {
    return {
      events: this.count,
      bytes: this.bytes,
      droppedEvents: this.droppedEvents,
      droppedBytes: this.droppedBytes,
      truncatedFrames: this.truncatedFrames,
      otherSockets: this.otherSockets,
      rejected: this.rejected,
    };
  }

  /** Empties the store (the user pressed Clear). Counters restart too; seq keeps increasing. */
  clear(): void {
    for (const t of Object.values(this.tiers)) t.clear();
    this.count = 0;
    this.bytes = 0;
    this.droppedEvents = 0;
    this.droppedBytes = 0;
    this.truncatedFrames = 0;
    this.rejected = 0;
    this.joinRefs.clear();
    this.authRequests.clear();
  }

  /** Which eviction tier an event belongs to (exported through the buffer for tests and the UI). */
  classify(ev: CapturedEventBody): RetentionTier {
    switch (ev.kind) {
      case 'ws-frame':
        return this.classifyFrame(ev);
      case 'http-request': {
        const path = ev.url;
        if (path.includes('/auth/v1/') || path.includes('/realtime/v1/api')) {
          this.remember(this.authRequests, ev.req);
          return 'pinned';
        }
        return 'ordinary';
      }
      case 'http-response':
        if (this.authRequests.has(ev.req) || ev.status >= 400 || ev.networkError !== undefined || ev.grant) return 'pinned';
        return 'ordinary';
      default:
        // Socket lifecycle, net observations, page lifecycle, counters, drops, rejections.
        return 'pinned';
    }
  }

  private classifyFrame(ev: Extract<CapturedEventBody, { kind: 'ws-frame' }>): RetentionTier {
    if (ev.opcode === 'binary') {
      const kind = firstBase64Byte(ev.base64);
      // Kinds 2/3/4 are broadcasts (realtime-facts §1.4); 0/1 are binary pushes and replies.
      return kind === 2 || kind === 3 || kind === 4 ? 'bulk' : 'ordinary';
    }
    const head = peekPhoenix(ev.text ?? '');
    if (!head) return 'ordinary';
    const key = `${ev.conn}|${head.topic}|${head.ref}`;
    if (head.event === 'phx_join') {
      this.remember(this.joinRefs, key);
      return 'pinned';
    }
    if (PINNED_EVENTS.has(head.event)) return 'pinned';
    if (head.event === 'phx_reply') {
      if (head.statusError || this.joinRefs.has(key)) return 'pinned';
      return 'bulk';
    }
    if (head.topic === 'phoenix' || BULK_EVENTS.has(head.event)) return 'bulk';
    return 'ordinary';
  }

  private remember(set: Set<string>, key: string): void {
    // Bounded: a page with endless joins must not grow this forever.
    if (set.size >= 10_000) set.clear();
    set.add(key);
  }

  private evictToLimits(): void {
    const { maxEvents, maxBytes } = this.limits;
    while (this.count > maxEvents || (this.bytes > maxBytes && this.count > 1)) {
      const ev = this.tiers.bulk.shift() ?? this.tiers.ordinary.shift() ?? this.tiers.pinned.shift();
      if (!ev) break;
      const size = this.sizes.get(ev) ?? 0;
      this.count--;
      this.bytes -= size;
      this.droppedEvents++;
      this.droppedBytes += size;
    }
  }

  private cutLargeFrame(body: CapturedEventBody): CapturedEventBody {
    if (body.kind !== 'ws-frame') return body;
    const { maxFrameBytes, previewBytes } = this.limits;
    if (body.text !== undefined && body.size > maxFrameBytes && body.text.length > previewBytes) {
      return { ...body, text: body.text.slice(0, previewBytes), truncated: true };
    }
    // base64 is 4 chars per 3 bytes.
    const previewChars = Math.ceil(previewBytes / 3) * 4;
    if (body.base64 !== undefined && body.size > maxFrameBytes && body.base64.length > previewChars) {
      return { ...body, base64: body.base64.slice(0, previewChars), truncated: true };
    }
    return body;
  }
}

/** Approximate memory cost of an event: string payloads plus a fixed overhead. */
export function approxEventBytes(ev: CapturedEventBody): number {
  let n = EVENT_OVERHEAD_BYTES;
  switch (ev.kind) {
    case 'ws-frame':
      n += (ev.text?.length ?? 0) + (ev.base64?.length ?? 0);
      break;
    case 'ws-connecting':
      n += ev.url.length + ev.protocols.join(',').length;
      break;
    case 'http-request':
      n += ev.url.length + (ev.headers.authorization?.length ?? 0) + (ev.headers.apikey?.length ?? 0);
      break;
    case 'http-response':
      n += (ev.errorBody?.length ?? 0) + (ev.grant?.access_token?.length ?? 0) + (ev.networkError?.length ?? 0);
      break;
    case 'net':
      n += ev.url.length + (ev.error?.length ?? 0);
      break;
    case 'ws-close':
      n += ev.reason.length;
      break;
    case 'drops':
    case 'rejected':
      n += ev.reason.length;
      break;
    default:
      break;
  }
  return n;
}

export interface PhoenixHead {
  topic: string;
  event: string;
  ref: string | null;
  /** A reply whose payload says `"status":"error"` (realtime-facts §3.2). */
  statusError: boolean;
}

// V2 text frame: [join_ref, ref, topic, event, payload] (realtime-facts §1.3).
const V2_HEAD = /^\s*\[\s*(null|"(?:[^"\\]|\\.)*")\s*,\s*(null|"(?:[^"\\]|\\.)*")\s*,\s*"((?:[^"\\]|\\.)*)"\s*,\s*"((?:[^"\\]|\\.)*)"/;
const STATUS_ERROR = /"status"\s*:\s*"error"/;
/** Only this much of a frame is parsed to classify it: cheap on floods and on 5 MB frames. */
const PEEK_PARSE_LIMIT = 64 * 1024;

/**
 * A cheap look at a text frame's topic, event and ref, for retention decisions only (the real
 * decoding is src/core/realtime's job). Returns undefined when it does not look like Phoenix.
 */
export function peekPhoenix(text: string): PhoenixHead | undefined {
  const m = V2_HEAD.exec(text.slice(0, 2048));
  if (m) {
    const ref = m[2] === 'null' ? null : unquote(m[2]);
    const event = unquote(`"${m[4]}"`);
    return {
      topic: unquote(`"${m[3]}"`),
      event,
      ref,
      statusError: event === 'phx_reply' && STATUS_ERROR.test(text.slice(0, PEEK_PARSE_LIMIT)),
    };
  }
  // V1 object frames (realtime-facts §1.2): parse when small enough, otherwise give up.
  if (!/^\s*\{/.test(text) || text.length > PEEK_PARSE_LIMIT) return undefined;
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    if (typeof o.topic !== 'string' || typeof o.event !== 'string') return undefined;
    const payload = o.payload as { status?: unknown } | null;
    return {
      topic: o.topic,
      event: o.event,
      ref: typeof o.ref === 'string' ? o.ref : null,
      statusError: o.event === 'phx_reply' && !!payload && typeof payload === 'object' && payload.status === 'error',
    };
  } catch {
    return undefined; // not JSON: an ordinary (undecodable) frame, kept and shown raw later
  }
}

function unquote(s: string): string {
  try {
    return JSON.parse(s) as string;
  } catch {
    return s.slice(1, -1);
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function firstBase64Byte(b64: string | undefined): number | undefined {
  if (!b64 || b64.length < 2) return undefined;
  const a = B64.indexOf(b64[0]);
  const b = B64.indexOf(b64[1]);
  if (a < 0 || b < 0) return undefined;
  return (a << 2) | (b >> 4);
}
