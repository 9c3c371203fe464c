// §3.1: the HTTP answer to a refused WebSocket upgrade, checked against the fixture table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from 'jose';
import { CONNECT_ERRORS, CONNECT_ERROR_HISTORICAL } from '../fixtures/server-strings.js';
import { startServer, type TestServer } from './index.js';
import { nowSec, rawConnect, wsUrl, type Refused } from './test-helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ knobs: { connectBackoffMs: 30, channelBackoffMs: 30 } });
});
afterAll(() => server.close());

async function refused(url: string, headers: Record<string, string> = {}): Promise<Refused> {
  const r = await rawConnect(url, headers);
  if (r.kind === 'open') {
    r.socket.close();
    throw new Error('upgrade was accepted');
  }
  return r;
}

function expectAnswer(r: Refused, expected: { status: number; error: string }): void {
  expect(r.status).toBe(expected.status);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(r.body)).toEqual({ error: expected.error });
}

describe('connect check (§3.1)', () => {
  it('accepts the legacy anon key, the service-role key and the sb_ keys (swapped by the gateway)', async () => {
    const p = server.defaultProject;
    for (const key of [p.anonKey, p.serviceRoleKey, p.publishableKey, p.secretKey]) {
      const r = await rawConnect(wsUrl(server, key));
      expect(r.kind).toBe('open');
      if (r.kind === 'open') r.socket.close();
    }
  });

  it('refuses a missing apikey', async () => {
    expectAnswer(await refused(wsUrl(server, undefined)), CONNECT_ERRORS.missingApiKey);
  });

  it('reads x-api-key before the apikey query param', async () => {
    const r = await rawConnect(wsUrl(server, 'garbage'), { 'x-api-key': server.defaultProject.anonKey });
    expect(r.kind).toBe('open');
    if (r.kind === 'open') r.socket.close();
    expectAnswer(await refused(wsUrl(server, server.defaultProject.anonKey), { 'x-api-key': 'potato' }), CONNECT_ERRORS.malformed);
  });

  it('answers each token problem with its status and body', async () => {
    const now = nowSec(server);
    const expired = await server.mintToken({ role: 'anon', exp: now - 10 });
    expectAnswer(await refused(wsUrl(server, expired)), CONNECT_ERRORS.expired);
    const noRole = await server.mintToken({ exp: now + 600 });
    expectAnswer(await refused(wsUrl(server, noRole)), CONNECT_ERRORS.missingClaims);
    expectAnswer(await refused(wsUrl(server, 'not.a.jwt!')), CONNECT_ERRORS.malformed);
    expectAnswer(await refused(wsUrl(server, 'sb_publishable_unknownkeyvalue')), CONNECT_ERRORS.malformed);
    const otherSecret = await server.mintToken({ role: 'anon', exp: now + 600 }, { signWith: { secret: 'another-projects-secret-0123456789' } });
    expectAnswer(await refused(wsUrl(server, otherSecret)), CONNECT_ERRORS.signature);
    const { privateKey } = await generateKeyPair('PS256');
    const ps = await server.mintToken({ role: 'anon', exp: now + 600 }, { signWith: { key: privateKey, alg: 'PS256' }, header: { kid: 'k1' } });
    expectAnswer(await refused(wsUrl(server, ps)), CONNECT_ERRORS.signer);
    const unknownKid = await server.mintToken({ role: 'anon', exp: now + 600 }, { signWith: 'current', header: { kid: 'no-such-kid' } });
    expectAnswer(await refused(wsUrl(server, unknownKid)), CONNECT_ERRORS.signerKid('no-such-kid'));
    const stringExp = await server.mintToken({ role: 'anon', exp: String(now + 600) });
    expectAnswer(await refused(wsUrl(server, stringExp)), CONNECT_ERRORS.unknown);
  });

  it('an expired token with a bad signature reports the signature, not the expiry (§4.1 order)', async () => {
    const t = await server.mintToken({ role: 'anon', exp: nowSec(server) - 100 }, { signWith: { secret: 'wrong-secret-wrong-secret-wrong!!' } });
    expectAnswer(await refused(wsUrl(server, t)), CONNECT_ERRORS.signature);
  });

  it('a claim-validator mismatch is the generic 500', async () => {
    server.knobs.claimValidators = { iss: 'https://expected.example/auth/v1' };
    try {
      const t = await server.mintToken({ role: 'anon', exp: nowSec(server) + 60, iss: 'supabase' });
      expectAnswer(await refused(wsUrl(server, t)), CONNECT_ERRORS.unknown);
    } finally {
      server.knobs.claimValidators = {};
    }
  });

  it('selects the tenant by the first Host label; an unknown ref is 404 Tenant not found', async () => {
    const second = await server.createProject();
    const ok = await rawConnect(wsUrl(server, second.anonKey), { Host: `${second.ref}.supabase.co:${server.port}` });
    expect(ok.kind).toBe('open');
    if (ok.kind === 'open') ok.socket.close();
    // The default project's key is another project's token for `second`.
    expectAnswer(
      await refused(wsUrl(server, server.defaultProject.anonKey), { Host: `${second.ref}.supabase.co:${server.port}` }),
      CONNECT_ERRORS.signature,
    );
    expectAnswer(await refused(wsUrl(server, second.anonKey), { Host: `abcdefghijabcdefghij.supabase.co` }), CONNECT_ERRORS.tenantNotFound);
  });

  it('a suspended tenant is 403', async () => {
    server.defaultProject.suspended = true;
    try {
      expectAnswer(await refused(wsUrl(server, server.defaultProject.anonKey)), CONNECT_ERRORS.disabled);
    } finally {
      server.defaultProject.suspended = false;
    }
  });

  it('historical wordings: every connect failure is 403 with an empty body', async () => {
    server.knobs.wordings = 'historical';
    try {
      for (const key of [undefined, 'potato', await server.mintToken({ role: 'anon', exp: nowSec(server) - 5 })]) {
        const r = await refused(wsUrl(server, key));
        expect(r.status).toBe(CONNECT_ERROR_HISTORICAL.status);
        expect(r.body).toBe(CONNECT_ERROR_HISTORICAL.body);
      }
    } finally {
      server.knobs.wordings = 'current';
    }
  });

  it('the Date header of the upgrade answers follows the clock offset', async () => {
    server.knobs.clockOffsetMs = -3 * 3600_000;
    try {
      const r = await refused(wsUrl(server, undefined));
      const date = Date.parse(String(r.headers.date));
      expect(Math.abs(date - (Date.now() - 3 * 3600_000))).toBeLessThan(5000);
      const ok = await rawConnect(wsUrl(server, server.defaultProject.anonKey));
      expect(ok.kind).toBe('open');
      if (ok.kind === 'open') ok.socket.close();
    } finally {
      server.knobs.clockOffsetMs = 0;
    }
  });
});
