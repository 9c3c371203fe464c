// HAR 1.2 export (issue 13 item 2): every export of the recorded real supabase-js sessions is valid
// HAR 1.2 (a schema transcribed from the spec, not from the exporter), writes frames the way
// Chromium's DevTools does, carries no secret, and imported back gives the live finding codes.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../model';
import { Session } from '../session';
import { allFixtures, findingCodes, recordedSecrets, replayFixture } from '../session/fixtures.testing';
import { scanForCanaries } from './canary-scan';
import { exportHar, importFile, openImported, validateAgainst, type Har } from './index';

const fixtures = allFixtures();
const HAR_SCHEMA = JSON.parse(readFileSync(resolve(__dirname, 'har-1.2.schema.json'), 'utf8')) as Record<string, unknown>;

function harOf(session: Session, includePersonalData = false): Har {
  return exportHar(session.snapshot(), { extensionVersion: '0.0.0-test', browser: 'Chromium 156', includePersonalData });
}

/** HAR 1.2 dates are ISO 8601 with a zone. */
function datesOf(har: Har): string[] {
  return [...har.log.entries.map((e) => e.startedDateTime), ...har.log.pages.map((p) => p.startedDateTime)].filter((d) => !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(d));
}

describe('HAR export', () => {
  it('the transcribed HAR 1.2 schema rejects what HAR 1.2 forbids', () => {
    expect(validateAgainst({ log: { version: '1.2', creator: { name: 'x', version: '1' }, entries: [] } }, HAR_SCHEMA)).toEqual([]);
    expect(validateAgainst({ log: { version: '1.2', entries: [] } }, HAR_SCHEMA).join()).toMatch(/missing "creator"/);
    expect(validateAgainst({ log: { version: '1.2', creator: { name: 'x', version: '1' }, entries: [{ startedDateTime: 'x', time: 1, request: {}, response: {}, cache: {} }] } }, HAR_SCHEMA).join()).toMatch(/missing "timings"/);
  });

  it.each(fixtures.map((fx) => [fx.name, fx] as const))('%s: valid HAR 1.2, no secret, imported back to the same finding codes at the recorded time', async (_name, fx) => {
    const session = await replayFixture(fx);
    const har = harOf(session);
    const text = JSON.stringify(har);
    expect(validateAgainst(JSON.parse(text), HAR_SCHEMA)).toEqual([]);
    expect(datesOf(har)).toEqual([]);
    expect(scanForCanaries(text, recordedSecrets(fx))).toEqual([]);

    const imported = importFile(text);
    if ('error' in imported) throw new Error(imported.error);
    expect(imported.meta).toMatchObject({ kind: 'har', producer: 'Claimscope 0.0.0-test HAR', analyseAt: fx.now, redacted: true });
    expect(findingCodes(await openImported(imported))).toEqual(findingCodes(session));
  });

  it('writes sockets as Chromium does: websocket entries, 101, frames with times in seconds and opcodes 1/2; the close code in _claimscope', async () => {
    const fx = fixtures.find((f) => f.name === 'subscribe')!;
    const session = await replayFixture(fx);
    const har = harOf(session);
    const sockets = har.log.entries.filter((e) => e._resourceType === 'websocket');
    const liveConns = session.snapshot().connections;
    expect(sockets).toHaveLength(liveConns.length);
    const ws = sockets[0];
    expect(ws.request.url).toMatch(/^ws:\/\/.*\/realtime\/v1\/websocket\?apikey=eyJ[^&]+\.REDACTED/);
    expect(ws.request.queryString.map((q) => q.name)).toEqual(expect.arrayContaining(['apikey', 'vsn']));
    expect(ws.response).toMatchObject({ status: 101, statusText: 'Switching Protocols' });
    const msgs = ws._webSocketMessages!;
    expect(msgs.length).toBe(liveConns[0].framesSent + liveConns[0].framesReceived);
    const start = Date.parse(ws.startedDateTime) / 1000;
    for (const m of msgs) {
      expect(['send', 'receive']).toContain(m.type);
      expect([1, 2]).toContain(m.opcode);
      // Seconds since the epoch, like DevTools (not ms like Playwright).
      expect(m.time).toBeGreaterThanOrEqual(start);
      expect(m.time).toBeLessThan(start + 3600);
    }
    expect(msgs.some((m) => m.opcode === 2 && /^[A-Za-z0-9+/]*={0,2}$/.test(m.data))).toBe(true);
    expect(msgs.find((m) => m.type === 'send' && m.opcode === 1)?.data).toContain('phx_join');
  });

  it('keeps the server close an expired token got, which a DevTools HAR loses', async () => {
    const fx = fixtures.find((f) => f.name === 'expired-apikey')!;
    const session = await replayFixture(fx);
    const har = harOf(session);
    const ws = har.log.entries.find((e) => e._resourceType === 'websocket')!;
    const liveClose = session.snapshot().connections[0].close!;
    expect(ws._claimscope?.close).toMatchObject({ code: liveClose.code, wasClean: liveClose.wasClean });
    expect(ws.response.status).not.toBe(101);
  });

  it('auth calls keep the grant without its refresh token, and the Date header', async () => {
    const fx = fixtures.find((f) => f.name === 'signout-publishable')!;
    const har = harOf(await replayFixture(fx));
    const token = har.log.entries.find((e) => /\/auth\/v1\/token/.test(e.request.url));
    expect(token).toBeDefined();
    expect(token!.response.content.text).toMatch(/"access_token":"eyJ[^"]+\.REDACTED/);
    expect(token!.response.content.text).not.toMatch(/refresh_token/);
    expect(JSON.stringify(har)).not.toMatch(/"refresh_token"\s*:\s*"(?!\[redacted\])/);
  });

  it('writes each recorded request header once (authorization, apikey, x-client-info), redacted', async () => {
    const t = 1_800_000_000_000;
    const session = new Session({ tabId: 1 });
    session.applyLocal([
      { kind: 'http-request', req: 'r1', method: 'GET', url: 'http://127.0.0.1:1/auth/v1/user', headers: { apikey: 'sb_publishable_abc', authorization: 'Bearer sb_secret_abcdefghijklmnop', 'x-client-info': 'supabase-js-web/2.119.1' }, api: 'fetch', seq: 1, time: t, docId: 'd', source: 'page' },
      { kind: 'http-response', req: 'r1', status: 200, seq: 2, time: t + 5, docId: 'd', source: 'page' },
    ] as CapturedEvent[]);
    const entry = harOf(session).log.entries[0];
    expect(entry.request.headers.map((h) => h.name).sort()).toEqual(['apikey', 'authorization', 'x-client-info']);
    expect(entry.request.headers.find((h) => h.name === 'authorization')?.value).not.toContain('abcdefghijklmnop');
    const back = importFile(JSON.stringify(harOf(session)));
    if ('error' in back) throw new Error(back.error);
    expect(back.events.find((e) => e.kind === 'http-request')).toMatchObject({ headers: { 'x-client-info': 'supabase-js-web/2.119.1' } });
  });

  it('personal data is pseudonymised unless asked for, and the log says which', async () => {
    const fx = fixtures.find((f) => f.name === 'signout-publishable')!;
    const session = await replayFixture(fx);
    const a = session.snapshot().analysis;
    if (a.kind !== 'done') throw new Error('not analysed');
    const emails = new Set(a.result.analysis.tokens.map((t) => t.token.claims?.email).filter((e): e is string => typeof e === 'string'));
    expect(emails.size).toBeGreaterThan(0);
    const redacted = JSON.stringify(harOf(session));
    expect(scanForCanaries(redacted, [...emails])).toEqual([]);
    const full = harOf(session, true);
    expect(full.log._claimscope.redaction.personalData).toBe('included');
    expect(scanForCanaries(JSON.stringify(full), [...emails]).length).toBeGreaterThan(0);
  });

  it('an empty session is a valid HAR that the importer refuses with one line', () => {
    const har = harOf(new Session({ tabId: 1 }));
    expect(validateAgainst(JSON.parse(JSON.stringify(har)), HAR_SCHEMA)).toEqual([]);
    const result = importFile(JSON.stringify(har));
    expect(result).toEqual({ error: expect.stringMatching(/no entries/) });
  });
});
