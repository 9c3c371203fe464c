// Auth (§5.1), refresh-token rotation, REST 401s, CORS and the Date header, driven by supabase-js
// and fetch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from '@supabase/supabase-js';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startServer, type TestServer } from './index.js';
import { client, httpRequest, nowSec, recordStatuses, waitFor } from './test-helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ knobs: { connectBackoffMs: 20, channelBackoffMs: 20 } });
});
afterAll(() => server.close());

const jsonHeaders = () => ({ apikey: server.defaultProject.anonKey, 'Content-Type': 'application/json', 'X-Supabase-Api-Version': '2024-01-01' });

async function passwordGrant(email: string, password: string) {
  return fetch(`${server.url}/auth/v1/token?grant_type=password`, { method: 'POST', headers: jsonHeaders(), body: JSON.stringify({ email, password }) });
}
async function refreshGrant(refresh_token: string) {
  return fetch(`${server.url}/auth/v1/token?grant_type=refresh_token`, { method: 'POST', headers: jsonHeaders(), body: JSON.stringify({ refresh_token }) });
}

describe('Auth', () => {
  it('password sign-in through supabase-js gives a §5.1 access token (ES256 + kid by default)', async () => {
    const c = client(server, server.defaultProject.anonKey);
    const { data, error } = await c.auth.signInWithPassword({ email: 'user@example.com', password: 'password123' });
    expect(error).toBeNull();
    const session = data.session!;
    expect(session.token_type).toBe('bearer');
    expect(session.expires_in).toBe(3600);
    const claims = decodeJwt(session.access_token);
    expect(Object.keys(claims).sort()).toEqual(
      ['aal', 'amr', 'app_metadata', 'aud', 'email', 'exp', 'iat', 'is_anonymous', 'iss', 'phone', 'role', 'session_id', 'sub', 'user_metadata'].sort(),
    );
    expect(claims).toMatchObject({ aud: 'authenticated', role: 'authenticated', iss: `${server.url}/auth/v1`, is_anonymous: false, email: 'user@example.com' });
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(session.expires_at).toBe(claims.exp);
    expect(decodeProtectedHeader(session.access_token)).toEqual({ alg: 'ES256', kid: server.defaultProject.signingKeys[0].kid, typ: 'JWT' });
    const { data: u } = await c.auth.getUser();
    expect(u.user?.email).toBe('user@example.com');
    // The signed-in session's token is accepted by Realtime.
    const ch = c.channel('after-sign-in');
    const events = recordStatuses(ch);
    expect((await waitFor(() => events[0], 5000)).status).toBe('SUBSCRIBED');
    await c.removeAllChannels();
    c.realtime.disconnect();
  });

  it('iss follows the host the client used, and HS256 (legacy) signing is a knob', async () => {
    const p = await server.createProject({ signingAlg: null, legacyKid: 'legacy-kid-1', accessTokenLifetimeSec: 5 });
    server.createUser('second@example.com', 'pw-second', { project: p });
    const res = await httpRequest(`${server.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { apikey: p.anonKey, Host: `${p.ref}.supabase.co:${server.port}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'second@example.com', password: 'pw-second' }),
    });
    const body = JSON.parse(res.text) as { access_token: string; expires_in: number };
    expect(body.expires_in).toBe(5);
    expect(decodeProtectedHeader(body.access_token)).toEqual({ alg: 'HS256', kid: 'legacy-kid-1', typ: 'JWT' });
    expect(decodeJwt(body.access_token).iss).toBe(`http://${p.ref}.supabase.co:${server.port}/auth/v1`);
    // HS256 legacy tokens are never in the JWKS.
    const jwks = JSON.parse((await httpRequest(`${server.url}/auth/v1/.well-known/jwks.json`, { headers: { Host: `${p.ref}.supabase.co` } })).text) as { keys: unknown[] };
    expect(jwks.keys).toEqual([]);
    const defaultJwks = (await (await fetch(`${server.url}/auth/v1/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, unknown>> };
    expect(defaultJwks.keys.map((k) => [k.kid, k.kty, 'd' in k])).toEqual([[server.defaultProject.signingKeys[0].kid, 'EC', false]]);
  });

  it('wrong password: 400 invalid_credentials (versioned error shape)', async () => {
    const res = await passwordGrant('user@example.com', 'nope');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 'invalid_credentials', message: 'Invalid login credentials' });
  });

  it('anonymous sign-in: is_anonymous true, role authenticated', async () => {
    const c = client(server, server.defaultProject.publishableKey);
    const { data, error } = await c.auth.signInAnonymously({ options: { data: { nick: 'anon' } } });
    expect(error).toBeNull();
    const claims = decodeJwt(data.session!.access_token);
    expect(claims).toMatchObject({ is_anonymous: true, role: 'authenticated', aud: 'authenticated', user_metadata: { nick: 'anon' } });
  });

  it('refresh tokens rotate; reuse after the interval is 400 refresh_token_already_used and kills the session', async () => {
    server.knobs.refreshTokenReuseIntervalMs = 0;
    try {
      const first = (await (await passwordGrant('user@example.com', 'password123')).json()) as { refresh_token: string };
      const r1 = await refreshGrant(first.refresh_token);
      expect(r1.status).toBe(200);
      const second = (await r1.json()) as { refresh_token: string; access_token: string };
      expect(second.refresh_token).not.toBe(first.refresh_token);
      const reuse = await refreshGrant(first.refresh_token);
      expect(reuse.status).toBe(400);
      expect(await reuse.json()).toEqual({ code: 'refresh_token_already_used', message: 'Invalid Refresh Token: Already Used' });
      // Reuse detection revoked the whole session: the child is dead too.
      expect((await refreshGrant(second.refresh_token)).status).toBe(400);
      // Unversioned clients get the older error shape.
      const old = await fetch(`${server.url}/auth/v1/token?grant_type=refresh_token`, {
        method: 'POST',
        headers: { apikey: server.defaultProject.anonKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: first.refresh_token }),
      });
      expect(await old.json()).toEqual({ code: 400, error_code: 'refresh_token_already_used', msg: 'Invalid Refresh Token: Already Used' });
    } finally {
      server.knobs.refreshTokenReuseIntervalMs = 10_000;
    }
  });

  it('within the reuse interval the old refresh token returns the active child', async () => {
    const first = (await (await passwordGrant('user@example.com', 'password123')).json()) as { refresh_token: string };
    const a = (await (await refreshGrant(first.refresh_token)).json()) as { refresh_token: string };
    const b = (await (await refreshGrant(first.refresh_token)).json()) as { refresh_token: string };
    expect(b.refresh_token).toBe(a.refresh_token);
  });

  it('sign-out revokes the session: /user answers 403 session_not_found', async () => {
    const c = createClient(server.url, server.defaultProject.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    });
    const { data } = await c.auth.signInWithPassword({ email: 'user@example.com', password: 'password123' });
    const token = data.session!.access_token;
    expect((await c.auth.signOut()).error).toBeNull();
    const res = await fetch(`${server.url}/auth/v1/user`, { headers: { ...jsonHeaders(), Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('session_not_found');
  });

  it('the gateway refuses a missing or unknown apikey', async () => {
    const none = await fetch(`${server.url}/auth/v1/user`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { message: string }).message).toBe('No API key found in request');
    const bad = await fetch(`${server.url}/rest/v1/todos`, { headers: { apikey: 'nope' } });
    expect(((await bad.json()) as { message: string }).message).toBe('Invalid API key');
  });
});

describe('REST, CORS and Date', () => {
  it('PostgREST-style 401s: expired (PGRST303) and bad signature (PGRST301); 200 [] otherwise', async () => {
    const expired = await server.mintToken({ role: 'authenticated', exp: nowSec(server) - 1 });
    const r1 = await fetch(`${server.url}/rest/v1/todos`, { headers: { apikey: server.defaultProject.anonKey, Authorization: `Bearer ${expired}` } });
    expect(r1.status).toBe(401);
    expect(await r1.json()).toEqual({ code: 'PGRST303', details: null, hint: null, message: 'JWT expired' });
    const forged = await server.mintToken({ role: 'anon' }, { signWith: { secret: 'x'.repeat(40) } });
    const r2 = await fetch(`${server.url}/rest/v1/todos`, { headers: { apikey: server.defaultProject.anonKey, Authorization: `Bearer ${forged}` } });
    expect(r2.status).toBe(401);
    expect(((await r2.json()) as { code: string }).code).toBe('PGRST301');
    const c = client(server, server.defaultProject.publishableKey);
    const { data, error } = await c.from('todos').select('*');
    expect(error).toBeNull();
    expect(data).toEqual([]);
  });

  it('answers CORS preflights for any origin and echoes the requested headers', async () => {
    const res = await fetch(`${server.url}/auth/v1/token?grant_type=password`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://app.example:5173', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'apikey, authorization, content-type, x-client-info, x-supabase-api-version' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toBe('apikey, authorization, content-type, x-client-info, x-supabase-api-version');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    const get = await fetch(`${server.url}/rest/v1/todos`, { headers: { apikey: server.defaultProject.anonKey, Origin: 'http://app.example:5173' } });
    expect(get.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('the Date header and token times follow the clock offset', async () => {
    server.knobs.clockOffsetMs = 7200_000;
    try {
      const res = await passwordGrant('user@example.com', 'password123');
      const date = Date.parse(res.headers.get('date')!);
      expect(Math.abs(date - (Date.now() + 7200_000))).toBeLessThan(5000);
      const claims = decodeJwt(((await res.json()) as { access_token: string }).access_token);
      expect(Math.abs(claims.iat! - (Date.now() / 1000 + 7200))).toBeLessThan(5);
    } finally {
      server.knobs.clockOffsetMs = 0;
    }
  });
});
