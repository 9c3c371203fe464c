// The page hook decides whether a socket speaks Phoenix with its own tiny `looksPhoenix` (its
// minified bundle has a 12 KB budget, so it cannot import core); core's framing module has
// `isPhoenixText` for the same decision (HAR reading, the session). ARCHITECTURE.md "One framing
// module": both run over one corpus here and must agree on every frame.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import Serializer from '@supabase/realtime-js/dist/module/lib/serializer.js';
import { isPhoenixText } from '../core/realtime/framing';
import { looksPhoenix } from './hook';

const TOPIC = 'realtime:room';
const v2 = (...items: unknown[]) => JSON.stringify(items);
const v1 = (o: Record<string, unknown>) => JSON.stringify(o);
const big = 'x'.repeat(70_000);

/** realtime-js's own text encoding of a push (V2 arrays; broadcasts go binary and are left out). */
function realtimeJsText(msg: { join_ref: string | null; ref: string | null; topic: string; event: string; payload: Record<string, unknown> }): string {
  let wire: unknown;
  new Serializer().encode(msg, (r: unknown) => (wire = r));
  return wire as string;
}

/** Each entry: a name, the frame, and whether it speaks Phoenix (the rule both sides implement). */
const CORPUS: Array<[string, string, boolean]> = [
  // Phoenix V2 (realtime-facts §1.3)
  ['V2 join', v2('1', '1', TOPIC, 'phx_join', { config: {}, access_token: 'a.b.c' }), true],
  ['V2 join by realtime-js', realtimeJsText({ join_ref: '1', ref: '1', topic: TOPIC, event: 'phx_join', payload: { config: {} } }), true],
  ['V2 access_token by realtime-js', realtimeJsText({ join_ref: '1', ref: '4', topic: TOPIC, event: 'access_token', payload: { access_token: 't' } }), true],
  ['V2 heartbeat by realtime-js', realtimeJsText({ join_ref: null, ref: '2', topic: 'phoenix', event: 'heartbeat', payload: {} }), true],
  ['V2 ok reply', v2('1', '1', TOPIC, 'phx_reply', { status: 'ok', response: { postgres_changes: [] } }), true],
  ['V2 error reply', v2('1', '1', TOPIC, 'phx_reply', { status: 'error', response: { reason: 'InvalidJWTToken: Token has expired 12 seconds ago' } }), true],
  ['V2 heartbeat', v2(null, '2', 'phoenix', 'heartbeat', {}), true],
  ['V2 heartbeat reply', v2(null, '2', 'phoenix', 'phx_reply', { status: 'ok', response: {} }), true],
  ['V2 broadcast', v2(null, null, TOPIC, 'broadcast', { type: 'broadcast', event: 'cursor', payload: { x: 1 } }), true],
  ['V2 postgres_changes', v2('1', null, TOPIC, 'postgres_changes', { data: { type: 'INSERT', record: { id: 1 } }, ids: [1] }), true],
  ['V2 system', v2('1', null, TOPIC, 'system', { extension: 'system', status: 'error', message: 'Token has expired 0 seconds ago' }), true],
  ['V2 phx_close', v2('1', '1', TOPIC, 'phx_close', {}), true],
  ['V2 unicode topic', v2('1', '1', 'realtime:ü☃😀', 'phx_join', {}), true],
  ['V2 escaped unicode topic', '["1","1","realtime:\\u00fc\\ud83d\\ude00","phx_join",{}]', true],
  ['V2 numeric refs', '[1,2,"realtime:a","phx_join",{}]', true],
  ['V2 payload not an object', v2(null, null, TOPIC, 'broadcast', 'text'), true],
  ['V2 with whitespace inside', '[ "1" , "1" , "realtime:a" , "phx_join" , { } ]', true],
  // Phoenix V1 (§1.2): client frames have join_ref, server frames never do
  ['V1 join', v1({ topic: TOPIC, event: 'phx_join', payload: { config: {} }, ref: '1', join_ref: '1' }), true],
  ['V1 server reply', v1({ event: 'phx_reply', payload: { status: 'error', response: { reason: 'x' } }, ref: '1', topic: TOPIC }), true],
  ['V1 broadcast, null ref', v1({ event: 'broadcast', payload: {}, ref: null, topic: TOPIC }), true],
  ['V1 heartbeat', v1({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '3' }), true],
  ['V1 postgres_changes', v1({ event: 'postgres_changes', payload: { data: {} }, ref: null, topic: TOPIC }), true],
  ['V1 unicode topic', v1({ topic: 'realtime:日本語', event: 'phx_join', payload: {}, ref: '1' }), true],
  ['V1 __proto__ key', '{"__proto__":{"x":1},"topic":"realtime:a","event":"e","ref":null}', true],
  // Not Phoenix
  ['V1 without ref', v1({ topic: TOPIC, event: 'phx_join', payload: {} }), false],
  ['V1 numeric topic', v1({ topic: 1, event: 'phx_join', payload: {}, ref: '1' }), false],
  ['V1 missing event', v1({ topic: TOPIC, payload: {}, ref: '1' }), false],
  ['array of 4', v2('1', '1', TOPIC, 'phx_join'), false],
  ['array of 6 (the server ignores extras, the sniffs do not)', v2('1', '1', TOPIC, 'phx_join', {}, 'extra'), false],
  ['array of 0', '[]', false],
  ['array, topic not a string', v2('1', '1', 7, 'phx_join', {}), false],
  ['array, event null', v2('1', '1', TOPIC, null, {}), false],
  ['empty object', '{}', false],
  ['GraphQL subscription message', '{"type":"subscribe","id":"1","payload":{}}', false],
  ['leading whitespace', ` ${v2('1', '1', TOPIC, 'phx_join', {})}`, false],
  ['byte order mark', `\ufeff${v2('1', '1', TOPIC, 'phx_join', {})}`, false],
  ['JSON string', '"hello"', false],
  ['JSON number', '42', false],
  ['JSON null', 'null', false],
  ['empty', '', false],
  ['plain text', 'hello', false],
  ['not JSON after a bracket', '[not json]', false],
  ['truncated V2 frame', v2('1', '1', TOPIC, 'phx_join', { config: {} }).slice(0, 30), false],
  ['truncated V1 frame', v1({ topic: TOPIC, event: 'phx_join', payload: {}, ref: '1' }).slice(0, 40), false],
  ['deeply nested brackets', '['.repeat(100_000), false],
  ['lone surrogate in topic', '["1","1","realtime:\\ud800","phx_join",{}]', true],
  // Over 64 KB: both give up without parsing
  ['V2 over 64 KB', v2(null, null, TOPIC, 'broadcast', { x: big }), false],
  ['V1 over 64 KB', v1({ topic: TOPIC, event: 'broadcast', payload: { x: big }, ref: null }), false],
];

/** A frame of exactly `length` characters, padded inside its payload. */
function padded(length: number): string {
  const head = '[null,null,"realtime:a","broadcast",{"x":"';
  const tail = '"}]';
  return head + 'y'.repeat(length - head.length - tail.length) + tail;
}

function agree(text: string): void {
  expect(isPhoenixText(text), JSON.stringify(text.slice(0, 80))).toBe(looksPhoenix(text));
}

describe('the hook and core sniff text frames alike', () => {
  it.each(CORPUS)('%s', (_name, text, phoenix) => {
    expect(looksPhoenix(text)).toBe(phoenix);
    expect(isPhoenixText(text)).toBe(phoenix);
  });

  it('at the 64 KB bound (in UTF-16 code units)', () => {
    for (const length of [65_535, 65_536, 65_537]) agree(padded(length));
    expect(isPhoenixText(padded(65_536))).toBe(true);
    expect(isPhoenixText(padded(65_537))).toBe(false);
  });

  it('on every cut of Phoenix frames', () => {
    for (const [, text] of CORPUS.filter(([, t, phoenix]) => phoenix && t.length < 1_000)) {
      for (let i = 0; i <= text.length; i++) agree(text.slice(0, i));
    }
  });

  it('on generated frames: Phoenix-shaped, near misses and arbitrary text', () => {
    const ref = fc.oneof(fc.constant(null), fc.string({ maxLength: 4 }), fc.integer(), fc.boolean());
    const name = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom('phx_join', 'phx_reply', 'heartbeat', 'broadcast', 'phoenix', TOPIC));
    const field = fc.oneof(name, fc.jsonValue({ maxDepth: 1 }));
    const arrays = fc.array(field, { maxLength: 7 }).map((items) => JSON.stringify(items));
    const phoenixArrays = fc.tuple(ref, ref, field, field, fc.jsonValue({ maxDepth: 3 })).map((items) => JSON.stringify(items));
    const objects = fc
      .record(
        { topic: field, event: field, payload: fc.jsonValue({ maxDepth: 2 }), ref, join_ref: ref },
        { requiredKeys: [] },
      )
      .map((o) => JSON.stringify(o));
    const frames = fc.oneof(arrays, phoenixArrays, objects, fc.json(), fc.string(), fc.string({ unit: 'binary' }));
    // ... also cut anywhere, or prefixed with whitespace
    const variants = fc.tuple(frames, fc.nat(), fc.constantFrom('whole', 'cut', 'space')).map(([text, n, how]) =>
      how === 'whole' ? text : how === 'cut' ? text.slice(0, n % (text.length + 1)) : ` ${text}`,
    );
    fc.assert(
      fc.property(variants, (text) => {
        agree(text);
      }),
      { numRuns: 2_000 },
    );
  });
});
