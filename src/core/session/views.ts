// Pure derivations from the panel's rows for the views: the filtered frame list, HTTP calls,
// connection states in words, and masking of keys shown on screen. No DOM here.

import type { CapturedEvent, HttpRequest, HttpResponse, NetworkObservation } from '../model';
import type { ChannelRecord, ConnectionRecord } from '../realtime';
import { type FrameCatalog, type FrameEvent, isFrameEvent } from './frame-catalog';
import { isSeparator, type PageSeparator, type SessionRow } from './event-log';
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
  /** Free text, matched case-insensitively against topic, event and payload. */
  text: string;
  showHeartbeats: boolean;
}

export interface FrameList {
  items: FrameListItem[];
  /** Frames held, before filtering. */
  totalFrames: number;
  /** Frames that pass the filter. */
  matchingFrames: number;
  /** Heartbeat frames hidden by the toggle. */
  hiddenHeartbeats: number;
}

export function frameList(rows: Iterable<SessionRow>, catalog: FrameCatalog, filter: FrameFilter): FrameList {
  const needle = filter.text.trim().toLowerCase();
  const items: FrameListItem[] = [];
  let totalFrames = 0;
  let matchingFrames = 0;
  let hiddenHeartbeats = 0;
  for (const row of rows) {
    if (isSeparator(row)) {
      items.push({ kind: 'separator', separator: row });
      continue;
    }
    if (isFrameEvent(row)) {
      totalFrames++;
      if (!filter.showHeartbeats && catalog.facts(row).heartbeat) {
        hiddenHeartbeats++;
        continue;
      }
      if (!catalog.matches(row, needle)) continue;
      matchingFrames++;
      items.push({ kind: 'frame', event: row });
      continue;
    }
    if (needle !== '') continue; // socket lifecycle lines only when not searching
    if (row.kind === 'ws-connecting' || row.kind === 'ws-open' || row.kind === 'ws-close' || row.kind === 'ws-error') {
      items.push({ kind: 'socket', event: row });
    } else if (row.kind === 'drops') {
      items.push({ kind: 'drops', event: row });
    }
  }
  return { items, totalFrames, matchingFrames, hiddenHeartbeats };
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

