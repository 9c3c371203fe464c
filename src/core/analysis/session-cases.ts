// Test support: captured sessions (events as the capture layer records them) for the analysis
// table, shared by analyze.test.ts and docs-meta.test.ts. Tokens are minted with jose at test time.

import { SYSTEM_MESSAGES, JOIN_REASONS } from '../../../e2e/fixtures/server-strings';
import type { CapturedEvent, CapturedEventBody, CapturedRequestHeaders } from '../model';
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
  join(conn: string, topic: string, joinRef: string, token?: unknown, priv = false, postgresChanges: unknown[] = []): this {
    const payload: Record<string, unknown> = { config: { broadcast: { ack: false, self: false }, presence: { key: '', enabled: false }, postgres_changes: postgresChanges, private: priv } };
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
  http(method: string, path: string, headers: CapturedRequestHeaders, response: { status: number; date?: string; grant?: { access_token: string; expires_at?: number }; errorBody?: string }): this {
    const req = `r${++this.reqs}`;
    this.push({ kind: 'http-request', req, method, url: `https://${HOST}${path}`, headers, api: 'fetch' });
    return this.push({ kind: 'http-response', req, ...response });
  }
  heartbeat(conn: string, ref: string): this {
    return this.sent(conn, [null, ref, 'phoenix', 'heartbeat', {}]);
  }
  heartbeatReply(conn: string, ref: string): this {
    return this.received(conn, [null, ref, 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
  }
  leave(conn: string, topic: string, joinRef: string, ref: string): this {
    return this.sent(conn, [joinRef, ref, `realtime:${topic}`, 'phx_leave', {}]);
  }
  close(conn: string, code: number, initiator: 'page' | 'remote' = 'remote', reason = ''): this {
    return this.push({ kind: 'ws-close', conn, code, reason, wasClean: code !== 1006, initiator });
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
  /** A healthy set-up: no finding of severity error or warning at all. */
  quiet?: boolean;
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

  await lifecycleCases(keys, anon, cases);
  return cases;
}

/** Issue 9 items 2–5: channels run as anon beside a user, joins timing out, socket closes and reconnects. */
async function lifecycleCases(keys: TestKeys, anon: string, cases: SessionCase[]): Promise<void> {
  const nowS = T0 / 1000;
  const user = await mint(keys, { claims: userClaims(nowS, { exp: nowS + 3600 }) });
  const todos = [{ event: '*', schema: 'public', table: 'todos' }];

  // H. The user's token is given only as global.headers.Authorization: REST calls carry it, the
  // Postgres Changes channel joins with the anon key (what supabase-js's accessToken callback
  // returns without a session).
  {
    const s = new SessionScript();
    s.socket('c1', anon)
      .http('GET', '/rest/v1/todos', { authorization: `Bearer ${user}`, apikey: anon }, { status: 200 })
      .after(100).join('c1', 'db-todos', '1', anon, false, todos).after(40).joinOk('c1', 'db-todos', '1')
      .after(30_000).http('GET', '/rest/v1/todos', { authorization: `Bearer ${user}`, apikey: anon }, { status: 200 });
    cases.push({
      name: 'user token only in global.headers: a Postgres Changes channel runs as anon',
      events: s.events, options: {},
      codes: ['channel-joined-as-anon'],
      severities: { 'channel-joined-as-anon': 'error' },
    });
  }
  // H2. Signed in with a password after the private channel joined; the token never reached it.
  {
    const s = new SessionScript();
    s.socket('c1', 'sb_publishable_AbCdEf0123456789_xyz')
      .join('c1', 'private-room', '1', undefined, true).after(40).joinOk('c1', 'private-room', '1')
      .after(2_000).http('POST', '/auth/v1/token?grant_type=password', { apikey: 'sb_publishable_AbCdEf0123456789_xyz' }, { status: 200, grant: { access_token: user, expires_at: nowS + 3600 } })
      .after(20_000).heartbeat('c1', '2').after(10).heartbeatReply('c1', '2');
    cases.push({
      name: 'joined before sign-in, the session never reaches the private channel',
      events: s.events, options: {},
      codes: ['channel-joined-as-anon'],
    });
  }
  // Quiet: a public anon-only app with Postgres Changes; a broadcast lobby on the anon key next to
  // a signed-in user whose Postgres Changes channel carries the user token; the token pushed to a
  // channel within the propagation grace.
  {
    const s = new SessionScript();
    s.socket('c1', anon)
      .http('GET', '/rest/v1/menu', { authorization: `Bearer ${anon}`, apikey: anon }, { status: 200 })
      .join('c1', 'db-menu', '1', anon, false, todos).after(40).joinOk('c1', 'db-menu', '1')
      .after(25_000).heartbeat('c1', '2').after(10).heartbeatReply('c1', '2');
    cases.push({ name: 'a public anon-only app with Postgres Changes is quiet', events: s.events, options: {}, codes: [], absent: ['channel-joined-as-anon'], quiet: true });
  }
  {
    const s = new SessionScript();
    s.socket('c1', anon)
      .http('POST', '/auth/v1/token?grant_type=password', { apikey: anon }, { status: 200, grant: { access_token: user, expires_at: nowS + 3600 } })
      .after(50).http('GET', '/rest/v1/todos', { authorization: `Bearer ${user}`, apikey: anon }, { status: 200 })
      .join('c1', 'lobby', '1', anon).after(40).joinOk('c1', 'lobby', '1')
      .join('c1', 'db-todos', '2', user, false, todos).after(40).joinOk('c1', 'db-todos', '2')
      .join('c1', 'late', '3', anon, false, todos).after(40).joinOk('c1', 'late', '3')
      .after(3_000).accessToken('c1', 'late', '3', '4', user)
      .after(25_000).heartbeat('c1', '5').after(10).heartbeatReply('c1', '5');
    cases.push({
      name: 'a broadcast lobby on the anon key beside a signed-in user, and channels carrying the user token, are quiet',
      events: s.events, options: {}, codes: [], absent: ['channel-joined-as-anon', 'join-timed-out'], quiet: true,
    });
  }

  // J. A join the server never answers while heartbeats are answered: TIMED_OUT, server silent on
  // the topic; a prompt reply elsewhere is no timeout. K. An upgrade still pending after 10 s.
  {
    const s = new SessionScript();
    s.socket('c1', anon)
      .join('c1', 'quick', '1', anon).after(80).joinOk('c1', 'quick', '1')
      .join('c1', 'stuck', '2', anon, true)
      .after(5_000).heartbeat('c1', '3').after(10).heartbeatReply('c1', '3')
      .after(5_000).leave('c1', 'stuck', '2', '4').after(10).received('c1', ['2', '4', 'realtime:stuck', 'phx_reply', { status: 'ok', response: {} }])
      .after(1_000).join('c1', 'stuck', '5', anon, true)
      .at(T0 + 60_000).push({ kind: 'ws-connecting', conn: 'c2', url: `wss://${REF}.supabase.co/realtime/v1/websocket?apikey=${encodeURIComponent(anon)}&vsn=2.0.0`, protocols: [] });
    cases.push({
      name: 'a join the server never answers, and an upgrade still pending after the timeout',
      events: s.events, options: { now: T0 + 75_000 },
      codes: ['join-timed-out'],
      absent: ['server-join-rejected', 'socket-closed'],
    });
  }

  // L. Heartbeats unanswered (a network path that drops idle connections): the client closes the
  // socket (heartbeat timeout) and reconnects, four times in a row: a reconnect loop.
  {
    const s = new SessionScript();
    for (let i = 1; i <= 4; i++) {
      const conn = `doc:${i}`;
      s.socket(conn, anon).after(25_000).heartbeat(conn, String(i * 10)).after(25_000).close(conn, 1000, 'page', 'heartbeat timeout').after(2_000);
    }
    s.socket('doc:5', anon);
    cases.push({
      name: 'heartbeat timeouts, reconnecting again and again',
      events: s.events, options: {},
      codes: ['heartbeat-timeout', 'reconnect-loop'],
      absent: ['socket-closed'],
    });
  }

  // M. Close codes: a drain (1012), a going-away (1001), a drop after open (1006); a refused
  // upgrade (1006 before open) is server-connect-refused only. A page's own close is nothing.
  {
    const s = new SessionScript();
    s.socket('c1', anon).join('c1', 'room', '1', anon).after(40).joinOk('c1', 'room', '1')
      .after(1_000).system('c1', 'room', '1', SYSTEM_MESSAGES.serverRequestedDisconnect, 'system', 'ok', false).close('c1', 1012)
      .after(60_000).socket('c2', anon).after(1_000).close('c2', 1001)
      .after(60_000).socket('c3', anon).after(1_000).close('c3', 1006)
      .after(60_000).socket('c4', anon).after(1_000).close('c4', 1000, 'page');
    cases.push({
      name: 'close codes 1012, 1001 and 1006 after open; the page closing its own socket',
      events: s.events, options: {},
      codes: ['socket-closed'],
      absent: ['heartbeat-timeout', 'reconnect-loop', 'server-connect-refused'],
    });
  }

  // N. Realtime's REST broadcast refused with 401 for an expired bearer token.
  {
    const expired = await mint(keys, { claims: userClaims(nowS - 7200, { exp: nowS - 60 }) });
    const s = new SessionScript();
    s.http('POST', '/realtime/v1/api/broadcast', { authorization: `Bearer ${expired}`, apikey: anon }, { status: 401, errorBody: '{"message":"Unauthorized"}' });
    cases.push({
      name: 'REST broadcast refused with 401: the verdict names the expired bearer token',
      events: s.events, options: {},
      codes: ['server-broadcast-refused', 'token-expired'],
    });
  }
}
