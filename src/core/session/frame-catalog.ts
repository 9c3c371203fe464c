// Per-frame facts for the session's faces: the header (vsn, topic, event, ref, join_ref), its
// class (heartbeat, bulk), a one-line description, a lowercase search text, and the decoded
// payload on demand.
//
// Decode once (issue 8): every frame is decoded exactly once, at ingest, by the Session (the
// Realtime tracker needs the decoded join/reply payloads anyway). The header is kept with the
// event for the session's life; the decoded payload goes into a small bounded cache, so rendering
// and selection reuse it, and only a frame whose payload was evicted from the cache is parsed
// again. Facts live on the session's own copy of the event under private symbols: a property read
// is much cheaper than a Map lookup when a filter scans 100,000 frames.

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
const SEARCH = Symbol('claimscope.frameSearch');

interface Cached {
  [FACTS]?: FrameFacts;
  [DESCRIPTION]?: FrameDescription;
  [SEARCH]?: string;
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
    if (!cached[FACTS]) cached[FACTS] = factsOf(decoded, vsn);
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
    const cached = frame as Cached;
    if (!cached[FACTS]) cached[FACTS] = factsOf(decoded, vsn);
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

  /** Case-insensitive match over topic, event and payload. `needle` must already be lowercase. */
  matches(frame: FrameEvent, needle: string): boolean {
    if (needle === '') return true;
    return this.searchText(frame).includes(needle);
  }

  /** Topic, event and payload in lowercase, capped at 16 KiB: what the Frames view's search reads. */
  searchText(frame: FrameEvent): string {
    const cached = frame as Cached;
    let text = cached[SEARCH];
    if (text === undefined) {
      let payloadText: string;
      if (frame.opcode === 'text' && typeof frame.text === 'string') {
        payloadText = frame.text.slice(0, SEARCH_TEXT_CAP);
      } else {
        // Binary frames (V2 broadcasts): the user event and payload only exist once decoded.
        const decoded = this.decoded(frame);
        payloadText = decoded.ok ? `${decoded.userEvent ?? ''}\n${jsonForSearch(decoded.message.payload)}` : decoded.reason;
      }
      const facts = this.facts(frame);
      text = `${facts.topic}\n${facts.event}\n${payloadText}`.toLowerCase();
      cached[SEARCH] = text;
    }
    return text;
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

function factsOf(decoded: DecodedFrame, vsn: Vsn): FrameFacts {
  if (!decoded.ok) return { vsn, topic: '', event: '', ref: null, joinRef: null, decoded: false, heartbeat: false, bulk: false, error: true };
  const { topic, event, ref, joinRef, payload } = decoded.message;
  const heartbeat = topic === HEARTBEAT_TOPIC;
  // The framing module's rule (core/realtime/framing). At decode time the tracker has not yet
  // paired a reply with its push, so every reply counts as answering a join: replies are kept as
  // evidence, never evicted as bulk.
  const bulk = classifyDecoded(decoded, true) === 'bulk';
  const status = payload !== null && typeof payload === 'object' ? (payload as { status?: unknown }).status : undefined;
  const error = event === 'phx_error' || ((event === 'phx_reply' || event === 'system') && status === 'error');
  return { vsn, topic, event, ref, joinRef, decoded: true, heartbeat, bulk, error };
}

function jsonForSearch(value: unknown): string {
  // The shared capped serializer: a megabyte or deeply nested payload costs the cap, never a throw.
  const { text } = safeJson(value, { maxLength: SEARCH_TEXT_CAP });
  return text === 'undefined' ? '' : text.slice(0, SEARCH_TEXT_CAP);
}
