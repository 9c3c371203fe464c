// Per-frame facts for the session's faces: the header (vsn, topic, event, ref, join_ref), its
// class (heartbeat, bulk), a one-line description, the search text, and the decoded payload on
// demand.
//
// Decode once (issue 8): every frame is decoded exactly once, at ingest, by the Session (the
// Realtime tracker needs the decoded join/reply payloads anyway). The header is kept with the
// event for the session's life; the decoded payload goes into a small bounded cache, so rendering
// and selection reuse it, and only a frame whose payload was evicted from the cache is parsed
// again. Facts live on the session's own copy of the event under private symbols: a property read
// is much cheaper than a Map lookup when a filter scans 100,000 frames.
//
// Search text at that same decode, as captured (not lowercased: the search matches case-insensitively,
// frame-search.ts). Built on the first search instead, it cost that search 767–867 ms at 100,000
// frames (issue 14): 100,000 string copies and property stores, and a second decode of every
// binary frame, whose user event and payload exist only decoded. At ingest a binary frame is
// decoded anyway, and a text frame's search text takes the place of its text in memory (below).

import type { CapturedEvent, ConnectionId, SocketFrame } from '../model';
import { decodeFrame, describeFrame, vsnFromUrl, type DecodedFrame, type FrameDescription, type Vsn } from '../realtime';
import { classifyDecoded, guessVsn, HEARTBEAT_TOPIC } from '../realtime/framing';
import { safeJson } from '../safe-json';

export type FrameEvent = SocketFrame & CapturedEvent;

/** The decoder the session uses (injectable, so tests can count decodes). */
export type FrameDecoder = (frame: FrameEvent, vsn: Vsn, dir: FrameEvent['dir']) => DecodedFrame;

export interface FrameFacts {
  vsn: Vsn;
  topic: string;
  /** Phoenix event ("phx_join", "broadcast"...), or "" when the frame did not decode. */
  event: string;
  ref: string | null;
  joinRef: string | null;
  decoded: boolean;
  /** Topic `phoenix` (heartbeats and their replies, realtime-facts §2.4). */
  heartbeat: boolean;
  /** Broadcasts, presence, postgres changes, heartbeats: evicted first when the session is full. */
  bulk: boolean;
  /**
   * What the "Errors only" filter keeps: a refused push (`phx_reply` with status error), `phx_error`
   * (a crashed channel process, realtime-facts §3.4), a `system` message with status error (a
   * token that expired mid-channel, §3.3, or a Postgres Changes failure), and frames that did not decode.
   */
  error: boolean;
}

/** Search text per frame is capped: a 5 MB frame must not make every keystroke scan 5 MB. */
const SEARCH_TEXT_CAP = 16 * 1024;
/** Decoded payloads kept for rendering and selection; older ones are parsed again on demand. */
const PAYLOAD_CACHE_SIZE = 2_000;
/**
 * ...and their bytes (by the size of what was captured of each frame): 2,000 decoded frames of
 * 256 KiB would otherwise hold half a gigabyte.
 */
export const PAYLOAD_CACHE_BYTES = 16 * 1024 * 1024;
const PAYLOAD_ENTRY_BYTES = 256;

const FACTS = Symbol('claimscope.frameFacts');
const DESCRIPTION = Symbol('claimscope.frameDescription');

interface Cached {
  [FACTS]?: HeldFacts;
  [DESCRIPTION]?: FrameDescription;
}

/** The facts and the search text in one object: one property store per frame at ingest, not two. */
interface HeldFacts extends FrameFacts {
  readonly search: string;
}

export function isFrameEvent(event: CapturedEvent): event is FrameEvent {
  return event.kind === 'ws-frame';
}

export class FrameCatalog {
  private readonly vsnByConn = new Map<ConnectionId, Vsn>();
  private readonly payloads = new Map<FrameEvent, DecodedFrame>();
  private readonly payloadSizes = new Map<FrameEvent, number>();
  /** Estimated bytes of the cached payloads (bounded by `maxPayloadBytes`). */
  payloadBytes = 0;
  /** Cached payloads evicted to stay within the bounds (each is parsed again if shown again). */
  payloadEvictions = 0;
  /** Decodes performed (ingest and payload re-parses): for tests and the session benchmark. */
  decodes = 0;

  constructor(
    private readonly decoder: FrameDecoder = decodeFrame,
    private readonly maxPayloadBytes = PAYLOAD_CACHE_BYTES,
  ) {}

  /** Learn each connection's serializer from its URL; call with events before they are used. */
  noteEvents(events: readonly unknown[]): void {
    for (const event of events) {
      if (event && typeof event === 'object' && (event as CapturedEvent).kind === 'ws-connecting') {
        const opening = event as CapturedEvent & { kind: 'ws-connecting' };
        if (typeof opening.conn === 'string' && typeof opening.url === 'string') {
          this.vsnByConn.set(opening.conn, vsnFromUrl(opening.url));
        }
      }
    }
  }

  /**
   * The one decode of a frame at ingest (the tracker's decoder): records the header and keeps the
   * payload in the cache. The tracker may later drop bulk payloads from its own record; the copy
   * kept here is a separate object.
   */
  ingestDecode: FrameDecoder = (frame, vsn, dir) => {
    const cached = frame as Cached;
    // Already decoded for the log's bound (a batch that overflowed it): reuse that decode.
    const hit = cached[FACTS]?.vsn === vsn ? this.payloads.get(frame) : undefined;
    if (hit) return { ...hit };
    const decoded = this.decode(frame, vsn, dir);
    learn(frame, decoded, vsn);
    this.remember(frame, { ...decoded });
    return decoded;
  };

  vsnOf(frame: FrameEvent): Vsn {
    return (frame as Cached)[FACTS]?.vsn ?? this.vsnByConn.get(frame.conn) ?? guessVsn(frame);
  }

  /** The decoded frame (the one the user opens, or a row's summary): cached, parsed again only when evicted. */
  decoded(frame: FrameEvent): DecodedFrame {
    const hit = this.payloads.get(frame);
    if (hit) return hit;
    const vsn = this.vsnOf(frame);
    const decoded = this.decode(frame, vsn, frame.dir);
    learn(frame, decoded, vsn);
    this.remember(frame, decoded);
    return decoded;
  }

  facts(frame: FrameEvent): FrameFacts {
    return (frame as Cached)[FACTS] ?? (this.decoded(frame), (frame as Cached)[FACTS]!);
  }

  /** The row's text: topic, an event label ("broadcast · cursor", "phx_reply error (…)") and a summary. */
  describe(frame: FrameEvent): FrameDescription {
    const cached = frame as Cached;
    let description = cached[DESCRIPTION];
    if (!description) {
      description = describeFrame(this.decoded(frame));
      cached[DESCRIPTION] = description;
    }
    return description;
  }

  /** For the log's bound: only frames are ever bulk. */
  isBulk = (event: CapturedEvent): boolean => isFrameEvent(event) && this.facts(event).bulk;

  /**
   * Topic, event and payload as captured, joined by newlines, the payload capped at 16 KiB: what
   * the Frames view's search reads (frame-search.ts `searchMatches`, case-insensitive). A binary
   * frame's payload is its user event and its decoded payload as JSON, or why it did not decode.
   */
  searchText(frame: FrameEvent): string {
    return ((frame as Cached)[FACTS] ?? (this.decoded(frame), (frame as Cached)[FACTS]!)).search;
  }

  clear(): void {
    this.payloads.clear();
    this.payloadSizes.clear();
    this.payloadBytes = 0;
  }

  private decode(frame: FrameEvent, vsn: Vsn, dir: FrameEvent['dir']): DecodedFrame {
    this.decodes++;
    return this.decoder(frame, vsn, dir);
  }

  private remember(frame: FrameEvent, decoded: DecodedFrame): void {
    const size = PAYLOAD_ENTRY_BYTES + (typeof frame.text === 'string' ? frame.text.length : 0) + (typeof frame.base64 === 'string' ? frame.base64.length : 0);
    this.payloadBytes += size - (this.payloadSizes.get(frame) ?? 0);
    this.payloads.delete(frame);
    this.payloads.set(frame, decoded);
    this.payloadSizes.set(frame, size);
    while (this.payloads.size > PAYLOAD_CACHE_SIZE || (this.payloadBytes > this.maxPayloadBytes && this.payloads.size > 1)) {
      const oldest = this.payloads.keys().next().value as FrameEvent;
      this.payloadBytes -= this.payloadSizes.get(oldest) ?? 0;
      this.payloads.delete(oldest);
      this.payloadSizes.delete(oldest);
      this.payloadEvictions++;
    }
  }
}

/** A frame's facts and search text, from its first decode (both kept for the session's life). */
function learn(frame: FrameEvent, decoded: DecodedFrame, vsn: Vsn): void {
  const cached = frame as Cached;
  if (cached[FACTS]) return;
  cached[FACTS] = factsOf(frame, decoded, vsn);
}

function factsOf(frame: FrameEvent, decoded: DecodedFrame, vsn: Vsn): HeldFacts {
  if (!decoded.ok) {
    return { vsn, topic: '', event: '', ref: null, joinRef: null, decoded: false, heartbeat: false, bulk: false, error: true, search: searchTextOf(frame, '', '', decoded) };
  }
  const { topic, event, ref, joinRef, payload } = decoded.message;
  const heartbeat = topic === HEARTBEAT_TOPIC;
  // The framing module's rule (core/realtime/framing). At decode time the tracker has not yet
  // paired a reply with its push, so every reply counts as answering a join: replies are kept as
  // evidence, never evicted as bulk.
  const bulk = classifyDecoded(decoded, true) === 'bulk';
  const status = payload !== null && typeof payload === 'object' ? (payload as { status?: unknown }).status : undefined;
  const error = event === 'phx_error' || ((event === 'phx_reply' || event === 'system') && status === 'error');
  return { vsn, topic, event, ref, joinRef, decoded: true, heartbeat, bulk, error, search: searchTextOf(frame, topic, event, decoded) };
}

/** Topic, event and payload joined by newlines, the payload capped (see `searchText`). */
function searchTextOf(frame: FrameEvent, topic: string, event: string, decoded: DecodedFrame): string {
  // Joined, not concatenated with +: a join is one flat string at once, where + makes a rope that
  // the first search would have to flatten (copy) anyway.
  const head = `${topic}\n${event}\n`;
  if (frame.opcode === 'text' && typeof frame.text === 'string') {
    const text = frame.text;
    // Over the cap (rare: the frames above 16 KiB), a rope of the head and a view into the text:
    // nothing copied at ingest; the first search flattens it once, as the engine keeps ropes.
    if (text.length > SEARCH_TEXT_CAP) return head + text.slice(0, SEARCH_TEXT_CAP);
    const search = [head, text].join('');
    // The frame's text becomes a view into the search text (the same characters, a slice of it),
    // so the session holds each frame's text once: a separate search copy of 100,000 frames of
    // ~300 bytes was 30 MB of the panel's heap.
    frame.text = search.slice(head.length);
    return search;
  }
  // Binary frames (V2 broadcasts): the user event and payload only exist decoded.
  if (!decoded.ok) return [head, decoded.reason].join('');
  const small = typeof frame.base64 === 'string' && frame.base64.length <= SMALL_BINARY_BASE64;
  return [head, decoded.userEvent ?? '', '\n', jsonForSearch(decoded.message.payload, small)].join('');
}

/**
 * Binary frames whose captured bytes (as base64) are at most this long have their payload written
 * by JSON.stringify: 2 KiB of JSON cannot nest deeper than the engine's stack allows nor write
 * more than about 11 KiB (a 4-byte number like 1E20 becomes 21 digits), and JSON.stringify is
 * about five times faster than the capped serializer, which cost a binary frame's ingest +70%.
 */
const SMALL_BINARY_BASE64 = 2732;

function jsonForSearch(value: unknown, small: boolean): string {
  if (small) {
    try {
      // A payload from JSON.parse (or bytes as base64): plain data, no getters, cycles or BigInts.
      const text = JSON.stringify(value);
      return typeof text === 'string' ? text.slice(0, SEARCH_TEXT_CAP) : '';
    } catch {
      // Whatever it was, the capped serializer below never throws.
    }
  }
  // The shared capped serializer: a megabyte or deeply nested payload costs the cap, never a throw.
  const { text } = safeJson(value, { maxLength: SEARCH_TEXT_CAP });
  return text === 'undefined' ? '' : text.slice(0, SEARCH_TEXT_CAP);
}
