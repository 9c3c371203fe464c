import { execFile } from 'node:child_process';
import { mkdtemp, readFile as fsReadFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CONNECT_ERRORS, JOIN_REASONS } from '../../e2e/fixtures/server-strings';
import { legacyKeyClaims, makeTestKeys, mint, userClaims } from '../core/tokens/testing';
import { main, type CliIo } from './claimscope';

const keys = await makeTestKeys();
const AT = '2026-11-27T12:00:00Z';
const NOW = Date.parse(AT) / 1000;

async function run(argv: string[], stdin = '') {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (t) => { out += t; },
    stderr: (t) => { err += t; },
    readStdin: async () => stdin,
    readFile: (p) => fsReadFile(p, 'utf8'),
    now: () => Date.parse(AT),
  };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('claimscope decode', () => {
  it.each([
    ['hosted-style access token', async (): Promise<string> => mint(keys, { claims: userClaims(NOW), header: { kid: 'hostedKid' } }), 0, 'user-access-token', { status: 101, body: null }, { accepted: true, reason: null }],
    ['legacy anon key', async (): Promise<string> => mint(keys, { claims: legacyKeyClaims('anon', NOW) }), 0, 'legacy-anon-key', { status: 101, body: null }, { accepted: true, reason: null }],
    ['service-role key', async (): Promise<string> => mint(keys, { claims: legacyKeyClaims('service_role', NOW) }), 1, 'legacy-service-role-key', { status: 101, body: null }, { accepted: true, reason: null }],
    ['sb_publishable_ key', async (): Promise<string> => 'sb_publishable_AbCdEf0123456789_xyz', 0, 'publishable-key', { status: null, body: null }, { accepted: null, reason: null }],
    ['garbage', async (): Promise<string> => 'not a token at all', 1, 'not-a-token', { status: 401, body: { error: CONNECT_ERRORS.malformed.error } }, { accepted: false, reason: JOIN_REASONS.malformed }],
    ['expired token', async (): Promise<string> => mint(keys, { claims: userClaims(NOW, { exp: NOW - 30 }) }), 1, 'user-access-token', { status: 401, body: { error: CONNECT_ERRORS.expired.error } }, { accepted: false, reason: JOIN_REASONS.expired(30) }],
  ] as const)('%s', async (_n, make, exit, cls, connect, join) => {
    const token = await make();
    const { code, out, err } = await run(['decode', token, '--secret', keys.secretText, '--at', AT, '--json']);
    expect(err).toBe('');
    expect(code).toBe(exit);
    const json = JSON.parse(out);
    expect(json.schema).toBe('claimscope.decode/1');
    expect(json.token.class).toBe(cls);
    expect(json.verdict.connect).toMatchObject(connect);
    expect(json.verdict.join).toMatchObject(join);
    for (const f of json.findings) expect(Object.keys(f)).toEqual(expect.arrayContaining(['code', 'severity', 'message']));
    expect(json.findings.some((f: { severity: string }) => f.severity === 'error')).toBe(exit === 1);
  });

  it('reads the token from stdin with -, verifies with a JWKS file, and prints readable dates', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'claimscope-'));
    const jwksPath = join(dir, 'jwks.json');
    await writeFile(jwksPath, JSON.stringify(keys.jwks));
    const token = await mint(keys, { alg: 'ES256', claims: userClaims(NOW) });
    const { code, out } = await run(['decode', '-', '--jwks', jwksPath, '--at', AT], `  ${token}\n`);
    expect(code).toBe(0);
    expect(out).toMatch(/Signature:\s+valid/);
    expect(out).toMatch(/exp: \d+ {2}\(2026-11-27T13:00:00\.000Z, in 60 min\)/);
    const bad = await run(['decode', await mint(keys, { alg: 'ES256', claims: userClaims(NOW), header: { kid: 'gone' } }), '--jwks', jwksPath, '--at', AT]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(JOIN_REASONS.signerKid('gone'));
  });

  it('claim validators are compared strictly', async () => {
    const token = await mint(keys, { claims: userClaims(NOW) });
    const { code, out } = await run(['decode', token, '--validators', '{"aud":["authenticated"]}', '--at', AT, '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(out).verdict.join.reason).toBe(JOIN_REASONS.unknown);
  });

  it.each([
    [['decode', ''], /the token is empty/],
    [['decode'], /no token given/],
    [['decode', 'x', '--at', 'yesterday'], /not an ISO-8601 date/],
    [['decode', 'x', '--jwks', '/nonexistent/jwks.json'], /cannot read \/nonexistent\/jwks.json: ENOENT/],
    [['decode', 'x', '--validators', '[1]'], /must be a JSON object/],
    [['decode', 'x', '--secret-base64', '!!'], /not base64/],
    [['frobnicate'], /unknown command/],
    [['decode', 'x', '--wat'], /unknown option --wat/],
  ])('bad usage %j exits 2 with one line', async (argv, message) => {
    const { code, err, out } = await run(argv as string[]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).not.toMatch(/\n\s+at /);
  });
});

describe('claimscope as a process', () => {
  const exec = promisify(execFile);
  const cli = join(__dirname, 'claimscope.ts');
  const runProcess = async (args: string[]) => {
    try {
      const r = await exec('npx', ['--no-install', 'tsx', cli, ...args], { cwd: join(__dirname, '../..') });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, stdout: x.stdout, stderr: x.stderr };
    }
  };
  it('exits 0, 1 and 2 for a healthy token, garbage and an empty string', async () => {
    const good = await mint(keys, { claims: userClaims(Math.floor(Date.now() / 1000)) });
    const [a, b, c] = await Promise.all([runProcess(['decode', good, '--json']), runProcess(['decode', 'garbage']), runProcess(['decode', ''])]);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout).verdict.join).toMatchObject({ accepted: true, conditional: true });
    expect(b.code).toBe(1);
    expect(b.stdout).toContain('token-malformed');
    expect(c.code).toBe(2);
    expect(c.stderr.trim()).toBe('claimscope: the token is empty (see claimscope --help)');
  }, 60_000);
});
