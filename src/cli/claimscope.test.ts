import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CONNECT_ERRORS, JOIN_REASONS } from '../../e2e/fixtures/server-strings';
import { SessionScript } from '../core/analysis/session-cases';
import { decodeToken } from '../core/analysis';
import { trackRealtime } from '../core/realtime';
import { SessionEngine, type TokenView } from '../core/session';
import { legacyKeyClaims, makeTestKeys, mint, mintNone, userClaims } from '../core/tokens/testing';
import { cliRunner } from './claimscope.testing';

const keys = await makeTestKeys();
const AT = '2026-11-27T12:00:00Z';
const NOW = Date.parse(AT) / 1000;

const run = cliRunner(Date.parse(AT));

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
    // The secret from the environment: nothing on the command line, nothing said about it.
    const { code, out, err } = await run(['decode', token, '--at', AT, '--json'], '', { CLAIMSCOPE_SECRET: keys.secretText });
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
    [['decode', 'x', '--wat'], /^claimscope: unknown option --wat \(see claimscope decode --help\)\n$/],
    [['decode', 'x', '-x'], /unknown option -x/],
    [['decode', 'x', '--secret'], /^claimscope: --secret needs a value/],
    [['decode', 'x', '--secret', '--json'], /--secret needs a value \(write --secret=VALUE for a value that starts with -\)/],
    [['decode', 'x', '--json=yes'], /--json takes no value/],
    [['decode', 'x', 'y'], /give exactly one token/],
    [['decode', 'x', '--secret', 'a', '--secret-base64', 'YQ=='], /not both --secret and --secret-base64/],
    [['decode', 'x', '--secret-file', '/nonexistent/secret'], /cannot read \/nonexistent\/secret: ENOENT/],
    [['--json', 'decode', 'x'], /unknown option --json \(options come after the command/],
    [['help', 'frobnicate'], /unknown command "frobnicate"/],
    [['analyze', '/nonexistent/session.json'], /cannot read \/nonexistent\/session.json: ENOENT/],
  ])('bad usage %j exits 2 with one line', async (argv, message) => {
    const { code, err, out } = await run(argv as string[]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).not.toMatch(/\n\s+at /);
  });
});

describe('claimscope help', () => {
  it.each([[['--help']], [['-h']], [['help']]])('%j prints the commands and exits 0', async (argv) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toMatch(/^usage: claimscope <command> \[options\]\n/);
    expect(out).toMatch(/^ {2}decode <token \| -> +decode one token/m);
    expect(out).toContain('Exit status: 0 no error finding, 1 at least one, 2 bad usage or unreadable input.');
  });

  it.each([[['decode', '--help']], [['decode', '-h']], [['help', 'decode']], [['decode', 'some-token', '--json', '--help']]])('%j prints the decode options and exits 0', async (argv) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toMatch(/^usage: claimscope decode <token \| -> \[options\]\n/);
    for (const option of ['--secret S', '--secret-base64 S', '--jwks FILE', '--validators JSON', '--project-url URL', '--at ISO-8601', '--json', '-h, --help']) {
      expect(out).toMatch(new RegExp(`^ {2}${option.replace(/[-.]/g, '\\$&')} {3,}\\S`, 'm'));
    }
  });

  it('no command prints the usage and exits 2', async () => {
    const { code, out } = await run([]);
    expect(code).toBe(2);
    expect(out).toMatch(/^usage: claimscope <command>/);
  });
});

describe('claimscope decode prints the token view the session builds', () => {
  const nowSec = NOW;
  /** The Tokens view's card for `raw`, used once (joined on a channel) at AT. */
  async function sessionView(raw: string, project: { secret?: Uint8Array }): Promise<TokenView> {
    const anonKey = await mint(keys, { claims: legacyKeyClaims('anon', nowSec) });
    const s = new SessionScript().at(Date.parse(AT) - 1_000).socket('c1', anonKey).at(Date.parse(AT)).join('c1', 'room', '1', raw);
    const result = await new SessionEngine().run(s.events, trackRealtime(s.events), { now: s.time, project, projectKey: project.secret ? 'k' : '' });
    const view = result.tokens.find((t) => t.label === decodeToken(raw).label);
    expect(view?.lastSeen).toBe(Date.parse(AT));
    return view!;
  }
  const withoutFailure = <T extends { failure?: unknown }>({ failure: _, ...rest }: T) => rest;

  it.each([
    ['healthy user token', async () => mint(keys, { claims: userClaims(nowSec) })],
    ['expired user token', async () => mint(keys, { claims: userClaims(nowSec, { exp: nowSec - 30 }) })],
    ['token without role', async () => { const c = userClaims(nowSec); delete c.role; return mint(keys, { claims: c }); }],
    ['service-role key', async () => mint(keys, { claims: legacyKeyClaims('service_role', nowSec) })],
    ['unsigned token', async () => mintNone(userClaims(nowSec))],
  ])('%s: class, claims and verdicts are the view’s', async (_n, make) => {
    const raw = await make();
    for (const secret of [undefined, keys.secret]) {
      const view = await sessionView(raw, { secret });
      const { out } = await run(['decode', raw, '--at', AT, '--json', ...(secret ? ['--secret', keys.secretText] : [])]);
      const json = JSON.parse(out);
      expect(json.token).toMatchObject({ form: view.form, class: view.tokenClass, classLabel: view.classLabel, label: view.label, masked: view.masked, projectRef: view.projectRef });
      const { hasRole, ...claims } = view.claims;
      for (const [k, v] of Object.entries(claims)) expect(json.claims[k], k).toEqual(v);
      expect('role' in json.claims).toBe(hasRole);
      for (const [k, v] of Object.entries(view.header)) expect(json.header[k], k).toEqual(v);
      expect(view.verdicts).not.toBeNull();
      expect(json.verdict.connect).toEqual(withoutFailure(view.verdicts!.connect));
      expect(json.verdict.join).toEqual(withoutFailure(view.verdicts!.join));
    }
  });

  it('an sb_ key: the view has no verdicts, and the output says they cannot be predicted', async () => {
    const raw = 'sb_publishable_AbCdEf0123456789_xyz';
    const view = await sessionView(raw, {});
    expect(view.verdicts).toBeNull();
    const json = JSON.parse((await run(['decode', raw, '--at', AT, '--json'])).out);
    expect(json.token).toMatchObject({ class: view.tokenClass, masked: view.masked });
    expect(json.verdict.connect).toMatchObject({ status: null, accepted: null, conditional: false });
    expect(json.verdict.join).toMatchObject({ accepted: null, reason: null, conditional: false });
    expect((await run(['decode', raw, '--at', AT])).out).toMatch(/^Join: +cannot be predicted$/m);
  });

  it('prints the card in text: class, label, masked token, role, verdicts, and never the signature', async () => {
    const raw = await mint(keys, { claims: userClaims(nowSec) });
    const signature = raw.split('.')[2];
    const view = await sessionView(raw, { secret: keys.secret });
    const { code, out } = await run(['decode', raw, '--secret', keys.secretText, '--at', AT]);
    expect(code).toBe(0);
    expect(out).toContain(`Token:      ${view.label}\nClass:      ${view.classLabel} (${view.tokenClass})`);
    expect(out).toContain(`Masked:     ${view.masked}`);
    expect(out).toMatch(/^Role: +authenticated$/m);
    expect(out).toMatch(/^Connect: +101 accepted$/m);
    expect(out).toMatch(/^Join: +accepted$/m);
    expect(out).not.toContain(signature);
    expect((await run(['decode', raw, '--at', AT, '--json'])).out).not.toContain(signature);
  });
});

describe('claimscope decode and hostile tokens', () => {
  it('escapes terminal control characters taken from the token, in text and in JSON', async () => {
    const hostile = '\u001b]0;pwned\u0007\u001b[31mred\u009b2J\u202eevil\u007f';
    const raw = await mint(keys, { claims: userClaims(NOW, { role: hostile, sub: hostile }), header: { kid: hostile } });
    const text = (await run(['decode', raw, '--at', AT])).out;
    const json = (await run(['decode', raw, '--at', AT, '--json'])).out;
    const rawControls = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
    expect(text).not.toMatch(rawControls);
    expect(json).not.toMatch(rawControls);
    expect(text).toContain('\\x1b[31mred\\x9b2J\\u202eevil\\x7f');
    expect(JSON.parse(json).claims.role).toBe(hostile);
  });
});

describe('claimscope decode: where the JWT secret comes from', () => {
  // A token signed with the project's secret: verified ("valid") only when the CLI got that secret.
  const signed = () => mint(keys, { claims: userClaims(NOW) });
  const signature = async (argv: string[], env: Record<string, string> = {}) => {
    const r = await run(['decode', await signed(), '--at', AT, '--json', ...argv], '', env);
    return { ...r, signature: r.code === 2 ? undefined : (JSON.parse(r.out).signature as string) };
  };
  const writeSecret = async (text: string) => {
    const path = join(await mkdtemp(join(tmpdir(), 'claimscope-secret-')), 'jwt-secret');
    await writeFile(path, text, { mode: 0o600 });
    return path;
  };

  it('reads it from --secret-file (one trailing newline ignored), keeping it off the command line', async () => {
    expect((await signature([])).signature).toBe('unverified');
    const fromFile = await signature(['--secret-file', await writeSecret(`${keys.secretText}\n`)]);
    expect(fromFile.err).toBe('');
    expect(fromFile.signature).toBe('valid');
    const wrong = await signature(['--secret-file', await writeSecret('not-the-secret-but-long-enough-to-be-one\n')]);
    expect(wrong.signature).toBe('invalid');
    // The same answer as the secret given any other way.
    expect((await signature([], { CLAIMSCOPE_SECRET: keys.secretText })).signature).toEqual(fromFile.signature);
  });

  it('reads it from CLAIMSCOPE_SECRET or CLAIMSCOPE_SECRET_BASE64, an option taking precedence', async () => {
    const fromEnv = await signature([], { CLAIMSCOPE_SECRET: keys.secretText });
    expect(fromEnv.err).toBe('');
    expect(fromEnv.signature).toBe('valid');
    const fromBase64Env = await signature([], { CLAIMSCOPE_SECRET_BASE64: Buffer.from(keys.secretText).toString('base64') });
    expect(fromBase64Env.signature).toEqual(fromEnv.signature);
    // An explicit --secret-file wins over the environment.
    const overridden = await signature(['--secret-file', await writeSecret('another-secret-another-secret-another')], { CLAIMSCOPE_SECRET: keys.secretText });
    expect(overridden.signature).toBe('invalid');
    const both = await signature([], { CLAIMSCOPE_SECRET: 'a', CLAIMSCOPE_SECRET_BASE64: 'YQ==' });
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/^claimscope: set CLAIMSCOPE_SECRET or CLAIMSCOPE_SECRET_BASE64, not both/);
    const bad = await signature([], { CLAIMSCOPE_SECRET_BASE64: '!!' });
    expect(bad.err).toMatch(/^claimscope: CLAIMSCOPE_SECRET_BASE64: .*not base64/);
  });

  it('says that --secret shows the secret to other users (ps), and refuses two sources', async () => {
    const onCommandLine = await signature(['--secret', keys.secretText]);
    expect(onCommandLine.signature).toBe('valid');
    expect(onCommandLine.err).toMatch(/^claimscope: note: --secret puts the secret on the command line, where any user of this machine can read it \(ps, \/proc\).*--secret-file FILE or the CLAIMSCOPE_SECRET environment variable\n$/);
    expect(onCommandLine.err).not.toContain(keys.secretText);
    const two = await signature(['--secret', 'a', '--secret-file', 'f']);
    expect(two.code).toBe(2);
    expect(two.err).toMatch(/use one of --secret-file, --secret, --secret-base64, not both --secret and --secret-file/);
    const empty = await signature(['--secret-file', await writeSecret('\n')]);
    expect(empty.err).toMatch(/--secret-file .* is empty/);
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
    expect(c.stderr.trim()).toBe('claimscope: the token is empty (see claimscope decode --help)');
  }, 60_000);
});
