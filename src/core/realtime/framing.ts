// The Phoenix framing rules every context shares (ARCHITECTURE.md "One framing module"): the cheap
// header sniff of a text frame, the kind byte of a binary frame, the "speaks Phoenix" test the page
// hook mirrors, the serializer-version guess for a socket whose URL was not captured, and which
// frames are bulk traffic and which are auth evidence. Full decoding is decode.ts.
//
// Pure and cheap: the content script runs the sniff and the classification on every frame it
// stores, on the page's own thread.

import type { SocketFrame } from '../model';
import type { DecodedFrame, Vsn } from './types';

/** The reserved topic of heartbeats and their replies (realtime-facts §1.3, §2.4); no channel's. */
export const HEARTBEAT_TOPIC = 'phoenix';

// ---------------------------------------------------------------------------------------------
// The cheap header sniff

/** What the sniff reads of a text frame: enough to classify it, nothing of its payload. */
export interface PhoenixHead {
  topic: string;
  event: string;
  ref: string | null;
  /**
   * A `phx_reply` or `system` push whose payload says `"status":"error"`: a refused join or push
   * (realtime-facts §3.2) or a channel the server is closing (§3.3).
   */
  statusError: boolean;
}

// V2 text frame: [join_ref, ref, topic, event, payload] (realtime-facts §1.3).
const V2_HEAD = /^\s*\[\s*(null|"(?:[^"\\]|\\.)*")\s*,\s*(null|"(?:[^"\\]|\\.)*")\s*,\s*"((?:[^"\\]|\\.)*)"\s*,\s*"((?:[^"\\]|\\.)*)"/;
const STATUS_ERROR = /"status"\s*:\s*"error"/;
/** The V2 head is looked for in this many first characters (topic and event come first). */
const V2_HEAD_WINDOW = 2048;
/** Never more than this is parsed or scanned to sniff a frame: cheap on floods and on 5 MB frames. */
const SNIFF_PARSE_LIMIT = 64 * 1024;

/**
 * A cheap look at a text frame's topic, event and ref, for retention and badge decisions (the real
 * decoding is decode.ts's job). Reads the head of a V2 array even from a cut preview or a frame
 * over 64 KB; parses a V1 object only up to 64 KB. Undefined when it does not look like Phoenix.
 * Never throws.
 */
export function peekPhoenix(text: string): PhoenixHead | undefined {
  if (typeof text !== 'string') return undefined;
  const m = V2_HEAD.exec(text.slice(0, V2_HEAD_WINDOW));
  if (m) {
    const event = unquote(`"${m[4]}"`);
    return {
      topic: unquote(`"${m[3]}"`),
      event,
      ref: m[2] === 'null' ? null : unquote(m[2]),
      statusError: reportsStatus(event) && STATUS_ERROR.test(text.slice(0, SNIFF_PARSE_LIMIT)),
    };
  }
  // V1 object frames (realtime-facts §1.2): parsed when small enough, otherwise not sniffed.
  if (text.length > SNIFF_PARSE_LIMIT || !/^\s*\{/.test(text)) return undefined;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined; // not JSON (or a cut preview): an ordinary frame, kept and shown raw later
  }
  if (typeof o.topic !== 'string' || typeof o.event !== 'string') return undefined;
  return {
    topic: o.topic,
    event: o.event,
    ref: typeof o.ref === 'string' ? o.ref : null,
    statusError: reportsStatus(o.event) && payloadStatusIsError(o.payload),
  };
}

/** The events whose payload `status` says whether the server refused something (§3.2, §3.3). */
function reportsStatus(event: string): boolean {
  return event === 'phx_reply' || event === 'system';
}

function payloadStatusIsError(payload: unknown): boolean {
  return payload !== null && typeof payload === 'object' && (payload as { status?: unknown }).status === 'error';
}

function unquote(s: string): string {
  // Without a backslash the JSON string is its characters between the quotes (a raw control
  // character would fail JSON.parse and land in the fallback below with the same result).
  if (s.indexOf('\\') < 0) return s.slice(1, -1);
  try {
    return JSON.parse(s) as string;
  } catch {
    return s.slice(1, -1); // an invalid escape: the raw characters are close enough to classify
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Character code -> its base64 value, -1 for any other (a table: this runs on every binary frame). */
const B64_VALUE = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/** The first byte of a base64 text (a binary frame's kind, §1.4) without decoding the rest. */
export function firstBase64Byte(b64: string | undefined): number | undefined {
  if (typeof b64 !== 'string' || b64.length < 2) return undefined;
  const c0 = b64.charCodeAt(0);
  const c1 = b64.charCodeAt(1);
  const a = c0 < 128 ? B64_VALUE[c0] : -1;
  const b = c1 < 128 ? B64_VALUE[c1] : -1;
  if (a < 0 || b < 0) return undefined;
  return (a << 2) | (b >> 4);
}

// ---------------------------------------------------------------------------------------------
// Does a socket speak Phoenix?

/**
 * A text frame that speaks Phoenix: a V2 array of exactly five elements with a string topic and
 * event, or a V1 object with a string topic and event and a `ref` key (realtime-facts §1.2–1.3).
 * The page hook decides with its own tiny copy, `looksPhoenix` (src/page/hook.ts, kept there for
 * its byte budget), whether a socket is Realtime; this is the same rule, and
 * src/page/sniff-agreement.test.ts holds them to one corpus. Stricter than `peekPhoenix`, which
 * also reads cut previews: this test is about whole frames.
 */
export function isPhoenixText(text: string): boolean {
  if (typeof text !== 'string') return false;
  const c = text.charCodeAt(0);
  if ((c !== 0x5b && c !== 0x7b) || text.length > SNIFF_PARSE_LIMIT) return false; // '[' or '{'
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  if (Array.isArray(value)) return value.length === 5 && typeof value[2] === 'string' && typeof value[3] === 'string';
  if (value === null || typeof value !== 'object') return false;
  const o = value as Record<string, unknown>;
  return typeof o.topic === 'string' && typeof o.event === 'string' && 'ref' in o;
}

// ---------------------------------------------------------------------------------------------
// Serializer version of a socket whose URL was not captured

/**
 * What a frame's own shape proves about its socket's serializer (realtime-facts §1.2–1.4): a
 * binary frame is 2.0.0 (V1 never carries binary), a text frame that opens a JSON object is 1.0.0
 * (V1 text is always an object), one that opens an array is 2.0.0 (V2 text is always an array).
 * Undefined when the frame does not tell (empty, not JSON-shaped).
 */
export function frameVsn(frame: Pick<SocketFrame, 'opcode' | 'text'>): Vsn | undefined {
  if (frame === null || typeof frame !== 'object') return undefined;
  if (frame.opcode === 'binary') return '2.0.0';
  if (frame.opcode !== 'text' || typeof frame.text !== 'string') return undefined;
  const open = /^\s*([[{])/.exec(frame.text);
  if (!open) return undefined;
  return open[1] === '{' ? '1.0.0' : '2.0.0';
}

/**
 * The serializer version to decode a frame with when the socket's URL (its `vsn`, §1.1) was not
 * captured: what the frame proves (`frameVsn`), else 2.0.0. The server's default for a URL
 * without `vsn` is 1.0.0, but a lost URL says nothing about whether `vsn` was in it, and every
 * realtime-js since supabase-js v2.91.0 sends 2.0.0 (§1.1); an undecidable frame fails to decode
 * either way, so the guess only matters until a frame that tells arrives.
 */
export function guessVsn(frame: Pick<SocketFrame, 'opcode' | 'text'>): Vsn {
  return frameVsn(frame) ?? VSN_WHEN_UNDECIDED;
}

/** The guess for a socket with neither a captured URL nor a frame that tells (see `guessVsn`). */
export const VSN_WHEN_UNDECIDED: Vsn = '2.0.0';

// ---------------------------------------------------------------------------------------------
// Bulk traffic and auth evidence

/**
 * - `auth`: evidence of what the server decided about a token: joins and their replies, leaves,
 *   closes and errors, `access_token` pushes, `system` pushes, error replies (realtime-facts
 *   §2.2, §2.3, §3.2–3.4). Kept as long as anything is kept.
 * - `bulk`: the traffic that makes a flood and explains no failure: heartbeats and their replies,
 *   broadcasts (text and binary kinds 2/3/4), presence, postgres_changes, `ok` replies to pushes
 *   other than joins. Dropped first.
 * - `plain`: everything else (undecodable frames, binary kinds 0/1, unknown events).
 */
export type FrameClass = 'auth' | 'bulk' | 'plain';

/** Events that are Realtime bulk by their name (realtime-facts §1.3, §2.4). */
export const BULK_EVENTS: ReadonlySet<string> = new Set([
  'broadcast',
  'presence',
  'presence_state',
  'presence_diff',
  'postgres_changes',
  'heartbeat',
]);

/** Events that carry or answer auth by their name (realtime-facts §2.2, §2.3, §3.3, §3.4). */
export const AUTH_EVENTS: ReadonlySet<string> = new Set(['phx_join', 'phx_leave', 'phx_close', 'phx_error', 'access_token', 'system']);

/**
 * The class of a Phoenix message from its head. `repliesToJoin`: the frame is a reply to a
 * `phx_join` (its ok carries the join's verdict too). Topic `phoenix` comes first: heartbeat
 * traffic is bulk whatever its event, and never auth evidence (no channel, no token).
 */
export function classifyHead(head: Pick<PhoenixHead, 'topic' | 'event' | 'statusError'>, repliesToJoin = false): FrameClass {
  if (head.topic === HEARTBEAT_TOPIC) return 'bulk';
  if (AUTH_EVENTS.has(head.event)) return 'auth';
  if (head.event === 'phx_reply') return head.statusError || repliesToJoin ? 'auth' : 'bulk';
  return BULK_EVENTS.has(head.event) ? 'bulk' : 'plain';
}

/** The class of a binary frame by its kind byte: kinds 2/3/4 are broadcasts (§1.4). */
export function classifyBinaryKind(kind: number | undefined): FrameClass {
  return kind === 2 || kind === 3 || kind === 4 ? 'bulk' : 'plain';
}

/** The class of a frame decode.ts decoded (the tracker, the session), by the same rules. */
export function classifyDecoded(decoded: DecodedFrame, repliesToJoin = false): FrameClass {
  if (!decoded.ok) return 'plain';
  if (decoded.binaryKind !== undefined) return classifyBinaryKind(decoded.binaryKind);
  const { topic, event, payload } = decoded.message;
  return classifyHead({ topic, event, statusError: reportsStatus(event) && payloadStatusIsError(payload) }, repliesToJoin);
}

/** A frame's class with the head it was read from (undefined: binary, or not Phoenix text). */
export interface FrameClassification {
  frameClass: FrameClass;
  head?: PhoenixHead;
}

/** Joins remembered at most; past this the memory restarts (a page with endless joins). */
const MAX_REMEMBERED_JOINS = 10_000;

/**
 * Classifies the captured frames of a stream (the content store, HAR reading) from their cheap
 * head, sniffing each frame once. It remembers `phx_join`s by connection, topic and ref, so their
 * replies, ok or not, are auth evidence too (refs are per socket, §1.3). Bounded.
 */
export class FrameClassifier {
  private joins = new Set<string>();

  classify(frame: Pick<SocketFrame, 'conn' | 'opcode' | 'text' | 'base64'>): FrameClassification {
    if (frame.opcode === 'binary') return { frameClass: classifyBinaryKind(firstBase64Byte(frame.base64)) };
    const head = peekPhoenix(frame.text ?? '');
    if (!head) return { frameClass: 'plain' };
    const key = `${frame.conn}|${head.topic}|${head.ref}`;
    const frameClass = classifyHead(head, head.event === 'phx_reply' && this.joins.has(key));
    if (head.event === 'phx_join' && frameClass === 'auth') {
      if (this.joins.size >= MAX_REMEMBERED_JOINS) this.joins.clear();
      this.joins.add(key);
    }
    return { frameClass, head };
  }

  /** Forgets the joins seen (the store was cleared). */
  clear(): void {
    this.joins.clear();
  }
}
