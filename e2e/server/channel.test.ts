// §3.2–§3.3 and §7 through the real supabase-js: what `subscribe()` callbacks see, for both
// serializers. Join error replies are delayed by the (short, in tests) channel backoff.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import { CLIENT_SURFACES, JOIN_REASONS, JOIN_REASONS_HISTORICAL, SYSTEM_MESSAGES } from '../fixtures/server-strings.js';
import { startServer, type TestServer } from './index.js';
import { client, nowSec, recordStatuses, waitFor } from './test-helpers.js';

let server: TestServer;
const clients: SupabaseClient[] = [];
beforeAll(async () => {
  server = await startServer({ knobs: { connectBackoffMs: 30, channelBackoffMs: 30 } });
});
afterEach(async () => {
  for (const c of clients.splice(0)) {
    await c.removeAllChannels();
    c.realtime.disconnect();
  }
  server.knobs.wordings = 'current';
  server.knobs.claimValidators = {};
  server.knobs.clockOffsetMs = 0;
  server.defaultProject.privateOnly = false;
  server.setPolicies(server.defaultProject.ref, []);
});
afterAll(() => server.close());

const userClaims = (extra: Record<string, unknown> = {}) => ({
  sub: '2b6cc1a4-6a1a-4bb0-9a55-0d1b5f0f4a11',
  role: 'authenticated',
  aud: 'authenticated',
  iat: nowSec(server),
  exp: nowSec(server) + 3600,
  ...extra,
});

/** A supabase-js client whose joins carry `token` (third-party-auth style callback). */
async function clientWithToken(token: string, vsn: '1.0.0' | '2.0.0'): Promise<SupabaseClient> {
  const c = client(server, server.defaultProject.anonKey, { vsn, accessToken: async () => token });
  clients.push(c);
  await c.realtime.setAuth();
  return c;
}

async function firstStatus(c: SupabaseClient, topic: string, config: Record<string, unknown> = {}) {
  const ch = c.channel(topic, { config });
  const events = recordStatuses(ch);
  const first = await waitFor(() => events[0], 5000, `first status on ${topic}`);
  return { ch, events, first };
}

describe.each(['2.0.0', '1.0.0'] as const)('joins with vsn %s', (vsn) => {
  it('SUBSCRIBED with a valid user token', async () => {
    const c = await clientWithToken(await server.mintToken(userClaims(), { signWith: 'current' }), vsn);
    const { first } = await firstStatus(c, 'room-ok');
    expect(first.status).toBe('SUBSCRIBED');
  });

  it('broadcast with self+ack and presence sync between two supabase-js clients', async () => {
    const a = await clientWithToken(await server.mintToken(userClaims(), { signWith: 'current' }), vsn);
    const b = await clientWithToken(await server.mintToken(userClaims({ sub: 'other-user' })), vsn === '2.0.0' ? '1.0.0' : '2.0.0');
    const got: { a: unknown[]; b: unknown[] } = { a: [], b: [] };
    const cha = a.channel('party', { config: { broadcast: { self: true, ack: true }, presence: { key: 'a' } } });
    const chb = b.channel('party', { config: { presence: { key: 'b' } } });
    cha.on('broadcast', { event: 'ping' }, (p) => got.a.push(p.payload));
    chb.on('broadcast', { event: 'ping' }, (p) => got.b.push(p.payload));
    chb.on('presence', { event: 'sync' }, () => undefined);
    const sa = recordStatuses(cha);
    const sb = recordStatuses(chb);
    await waitFor(() => sa[0] && sb[0], 5000, 'both subscribed');
    expect([sa[0].status, sb[0].status]).toEqual(['SUBSCRIBED', 'SUBSCRIBED']);
    expect(await cha.send({ type: 'broadcast', event: 'ping', payload: { n: 1 } })).toBe('ok');
    await waitFor(() => got.a.length && got.b.length, 3000, 'fan-out');
    expect(got).toEqual({ a: [{ n: 1 }], b: [{ n: 1 }] });
    await cha.track({ online: true });
    await waitFor(() => 'a' in chb.presenceState(), 3000, 'presence of a seen by b');
    expect(chb.presenceState().a[0]).toMatchObject({ online: true });
  });

  it('CHANNEL_ERROR "Token has expired N seconds ago" with N = server now − exp, then again on rejoin', async () => {
    const exp = nowSec(server) - 90;
    const c = await clientWithToken(await server.mintToken(userClaims({ exp })), vsn);
    const { events, first } = await firstStatus(c, 'room-expired');
    expect(first.status).toBe('CHANNEL_ERROR');
    expect([JOIN_REASONS.expired(90), JOIN_REASONS.expired(91)]).toContain(first.message);
    // Phoenix auto-rejoins after ~1 s: the same error is surfaced again.
    const second = await waitFor(() => events[1], 5000, 'second CHANNEL_ERROR');
    expect(second.status).toBe('CHANNEL_ERROR');
    expect(second.message).toMatch(/^InvalidJWTToken: Token has expired \d+ seconds ago$/);
  });

  it('uses the server clock (offset knob) for the expiry arithmetic', async () => {
    const realNow = Math.floor(Date.now() / 1000);
    server.knobs.clockOffsetMs = 200_000; // server clock 200 s ahead
    const c = await clientWithToken(await server.mintToken(userClaims({ exp: realNow + 100 })), vsn);
    const { first } = await firstStatus(c, 'room-skew');
    expect(first.status).toBe('CHANNEL_ERROR');
    expect([JOIN_REASONS.expired(100), JOIN_REASONS.expired(101)]).toContain(first.message);
  });

  it('each token problem gives its reason', async () => {
    const now = nowSec(server);
    const other = await server.createProject();
    const cases: Array<[string, string]> = [
      ['potato', JOIN_REASONS.malformed],
      [await server.mintToken({ sub: 'x', exp: now + 60 }), JOIN_REASONS.missingClaims],
      [await server.mintToken(userClaims(), { project: other }), JOIN_REASONS.signature],
      [await server.mintToken(userClaims(), { project: other, signWith: 'current' }), JOIN_REASONS.signerKid(other.signingKeys[0].kid)],
      [await server.mintToken(userClaims(), { signWith: 'none' }), JOIN_REASONS.signer],
      [await server.mintToken(userClaims({ exp: String(now + 60) })), JOIN_REASONS.unknown],
    ];
    for (const [token, reason] of cases) {
      const c = await clientWithToken(token, vsn);
      const { first } = await firstStatus(c, `room-${cases.findIndex((x) => x[0] === token)}`);
      expect({ status: first.status, message: first.message }).toEqual({ status: 'CHANNEL_ERROR', message: reason });
    }
  });

  it('a claim-validator mismatch is "Unknown Error on Channel"', async () => {
    server.knobs.claimValidators = { aud: ['authenticated'] }; // a string aud ≠ ["authenticated"]
    const c = await clientWithToken(await server.mintToken(userClaims()), vsn);
    const { first } = await firstStatus(c, 'room-validator');
    expect(first.message).toBe(JOIN_REASONS.unknown);
  });

  it('PrivateOnly is checked before the token', async () => {
    server.defaultProject.privateOnly = true;
    const c = await clientWithToken('potato', vsn);
    const { first } = await firstStatus(c, 'room-public');
    expect(first.message).toBe(JOIN_REASONS.privateOnly);
  });

  it('a private channel denied by the policy table is Unauthorized; allowed by sub is SUBSCRIBED', async () => {
    const claims = userClaims();
    server.setPolicies(server.defaultProject.ref, [{ topic: 'vip', sub: claims.sub as string, read: true }]);
    const c = await clientWithToken(await server.mintToken(claims), vsn);
    const denied = await firstStatus(c, 'lobby', { private: true });
    expect(denied.first.message).toBe(JOIN_REASONS.unauthorized('lobby'));
    const allowed = await firstStatus(c, 'vip', { private: true });
    expect(allowed.first.status).toBe('SUBSCRIBED');
    // A role that is not a Postgres role: RlsPolicyError in the logs, Unauthorized on the wire.
    const potato = await clientWithToken(await server.mintToken(userClaims({ role: 'potato' })), vsn);
    expect((await firstStatus(potato, 'vip', { private: true })).first.message).toBe(JOIN_REASONS.unauthorized('vip'));
    expect(server.logs.some((l) => l.code === 'RlsPolicyError')).toBe(true);
  });

  it('historical wordings: an expired token is "InvalidJWTToken: Invalid JWT Token"', async () => {
    server.knobs.wordings = 'historical';
    const c = await clientWithToken(await server.mintToken(userClaims({ exp: nowSec(server) - 5 })), vsn);
    const { first } = await firstStatus(c, 'room-old');
    expect(first.message).toBe(JOIN_REASONS_HISTORICAL.invalidJwtToken);
  });

  it('mid-channel expiry: system "Token has expired N seconds ago" then CLOSED, no rejoin', async () => {
    const c = await clientWithToken(await server.mintToken(userClaims({ exp: nowSec(server) + 2 })), vsn);
    const ch = c.channel('room-expiring');
    const system: Array<Record<string, unknown>> = [];
    ch.on('system', {}, (p) => system.push(p as Record<string, unknown>));
    const events = recordStatuses(ch);
    await waitFor(() => events.find((e) => e.status === 'SUBSCRIBED'), 5000, 'SUBSCRIBED');
    const closed = await waitFor(() => events.find((e) => e.status === 'CLOSED'), 6000, 'CLOSED');
    expect(closed.message).toBeUndefined();
    expect(system.map((p) => p.message)).toContainEqual(expect.stringMatching(/^Token has expired [01] seconds ago$/));
    expect(system[0]).toMatchObject({ extension: 'system', status: 'error', channel: 'room-expiring' });
    expect(c.realtime.getChannels()).not.toContain(ch);
  });

  it('a revoked kid: the live channel closes at the re-check, and a join gets JwtSignerError with the kid', async () => {
    const ref = server.defaultProject.ref;
    const old = await server.rotateSigningKey(ref, 'ES256', { drain: false });
    const c = await clientWithToken(await server.mintToken(userClaims(), { signWith: old.kid }), vsn);
    const { ch, events } = await firstStatus(c, 'room-kid');
    const system: string[] = [];
    ch.on('system', {}, (p) => system.push(String((p as { message: unknown }).message)));
    expect(events[0].status).toBe('SUBSCRIBED');
    // Rotation: a new in-use key, the old one "previously used"; then the old one is revoked.
    await server.rotateSigningKey(ref, 'ES256', { drain: false });
    server.revokeKid(old.kid, { drain: false });
    await server.confirmTokensNow();
    await waitFor(() => events.find((e) => e.status === 'CLOSED'), 3000, 'CLOSED');
    expect(system).toContain(SYSTEM_MESSAGES.signerKid(old.kid));
    const again = await firstStatus(c, 'room-kid-2');
    expect(again.first.message).toBe(JOIN_REASONS.signerKid(old.kid));
  });

  it('postgres_changes: join reply ids and "Subscribed to PostgreSQL"; a non-Postgres role gets the subscribe error', async () => {
    for (const [role, expectOk] of [['authenticated', true], ['potato', false]] as const) {
      const c = await clientWithToken(await server.mintToken(userClaims({ role })), vsn);
      const ch = c.channel(`db-${role}`);
      const system: Array<Record<string, unknown>> = [];
      ch.on('postgres_changes', { event: '*', schema: 'public', table: 'messages' }, () => undefined);
      ch.on('system', {}, (p) => system.push(p as Record<string, unknown>));
      const events = recordStatuses(ch);
      await waitFor(() => system.length > 0, 3000, 'postgres system message');
      // The server's reply matched the client's bindings, so the client is SUBSCRIBED either way.
      expect(events[0].status).toBe('SUBSCRIBED');
      expect(system[0]).toMatchObject({ extension: 'postgres_changes', status: expectOk ? 'ok' : 'error', channel: `db-${role}` });
      if (expectOk) expect(system[0].message).toBe(SYSTEM_MESSAGES.postgresSubscribed);
      else expect(String(system[0].message).startsWith(SYSTEM_MESSAGES.postgresSubscribeErrorPrefix)).toBe(true);
    }
  });
});

describe('socket-level failures surface as CHANNEL_ERROR (§7)', () => {
  it('a refused upgrade surfaces as CHANNEL_ERROR from the transport', async () => {
    const expired = await server.mintToken({ role: 'anon', exp: nowSec(server) - 1 });
    const c = client(server, expired);
    clients.push(c);
    const { first } = await firstStatus(c, 'room-refused');
    expect(first.status).toBe('CHANNEL_ERROR');
    // Measured with ws in Node: the transport's error event (no close code) arrives first.
    expect([CLIENT_SURFACES.transportFailure, CLIENT_SURFACES.socketClosed(1006)]).toContain(first.message);
  });
});
