// Connections and channels of a document that went away. The content script records `pagehide` as
// a document's last event (src/content/index.ts): its sockets are gone with it, but the page often
// never saw a close for them (a navigation tears the socket down without firing `close` in the
// page), so the Realtime tracker still holds them open. The panel must not show a socket of a
// dead document as "open" forever: this module says which ones ended with their page, and when.
//
// Pure and DOM-free. The Realtime tracker (src/core/realtime) stays unaware of page lifecycle:
// this is a display-level overlay over its ConnectionRecords and ChannelRecords.

import type { CapturedEvent, ConnectionId } from '../model';
import type { ChannelRecord, ConnectionRecord } from '../realtime';

/** Why a connection the tracker holds open is shown closed. */
export type UnloadCause =
  /** pagehide with persisted: false — the document is gone (navigation, reload, tab closed). */
  | 'page-unloaded'
  /** pagehide with persisted: true — the document sits in the back/forward cache (may come back). */
  | 'bfcache';

export interface DocumentUnload {
  docId: string;
  cause: UnloadCause;
  /** Time of the pagehide event (the page's clock). */
  time: number;
  seq: number;
}

/**
 * The latest pagehide / pageshow per document, fed with events in each document's seq order
 * (the order EventLog keeps). A pageshow (back from the back/forward cache) undoes the pagehide
 * before it; a later pagehide counts again.
 */
export class DocumentUnloads {
  private readonly latest = new Map<string, { change: 'pagehide' | 'pageshow'; persisted: boolean; time: number; seq: number }>();

  note(event: CapturedEvent): void {
    if (event.kind !== 'lifecycle' || (event.change !== 'pagehide' && event.change !== 'pageshow')) return;
    const held = this.latest.get(event.docId);
    // Events of one document normally come in seq order; a stale copy must not undo a newer fact.
    if (held && held.seq > event.seq) return;
    this.latest.set(event.docId, { change: event.change, persisted: event.persisted === true, time: event.time, seq: event.seq });
  }

  noteAll(events: readonly CapturedEvent[]): void {
    for (const event of events) this.note(event);
  }

  clear(): void {
    this.latest.clear();
  }

  /** The document's unload in force now, if its latest lifecycle fact is a pagehide. */
  of(docId: string): DocumentUnload | undefined {
    const held = this.latest.get(docId);
    if (!held || held.change !== 'pagehide') return undefined;
    return { docId, cause: held.persisted ? 'bfcache' : 'page-unloaded', time: held.time, seq: held.seq };
  }

  /** Every document whose latest lifecycle fact is a pagehide. */
  all(): DocumentUnload[] {
    const out: DocumentUnload[] = [];
    for (const docId of this.latest.keys()) {
      const unload = this.of(docId);
      if (unload) out.push(unload);
    }
    return out;
  }
}

/**
 * The document a connection belongs to: connection ids are prefixed with the document id by the
 * content script (`<docId>:<n>`, src/content/validate.ts), so iframes and reloads never collide.
 */
export function docIdOfConnection(conn: ConnectionId, docIds: Iterable<string>): string | undefined {
  for (const docId of docIds) if (conn.startsWith(`${docId}:`)) return docId;
  return undefined;
}

/** Looks up the unload in force for a connection; built once per render from DocumentUnloads. */
export type UnloadLookup = (conn: ConnectionId) => DocumentUnload | undefined;

export function unloadLookup(unloads: readonly DocumentUnload[]): UnloadLookup {
  if (unloads.length === 0) return () => undefined;
  const byDoc = new Map(unloads.map((u) => [u.docId, u]));
  const cache = new Map<ConnectionId, DocumentUnload | undefined>();
  return (conn) => {
    if (cache.has(conn)) return cache.get(conn);
    const docId = docIdOfConnection(conn, byDoc.keys());
    const unload = docId === undefined ? undefined : byDoc.get(docId);
    cache.set(conn, unload);
    return unload;
  };
}

/**
 * A connection the tracker still holds open or connecting, whose document went away: it is shown
 * closed by that, at the pagehide's time, with no invented close code. Undefined when the socket
 * has its own close (or refusal) on record, or was created after the pagehide (not this page's).
 */
export function connectionUnload(record: ConnectionRecord, lookup: UnloadLookup): DocumentUnload | undefined {
  if (record.close || record.refused) return undefined;
  const unload = lookup(record.conn);
  if (!unload || record.createdAt > unload.time) return undefined;
  return unload;
}

/** Channel phases that claim the channel is (or is about to be) live on its socket. */
const LIVE_PHASES: ReadonlySet<ChannelRecord['phase']> = new Set(['joined', 'joining', 'leaving']);

/**
 * A channel whose tracker phase still says it is live (joined, joining or leaving) on a socket
 * whose document went away: it ended with the page.
 */
export function channelUnload(channel: ChannelRecord, connection: ConnectionRecord | undefined, lookup: UnloadLookup): DocumentUnload | undefined {
  if (!LIVE_PHASES.has(channel.phase)) return undefined;
  if (connection) return connectionUnload(connection, lookup);
  return lookup(channel.key.conn);
}

/** The words shown for an unloaded connection or channel. */
export function unloadWords(cause: UnloadCause): string {
  return cause === 'bfcache' ? 'page in back/forward cache' : 'page unloaded';
}
