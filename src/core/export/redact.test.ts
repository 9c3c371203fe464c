import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../model';
import { TestDoc } from '../session/test-doc';
import { decodeToken } from '../tokens/decode';
import { legacyKeyClaims, makeTestKeys, mint, userClaims } from '../tokens/testing';
import { canaryForms, scanForCanaries } from './canary-scan';
import { Redactor } from './redact';

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
