// Import of HARs (Chrome DevTools: frame times in seconds; Playwright recordHar: milliseconds) and
// of corrupt or foreign files: one clear line, never a throw.

import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../model';
import { Session } from '../session';
import { loadFixture, replayFixture, type RecordedFixture } from '../session/fixtures.testing';
import { exportSession, importFile, openImported } from './index';


/** A HAR as Chrome DevTools (unit 's') or Playwright (unit 'ms') writes it, from captured events. */
function harOf(events: readonly CapturedEvent[], unit: 's' | 'ms', creator = unit === 's' ? 'WebInspector' : 'Playwright'): string {
  const entries: unknown[] = [];
  const byConn = new Map<string, { entry: Record<string, any>; msgs: unknown[] }>();
  const reqs = new Map<string, Record<string, any>>();
  for (const e of events) {
    if (e.kind === 'ws-connecting') {
      const entry: Record<string, any> = { startedDateTime: new Date(e.time).toISOString(), time: 0, _resourceType: 'websocket', request: { method: 'GET', url: e.url, headers: [] }, response: { status: 0, headers: [] } };
      const rec = { entry, msgs: [] as unknown[] };
      entry._webSocketMessages = rec.msgs;
      byConn.set(e.conn, rec);
      entries.push(entry);
    } else if (e.kind === 'ws-open') {
      byConn.get(e.conn)!.entry.response.status = 101;
    } else if (e.kind === 'net' && e.resourceType === 'websocket' && e.date) {
      for (const rec of byConn.values()) if (rec.entry.request.url === e.url) rec.entry.response.headers = [{ name: 'Date', value: e.date }];
    } else if (e.kind === 'ws-frame') {
      const rec = byConn.get(e.conn);
      if (!rec) continue;
      rec.msgs.push({ type: e.dir === 'sent' ? 'send' : 'receive', time: unit === 's' ? e.time / 1000 : e.time, opcode: e.opcode === 'text' ? 1 : 2, data: e.opcode === 'text' ? e.text : e.base64 });
    } else if (e.kind === 'http-request') {
      const headers = Object.entries(e.headers).map(([name, value]) => ({ name, value }));
      const entry = { startedDateTime: new Date(e.time).toISOString(), time: 5, request: { method: e.method, url: e.url, headers }, response: { status: 0, headers: [], content: { text: '' } } };
      reqs.set(e.req, entry);
      entries.push(entry);
    } else if (e.kind === 'http-response') {
      const entry = reqs.get(e.req);
      if (!entry) continue;
      entry.response.status = e.status;
      if (e.date) entry.response.headers.push({ name: 'date', value: e.date });
      entry.response.content.text = e.errorBody ?? (e.grant ? JSON.stringify({ ...e.grant, refresh_token: 'never-kept' }) : '');
    }
  }
  return JSON.stringify({ log: { version: '1.2', creator: { name: creator, version: '1' }, entries } });
}

async function liveCodes(fx: RecordedFixture): Promise<string[]> {
  return codesOf(await replayFixture(fx));
}

function codesOf(s: Session): string[] {
  const a = s.snapshot().analysis;
  if (a.kind !== 'done') throw new Error(a.kind);
  return [...new Set(a.result.analysis.findings.map((f) => f.code))].sort();
}

describe('importFile: HAR', () => {
  it.each(['s', 'ms'] as const)('reads WebSocket frames with times in %s and analyses like the capture', async (unit) => {
    const fx = loadFixture('expired-token');
    const har = harOf(fx.events, unit);
    const imported = importFile(har);
    if ('error' in imported) throw new Error(imported.error);
    expect(imported.meta.kind).toBe('har');
    const frames = imported.events.filter((e) => e.kind === 'ws-frame');
    expect(frames.length).toBe(fx.events.filter((e) => e.kind === 'ws-frame').length);
    // times come back in ms whatever the unit
    const first = fx.events.find((e) => e.kind === 'ws-frame')!;
    expect(Math.abs(frames[0].time - first.time)).toBeLessThanOrEqual(1);
    const session = await openImported(imported);
    const codes = codesOf(session);
    expect(codes).toEqual(expect.arrayContaining(['server-join-rejected', 'token-expired']));
    expect(codes).toEqual(await liveCodes(fx));
  });

  it('keeps the token grant of /auth/v1/token but never its refresh token', () => {
    const fx = loadFixture('signout-publishable');
    const imported = importFile(harOf(fx.events, 's'));
    if ('error' in imported) throw new Error(imported.error);
    expect(JSON.stringify(imported.events)).not.toContain('never-kept');
  });

  it('says when a HAR has sockets without frames (Firefox, Playwright .zip mode)', () => {
    const har = { log: { creator: { name: 'Firefox' }, entries: [{ startedDateTime: new Date(1_800_000_000_000).toISOString(), time: 3, request: { url: 'wss://x.supabase.co/realtime/v1/websocket?vsn=2.0.0', method: 'GET', headers: [] }, response: { status: 101, headers: [] } }] } };
    const imported = importFile(JSON.stringify(har));
    if ('error' in imported) throw new Error(imported.error);
    expect(imported.meta.warnings.join()).toMatch(/no frames .*\.zip mode/);
  });
});

describe('importFile: corrupt or foreign input', () => {
  const fx = loadFixture('subscribe');
  const session = new Session({ tabId: 1 });
  session.applyLocal(fx.events);
  const good = JSON.stringify(exportSession(session.snapshot(), { extensionVersion: 't' }));
  const junk = String.fromCharCode(...Array.from({ length: 600 }, (_, i) => (i * 7919) % 256));

  it.each([
    ['empty', '', /empty/],
    ['truncated session file', good.slice(0, good.length / 2), /cut short/],
    ['truncated HAR', harOf(fx.events, 's').slice(0, 500), /cut short/],
    ['binary junk', junk, /binary data/],
    ['zip read as text', 'PK\u0003\u0004\u0014\u0000\u0000\u0000', /zip archive read as text/],
    ['plain text', 'hello world', /does not start with a JSON object/],
    ['JSON array', '[1,2]', /does not start with a JSON object/],
    ['foreign JSON', '{"hello":1}', /neither a Claimscope session file .* nor a HAR/],
    ['HAR without entries', '{"log":{"version":"1.2","entries":[]}}', /no entries/],
    ['HAR without entries list', '{"log":{"version":"1.2"}}', /no "entries" list/],
    ['HAR with nothing Supabase', JSON.stringify({ log: { entries: [{ startedDateTime: '2026-01-01T00:00:00Z', request: { url: 'https://example.com/', method: 'GET' }, response: { status: 200 } }] } }), /no WebSocket and no Supabase call/],
    ['future version', good.replace('"version":1', '"version":2'), /version 2; this Claimscope reads version 1 .*update Claimscope/],
    ['no version', good.replace('"version":1', '"version":"one"'), /no valid version/],
    ['damaged events', good.replace('"events":[', '"events":[{"kind":"ws-frame"},'), /damaged: \$\.events\[0\]/],
  ])('%s', (_name, text, message) => {
    const result = importFile(text);
    expect('error' in result && result.error).toMatch(message);
    if ('error' in result) expect(result.error).not.toContain('\n');
  });

  it('never throws, whatever the bytes', () => {
    for (let i = 0; i < 200; i++) {
      const cut = good.slice(0, Math.floor((good.length * i) / 200));
      expect(() => importFile(cut)).not.toThrow();
      expect(() => importFile(cut.replace(/[0-9]/g, 'x'))).not.toThrow();
    }
  });
});
