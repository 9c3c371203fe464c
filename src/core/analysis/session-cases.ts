// Test support: captured sessions (events as the capture layer records them) for the analysis
// table, shared by analyze.test.ts and docs-meta.test.ts. Tokens are minted with jose at test time.

import { SYSTEM_MESSAGES, JOIN_REASONS } from '../../../e2e/fixtures/server-strings';
import type { CapturedEvent, CapturedEventBody } from '../model';
import type { FindingCode } from '../rules/catalogue';
import type { ProjectKnowledge } from '../tokens/project';
import { legacyKeyClaims, mint, OTHER_REF, REF, userClaims, type TestKeys } from '../tokens/testing';

export const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);
const HOST = `${REF}.supabase.co`;
const wsUrl = (apikey: string) => `wss://${HOST}/realtime/v1/websocket?apikey=${encodeURIComponent(apikey)}&vsn=2.0.0`;

/** Builds a captured-event stream with increasing seq; `at` sets the browser clock. */
export class SessionScript {
  readonly events: CapturedEvent[] = [];
  time = T0;
  private seq = 0;
  private reqs = 0;
  at(ms: number): this {
    this.time = ms;
    return this;
  }
  after(ms: number): this {
    this.time += ms;
    return this;
  }
  push(body: CapturedEventBody): this {
    this.seq += 1;
    this.events.push({ ...body, seq: this.seq, time: this.time, docId: 'doc', source: 'page' } as CapturedEvent);
    return this;
  }
  socket(conn: string, apikey: string): this {
    return this.push({ kind: 'ws-connecting', conn, url: wsUrl(apikey), protocols: [] }).push({ kind: 'ws-open', conn, protocol: '', extensions: '' });
  }
  sent(conn: string, frame: unknown[]): this {
    const text = JSON.stringify(frame);
    return this.push({ kind: 'ws-frame', conn, dir: 'sent', opcode: 'text', text, size: text.length });
  }
  received(conn: string, frame: unknown[]): this {
    const text = JSON.stringify(frame);
    return this.push({ kind: 'ws-frame', conn, dir: 'received', opcode: 'text', text, size: text.length });
  }
  join(conn: string, topic: string, joinRef: string, token?: unknown, priv = false): this {
    const payload: Record<string, unknown> = { config: { broadcast: { ack: false, self: false }, presence: { key: '', enabled: false }, postgres_changes: [], private: priv } };
    if (token !== undefined) payload.access_token = token;
    return this.sent(conn, [joinRef, joinRef, `realtime:${topic}`, 'phx_join', payload]);
  }
  joinOk(conn: string, topic: string, joinRef: string): this {
    return this.received(conn, [joinRef, joinRef, `realtime:${topic}`, 'phx_reply', { status: 'ok', response: { postgres_changes: [] } }]);
  }
  joinError(conn: string, topic: string, joinRef: string, reason: string): this {
    return this.received(conn, [joinRef, joinRef, `realtime:${topic}`, 'phx_reply', { status: 'error', response: { reason } }]);
  }
  accessToken(conn: string, topic: string, joinRef: string, ref: string, value: unknown): this {
    return this.sent(conn, [joinRef, ref, `realtime:${topic}`, 'access_token', { access_token: value }]);
  }
  system(conn: string, topic: string, joinRef: string, message: string, extension = 'system', status = 'error', close = extension === 'system' && status === 'error'): this {
    this.received(conn, [joinRef, null, `realtime:${topic}`, 'system', { extension, status, message, channel: topic }]);
    return close ? this.received(conn, [joinRef, joinRef, `realtime:${topic}`, 'phx_close', {}]) : this;
  }
  http(method: string, path: string, headers: { authorization?: string; apikey?: string }, response: { status: number; date?: string; grant?: { access_token: string; expires_at?: number }; errorBody?: string }): this {
    const req = `r${++this.reqs}`;
    this.push({ kind: 'http-request', req, method, url: `https://${HOST}${path}`, headers, api: 'fetch' });
    return this.push({ kind: 'http-response', req, ...response });
  }
  lifecycle(change: 'hidden' | 'visible' | 'clock-jump', jumpMs?: number): this {
    return this.push({ kind: 'lifecycle', change, jumpMs });
  }
}

export interface SessionCase {
  name: string;
  events: CapturedEvent[];
  options: { project?: ProjectKnowledge; now?: number };
  /** Codes that must be produced. */
  codes: FindingCode[];
  /** Codes that must not be produced. */
  absent?: FindingCode[];
  /** code → severity expected after correlation. */
  severities?: Partial<Record<FindingCode, 'error' | 'warning' | 'info'>>;
  /** Measured skew expected (ms, ±1500), or null for unknown. */
  skewMs?: number | null;
}

export async function sessionCases(keys: TestKeys): Promise<SessionCase[]> {
  const nowS = T0 / 1000;
  const anon = await mint(keys, { claims: legacyKeyClaims('anon', nowS) });
  const cases: SessionCase[] = [];

  // A. Server clock 45 s ahead; tab hidden; the token expires; the server closes the channel, then
  // a new channel instance is rejected three times in a row.
  {
    const skew = 45_000;
    const exp = nowS + 100;
    const user = await mint(keys, { claims: userClaims(nowS, { exp }), header: { kid: 'hostedKid' } });
    const s = new SessionScript();
    s.socket('c1', anon)
      .http('GET', '/rest/v1/todos', { authorization: `Bearer ${user}`, apikey: anon }, { status: 200, date: new Date(T0 + skew).toUTCString() })
      .join('c1', 'room', '1', user).after(40).joinOk('c1', 'room', '1')
      .after(5_000).lifecycle('hidden')
      .at(exp * 1000 - skew).system('c1', 'room', '1', SYSTEM_MESSAGES.expired(0))
      .after(1_000).join('c1', 'room', '3', user).after(5_000).joinError('c1', 'room', '3', JOIN_REASONS.expired(1))
      .after(1_000).join('c1', 'room', '4', user).after(5_000).joinError('c1', 'room', '4', JOIN_REASONS.expired(7))
      .after(2_000).join('c1', 'room', '5', user).after(5_000).joinError('c1', 'room', '5', JOIN_REASONS.expired(14));
    cases.push({
      name: 'hidden tab: expiry on a skewed clock, channel closed, rejoin loop',
      events: s.events, options: { project: { secret: keys.secret } },
      codes: ['clock-skew', 'server-channel-closed', 'server-join-rejected', 'rejoin-loop', 'token-expired', 'refresh-paused-while-hidden'],
      absent: ['token-expires-soon', 'signature-invalid', 'kid-unknown'],
      skewMs: skew,
    });
  }

  // B. sb_publishable_ apikey; the user signs out; setAuth() pushes the sb_ key, which the server
  // ignores; the channel keeps the user token until its exp.
  {
    const exp = nowS + 600;
    const user = await mint(keys, { claims: userClaims(nowS, { exp }) });
    const pk = 'sb_publishable_AbCdEf0123456789_xyz';
    const s = new SessionScript();
    s.socket('c1', pk)
      .join('c1', 'lobby', '1', user).after(30).joinOk('c1', 'lobby', '1')
      .join('c1', 'public', '2').after(30).joinOk('c1', 'public', '2')
      .after(60_000).http('POST', '/auth/v1/logout?scope=global', { authorization: `Bearer ${user}`, apikey: pk }, { status: 204 })
      .after(20).accessToken('c1', 'lobby', '1', '7', pk)
      .at(exp * 1000).system('c1', 'lobby', '1', SYSTEM_MESSAGES.expired(0));
    cases.push({
      name: 'sign-out with a publishable key: the channel keeps the user token',
      events: s.events, options: {},
      codes: ['opaque-api-key', 'signed-out-token-retained', 'server-channel-closed'],
      absent: ['token-malformed', 'clock-skew'],
      severities: { 'signed-out-token-retained': 'error' },
      skewMs: 0,
    });
  }

  // C. A refresh the channel never hears about; then a failed refresh; `now` near the old exp.
  {
    const exp1 = nowS + 3600;
    const u1 = await mint(keys, { claims: userClaims(nowS, { exp: exp1 }) });
    const u2 = await mint(keys, { claims: userClaims(nowS + 3000, { exp: nowS + 6600 }) });
    const s = new SessionScript();
    s.socket('c1', anon)
      .join('c1', 'feed', '1', u1).after(30).joinOk('c1', 'feed', '1')
      .at(T0 + 3_000_000).http('POST', '/auth/v1/token?grant_type=refresh_token', { authorization: `Bearer ${anon}`, apikey: anon }, { status: 200, grant: { access_token: u2, expires_at: nowS + 6600 } })
      .after(100).http('GET', '/rest/v1/feed', { authorization: `Bearer ${u2}`, apikey: anon }, { status: 200 })
      .after(30_000).http('POST', '/auth/v1/token?grant_type=refresh_token', { authorization: `Bearer ${anon}`, apikey: anon }, { status: 400, errorBody: '{"code":400,"error_code":"refresh_token_already_used","msg":"Invalid Refresh Token: Already Used"}' });
    cases.push({
      name: 'refreshed session not passed to the channel; a refresh fails; the channel token is about to expire',
      events: s.events, options: { now: exp1 * 1000 - 60_000 },
      codes: ['channel-token-stale', 'refresh-failed', 'token-expires-soon'],
      absent: ['token-expired', 'signed-out-token-retained', 'clock-skew'],
      skewMs: null,
    });
  }

  // D. A private channel denied by RLS, a Postgres Changes error, an empty-string access_token.
  {
    const user = await mint(keys, { claims: userClaims(nowS, { role: 'potato' }) });
    const s = new SessionScript();
    s.socket('c1', anon)
      .join('c1', 'secret-room', '1', user, true).after(5_000).joinError('c1', 'secret-room', '1', JOIN_REASONS.unauthorized('secret-room'))
      .join('c1', 'db', '2', user).after(30).joinOk('c1', 'db', '2')
      .system('c1', 'db', '2', `${SYSTEM_MESSAGES.postgresSubscribeErrorPrefix}[%{"event" => "*", "schema" => "public"}]. Exception: ERROR 22023 (invalid_parameter_value) role "potato" does not exist`, 'postgres_changes')
      .join('c1', 'empty', '3', '').after(5_000).joinError('c1', 'empty', '3', JOIN_REASONS.malformed);
    cases.push({
      name: 'private channel denied, Postgres Changes error, empty access_token',
      events: s.events, options: {},
      codes: ['private-channel-denied', 'server-join-rejected', 'postgres-changes-error', 'role-unknown', 'token-malformed'],
      absent: ['rejoin-loop'],
    });
  }

  // E. A refused upgrade with an expired apikey; F. keys of two projects; G. exposed keys.
  {
    const expiredAnon = await mint(keys, { claims: { ...legacyKeyClaims('anon', nowS), exp: nowS - 10 } });
    const otherAnon = await mint(keys, { claims: legacyKeyClaims('anon', nowS, OTHER_REF) });
    const serviceRole = await mint(keys, { claims: legacyKeyClaims('service_role', nowS) });
    const user = await mint(keys, { claims: userClaims(nowS) });
    const s = new SessionScript();
    s.push({ kind: 'ws-connecting', conn: 'c1', url: wsUrl(expiredAnon), protocols: [] })
      .after(2_000).push({ kind: 'ws-error', conn: 'c1' }).push({ kind: 'ws-close', conn: 'c1', code: 1006, reason: '', wasClean: false })
      .http('GET', '/rest/v1/items', { authorization: `Bearer ${user}`, apikey: otherAnon }, { status: 401 })
      .http('GET', '/rest/v1/admin', { authorization: `Bearer ${serviceRole}`, apikey: 'sb_secret_AbCdEf0123456789_xyz' }, { status: 200 });
    cases.push({
      name: 'refused upgrade, keys from two projects, secret and service-role keys in the page',
      events: s.events, options: {},
      codes: ['server-connect-refused', 'token-expired', 'project-mismatch', 'secret-key-in-browser', 'service-role-in-browser'],
      severities: { 'server-connect-refused': 'error' },
    });
  }
  return cases;
}
