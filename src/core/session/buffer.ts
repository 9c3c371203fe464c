// The store of record: the bounded event buffer kept by each document's isolated content script
// (ARCHITECTURE.md "Store of record"). Pure: no browser APIs, so it is unit-tested in Node.
//
// Bounded by count and by approximate bytes. When full, it evicts in three tiers, oldest first
// within a tier (frames are classified by src/core/realtime/framing.ts, `FrameClass`):
//   1. bulk      — bulk frames: heartbeats, broadcasts, presence, postgres_changes, `ok` replies to
//                  non-join pushes: the payloads that make a flood;
//   2. ordinary  — everything not classified (plain frames, non-auth HTTP calls...);
//   3. pinned    — the auth evidence that explains a failure: auth frames (phx_join and its reply,
//                  error replies, access_token, system, phx_leave/phx_close/phx_error), socket
//                  lifecycle, auth HTTP calls, failed HTTP calls, network observations, page
//                  lifecycle.
// Pinned events go only when nothing else is left. Every drop is counted (never silent).

import type { CapturedEvent, CapturedEventBody, EventSource, SocketFrame } from '../model';
import { FrameClassifier, type FrameClass, type PhoenixHead } from '../realtime/framing';
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

const TIER_OF_FRAME_CLASS: Record<FrameClass, RetentionTier> = { bulk: 'bulk', plain: 'ordinary', auth: 'pinned' };

/**
 * A FIFO of events of one tier, with each event's byte estimate beside it (a parallel array, not a
 * WeakMap keyed by event: on a flood every stored event would add an ephemeron the GC must trace).
 * Kept sorted by seq: events come in seq order, except frames stored with a seq reserved earlier
 * (`reserveSeqs`), which go in their place.
 */
class TierQueue {
  private items: CapturedEvent[] = [];
  private sizes: number[] = [];
  private head = 0;
  /** The byte estimate of the event `shift` returned last. */
  shiftedSize = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(ev: CapturedEvent, size: number): void {
    const n = this.items.length;
    if (n === this.head || this.items[n - 1].seq < ev.seq) {
      this.items.push(ev);
      this.sizes.push(size);
      return;
    }
    // A seq reserved earlier: before the newer events stored meanwhile (few: what came while it waited).
    let lo = this.head;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid].seq < ev.seq) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, ev);
    this.sizes.splice(lo, 0, size);
  }
  shift(): CapturedEvent | undefined {
    if (this.head >= this.items.length) return undefined;
    const ev = this.items[this.head];
    this.shiftedSize = this.sizes[this.head];
    this.head++;
    // Compact now and then so shifting stays O(1) amortised without unbounded garbage.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
    return ev;
  }
  live(): CapturedEvent[] {
    return this.head === 0 ? this.items : this.items.slice(this.head);
  }
  clear(): void {
    this.items = [];
    this.sizes = [];
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
  private nextSeq = 1;
  private count = 0;
  private bytes = 0;
  private droppedEvents = 0;
  private droppedBytes = 0;
  private truncatedFrames = 0;
  private otherSockets = 0;
  private rejected = 0;
  /** Of droppedEvents: what the page hook reported lost before it reached this store. */
  private hookDropped = 0;
  /** The latest seq when the store was last cleared (0: never). */
  private clearedThrough = 0;
  /** Classifies frames by their cheap head and remembers joins, so their replies are pinned too. */
  private readonly frames = new FrameClassifier();
  /** The event stored last and the head sniffed from it (see `lastStoredHead`). */
  private lastStored: { ev: CapturedEvent; head: PhoenixHead | null } | undefined;
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

  /**
   * Stores one event, stamping it with seq, docId and frameUrl. Returns the stored event. `seq`: one
   * reserved for it earlier (`reserveSeqs`), else the next.
   */
  add(body: CapturedEventBody, stamp: StampInput, reserved?: number): CapturedEvent {
    const shaped = this.cutLargeFrame(body);
    const seq = reserved ?? this.nextSeq++;
    // Frames, the flood, are stamped by an object literal: a spread of the body costs V8 a generic
    // property copy per frame (measured: scripts/bench/content-ingest.ts). Same fields, same order.
    const ev = (
      shaped.kind === 'ws-frame'
        ? stampFrame(shaped, seq, stamp, this.docId, this.frameUrl)
        : { ...shaped, seq, time: stamp.time, docId: this.docId, ...(this.frameUrl !== undefined ? { frameUrl: this.frameUrl } : {}), source: stamp.source }
    ) as CapturedEvent;
    if (ev.kind === 'ws-frame' && ev.truncated) this.truncatedFrames++;
    if (ev.kind === 'other-sockets') this.otherSockets = Math.max(this.otherSockets, ev.count);
    if (ev.kind === 'rejected') this.rejected++;
    if (ev.kind === 'drops') {
      // Drops reported upstream (by the hook or a transport) add to ours: one total for the user.
      this.droppedEvents += ev.droppedEvents;
      this.droppedBytes += ev.droppedBytes;
      this.truncatedFrames += ev.truncatedFrames;
      this.hookDropped += ev.droppedEvents;
    }
    const size = approxEventBytes(ev);
    let tier: RetentionTier;
    if (ev.kind === 'ws-frame') {
      const { frameClass, head } = this.frames.classify(ev);
      tier = TIER_OF_FRAME_CLASS[frameClass];
      this.lastStored = ev.opcode === 'text' ? { ev, head: head ?? null } : undefined;
    } else {
      tier = this.classify(ev);
      this.lastStored = undefined;
    }
    this.tiers[tier].push(ev, size);
    this.count++;
    this.bytes += size;
    this.evictToLimits();
    return ev;
  }

  /**
   * The Phoenix head sniffed from `ev` when it was stored, if `ev` is the text frame stored last,
   * so the content script's badge check (src/content/evidence.ts) need not sniff it again: null
   * when it is not Phoenix, undefined when unknown (another event, or not a text frame).
   */
  lastStoredHead(ev: CapturedEvent): PhoenixHead | null | undefined {
    return this.lastStored !== undefined && this.lastStored.ev === ev ? this.lastStored.head : undefined;
  }

  /**
   * Makes room for `events` frames of `bytes` (approxFrameBytes) that the caller holds unread and
   * will store later (or is about to store): evicts stored bulk events, oldest first, as `add`
   * would when they come. Returns the room still missing once no stored bulk is left: so many of
   * the oldest bulk frames waiting must go, unread (`countUnstored`), since bulk goes first
   * (src/content/store.ts, issue 14). The waiting frames arrived after most of what is stored;
   * a bulk frame stored meanwhile from a mixed batch may be newer and still go first (bulk either
   * way, and counted the same).
   */
  makeRoomForBulk(events: number, bytes: number): { events: number; bytes: number } {
    const { maxEvents, maxBytes } = this.limits;
    while (this.count + events > maxEvents || this.bytes + bytes > maxBytes) {
      if (!this.evictOldest(this.tiers.bulk)) break;
    }
    return { events: Math.max(0, this.count + events - maxEvents), bytes: Math.max(0, this.bytes + bytes - maxBytes) };
  }

  /**
   * Reserves `n` seqs, in arrival order, for frames the caller keeps unread and stores later (`add`
   * with the reserved seq) or drops (`countUnstored`). Returns the first.
   */
  reserveSeqs(n: number): number {
    const first = this.nextSeq;
    this.nextSeq += n;
    return first;
  }

  /**
   * Counts frames that went before they were stored (see makeRoomForBulk) as dropped, with the
   * seqs reserved for them: to everything outside, as if stored and then evicted.
   */
  countUnstored(events: number, bytes: number): void {
    this.droppedEvents += events;
    this.droppedBytes += bytes;
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
      lastSeq: this.nextSeq - 1,
      hookDropped: this.hookDropped,
      ...(this.clearedThrough > 0 ? { clearedThrough: this.clearedThrough } : {}),
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
    this.hookDropped = 0;
    this.clearedThrough = this.nextSeq - 1;
    this.frames.clear();
    this.lastStored = undefined;
    this.authRequests.clear();
  }

  /** Which eviction tier an event belongs to (exported through the buffer for tests and the UI). */
  classify(ev: CapturedEventBody): RetentionTier {
    switch (ev.kind) {
      case 'ws-frame':
        return TIER_OF_FRAME_CLASS[this.frames.classify(ev).frameClass];
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

  private remember(set: Set<string>, key: string): void {
    // Bounded: a page with endless auth calls must not grow this forever.
    if (set.size >= 10_000) set.clear();
    set.add(key);
  }

  private evictToLimits(): void {
    const { maxEvents, maxBytes } = this.limits;
    while (this.count > maxEvents || (this.bytes > maxBytes && this.count > 1)) {
      const from = this.tiers.bulk.length ? this.tiers.bulk : this.tiers.ordinary.length ? this.tiers.ordinary : this.tiers.pinned;
      if (!this.evictOldest(from)) break;
    }
  }

  /** Evicts `tier`'s oldest event, counted as dropped; false when the tier is empty. */
  private evictOldest(tier: TierQueue): boolean {
    if (!tier.shift()) return false;
    const size = tier.shiftedSize;
    this.count--;
    this.bytes -= size;
    this.droppedEvents++;
    this.droppedBytes += size;
    return true;
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

/** A stored frame, built as one literal (see `add`). Optional fields only when set, as a spread would. */
function stampFrame(f: SocketFrame, seq: number, stamp: StampInput, docId: string, frameUrl: string | undefined): CapturedEvent {
  const ev: Record<string, unknown> = { kind: 'ws-frame', conn: f.conn, dir: f.dir, opcode: f.opcode };
  if (f.text !== undefined) ev.text = f.text;
  if (f.base64 !== undefined) ev.base64 = f.base64;
  ev.size = f.size;
  if (f.truncated !== undefined) ev.truncated = f.truncated;
  ev.seq = seq;
  ev.time = stamp.time;
  ev.docId = docId;
  if (frameUrl !== undefined) ev.frameUrl = frameUrl;
  ev.source = stamp.source;
  return ev as unknown as CapturedEvent;
}

/**
 * `approxEventBytes` of a whole frame still in its page form: its text, or the bytes of a binary
 * frame (stored as base64, 4 characters per 3 bytes).
 */
export function approxFrameBytes(payload: string | ArrayBuffer): number {
  return EVENT_OVERHEAD_BYTES + (typeof payload === 'string' ? payload.length : Math.ceil(payload.byteLength / 3) * 4);
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
