import { describe, expect, it } from 'vitest';
import Serializer from '@supabase/realtime-js/dist/module/lib/serializer.js';
import { bytesToBase64 } from './bytes';
import { decodeFrame } from './decode';
import { base64Of, bytesOf } from './test-frames';
import type { DecodedFrame, Vsn } from './types';

const text = (t: string, truncated = false) => ({ opcode: 'text' as const, text: t, truncated });
const binary = (...parts: Array<number | string | Uint8Array>) => ({ opcode: 'binary' as const, base64: base64Of(...parts) });

function okFrame(decoded: DecodedFrame) {
  if (!decoded.ok) throw new Error(`expected a decoded frame, got: ${decoded.reason}`);
  return decoded;
}

describe('decodeFrame: text frames (realtime-facts §1.2, §1.3)', () => {
  const joinPayload = { config: { broadcast: { ack: false, self: false }, presence: { key: '', enabled: false }, postgres_changes: [], private: false } };
  const cases: Array<{ name: string; frame: string; vsn: Vsn; dir: 'sent' | 'received'; expect: Partial<DecodedFrame> & Record<string, unknown> }> = [
    {
      name: 'V2 phx_join as realtime-js sends it',
      frame: JSON.stringify(['6', '6', 'realtime:room1', 'phx_join', joinPayload]),
      vsn: '2.0.0',
      dir: 'sent',
      expect: { ok: true, format: 'v2-json', message: { joinRef: '6', ref: '6', topic: 'realtime:room1', event: 'phx_join', payload: joinPayload } },
    },
    {
      name: 'V2 heartbeat with a null join_ref',
      frame: '[null,"8","phoenix","heartbeat",{}]',
      vsn: '2.0.0',
      dir: 'sent',
      expect: { ok: true, format: 'v2-json', message: { joinRef: null, ref: '8', topic: 'phoenix', event: 'heartbeat', payload: {} } },
    },
    {
      name: 'V2 error reply',
      frame: '["6","6","realtime:room1","phx_reply",{"status":"error","response":{"reason":"InvalidJWTToken: Token has expired 12 seconds ago"}}]',
      vsn: '2.0.0',
      dir: 'received',
      expect: {
        ok: true,
        message: {
          joinRef: '6',
          ref: '6',
          topic: 'realtime:room1',
          event: 'phx_reply',
          payload: { status: 'error', response: { reason: 'InvalidJWTToken: Token has expired 12 seconds ago' } },
        },
      },
    },
    {
      name: 'V1 push from the client carries join_ref',
      frame: '{"topic":"realtime:room1","event":"phx_join","payload":{},"ref":"1","join_ref":"1"}',
      vsn: '1.0.0',
      dir: 'sent',
      expect: { ok: true, format: 'v1-json', message: { joinRef: '1', ref: '1', topic: 'realtime:room1', event: 'phx_join', payload: {} } },
    },
    {
      name: 'V1 reply from the server has no join_ref',
      frame: '{"topic":"realtime:room1","event":"phx_reply","payload":{"status":"ok","response":{}},"ref":"1"}',
      vsn: '1.0.0',
      dir: 'received',
      expect: { ok: true, format: 'v1-json', message: { joinRef: null, ref: '1', topic: 'realtime:room1', event: 'phx_reply', payload: { status: 'ok', response: {} } } },
    },
  ];
  it.each(cases)('$name', ({ frame, vsn, dir, expect: expected }) => {
    const decoded = decodeFrame(text(frame), vsn, dir);
    expect(decoded).toMatchObject(expected);
    expect(okFrame(decoded).notes).toBeUndefined();
  });

  it('ignores elements after the fifth, as the server does, and says so', () => {
    const decoded = okFrame(decodeFrame(text('["1","2","realtime:a","ev",{"x":1},"extra",7]'), '2.0.0', 'received'));
    expect(decoded.message).toEqual({ joinRef: '1', ref: '2', topic: 'realtime:a', event: 'ev', payload: { x: 1 } });
    expect(decoded.notes?.join()).toMatch(/2 element\(s\) after the fifth ignored/);
  });

  it('decodes a V1 object on a V2 socket leniently and notes that the server rejects it', () => {
    const decoded = okFrame(decodeFrame(text('{"topic":"realtime:a","event":"phx_join","payload":{},"ref":"1","join_ref":"1"}'), '2.0.0', 'sent'));
    expect(decoded.format).toBe('v1-json');
    expect(decoded.notes?.join()).toMatch(/V1 object on a V2 socket.*expected V2 array/);
  });

  it('decodes a V2 array on a V1 socket and notes it', () => {
    const decoded = okFrame(decodeFrame(text('["1","1","realtime:a","phx_join",{}]'), '1.0.0', 'sent'));
    expect(decoded.format).toBe('v2-json');
    expect(decoded.notes?.join()).toMatch(/V2 array on a V1 socket/);
  });

  it('accepts numeric refs but notes them', () => {
    const decoded = okFrame(decodeFrame(text('[1,2,"realtime:a","ev",{}]'), '2.0.0', 'sent'));
    expect(decoded.message.joinRef).toBe('1');
    expect(decoded.notes?.join()).toMatch(/join_ref is a number/);
  });

  const failures: Array<{ name: string; frame: string; vsn: Vsn; reason: RegExp }> = [
    { name: 'not JSON', frame: 'hello', vsn: '2.0.0', reason: /^text frame is not JSON: .*Unexpected token/ },
    { name: 'a JSON number', frame: '42', vsn: '2.0.0', reason: /^text frame is JSON but neither a V2 array nor a V1 object: number 42$/ },
    { name: 'a short array', frame: '["1","2","realtime:a","ev"]', vsn: '2.0.0', reason: /^V2 text frame has 4 elements; expected 5/ },
    { name: 'a non-string topic', frame: '["1","2",5,"ev",{}]', vsn: '2.0.0', reason: /topic \(3rd element\) is not a string: number 5/ },
    { name: 'a non-string event', frame: '["1","2","t",null,{}]', vsn: '2.0.0', reason: /event \(4th element\) is not a string: null/ },
    { name: 'an object without topic', frame: '{"event":"x"}', vsn: '1.0.0', reason: /V1 text frame has no string "topic": missing/ },
    { name: 'an empty text', frame: '', vsn: '1.0.0', reason: /^text frame is not JSON/ },
  ];
  it.each(failures)('fails with a plain reason on $name', ({ frame, vsn, reason }) => {
    const decoded = decodeFrame(text(frame), vsn, 'received');
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? '' : decoded.reason).toMatch(reason);
  });

  it('fails on a text frame without text and on an unknown opcode', () => {
    expect(decodeFrame({ opcode: 'text' }, '2.0.0', 'sent')).toEqual({ ok: false, reason: 'text frame has no text' });
    expect(decodeFrame({ opcode: 'ping' as 'text' }, '2.0.0', 'sent')).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown frame opcode "ping"/) });
  });
});

describe('decodeFrame: cut previews of text frames', () => {
  const big = JSON.stringify(['3', '4', 'realtime:room1', 'broadcast', { type: 'broadcast', event: 'e', payload: { blob: 'x'.repeat(500) } }]);

  it('reads topic, event and refs of a cut V2 array and marks it partial', () => {
    const decoded = okFrame(decodeFrame({ ...text(big.slice(0, 80), true), size: big.length }, '2.0.0', 'received'));
    expect(decoded.partial).toBe(true);
    expect(decoded.message).toEqual({ joinRef: '3', ref: '4', topic: 'realtime:room1', event: 'broadcast', payload: undefined });
    expect(decoded.notes?.join()).toContain(`80-character preview of ${big.length} bytes`);
  });

  it('reads the fields of a cut V1 object that come before the cut', () => {
    const v1 = JSON.stringify({ topic: 'realtime:room1', event: 'broadcast', payload: { blob: 'y'.repeat(300) }, ref: '9' });
    const decoded = okFrame(decodeFrame(text(v1.slice(0, 100), true), '1.0.0', 'received'));
    expect(decoded).toMatchObject({ partial: true, format: 'v1-json', message: { topic: 'realtime:room1', event: 'broadcast', ref: null } });
  });

  it('fails with a reason when the cut comes before the event', () => {
    const decoded = decodeFrame(text(big.slice(0, 20), true), '2.0.0', 'received');
    expect(decoded).toEqual({ ok: false, reason: 'text frame is a cut preview and ends before its topic and event (2 of 5 elements readable)' });
  });

  it('fails with a reason on a cut preview that is not Phoenix at all', () => {
    const decoded = decodeFrame(text('<html><body>', true), '2.0.0', 'received');
    expect(decoded.ok ? '' : decoded.reason).toMatch(/cut preview .* does not start like a Phoenix message/);
  });

  it('does not let a cut string containing brackets or quotes confuse the reader', () => {
    const tricky = JSON.stringify(['1', '2', 'realtime:a"]', 'ev\\', { s: '],[' }]);
    const decoded = okFrame(decodeFrame(text(tricky.slice(0, tricky.length - 4), true), '2.0.0', 'received'));
    expect(decoded.message.topic).toBe('realtime:a"]');
    expect(decoded.message.event).toBe('ev\\');
  });
});

describe('decodeFrame: binary kinds (realtime-facts §1.4, byte layouts built by hand)', () => {
  it('kind 3: the documented worked example 03 02 01 12 0A 00 01', () => {
    const frame = binary(0x03, 0x02, 0x01, 0x12, 0x0a, 0x00, 0x01, '10', '1', 'realtime:chat-room', 'user-event', '{"message":"hi"}');
    const decoded = okFrame(decodeFrame(frame, '2.0.0', 'sent'));
    expect(decoded).toEqual({
      ok: true,
      format: 'v2-binary',
      binaryKind: 3,
      userEvent: 'user-event',
      payloadEncoding: 'json',
      metadata: {},
      message: {
        joinRef: '10',
        ref: '1',
        topic: 'realtime:chat-room',
        event: 'broadcast',
        payload: { type: 'broadcast', event: 'user-event', payload: { message: 'hi' } },
      },
    });
  });

  it('kind 3 as realtime-js 2.119 encodes channel.send() (its own serializer)', () => {
    const serializer = new Serializer();
    let wire: unknown;
    serializer.encode(
      { join_ref: '6', ref: '7', topic: 'realtime:room1', event: 'broadcast', payload: { type: 'broadcast', event: 'cursor', payload: { x: 1, é: '✓' } } },
      (result: ArrayBuffer | string) => (wire = result),
    );
    expect(wire).toBeInstanceOf(ArrayBuffer);
    const decoded = okFrame(decodeFrame({ opcode: 'binary', base64: bytesToBase64(new Uint8Array(wire as ArrayBuffer)) }, '2.0.0', 'sent'));
    expect(decoded.binaryKind).toBe(3);
    expect(decoded.message).toEqual({
      joinRef: '6',
      ref: '7',
      topic: 'realtime:room1',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'cursor', payload: { x: 1, é: '✓' } },
    });
  });

  it('kind 3 with binary encoding (0) and persist metadata', () => {
    const frame = binary(3, 1, 1, 4, 2, 16, 0, '5', '9', 'rt:x', 'ev', '{"persist":true}', 0xde, 0xad, 0xbe, 0xef);
    const decoded = okFrame(decodeFrame(frame, '2.0.0', 'sent'));
    expect(decoded.payloadEncoding).toBe('binary');
    expect(decoded.metadata).toEqual({ persist: true });
    expect(decoded.message.payload).toEqual({
      type: 'broadcast',
      event: 'ev',
      payload: { binary: true, byteLength: 4, base64: '3q2+7w==' },
      meta: { persist: true },
    });
  });

  it('kind 3 without ref (realtime-js writes a missing ref as zero bytes)', () => {
    const decoded = okFrame(decodeFrame(binary(3, 1, 0, 4, 2, 0, 1, '5', 'rt:x', 'ev', '{}'), '2.0.0', 'sent'));
    expect(decoded.message.ref).toBeNull();
    expect(decoded.message.joinRef).toBe('5');
  });

  it('kind 4: fan-out to the client, empty metadata', () => {
    const decoded = okFrame(decodeFrame(binary(4, 14, 6, 0, 1, 'realtime:room1', 'cursor', '{"x":3}'), '2.0.0', 'received'));
    expect(decoded).toMatchObject({
      binaryKind: 4,
      userEvent: 'cursor',
      payloadEncoding: 'json',
      metadata: {},
      message: { joinRef: null, ref: null, topic: 'realtime:room1', event: 'broadcast', payload: { type: 'broadcast', event: 'cursor', payload: { x: 3 } } },
    });
    expect(decoded.message.payload).not.toHaveProperty('meta');
  });

  it('kind 4 with metadata and multi-byte UTF-8 sizes counted in bytes', () => {
    // "realtime:café" is 14 bytes (é is 2 bytes), "ünï" is 5 bytes.
    const decoded = okFrame(decodeFrame(binary(4, 14, 5, 13, 1, 'realtime:café', 'ünï', '{"persist":1}', '[1,2]'), '2.0.0', 'received'));
    expect(decoded.message.topic).toBe('realtime:café');
    expect(decoded.userEvent).toBe('ünï');
    expect(decoded.message.payload).toEqual({ type: 'broadcast', event: 'ünï', payload: [1, 2], meta: { persist: 1 } });
  });

  it('kind 0 received: the server ENCODER layout (no ref)', () => {
    const decoded = okFrame(decodeFrame(binary(0, 1, 4, 3, '7', 'rt:x', 'evt', 1, 2, 3), '2.0.0', 'received'));
    expect(decoded.message).toEqual({ joinRef: '7', ref: null, topic: 'rt:x', event: 'evt', payload: { binary: true, byteLength: 3, base64: 'AQID' } });
  });

  it('kind 0 sent: the server DECODER layout (with ref)', () => {
    const decoded = okFrame(decodeFrame(binary(0, 1, 2, 4, 3, '7', '12', 'rt:x', 'evt', 9), '2.0.0', 'sent'));
    expect(decoded.message).toEqual({ joinRef: '7', ref: '12', topic: 'rt:x', event: 'evt', payload: { binary: true, byteLength: 1, base64: 'CQ==' } });
  });

  it('kind 1: reply with a binary response', () => {
    const decoded = okFrame(decodeFrame(binary(1, 1, 1, 4, 2, '3', '4', 'rt:x', 'ok', 0xff), '2.0.0', 'received'));
    expect(decoded.message).toEqual({
      joinRef: '3',
      ref: '4',
      topic: 'rt:x',
      event: 'phx_reply',
      payload: { status: 'ok', response: { binary: true, byteLength: 1, base64: '/w==' } },
    });
  });

  it('kind 2: broadcast with binary payload and no data', () => {
    const decoded = okFrame(decodeFrame(binary(2, 4, 4, 'rt:x', 'ping'), '2.0.0', 'received'));
    expect(decoded.message).toEqual({ joinRef: null, ref: null, topic: 'rt:x', event: 'ping', payload: { binary: true, byteLength: 0, base64: '' } });
  });

  it('a binary frame on a V1 socket still decodes, with a note', () => {
    const decoded = okFrame(decodeFrame(binary(2, 4, 4, 'rt:x', 'ping'), '1.0.0', 'received'));
    expect(decoded.notes?.join()).toMatch(/binary frame on a V1 socket/);
  });

  it('a user payload marked JSON that is not JSON is kept as text with a note', () => {
    const decoded = okFrame(decodeFrame(binary(4, 4, 2, 0, 1, 'rt:x', 'ev', '{oops'), '2.0.0', 'received'));
    expect(decoded.message.payload).toMatchObject({ payload: '{oops' });
    expect(decoded.notes?.join()).toMatch(/user payload is marked JSON but is not/);
  });

  const garbage: Array<{ name: string; frame: { opcode: 'binary'; base64?: string; truncated?: boolean }; dir?: 'sent' | 'received'; reason: string | RegExp }> = [
    { name: 'empty', frame: binary(), reason: 'binary frame is empty: no kind byte' },
    { name: 'unknown kind', frame: binary(9, 1, 2), reason: 'unknown binary kind 9 (the V2 serializer knows kinds 0–4)' },
    { name: 'kind-3 header of 5 bytes', frame: binary(3, 2, 1, 18, 10), reason: 'binary frame too short for a kind-3 header: 5 bytes (needs 7)' },
    { name: 'kind-4 header of 1 byte', frame: binary(4), reason: 'binary frame too short for a kind-4 header: 1 byte (needs 5)' },
    { name: 'kind-0 sent header without ref size', frame: binary(0, 1, 4, 3), dir: 'sent', reason: 'binary frame too short for a kind-0 header: 4 bytes (needs 5)' },
    {
      name: 'fields longer than the frame',
      frame: binary(3, 2, 1, 18, 10, 0, 1, '10', '1', 'realtime:'),
      reason: 'binary kind-3 frame is cut inside its topic field: the header announces 18 bytes at offset 10, only 9 remain',
    },
    { name: 'no bytes', frame: { opcode: 'binary' }, reason: 'binary frame has no bytes' },
    { name: 'invalid base64', frame: { opcode: 'binary', base64: 'AQ$D' }, reason: 'binary frame is not valid base64: invalid base64 character "$" at position 2' },
    {
      name: 'a cut preview whose header survives but not the fields',
      frame: { opcode: 'binary', base64: base64Of(3, 2, 1, 18, 10, 0, 1, '10', '1', 'real'), truncated: true },
      reason: /cut inside its topic field.*\(only a preview of the frame was captured\)$/,
    },
  ];
  it.each(garbage)('fails with a plain reason: $name', ({ frame, dir, reason }) => {
    const decoded = decodeFrame(frame, '2.0.0', dir ?? 'received');
    expect(decoded.ok).toBe(false);
    if (typeof reason === 'string') expect(decoded).toEqual({ ok: false, reason });
    else expect(decoded.ok ? '' : decoded.reason).toMatch(reason);
  });

  it('a cut preview whose header and fields survive decodes partially', () => {
    const full = bytesOf(4, 14, 6, 0, 1, 'realtime:room1', 'cursor', JSON.stringify({ blob: 'z'.repeat(1000) }));
    const preview = full.subarray(0, 64);
    const decoded = okFrame(decodeFrame({ opcode: 'binary', base64: bytesToBase64(preview), truncated: true, size: full.length }, '2.0.0', 'received'));
    expect(decoded.partial).toBe(true);
    expect(decoded.userEvent).toBe('cursor');
    expect(decoded.message.topic).toBe('realtime:room1');
    expect(decoded.notes?.join()).toContain(`64-byte preview of ${full.length} bytes`);
  });
});
