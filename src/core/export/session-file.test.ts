// The session file (issue 13 items 1, 5, 6): every export validates against the shipped schema,
// carries no canary, and a round trip — recorded real supabase-js traffic → Session → export →
// import → Session — gives the same finding codes.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Serializer from '@supabase/realtime-js/dist/module/lib/serializer.js';
import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../model';
import { trackRealtime } from '../realtime';
import { Session } from '../session';
import { TestDoc } from '../session/test-doc';
import { makeTestKeys, mint, userClaims } from '../tokens/testing';
import { allFixtures, findingCodes, recordedSecrets, replayFixture } from '../session/fixtures.testing';
import { scanForCanaries } from './canary-scan';
import { exportSession, importFile, openImported, SESSION_SCHEMA, validateAgainst, type SessionFileV1 } from './index';

const fixtures = allFixtures();

function exportOf(session: Session): SessionFileV1 {
  return exportSession(session.snapshot(), { extensionVersion: '0.0.0-test', browser: 'Chromium 156', userAgent: 'test', settings: { secretSupplied: true } });
}

describe('session file', () => {
  it('docs/session.schema.json is the schema the code validates with', () => {
    const shipped = JSON.parse(readFileSync(resolve(__dirname, '../../../docs/session.schema.json'), 'utf8'));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(SESSION_SCHEMA)));
  });

  it.each(fixtures.map((fx) => [fx.name, fx] as const))('%s: export validates, leaks no signature, and imports back to the same finding codes', async (_name, fx) => {
    const session = await replayFixture(fx);
    const file = exportOf(session);
    const text = JSON.stringify(file);
    expect(validateAgainst(JSON.parse(text))).toEqual([]);
    expect(file.format).toBe('claimscope-session');
    expect(file.environment.analysedAt).toBe(fx.now);
    const secrets = recordedSecrets(fx);
    expect(scanForCanaries(text, secrets)).toEqual([]);

    const imported = importFile(text);
    if ('error' in imported) throw new Error(imported.error);
    expect(imported.meta.analyseAt).toBe(fx.now);
    const again = await openImported(imported);
    expect(findingCodes(again)).toEqual(findingCodes(session));
    // …and the re-export of the import still validates
    expect(validateAgainst(JSON.parse(JSON.stringify(exportOf(again))))).toEqual([]);
  });

  it.each(fixtures.map((fx) => [fx.name, fx] as const))('%s with payload values redacted: still valid, the same finding codes, and it says so', async (_name, fx) => {
    const session = await replayFixture(fx);
    const file = exportSession(session.snapshot(), { extensionVersion: '0.0.0-test', redactPayloadValues: true });
    const text = JSON.stringify(file);
    expect(validateAgainst(JSON.parse(text))).toEqual([]);
    expect(file.redaction.payloadValues).toBe('redacted');
    // The healthy session's broadcasts and presence are application data: masked.
    if (fx.name === 'subscribe') expect(file.redaction.removed.payloadValues).toBeGreaterThan(0);
    const imported = importFile(text);
    if ('error' in imported) throw new Error(imported.error);
    expect(findingCodes(await openImported(imported))).toEqual(findingCodes(session));
  });

  it('writes findings with their history and resolvable evidence references', async () => {
    const fx = fixtures.find((f) => f.name === 'expired-token')!;
    const file = exportOf(await replayFixture(fx));
    expect(file.findings.length).toBeGreaterThan(0);
    for (const f of file.findings) {
      expect(['active', 'resolved']).toContain(f.state);
      for (const r of f.refs) expect(file.events.some((e) => e.docId === r.docId && e.seq === r.seq)).toBe(true);
    }
    expect(file.findings.some((f) => f.refs.length > 0)).toBe(true);
    expect(file.tokens.length).toBeGreaterThan(0);
    for (const t of file.tokens) expect(JSON.stringify(t)).not.toMatch(/signature"\s*:\s*"[A-Za-z0-9_-]{20,}/);
    expect(file.analysisSettings).toEqual({ secretSupplied: true, jwksSupplied: false, claimValidators: null, projectUrl: null });
    expect(file.environment.clientVersions).toEqual([{ name: 'realtime protocol (vsn)', version: '2.0.0' }]);
    expect(file.environment.inspectedOrigin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(file.connections.every((c) => c.frameSeqs.length === c.framesSent + c.framesReceived || c.frameSeqs.length <= c.framesSent + c.framesReceived)).toBe(true);
  });

  it('the validator reports what is wrong', () => {
    expect(validateAgainst({ format: 'claimscope-session' })[0]).toMatch(/missing "version"/);
    const fx = fixtures[0];
    const file = JSON.parse(JSON.stringify(exportOf(new Session({ tabId: fx.tabId })))) as Record<string, any>;
    expect(validateAgainst(file)).toEqual([]);
    file.events = [{ kind: 'ws-frame', seq: 1, time: 1, docId: 'd', source: 'page', conn: 'd:1', dir: 'sideways', opcode: 'text', size: 1 }];
    expect(validateAgainst(file).join()).toMatch(/\$\.events\[0\]\.dir: must be one of/);
    file.events = [{ kind: 'teleport', seq: 1, time: 1, docId: 'd', source: 'page' }];
    expect(validateAgainst(file).join()).toMatch(/unknown kind "teleport"/);
  });

  it('V2 binary broadcasts with personal data (kind 3 sent, kind 4 received): exported redacted, imported, decoded and analysed like the capture', async () => {
    const keys = await makeTestKeys();
    const now = 1_800_000_000;
    const token = await mint(keys, { claims: userClaims(now) });
    const email = 'round.trip.canary@example.org';
    const profile = { user: { email, phone: 4915187654321, user_metadata: { full_name: 'Grace RoundTripCanary' } }, refresh_token: 'rt-ROUNDTRIP-canary-42', access_token: token };
    const canaries = [email, '4915187654321', 'Grace RoundTripCanary', 'rt-ROUNDTRIP-canary-42', token.split('.')[2]];
    let sent: ArrayBuffer | undefined;
    new Serializer().encode({ join_ref: '1', ref: '2', topic: 'realtime:room1', event: 'broadcast', payload: { type: 'broadcast', event: 'profile', payload: profile } }, (out: ArrayBuffer | string) => (sent = out as ArrayBuffer));
    const topic = Buffer.from('realtime:room1');
    const received = Buffer.concat([Buffer.from([4, topic.length, 7, 0, 1]), topic, Buffer.from('profile'), Buffer.from(JSON.stringify(profile))]);
    const d = new TestDoc('docRT');
    const conn = 'docRT:1';
    const binary = (dir: 'sent' | 'received', bytes: Buffer): CapturedEvent => d.ev({ kind: 'ws-frame', conn, dir, opcode: 'binary', base64: bytes.toString('base64'), size: bytes.length });
    d.time = now * 1000;
    const events: CapturedEvent[] = [
      d.ev({ kind: 'ws-connecting', conn, url: 'wss://abcdefghijklmnopqrst.supabase.co/realtime/v1/websocket?apikey=sb_publishable_0123456789abcdef&vsn=2.0.0', protocols: [] }),
      d.ev({ kind: 'ws-open', conn, protocol: '', extensions: '' }),
      d.text('sent', ['1', '1', 'realtime:room1', 'phx_join', { config: { broadcast: { ack: false, self: true } }, access_token: token }]),
      d.text('received', ['1', '1', 'realtime:room1', 'phx_reply', { status: 'ok', response: { postgres_changes: [] } }]),
      binary('sent', Buffer.from(sent!)),
      binary('received', received),
    ];
    const session = new Session({ tabId: 7 });
    session.applyLocal(events);
    await session.analyse(now * 1000 + 1000);

    const text = JSON.stringify(exportOf(session));
    expect(scanForCanaries(text, canaries)).toEqual([]);
    const imported = importFile(text);
    if ('error' in imported) throw new Error(imported.error);
    const again = await openImported(imported);
    expect(findingCodes(again)).toEqual(findingCodes(session));

    // The imported broadcasts decode as kinds 3 and 4 on the joined channel, pseudonyms in place.
    const before = trackRealtime(events);
    const after = trackRealtime(imported.events);
    expect(after.undecodable).toBe(0);
    expect(after.channels.map((c) => [c.key.topic, c.phase, c.frameCount])).toEqual(before.channels.map((c) => [c.key.topic, c.phase, c.frameCount]));
    const broadcasts = after.frames.filter((f) => f.opcode === 'binary');
    expect(broadcasts.map((f) => f.decoded.ok && f.decoded.binaryKind)).toEqual([3, 4]);
    for (const f of broadcasts) {
      if (!f.decoded.ok) throw new Error(f.decoded.reason);
      expect(f.channel?.topic).toBe('realtime:room1');
      const user = (f.decoded.message.payload as { payload: typeof profile }).payload.user;
      expect(user.email).toMatch(/^redacted-[0-9a-f]{10}$/);
      expect(user.user_metadata.full_name).toMatch(/^redacted-[0-9a-f]{10}$/);
      expect(scanForCanaries(JSON.stringify(f.decoded), canaries)).toEqual([]);
    }
  });
});
