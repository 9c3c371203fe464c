// Decoding one captured WebSocket frame into a Phoenix message (realtime-facts §1.2–§1.4).
// Total: any input yields a DecodedFrame; what cannot be decoded becomes `{ok:false, reason}` in
// plain words, and the frame is still kept and shown raw by its consumers.

import type { FrameDirection, SocketFrame } from '../model';
import { base64ToBytes, bytesToBase64, utf8Text } from './bytes';
import { readArrayPrefix, readObjectPrefix } from './json-prefix';
import type { BinaryKind, BinaryPayload, DecodedFrame, PhoenixMessage, Vsn } from './types';

/** The parts of a captured frame the decoder reads (a `ws-frame` event fits). */
export type FrameInput = Pick<SocketFrame, 'opcode' | 'text' | 'base64' | 'truncated'> & { size?: number };

export function decodeFrame(frame: FrameInput, vsn: Vsn, dir: FrameDirection): DecodedFrame {
  try {
    if (frame === null || typeof frame !== 'object') return fail('not a frame');
    if (frame.opcode === 'binary') return decodeBinaryFrame(frame, vsn, dir);
    if (frame.opcode === 'text') return decodeTextFrame(frame, vsn);
    return fail(`unknown frame opcode ${describeValue(frame.opcode)} (expected "text" or "binary")`);
  } catch (error) {
    // Defensive: the paths above are written not to throw; if one does, the frame is still kept.
    return fail(`frame could not be decoded: ${errorMessage(error)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Text frames: V1 objects (§1.2) and V2 arrays (§1.3)

function decodeTextFrame(frame: FrameInput, vsn: Vsn): DecodedFrame {
  const text = frame.text;
  if (typeof text !== 'string') return fail('text frame has no text');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    if (frame.truncated) return decodeTextPreview(text, vsn, frame.size);
    return fail(`text frame is not JSON: ${errorMessage(error)}`);
  }
  if (Array.isArray(parsed)) return fromV2Array(parsed, vsn, []);
  if (parsed !== null && typeof parsed === 'object') return fromV1Object(parsed as Record<string, unknown>, vsn, []);
  return fail(`text frame is JSON but neither a V2 array nor a V1 object: ${describeValue(parsed)}`);
}

function fromV2Array(items: unknown[], vsn: Vsn, notes: string[], cut = false): DecodedFrame {
  if (items.length < (cut ? 4 : 5)) {
    return fail(
      cut
        ? `text frame is a cut preview and ends before its topic and event (${items.length} of 5 elements readable)`
        : `V2 text frame has ${items.length} element${items.length === 1 ? '' : 's'}; expected 5: [join_ref, ref, topic, event, payload]`,
    );
  }
  if (vsn === '1.0.0') notes.push('V2 array on a V1 socket (vsn 1.0.0): the server expects a JSON object here');
  if (items.length > 5) notes.push(`${items.length - 5} element(s) after the fifth ignored, as the server does (§1.3)`);
  const [joinRef, ref, topic, event, payload] = items;
  if (typeof topic !== 'string') return fail(`V2 text frame's topic (3rd element) is not a string: ${describeValue(topic)}`);
  if (typeof event !== 'string') return fail(`V2 text frame's event (4th element) is not a string: ${describeValue(event)}`);
  const message: PhoenixMessage = {
    joinRef: refValue(joinRef, 'join_ref', notes),
    ref: refValue(ref, 'ref', notes),
    topic,
    event,
    payload: cut ? undefined : payload,
  };
  return ok('v2-json', message, notes, cut);
}

function fromV1Object(obj: Record<string, unknown>, vsn: Vsn, notes: string[], cut = false): DecodedFrame {
  const { topic, event } = obj;
  if (typeof topic !== 'string') {
    return fail(
      cut
        ? 'text frame is a cut preview and its topic is not readable'
        : `V1 text frame has no string "topic": ${describeValue(topic)}`,
    );
  }
  if (typeof event !== 'string') {
    return fail(
      cut
        ? 'text frame is a cut preview and its event is not readable'
        : `V1 text frame has no string "event": ${describeValue(event)}`,
    );
  }
  if (vsn === '2.0.0') {
    notes.push('V1 object on a V2 socket (vsn 2.0.0): the server rejects it ("expected V2 array") and drops the frame');
  }
  const message: PhoenixMessage = {
    joinRef: refValue(obj.join_ref, 'join_ref', notes),
    ref: refValue(obj.ref, 'ref', notes),
    topic,
    event,
    payload: cut ? ('payload' in obj ? obj.payload : undefined) : obj.payload,
  };
  return ok('v1-json', message, notes, cut);
}

/** A cut text preview: read topic, event and refs from what survives (§ store previews). */
function decodeTextPreview(text: string, vsn: Vsn, size: number | undefined): DecodedFrame {
  const of = size !== undefined ? ` of ${size}` : '';
  const notes = [`only a ${text.length}-character preview${of} bytes was captured; the payload is missing`];
  const head = text.trimStart().charAt(0);
  if (head === '[') {
    const items = readArrayPrefix(text, 5);
    if (items) return fromV2Array(items.slice(0, 4), vsn, notes, true);
  } else if (head === '{') {
    const fields = readObjectPrefix(text, ['topic', 'event', 'ref', 'join_ref']);
    if (fields) return fromV1Object(fields, vsn, notes, true);
  }
  return fail(`text frame is a cut preview (${text.length} characters${of} bytes) and does not start like a Phoenix message`);
}

/** Phoenix refs are strings or null; numbers are accepted (some clients send them) and noted. */
function refValue(value: unknown, name: string, notes: string[]): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    notes.push(`${name} is a number (${value}), not a string`);
    return String(value);
  }
  notes.push(`${name} ignored: ${describeValue(value)} is not a string`);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Binary frames: the V2 serializer's kinds 0–4 (§1.4). Sizes are single unsigned bytes; fields are
// raw UTF-8 with no terminators, in the order the header lists their sizes.

const KIND_NAMES = ['push', 'reply', 'broadcast', 'user_broadcast_push', 'user_broadcast'] as const;

/** Field layouts. Kind 0 differs by direction: the server encoder has no ref, its decoder does. */
const LAYOUTS: Record<string, readonly string[]> = {
  '0-received': ['join_ref', 'topic', 'event'],
  '0-sent': ['join_ref', 'ref', 'topic', 'event'],
  '1': ['join_ref', 'ref', 'topic', 'status'],
  '2': ['topic', 'event'],
  '3': ['join_ref', 'ref', 'topic', 'user_event', 'metadata'],
  '4': ['topic', 'user_event', 'metadata'],
};

/**
 * Where a binary frame's parts lie (§1.4): its kind, each header field's byte range in layout
 * order, the payload_encoding byte (kinds 3 and 4) and where the data starts. The decoder below
 * reads frames through it, and Export's redaction (core/export/redact.ts) rewrites kind-3/4 frames
 * field by field with it, so both agree on one reading of the header. A string is the reason the
 * header cannot be read (`cutHint` is appended where the frame ends too early).
 */
export interface BinaryLayout {
  kind: BinaryKind;
  /** Bytes before the first field: kind, one size byte per field, and payload_encoding (kinds 3, 4). */
  headerLength: number;
  fields: Array<{ name: string; start: number; end: number }>;
  /** Kinds 3 and 4: 0 = binary, 1 = JSON. */
  encodingByte?: number;
  dataStart: number;
}

export function binaryLayout(bytes: Uint8Array, dir: FrameDirection, cutHint = ''): BinaryLayout | string {
  if (bytes.length === 0) return `binary frame is empty: no kind byte${cutHint}`;
  const kind = bytes[0];
  if (kind > 4) return `unknown binary kind ${kind} (the V2 serializer knows kinds 0–4)`;
  const names = LAYOUTS[kind === 0 ? `0-${dir}` : String(kind)];
  // Kinds 3 and 4 carry one extra header byte after the sizes: payload_encoding.
  const hasEncoding = kind === 3 || kind === 4;
  const headerLength = 1 + names.length + (hasEncoding ? 1 : 0);
  if (bytes.length < headerLength) {
    return `binary frame too short for a kind-${kind} header: ${bytes.length} byte${bytes.length === 1 ? '' : 's'} (needs ${headerLength})${cutHint}`;
  }
  const fields: BinaryLayout['fields'] = [];
  let offset = headerLength;
  for (let i = 0; i < names.length; i++) {
    const fieldSize = bytes[1 + i];
    if (offset + fieldSize > bytes.length) {
      return `binary kind-${kind} frame is cut inside its ${names[i]} field: the header announces ${fieldSize} bytes at offset ${offset}, only ${bytes.length - offset} remain${cutHint}`;
    }
    fields.push({ name: names[i], start: offset, end: offset + fieldSize });
    offset += fieldSize;
  }
  const layout: BinaryLayout = { kind: kind as BinaryKind, headerLength, fields, dataStart: offset };
  if (hasEncoding) layout.encodingByte = bytes[headerLength - 1];
  return layout;
}

function decodeBinaryFrame(frame: FrameInput, vsn: Vsn, dir: FrameDirection): DecodedFrame {
  if (typeof frame.base64 !== 'string') return fail('binary frame has no bytes');
  const decoded = base64ToBytes(frame.base64);
  if (!decoded.ok) return fail(`binary frame is not valid base64: ${decoded.reason}`);
  const bytes = decoded.bytes;
  const truncated = frame.truncated === true;
  const notes: string[] = [];
  if (decoded.ragged && !truncated) notes.push('base64 text ends with a stray character (ignored)');
  if (vsn === '1.0.0') notes.push('binary frame on a V1 socket (vsn 1.0.0): V1 never carries binary (§1.2)');
  if (truncated) {
    const of = frame.size !== undefined ? ` of ${frame.size}` : '';
    notes.push(`only a ${bytes.length}-byte preview${of} bytes was captured`);
  }
  const cutHint = truncated ? ' (only a preview of the frame was captured)' : '';

  const layout = binaryLayout(bytes, dir, cutHint);
  if (typeof layout === 'string') return fail(layout);
  const fields: Record<string, string> = {};
  for (const f of layout.fields) fields[f.name] = utf8Text(bytes, f.start, f.end);
  const data = bytes.subarray(layout.dataStart);
  const binaryKind = layout.kind;

  switch (binaryKind) {
    case 0:
      return ok(
        'v2-binary',
        {
          joinRef: emptyToNull(fields.join_ref),
          ref: dir === 'sent' ? emptyToNull(fields.ref) : null,
          topic: fields.topic,
          event: fields.event,
          payload: truncated ? undefined : binaryPayload(data),
        },
        notes,
        truncated,
        { binaryKind },
      );
    case 1:
      // Reply with a binary response, shaped like a JSON reply for consumers.
      return ok(
        'v2-binary',
        {
          joinRef: emptyToNull(fields.join_ref),
          ref: emptyToNull(fields.ref),
          topic: fields.topic,
          event: 'phx_reply',
          payload: { status: fields.status, response: truncated ? undefined : binaryPayload(data) },
        },
        notes,
        truncated,
        { binaryKind },
      );
    case 2:
      return ok(
        'v2-binary',
        { joinRef: null, ref: null, topic: fields.topic, event: fields.event, payload: truncated ? undefined : binaryPayload(data) },
        notes,
        truncated,
        { binaryKind },
      );
    case 3:
    case 4:
      return userBroadcast(binaryKind, layout.encodingByte ?? 0, fields, data, truncated, notes);
  }
}

/**
 * Kinds 3/4 become the message the app sees (realtime-js's kind-4 decoding): event "broadcast",
 * payload `{type:"broadcast", event, payload, meta?}`. Encoding 0 = binary, 1 = JSON (§1.4).
 */
function userBroadcast(
  kind: 3 | 4,
  encodingByte: number,
  fields: Record<string, string>,
  data: Uint8Array,
  truncated: boolean,
  notes: string[],
): DecodedFrame {
  let payloadEncoding: 'json' | 'binary' = 'binary';
  if (encodingByte === 1) payloadEncoding = 'json';
  else if (encodingByte !== 0) notes.push(`unknown payload_encoding ${encodingByte} (0 = binary, 1 = JSON): payload shown as bytes`);

  let metadata: unknown = {};
  if (fields.metadata !== '') {
    try {
      metadata = JSON.parse(fields.metadata);
    } catch (error) {
      notes.push(`metadata is not JSON (${errorMessage(error)}): kept as text`);
      metadata = fields.metadata;
    }
  }

  let userPayload: unknown;
  if (truncated) {
    userPayload = undefined;
  } else if (payloadEncoding === 'json') {
    const text = utf8Text(data, 0, data.length);
    try {
      userPayload = JSON.parse(text);
    } catch (error) {
      notes.push(`user payload is marked JSON but is not (${errorMessage(error)}): kept as text`);
      userPayload = text;
    }
  } else {
    userPayload = binaryPayload(data);
  }

  const payload: Record<string, unknown> = { type: 'broadcast', event: fields.user_event, payload: userPayload };
  if (fields.metadata !== '') payload.meta = metadata;
  return ok(
    'v2-binary',
    {
      joinRef: kind === 3 ? emptyToNull(fields.join_ref) : null,
      ref: kind === 3 ? emptyToNull(fields.ref) : null,
      topic: fields.topic,
      event: 'broadcast',
      payload,
    },
    notes,
    truncated,
    { binaryKind: kind, userEvent: fields.user_event, payloadEncoding, metadata },
  );
}

// ---------------------------------------------------------------------------------------------

function binaryPayload(data: Uint8Array): BinaryPayload {
  return { binary: true, byteLength: data.length, base64: bytesToBase64(data) };
}

/** realtime-js writes a missing ref as zero bytes (`ref ?? ''`). */
function emptyToNull(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

function ok(
  format: 'v1-json' | 'v2-json' | 'v2-binary',
  message: PhoenixMessage,
  notes: string[],
  partial: boolean,
  extra: { binaryKind?: BinaryKind; userEvent?: string; payloadEncoding?: 'json' | 'binary'; metadata?: unknown } = {},
): DecodedFrame {
  const decoded: DecodedFrame = { ok: true, format, message, ...extra };
  if (notes.length) decoded.notes = notes;
  if (partial) decoded.partial = true;
  return decoded;
}

function fail(reason: string): DecodedFrame {
  return { ok: false, reason };
}

/** The V2 serializer's name for a binary kind (§1.4), e.g. 3 -> "user_broadcast_push". */
export function binaryKindName(kind: BinaryKind): string {
  return KIND_NAMES[kind];
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return `${typeof value} ${String(value)}`;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
