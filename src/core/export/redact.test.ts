import Serializer from '@supabase/realtime-js/dist/module/lib/serializer.js';
import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../model';
import { decodeFrame, type DecodedFrame } from '../realtime';
import { TestDoc } from '../session/test-doc';
import { decodeToken } from '../tokens/decode';
import { legacyKeyClaims, makeTestKeys, mint, userClaims } from '../tokens/testing';
import { canaryForms, scanForCanaries } from './canary-scan';
import { Redactor, type RedactionOptions } from './redact';

const keys = await makeTestKeys();
const NOW = 1_800_000_000;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

// The canaries: each must be gone from the export in every form.
const EMAIL = 'canary.person@example.org';
const PHONE = '+4915112345678';
const PASSWORD = 'pw-CANARY-hunter2-Zq9';
const REFRESH = 'rt-CANARY-v1r2x3y4z5';
const PROVIDER = 'gho_CANARYprovidertoken123';
const SB_SECRET = 'sb_secret_CANARYx0123456789abcdefABCDEF';
const userToken = await mint(keys, { claims: userClaims(NOW, { email: EMAIL, phone: PHONE, user_metadata: { full_name: 'Ada CanaryName', email: EMAIL } }) });
const serviceRole = await mint(keys, { claims: legacyKeyClaims('service_role', NOW) });
const USER_SIG = userToken.split('.')[2];
const SERVICE_SIG = serviceRole.split('.')[2];
const CANARIES = [EMAIL, PHONE, PASSWORD, REFRESH, PROVIDER, SB_SECRET, userToken, USER_SIG, serviceRole, SERVICE_SIG, 'Ada CanaryName'];

/** Phoenix V2 user-broadcast binary frame (kind 4) with a JSON payload. */
function binaryBroadcast(topic: string, event: string, payload: unknown): string {
  const t = Buffer.from(topic);
  const e = Buffer.from(event);
  const p = Buffer.from(JSON.stringify(payload));
  return Buffer.concat([Buffer.from([4, t.length, e.length, 0, 1]), t, e, p]).toString('base64');
}

function plantedEvents(): CapturedEvent[] {
  const d = new TestDoc('doc1');
  const conn = 'doc1:1';
  const events: CapturedEvent[] = [
    d.ev({ kind: 'ws-connecting', conn, url: `wss://abcdefghijklmnopqrst.supabase.co/realtime/v1/websocket?apikey=${serviceRole}&vsn=2.0.0`, protocols: [] }),
    d.text('sent', ['1', '1', 'realtime:room1', 'phx_join', { config: {}, access_token: userToken }]),
    d.text('received', ['1', null, 'realtime:room1', 'presence_diff', { joins: { u1: { metas: [{ email: EMAIL, user_metadata: { full_name: 'Ada CanaryName' } }] } } }]),
    // JSON inside a JSON string, and base64 JSON inside a payload
    d.text('received', [null, null, 'realtime:room1', 'broadcast', { payload: { nested: JSON.stringify({ refresh_token: REFRESH, note: `mail ${EMAIL}` }), blob: b64(JSON.stringify({ password: PASSWORD })) } }]),
    // a preview cut mid-JSON
    d.ev({ kind: 'ws-frame', conn, dir: 'received', opcode: 'text', text: `[null,null,"realtime:room1","broadcast",{"refresh_token":"${REFRESH}","provider_token":"${PROVIDER}","email":"${EMAIL}","tok":"${userToken}`, size: 9000, truncated: true }),
    d.ev({ kind: 'ws-frame', conn, dir: 'sent', opcode: 'binary', base64: binaryBroadcast('realtime:room1', 'msg', { access_token: userToken, email: EMAIL, password: PASSWORD, key: SB_SECRET }), size: 100 }),
    d.ev({ kind: 'http-request', req: 'r1', method: 'POST', url: `https://abcdefghijklmnopqrst.supabase.co/auth/v1/token?grant_type=password&email=${encodeURIComponent(EMAIL)}&password=${encodeURIComponent(PASSWORD)}`, headers: { authorization: `Bearer ${userToken}`, apikey: SB_SECRET }, api: 'fetch' }),
    d.ev({ kind: 'http-response', req: 'r1', status: 200, grant: { access_token: userToken, expires_in: 3600 } }),
    d.ev({ kind: 'http-response', req: 'r2', status: 400, errorBody: JSON.stringify({ error: 'invalid_grant', refresh_token: REFRESH, user: { email: EMAIL, phone: PHONE, identities: [{ identity_data: { email: EMAIL, name: 'Ada CanaryName' } }] }, code_verifier: 'cv-CANARY' }) }),
    d.ev({ kind: 'net', url: `https://app.example.com/callback#access_token=${userToken}&refresh_token=${REFRESH}&provider_token=${PROVIDER}&provider_refresh_token=${PROVIDER}x`, resourceType: 'other', method: 'GET' }),
    d.ev({ kind: 'ws-close', conn, code: 4000, reason: `bye ${b64url(JSON.stringify({ refresh_token: REFRESH }))}`, wasClean: true }),
  ];
  return events;
}

describe('Redactor', () => {
  it('removes every canary, in every form, from every kind of event', () => {
    const raw = JSON.stringify(plantedEvents());
    // The scanner sees the canaries before redaction (it is not blind).
    for (const c of [EMAIL, PASSWORD, REFRESH, SB_SECRET, USER_SIG, SERVICE_SIG]) expect(scanForCanaries(raw, [c]).length).toBeGreaterThan(0);
    const r = new Redactor();
    const out = JSON.stringify(plantedEvents().map((e) => r.event(e)));
    expect(scanForCanaries(out, CANARIES)).toEqual([]);
    const report = r.report();
    expect(report.jwtSignatures).toBeGreaterThan(5);
    expect(report.secretKeys).toBeGreaterThan(0);
    expect(report.secretValues).toBeGreaterThan(5);
    expect(report.personalData).toBeGreaterThan(5);
  });

  it('the scanner finds canaries inside larger base64 blobs at every alignment', () => {
    for (const pad of ['', 'x', 'xy']) {
      expect(scanForCanaries(b64(`${pad}{"password":"${PASSWORD}"}`), [PASSWORD]).length).toBeGreaterThan(0);
      expect(scanForCanaries(b64url(`${pad}${PASSWORD}!`), [PASSWORD]).length).toBeGreaterThan(0);
    }
    expect(canaryForms('a b/c').map((f) => f.form)).toEqual(expect.arrayContaining(['url-encoded', 'form-encoded']));
  });

  it('keeps each JWT a decodable token with the same header and non-personal claims, signature replaced at the same length', () => {
    const r = new Redactor();
    const [redacted] = r.string(`Bearer ${userToken}`).split(' ').slice(1);
    const before = decodeToken(userToken);
    const after = decodeToken(redacted);
    expect(after.form).toBe('jwt');
    expect(after.problem).toBeUndefined();
    expect(after.header).toEqual(before.header);
    expect(after.claims!.role).toBe('authenticated');
    expect(after.claims!.exp).toBe(before.claims!.exp);
    expect(after.claims!.email).toMatch(/^redacted-[0-9a-f]{10}$/);
    expect((after.claims!.user_metadata as Record<string, string>).full_name).toMatch(/^redacted-/);
    expect(redacted.split('.')[2]).toHaveLength(USER_SIG.length);
    expect(redacted.split('.')[2]).toMatch(/^REDACTED/);
    // the service-role key stays a service-role key (the finding that it is in the browser survives)
    expect(decodeToken(new Redactor().string(serviceRole)).tokenClass).toBe(decodeToken(serviceRole).tokenClass);
  });

  it('pseudonyms are stable within one export and differ across exports', () => {
    const r1 = new Redactor();
    const a = r1.json({ email: EMAIL }) as { email: string };
    const b = r1.string(`contact ${EMAIL.toUpperCase()}`);
    expect(b).toBe(`contact ${a.email}`);
    const c = new Redactor().json({ email: EMAIL }) as { email: string };
    expect(c.email).not.toBe(a.email);
  });

  it('rewrites binary frames at the same byte length (the V2 header lengths stay true)', () => {
    const r = new Redactor();
    const frame = binaryBroadcast('realtime:room1', 'msg', { access_token: userToken, email: EMAIL, password: PASSWORD });
    const out = r.binary(frame);
    expect(out).not.toBe(frame);
    expect(Buffer.from(out, 'base64').length).toBe(Buffer.from(frame, 'base64').length);
    const payload = JSON.parse(Buffer.from(out, 'base64').subarray(5 + 'realtime:room1'.length + 3).toString('utf8'));
    expect(payload.password).toMatch(/^\*+$/);
    expect(decodeToken(payload.access_token).form).toBe('jwt');
  });

  it('can keep personal data when asked, never secrets', () => {
    const r = new Redactor({ includePersonalData: true });
    const out = JSON.stringify(plantedEvents().map((e) => r.event(e)));
    expect(out).toContain(EMAIL);
    expect(scanForCanaries(out, [PASSWORD, REFRESH, SB_SECRET, USER_SIG, SERVICE_SIG, PROVIDER])).toEqual([]);
  });

  it('leaves harmless text alone', () => {
    const r = new Redactor();
    const frame = JSON.stringify(['1', '2', 'realtime:room1', 'phx_reply', { status: 'ok', response: { postgres_changes: [] } }]);
    expect(r.string(frame)).toBe(frame);
    expect(r.string('wss://x.supabase.co/realtime/v1/websocket?apikey=sb_publishable_abc123&vsn=2.0.0')).toBe('wss://x.supabase.co/realtime/v1/websocket?apikey=sb_publishable_abc123&vsn=2.0.0');
    expect(r.report()).toEqual({ jwtSignatures: 0, secretKeys: 0, secretValues: 0, personalData: 0 });
  });
});

describe('redactPayloadValues (the export option "also redact payload values")', () => {
  const secretNote = 'the-app-payload-CANARY-8e1f';
  const conn = 'doc2:1';
  const d = new TestDoc('doc2');
  const events: CapturedEvent[] = [
    d.text('sent', ['1', '1', 'realtime:room1', 'phx_join', { config: {}, access_token: userToken }]),
    d.text('received', ['1', '1', 'realtime:room1', 'phx_reply', { status: 'error', response: { reason: 'InvalidJWTToken: Token has expired 5 seconds ago' } }]),
    d.text('received', [null, null, 'realtime:room1', 'broadcast', { type: 'broadcast', event: 'chat', payload: { note: secretNote, n: 42, ok: true, tags: ['a', secretNote] } }]),
    d.text('received', [null, null, 'realtime:room1', 'presence_diff', { joins: { alice: { metas: [{ phx_ref: 'F1', status: secretNote }] } }, leaves: {} }]),
    d.ev({ kind: 'ws-frame', conn, dir: 'received', opcode: 'binary', base64: binaryBroadcast('realtime:room1', 'chat', { note: secretNote }), size: 0 }),
  ];

  it('masks application payload values by type, keeps keys, protocol fields and auth frames', () => {
    const r = new Redactor({ key: new Uint8Array(32), redactPayloadValues: true });
    const out = events.map((e) => r.event(e));
    const text = JSON.stringify(out);
    expect(scanForCanaries(text, [secretNote])).toEqual([]);
    // Keys and types stay; protocol fields (type, event) stay.
    expect(JSON.parse((out[2] as { text: string }).text)[4]).toEqual({ type: 'broadcast', event: 'chat', payload: { note: '[redacted]', n: 0, ok: false, tags: ['[redacted]', '[redacted]'] } });
    expect(JSON.parse((out[3] as { text: string }).text)[4].joins.alice.metas[0]).toEqual({ phx_ref: '[redacted]', status: '[redacted]' });
    // The binary broadcast keeps its header (topic, event) and its JSON payload's keys.
    const bin = Buffer.from((out[4] as { base64: string }).base64, 'base64');
    expect(bin.subarray(0, 5)).toEqual(Buffer.from([4, 14, 4, 0, 1]));
    expect(bin.subarray(5).toString()).toBe('realtime:room1chat{"note":"[redacted]"}');
    expect((out[4] as { size: number }).size).toBe(bin.length);
    // Auth frames are untouched by this option (their secrets go by the default redaction).
    expect((out[1] as { text: string }).text).toBe((events[1] as { text: string }).text);
    expect((out[0] as { text: string }).text).toContain('phx_join');
    expect(r.report().payloadValues).toBe(8);
    // Without the option the payload travels (pseudonymised only where it is personal data).
    const plain = new Redactor({ key: new Uint8Array(32) });
    expect(scanForCanaries(JSON.stringify(events.map((e) => plain.event(e))), [secretNote]).length).toBeGreaterThan(0);
    expect(plain.report().payloadValues).toBeUndefined();
  });
});

// V2 binary user broadcasts (kind 3 sent by realtime-js 2.x for every channel.send, kind 4 received;
// realtime-facts §1.4): Export redacts them by the rules a text frame with the same JSON gets, not
// only the byte patterns — user_metadata values and a phone written as a number went out as captured.
describe('V2 binary broadcasts (kinds 3 and 4) in Export', () => {
  const KEY = new Uint8Array(32).fill(7);
  const PHONE_NUMBER = 4915112345678;
  const FULL_NAME = 'Ada CanaryName';
  const profile = {
    user: { email: EMAIL, phone: PHONE_NUMBER, user_metadata: { full_name: FULL_NAME, avatar_url: 'https://example.org/a.png' } },
    session: { refresh_token: REFRESH, access_token: userToken },
    note: `write to ${EMAIL}`,
  };
  const FRAME_CANARIES = [EMAIL, String(PHONE_NUMBER), FULL_NAME, REFRESH, USER_SIG];

  /** Kind 4 as the server fans it out: no refs, empty metadata, JSON payload (encoding 1). */
  function kind4(topic: string, event: string, payload: unknown, metadata = ''): string {
    const t = Buffer.from(topic);
    const e = Buffer.from(event);
    const m = Buffer.from(metadata);
    const p = Buffer.from(JSON.stringify(payload));
    return Buffer.concat([Buffer.from([4, t.length, e.length, m.length, 1]), t, e, m, p]).toString('base64');
  }

  /** Kind 3 exactly as realtime-js 2.119 writes channel.send() (its own serializer), metadata keys allowed. */
  function kind3(topic: string, event: string, payload: unknown, meta: Record<string, unknown> = {}): string {
    const serializer = new Serializer(Object.keys(meta).length ? Object.keys(meta) : undefined);
    let wire: ArrayBuffer | undefined;
    serializer.encode({ join_ref: '3', ref: '12', topic, event: 'broadcast', payload: { type: 'broadcast', event, payload, ...meta } }, (out: ArrayBuffer | string) => (wire = out as ArrayBuffer));
    return Buffer.from(wire!).toString('base64');
  }

  function frameEvent(dir: 'sent' | 'received', base64: string, extra: Partial<{ truncated: boolean; size: number }> = {}): CapturedEvent {
    return new TestDoc('doc3').ev({ kind: 'ws-frame', conn: 'doc3:1', dir, opcode: 'binary', base64, size: Buffer.from(base64, 'base64').length, ...extra });
  }

  function exported(event: CapturedEvent, options: RedactionOptions = { key: KEY }): { event: CapturedEvent & { base64: string; size: number }; decoded: DecodedFrame & { ok: true } } {
    const out = new Redactor(options).event(event) as CapturedEvent & { base64: string; size: number };
    const decoded = decodeFrame(out as never, '2.0.0', (event as { dir: 'sent' | 'received' }).dir);
    if (!decoded.ok) throw new Error(`the exported frame does not decode: ${decoded.reason}`);
    return { event: out, decoded };
  }

  /** What Export writes for the same message in a V2 text frame (same key: same pseudonyms), as JSON. */
  function asTextFrame(decoded: DecodedFrame & { ok: true }, options: RedactionOptions = { key: KEY }): unknown {
    const m = decoded.message;
    const text = JSON.stringify([m.joinRef, m.ref, m.topic, m.event, m.payload]);
    return JSON.parse(new Redactor(options).string(text))[4];
  }

  it.each([
    ['kind 4 (received)', 'received', () => kind4('realtime:room1', 'profile', profile)],
    ['kind 3 (sent by realtime-js)', 'sent', () => kind3('realtime:room1', 'profile', profile, { persist: true, email: EMAIL })],
  ] as const)('%s: the decoded frame holds pseudonyms and placeholders where a text frame would, and still decodes', (_name, dir, make) => {
    const captured = frameEvent(dir, make());
    const before = decodeFrame(captured as never, '2.0.0', dir);
    if (!before.ok) throw new Error(before.reason);
    // The scanner sees every canary in the capture (it is not blind)…
    for (const c of FRAME_CANARIES) expect(scanForCanaries(JSON.stringify(before.message), [c]).length).toBeGreaterThan(0);

    const { event, decoded } = exported(captured);
    // …and none in the export, neither in its base64 nor in what it decodes to.
    expect(scanForCanaries(JSON.stringify(event), FRAME_CANARIES)).toEqual([]);
    expect(scanForCanaries(JSON.stringify(decoded), FRAME_CANARIES)).toEqual([]);
    expect(decoded.notes).toBeUndefined();
    expect(decoded.binaryKind).toBe(dir === 'sent' ? 3 : 4);
    expect(decoded.message.topic).toBe('realtime:room1');
    expect(decoded.userEvent).toBe('profile');

    const payload = (decoded.message.payload as { payload: typeof profile }).payload;
    expect(payload.user.email).toMatch(/^redacted-[0-9a-f]{10}$/);
    expect(payload.user.phone).toMatch(/^redacted-[0-9a-f]{10}$/);
    expect(payload.user.user_metadata.full_name).toMatch(/^redacted-[0-9a-f]{10}$/);
    expect(payload.session.refresh_token).toBe('[redacted]');
    const token = decodeToken(payload.session.access_token);
    expect(token.form).toBe('jwt');
    expect(token.claims!.role).toBe('authenticated');
    expect(payload.session.access_token.split('.')[2]).toMatch(/^REDACTED/);
    expect(payload.note).toBe(`write to ${payload.user.email}`);
    if (dir === 'sent') {
      expect(decoded.message.joinRef).toBe('3');
      expect(decoded.message.ref).toBe('12');
      expect(decoded.metadata).toEqual({ persist: true, email: payload.user.email });
    }
    // The same rules as the same message in a text frame, value for value.
    expect(decoded.message.payload).toEqual(asTextFrame(before));
    // The size stays the captured frame's (the wire frame), though the bytes changed length.
    expect(event.size).toBe(captured.kind === 'ws-frame' ? captured.size : -1);
    expect(Buffer.from(event.base64, 'base64').length).not.toBe(event.size);
  });

  it('a redacted kind-4 frame decodes with realtime-js 2.119 itself (its _binaryDecode), metadata included', () => {
    const { event } = exported(frameEvent('received', kind4('realtime:room1', 'profile', profile, JSON.stringify({ persist: true, email: EMAIL }))));
    const wire = Buffer.from(event.base64, 'base64');
    let message: { topic: string; event: string; payload: { type: string; event: string; payload: typeof profile; meta?: { email: string } } } | undefined;
    new Serializer().decode(wire.buffer.slice(wire.byteOffset, wire.byteOffset + wire.length), (m: typeof message) => (message = m));
    expect(message!.topic).toBe('realtime:room1');
    expect(message!.event).toBe('broadcast');
    expect(message!.payload.event).toBe('profile');
    expect(message!.payload.payload.user.user_metadata.full_name).toMatch(/^redacted-/);
    expect(message!.payload.meta!.email).toBe(message!.payload.payload.user.email);
    expect(scanForCanaries(JSON.stringify(message), FRAME_CANARIES)).toEqual([]);
  });

  it('includePersonalData keeps the personal values, never the secrets', () => {
    const { decoded } = exported(frameEvent('received', kind4('realtime:room1', 'profile', profile)), { key: KEY, includePersonalData: true });
    const payload = (decoded.message.payload as { payload: typeof profile }).payload;
    expect(payload.user).toEqual(profile.user);
    expect(payload.note).toBe(profile.note);
    expect(payload.session.refresh_token).toBe('[redacted]');
    expect(scanForCanaries(JSON.stringify(decoded), [REFRESH, USER_SIG])).toEqual([]);
  });

  it('with payload values redacted, the broadcast still decodes and carries no value', () => {
    const { decoded } = exported(frameEvent('sent', kind3('realtime:room1', 'profile', profile)), { key: KEY, redactPayloadValues: true });
    expect((decoded.message.payload as { payload: unknown }).payload).toEqual({
      user: { email: '[redacted]', phone: '[redacted]', user_metadata: { full_name: '[redacted]', avatar_url: '[redacted]' } },
      session: { refresh_token: '[redacted]', access_token: '[redacted]' },
      note: '[redacted]',
    });
  });

  it('a header field the JSON rules would push past 255 bytes goes byte for byte (same length), and the frame still decodes', () => {
    const emails = Array.from({ length: 14 }, (_, i) => `u${i}@ex.org`);
    const metadata = JSON.stringify({ persist: true, cc: emails });
    expect(metadata.length).toBeLessThan(256);
    const { decoded } = exported(frameEvent('received', kind4('realtime:room1', 'profile', profile, metadata)));
    const meta = decoded.metadata as { cc: string[] };
    expect(JSON.stringify(meta).length).toBe(metadata.length);
    for (const e of emails) expect(meta.cc).not.toContain(e);
    expect((decoded.message.payload as { payload: typeof profile }).payload.user.user_metadata.full_name).toMatch(/^redacted-/);
  });

  it('a frame that does not decode, and a preview, keep the byte-for-byte rewrite', () => {
    // kind 4 whose header announces a 200-byte topic in a shorter frame: no layout to rewrite by
    const bad = Buffer.concat([Buffer.from([4, 200, 3, 0, 1]), Buffer.from(`realtime:room1{"password":"${PASSWORD}","email":"${EMAIL}"}`)]).toString('base64');
    const r = new Redactor({ key: KEY });
    const out = r.event(frameEvent('received', bad)) as { base64: string };
    expect(out.base64).toBe(new Redactor({ key: KEY }).binary(bad));
    expect(Buffer.from(out.base64, 'base64').length).toBe(Buffer.from(bad, 'base64').length);
    expect(scanForCanaries(out.base64, [PASSWORD, EMAIL])).toEqual([]);

    const preview = kind4('realtime:room1', 'profile', profile).slice(0, 120);
    const cut = new Redactor({ key: KEY }).event(frameEvent('received', preview, { truncated: true, size: 900 })) as { base64: string; size: number };
    expect(cut.base64).toBe(new Redactor({ key: KEY }).binary(preview));
    expect(cut.size).toBe(900);
  });

  it('a broadcast with nothing to redact is written as captured', () => {
    const plain = kind3('realtime:room1', 'cursor', { x: 1, y: 2 });
    expect((new Redactor({ key: KEY }).event(frameEvent('sent', plain)) as { base64: string }).base64).toBe(plain);
  });
});
