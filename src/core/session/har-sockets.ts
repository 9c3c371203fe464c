// WebSockets as DevTools' network log reports them (chrome.devtools.network: getHAR() and
// onRequestFinished), turned into Claimscope's captured events. Pure: no DOM, no extension APIs.
//
// Measured in Chromium 156 (issue 3 note; see e2e/panel-devtools-network.spec.ts):
// - a WebSocket entry has `_resourceType: "websocket"`, `response.status` 101 when the upgrade
//   succeeded, and `_webSocketMessages: [{ type: 'send' | 'receive', time, opcode, data }]` with
//   `time` in seconds since the epoch (sub-millisecond), opcode 1 = text (data is the text),
//   2 = binary (data is base64);
// - a REFUSED upgrade (the local server answered 401) has `response.status` 0, no response
//   headers and one message `{ type: 'error', opcode: -1, data: '' }`: DevTools' HAR does not give
//   the refused upgrade's status either, so nothing here may claim one;
// - getHAR() includes a still-open socket with its frames so far; onRequestFinished reports the
//   socket only when it closes (then `time` is its whole lifetime in ms). No close code or reason.
// - `_initiator.stack.callFrames[].url` names the scripts that called `new WebSocket`. It is not
//   read: the page hook's own script is named `<anonymous>` there (like a page's eval'd code, so a
//   page cannot find the extension's URL in a stack: issue 10 item 6), and a page could name its
//   scripts anything; the merger recognises the hook's sockets by URL, frames and time instead.
// - The URL is scrubbed of its secrets (core/url-secrets) as the hook's socket URLs are, so the two
//   stay comparable and DevTools adds no unscrubbed copy.
// Firefox's HAR has no `_webSocketMessages`: such sockets are shown with "frames not visible".

import { isRealtimeSocketUrl, type FrameDirection } from '../model';
import { isPhoenixText } from '../realtime/framing';
import { scrubUrl } from '../url-secrets';

/** One WebSocket message from a HAR entry, normalised. */
export interface HarSocketMessage {
  dir: FrameDirection;
  /** ms since the epoch. */
  time: number;
  opcode: 'text' | 'binary';
  /** Text frames: the text. Binary frames: base64, as DevTools gives it. */
  data: string;
}

/** A WebSocket entry of DevTools' network log, validated and normalised. */
export interface HarSocket {
  /** Identifies the socket across getHAR() calls and onRequestFinished: start time + URL. */
  key: string;
  url: string;
  /** ms since the epoch (startedDateTime). */
  startedAt: number;
  /** HTTP status DevTools reports for the upgrade: 101 when it succeeded; 0 when it has none. */
  status: number;
  /** DevTools gave a message list (Chromium). False: the browser's HAR carries no frames (Firefox). */
  framesVisible: boolean;
  messages: HarSocketMessage[];
  /** DevTools recorded an error on the socket (a refused or failed upgrade, or a broken connection). */
  errored: boolean;
  /** ms since the epoch of the first error message. */
  errorAt?: number;
  /** `time` of the entry (ms): for a finished socket, its lifetime. */
  durationMs?: number;
  /** Messages DevTools listed that could not be read (unknown type or opcode, bad data): counted, shown. */
  unreadableMessages: number;
}

export type HarSocketParse =
  | { kind: 'socket'; socket: HarSocket }
  /** Not a WebSocket entry (ordinary HTTP): nothing to do. */
  | { kind: 'not-websocket' }
  /** Looked like a WebSocket entry but could not be read: the reason is shown, never dropped silently. */
  | { kind: 'unreadable'; reason: string };

/** The socket key of a WebSocket entry without reading its messages (cheap: a log is re-read often). */
export function harSocketKey(entry: unknown): string | undefined {
  if (!isRecord(entry) || !isRecord(entry.request) || typeof entry.request.url !== 'string' || typeof entry.startedDateTime !== 'string') return undefined;
  return `${entry.startedDateTime} ${entry.request.url}`;
}

/** Reads one HAR entry (hostile input: anything DevTools, or a future DevTools, might hand over). */
export function parseHarSocket(entry: unknown): HarSocketParse {
  if (!isRecord(entry)) return { kind: 'unreadable', reason: 'a HAR entry was not an object' };
  const request = entry.request;
  const url = isRecord(request) && typeof request.url === 'string' ? request.url : undefined;
  const isWs = entry._resourceType === 'websocket' || (url !== undefined && /^wss?:/i.test(url));
  if (!isWs) return { kind: 'not-websocket' };
  if (url === undefined) return { kind: 'unreadable', reason: 'a WebSocket entry had no request URL' };
  const startedAt = typeof entry.startedDateTime === 'string' ? Date.parse(entry.startedDateTime) : NaN;
  if (!Number.isFinite(startedAt)) {
    return { kind: 'unreadable', reason: `the WebSocket entry for ${shortUrl(url)} had no valid startedDateTime` };
  }
  const response = entry.response;
  const status = isRecord(response) && typeof response.status === 'number' && Number.isFinite(response.status) ? response.status : 0;
  const raw = entry._webSocketMessages;
  const framesVisible = Array.isArray(raw);
  const messages: HarSocketMessage[] = [];
  let errored = false;
  let errorAt: number | undefined;
  let unreadableMessages = 0;
  if (Array.isArray(raw)) {
    for (const m of raw) {
      const read = readMessage(m);
      if (read === 'error') {
        if (!errored && isRecord(m) && typeof m.time === 'number' && Number.isFinite(m.time)) errorAt = Math.round(m.time * 1000);
        errored = true;
      } else if (read === undefined) unreadableMessages++;
      else messages.push(read);
    }
  }
  const socket: HarSocket = {
    key: harSocketKey(entry)!,
    url: scrubUrl(url),
    startedAt,
    status,
    framesVisible,
    messages,
    errored,
    unreadableMessages,
  };
  if (errorAt !== undefined) socket.errorAt = errorAt;
  if (typeof entry.time === 'number' && Number.isFinite(entry.time) && entry.time >= 0) socket.durationMs = entry.time;
  return { kind: 'socket', socket };
}

function readMessage(m: unknown): HarSocketMessage | 'error' | undefined {
  if (!isRecord(m)) return undefined;
  if (m.type === 'error') return 'error';
  if (m.type !== 'send' && m.type !== 'receive') return undefined;
  if (typeof m.time !== 'number' || !Number.isFinite(m.time) || typeof m.data !== 'string') return undefined;
  const opcode = m.opcode === 1 ? 'text' : m.opcode === 2 ? 'binary' : undefined;
  if (!opcode) return undefined;
  if (opcode === 'binary' && !isBase64(m.data)) return undefined;
  return { dir: m.type === 'send' ? 'sent' : 'received', time: Math.round(m.time * 1000), opcode, data: m.data };
}

/**
 * Realtime-shaped by the hook's own rule (issue 3 §3): the URL path, or first frames that speak
 * the Phoenix protocol (core/realtime/framing `isPhoenixText`, which the hook's sniff agrees with).
 */
export function isRealtimeHarSocket(socket: HarSocket): boolean {
  if (isRealtimeSocketUrl(socket.url)) return true;
  const first = socket.messages.slice(0, 3).find((m) => m.opcode === 'text');
  return first !== undefined && isPhoenixText(first.data);
}


function isBase64(s: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0;
}

/** Bytes of a base64 string. */
export function base64Size(s: string): number {
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return Math.max(0, (s.length / 4) * 3 - pad);
}

function shortUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q)}?…`;
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
