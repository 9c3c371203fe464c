// Phoenix V1 JSON (§1.2) and Realtime's V2 serializer (§1.3 text arrays, §1.4 binary kinds).
export type Vsn = '1.0.0' | '2.0.0';

/** A user broadcast pushed as binary kind 3 (§1.4): the payload stays opaque bytes. */
export interface UserBroadcastPush {
  userEvent: string;
  /** Parsed metadata JSON; `{}` when empty. */
  metadata: Record<string, unknown>;
  /** 0 = binary, 1 = JSON. */
  encoding: 0 | 1;
  data: Buffer;
}

export interface Message {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
  /** Set when the message came in as a kind-3 binary frame. */
  userBroadcast?: UserBroadcastPush;
}

export type Decoded = { ok: true; msg: Message } | { ok: false; error: string };

const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function decode(vsn: Vsn, data: Buffer, isBinary: boolean): Decoded {
  if (isBinary) {
    // Binary payloads are never accepted from V1 sockets (§1.2).
    if (vsn === '1.0.0') return { ok: false, error: 'binary frame on a 1.0.0 socket' };
    return decodeBinary(data);
  }
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch (e) {
    return { ok: false, error: `invalid JSON: ${(e as Error).message}` };
  }
  if (vsn === '2.0.0') {
    if (!Array.isArray(json) || json.length < 5) {
      return { ok: false, error: `expected V2 array, got: ${data.toString('utf8').slice(0, 200)}` };
    }
    const [joinRef, ref, topic, event, payload] = json;
    if (typeof topic !== 'string' || typeof event !== 'string') return { ok: false, error: 'topic and event must be strings' };
    return { ok: true, msg: { joinRef: strOrNull(joinRef), ref: strOrNull(ref), topic, event, payload } };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, error: 'expected a V1 JSON object' };
  const o = json as Record<string, unknown>;
  if (typeof o.topic !== 'string' || typeof o.event !== 'string') return { ok: false, error: 'topic and event must be strings' };
  return { ok: true, msg: { joinRef: strOrNull(o.join_ref), ref: strOrNull(o.ref), topic: o.topic, event: o.event, payload: o.payload } };
}

function decodeBinary(buf: Buffer): Decoded {
  const kind = buf[0];
  if (kind !== 3) return { ok: false, error: `unsupported binary kind ${kind}` };
  // kind, join_ref_size, ref_size, topic_size, user_event_size, metadata_size, payload_encoding, …
  if (buf.length < 7) return { ok: false, error: 'kind 3 frame too short' };
  const [joinRefSize, refSize, topicSize, eventSize, metaSize, encoding] = [buf[1], buf[2], buf[3], buf[4], buf[5], buf[6]];
  let off = 7;
  const take = (n: number): string => {
    const s = buf.subarray(off, off + n).toString('utf8');
    off += n;
    return s;
  };
  if (buf.length < off + joinRefSize + refSize + topicSize + eventSize + metaSize) return { ok: false, error: 'kind 3 frame truncated' };
  if (encoding !== 0 && encoding !== 1) return { ok: false, error: `unknown payload encoding ${encoding}` };
  const joinRef = take(joinRefSize);
  const ref = take(refSize);
  const topic = take(topicSize);
  const userEvent = take(eventSize);
  const metaText = take(metaSize);
  let metadata: Record<string, unknown> = {};
  if (metaText.length > 0) {
    try {
      metadata = JSON.parse(metaText) as Record<string, unknown>;
    } catch {
      return { ok: false, error: 'kind 3 metadata is not JSON' };
    }
  }
  const data = Buffer.from(buf.subarray(off));
  return {
    ok: true,
    msg: {
      joinRef: joinRef || null,
      ref: ref || null,
      topic,
      event: 'broadcast',
      payload: undefined,
      userBroadcast: { userEvent, metadata, encoding: encoding as 0 | 1, data },
    },
  };
}

/** Text encoding. V1 never outputs join_ref (§1.2). */
export function encodeText(vsn: Vsn, m: Omit<Message, 'userBroadcast'>): string {
  if (vsn === '2.0.0') return JSON.stringify([m.joinRef, m.ref, m.topic, m.event, m.payload]);
  return JSON.stringify({ topic: m.topic, event: m.event, payload: m.payload, ref: m.ref });
}

/** Kind 4 `user_broadcast` (§1.4): kind, topic_size, user_event_size, metadata_size, encoding, … */
export function encodeUserBroadcast(topic: string, userEvent: string, metadata: Record<string, unknown>, encoding: 0 | 1, data: Buffer): Buffer {
  const t = Buffer.from(topic, 'utf8');
  const e = Buffer.from(userEvent, 'utf8');
  const meta = Buffer.from(Object.keys(metadata).length ? JSON.stringify(metadata) : '', 'utf8');
  if (t.length > 255 || e.length > 255 || meta.length > 255) throw new Error('kind 4 field longer than 255 bytes');
  return Buffer.concat([Buffer.from([4, t.length, e.length, meta.length, encoding]), t, e, meta, data]);
}
