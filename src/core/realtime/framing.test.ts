import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode';
import {
  AUTH_EVENTS,
  BULK_EVENTS,
  FrameClassifier,
  classifyBinaryKind,
  classifyDecoded,
  classifyHead,
  firstBase64Byte,
  frameVsn,
  guessVsn,
  isPhoenixText,
  peekPhoenix,
  type FrameClass,
} from './framing';
import { bytesOf } from './test-frames';

const TOPIC = 'realtime:room';
const b64 = (bytes: Uint8Array | number[]) => Buffer.from(bytes).toString('base64');

describe('peekPhoenix', () => {
  it('reads V2 heads, escaped strings included, and rejects non-Phoenix text', () => {
    expect(peekPhoenix('["1","2","realtime:a\\"b","phx_join",{}]')).toEqual({ topic: 'realtime:a"b', event: 'phx_join', ref: '2', statusError: false });
    expect(peekPhoenix('[null,null,"t","broadcast"')).toMatchObject({ event: 'broadcast', ref: null });
    expect(peekPhoenix('hello')).toBeUndefined();
    expect(peekPhoenix('{"topic":1}')).toBeUndefined();
    expect(peekPhoenix('[1,2,3]')).toBeUndefined();
  });

  it('reads V1 objects, unicode topics and error statuses of replies and system pushes', () => {
    expect(peekPhoenix('{"event":"phx_reply","payload":{"status":"error","response":{}},"ref":"3","topic":"realtime:ü☃"}')).toEqual({
      topic: 'realtime:ü☃',
      event: 'phx_reply',
      ref: '3',
      statusError: true,
    });
    expect(peekPhoenix('["1",null,"realtime:\\u00fc","system",{"extension":"system","status":"error","message":"Token has expired 0 seconds ago"}]')).toMatchObject({
      topic: 'realtime:ü',
      statusError: true,
    });
    expect(peekPhoenix('{"topic":"realtime:a","event":"system","payload":{"status":"ok"},"ref":null}')?.statusError).toBe(false);
    // Only replies and system pushes report a status.
    expect(peekPhoenix('[null,null,"realtime:a","broadcast",{"status":"error"}]')?.statusError).toBe(false);
  });

  it('reads the head of a V2 frame over 64 KB or cut, but does not parse a V1 object over 64 KB', () => {
    const big = 'x'.repeat(70_000);
    expect(peekPhoenix(`["1","1","${TOPIC}","broadcast",{"x":"${big}"}]`)).toMatchObject({ event: 'broadcast' });
    expect(peekPhoenix(`["1","1","${TOPIC}","phx_reply",{"status":"error","x":"${big}`)).toMatchObject({ statusError: true });
    expect(peekPhoenix(`{"topic":"${TOPIC}","event":"broadcast","payload":{"x":"${big}"},"ref":null}`)).toBeUndefined();
    expect(peekPhoenix(`{"topic":"${TOPIC}","event":"broadcast","payload":{"x":"abc`)).toBeUndefined();
  });

  it('never throws, and reads what JSON.parse reads from a V2 head', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' })), (text) => {
        peekPhoenix(text);
        isPhoenixText(text);
        frameVsn({ opcode: 'text', text });
      }),
    );
    fc.assert(
      fc.property(
        fc.option(fc.string()),
        fc.option(fc.string()),
        fc.string({ unit: 'grapheme' }),
        fc.string({ unit: 'binary' }),
        fc.jsonValue(),
        (joinRef, ref, topic, event, payload) => {
          const text = JSON.stringify([joinRef, ref, topic, event, payload]);
          const head = peekPhoenix(text);
          // Within the 2 KB window the V2 head is always read, exactly as JSON.parse reads it.
          if (JSON.stringify([joinRef, ref, topic, event]).length - 1 <= 2048) {
            expect(head).toMatchObject({ topic, event, ref });
          }
        },
      ),
    );
  });
});

describe('firstBase64Byte', () => {
  it('is the first decoded byte, or undefined for too short or non-base64 text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 8 }), (bytes) => {
        expect(firstBase64Byte(b64(bytes))).toBe(bytes[0]);
      }),
    );
    expect(firstBase64Byte(undefined)).toBeUndefined();
    expect(firstBase64Byte('A')).toBeUndefined();
    expect(firstBase64Byte('!!')).toBeUndefined();
  });
});

describe('isPhoenixText', () => {
  it('accepts whole V2 arrays of five and V1 objects with a ref key, nothing else', () => {
    expect(isPhoenixText('["1","1","realtime:a","phx_join",{}]')).toBe(true);
    expect(isPhoenixText('[null,"2","phoenix","heartbeat",{}]')).toBe(true);
    expect(isPhoenixText('{"topic":"realtime:a","event":"phx_join","payload":{},"ref":null}')).toBe(true);
    expect(isPhoenixText('{"topic":"realtime:a","event":"phx_join","payload":{}}')).toBe(false); // no ref
    expect(isPhoenixText('["1","1","realtime:a","phx_join"]')).toBe(false); // four elements
    expect(isPhoenixText(' ["1","1","realtime:a","phx_join",{}]')).toBe(false); // as the hook: first character
    expect(isPhoenixText('["1","1","realtime:a","phx_join",{')).toBe(false); // cut
  });
});

describe('serializer version of a frame', () => {
  const cases: Array<[string, Parameters<typeof frameVsn>[0], ReturnType<typeof frameVsn>]> = [
    ['binary', { opcode: 'binary' }, '2.0.0'],
    ['V2 array', { opcode: 'text', text: '[null,"1","phoenix","heartbeat",{}]' }, '2.0.0'],
    ['V2 array after whitespace', { opcode: 'text', text: '\n [' }, '2.0.0'],
    ['V1 object', { opcode: 'text', text: '{"topic":"phoenix"}' }, '1.0.0'],
    ['cut V1 object', { opcode: 'text', text: '  {"topic":"pho' }, '1.0.0'],
    ['not JSON', { opcode: 'text', text: 'hello' }, undefined],
    ['empty', { opcode: 'text', text: '' }, undefined],
    ['no text', { opcode: 'text' }, undefined],
  ];
  it.each(cases)('%s', (_name, frame, vsn) => {
    expect(frameVsn(frame)).toBe(vsn);
    // An undecidable frame is guessed 2.0.0 (realtime-js's default since supabase-js v2.91.0).
    expect(guessVsn(frame)).toBe(vsn ?? '2.0.0');
  });
});

describe('classification', () => {
  const head = (topic: string, event: string, statusError = false) => ({ topic, event, statusError });
  const table: Array<[string, ReturnType<typeof head>, boolean, FrameClass]> = [
    ['phx_join', head(TOPIC, 'phx_join'), false, 'auth'],
    ['phx_leave', head(TOPIC, 'phx_leave'), false, 'auth'],
    ['phx_close', head(TOPIC, 'phx_close'), false, 'auth'],
    ['phx_error', head(TOPIC, 'phx_error'), false, 'auth'],
    ['access_token', head(TOPIC, 'access_token'), false, 'auth'],
    ['system ok', head(TOPIC, 'system'), false, 'auth'],
    ['error reply', head(TOPIC, 'phx_reply', true), false, 'auth'],
    ['ok reply to a join', head(TOPIC, 'phx_reply'), true, 'auth'],
    ['ok reply to another push', head(TOPIC, 'phx_reply'), false, 'bulk'],
    ['broadcast', head(TOPIC, 'broadcast'), false, 'bulk'],
    ['presence', head(TOPIC, 'presence'), false, 'bulk'],
    ['presence_state', head(TOPIC, 'presence_state'), false, 'bulk'],
    ['presence_diff', head(TOPIC, 'presence_diff'), false, 'bulk'],
    ['postgres_changes', head(TOPIC, 'postgres_changes'), false, 'bulk'],
    ['heartbeat', head('phoenix', 'heartbeat'), false, 'bulk'],
    ['heartbeat reply', head('phoenix', 'phx_reply'), false, 'bulk'],
    ['heartbeat error reply', head('phoenix', 'phx_reply', true), false, 'bulk'],
    ['anything on topic phoenix', head('phoenix', 'phx_join'), false, 'bulk'],
    ['heartbeat event on a channel topic', head(TOPIC, 'heartbeat'), false, 'bulk'],
    ['unknown event', head(TOPIC, 'my_event'), false, 'plain'],
  ];
  it.each(table)('%s', (_name, h, repliesToJoin, expected) => {
    expect(classifyHead(h, repliesToJoin)).toBe(expected);
  });

  it('names each event in at most one set', () => {
    for (const event of BULK_EVENTS) expect(AUTH_EVENTS.has(event)).toBe(false);
  });

  it('binary kinds 2/3/4 are bulk, 0/1 and unknown plain', () => {
    expect([0, 1, 2, 3, 4, 5, undefined].map(classifyBinaryKind)).toEqual(['plain', 'plain', 'bulk', 'bulk', 'bulk', 'plain', 'plain']);
  });

  it('a decoded frame gets the class its cheap head gets', () => {
    const texts = [
      '["1","1","realtime:a","phx_join",{}]',
      '["1","1","realtime:a","phx_reply",{"status":"error","response":{}}]',
      '["1","2","realtime:a","phx_reply",{"status":"ok","response":{}}]',
      '[null,"3","phoenix","heartbeat",{}]',
      '{"topic":"realtime:a","event":"system","payload":{"status":"error"},"ref":null}',
      '{"topic":"realtime:a","event":"postgres_changes","payload":{},"ref":null}',
      '{"topic":"realtime:a","event":"custom","payload":{},"ref":null}',
    ];
    for (const text of texts) {
      const decoded = decodeFrame({ opcode: 'text', text }, text.startsWith('[') ? '2.0.0' : '1.0.0', 'received');
      expect(classifyDecoded(decoded), text).toBe(classifyHead(peekPhoenix(text)!));
    }
    const kind4 = bytesOf(4, TOPIC.length, 2, 0, 1, TOPIC, 'ev', '{}');
    expect(classifyDecoded(decodeFrame({ opcode: 'binary', base64: b64(kind4) }, '2.0.0', 'received'))).toBe('bulk');
    expect(classifyDecoded({ ok: false, reason: 'x' })).toBe('plain');
  });

  it('FrameClassifier pins the reply to a join by connection, topic and ref, and forgets on clear', () => {
    const c = new FrameClassifier();
    const text = (conn: string, t: string) => ({ conn, opcode: 'text' as const, text: t });
    expect(c.classify(text('a', '["1","1","realtime:r","phx_join",{}]'))).toMatchObject({ frameClass: 'auth', head: { event: 'phx_join' } });
    expect(c.classify(text('b', '["1","1","realtime:r","phx_reply",{"status":"ok"}]')).frameClass).toBe('bulk'); // other socket
    expect(c.classify(text('a', '["1","1","realtime:other","phx_reply",{"status":"ok"}]')).frameClass).toBe('bulk'); // other topic
    expect(c.classify(text('a', '["1","1","realtime:r","phx_reply",{"status":"ok"}]')).frameClass).toBe('auth');
    c.clear();
    expect(c.classify(text('a', '["1","1","realtime:r","phx_reply",{"status":"ok"}]')).frameClass).toBe('bulk');
    expect(c.classify(text('a', 'junk'))).toEqual({ frameClass: 'plain' });
    expect(c.classify({ conn: 'a', opcode: 'binary', base64: b64([3, 0]) })).toEqual({ frameClass: 'bulk' });
  });
});
