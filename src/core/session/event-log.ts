// The panel's own copy of what was captured on the inspected tab: pure, DOM-free, unit-tested.
//
// It ingests BackgroundToPanel messages (src/messages.ts) and keeps:
// - every event received, deduplicated by (docId, seq): after the service worker restarts the
//   panel re-subscribes and gets a fresh snapshot that overlaps what it already holds;
// - "preserve log": events of earlier documents stay when the inspected page reloads, with a
//   separator row "Page reloaded: <url>";
// - a bound by count and by bytes (STORE_LIMITS.panelMaxEvents, panelMaxBytes: 200,000 events of up
//   to 256 KiB each would otherwise reach gigabytes) enforced by dropping the oldest bulk traffic first
//   (heartbeats, broadcasts, presence, postgres changes), then the oldest of anything; every drop is
//   counted and shown, never silent (ARCHITECTURE.md "Store of record").
//
// The state is a mutable object on purpose: copying a 200,000-row array per frame batch would cost
// more than the rendering. Every `apply` returns what changed so consumers (the Realtime tracker,
// the views) can update incrementally, and bumps `version`. `rows` only ever grows at its end; any
// other change (late events merged, eviction, clear, a separator claimed) replaces the array, so a
// published snapshot can keep a (array, length) view of it at no cost (Session.snapshot).

import type { CapturedEvent } from '../model';
import {
  PROTOCOL_VERSION,
  STORE_LIMITS,
  type BackgroundToPanel,
  type CaptureStatus,
  type DocumentInfo,
  type HookState,
  type StoreStats,
} from '../../messages';
import { approxEventBytes } from './buffer';
import { SeqRanges } from './seq-ranges';

/** A "Page reloaded: <url>" boundary in the preserved log. */
export interface PageSeparator {
  kind: 'separator';
  url: string;
  /** Panel clock when the navigation was reported, or the new document's start time. */
  time: number;
  /** The document that started here, once its snapshot arrived. */
  docId?: string;
}

export type SessionRow = CapturedEvent | PageSeparator;

export function isSeparator(row: SessionRow): row is PageSeparator {
  return row.kind === 'separator';
}

/** What an `apply` changed, for incremental consumers. */
export type LogChange =
  /** New events appended at the end of `rows`, in arrival order. */
  | { kind: 'appended'; events: CapturedEvent[] }
  /** Events were inserted before rows already held (a snapshot raced live deltas): rebuild derived state from `rows`. */
  | { kind: 'reordered' }
  /**
   * Old rows were evicted to respect the bound. Derived state built incrementally may keep what it
   * learned. `onlyBulk`: every evicted row was bulk traffic (frames), none other evidence.
   */
  | { kind: 'evicted'; count: number; onlyBulk: boolean }
  | { kind: 'separator'; separator: PageSeparator }
  | { kind: 'cleared' }
  /** Status, problem or stats changed. */
  | { kind: 'meta' };

export type CaptureState = CaptureStatus | 'connecting';

export interface DropSummary {
  /** Evicted by the page's store of record (sum over the tab's documents). */
  storeDroppedEvents: number;
  storeDroppedBytes: number;
  /** Frames the store kept only as a preview. */
  truncatedFrames: number;
  /** Evicted by this panel to stay within its own bound (count or bytes). */
  panelDroppedEvents: number;
  panelDroppedBytes: number;
  /** Messages or events from the background the panel could not accept (malformed). */
  rejected: number;
  /** Page messages the content script rejected (sum over documents). */
  pageRejected: number;
  /**
   * Events that never reached this panel (issue 10 item 3): per document, the seqs up to the
   * store's latest that the panel never received (evicted by the store before they could be sent,
   * or lost with a post that failed and evicted before the new snapshot), plus what the page hook
   * reported lost before the store. `held + panelDroppedEvents + lostBeforePanel` is everything
   * the documents captured since the last Clear.
   */
  lostBeforePanel: number;
  /** Posts from the documents' stores to the service worker that failed (each followed by a new snapshot). */
  postFailures: number;
  /**
   * Records the Realtime tracker evicted to stay within its byte budget (connections, channels,
   * join attempts, token pushes, system messages: RealtimeTracker.evictions), set by the Session.
   */
  recordsEvicted?: number;
}

export interface EventLogOptions {
  tabId: number;
  maxEvents?: number;
  /** Approximate bytes of the events held (payloads, URLs, headers: `approxEventBytes`). */
  maxBytes?: number;
  /** After an eviction, keep this fraction of the bounds: evicting in bulk keeps eviction rare. */
  keepFraction?: number;
  /** Bulk traffic is evicted first. The default keeps everything equal (oldest first). */
  isBulk?: (event: CapturedEvent) => boolean;
  now?: () => number;
}

export class EventLog {
  readonly tabId: number;
  readonly maxEvents: number;
  readonly maxBytes: number;
  /** Approximate bytes of the events held. */
  bytes = 0;
  status: CaptureState = 'connecting';
  /** URL of the inspected tab as last reported by the background. */
  tabUrl?: string;
  /**
   * The top document's page-hook state from the latest status ('missing': the content script runs
   * but nothing of the page is captured). Undefined while undecided or not reported.
   */
  hook?: HookState;
  /** The tab's documents with a connected content script, from the latest status (top and iframes). */
  documents: DocumentInfo[] = [];
  /** A problem the user must act on (protocol mismatch, malformed messages). */
  problem?: string;
  /** Events and separators in display order. */
  rows: SessionRow[] = [];
  /** Number of events (rows that are not separators). */
  eventCount = 0;
  readonly docs = new Map<string, DocumentInfo>();
  /** Latest store stats per document. */
  readonly storeStats = new Map<string, StoreStats>();
  panelDroppedEvents = 0;
  panelDroppedBytes = 0;
  rejected = 0;
  /** Bumped on every change: cheap "did anything change" for the UI. */
  version = 0;

  private readonly keepFraction: number;
  private readonly isBulk: (event: CapturedEvent) => boolean;
  private readonly now: () => number;
  private readonly seen = new Map<string, SeqRanges>();
  /** Per document: seqs at or below this were cleared by the user; late copies are ignored. */
  private readonly clearedThrough = new Map<string, number>();
  private lastTopDocId?: string;

  constructor(options: EventLogOptions) {
    this.tabId = options.tabId;
    this.maxEvents = options.maxEvents ?? STORE_LIMITS.panelMaxEvents;
    this.maxBytes = options.maxBytes ?? STORE_LIMITS.panelMaxBytes;
    this.keepFraction = options.keepFraction ?? 0.9;
    this.isBulk = options.isBulk ?? (() => false);
    this.now = options.now ?? Date.now;
  }

  apply(message: unknown): LogChange[] {
    const changes = this.applyMessage(message);
    if (changes.length > 0) this.version++;
    return changes;
  }

  /**
   * Events the panel observed itself (DevTools' network log, src/panel/devtools-merge.ts), under
   * their own document id. Deduplicated and bounded like a document's events; the capture status
   * is left alone (the page hook being absent is still worth saying).
   */
  applyLocal(events: readonly unknown[]): LogChange[] {
    const changes = this.ingest([...events]);
    if (changes.length > 0) this.version++;
    return changes;
  }

  /** Empties the panel's copy (the caller also asks the background to clear the store). */
  clear(): LogChange[] {
    for (const [docId, ranges] of this.seen) {
      this.clearedThrough.set(docId, ranges.max());
    }
    this.rows = [];
    this.eventCount = 0;
    this.bytes = 0;
    this.panelDroppedEvents = 0;
    this.panelDroppedBytes = 0;
    this.rejected = 0;
    this.storeStats.clear();
    // The current document stays known, so its later events need no new separator.
    this.version++;
    return [{ kind: 'cleared' }];
  }

  drops(): DropSummary {
    let storeDroppedEvents = 0;
    let storeDroppedBytes = 0;
    let truncatedFrames = 0;
    let pageRejected = 0;
    let lostBeforePanel = 0;
    let postFailures = 0;
    for (const [docId, stats] of this.storeStats) {
      storeDroppedEvents += stats.droppedEvents;
      storeDroppedBytes += stats.droppedBytes;
      truncatedFrames += stats.truncatedFrames;
      pageRejected += stats.rejected;
      postFailures += stats.postFailures ?? 0;
      lostBeforePanel += (stats.hookDropped ?? 0) + this.neverReceived(docId, stats);
    }
    return {
      storeDroppedEvents,
      storeDroppedBytes,
      truncatedFrames,
      panelDroppedEvents: this.panelDroppedEvents,
      panelDroppedBytes: this.panelDroppedBytes,
      rejected: this.rejected,
      pageRejected,
      lostBeforePanel,
      postFailures,
    };
  }

  /** Seqs of a document, up to its store's latest, that never reached the panel (after the last Clear). */
  private neverReceived(docId: string, stats: StoreStats): number {
    const ranges = this.seen.get(docId);
    const floor = Math.max(this.clearedThrough.get(docId) ?? 0, typeof stats.clearedThrough === 'number' ? stats.clearedThrough : 0);
    const held = ranges?.max() ?? 0;
    const through = Math.max(held, typeof stats.lastSeq === 'number' ? stats.lastSeq : 0);
    if (through <= floor) return 0;
    return through - floor - (ranges?.countIn(floor, through) ?? 0);
  }

  /** Non-Realtime sockets the tab's documents opened (counted by the hook, not recorded). */
  otherSockets(): number {
    let total = 0;
    for (const stats of this.storeStats.values()) total += stats.otherSockets;
    return total;
  }

  /** Events only, in display order. */
  events(): CapturedEvent[] {
    return this.rows.filter((row): row is CapturedEvent => !isSeparator(row));
  }

  // -------------------------------------------------------------------------------------------

  private applyMessage(message: unknown): LogChange[] {
    if (!isRecord(message) || typeof message.type !== 'string') {
      return this.reject('a message from the background was not an object with a type');
    }
    const msg = message as BackgroundToPanel;
    switch (msg.type) {
      case 'status': {
        if (msg.v !== PROTOCOL_VERSION) return this.refuse('another protocol version', msg.v);
        if (msg.status !== 'capturing' && msg.status !== 'not-capturing' && msg.status !== 'restricted') {
          return this.reject(`unknown capture status ${JSON.stringify(msg.status)}`);
        }
        this.status = msg.status;
        if (typeof msg.url === 'string') this.tabUrl = msg.url;
        // Each status is whole: an absent hook means undecided (the first second of a document).
        this.hook = isHookState(msg.hook) ? msg.hook : undefined;
        const documents = Array.isArray(msg.documents) ? msg.documents : [];
        this.documents = documents.filter(isDocumentInfo);
        if (msg.hook !== undefined && !isHookState(msg.hook)) {
          return this.reject(`unknown hook state ${JSON.stringify(msg.hook)}`);
        }
        if (this.documents.length < documents.length || (msg.documents !== undefined && !Array.isArray(msg.documents))) {
          return this.reject('a status listed a document without an id, URL or top/frame flag');
        }
        return [{ kind: 'meta' }];
      }
      case 'problem':
        this.problem = typeof msg.message === 'string' ? msg.message : 'The background reported a problem without a message.';
        return [{ kind: 'meta' }];
      case 'navigated':
        return this.onNavigated(typeof msg.url === 'string' ? msg.url : '');
      case 'snapshot': {
        const snapshot = msg.snapshot;
        if (!isRecord(snapshot) || !isRecord(snapshot.doc) || typeof snapshot.doc.docId !== 'string' || !Array.isArray(snapshot.events)) {
          return this.reject('a snapshot from the background had no document or no event list');
        }
        const changes = this.onDocument(snapshot.doc);
        if (isRecord(snapshot.stats)) this.storeStats.set(snapshot.doc.docId, snapshot.stats);
        // A snapshot means the store answered: the tab is capturing even if no status came yet.
        if (this.status === 'connecting' || this.status === 'not-capturing') this.status = 'capturing';
        changes.push(...this.ingest(snapshot.events), { kind: 'meta' });
        return changes;
      }
      case 'events': {
        if (typeof msg.docId !== 'string' || !Array.isArray(msg.events)) {
          return this.reject('an events message from the background had no docId or no event list');
        }
        if (isRecord(msg.stats)) this.storeStats.set(msg.docId, msg.stats);
        if (this.status === 'connecting' || this.status === 'not-capturing') this.status = 'capturing';
        return [...this.ingest(msg.events), { kind: 'meta' }];
      }
      default:
        return this.reject(`unknown message type ${JSON.stringify((msg as { type: string }).type)}`);
    }
  }

  /** A message refused before it got here (the transport's checks), or of another protocol version. */
  refuse(reason: string, peerVersion?: unknown): LogChange[] {
    if (peerVersion === undefined) return this.reject(reason);
    this.problem =
      `Claimscope's panel speaks protocol ${PROTOCOL_VERSION} but its background speaks ${String(peerVersion)}. ` +
      'The extension was probably updated while DevTools was open: close DevTools and open it again.';
    return [{ kind: 'meta' }];
  }

  private reject(reason: string): LogChange[] {
    this.rejected++;
    this.problem = `Claimscope ignored ${this.rejected === 1 ? 'a message' : `${this.rejected} messages`} from its background (${reason}). If this repeats, reload the extension.`;
    return [{ kind: 'meta' }];
  }

  private onNavigated(url: string): LogChange[] {
    this.tabUrl = url;
    // Nothing to separate from yet.
    if (this.eventCount === 0 && this.lastTopDocId === undefined) return [{ kind: 'meta' }];
    const last = this.rows[this.rows.length - 1];
    // The background may report one navigation twice (e.g. after a reconnect): one separator.
    if (last && isSeparator(last) && last.docId === undefined && last.url === url) return [];
    const separator: PageSeparator = { kind: 'separator', url, time: this.now() };
    this.rows.push(separator);
    return [{ kind: 'separator', separator }];
  }

  /** A snapshot names its document: a new top-level document after another one is a reload. */
  private onDocument(doc: DocumentInfo): LogChange[] {
    const known = this.docs.has(doc.docId);
    this.docs.set(doc.docId, doc);
    if (known || !doc.isTop) return [];
    const previousTop = this.lastTopDocId;
    this.lastTopDocId = doc.docId;
    // A separator announced by `navigated` and not yet claimed belongs to this document.
    for (let i = this.rows.length - 1; i >= 0; i--) {
      const row = this.rows[i];
      if (isSeparator(row)) {
        if (row.docId === undefined) {
          // Copy on write: a published snapshot may hold this row array (Session.snapshot).
          this.rows = this.rows.slice();
          const claimed: PageSeparator = { ...row, docId: doc.docId, url: doc.url };
          this.rows[i] = claimed;
          return [{ kind: 'separator', separator: claimed }];
        }
        break;
      }
    }
    if (previousTop === undefined) return [];
    const separator: PageSeparator = { kind: 'separator', url: doc.url, time: doc.startedAt, docId: doc.docId };
    this.rows.push(separator);
    return [{ kind: 'separator', separator }];
  }

  private ingest(incoming: unknown[]): LogChange[] {
    const accepted: CapturedEvent[] = [];
    let malformed = 0;
    let late = false;
    for (const candidate of incoming) {
      if (!isCapturedEvent(candidate)) {
        malformed++;
        continue;
      }
      const cleared = this.clearedThrough.get(candidate.docId);
      if (cleared !== undefined && candidate.seq <= cleared) continue;
      let ranges = this.seen.get(candidate.docId);
      if (!ranges) {
        ranges = new SeqRanges();
        this.seen.set(candidate.docId, ranges);
      }
      const maxBefore = ranges.max();
      if (!ranges.add(candidate.seq)) continue; // already held (or held once and evicted)
      if (candidate.seq < maxBefore) late = true;
      accepted.push(candidate);
    }
    const changes: LogChange[] = [];
    if (malformed > 0) {
      this.rejected += malformed - 1;
      changes.push(...this.reject(`${malformed} malformed event${malformed === 1 ? '' : 's'}`));
    }
    if (accepted.length === 0) return changes;
    this.eventCount += accepted.length;
    for (const event of accepted) this.bytes += approxEventBytes(event);
    if (late) {
      this.mergeLate(accepted);
      changes.push({ kind: 'reordered' });
    } else {
      for (const event of accepted) this.rows.push(event);
      changes.push({ kind: 'appended', events: accepted });
    }
    const evicted = this.enforceBound();
    if (evicted.count > 0) changes.push({ kind: 'evicted', ...evicted });
    return changes;
  }

  /**
   * Some events arrived after later events of the same document (a snapshot raced live deltas).
   * Each goes right before the first held event of its document with a larger seq, so every
   * document's events stay in seq order — the order the Realtime tracker needs.
   */
  private mergeLate(accepted: CapturedEvent[]): void {
    const pending = new Map<string, CapturedEvent[]>();
    for (const event of accepted) {
      let list = pending.get(event.docId);
      if (!list) pending.set(event.docId, (list = []));
      list.push(event);
    }
    for (const list of pending.values()) list.sort((a, b) => a.seq - b.seq);
    const cursor = new Map<string, number>();
    const merged: SessionRow[] = [];
    for (const row of this.rows) {
      if (!isSeparator(row)) {
        const list = pending.get(row.docId);
        if (list) {
          let i = cursor.get(row.docId) ?? 0;
          while (i < list.length && list[i].seq < row.seq) merged.push(list[i++]);
          cursor.set(row.docId, i);
        }
      }
      merged.push(row);
    }
    for (const [docId, list] of pending) {
      for (let i = cursor.get(docId) ?? 0; i < list.length; i++) merged.push(list[i]);
    }
    this.rows = merged;
  }

  /** Oldest bulk traffic goes first, then the oldest of anything; separators stay. */
  private enforceBound(): { count: number; onlyBulk: boolean } {
    if (this.eventCount <= this.maxEvents && this.bytes <= this.maxBytes) return { count: 0, onlyBulk: true };
    const targetCount = Math.max(0, Math.floor(this.maxEvents * this.keepFraction));
    const targetBytes = Math.max(0, Math.floor(this.maxBytes * this.keepFraction));
    let count = this.eventCount;
    let bytes = this.bytes;
    const over = () => count > targetCount || bytes > targetBytes;
    const drop = (row: CapturedEvent) => {
      count--;
      bytes -= approxEventBytes(row);
    };
    // Pass 1: oldest bulk events.
    const afterBulk: SessionRow[] = [];
    for (const row of this.rows) {
      if (!isSeparator(row) && over() && this.isBulk(row)) drop(row);
      else afterBulk.push(row);
    }
    // Pass 2: still over the bound with only evidence left: oldest first.
    let rows = afterBulk;
    const onlyBulk = !over();
    if (!onlyBulk) {
      rows = [];
      for (const row of afterBulk) {
        if (!isSeparator(row) && over()) drop(row);
        else rows.push(row);
      }
    }
    const dropped = this.eventCount - count;
    this.rows = rows;
    this.panelDroppedEvents += dropped;
    this.panelDroppedBytes += this.bytes - bytes;
    this.eventCount = count;
    this.bytes = bytes;
    return { count: dropped, onlyBulk };
  }

}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHookState(value: unknown): value is HookState {
  return value === 'connected' || value === 'missing';
}

function isDocumentInfo(value: unknown): value is DocumentInfo {
  return (
    isRecord(value) &&
    typeof value.docId === 'string' &&
    typeof value.url === 'string' &&
    typeof value.isTop === 'boolean' &&
    (value.hook === undefined || isHookState(value.hook))
  );
}

function isCapturedEvent(value: unknown): value is CapturedEvent {
  return (
    isRecord(value) &&
    typeof value.kind === 'string' &&
    value.kind !== 'separator' &&
    typeof value.docId === 'string' &&
    typeof value.seq === 'number' &&
    Number.isFinite(value.seq) &&
    typeof value.time === 'number'
  );
}
