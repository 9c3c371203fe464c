// Pure derivations from the panel's rows for the views: the filtered frame list, HTTP calls,
// connection states in words, and masking of keys shown on screen. No DOM here.

import type { CapturedEvent, HttpRequest, HttpResponse, NetworkObservation } from '../model';
import type { ChannelRecord, ConnectionRecord } from '../realtime';
import { type FrameCatalog, type FrameEvent, isFrameEvent } from './frame-catalog';
import { isSeparator, type PageSeparator, type SessionRow } from './event-log';
import { compileFrameSearch, searchMatches } from './frame-search';
import { channelUnload, connectionUnload, unloadWords, type DocumentUnload, type UnloadCause, type UnloadLookup } from './unload';

// ---------------------------------------------------------------------------------------------
// Frames

type SocketLifecycleEvent = CapturedEvent & { kind: 'ws-connecting' | 'ws-open' | 'ws-close' | 'ws-error' };

export type FrameListItem =
  | { kind: 'frame'; event: FrameEvent }
  | { kind: 'socket'; event: SocketLifecycleEvent }
  | { kind: 'drops'; event: CapturedEvent & { kind: 'drops' } }
  | { kind: 'separator'; separator: PageSeparator };

export interface FrameFilter {
  /** Free text (case-insensitive) over topic, event and payload; a regular expression when `regex`. */
  text: string;
  showHeartbeats: boolean;
  /** `text` is a regular expression (frame-search.ts: risky patterns are refused, rows capped). */
  regex?: boolean;
  /** Only frames in this direction. */
  dir?: 'sent' | 'received';
  /** Only frames on this topic (a channel, or `phoenix`). */
  topic?: string;
  /** Only frames with this Phoenix event. */
  event?: string;
  /** Only refusals, server errors and undecodable frames (FrameFacts.error), and socket errors. */
  errorsOnly?: boolean;
}

/** The clock and budget of one regex search (injectable, so tests need no real time). */
export interface SearchBudget {
  now: () => number;
  /** Milliseconds a regex search may take before it stops and says how far it got. */
  ms: number;
}

/** A regex search that reaches this over all rows stops there: the panel stays usable. */
export const REGEX_SEARCH_BUDGET_MS = 1_500;

export interface FrameList {
  items: FrameListItem[];
  /** Frames held, before filtering. */
  totalFrames: number;
  /** Frames that pass the filter. */
  matchingFrames: number;
  /** Heartbeat frames hidden by the toggle. */
  hiddenHeartbeats: number;
  /** The search text is no usable regex: why, in words (nothing is listed then). */
  searchError?: string;
  /** A regex search ran out of its budget: frames it had checked when it stopped (the rest are not listed). */
  searchStopped?: { checked: number };
  /** The regex search read at most this many characters of each frame. */
  searchRowCap?: number;
}

export function frameList(rows: Iterable<SessionRow>, catalog: FrameCatalog, filter: FrameFilter, budget?: SearchBudget): FrameList {
  const search = compileFrameSearch(filter.text, filter.regex === true);
  const items: FrameListItem[] = [];
  let totalFrames = 0;
  let matchingFrames = 0;
  let hiddenHeartbeats = 0;
  let checked = 0;
  let stopped = false;
  const clock = search.kind === 'regex' ? (budget ?? { now: () => Date.now(), ms: REGEX_SEARCH_BUDGET_MS }) : undefined;
  const deadline = clock ? clock.now() + clock.ms : 0;
  // Facets narrow frames only: socket lines stay (they explain the frames) unless a search or
  // "errors only" asks for frames alone.
  const narrowing = search.kind !== 'none' || filter.dir !== undefined || filter.topic !== undefined || filter.event !== undefined;
  for (const row of rows) {
    if (isSeparator(row)) {
      items.push({ kind: 'separator', separator: row });
      continue;
    }
    if (isFrameEvent(row)) {
      totalFrames++;
      if (stopped || search.kind === 'invalid') continue;
      const facts = catalog.facts(row);
      if (!filter.showHeartbeats && facts.heartbeat) {
        hiddenHeartbeats++;
        continue;
      }
      if (filter.dir !== undefined && row.dir !== filter.dir) continue;
      if (filter.topic !== undefined && facts.topic !== filter.topic) continue;
      if (filter.event !== undefined && facts.event !== filter.event) continue;
      if (filter.errorsOnly && !facts.error) continue;
      if (search.kind !== 'none') {
        if (clock && (++checked & 63) === 0 && clock.now() > deadline) {
          stopped = true;
          continue;
        }
        if (!searchMatches(search, catalog.searchText(row))) continue;
      }
      matchingFrames++;
      items.push({ kind: 'frame', event: row });
      continue;
    }
    const socketLine = row.kind === 'ws-connecting' || row.kind === 'ws-open' || row.kind === 'ws-close' || row.kind === 'ws-error';
    if (filter.errorsOnly) {
      // A socket error or an unclean close is an error of its own kind.
      if (search.kind === 'none' && !narrowing && (row.kind === 'ws-error' || (row.kind === 'ws-close' && row.wasClean === false))) {
        items.push({ kind: 'socket', event: row as SocketLifecycleEvent });
      }
      continue;
    }
    if (narrowing) continue; // socket lifecycle lines only when not narrowing to frames
    if (socketLine) {
      items.push({ kind: 'socket', event: row });
    } else if (row.kind === 'drops') {
      items.push({ kind: 'drops', event: row });
    }
  }
  const list: FrameList = { items, totalFrames, matchingFrames, hiddenHeartbeats };
  if (search.kind === 'invalid') list.searchError = search.message;
  if (search.kind === 'regex') list.searchRowCap = search.rowCap;
  if (stopped) list.searchStopped = { checked };
  return list;
}

/** Topics and events seen in the frames, for the filter's choices (most frequent first, capped). */
export function frameFacets(rows: Iterable<SessionRow>, catalog: FrameCatalog, cap = 200): { topics: string[]; events: string[] } {
  const topics = new Map<string, number>();
  const events = new Map<string, number>();
  for (const row of rows) {
    if (isSeparator(row) || !isFrameEvent(row)) continue;
    const facts = catalog.facts(row);
    if (facts.topic !== '') topics.set(facts.topic, (topics.get(facts.topic) ?? 0) + 1);
    if (facts.event !== '') events.set(facts.event, (events.get(facts.event) ?? 0) + 1);
  }
  const top = (counts: Map<string, number>) =>
    [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, cap)
      .map(([name]) => name);
  return { topics: top(topics), events: top(events) };
}

// ---------------------------------------------------------------------------------------------
// HTTP

export interface HttpCall {
  key: string;
  docId: string;
  time: number;
  method: string;
  url: string;
  /** The page's URL was longer than the cap: its full length (`url` is its start). */
  urlLength?: number;
  api: HttpRequest['api'];
  hasAuthorization: boolean;
  hasApikey: boolean;
  response?: HttpResponse & { time: number };
}

export type HttpListItem =
  | { kind: 'call'; call: HttpCall }
  /** What the browser's network layer (webRequest) reported, including WebSocket upgrades. */
  | { kind: 'net'; event: NetworkObservation & { time: number; seq: number; docId: string } };

/** HTTP requests paired with their responses (by document and request id), and network observations. */
export function httpList(rows: Iterable<SessionRow>): HttpListItem[] {
  const items: HttpListItem[] = [];
  const open = new Map<string, HttpCall>();
  for (const row of rows) {
    if (isSeparator(row)) continue;
    if (row.kind === 'http-request') {
      const call: HttpCall = {
        key: `${row.docId}\u0000${row.req}`,
        docId: row.docId,
        time: row.time,
        method: String(row.method),
        url: String(row.url),
        ...(typeof row.urlLength === 'number' ? { urlLength: row.urlLength } : {}),
        api: row.api,
        hasAuthorization: typeof row.headers?.authorization === 'string',
        hasApikey: typeof row.headers?.apikey === 'string',
      };
      open.set(call.key, call);
      items.push({ kind: 'call', call });
    } else if (row.kind === 'http-response') {
      const call = open.get(`${row.docId}\u0000${row.req}`);
      if (call) call.response = row;
    } else if (row.kind === 'net') {
      items.push({ kind: 'net', event: row });
    }
  }
  // Network-layer observations reach the store later than the page's own events: show by time.
  const timeOf = (item: HttpListItem) => (item.kind === 'call' ? item.call.time : item.event.time);
  return items.sort((a, b) => timeOf(a) - timeOf(b));
}

// ---------------------------------------------------------------------------------------------
// Connections

export type ConnectionStateName = 'connecting' | 'open' | 'closed' | 'refused';

export function connectionState(record: ConnectionRecord): ConnectionStateName {
  if (record.refused) return 'refused';
  if (record.close) return 'closed';
  if (record.openedAt !== undefined) return 'open';
  return 'connecting';
}

export interface ConnectionDisplay {
  state: ConnectionStateName;
  /** Set when the socket is shown closed because its page went away (no close of its own on record). */
  unload?: DocumentUnload;
}

/**
 * The state a connection row shows: the tracker's, except that a socket still open or connecting
 * whose document went away (pagehide) is closed by that — never left "open" forever.
 */
export function connectionDisplay(record: ConnectionRecord, lookup: UnloadLookup): ConnectionDisplay {
  const unload = connectionUnload(record, lookup);
  return unload ? { state: 'closed', unload } : { state: connectionState(record) };
}

export interface ChannelPhaseDisplay {
  /** The tracker's phase, or 'closed' when the channel ended with its page. */
  phase: ChannelRecord['phase'];
  /** The words on the phase badge. */
  label: string;
  closedBy?: UnloadCause;
  unload?: DocumentUnload;
}

export function channelPhaseDisplay(channel: ChannelRecord, connection: ConnectionRecord | undefined, lookup: UnloadLookup): ChannelPhaseDisplay {
  const unload = channelUnload(channel, connection, lookup);
  if (!unload) return { phase: channel.phase, label: channel.phase };
  return { phase: 'closed', label: `closed (${unloadWords(unload.cause)})`, closedBy: unload.cause, unload };
}

/**
 * What can honestly be said about a refused upgrade. The page sees only a close (1006); the
 * browser's network layer may add a status or an error; the server's response body is never
 * available to an extension (ARCHITECTURE.md "What the page cannot see").
 */
export function refusedExplanation(record: ConnectionRecord): string {
  const upgrade = record.upgrade;
  if (upgrade?.status !== undefined) {
    return `The server refused the WebSocket upgrade with HTTP ${upgrade.status} (reported by the browser's network layer). The response body is not available to extensions.`;
  }
  const reported = upgrade?.error ? ` (its network layer reported only ${upgrade.error})` : '';
  return (
    `The socket closed before it opened: the server refused the upgrade or it failed${reported}. ` +
    'The browser does not expose the status of a refused WebSocket upgrade (Chromium reports net::ERR_FAILED), ' +
    'and the server’s response body is not available to extensions.'
  );
}

