// Issue 13 item 7: the packages people install. `scripts/package.mjs` (npm run package, on the
// built dist/) packs the command line; the tarball is installed offline, with an empty npm cache,
// into an empty folder — so it installs only if it needs nothing from the registry — and its
// `claimscope` bin decodes a token and analyses a HAR with nothing else of the project. The store
// zips carry the built extension with the manifest at their root and package.json's version.
// No browser: here because it needs the built dist/ the e2e run builds.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import { exportHar } from '../src/core/export';
import { Session } from '../src/core/session';
import { REPO_ROOT } from './support/launch';

const exec = promisify(execFile);
const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Runs a command; resolves with its exit status and output whatever the status. */
async function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec(cmd, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

/** The files of a zip and a reader for one of them (central directory; stored or deflated). */
function readZip(path: string): { names: string[]; text(name: string): string } {
  const buf = readFileSync(path);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries = new Map<string, { method: number; size: number; offset: number }>();
  for (let i = 0; i < count; i++) {
    const nameLength = buf.readUInt16LE(at + 28);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    entries.set(name, { method: buf.readUInt16LE(at + 10), size: buf.readUInt32LE(at + 20), offset: buf.readUInt32LE(at + 42) });
    at += 46 + nameLength + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return {
    names: [...entries.keys()],
    text(name) {
      const e = entries.get(name);
      if (!e) throw new Error(`${name} is not in ${path}`);
      const start = e.offset + 30 + buf.readUInt16LE(e.offset + 26) + buf.readUInt16LE(e.offset + 28);
      const raw = buf.subarray(start, start + e.size);
      return (e.method === 8 ? inflateRawSync(raw) : raw).toString('utf8');
    },
  };
}

test('npm run package: the CLI tarball installs offline into an empty folder and its bin decodes and analyses; store zips for Chrome and Firefox', async () => {
  test.setTimeout(120_000);
  const out = mkdtempSync(join(tmpdir(), 'claimscope-packages-'));
  const packed = await run(process.execPath, [join(REPO_ROOT, 'scripts/package.mjs'), '--out', out], REPO_ROOT);
  expect(packed.stderr).toBe('');
  expect(packed.code).toBe(0);
  const tarball = join(out, `claimscope-${version}.tgz`);
  expect(packed.stdout).toContain(`${tarball}  (`);
  // Only the built CLI and its package description travel.
  expect(packed.stdout).toContain('; README.md, claimscope.js, package.json)');

  const project = mkdtempSync(join(tmpdir(), 'claimscope-install-'));
  const cache = mkdtempSync(join(tmpdir(), 'claimscope-npm-cache-'));
  // --offline with an empty cache: any dependency to download would make this fail.
  const install = await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--cache', cache, tarball], project);
  expect(install.stderr).not.toMatch(/ERR!/);
  expect(install.code).toBe(0);
  const installed = JSON.parse(readFileSync(join(project, 'node_modules/claimscope/package.json'), 'utf8')) as Record<string, unknown>;
  expect(installed).toMatchObject({ name: 'claimscope', version, bin: { claimscope: 'claimscope.js' } });
  expect(installed.dependencies).toBeUndefined();
  const bin = join(project, 'node_modules/.bin/claimscope');

  // decode: an expired user token is an error finding (exit 1); the signature is never printed.
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  const signature = b64('not-a-real-signature-but-32-bytes');
  const token = `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(JSON.stringify({ sub: 'u1', role: 'authenticated', aud: 'authenticated', exp: 1_700_000_000 }))}.${signature}`;
  const decoded = await run(bin, ['decode', token, '--at', '2030-01-01T00:00:00Z', '--json'], project);
  expect(decoded.stderr).toBe('');
  expect(decoded.code).toBe(1);
  expect((JSON.parse(decoded.stdout) as { findings: Array<{ code: string }> }).findings.map((f) => f.code)).toContain('token-expired');
  expect(decoded.stdout).not.toContain(signature);
  expect((await run(bin, ['--version'], project)).stdout.trim()).toBe(version);

  // analyze: a HAR of the recorded expired-token session.
  const fixture = JSON.parse(readFileSync(join(REPO_ROOT, 'src/core/session/fixtures/expired-token.json'), 'utf8')) as { tabId: number; now: number; messages: Array<{ message?: unknown; disconnected?: boolean }> };
  const session = new Session({ tabId: fixture.tabId });
  for (const m of fixture.messages) if (!m.disconnected) session.apply(m.message);
  await session.analyse(fixture.now);
  const har = join(project, 'expired.har');
  writeFileSync(har, JSON.stringify(exportHar(session.snapshot(), { extensionVersion: version })));
  const analysed = await run(bin, ['analyze', har, '--json'], project);
  expect(analysed.stderr).toBe('');
  expect(analysed.code).toBe(1);
  expect((JSON.parse(analysed.stdout) as { findings: Array<{ code: string }> }).findings.map((f) => f.code)).toEqual(expect.arrayContaining(['token-expired', 'server-join-rejected']));
  const bad = await run(bin, ['analyze', join(project, 'package.json')], project);
  expect([bad.code, bad.stderr.trim().split('\n').length]).toEqual([2, 1]);

  // The store zips: the manifest at the root, package.json's version, each browser's manifest.
  for (const browser of ['chrome', 'firefox'] as const) {
    const zip = readZip(join(out, `claimscope-${browser}-${version}.zip`));
    expect(zip.names).toContain('manifest.json');
    const manifest = JSON.parse(zip.text('manifest.json')) as { version: string; manifest_version: number; browser_specific_settings?: unknown; background: Record<string, unknown> };
    expect(manifest).toMatchObject({ version, manifest_version: 3 });
    if (browser === 'chrome') {
      expect(manifest.browser_specific_settings).toBeUndefined();
      expect(manifest.background.service_worker).toBe('background.js');
    } else {
      expect(manifest.browser_specific_settings).toBeDefined();
      expect(manifest.background.scripts).toEqual(['background.js']);
    }
    expect(zip.names).toEqual(expect.arrayContaining(['background.js', 'page.js', 'src/panel/panel.html']));
  }
  for (const d of [out, project, cache]) rmSync(d, { recursive: true, force: true });
});
