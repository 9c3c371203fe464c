// `claimscope analyze` (issue 13 item 6): the session core on a session file or a HAR; findings by
// severity; --json with decode's `findings` shape; exit 0 / 1 / 2.

import { mkdtemp, readFile as fsReadFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportHar, exportSession } from '../core/export';
import { loadFixture, replayFixture } from '../core/session/fixtures.testing';
import { cliRunner } from './claimscope.testing';

const run = cliRunner(Date.parse('2030-01-01T00:00:00Z'));

async function exported(name: string): Promise<{ path: string; codes: string[] }> {
  const fx = loadFixture(name);
  const s = await replayFixture(fx);
  const a = s.snapshot().analysis;
  if (a.kind !== 'done') throw new Error(a.kind);
  const dir = await mkdtemp(join(tmpdir(), 'claimscope-analyze-'));
  const path = join(dir, `${name}.claimscope.json`);
  await writeFile(path, JSON.stringify(exportSession(s.snapshot(), { extensionVersion: 'test' })));
  return { path, codes: a.result.analysis.findings.map((f) => f.code) };
}

/** A Playwright-style HAR (frame times in ms) of a fixture's sockets. */
async function playwrightHar(name: string): Promise<string> {
  const fx = loadFixture(name);
  const entries: Array<Record<string, any>> = [];
  const byConn = new Map<string, Record<string, any>>();
  for (const e of fx.events) {
    if (e.kind === 'ws-connecting') {
      const entry = { startedDateTime: new Date(e.time).toISOString(), time: 1, request: { method: 'GET', url: e.url, headers: [] }, response: { status: 0, headers: [] }, _webSocketMessages: [] as unknown[] };
      byConn.set(e.conn, entry);
      entries.push(entry);
    } else if (e.kind === 'ws-open') byConn.get(e.conn)!.response.status = 101;
    else if (e.kind === 'ws-frame' && byConn.has(e.conn)) {
      byConn.get(e.conn)!._webSocketMessages.push({ type: e.dir === 'sent' ? 'send' : 'receive', time: e.time, opcode: e.opcode === 'text' ? 1 : 2, data: e.opcode === 'text' ? e.text : e.base64 });
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'claimscope-har-'));
  const path = join(dir, `${name}.har`);
  await writeFile(path, JSON.stringify({ log: { version: '1.2', creator: { name: 'Playwright', version: '1.65' }, entries } }));
  return path;
}

describe('claimscope analyze', () => {
  it('on an exported session file: the live finding codes, grouped by severity, exit 1 with an error finding', async () => {
    const { path, codes } = await exported('expired-token');
    const { code, out, err } = await run(['analyze', path]);
    expect(err).toBe('');
    expect(code).toBe(1);
    expect(out).toMatch(/^Errors \(\d+\):$/m);
    for (const c of codes) expect(out).toContain(`${c}:`);
    const json = await run(['analyze', path, '--json']);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.out);
    expect(parsed.schema).toBe('claimscope.analyze/1');
    expect(parsed.findings.map((f: { code: string }) => f.code).sort()).toEqual([...codes].sort());
    for (const f of parsed.findings) expect(Object.keys(f)).toEqual(['code', 'severity', 'message', 'cause', 'fix', 'evidence']);
    expect(parsed.at).toBe(new Date(loadFixture('expired-token').now).toISOString());
  });

  it('exit 0 on a healthy session, from stdin too', async () => {
    const { path } = await exported('subscribe');
    const text = await fsReadFile(path, 'utf8');
    const r = await run(['analyze', '-', '--json'], text);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).counts.error).toBe(0);
  });

  it('on a Playwright HAR (ms frame times): the expired token is diagnosed', async () => {
    const path = await playwrightHar('expired-token');
    const r = await run(['analyze', path, '--json']);
    expect(r.code).toBe(1);
    const codes = JSON.parse(r.out).findings.map((f: { code: string }) => f.code);
    expect(codes).toEqual(expect.arrayContaining(['server-join-rejected', 'token-expired']));
  });

  it('--secret-file on a redacted export is ignored with a note; --at and --validators are used', async () => {
    const { path } = await exported('subscribe');
    const dir = await mkdtemp(join(tmpdir(), 'claimscope-secret-'));
    const secret = join(dir, 'secret');
    await writeFile(secret, 'super-secret-jwt-token-with-at-least-32-characters-long\n');
    const r = await run(['analyze', path, '--secret-file', secret, '--json']);
    expect(JSON.parse(r.out).notes.join()).toMatch(/--secret-file ignored: the file is a redacted export/);
    // The secret from the environment is read (and ignored here for the same reason).
    const fromEnv = await run(['analyze', path, '--json'], '', { CLAIMSCOPE_SECRET: 'super-secret-jwt-token-with-at-least-32-characters-long' });
    expect(JSON.parse(fromEnv.out).notes.join()).toMatch(/the secret from CLAIMSCOPE_SECRET ignored: the file is a redacted export/);
    const later = await run(['analyze', path, '--at', '2040-01-01T00:00:00Z', '--json']);
    expect(JSON.parse(later.out).at).toBe('2040-01-01T00:00:00.000Z');
    const strict = await run(['analyze', path, '--validators', '{"aud":["nobody"]}', '--json']);
    expect(strict.code).toBe(0 + (JSON.parse(strict.out).counts.error > 0 ? 1 : 0));
  });

  it.each([
    [[], /no file given/],
    [['a', 'b'], /give exactly one file/],
    [['/nonexistent.har'], /cannot read \/nonexistent.har: ENOENT/],
    [['FILE:{"log":{"entries":[]}}'], /no entries/],
    [['FILE:{"format":"claimscope-session","version":9}'], /version 9; this Claimscope reads version 1/],
    [['FILE:{"log":{"entries":[{"request"'], /cut short/],
    [['FILE:\u0000\u0001\u0002binary'], /binary data/],
    [['FILE:{}', '--at', 'someday'], /neither a Claimscope session file/],
    [['FILE:{"log":{"entries":[]}}', '--validators', '{'], /no entries/],
  ])('bad input %j exits 2 with one line', async (args, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'claimscope-bad-'));
    const argv = await Promise.all(
      (args as string[]).map(async (a) => {
        if (!a.startsWith('FILE:')) return a;
        const p = join(dir, 'input');
        await writeFile(p, a.slice(5));
        return p;
      }),
    );
    const { code, err, out } = await run(['analyze', ...argv]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
    expect(err.trim().split('\n')).toHaveLength(1);
  });

  it('on a Claimscope HAR export: the live finding codes', async () => {
    const fx = loadFixture('expired-apikey');
    const s = await replayFixture(fx);
    const a = s.snapshot().analysis;
    if (a.kind !== 'done') throw new Error(a.kind);
    const dir = await mkdtemp(join(tmpdir(), 'claimscope-har-export-'));
    const path = join(dir, 'expired-apikey.har');
    await writeFile(path, JSON.stringify(exportHar(s.snapshot(), { extensionVersion: 'test' })));
    const r = await run(['analyze', path, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.out);
    expect(parsed.producer).toBe('Claimscope test HAR');
    expect(parsed.findings.map((f: { code: string }) => f.code).sort()).toEqual(a.result.analysis.findings.map((f) => f.code).sort());
  });

  it('--format markdown prints the bug report; a bad format or a conflict with --json exits 2', async () => {
    const { path, codes } = await exported('expired-token');
    const r = await run(['analyze', path, '--format', 'markdown']);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^# Claimscope report/);
    for (const c of codes) expect(r.out).toContain(`\`${c}\``);
    expect(r.out).toMatch(/^- Source: `.*expired-token\.claimscope\.json \(Claimscope test\)`$/m);
    expect(r.out).toMatch(/^## Timeline around the first failure$/m);
    expect((await run(['analyze', path, '--format', 'json'])).out).toBe((await run(['analyze', path, '--json'])).out);
    const bad = await run(['analyze', path, '--format', 'html']);
    expect([bad.code, bad.err]).toEqual([2, expect.stringMatching(/--format: "html" is not one of text, json, markdown/)]);
    const both = await run(['analyze', path, '--format', 'markdown', '--json']);
    expect([both.code, both.err]).toEqual([2, expect.stringMatching(/disagree/)]);
  });

  it('a 50 MB HAR is read and analysed (one socket, a rejected join, then a flood of broadcasts)', async () => {
    const start = Date.parse('2026-12-03T10:00:00Z') / 1000;
    const filler = 'x'.repeat(4000);
    const messages: unknown[] = [
      { type: 'send', time: start, opcode: 1, data: '["1","1","realtime:big","phx_join",{"config":{},"access_token":"not-a-jwt"}]' },
      { type: 'receive', time: start + 0.01, opcode: 1, data: '["1","1","realtime:big","phx_reply",{"status":"error","response":{"reason":"InvalidJWTToken: Token has expired 5 seconds ago"}}]' },
    ];
    while (messages.length * 4100 < 50 * 1024 * 1024) messages.push({ type: 'receive', time: start + 1 + messages.length / 1000, opcode: 1, data: `[null,null,"realtime:other","broadcast",{"event":"e","payload":{"f":"${filler}"}}]` });
    const text = JSON.stringify({ log: { version: '1.2', creator: { name: 'WebInspector', version: '537.36' }, entries: [{ startedDateTime: new Date(start * 1000).toISOString(), time: 1, request: { method: 'GET', url: 'ws://127.0.0.1:1/realtime/v1/websocket?vsn=1.0.0', headers: [] }, response: { status: 101, headers: [] }, _resourceType: 'websocket', _webSocketMessages: messages }] } });
    expect(text.length).toBeGreaterThan(50 * 1024 * 1024);
    const dir = await mkdtemp(join(tmpdir(), 'claimscope-big-'));
    const path = join(dir, 'big.har');
    await writeFile(path, text);
    const r = await run(['analyze', path, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.out);
    expect(parsed.capture.events).toBeGreaterThan(12_000);
    expect(parsed.findings.map((f: { code: string }) => f.code)).toContain('server-join-rejected');
  }, 60_000);

  it('--version prints the package version', async () => {
    const { code, out } = await run(['--version']);
    expect(code).toBe(0);
    expect(out.trim()).toBe(JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')).version);
  });

  it('is listed in the help', async () => {
    const { out } = await run(['--help']);
    expect(out).toMatch(/^ {2}analyze <file \| -> +run the session core/m);
    const h = await run(['analyze', '--help']);
    expect(h.out).toMatch(/--secret-file F/);
  });
});
