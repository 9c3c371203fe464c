// The text Copy and Copy raw put on the clipboard (copy-text.ts): Copy goes through the export's
// redaction (core/export/redact.ts) — no JWT signature, no sb_secret_ key, no refresh token,
// password or other secret value, no e-mail, wherever they sit (a join's access_token, a broadcast's
// payload, a binary frame, a finding's server words) — and a masked frame is the text Export writes
// for it; raw only on request. The canary scan (canary-scan.ts, sharing no code with the redactor)
// looks for each secret in every encoding.

import { describe, expect, it } from 'vitest';
import { scanForCanaries } from '../core/export/canary-scan';
import { Redactor } from '../core/export/redact';
import { decodeFrame } from '../core/realtime';
import { decodeToken } from '../core/tokens/decode';
import { hexDump, type FindingEntry, type FrameEvent } from '../core/session';
import { TestDoc } from '../core/session/test-doc';
import { copyRedactor, findingCopyText, frameCopyText, tokenCopyText } from './copy-text';

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const SIGNATURE = 'Zm9vYmFyYmF6cXV4c2lnbmF0dXJlMTIzNDU2Nzg5MA';
const JWT = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: 'u-1', role: 'authenticated', aud: 'authenticated', exp: 1_700_000_000, iss: 'https://abcdefghijklmnopqrst.supabase.co/auth/v1', session_id: 's', aal: 'aal1', is_anonymous: false })}.${SIGNATURE}`;
const SECRET = 'sb_secret_AbCdEf0123456789_xyzXYZ01';
const REFRESH = 'rt-CANARY-v1r2x3y4z5q';
const PASSWORD = 'pw-CANARY-hunter2-Zq9';
const EMAIL = 'ana.canary@example.org';
const SECRETS = [SIGNATURE, SECRET, REFRESH, PASSWORD, EMAIL];
/** A fixed key, so a copy and an export made with two Redactors can be compared character for character. */
const KEY = new Uint8Array(32).fill(7);
const redactor = () => new Redactor({ key: KEY });

/** realtime-facts §1.4 kind 3 (user_broadcast_push), JSON-encoded user payload. */
function kind3(topic: string, event: string, payload: unknown): string {
  const json = Buffer.from(JSON.stringify(payload));
  const head = Buffer.from([3, 1, 1, topic.length, event.length, 0, 1]);
  return Buffer.concat([head, Buffer.from(`12${topic}${event}`), json]).toString('base64');
}

/** The bytes a hex dump shows, read back from its hex column. */
function dumpBytes(dump: string): Buffer {
  return Buffer.from(
    dump
      .split('\n')
      .map((line) => line.slice(10, 10 + 16 * 3).trim())
      .join(' ')
      .split(/\s+/)
      .filter((h) => h !== '')
      .map((h) => parseInt(h, 16)),
  );
}

const doc = new TestDoc('d1');
const join = doc.text('sent', ['1', '1', 'realtime:room1', 'phx_join', { config: {}, access_token: JWT }]) as FrameEvent;
// An app that sends its session over its own channel: the secrets the old on-screen masking kept.
const session = doc.text('sent', [
  '1',
  '2',
  'realtime:room1',
  'broadcast',
  { type: 'broadcast', event: 'session', payload: { access_token: JWT, refresh_token: REFRESH, password: PASSWORD, note: `signed in as ${EMAIL}` } },
]) as FrameEvent;

describe('frameCopyText', () => {
  it('copies a text frame as Export writes it: no refresh token, password, e-mail or signature; raw untouched', () => {
    const decoded = decodeFrame(session, '2.0.0', 'sent');
    const masked = frameCopyText(session, decoded, 'masked', redactor());
    expect(scanForCanaries(masked, SECRETS)).toEqual([]);
    expect(masked).toContain('"refresh_token":"[redacted]"');
    expect(masked).toContain('"password":"[redacted]"');
    expect(masked).toMatch(/signed in as redacted-[0-9a-f]{10}"/);
    // header and claims stay readable; the signature becomes a placeholder of its length
    expect(masked).toContain(`${JWT.slice(0, JWT.lastIndexOf('.') + 1)}REDACTED`);
    expect(/eyJ[\w-]+\.[\w-]+\.([\w-]+)/.exec(masked)![1]).toHaveLength(SIGNATURE.length);
    // exactly the frame's text in the session file an export with the same key writes
    expect(masked).toBe((redactor().event(session) as FrameEvent).text);
    const raw = frameCopyText(session, decoded, 'raw', redactor());
    expect(raw).toBe(session.text);
    for (const s of [SIGNATURE, REFRESH, PASSWORD, EMAIL]) expect(raw).toContain(s);
  });

  it('the panel’s copies share one Redactor: the same e-mail and token get the same placeholders in every copy', () => {
    const decoded = decodeFrame(session, '2.0.0', 'sent');
    expect(copyRedactor()).toBe(copyRedactor());
    const first = frameCopyText(session, decoded, 'masked');
    expect(frameCopyText(session, decoded, 'masked')).toBe(first);
    const placeholder = /eyJ[\w-]+\.[\w-]+\.([\w-]+)/.exec(first)![1];
    expect(frameCopyText(join, decodeFrame(join, '2.0.0', 'sent'), 'masked')).toContain(placeholder);
    expect(scanForCanaries(first, SECRETS)).toEqual([]);
  });

  it('copies a binary broadcast as its decoded message in JSON, redacted inside the payload', () => {
    const payload = { token: JWT, key: SECRET, refresh_token: REFRESH, email: EMAIL, user_metadata: { full_name: 'Ada Canaryname' } };
    const frame = doc.ev({ kind: 'ws-frame', conn: 'd1:1', dir: 'sent', opcode: 'binary', base64: kind3('realtime:room1', 'note', payload), size: 400 }) as FrameEvent;
    const decoded = decodeFrame(frame, '2.0.0', 'sent');
    expect(decoded.ok).toBe(true);
    const masked = frameCopyText(frame, decoded, 'masked', redactor());
    const parsed = JSON.parse(masked) as { payload: { payload: Record<string, unknown> } };
    expect(parsed).toMatchObject({ topic: 'realtime:room1', user_event: 'note', binary_kind: 3 });
    const user = parsed.payload.payload;
    expect(user.refresh_token).toBe('[redacted]');
    expect(user.email).toMatch(/^redacted-[0-9a-f]{10}$/);
    expect(Object.keys(user.user_metadata as object)).toEqual(['full_name']);
    expect(scanForCanaries(masked, [...SECRETS, 'Ada Canaryname'])).toEqual([]);
    const raw = frameCopyText(frame, decoded, 'raw');
    for (const s of [SIGNATURE, SECRET, REFRESH, EMAIL]) expect(raw).toContain(s);
  });

  it('copies an undecodable binary frame as a hex dump of the bytes Export writes, or its base64 raw', () => {
    const bytes = Buffer.from(`\x09junk ${JWT} refresh_token=${REFRESH}&x=1 ${EMAIL} end`);
    const frame = doc.ev({ kind: 'ws-frame', conn: 'd1:1', dir: 'received', opcode: 'binary', base64: bytes.toString('base64'), size: bytes.length }) as FrameEvent;
    const decoded = decodeFrame(frame, '2.0.0', 'received');
    expect(decoded.ok).toBe(false);
    const masked = frameCopyText(frame, decoded, 'masked', redactor());
    expect(masked.split('\n')[0]).toMatch(/^00000000 {2}09 6a 75 6e 6b/);
    const shown = dumpBytes(masked);
    expect(shown).toHaveLength(bytes.length); // same-length rewrite: offsets stay true
    expect(shown.toString('base64')).toBe((redactor().event(frame) as FrameEvent).base64);
    expect(scanForCanaries(shown.toString('latin1'), SECRETS)).toEqual([]);
    expect(scanForCanaries(masked, SECRETS)).toEqual([]);
    expect(frameCopyText(frame, decoded, 'raw')).toBe(frame.base64);
  });

  it('says a preview is a preview, and removes a signature the cut fell into', () => {
    const text = `["1","1","realtime:room1","phx_join",{"refresh_token":"${REFRESH}","access_token":"${JWT.slice(0, -30)}`;
    const frame = doc.ev({ kind: 'ws-frame', conn: 'd1:1', dir: 'sent', opcode: 'text', text, size: 90_000, truncated: true }) as FrameEvent;
    const masked = frameCopyText(frame, decodeFrame(frame, '2.0.0', 'sent'), 'masked', redactor());
    expect(masked).not.toContain(SIGNATURE.slice(0, 8));
    expect(masked).not.toContain(REFRESH);
    expect(masked).toBe(`${(redactor().event(frame) as FrameEvent).text}\n(only a preview was kept: the frame was 90,000 bytes)`);
  });
});

describe('tokenCopyText', () => {
  it('masked: the label, the token with a placeholder signature, and the decoded claims, personal ones pseudonymised; raw: the token itself', () => {
    const personal = `${JWT.slice(0, JWT.indexOf('.'))}.${b64url({ sub: 'u-2', role: 'authenticated', email: EMAIL, exp: 1_700_000_000, iss: 'https://abcdefghijklmnopqrst.supabase.co/auth/v1' })}.${SIGNATURE}`;
    const token = decodeToken(`Bearer ${personal}`);
    const masked = tokenCopyText(token, 'masked', redactor());
    expect(scanForCanaries(masked, SECRETS)).toEqual([]);
    expect(masked.split('\n')[0]).toBe(`${token.label} · project abcdefghijklmnopqrst`);
    expect(masked.split('\n')[1]).toBe(redactor().string(personal));
    expect(masked).toContain('"role": "authenticated"');
    expect(masked).toMatch(/"email": "redacted-[0-9a-f]{10}"/);
    // the copied token still decodes as the same kind of token, with a signature of the same length
    const copied = decodeToken(masked.split('\n')[1]);
    expect(copied.tokenClass).toBe(token.tokenClass);
    expect(copied.cleaned.split('.')[2]).toHaveLength(SIGNATURE.length);
    expect(tokenCopyText(token, 'raw')).toBe(personal);
  });

  it('keeps only an sb_secret_ key’s prefix', () => {
    const masked = tokenCopyText(decodeToken(SECRET), 'masked', redactor());
    expect(masked).not.toContain(SECRET.slice('sb_secret_'.length, -4));
    expect(masked.split('\n')[1]).toMatch(new RegExp(`^sb_secret_[0-9A-Za-z]{${SECRET.length - 'sb_secret_'.length}}$`));
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
      evidence: { token: decodeToken(JWT).label, frameSeq: session.seq, conn: 'd1:1', topic: 'realtime:room1', serverText: `Token has expired (${JWT}) refresh_token=${REFRESH} for ${EMAIL}` },
    },
  };

  it('writes the finding with its evidence, every secret removed as Export removes it', () => {
    const token = decodeToken(JWT);
    const frame = { event: session, decoded: decodeFrame(session, '2.0.0', 'sent') };
    const masked = findingCopyText(entry, 'masked', { token, frame }, redactor());
    expect(masked.split('\n').slice(0, 3)).toEqual([
      'error token-expired: Token expired',
      'The channel token expired 5 s before the join.',
      'at 2023-11-14T22:13:20.000Z · channel realtime:room1 · socket d1:1',
    ]);
    expect(masked).toContain('Resolved at 2023-11-14T22:14:20.000Z: the channel closed');
    expect(masked).toContain('Fix: Refresh the session before joining.');
    expect(masked).toContain(`Server said: ${redactor().string(entry.finding.evidence.serverText!)}`);
    expect(masked).toContain(`Evidence, frame #${session.seq} (sent, `);
    expect(masked).toContain(`Evidence, token:\n${token.label}`);
    expect(scanForCanaries(masked, SECRETS)).toEqual([]);
    const raw = findingCopyText(entry, 'raw', { token, frame });
    expect(raw).toContain(`Evidence, token:\n${JWT}`);
    expect(raw).toContain(entry.finding.evidence.serverText);
    expect(raw).toContain(session.text);
  });

  it('says which evidence is no longer held instead of leaving it out', () => {
    const text = findingCopyText(entry, 'masked');
    expect(text).toContain(`Evidence, frame #${session.seq}: no longer held by the panel.`);
    expect(text).toContain(`Evidence, token: ${entry.finding.evidence.token} (not visible`);
    expect(scanForCanaries(text, SECRETS)).toEqual([]);
  });
});
