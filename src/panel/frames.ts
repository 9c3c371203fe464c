// Per-frame facts the Frames view and the panel's bound need: topic and event, heartbeat or bulk,
// a one-line description, and a lowercase search text. Everything is computed lazily and cached
// on the panel's own copy of the event (under a private symbol: a property read is much cheaper
// than a WeakMap lookup when a filter scans 100,000 frames).
//
// Topic/event come for free from the Realtime tracker's record when the model attaches it (the
// tracker decodes every frame once at ingest); otherwise the frame is decoded here.

import type { CapturedEvent, ConnectionId, SocketFrame } from '../core/model';
import {
  decodeFrame,
  describeFrame,
  vsnFromUrl,
  type DecodedFrame,
  type DecodedFrameRecord,
  type FrameDescription,
  type Vsn,
} from '../core/realtime';

export type FrameEvent = SocketFrame & CapturedEvent;

export interface FrameFacts {
  topic: string;
  /** Phoenix event ("phx_join", "broadcast"...), or "" when the frame did not decode. */
  event: string;
  decoded: boolean;
  /** Topic `phoenix` (heartbeats and their replies, realtime-facts §2.4). */
  heartbeat: boolean;
  /** Broadcasts, presence, postgres changes, heartbeats: evicted first when the panel is full. */
  bulk: boolean;
}

/** Phoenix events that are payload traffic rather than auth evidence. */
const BULK_EVENTS = new Set(['broadcast', 'presence', 'presence_state', 'presence_diff', 'postgres_changes']);

/** Search text per frame is capped: a 5 MB frame must not make every keystroke scan 5 MB. */
const SEARCH_TEXT_CAP = 16 * 1024;

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

  /** The tracker already decoded this frame: reuse its topic/event instead of decoding again. */
  attachRecord(frame: FrameEvent, record: DecodedFrameRecord): void {
    const cached = frame as Cached;
    if (cached[FACTS]) return;
    cached[FACTS] = factsOf(record.decoded, record.heartbeat === true);
  }

  vsnOf(frame: FrameEvent): Vsn {
    const known = this.vsnByConn.get(frame.conn);
    if (known) return known;
    // The socket's opening was not captured: guess from the frame itself (V2 arrays, binary).
    if (frame.opcode === 'binary') return '2.0.0';
    return typeof frame.text === 'string' && frame.text.trimStart().startsWith('[') ? '2.0.0' : '1.0.0';
  }

  /** Full decode, not cached (the frame the user opens, or a first look). */
  decode(frame: FrameEvent): DecodedFrame {
    return decodeFrame(frame, this.vsnOf(frame), frame.dir);
  }

  facts(frame: FrameEvent): FrameFacts {
    const cached = frame as Cached;
    let facts = cached[FACTS];
    if (!facts) {
      const decoded = this.decode(frame);
      facts = factsOf(decoded, decoded.ok && decoded.message.topic === 'phoenix');
      cached[FACTS] = facts;
    }
    return facts;
  }

  /** The row's text: topic, an event label ("broadcast · cursor", "phx_reply error (…)") and a summary. */
  describe(frame: FrameEvent): FrameDescription {
    const cached = frame as Cached;
    let description = cached[DESCRIPTION];
    if (!description) {
      description = describeFrame(this.decode(frame));
      cached[DESCRIPTION] = description;
    }
    return description;
  }

  /** For PanelState's bound: only frames are ever bulk. */
  isBulk = (event: CapturedEvent): boolean => isFrameEvent(event) && this.facts(event).bulk;

  /** Case-insensitive match over topic, event and payload. `needle` must already be lowercase. */
  matches(frame: FrameEvent, needle: string): boolean {
    if (needle === '') return true;
    const cached = frame as Cached;
    let text = cached[SEARCH];
    if (text === undefined) {
      let payloadText: string;
      if (frame.opcode === 'text' && typeof frame.text === 'string') {
        payloadText = frame.text.slice(0, SEARCH_TEXT_CAP);
      } else {
        // Binary frames (V2 broadcasts): the user event and payload only exist once decoded.
        const decoded = this.decode(frame);
        payloadText = decoded.ok ? `${decoded.userEvent ?? ''}\n${jsonForSearch(decoded.message.payload)}` : decoded.reason;
      }
      const facts = this.facts(frame);
      text = `${facts.topic}\n${facts.event}\n${payloadText}`.toLowerCase();
      cached[SEARCH] = text;
    }
    return text.includes(needle);
  }
}

function factsOf(decoded: DecodedFrame, heartbeat: boolean): FrameFacts {
  if (!decoded.ok) return { topic: '', event: '', decoded: false, heartbeat: false, bulk: false };
  const { topic, event } = decoded.message;
  const bulk = heartbeat || BULK_EVENTS.has(event) || decoded.userEvent !== undefined || decoded.binaryKind === 2;
  return { topic, event, decoded: true, heartbeat, bulk };
}

function jsonForSearch(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? '').slice(0, SEARCH_TEXT_CAP);
  } catch {
    return '';
  }
}
