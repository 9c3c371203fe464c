// Property tests: no input makes the decoder, the URL helpers or the tracker throw, and kind-3
// frames encoded by realtime-js's own serializer always decode back to what was sent.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import Serializer from '@supabase/realtime-js/dist/module/lib/serializer.js';
import type { CapturedEvent } from '../model';
import { base64ToBytes, bytesToBase64, utf8Length } from './bytes';
import { decodeFrame } from './decode';
import { describeFrame } from './describe';
import { RealtimeTracker } from './tracker';
import type { DecodedFrame, Vsn } from './types';
import { apikeyFromUrl, vsnFromUrl } from './url';

const vsn = fc.constantFrom<Vsn>('1.0.0', '2.0.0');
const dir = fc.constantFrom<'sent' | 'received'>('sent', 'received');

function wellFormed(decoded: DecodedFrame): void {
  if (decoded.ok) {
    expect(typeof decoded.message.topic).toBe('string');
    expect(typeof decoded.message.event).toBe('string');
  } else {
    expect(decoded.reason.length).toBeGreaterThan(0);
  }
  describeFrame(decoded);
}

/** Byte arrays that look like binary frames: a plausible kind byte, small sizes, random tails. */
const binaryish = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.tuple(fc.integer({ min: 0, max: 5 }), fc.uint8Array({ maxLength: 7 }).map((a) => a.map((b) => b % 24)), fc.uint8Array({ maxLength: 80 })).map(
    ([kind, sizes, rest]) => Uint8Array.from([kind, ...sizes, ...rest]),
  ),
);

const phoenixish = fc.oneof(
  fc.json(),
  fc.string(),
  fc
    .tuple(fc.option(fc.string()), fc.option(fc.string()), fc.string(), fc.string(), fc.jsonValue())
    .map((items) => JSON.stringify(items)),
  fc
    .record({ topic: fc.string(), event: fc.string(), payload: fc.jsonValue(), ref: fc.option(fc.string()), join_ref: fc.option(fc.string()) }, { requiredKeys: [] })
    .map((o) => JSON.stringify(o)),
);

describe('never throws', () => {
  it('decodeFrame on any text, whole or cut', () => {
    fc.assert(
      fc.property(phoenixish, fc.nat(), fc.boolean(), vsn, dir, (text, cut, truncated, v, d) => {
        const shown = truncated ? text.slice(0, cut % (text.length + 1)) : text;
        wellFormed(decodeFrame({ opcode: 'text', text: shown, truncated }, v, d));
      }),
      { numRuns: 2000 },
    );
  });

  it('decodeFrame on any bytes, whole or cut', () => {
    fc.assert(
      fc.property(binaryish, fc.boolean(), vsn, dir, (bytes, truncated, v, d) => {
        wellFormed(decodeFrame({ opcode: 'binary', base64: bytesToBase64(bytes), truncated }, v, d));
      }),
      { numRuns: 3000 },
    );
  });

  it('decodeFrame on any base64-ish string and any frame-shaped object', () => {
    fc.assert(
      fc.property(fc.string(), fc.anything(), fc.anything(), vsn, dir, (base64, opcode, text, v, d) => {
        wellFormed(decodeFrame({ opcode: 'binary', base64 }, v, d));
        wellFormed(decodeFrame({ opcode, text, base64: text } as never, v, d));
      }),
      { numRuns: 1000 },
    );
  });

  it('decodeFrame on deeply nested JSON', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    wellFormed(decodeFrame({ opcode: 'text', text: `["1","1","t","e",${deep}]` }, '2.0.0', 'received'));
    wellFormed(decodeFrame({ opcode: 'text', text: `["1","1","t","e",${deep.slice(0, 150_000)}`, truncated: true }, '2.0.0', 'received'));
  });

  it('vsnFromUrl and apikeyFromUrl on any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true, withFragments: true })), (url) => {
        expect(['1.0.0', '2.0.0']).toContain(vsnFromUrl(url));
        const key = apikeyFromUrl(url);
        expect(key === undefined || typeof key === 'string').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('the tracker on any sequence of socket events', () => {
    const conn = fc.constantFrom('c1', 'c2', 'c3');
    const ref = fc.option(fc.constantFrom('1', '2', '3', '4', ''), { nil: null });
    const topic = fc.constantFrom('realtime:a', 'realtime:b', 'phoenix', '');
    const event = fc.constantFrom('phx_join', 'phx_reply', 'phx_leave', 'phx_close', 'phx_error', 'system', 'access_token', 'broadcast', 'heartbeat', 'presence', 'x');
    const payload = fc.oneof(
      fc.jsonValue(),
      fc.record({ status: fc.constantFrom('ok', 'error', 7), response: fc.jsonValue() }),
      fc.record({ config: fc.record({ broadcast: fc.record({ ack: fc.boolean() }), private: fc.jsonValue() }), access_token: fc.jsonValue() }),
    );
    const frameText = fc.oneof(
      fc.tuple(ref, ref, topic, event, payload).map((f) => JSON.stringify(f)),
      fc.record({ topic, event, payload, ref, join_ref: ref }).map((f) => JSON.stringify(f)),
      fc.string(),
    );
    const body = fc.oneof(
      fc.record({ kind: fc.constant('ws-connecting' as const), conn, url: fc.oneof(fc.constant('ws://h/realtime/v1/websocket?vsn=2.0.0'), fc.string()), protocols: fc.constant([]) }),
      fc.record({ kind: fc.constant('ws-open' as const), conn, protocol: fc.constant(''), extensions: fc.constant('') }),
      fc.record({ kind: fc.constant('ws-frame' as const), conn, dir, opcode: fc.constant('text' as const), text: frameText, size: fc.nat(), truncated: fc.boolean() }),
      fc.record({ kind: fc.constant('ws-frame' as const), conn, dir, opcode: fc.constant('binary' as const), base64: binaryish.map(bytesToBase64), size: fc.nat() }),
      fc.record({ kind: fc.constant('ws-close' as const), conn, code: fc.integer(), reason: fc.string(), wasClean: fc.boolean() }),
      fc.record({ kind: fc.constant('ws-error' as const), conn }),
      fc.record({ kind: fc.constant('net' as const), url: fc.string(), resourceType: fc.constant('websocket' as const), method: fc.constant('GET'), status: fc.integer() }),
    );
    fc.assert(
      fc.property(fc.array(body, { maxLength: 60 }), (bodies) => {
        const tracker = new RealtimeTracker();
        bodies.forEach((b, i) => tracker.ingest({ ...b, seq: i + 1, time: i * 100, docId: 'd', source: 'page' } as CapturedEvent));
        const session = tracker.snapshot();
        // Every captured frame is kept, and every channel a frame points to is listed.
        expect(session.frames).toHaveLength(bodies.filter((b) => b.kind === 'ws-frame').length);
        const keys = new Set(session.channels.map((c) => c.key));
        for (const frame of session.frames) if (frame.channel) expect(keys.has(frame.channel)).toBe(true);
        // The session is JSON-exportable (no cycles).
        JSON.stringify(session);
      }),
      { numRuns: 500 },
    );
  });
});

describe('round trips', () => {
  it('every kind-3 frame realtime-js encodes decodes back to the message it was given', () => {
    const serializer = new Serializer();
    const short = fc.string({ unit: 'grapheme', maxLength: 20 });
    fc.assert(
      fc.property(fc.option(short, { nil: null }), fc.option(short, { nil: null }), short, short, fc.jsonValue(), (joinRef, ref, topic, userEvent, userPayload) => {
        let wire: unknown;
        const payload = { type: 'broadcast', event: userEvent, payload: userPayload };
        serializer.encode({ join_ref: joinRef, ref, topic, event: 'broadcast', payload }, (r: unknown) => (wire = r));
        const decoded = decodeFrame({ opcode: 'binary', base64: bytesToBase64(new Uint8Array(wire as ArrayBuffer)) }, '2.0.0', 'sent');
        expect(decoded).toMatchObject({ ok: true, binaryKind: 3, userEvent, payloadEncoding: 'json' });
        if (!decoded.ok) return;
        // realtime-js writes a null ref as zero bytes, so "" and null both come back as null.
        expect(decoded.message.joinRef).toBe(joinRef || null);
        expect(decoded.message.ref).toBe(ref || null);
        expect(decoded.message.topic).toBe(topic);
        // JSON.stringify turns -0 into 0; compare what went on the wire.
        expect(decoded.message.payload).toEqual({ type: 'broadcast', event: userEvent, payload: JSON.parse(JSON.stringify(userPayload ?? {})) });
      }),
      { numRuns: 1000 },
    );
  });

  it('base64 round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const back = base64ToBytes(bytesToBase64(bytes));
        expect(back.ok && Array.from(back.bytes)).toEqual(Array.from(bytes));
        if (bytes.length) expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      }),
    );
  });

  it('utf8Length is the UTF-8 byte length of any well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
      }),
    );
  });

  it('utf8Length counts lone surrogates as U+FFFD (3 bytes), as the encoder writes them', () => {
    // A high surrogate followed by anything but a low one is lone: it must not swallow the next
    // character (it used to: "\uD800é" counted 4 bytes instead of 3 + 2).
    expect(utf8Length('\uD800é')).toBe(Buffer.byteLength('\uD800é', 'utf8'));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 4 }), (text, lone) => {
        const s = lone + text + lone;
        expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'));
      }),
    );
  });
});
