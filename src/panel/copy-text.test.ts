// The text Copy and Copy raw put on the clipboard (copy-text.ts): masked by default through the
// session core's masking — no JWT signature and no whole sb_secret_ key in it, wherever they sit
// (a join's access_token, a binary broadcast, a finding's server words) — and raw only on request.

import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../core/realtime';
import { decodeToken } from '../core/tokens/decode';
import type { FindingEntry, FrameEvent } from '../core/session';
import { TestDoc } from '../core/session/test-doc';
import { findingCopyText, frameCopyText, tokenCopyText } from './copy-text';

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const SIGNATURE = 'Zm9vYmFyYmF6cXV4c2lnbmF0dXJlMTIzNDU2Nzg5MA';
const JWT = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: 'u-1', role: 'authenticated', aud: 'authenticated', exp: 1_700_000_000, iss: 'https://abcdefghijklmnopqrst.supabase.co/auth/v1', session_id: 's', aal: 'aal1', is_anonymous: false })}.${SIGNATURE}`;
const SECRET = 'sb_secret_AbCdEf0123456789_xyzXYZ01';

/** realtime-facts §1.4 kind 3 (user_broadcast_push), JSON-encoded user payload. */
function kind3(topic: string, event: string, payload: unknown): string {
  const json = Buffer.from(JSON.stringify(payload));
  const head = Buffer.from([3, 1, 1, topic.length, event.length, 0, 1]);
  return Buffer.concat([head, Buffer.from(`12${topic}${event}`), json]).toString('base64');
}

const doc = new TestDoc('d1');
const join = doc.text('sent', ['1', '1', 'realtime:room1', 'phx_join', { config: {}, access_token: JWT }]) as FrameEvent;

describe('frameCopyText', () => {
  it('copies a text frame as its wire text with the signature hidden, and raw only when asked', () => {
    const decoded = decodeFrame(join, '2.0.0', 'sent');
    const masked = frameCopyText(join, decoded, 'masked');
    expect(masked).not.toContain(SIGNATURE);
    expect(masked).toContain('…(signature hidden)');
    expect(masked).toContain('"phx_join"');
    expect(masked).toContain(JWT.slice(0, JWT.lastIndexOf('.') + 1)); // header and claims stay readable
    expect(frameCopyText(join, decoded, 'raw')).toBe(join.text);
  });

  it('copies a binary broadcast as its decoded message in JSON, masked inside the payload', () => {
    const frame = doc.ev({ kind: 'ws-frame', conn: 'd1:1', dir: 'sent', opcode: 'binary', base64: kind3('realtime:room1', 'note', { token: JWT, key: SECRET }), size: 400 }) as FrameEvent;
    const decoded = decodeFrame(frame, '2.0.0', 'sent');
    expect(decoded.ok).toBe(true);
    const masked = frameCopyText(frame, decoded, 'masked');
    expect(JSON.parse(masked)).toMatchObject({ topic: 'realtime:room1', user_event: 'note', binary_kind: 3 });
    expect(masked).not.toContain(SIGNATURE);
    expect(masked).not.toContain(SECRET);
    const raw = frameCopyText(frame, decoded, 'raw');
    expect(raw).toContain(SIGNATURE);
    expect(raw).toContain(SECRET);
  });

  it('copies an undecodable binary frame as a masked hex dump, or its base64 raw', () => {
    const bytes = Buffer.from(`\x09junk ${JWT} end`);
    const frame = doc.ev({ kind: 'ws-frame', conn: 'd1:1', dir: 'received', opcode: 'binary', base64: bytes.toString('base64'), size: bytes.length }) as FrameEvent;
    const decoded = decodeFrame(frame, '2.0.0', 'received');
    expect(decoded.ok).toBe(false);
    const masked = frameCopyText(frame, decoded, 'masked');
    expect(masked.split('\n')[0]).toMatch(/^00000000 {2}09 6a 75 6e 6b/);
    expect(masked).toContain('••');
    expect(masked).not.toContain(SIGNATURE.slice(0, 16));
    expect(frameCopyText(frame, decoded, 'raw')).toBe(frame.base64);
  });

  it('says a preview is a preview, and masks a signature the cut fell into', () => {
    const text = `["1","1","realtime:room1","phx_join",{"access_token":"${JWT.slice(0, -30)}`;
    const frame = doc.ev({ kind: 'ws-frame', conn: 'd1:1', dir: 'sent', opcode: 'text', text, size: 90_000, truncated: true }) as FrameEvent;
    const masked = frameCopyText(frame, decodeFrame(frame, '2.0.0', 'sent'), 'masked');
    expect(masked).not.toContain(SIGNATURE.slice(0, 8));
    expect(masked).toMatch(/only a preview was kept: the frame was 90,000 bytes\)$/);
  });
});

describe('tokenCopyText', () => {
  it('masked: the label, the token without its signature, and the decoded claims; raw: the token itself', () => {
    const token = decodeToken(`Bearer ${JWT}`);
    const masked = tokenCopyText(token, 'masked');
    expect(masked).not.toContain(SIGNATURE);
    expect(masked.split('\n')[0]).toBe(`${token.label} · project abcdefghijklmnopqrst`);
    expect(masked).toContain('"role": "authenticated"');
    expect(tokenCopyText(token, 'raw')).toBe(JWT);
  });

  it('masks an sb_secret_ key to a recognisable prefix and suffix', () => {
    const masked = tokenCopyText(decodeToken(SECRET), 'masked');
    expect(masked).not.toContain(SECRET);
    expect(masked).toContain(`sb_secret_…(${SECRET.length} chars)…YZ01`);
    expect(tokenCopyText(decodeToken(SECRET), 'raw')).toBe(SECRET);
  });
});

describe('findingCopyText', () => {
  const entry: FindingEntry = {
    key: 'k',
    state: 'resolved',
    raisedAt: 1_700_000_000_000,
    resolvedAt: 1_700_000_060_000,
    resolvedWhy: 'the channel closed',
    finding: {
      code: 'token-expired',
      severity: 'error',
      message: 'The channel token expired 5 s before the join.',
      cause: 'exp is in the past.',
      fix: 'Refresh the session before joining.',
      time: 1_700_000_000_000,
      evidence: { token: decodeToken(JWT).label, frameSeq: join.seq, conn: 'd1:1', topic: 'realtime:room1', serverText: `Token has expired (${JWT})` },
    },
  };

  it('writes the finding with its evidence, every signature hidden', () => {
    const token = decodeToken(JWT);
    const masked = findingCopyText(entry, 'masked', { token, frame: { event: join, decoded: decodeFrame(join, '2.0.0', 'sent') } });
    expect(masked.split('\n').slice(0, 3)).toEqual([
      'error token-expired: Token expired',
      'The channel token expired 5 s before the join.',
      'at 2023-11-14T22:13:20.000Z · channel realtime:room1 · socket d1:1',
    ]);
    expect(masked).toContain('Resolved at 2023-11-14T22:14:20.000Z: the channel closed');
    expect(masked).toContain('Fix: Refresh the session before joining.');
    expect(masked).toContain(`Evidence, frame #${join.seq} (sent, `);
    expect(masked).toContain(`Evidence, token:\n${token.label}`);
    expect(masked).not.toContain(SIGNATURE);
    const raw = findingCopyText(entry, 'raw', { token, frame: { event: join, decoded: decodeFrame(join, '2.0.0', 'sent') } });
    expect(raw).toContain(`Evidence, token:\n${JWT}`);
    expect(raw).toContain(`Token has expired (${JWT})`);
  });

  it('says which evidence is no longer held instead of leaving it out', () => {
    const text = findingCopyText(entry, 'masked');
    expect(text).toContain(`Evidence, frame #${join.seq}: no longer held by the panel.`);
    expect(text).toContain('Evidence, token: ');
    expect(text).not.toContain(SIGNATURE);
  });
});
