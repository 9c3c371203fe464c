// Validation of what the page hook posts (ARCHITECTURE.md "Messages from the page are data only").
// Pure: no browser APIs. Every field is checked by type and capped by PAGE_LIMITS; accepted events
// are rebuilt field by field (nothing from the page is spread into our objects), binary frames are
// turned into base64, and connection/request ids are prefixed with the document id so a frame can
// never claim another document's socket. Anything malformed is rejected with a reason.

import type { CapturedEventBody, CapturedRequestHeaders, LifecycleChange, TokenGrant } from '../core/model';
import { bytesToBase64, utf8Length } from '../core/realtime/bytes';
import { PAGE_LIMITS } from '../messages';
import { PAGE_TO_CONTENT } from '../transport/schemas';
import { validateMessage } from '../transport/validate';

export interface AcceptedPageEvent {
  body: CapturedEventBody;
  /** Wall-clock time the hook observed the event. */
  time: number;
}

export interface ValidatedBatch {
  accepted: AcceptedPageEvent[];
  /** One reason per rejected event (or one for a whole malformed batch). */
  rejected: string[];
  /**
   * Events beyond PAGE_LIMITS.maxEventsPerBatch: rejected by their number alone, never looked at
   * (a forged sparse batch of length 1e9 costs nothing), and described by one reason in `rejected`.
   */
  excess: number;
}

const LIFECYCLE: readonly LifecycleChange[] = ['hidden', 'visible', 'freeze', 'resume', 'online', 'offline', 'clock-jump'];
const MAX_ID = 32;
const MAX_PROTOCOLS = 32;
const MAX_SHORT = 1_024;

/** The reason stored for an event the page forged by dispatching it itself. */
export const FORGED_REASON = 'the page dispatched a WebSocket or lifecycle event itself; not recorded';

class Invalid extends Error {}
const fail = (why: string): never => {
  throw new Invalid(why);
};

function str(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string') fail(`${field} is not a string`);
  if ((v as string).length > max) fail(`${field} is longer than ${max} characters`);
  return v as string;
}
/** Strings the page may legitimately make long (close reasons, errors): cut, not rejected. */
function cut(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string') fail(`${field} is not a string`);
  return (v as string).slice(0, max);
}
/**
 * A URL: one longer than PAGE_LIMITS.maxUrlLength is cut to it and flagged with its full length,
 * never rejected (a socket or auth call with a long query string is still evidence).
 */
function longUrl(v: unknown, field: string): { url: string; urlLength?: number } {
  if (typeof v !== 'string') fail(`${field} is not a string`);
  const url = v as string;
  return url.length > PAGE_LIMITS.maxUrlLength ? { url: url.slice(0, PAGE_LIMITS.maxUrlLength), urlLength: url.length } : { url };
}
function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(`${field} is not an integer in ${min}..${max}`);
  return v as number;
}
function optional<T>(v: unknown, check: (x: unknown) => T): T | undefined {
  return v === undefined ? undefined : check(v);
}
function id(v: unknown, field: string): string {
  const s = str(v, field, MAX_ID);
  if (!/^[A-Za-z0-9_-]+$/.test(s)) fail(`${field} has unexpected characters`);
  return s;
}

/** Validates one batch posted by the hook. Never throws. */
export function validatePageBatch(data: unknown, docId: string): ValidatedBatch {
  const out: ValidatedBatch = { accepted: [], rejected: [], excess: 0 };
  if (!data || typeof data !== 'object') {
    out.rejected.push('page message is not an object');
    return out;
  }
  // The envelope (type, protocol version, an events array) is checked like every other message
  // of the map; each event is then validated and rebuilt here.
  const envelope = validateMessage(PAGE_TO_CONTENT, data);
  if (!envelope.ok) {
    out.rejected.push(`page message: ${envelope.reason}`);
    return out;
  }
  const batch = envelope.message;
  const events = batch.events;
  // The cap counts frames, a frame run's frames included: what the page can make this loop do is
  // bounded whatever it posts (a sparse array of length 1e9, a run claiming a billion frames).
  let budget = PAGE_LIMITS.maxEventsPerBatch;
  let i = 0;
  for (; i < events.length && budget > 0; i++) {
    const raw = events[i];
    if (isFrameRun(raw)) {
      budget -= validateFrameRun(raw as Record<string, unknown>, docId, budget, out);
      continue;
    }
    budget--;
    try {
      out.accepted.push(validatePageEvent(raw, docId));
    } catch (e) {
      out.rejected.push(e instanceof Invalid ? e.message : `unexpected validation error: ${String(e)}`);
    }
  }
  const inRuns = out.excess;
  out.excess += events.length - i;
  if (out.excess > 0)
    out.rejected.push(
      inRuns
        ? `batch of ${events.length} events holds more than ${PAGE_LIMITS.maxEventsPerBatch} frames and events: ${out.excess} rejected unread`
        : `batch of ${events.length} events is longer than ${PAGE_LIMITS.maxEventsPerBatch}: ${out.excess} rejected unread`,
    );
  return out;
}

/**
 * A run of whole frames of one socket and direction, as the hook packs them (src/page/hook.ts
 * `flush`): `t` their times, `x` their payloads (a string: a text frame; an ArrayBuffer: a binary
 * one), sizes implied by the payloads. Each frame is checked and rebuilt like a single `ws-frame`;
 * at most `budget` of them are read, the rest counted in `out.excess`. Returns the frames it read.
 */
function validateFrameRun(e: Record<string, unknown>, docId: string, budget: number, out: ValidatedBatch): number {
  try {
    return readFrameRun(e, docId, budget, out);
  } catch (err) {
    // Only a value no structured clone makes (a Proxy, a getter) gets here.
    out.rejected.push(`ws-frames: unreadable (${String(err).slice(0, 200)})`);
    return 1;
  }
}

function readFrameRun(e: Record<string, unknown>, docId: string, budget: number, out: ValidatedBatch): number {
  let conn: string;
  let dir: string;
  const t = e.t;
  const x = e.x;
  try {
    conn = `${docId}:${id(e.conn, 'ws-frames: conn')}`;
    dir = e.dir === 'sent' || e.dir === 'received' ? e.dir : fail('ws-frames: dir is not sent|received');
    if (!Array.isArray(t) || !Array.isArray(x) || t.length !== x.length) fail('ws-frames: t and x are not arrays of one length');
  } catch (err) {
    out.rejected.push(err instanceof Invalid ? err.message : `unexpected validation error: ${String(err)}`);
    return 1;
  }
  const times = t as unknown[];
  const payloads = x as unknown[];
  const n = Math.min(payloads.length, budget);
  for (let k = 0; k < n; k++) {
    try {
      const time = times[k];
      if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) fail('ws-frame: time is not a timestamp');
      const payload = payloads[k];
      const frame =
        typeof payload === 'string'
          ? { opcode: 'text', text: payload, size: payload.length }
          : { opcode: 'binary', bytes: payload, size: isArrayBuffer(payload) ? (payload as ArrayBuffer).byteLength : 0 };
      out.accepted.push({ body: validateFrame(frame, conn, dir as 'sent' | 'received'), time: time as number });
    } catch (err) {
      out.rejected.push(err instanceof Invalid ? err.message : `unexpected validation error: ${String(err)}`);
    }
  }
  out.excess += payloads.length - n;
  return Math.max(1, n);
}

/** A frame run (`kind: 'ws-frames'`); never throws, whatever getter the value has. */
function isFrameRun(raw: unknown): boolean {
  try {
    return !!raw && typeof raw === 'object' && (raw as { kind?: unknown }).kind === 'ws-frames';
  } catch {
    return false;
  }
}

/** An ArrayBuffer of any realm (a structured clone's, in Firefox a page compartment's): by its tag, not instanceof. */
export const isArrayBuffer = (v: unknown): boolean => Object.prototype.toString.call(v) === '[object ArrayBuffer]';

/** Validates and rebuilds one page event. Throws `Invalid` with a reason. */
export function validatePageEvent(raw: unknown, docId: string): AcceptedPageEvent {
  if (!raw || typeof raw !== 'object') fail('event is not an object');
  const e = raw as Record<string, unknown>;
  const kind = str(e.kind, 'kind', 32);
  if (typeof e.time !== 'number' || !Number.isFinite(e.time) || e.time < 0) fail(`${kind}: time is not a timestamp`);
  const time = e.time as number;
  const conn = () => `${docId}:${id(e.conn, `${kind}: conn`)}`;
  const req = () => `${docId}:${id(e.req, `${kind}: req`)}`;
  let body: CapturedEventBody;
  switch (kind) {
    case 'ws-connecting': {
      if (!Array.isArray(e.protocols) || e.protocols.length > MAX_PROTOCOLS) fail('ws-connecting: protocols is not a short array');
      body = {
        kind,
        conn: conn(),
        ...longUrl(e.url, 'ws-connecting: url'),
        protocols: (e.protocols as unknown[]).map((p) => str(p, 'ws-connecting: protocol', MAX_SHORT)),
      };
      break;
    }
    case 'ws-open':
      body = { kind, conn: conn(), protocol: str(e.protocol, 'ws-open: protocol', MAX_SHORT), extensions: str(e.extensions, 'ws-open: extensions', MAX_SHORT) };
      break;
    case 'ws-frame': {
      const dir = e.dir === 'sent' || e.dir === 'received' ? e.dir : fail('ws-frame: dir is not sent|received');
      body = validateFrame(e, conn(), dir);
      break;
    }
    case 'ws-close': {
      const initiator = optional(e.initiator, (v) => (v === 'page' || v === 'remote' ? v : fail('ws-close: initiator is not page|remote')));
      if (typeof e.wasClean !== 'boolean') fail('ws-close: wasClean is not a boolean');
      body = {
        kind,
        conn: conn(),
        code: int(e.code, 'ws-close: code', 0, 65_535),
        reason: cut(e.reason, 'ws-close: reason', PAGE_LIMITS.maxReasonLength),
        wasClean: e.wasClean as boolean,
        ...(initiator ? { initiator } : {}),
      };
      break;
    }
    case 'ws-error':
      body = { kind, conn: conn() };
      break;
    case 'http-request': {
      if (e.api !== 'fetch' && e.api !== 'xhr') fail('http-request: api is not fetch|xhr');
      const method = str(e.method, 'http-request: method', 32);
      if (!/^[A-Za-z-]+$/.test(method)) fail('http-request: method is not a token');
      body = {
        kind,
        req: req(),
        method: method.toUpperCase(),
        ...longUrl(e.url, 'http-request: url'),
        headers: validateHeaders(e.headers),
        api: e.api as 'fetch' | 'xhr',
      };
      break;
    }
    case 'http-response': {
      const grant = optional(e.grant, validateGrant);
      const errorBody = optional(e.errorBody, (v) => cut(v, 'http-response: errorBody', PAGE_LIMITS.maxErrorBody));
      const networkError = optional(e.networkError, (v) => cut(v, 'http-response: networkError', PAGE_LIMITS.maxReasonLength));
      // `date` is the background's to report (webRequest); the page's word is not taken for it.
      body = {
        kind,
        req: req(),
        status: int(e.status, 'http-response: status', 0, 999),
        ...(grant ? { grant } : {}),
        ...(errorBody !== undefined ? { errorBody } : {}),
        ...(networkError !== undefined ? { networkError } : {}),
      };
      break;
    }
    case 'lifecycle': {
      const change = e.change as LifecycleChange;
      if (!LIFECYCLE.includes(change)) fail('lifecycle: unknown change');
      const jumpMs = optional(e.jumpMs, (v) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : fail('lifecycle: jumpMs is not a number')));
      body = { kind, change, ...(jumpMs !== undefined ? { jumpMs } : {}) };
      break;
    }
    case 'forged':
      // A socket or lifecycle event the page dispatched itself (isTrusted false): the hook refused
      // it and says so. Kept as a rejection; the store marks the document's capture (issue 10 item 5).
      body = { kind: 'rejected', reason: `${FORGED_REASON} (${str(e.event, 'forged: event', 32)})` };
      break;
    case 'other-sockets':
      body = { kind, count: int(e.count, 'other-sockets: count', 0, Number.MAX_SAFE_INTEGER) };
      break;
    case 'drops':
      body = {
        kind,
        droppedEvents: int(e.droppedEvents, 'drops: droppedEvents', 0, Number.MAX_SAFE_INTEGER),
        droppedBytes: int(e.droppedBytes, 'drops: droppedBytes', 0, Number.MAX_SAFE_INTEGER),
        truncatedFrames: int(e.truncatedFrames, 'drops: truncatedFrames', 0, Number.MAX_SAFE_INTEGER),
        reason: `page hook: ${cut(e.reason, 'drops: reason', PAGE_LIMITS.maxReasonLength)}`,
      };
      break;
    default:
      // 'net' and 'rejected' are the extension's own observations: the page cannot claim them.
      return fail(`event kind "${kind.slice(0, 32)}" is not accepted from the page`);
  }
  return { body, time };
}

function validateFrame(e: Record<string, unknown>, conn: string, dir: 'sent' | 'received'): CapturedEventBody {
  const size = int(e.size, 'ws-frame: size', 0, Number.MAX_SAFE_INTEGER);
  let truncated = optional(e.truncated, (v) => (typeof v === 'boolean' ? v : fail('ws-frame: truncated is not a boolean'))) ?? false;
  const { maxFrameBytes, framePreviewBytes } = PAGE_LIMITS;
  if (e.opcode === 'text') {
    let text = str(e.text, 'ws-frame: text', Number.MAX_SAFE_INTEGER);
    if (e.bytes !== undefined) fail('ws-frame: a text frame carries bytes');
    let bytes = truncated ? size : utf8Length(text);
    if (!truncated && bytes > maxFrameBytes) {
      text = text.slice(0, framePreviewBytes);
      truncated = true;
    } else if (truncated) {
      if (text.length > framePreviewBytes) text = text.slice(0, framePreviewBytes);
      bytes = Math.max(size, utf8Length(text));
    }
    // Literals, not spreads: this runs for every frame of a flood (scripts/bench/content-ingest.ts).
    return truncated ? { kind: 'ws-frame', conn, dir, opcode: 'text', text, size: bytes, truncated } : { kind: 'ws-frame', conn, dir, opcode: 'text', text, size: bytes };
  }
  if (e.opcode === 'binary') {
    // Realm-independent check: in Firefox the buffer may come from the page's compartment.
    if (!isArrayBuffer(e.bytes)) fail('ws-frame: binary frame without bytes');
    let bytes = new Uint8Array(e.bytes as ArrayBuffer);
    if (bytes.length > maxFrameBytes || (truncated && bytes.length > framePreviewBytes)) {
      bytes = bytes.subarray(0, framePreviewBytes);
      truncated = true;
    }
    const full = truncated ? Math.max(size, bytes.length) : bytes.length;
    const base64 = bytesToBase64(bytes);
    return truncated ? { kind: 'ws-frame', conn, dir, opcode: 'binary', base64, size: full, truncated } : { kind: 'ws-frame', conn, dir, opcode: 'binary', base64, size: full };
  }
  return fail('ws-frame: opcode is not text|binary');
}

function validateHeaders(v: unknown): CapturedRequestHeaders {
  if (!v || typeof v !== 'object') fail('http-request: headers is not an object');
  const h = v as Record<string, unknown>;
  const out: CapturedRequestHeaders = {};
  // Only these headers are ever recorded (model.ts CapturedRequestHeaders).
  if (h.authorization !== undefined) out.authorization = str(h.authorization, 'http-request: authorization', PAGE_LIMITS.maxHeaderLength);
  if (h.apikey !== undefined) out.apikey = str(h.apikey, 'http-request: apikey', PAGE_LIMITS.maxHeaderLength);
  if (h['x-client-info'] !== undefined) out['x-client-info'] = str(h['x-client-info'], 'http-request: x-client-info', PAGE_LIMITS.maxHeaderLength);
  return out;
}

function validateGrant(v: unknown): TokenGrant {
  if (!v || typeof v !== 'object') fail('http-response: grant is not an object');
  const g = v as Record<string, unknown>;
  const out: TokenGrant = {};
  // Never anything else of a token response: no refresh_token, no user object.
  if (g.access_token !== undefined) out.access_token = str(g.access_token, 'http-response: access_token', PAGE_LIMITS.maxHeaderLength);
  if (g.expires_at !== undefined) out.expires_at = finite(g.expires_at, 'http-response: expires_at');
  if (g.expires_in !== undefined) out.expires_in = finite(g.expires_in, 'http-response: expires_in');
  return out;
}
function finite(v: unknown, field: string): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fail(`${field} is not a number`);
}
