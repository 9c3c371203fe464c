// The JWKS rules (issue 10 item 8): which origins are offered, what a typed one may be, which keys
// are kept, and how the one request is made — against a real HTTP server and Node's real fetch.

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWKS_MAX_BYTES, JWKS_PATH, fetchJwks, issuersOf, jwksOrigins, publicKeysOnly, typedJwksSource } from './jwks-fetch';

const RSA_PUBLIC = { kty: 'RSA', kid: 'r1', alg: 'RS256', use: 'sig', n: 'sXch', e: 'AQAB' };
const EC_PUBLIC = { kty: 'EC', kid: 'e1', alg: 'ES256', crv: 'P-256', x: 'f83O', y: 'x_FE' };
const OKP_PUBLIC = { kty: 'OKP', kid: 'o1', crv: 'Ed25519', x: '11qY' };
const HTTPS_PAGE = 'https://app.example.com/chat';
const HTTP_PAGE = 'http://abcdefghijklmnopqrst.supabase.co:3000/';

describe('jwksOrigins: only origins seen on a Realtime socket, by the scheme rules', () => {
  it('offers wss/https origins, loopback, and plain http only when the page itself is http; the issuer first', () => {
    const sockets = [
      'wss://other.example.net/realtime/v1/websocket?apikey=x',
      'wss://abcdefghijklmnopqrst.supabase.co/realtime/v1/websocket?vsn=2.0.0',
      'wss://abcdefghijklmnopqrst.supabase.co:443/realtime/v1/websocket', // the same origin
      'ws://127.0.0.1:54321/realtime/v1/websocket',
      'ws://localhost:54321/realtime/v1/websocket',
      'ws://[::1]:54321/realtime/v1/websocket',
      'ws://plain.example.org/realtime/v1/websocket',
      'javascript:alert(1)',
      'not a url',
    ];
    const iss = ['https://abcdefghijklmnopqrst.supabase.co/auth/v1', 42, null];
    expect(jwksOrigins(sockets, HTTPS_PAGE, iss).map((o) => [o.origin, o.matchesIss])).toEqual([
      ['https://abcdefghijklmnopqrst.supabase.co', true],
      ['https://other.example.net', false],
      ['http://127.0.0.1:54321', false],
      ['http://localhost:54321', false],
      ['http://[::1]:54321', false],
    ]);
    // The page is plain http (local development, the demo): plain http origins are offered too.
    expect(jwksOrigins(sockets, HTTP_PAGE).map((o) => o.origin)).toContain('http://plain.example.org');
    expect(jwksOrigins(['ws://plain.example.org:80/realtime/v1/websocket'], HTTP_PAGE)[0]).toEqual({ origin: 'http://plain.example.org', url: `http://plain.example.org${JWKS_PATH}`, matchesIss: false });
    // Nothing seen on a socket: nothing offered.
    expect(jwksOrigins([], HTTPS_PAGE, iss)).toEqual([]);
  });

  it('reads the issuers from the tokens in use (JWTs only)', () => {
    const jwt = (claims: object) => `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
    expect(issuersOf([jwt({ iss: 'https://abcdefghijklmnopqrst.supabase.co/auth/v1' }), jwt({ iss: 'supabase' }), jwt({ iss: 'supabase' }), 'sb_publishable_x', 7, jwt({})])).toEqual([
      'https://abcdefghijklmnopqrst.supabase.co/auth/v1',
      'supabase',
    ]);
  });
});

describe('typedJwksSource: any other origin the user types, by the same scheme rules', () => {
  it('takes an origin or a JWKS URL, refuses plain http off loopback on an https page, credentials and other schemes', () => {
    expect(typedJwksSource('myproject.example.com', HTTPS_PAGE)).toEqual({ ok: true, origin: 'https://myproject.example.com', url: `https://myproject.example.com${JWKS_PATH}` });
    expect(typedJwksSource(' https://auth.example.com/.well-known/jwks.json ', HTTPS_PAGE)).toEqual({ ok: true, origin: 'https://auth.example.com', url: 'https://auth.example.com/.well-known/jwks.json' });
    expect(typedJwksSource('http://localhost:54321', HTTPS_PAGE)).toMatchObject({ ok: true, url: `http://localhost:54321${JWKS_PATH}` });
    expect(typedJwksSource('http://intranet.example', HTTPS_PAGE)).toMatchObject({ ok: false, error: expect.stringMatching(/plain http .* use https/) });
    expect(typedJwksSource('http://intranet.example', HTTP_PAGE)).toMatchObject({ ok: true });
    expect(typedJwksSource('https://user:pw@example.com', HTTPS_PAGE)).toMatchObject({ ok: false, error: expect.stringMatching(/credentials/) });
    expect(typedJwksSource('file:///etc/passwd', HTTPS_PAGE)).toMatchObject({ ok: false });
    expect(typedJwksSource('javascript://x', HTTPS_PAGE)).toMatchObject({ ok: false });
    expect(typedJwksSource('', HTTPS_PAGE)).toMatchObject({ ok: false, error: expect.stringMatching(/type an origin/) });
    expect(typedJwksSource('http://[::1', HTTPS_PAGE)).toMatchObject({ ok: false, error: expect.stringMatching(/not an origin/) });
  });
});

describe('publicKeysOnly', () => {
  it('keeps public RSA, EC and OKP keys, never oct, and strips every private member', () => {
    const result = publicKeysOnly([
      RSA_PUBLIC,
      { ...RSA_PUBLIC, kid: 'r2', d: 'PRIV', p: 'P', q: 'Q', dp: 'DP', dq: 'DQ', qi: 'QI', oth: [] },
      { ...EC_PUBLIC, d: 'ECPRIV' },
      { ...OKP_PUBLIC, d: 'EDPRIV' },
      { kty: 'oct', kid: 'hs', k: 'c2VjcmV0' },
      { kty: 'weird' },
      'not a key',
      null,
    ]);
    expect(result.keys).toEqual([RSA_PUBLIC, { ...RSA_PUBLIC, kid: 'r2' }, EC_PUBLIC, OKP_PUBLIC]);
    expect(JSON.stringify(result.keys)).not.toMatch(/PRIV|"k"|"d"|"p"|"q"/);
    expect(result).toMatchObject({ symmetricDropped: 1, unknownDropped: 3, privateStripped: 3 });
  });
});

describe('fetchJwks against a real server', () => {
  let server: Server;
  let origin = '';
  const seen: IncomingHttpHeaders[] = [];
  let closedEarly = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      const path = req.url ?? '';
      if (path === JWKS_PATH) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [RSA_PUBLIC, { ...EC_PUBLIC, d: 'ECPRIV' }, { kty: 'oct', k: 'c2VjcmV0' }] }));
      if (path === '/oct-only') return res.writeHead(200).end(JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }));
      if (path === '/redirect') return res.writeHead(302, { location: `${origin}${JWKS_PATH}` }).end();
      if (path === '/missing') return res.writeHead(404).end('nope');
      if (path === '/huge-declared') return res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) }).end();
      if (path === '/huge-streamed') {
        // No content-length: chunk after chunk, 32 MB in all unless the client stops reading.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.on('close', () => {
          if (!res.writableFinished) closedEarly++;
        });
        let sent = 0;
        const more = () => {
          while (sent < 32 * 1024 * 1024) {
            sent += 4096;
            if (!res.write(`${' '.repeat(4095)}\n`)) return void res.once('drain', more);
          }
          res.end('{"keys":[]}');
        };
        return more();
      }
      if (path === '/silent') return; // never answers
      if (path === '/stalls') return void res.writeHead(200).write('{"keys":[');
      if (path === '/not-json') return res.writeHead(200).end('<html>');
      res.writeHead(500).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('keeps the public keys and sends no credentials and no referrer', async () => {
    const result = await fetchJwks(`${origin}${JWKS_PATH}`, { fetch });
    expect(result).toMatchObject({ ok: true, keys: [RSA_PUBLIC, EC_PUBLIC], symmetricDropped: 1, privateStripped: 1 });
    const headers = seen.at(-1)!;
    expect(headers.cookie).toBeUndefined();
    expect(headers.authorization).toBeUndefined();
    expect(headers.referer).toBeUndefined();
  });

  it('follows no redirect, and says why a fetch failed in one sentence', async () => {
    expect(await fetchJwks(`${origin}/redirect`, { fetch })).toMatchObject({ ok: false, error: expect.stringMatching(/could not be fetched .*redirects are not followed/) });
    expect(await fetchJwks(`${origin}/missing`, { fetch })).toEqual({ ok: false, error: `HTTP 404 from ${origin}/missing` });
    expect(await fetchJwks(`${origin}/not-json`, { fetch })).toEqual({ ok: false, error: `${origin}/not-json: the JWKS is not JSON` });
    expect(await fetchJwks(`${origin}/oct-only`, { fetch })).toMatchObject({ ok: false, error: expect.stringMatching(/no public RSA, EC or OKP key \(1 symmetric key dropped/) });
  });

  it('reads at most 64 KB, stopping the download', async () => {
    expect(await fetchJwks(`${origin}/huge-declared`, { fetch })).toMatchObject({ ok: false, error: expect.stringMatching(/more than a JWKS needs \(at most 64 KB\)/) });
    const result = await fetchJwks(`${origin}/huge-streamed`, { fetch });
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(new RegExp(`more than ${JWKS_MAX_BYTES / 1024} KB.*stopped reading`)) });
    await expect.poll(() => closedEarly).toBe(1);
  });

  it('gives up after the timeout, before the headers or while reading the body', async () => {
    const started = Date.now();
    expect(await fetchJwks(`${origin}/silent`, { fetch, timeoutMs: 300 })).toMatchObject({ ok: false, error: expect.stringMatching(/did not answer within 0.3 s/) });
    expect(await fetchJwks(`${origin}/stalls`, { fetch, timeoutMs: 300 })).toMatchObject({ ok: false, error: expect.stringMatching(/did not finish within 0.3 s/) });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
