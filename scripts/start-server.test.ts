// The demo server as `npm start` runs it: the app is served, the /__dev/ routes mint the tokens
// the scenarios need (checked against what the Realtime server then says about them), and the
// app's query-string parsing reports bad input instead of failing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../e2e/app/config';
import { stabilise } from '../e2e/app/observe';
import { OTHER_PROJECT_REF, startDemoServer, type DemoServer } from './start-server';

let demo: DemoServer;
let appDir: string;

beforeAll(async () => {
  appDir = mkdtempSync(join(tmpdir(), 'claimscope-app-'));
  writeFileSync(join(appDir, 'index.html'), '<!doctype html><title>demo</title>');
  demo = await startDemoServer({ port: 0, appDir, knobs: { connectBackoffMs: 0, channelBackoffMs: 0 } });
});
afterAll(async () => {
  await demo?.close();
  rmSync(appDir, { recursive: true, force: true });
});

async function get(path: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${demo.url}${path}`);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

describe('demo server', () => {
  it('serves the app under /app/', async () => {
    const res = await fetch(`${demo.appUrl}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>demo</title>');
  });

  it('hands out the project keys, the sample user and the other project', async () => {
    const { status, body, headers } = await get('/__dev/config');
    expect(status).toBe(200);
    expect(headers.get('access-control-allow-origin')).toBe('*');
    expect(body.ref).toBe(demo.ref);
    expect(decodeJwt(body.keys.anon).role).toBe('anon');
    expect(decodeJwt(body.keys.service_role).role).toBe('service_role');
    expect(body.keys.publishable).toMatch(/^sb_publishable_/);
    expect(body.user).toEqual(demo.user);
    expect(body.otherProject.ref).toBe(OTHER_PROJECT_REF);
  });

  it('mints each token kind with the claims its scenario relies on', async () => {
    const now = Math.floor(demo.server.now() / 1000);
    const tok = async (q: string) => (await get(`/__dev/token?${q}`)).body.token as string;

    // The server's second may tick between `now` above and the minting: allow one second.
    const near = (v: unknown, want: number) => expect([want, want + 1]).toContain(v);
    const expired = decodeJwt(await tok('kind=expired'));
    near(expired.exp, now - 120);
    expect(expired.role).toBe('authenticated');

    const apikey = decodeJwt(await tok('kind=expired&role=anon'));
    expect(apikey).toMatchObject({ iss: 'supabase', ref: demo.ref, role: 'anon' });
    near(apikey.exp, now - 120);

    const expiring = decodeJwt(await tok('kind=expiring&lifetime=7'));
    near(expiring.exp, now + 7);

    expect('role' in decodeJwt(await tok('kind=no-role'))).toBe(false);

    const other = await tok('kind=other-project');
    const otherKid = decodeProtectedHeader(other).kid;
    expect(demo.otherProject.signingKeys.map((k) => k.kid)).toContain(otherKid);
    expect(demo.server.defaultProject.signingKeys.map((k) => k.kid)).not.toContain(otherKid);
  });

  it('rejects unknown kinds and bad lifetimes with a message', async () => {
    const bad = await get('/__dev/token?kind=potato');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('kind must be one of');
    const badLife = await get('/__dev/token?kind=expiring&lifetime=-3');
    expect(badLife.status).toBe(400);
    expect((await get('/__dev/nope')).status).toBe(404);
  });

  it('broadcasts through the REST API and sets the Auth token lifetime', async () => {
    const b = await get(`/__dev/broadcast?topic=room1&event=e&payload=${encodeURIComponent('{"a":1}')}`);
    expect(b.body).toEqual({ restStatus: 202 });
    const l = await get('/__dev/lifetime?seconds=42');
    expect(l.body).toEqual({ previous: 3600, seconds: 42 });
    expect(demo.server.defaultProject.accessTokenLifetimeSec).toBe(42);
    await get(`/__dev/lifetime?seconds=${l.body.previous}`);
  });
});

describe('app config from the query string', () => {
  it('defaults to the page origin, vsn 2.0.0 and the subscribe scenario', () => {
    const { config, problems } = readConfig('', 'http://x.supabase.co:1234');
    expect(problems).toEqual([]);
    expect(config).toMatchObject({ url: 'http://x.supabase.co:1234', key: null, vsn: '2.0.0', scenario: 'subscribe', worker: false, clients: 2, lifetimeS: null });
  });

  it('reports every bad value and falls back', () => {
    const { config, problems } = readConfig('?url=ftp://a&vsn=3&scenario=potato&clients=99&lifetime=x', 'http://o:1');
    expect(config.url).toBe('http://o:1');
    expect(config.vsn).toBe('2.0.0');
    expect(config.scenario).toBeNull();
    expect(config.clients).toBe(2);
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toContain('unknown scenario "potato"');
  });

  it('masks only the run-dependent parts of server texts', () => {
    expect(stabilise('InvalidJWTToken: Token has expired 121 seconds ago')).toBe('InvalidJWTToken: Token has expired <N> seconds ago');
    expect(stabilise('for key ID (kid) "0d96-x", check')).toBe('for key ID (kid) "<kid>", check');
    expect(stabilise('socket closed: 1006')).toBe('socket closed: 1006');
  });
});
