// Test and benchmark support (imported only by *.test.ts and scripts/bench-session.ts): values a
// hostile page can put in front of Claimscope — nesting thousands deep, megabyte strings, text that
// makes backtracking regular expressions quadratic, control and bidirectional characters, lone
// surrogates, NUL — as fast-check generators and as a fixed list of hand-made worst cases.
//
// Values are JSON *text* fragments: a value nested 8,000 deep cannot go through JSON.stringify
// (that is the point), but it can be written by hand and parsed (V8's JSON.parse does not recurse).

import fc from 'fast-check';
import type { CapturedEvent, CapturedEventBody } from './model';

/** `inner` inside `depth` arrays, as JSON text. */
export function deepArrayJson(depth: number, inner = '"x"'): string {
  return `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
}

/** `inner` inside `depth` objects `{"a": …}`, as JSON text. */
export function deepObjectJson(depth: number, inner = '"x"'): string {
  return `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;
}

/** Characters that rewrite what a screen or terminal shows around them. */
export const CONTROL_AND_BIDI = [
  '\u0000', '\u0007', '\u0008', '\u000b', '\u001b', '\u007f', '\u0085', '\u009b', '\u061c', '\u200e', '\u200f', '\u2028', '\u2029',
  '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\ud800', '\udbff', '\udc00', '\udfff',
];

/** Any character that must never reach the screen or a terminal raw (lone surrogates included). */
export const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Text that made the old regular expressions (masking, "N seconds ago", "=+$") quadratic. */
export function backtrackingBait(size: number): string[] {
  const digits = '1'.repeat(size);
  return [
    '-eyJ'.repeat(Math.ceil(size / 4)),
    'eyJ.eyJ.'.repeat(Math.ceil(size / 8)),
    'eyJa.eyJb.sig-eyJ'.repeat(Math.ceil(size / 17)),
    digits,
    `-${digits}x seconds ago`,
    `Token has expired ${digits}x`,
    `Token has expired ${digits} seconds`,
    '5 seconds ag'.repeat(Math.ceil(size / 12)),
    `${'='.repeat(size)}x`,
    'sb_secret_'.repeat(Math.ceil(size / 10)),
    'claim: "x", claim_val: '.repeat(Math.ceil(size / 23)),
    `Failed to generate JWT signer for key ID (kid) "${'a'.repeat(size)}`,
  ];
}

const hostileChar = fc.constantFrom(...CONTROL_AND_BIDI);
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** Short strings mixing ordinary text, JWT-like pieces, controls, bidi marks and lone surrogates. */
export const hostileString: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
      { weight: 2, arbitrary: hostileChar },
      { weight: 1, arbitrary: loneSurrogate },
      { weight: 1, arbitrary: fc.constantFrom('eyJ', '.', '-', 'eyJhbGciOiJIUzI1NiJ9.', 'sb_secret_', ' seconds ago', 'Token has expired ', '-12', '=', '"', '\\') },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));

/** A long string: bait for backtracking, or a run of hostile characters (tens of KB). */
export const longHostileString: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 2_000, max: 20_000 })).map(([i, n]) => backtrackingBait(n)[i]),
  fc.tuple(hostileString, fc.integer({ min: 100, max: 4_000 })).map(([s, n]) => (s || '\u202e').repeat(Math.ceil(n / Math.max(1, s.length)))),
);

/** Any JSON value as text: scalars, hostile strings, and arrays/objects up to 20,000 deep. */
export const hostileJson: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: hostileString.map((s) => JSON.stringify(s)) },
  { weight: 1, arbitrary: longHostileString.map((s) => JSON.stringify(s)) },
  { weight: 1, arbitrary: fc.constantFrom('null', 'true', '0', '-0', '1e400', '-1e400', '1.5', '12345678901234567890123', '[]', '{}', '{"__proto__":{"x":1}}', '{"toJSON":"x"}') },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(10, 40, 1_000, 8_000, 20_000), fc.boolean(), hostileString)
      .map(([depth, arrays, s]) => (arrays ? deepArrayJson(depth, JSON.stringify(s)) : deepObjectJson(depth, JSON.stringify(s)))),
  },
);

/** The hand-made worst single values: run every path at least once on each. */
export function worstCaseValues(): Array<{ name: string; json: string }> {
  const bait = backtrackingBait(128 * 1024).map((s, i) => ({ name: `backtracking bait ${i + 1} (${s.slice(0, 16)}…, ${s.length.toLocaleString('en-US')} chars)`, json: JSON.stringify(s) }));
  return [
    ...bait,
    { name: 'array nested 8,000 deep', json: deepArrayJson(8_000, JSON.stringify('\u202eevil\u0000')) },
    { name: 'object nested 20,000 deep', json: deepObjectJson(20_000) },
    { name: '1 MB of controls and bidi marks', json: JSON.stringify('\u202e\u0000\u001b[31m\u0085\u2066\ud800'.repeat(128 * 1024)) },
    { name: '1 MB string of digits', json: JSON.stringify('9'.repeat(1024 * 1024)) },
    { name: '100,000-item array', json: `[${Array.from({ length: 100_000 }, () => '"eyJ"').join(',')}]` },
  ];
}

// ---------------------------------------------------------------------------------------------
// Tokens and sessions made of such values

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** A compact JWT whose header and claims are the given JSON texts (any depth; unsigned-looking signature). */
export function tokenOfJson(headerJson: string, claimsJson: string, signature = 'c2lnbmF0dXJlLW5vdC12ZXJpZmllZA'): string {
  return `${b64(headerJson)}.${b64(claimsJson)}.${signature}`;
}

export const AT_MS = Date.UTC(2026, 10, 27, 12, 0, 0);
const NOW_S = AT_MS / 1000;
const REF = 'abcdefghijklmnopqrst';

/** A user access token with one claim replaced by a hostile JSON value. */
export function userTokenWith(claim: string, valueJson: string): string {
  const base: Record<string, string> = {
    iss: JSON.stringify(`https://${REF}.supabase.co/auth/v1`),
    sub: '"5b7c6a0e-0000-4000-8000-000000000001"',
    aud: '"authenticated"',
    exp: String(NOW_S + 3600),
    iat: String(NOW_S),
    role: '"authenticated"',
    session_id: '"s1"',
    aal: '"aal1"',
    is_anonymous: 'false',
  };
  base[claim] = valueJson;
  const claims = `{${Object.entries(base).map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
  return tokenOfJson('{"alg":"HS256","typ":"JWT"}', claims);
}

/**
 * Captured events of one socket whose apikey, join token, reply reason, system message, token
 * push and HTTP calls carry the given hostile values (JSON text), written by hand into frames.
 */
export function hostileSessionEvents(v: { token: string; valueJson: string; topic: string; reasonJson: string }): CapturedEvent[] {
  const events: CapturedEvent[] = [];
  let seq = 0;
  let time = AT_MS - 60_000;
  const push = (body: CapturedEventBody) => events.push({ ...body, seq: ++seq, time: (time += 100), docId: 'doc', source: 'page' } as CapturedEvent);
  const conn = 'c1';
  const frame = (dir: 'sent' | 'received', text: string) => push({ kind: 'ws-frame', conn, dir, opcode: 'text', text, size: text.length });
  const topic = JSON.stringify(`realtime:${v.topic}`);
  push({ kind: 'ws-connecting', conn, url: `wss://${REF}.supabase.co/realtime/v1/websocket?apikey=${encodeURIComponent(v.token)}&vsn=2.0.0`, protocols: [] });
  push({ kind: 'ws-open', conn, protocol: '', extensions: '' });
  frame('sent', `["1","1",${topic},"phx_join",{"config":{"private":false,"postgres_changes":[]},"access_token":${JSON.stringify(v.token)}}]`);
  frame('received', `["1","1",${topic},"phx_reply",{"status":"error","response":{"reason":${v.reasonJson}}}]`);
  frame('sent', `["2","2",${topic},"phx_join",{"config":{"private":false},"access_token":${v.valueJson}}]`);
  frame('received', `["2","2",${topic},"phx_reply",{"status":"error","response":${v.reasonJson}}]`);
  frame('sent', `["2","3",${topic},"access_token",{"access_token":${v.valueJson}}]`);
  frame('received', `["2",null,${topic},"system",{"extension":"system","status":"error","message":${v.reasonJson},"channel":"x"}]`);
  frame('received', `["2",null,${topic},"system",{"extension":"postgres_changes","status":"error","message":${v.valueJson}}]`);
  frame('received', `["2",null,${topic},"broadcast",{"event":${JSON.stringify(v.topic)},"payload":${v.valueJson}}]`);
  frame('received', `{"topic":${topic},"event":"phx_reply","payload":{"status":"error","response":{"reason":${v.reasonJson}}},"ref":${v.valueJson}}`);
  push({ kind: 'http-request', req: 'r1', method: 'GET', url: `https://${REF}.supabase.co/rest/v1/t?x=${v.topic}`, headers: { authorization: `Bearer ${v.token}`, apikey: v.token }, api: 'fetch' });
  push({ kind: 'http-response', req: 'r1', status: 401, errorBody: `{"message":${v.reasonJson}}` });
  push({ kind: 'http-request', req: 'r2', method: 'POST', url: `https://${REF}.supabase.co/auth/v1/token?grant_type=refresh_token`, headers: {}, api: 'fetch' });
  push({ kind: 'http-response', req: 'r2', status: 400, errorBody: `{"error_description":${v.reasonJson}}` });
  push({ kind: 'ws-close', conn, code: 1000, reason: v.topic, wasClean: true });
  return events;
}
