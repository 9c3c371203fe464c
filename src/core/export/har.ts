// HAR 1.2 export of a session (issue 13 item 2), redacted like the session file: the captured
// events go through one `Redactor` first, then become HAR entries. WebSocket frames are written the
// way Chromium's DevTools writes them ("Save all as HAR with content"), so any tool that reads
// Chrome HARs reads these, and Claimscope's own importer (import.ts) reads both alike:
//
// - a socket is one entry with `_resourceType: "websocket"`, `response.status` 101 when the upgrade
//   succeeded, and `_webSocketMessages: [{ type: 'send' | 'receive', time, opcode, data }]` with
//   `time` in SECONDS since the epoch (DevTools' unit), opcode 1 = text (data is the text),
//   2 = binary (data is base64); a socket error is `{ type: 'error', opcode: -1, data: '' }`;
// - a Supabase HTTP call is an ordinary entry with the headers the hook records (authorization,
//   apikey), the response status, its `Date` header and the body parts the hook keeps (the token
//   grant without refresh token, an error body); a network failure is status 0 with `_error`, as
//   Chromium writes it.
//
// What a HAR has no field for and the diagnosis needs goes into underscore fields (HAR 1.2 §1:
// custom fields start with "_"; readers ignore those they do not know): the close code and reason
// per socket (`_claimscope.close`) — DevTools' own HAR has none, so a refused or expired session
// would lose its server close — and, in `log._claimscope`, the analysis time (an import analyses
// at the recorded time), the page lifecycle events that explain expiry, and the redaction report.
// Pure: no DOM, no extension APIs.

import type { CapturedEvent, HttpRequest, HttpResponse, PageLifecycle, SocketClosed, SocketFrame, SocketOpening } from '../model';
import { isSeparator, type SessionSnapshot } from '../session';
import { Redactor, type RedactionOptions, type RedactionReport } from './redact';

export const HAR_CLAIMSCOPE_VERSION = 1;

export interface HarExportOptions extends RedactionOptions {
  /** The extension's (or CLI's) version, written as `log.creator.version`. */
  extensionVersion: string;
  /** Browser name and version, e.g. "Chromium 156"; omitted when unknown. */
  browser?: string | null;
}

interface HarNameValue {
  name: string;
  value: string;
}

export interface HarWebSocketMessage {
  type: 'send' | 'receive' | 'error';
  /** Seconds since the epoch, as DevTools writes it. */
  time: number;
  opcode: number;
  data: string;
}

export interface HarEntry {
  pageref?: string;
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    queryString: HarNameValue[];
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    content: { size: number; mimeType: string; text?: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
    _error?: string;
  };
  cache: Record<string, never>;
  timings: { blocked: number; dns: number; ssl: number; connect: number; send: number; wait: number; receive: number };
  _resourceType?: string;
  _webSocketMessages?: HarWebSocketMessage[];
  _claimscope?: { conn: string; close: { code: number; reason: string; wasClean: boolean; time: number; initiator?: 'page' | 'remote' } | null; truncatedFrames: number };
}

export interface ClaimscopeHarLog {
  version: 1;
  analysedAt: number | null;
  lifecycle: Array<{ docId: string; time: number; change: string; persisted?: boolean; jumpMs?: number }>;
  redaction: { personalData: 'pseudonymised' | 'included'; payloadValues?: 'redacted'; removed: RedactionReport };
}

export interface Har {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    browser?: { name: string; version: string };
    pages: Array<{ startedDateTime: string; id: string; title: string; pageTimings: { onContentLoad: number; onLoad: number } }>;
    entries: HarEntry[];
    comment: string;
    _claimscope: ClaimscopeHarLog;
  };
}

/** The HAR 1.2 of a snapshot: redacted by default (redact.ts), frames in Chromium's `_webSocketMessages` form. */
export function exportHar(snapshot: SessionSnapshot, options: HarExportOptions): Har {
  const redactor = new Redactor(options);
  const held = [...snapshot.rows].filter((r): r is CapturedEvent => !isSeparator(r));
  const events = held.map((e) => redactor.event(e));
  const analysis = snapshot.analysis.kind === 'done' ? snapshot.analysis.result.analysis : null;

  const topDocs = snapshot.capture.documents.filter((d) => d.isTop);
  const pageOf = (docId: string) => (topDocs.some((d) => d.docId === docId) ? docId : undefined);
  const pages = topDocs.map((d) => ({
    startedDateTime: iso(d.startedAt),
    id: d.docId,
    title: redactor.string(d.url),
    pageTimings: { onContentLoad: -1, onLoad: -1 },
  }));

  const sockets = new Map<string, { open: SocketOpening & CapturedEvent; opened?: number; frames: Array<SocketFrame & CapturedEvent>; close?: SocketClosed & CapturedEvent; errorAt?: number }>();
  const requests = new Map<string, { request: HttpRequest & CapturedEvent; response?: HttpResponse & CapturedEvent }>();
  const upgradeStatus = new Map<string, { status?: number; date?: string }>();
  const netOfRequest = new Map<string, { status?: number; date?: string }>();
  const lifecycle: ClaimscopeHarLog['lifecycle'] = [];
  for (const e of events) {
    switch (e.kind) {
      case 'ws-connecting':
        sockets.set(e.conn, { open: e, frames: [] });
        break;
      case 'ws-open': {
        const s = sockets.get(e.conn);
        if (s) s.opened = e.time;
        break;
      }
      case 'ws-frame':
        sockets.get(e.conn)?.frames.push(e);
        break;
      case 'ws-close': {
        const s = sockets.get(e.conn);
        if (s) s.close = e;
        break;
      }
      case 'ws-error': {
        const s = sockets.get(e.conn);
        if (s && s.errorAt === undefined) s.errorAt = e.time;
        break;
      }
      case 'http-request':
        requests.set(`${e.docId}\u0000${e.req}`, { request: e });
        break;
      case 'http-response': {
        const r = requests.get(`${e.docId}\u0000${e.req}`);
        if (r) r.response = e;
        break;
      }
      case 'net':
        // The browser's network layer saw the upgrade's status (a refused one included): the
        // only place a HAR reader can learn it. Keyed by the (redacted) socket URL.
        if (e.resourceType === 'websocket') upgradeStatus.set(e.url, { status: e.status, date: e.date });
        // For cross-origin calls the page cannot read `Date`: the background's observation of the
        // same request (its `req`) has it, and the clock-skew measurement needs it.
        else {
          const req = (e as { req?: unknown }).req;
          if (typeof req === 'string') netOfRequest.set(`${e.docId}\u0000${req}`, { status: e.status, date: e.date });
        }
        break;
      case 'lifecycle': {
        const l = e as PageLifecycle & CapturedEvent;
        lifecycle.push({ docId: l.docId, time: l.time, change: l.change, ...(l.persisted !== undefined ? { persisted: l.persisted } : {}), ...(l.jumpMs !== undefined ? { jumpMs: l.jumpMs } : {}) });
        break;
      }
      default:
        break;
    }
  }

  const entries: HarEntry[] = [];
  for (const s of sockets.values()) entries.push(socketEntry(s, upgradeStatus.get(s.open.url), pageOf(s.open.docId)));
  for (const [key, r] of requests) entries.push(httpEntry(r.request, r.response, netOfRequest.get(key), pageOf(r.request.docId)));
  entries.sort((a, b) => Date.parse(a.startedDateTime) - Date.parse(b.startedDateTime));

  const browser = options.browser ? /^(.*?)\s+(\S+)$/.exec(options.browser) : null;
  return {
    log: {
      version: '1.2',
      creator: { name: 'Claimscope', version: options.extensionVersion },
      ...(browser ? { browser: { name: browser[1], version: browser[2] } } : {}),
      pages,
      entries,
      comment: options.includePersonalData
        ? 'Exported by Claimscope, redacted: JWT signatures, secret keys, passwords, refresh and provider tokens, cookies removed; personal data included.'
        : 'Exported by Claimscope, redacted: JWT signatures, secret keys, passwords, refresh and provider tokens, cookies removed; e-mails, phones and user metadata pseudonymised.',
      _claimscope: {
        version: HAR_CLAIMSCOPE_VERSION,
        analysedAt: analysis?.now ?? null,
        lifecycle,
        redaction: { personalData: options.includePersonalData ? 'included' : 'pseudonymised', ...(options.redactPayloadValues ? { payloadValues: 'redacted' as const } : {}), removed: redactor.report() },
      },
    },
  };
}

function socketEntry(
  s: { open: SocketOpening & CapturedEvent; opened?: number; frames: Array<SocketFrame & CapturedEvent>; close?: SocketClosed & CapturedEvent; errorAt?: number },
  net: { status?: number; date?: string } | undefined,
  pageref: string | undefined,
): HarEntry {
  const start = s.open.time;
  const messages: HarWebSocketMessage[] = s.frames.map((f) => ({
    type: f.dir === 'sent' ? 'send' : 'receive',
    time: f.time / 1000,
    opcode: f.opcode === 'text' ? 1 : 2,
    data: f.opcode === 'text' ? (f.text ?? '') : (f.base64 ?? ''),
  }));
  if (s.errorAt !== undefined) messages.push({ type: 'error', time: s.errorAt / 1000, opcode: -1, data: '' });
  messages.sort((a, b) => a.time - b.time);
  // 101 only when the page saw the socket open; otherwise what the network layer said, or 0 as
  // DevTools writes a refused upgrade (never a status nobody observed).
  const status = s.opened !== undefined ? 101 : (net?.status ?? 0);
  const end = Math.max(start, s.close?.time ?? 0, s.errorAt ?? 0, ...s.frames.map((f) => f.time));
  const headers = net?.date ? [{ name: 'Date', value: net.date }] : [];
  return {
    ...(pageref ? { pageref } : {}),
    startedDateTime: iso(start),
    time: end - start,
    request: { method: 'GET', url: s.open.url, httpVersion: 'HTTP/1.1', cookies: [], headers: [], queryString: queryOf(s.open.url), headersSize: -1, bodySize: 0 },
    response: {
      status,
      statusText: status === 101 ? 'Switching Protocols' : '',
      httpVersion: status === 0 ? '' : 'HTTP/1.1',
      cookies: [],
      headers,
      content: { size: 0, mimeType: 'x-unknown' },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
    },
    cache: {},
    timings: { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait: Math.max(0, (s.opened ?? start) - start), receive: 0 },
    _resourceType: 'websocket',
    _webSocketMessages: messages,
    _claimscope: {
      conn: s.open.conn,
      // Who closed it decides what the close means (the page's own disconnect is no finding).
      close: s.close ? { code: s.close.code, reason: s.close.reason, wasClean: s.close.wasClean, time: s.close.time, ...(s.close.initiator ? { initiator: s.close.initiator } : {}) } : null,
      truncatedFrames: s.frames.filter((f) => f.truncated).length,
    },
  };
}

function httpEntry(
  request: HttpRequest & CapturedEvent,
  response: (HttpResponse & CapturedEvent) | undefined,
  net: { status?: number; date?: string } | undefined,
  pageref: string | undefined,
): HarEntry {
  // Every header the capture recorded (today authorization, apikey and, where captured, the
  // client's x-client-info), already redacted; nothing else was ever recorded.
  const headers: HarNameValue[] = Object.entries(request.headers as Record<string, unknown>)
    .filter((h): h is [string, string] => typeof h[1] === 'string')
    .map(([name, value]) => ({ name, value }));
  const status = response?.status ?? net?.status ?? 0;
  const date = response?.date ?? net?.date;
  const responseHeaders: HarNameValue[] = date ? [{ name: 'Date', value: date }] : [];
  let text: string | undefined;
  if (response?.grant) text = JSON.stringify(response.grant);
  else if (response?.errorBody !== undefined) text = response.errorBody;
  const mimeType = text === undefined ? 'x-unknown' : looksJson(text) ? 'application/json' : 'text/plain';
  const content = text === undefined ? { size: 0, mimeType } : { size: utf8Length(text), mimeType, text };
  const time = response ? Math.max(0, response.time - request.time) : 0;
  return {
    ...(pageref ? { pageref } : {}),
    startedDateTime: iso(request.time),
    time,
    request: { method: request.method, url: request.url, httpVersion: 'HTTP/1.1', cookies: [], headers, queryString: queryOf(request.url), headersSize: -1, bodySize: -1 },
    response: {
      status,
      statusText: '',
      httpVersion: status === 0 ? '' : 'HTTP/1.1',
      cookies: [],
      headers: responseHeaders,
      content,
      redirectURL: '',
      headersSize: -1,
      bodySize: text === undefined ? -1 : utf8Length(text),
      ...(response === undefined ? { _error: 'no response captured' } : response.networkError !== undefined ? { _error: response.networkError } : {}),
    },
    cache: {},
    timings: { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait: time, receive: 0 },
    _resourceType: request.api === 'xhr' ? 'xhr' : 'fetch',
  };
}

/** HAR's queryString: decoded name/value pairs of the (already redacted) URL's query. */
function queryOf(url: string): HarNameValue[] {
  const q = url.indexOf('?');
  if (q === -1) return [];
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash === -1 ? undefined : hash);
  if (query === '') return [];
  return query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    return { name: decode(name), value: decode(value) };
  });
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    // not valid percent-encoding: keep it as written
    return s;
  }
}

function looksJson(text: string): boolean {
  const t = text.trimStart();
  return t.startsWith('{') || t.startsWith('[');
}

function iso(ms: number): string {
  return new Date(Number.isFinite(ms) ? ms : 0).toISOString();
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}
