// Findings about a token itself are listed once per token, with every place it was used; findings
// about events (a server reply, a close) stay one per event.

import { describe, expect, it } from 'vitest';
import { JOIN_REASONS, SYSTEM_MESSAGES } from '../../../e2e/fixtures/server-strings';
import { trackRealtime } from '../realtime';
import type { Finding, FindingCode } from '../rules/catalogue';
import { legacyKeyClaims, mint, mintNone, OTHER_REF, userClaims } from '../tokens/testing';
import { makeTestKeys } from '../tokens/testing';
import { analyzeSession } from './analyze';
import { SessionScript, T0, sessionCases } from './session-cases';

const keys = await makeTestKeys();
const nowS = T0 / 1000;
const anon = await mint(keys, { claims: legacyKeyClaims('anon', nowS) });

/** Codes that are facts about a token (its class, claims, signature), not about an event. */
const TOKEN_CODES: FindingCode[] = [
  'token-malformed', 'alg-unsupported', 'kid-missing', 'kid-unknown', 'signature-invalid', 'exp-missing', 'role-missing',
  'claim-type-invalid', 'token-expired', 'token-not-yet-valid', 'iat-in-future', 'aud-unexpected', 'iss-unexpected',
  'claim-validator-mismatch', 'role-unknown', 'service-role-in-browser', 'secret-key-in-browser', 'opaque-api-key',
];

async function analyse(s: SessionScript) {
  return analyzeSession(s.events, trackRealtime(s.events), {});
}

function only(findings: Finding[], code: FindingCode, tokenPrefix?: string): Finding[] {
  return findings.filter((f) => f.code === code && (tokenPrefix === undefined || f.evidence.token?.startsWith(tokenPrefix)));
}

/** No token-level code said twice about one token (project-mismatch: once per project it is used with). */
function expectOncePerToken(findings: Finding[]): void {
  const seen = new Map<string, number>();
  for (const f of findings) {
    if (!TOKEN_CODES.includes(f.code) && f.code !== 'project-mismatch') continue;
    const key = `${f.code}|${f.evidence.token}|${f.code === 'project-mismatch' ? JSON.stringify(f.evidence.expected) : ''}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  for (const [key, n] of seen) expect(n, `${key} listed ${n} times`).toBe(1);
}

interface OnceCase {
  name: string;
  build: () => Promise<SessionScript>;
  code: FindingCode;
  /** The finding's token label starts with this. */
  token: string;
  /** Kinds of use the single finding must cite. */
  kinds: string[];
  useCount: number;
}

const svc = await mint(keys, { claims: legacyKeyClaims('service_role', nowS) });
const otherAnon = await mint(keys, { claims: legacyKeyClaims('anon', nowS, OTHER_REF) });
const potato = await mint(keys, { claims: userClaims(nowS, { role: 'potato' }) });
const wrongAud = await mint(keys, { claims: userClaims(nowS, { aud: 'public' }) });
const wrongIss = await mint(keys, { claims: userClaims(nowS, { iss: 'https://auth.example.com/auth/v1' }) });
const none = mintNone(userClaims(nowS));
const rsNoKid = await mint(keys, { alg: 'RS256', header: { kid: undefined }, claims: userClaims(nowS) });

const onceCases: OnceCase[] = [
  {
    name: 'service-role key as the socket apikey, in REST headers and as a channel\'s fallback token',
    code: 'service-role-in-browser', token: 'legacy service-role key', useCount: 4,
    kinds: ['socket-apikey', 'http-apikey', 'http-authorization', 'channel-apikey'],
    build: async () => new SessionScript().socket('c1', svc)
      .after(10).http('GET', '/rest/v1/todos', { authorization: `Bearer ${svc}`, apikey: svc }, { status: 200 })
      .after(10).join('c1', 'room', '1').after(30).joinOk('c1', 'room', '1'),
  },
  {
    name: 'sb_secret_ key as the socket apikey and in two requests',
    code: 'secret-key-in-browser', token: 'sb_secret_', useCount: 3, kinds: ['socket-apikey', 'http-apikey'],
    build: async () => new SessionScript().socket('c1', 'sb_secret_AbCdEf0123456789_xyz')
      .http('GET', '/rest/v1/a', { apikey: 'sb_secret_AbCdEf0123456789_xyz' }, { status: 401 })
      .http('GET', '/rest/v1/b', { apikey: 'sb_secret_AbCdEf0123456789_xyz' }, { status: 401 }),
  },
  {
    name: 'sb_publishable_ key as the socket apikey and in a request',
    code: 'opaque-api-key', token: 'sb_publishable_', useCount: 2, kinds: ['socket-apikey', 'http-apikey'],
    build: async () => new SessionScript().socket('c1', 'sb_publishable_AbCdEf0123456789_xyz')
      .http('GET', '/rest/v1/a', { apikey: 'sb_publishable_AbCdEf0123456789_xyz' }, { status: 200 }),
  },
  {
    name: 'anon key of another project as the socket apikey and in a request',
    code: 'project-mismatch', token: 'legacy anon key', useCount: 2, kinds: ['socket-apikey', 'http-apikey'],
    build: async () => new SessionScript().socket('c1', otherAnon).http('GET', '/rest/v1/a', { apikey: otherAnon }, { status: 401 }),
  },
  {
    name: 'unusual role joined on two channels and sent over HTTP',
    code: 'role-unknown', token: 'user access token', useCount: 3, kinds: ['http-authorization', 'join-access-token'],
    build: async () => new SessionScript().socket('c1', anon)
      .http('GET', '/rest/v1/a', { authorization: `Bearer ${potato}`, apikey: anon }, { status: 200 })
      .join('c1', 'one', '1', potato).join('c1', 'two', '2', potato),
  },
  {
    name: 'unexpected audience over HTTP twice and on a channel',
    code: 'aud-unexpected', token: 'user access token', useCount: 3, kinds: ['http-authorization', 'join-access-token'],
    build: async () => new SessionScript().socket('c1', anon)
      .http('GET', '/rest/v1/a', { authorization: `Bearer ${wrongAud}`, apikey: anon }, { status: 200 })
      .http('GET', '/rest/v1/a', { authorization: `Bearer ${wrongAud}`, apikey: anon }, { status: 200 })
      .join('c1', 'room', '1', wrongAud),
  },
  {
    name: 'unexpected issuer over HTTP and on a channel',
    code: 'iss-unexpected', token: 'user access token', useCount: 2, kinds: ['http-authorization', 'join-access-token'],
    build: async () => new SessionScript().socket('c1', anon)
      .http('GET', '/rest/v1/a', { authorization: `Bearer ${wrongIss}`, apikey: anon }, { status: 200 })
      .join('c1', 'room', '1', wrongIss),
  },
  {
    name: 'alg none over HTTP and on a channel',
    code: 'alg-unsupported', token: 'user access token', useCount: 2, kinds: ['http-authorization', 'join-access-token'],
    build: async () => new SessionScript().socket('c1', anon)
      .http('GET', '/rest/v1/a', { authorization: `Bearer ${none}`, apikey: anon }, { status: 401 })
      .join('c1', 'room', '1', none).after(5_000).joinError('c1', 'room', '1', JOIN_REASONS.signer),
  },
  {
    name: 'RS256 without kid over HTTP and on a channel',
    code: 'kid-missing', token: 'user access token', useCount: 2, kinds: ['http-authorization', 'join-access-token'],
    build: async () => new SessionScript().socket('c1', anon)
      .http('GET', '/rest/v1/a', { authorization: `Bearer ${rsNoKid}`, apikey: anon }, { status: 401 })
      .join('c1', 'room', '1', rsNoKid),
  },
  {
    name: 'a malformed token over HTTP and on two channels',
    code: 'token-malformed', token: 'not a JWT', useCount: 3, kinds: ['http-authorization', 'join-access-token'],
    build: async () => new SessionScript().socket('c1', anon)
      .http('GET', '/rest/v1/a', { authorization: 'Bearer abc.def', apikey: anon }, { status: 401 })
      .join('c1', 'one', '1', 'abc.def').join('c1', 'two', '2', 'abc.def'),
  },
];

describe('a finding about a token is listed once, citing every use', () => {
  it.each(onceCases.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const s = await c.build();
    const { findings } = await analyse(s);
    const list = only(findings, c.code, c.token);
    expect(list, `${c.code}: ${findings.map((f) => `${f.code}@${f.evidence.token}`).join(', ')}`).toHaveLength(1);
    const [f] = list;
    expect(f.evidence.useCount).toBe(c.useCount);
    expect(new Set(f.evidence.uses!.map((u) => u.kind))).toEqual(new Set(c.kinds));
    expect(f.evidence.uses!.reduce((n, u) => n + u.count, 0)).toBe(c.useCount);
    // The primary evidence is the first use, and the message says how often it applies.
    const first = [...f.evidence.uses!].sort((a, b) => a.first - b.first)[0];
    expect(f.time).toBe(first.first);
    expect(f.message).toMatch(new RegExp(`Applies to ${c.useCount} uses`));
    expectOncePerToken(findings);
  });

  it('service-role key as the socket apikey and in REST headers: exactly one finding citing both', async () => {
    const s = new SessionScript().socket('c1', svc).after(1_000)
      .http('GET', '/rest/v1/todos', { authorization: `Bearer ${svc}`, apikey: svc }, { status: 200 });
    const { findings } = await analyse(s);
    const list = only(findings, 'service-role-in-browser');
    expect(list).toHaveLength(1);
    const [f] = list;
    // First use: the socket.
    expect(f.evidence.conn).toBe('c1');
    expect(f.evidence.requestId).toBeUndefined();
    expect(f.time).toBe(T0);
    const socket = f.evidence.uses!.find((u) => u.kind === 'socket-apikey')!;
    expect(socket).toMatchObject({ conn: 'c1', count: 1, first: T0 });
    const rest = f.evidence.uses!.filter((u) => u.kind !== 'socket-apikey');
    expect(rest.map((u) => u.kind).sort()).toEqual(['http-apikey', 'http-authorization']);
    for (const u of rest) expect(u).toMatchObject({ path: '/rest/v1/todos', requestId: 'r1', count: 1, first: T0 + 1_000 });
    // The socket URL's query (which holds the key) is never copied into the evidence.
    expect(JSON.stringify(f.evidence)).not.toContain('apikey=');
  });

  it('places are counted, not listed per use: 300 requests to one path are one place', async () => {
    const s = new SessionScript().socket('c1', svc);
    for (let i = 0; i < 300; i++) s.after(100).http('GET', '/rest/v1/todos', { apikey: svc }, { status: 200 });
    const [f] = only((await analyse(s)).findings, 'service-role-in-browser');
    expect(f.evidence.useCount).toBe(301);
    const http = f.evidence.uses!.find((u) => u.kind === 'http-apikey')!;
    expect(http).toMatchObject({ count: 300, first: T0 + 100, last: T0 + 30_000, requestId: 'r1' });
    expect(f.message).toMatch(/HTTP apikey header ×300 \(\/rest\/v1\/todos\)/);
  });

  it('the number of places listed is bounded; the rest are counted', async () => {
    const s = new SessionScript().socket('c1', svc);
    for (let i = 0; i < 30; i++) s.after(10).http('GET', `/rest/v1/t${i}`, { apikey: svc }, { status: 200 });
    const [f] = only((await analyse(s)).findings, 'service-role-in-browser');
    expect(f.evidence.useCount).toBe(31);
    expect(f.evidence.uses!.length).toBe(20);
    expect(f.evidence.usesOmitted).toBe(11);
  });
});

describe('time findings: one per token, first expired use as the evidence', () => {
  it('an expired token used on a channel and then over HTTP is one token-expired; each rejection stays its own finding', async () => {
    const exp = nowS + 100;
    const user = await mint(keys, { claims: userClaims(nowS - 3000, { exp }) });
    const s = new SessionScript().socket('c1', anon)
      .http('GET', '/rest/v1/a', { authorization: `Bearer ${user}`, apikey: anon }, { status: 200 }) // still valid
      .at(exp * 1000 + 5_000).join('c1', 'room', '1', user).after(5_000).joinError('c1', 'room', '1', JOIN_REASONS.expired(5))
      .after(1_000).join('c1', 'room', '2', user).after(5_000).joinError('c1', 'room', '2', JOIN_REASONS.expired(11))
      .after(1_000).http('GET', '/rest/v1/b', { authorization: `Bearer ${user}`, apikey: anon }, { status: 401 });
    const { findings } = await analyse(s);
    const expired = only(findings, 'token-expired');
    expect(expired).toHaveLength(1);
    const [f] = expired;
    // The first use after exp, not the earlier valid one; later uses counted.
    expect(f.time).toBe(exp * 1000 + 5_000);
    expect(f.evidence.topic).toBe('realtime:room');
    expect(f.message).toMatch(/^Expired 5 s before this use/);
    expect(f.evidence.serverText).toBe(JOIN_REASONS.expired(5));
    expect(f.evidence.useCount).toBe(3);
    expect(f.evidence.uses!.map((u) => [u.kind, u.count])).toEqual([['join-access-token', 2], ['http-authorization', 1]]);
    expect(f.evidence.uses![0].last).toBe(exp * 1000 + 11_000);
    // Confirmed by the server's replies, and each reply is its own event.
    expect(f.confirmedByServer).toBe(true);
    expect(only(findings, 'server-join-rejected')).toHaveLength(2);
    expect(only(findings, 'rejoin-loop')).toHaveLength(0);
  });

  it('two channels closed by the server at exp are two server-channel-closed findings and one token-expired', async () => {
    const exp = nowS + 60;
    const user = await mint(keys, { claims: userClaims(nowS - 3000, { exp }) });
    const s = new SessionScript().socket('c1', anon)
      .join('c1', 'a', '1', user).after(30).joinOk('c1', 'a', '1')
      .join('c1', 'b', '2', user).after(30).joinOk('c1', 'b', '2')
      .at(exp * 1000).system('c1', 'a', '1', SYSTEM_MESSAGES.expired(0)).system('c1', 'b', '2', SYSTEM_MESSAGES.expired(0))
      .after(1_000).join('c1', 'a', '3', user);
    const { findings } = await analyse(s);
    expect(only(findings, 'server-channel-closed').map((f) => f.evidence.topic).sort()).toEqual(['realtime:a', 'realtime:b']);
    expect(only(findings, 'token-expired')).toHaveLength(1);
  });
});

describe('the session table keeps one finding per token and code', () => {
  it('every captured-session case', async () => {
    for (const c of await sessionCases(keys)) {
      const { findings } = await analyzeSession(c.events, trackRealtime(c.events), c.options);
      expectOncePerToken(findings);
    }
  });
});
