import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode';
import { describeFrame } from './describe';
import { base64Of } from './test-frames';

const v2 = (frame: unknown[]) => decodeFrame({ opcode: 'text', text: JSON.stringify(frame) }, '2.0.0', 'received');

describe('describeFrame: one line per frame for the frame list', () => {
  it.each([
    {
      name: 'a join',
      decoded: v2(['1', '1', 'realtime:room1', 'phx_join', { config: { private: false } }]),
      expected: { topic: 'realtime:room1', event: 'phx_join', summary: '{"config":{"private":false}}' },
    },
    {
      name: 'an ok reply',
      decoded: v2(['1', '1', 'realtime:room1', 'phx_reply', { status: 'ok', response: { postgres_changes: [] } }]),
      expected: { topic: 'realtime:room1', event: 'phx_reply ok', summary: '{"postgres_changes":[]}' },
    },
    {
      name: 'an error reply with its reason',
      decoded: v2(['1', '1', 'realtime:room1', 'phx_reply', { status: 'error', response: { reason: 'MalformedJWT: The token provided is not a valid JWT' } }]),
      expected: {
        topic: 'realtime:room1',
        event: 'phx_reply error (MalformedJWT: The token provided is not a valid JWT)',
        summary: '{"reason":"MalformedJWT: The token provided is not a valid JWT"}',
      },
    },
    {
      name: 'an error reply whose response is a bare string (§3.5)',
      decoded: v2(['1', '2', 'realtime:room1', 'phx_reply', { status: 'error', response: 'payload_size_exceeded' }]),
      expected: { topic: 'realtime:room1', event: 'phx_reply error (payload_size_exceeded)', summary: '"payload_size_exceeded"' },
    },
    {
      name: 'a kind-4 broadcast',
      decoded: decodeFrame({ opcode: 'binary', base64: base64Of(4, 4, 6, 0, 1, 'rt:x', 'cursor', '{"x":1}') }, '2.0.0', 'received'),
      expected: { topic: 'rt:x', event: 'broadcast · cursor', summary: '{"x":1}' },
    },
    {
      name: 'a kind-3 binary-encoded broadcast',
      decoded: decodeFrame({ opcode: 'binary', base64: base64Of(3, 1, 1, 4, 2, 0, 0, '1', '2', 'rt:x', 'ev', 1, 2, 3) }, '2.0.0', 'sent'),
      expected: { topic: 'rt:x', event: 'broadcast · ev', summary: 'binary 3 bytes' },
    },
    {
      name: 'a text broadcast (V1 or fastlane)',
      decoded: v2([null, null, 'rt:x', 'broadcast', { type: 'broadcast', event: 'msg', payload: { a: 1 } }]),
      expected: { topic: 'rt:x', event: 'broadcast · msg', summary: '{"a":1}' },
    },
    {
      name: 'a system shutdown',
      decoded: v2(['1', null, 'realtime:room1', 'system', { extension: 'system', status: 'error', message: 'Token has expired 0 seconds ago', channel: 'room1' }]),
      expected: { topic: 'realtime:room1', event: 'system', summary: 'error: Token has expired 0 seconds ago' },
    },
    {
      name: 'an undecodable frame',
      decoded: decodeFrame({ opcode: 'text', text: 'nope' }, '2.0.0', 'received'),
      expected: { topic: '', event: '(undecodable)', summary: expect.stringMatching(/^text frame is not JSON/) },
    },
  ])('$name', ({ decoded, expected }) => {
    expect(describeFrame(decoded)).toEqual(expected);
  });

  it('clips long payloads and long reasons', () => {
    const d = describeFrame(v2(['1', '1', 't', 'phx_reply', { status: 'error', response: { reason: 'r'.repeat(500) } }]));
    expect(d.event.length).toBeLessThan(150);
    expect(d.summary.length).toBeLessThanOrEqual(160);
    expect(d.summary.endsWith('…')).toBe(true);
  });

  it('says when only a preview was captured', () => {
    const text = JSON.stringify(['1', '1', 'rt:x', 'big', { blob: 'x'.repeat(200) }]);
    const d = describeFrame(decodeFrame({ opcode: 'text', text: text.slice(0, 40), truncated: true }, '2.0.0', 'received'));
    expect(d).toEqual({ topic: 'rt:x', event: 'big', summary: '(preview only, payload missing)' });
  });
});
