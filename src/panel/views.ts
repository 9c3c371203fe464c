// Pure derivations from the panel's rows for the views: the filtered frame list, HTTP calls,
// connection states in words, and masking of keys shown on screen. No DOM here.

import type { CapturedEvent, HttpRequest, HttpResponse, NetworkObservation } from '../core/model';
import type { ConnectionRecord } from '../core/realtime';
import { type FrameCatalog, type FrameEvent, isFrameEvent } from './frames';
import { isSeparator, type PageSeparator, type PanelRow } from './state';

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

export function frameList(rows: readonly PanelRow[], catalog: FrameCatalog, filter: FrameFilter): FrameList {
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
export function httpList(rows: readonly PanelRow[]): HttpListItem[] {
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
  return items;
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
  const reported = upgrade?.error ? ` It reported only ${upgrade.error}.` : '';
  return (
    'The socket closed before it opened: the upgrade was refused or failed. ' +
    `The browser does not expose the status of a refused WebSocket upgrade (Chromium reports net::ERR_FAILED).${reported} ` +
    'The server’s response body is not available to extensions.'
  );
}

// ---------------------------------------------------------------------------------------------
// Masking keys on screen (the user can reveal them; exports use their own redaction)

/** Keeps enough of a key to recognise it: a prefix, the length, the last 4 characters. */
export function maskSecret(value: string): string {
  if (value.length <= 12) return '•'.repeat(Math.max(3, value.length));
  const prefix = value.startsWith('sb_') ? value.slice(0, value.indexOf('_', 3) + 1 || 12) : value.slice(0, 6);
  return `${prefix}…(${value.length} chars)…${value.slice(-4)}`;
}

/** The URL with its `apikey` query value masked; anything unparsable is returned as is. */
export function maskApikeyInUrl(url: string): string {
  return url.replace(/([?&]apikey=)([^&#]*)/gi, (_, name: string, value: string) => {
    let decoded = value;
    try {
      decoded = decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      // keep as written
    }
    return decoded === '' ? name : name + maskSecret(decoded);
  });
}

// ---------------------------------------------------------------------------------------------
// Capped text for payload views

/** Rendering cap per payload view; "show more" raises it. */
export const PAYLOAD_VIEW_CAP = 10 * 1024;

export function capText(text: string, limit: number): { text: string; hidden: number } {
  if (text.length <= limit) return { text, hidden: 0 };
  return { text: text.slice(0, limit), hidden: text.length - limit };
}

/** Pretty JSON for a decoded payload, safe on cycles, depth and huge values. */
export function prettyPayload(value: unknown): string {
  if (value === undefined) return '(no payload)';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return '(payload too deeply nested to show as JSON)';
  }
}

export function formatBytes(size: number): string {
  if (!Number.isFinite(size)) return '?';
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} kB`;
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '?';
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
