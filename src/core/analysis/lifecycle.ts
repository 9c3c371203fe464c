// Findings about what happened to channels and sockets over time, rather than about one token
// (issue 9 items 2–5): a channel that runs on the anon key beside a signed-in user, a join the
// server never answered, sockets closed by heartbeat timeouts, drained or dropped, and sockets that
// reconnect again and again. Each names the likely cause from what was captured around it.
// Pure; called by analyze.ts with the tracker's records and the evidence index.

import { diagnoseCloseCode } from '../diagnosis/replies';
import { REALTIME_JS_PUSH_TIMEOUT_MS, type ChannelRecord, type ConnectionRecord, type JoinAttempt } from '../realtime';
import { finding, type Finding, type FindingEvidence } from '../rules/catalogue';
import { isoOf } from '../rules/token-rules';
import { clientWords, isLegacyRealtimeJs, MEASURED_SUPABASE_JS, parseClientInfo, type ClientInfo } from '../realtime/client-info';
import type { DecodedToken } from '../tokens/decode';
import { projectRefOfUrl } from '../tokens/decode';
import { effectiveChannelTokenAt, type EffectiveTokenSpan } from './effective-token';
import type { EvidenceView, HttpTokenUses, TokenUse } from './evidence-index';

/** Where the analysis collects findings (analyze.ts FindingSet). */
export interface FindingSink {
  add(f: Finding, scope: string): void;
}

export interface LifecycleChannel {
  ch: ChannelRecord;
  conn: ConnectionRecord | undefined;
  timeline: EffectiveTokenSpan[];
}

/** §5.4 / analyze.ts: HTTP-to-channel propagation gets this much grace. */
export const PROPAGATION_GRACE_MS = 10_000;

/** realtime-js reconnects after 1 s, 2 s, 5 s, then every 10 s (§7); a new socket this soon after a close is a reconnect. */
const RECONNECT_WITHIN_MS = 15_000;
/** This many reconnects within RECONNECT_WINDOW_MS is a loop, not a blip. */
const RECONNECTS_FOR_LOOP = 3;
const RECONNECT_WINDOW_MS = 3 * 60_000;
/** Lifecycle changes this long before a close may explain it (a sleep or a throttled tab). */
const LIFECYCLE_LOOKBACK_MS = 60_000;

function isUserToken(t: DecodedToken | null | undefined): t is DecodedToken {
  return !!t && (t.tokenClass === 'user-access-token' || t.tokenClass === 'anonymous-user-token');
}

/** When the channel stopped being live (close, leave, socket close), or +∞. */
function channelEnd(ch: ChannelRecord, conn: ConnectionRecord | undefined): number {
  return Math.min(ch.closedBy?.time ?? Infinity, ch.leftBy?.time ?? Infinity, conn?.close?.time ?? Infinity);
}

function scopeOf(ch: ChannelRecord): string {
  return `ch:${ch.key.conn}:${ch.key.topic}`;
}

// ---------------------------------------------------------------------------------------------
// channel-joined-as-anon (item 2)

/**
 * Whether the server judges this span as the anon role: the anon / publishable key (directly, as
 * the apikey fallback, or as the gateway's JWT for an sb_publishable_ key), or no token at all.
 */
function runsAsAnon(span: EffectiveTokenSpan | null): boolean {
  if (!span) return true;
  if (span.source === 'gateway') return true;
  const t: DecodedToken | null = span.token;
  if (t === null || t.tokenClass === 'user-access-token' || t.tokenClass === 'anonymous-user-token') return false;
  return t.tokenClass === 'legacy-anon-key' || t.tokenClass === 'publishable-key' || t.claims?.role === 'anon';
}

/** A user session on the page: a user token on a Supabase HTTP call or in a sign-in/refresh response. */
interface SessionEvidence {
  token: DecodedToken;
  use: TokenUse;
}

function userSessionEvidence(httpTokens: readonly HttpTokenUses[], socketUrl: string | undefined): SessionEvidence[] {
  const socketRef = socketUrl ? projectRefOfUrl(socketUrl) : 'unknown';
  const out: SessionEvidence[] = [];
  for (const h of httpTokens) {
    if (!isUserToken(h.token)) continue;
    // A session of another project is project-mismatch's business, not this channel's.
    if (socketRef !== 'unknown' && h.token.projectRef !== 'unknown' && h.token.projectRef !== socketRef) continue;
    for (const use of h.uses) if (use.kind === 'http-authorization' || use.kind === 'token-grant') out.push({ token: h.token, use });
  }
  return out.sort((a, b) => a.use.time - b.use.time);
}

/**
 * A channel that needs the user's identity (Postgres Changes run under RLS as the token's user; a
 * private channel's RLS read check too) runs on the anon key while the page has a user session:
 * it subscribes, and RLS then hides every row the user should see. Never for a public
 * broadcast/presence channel, never without a user session.
 */
export function joinedAsAnon(view: EvidenceView, channels: readonly LifecycleChannel[], out: FindingSink, lastTime: number): void {
  for (const { ch, conn, timeline } of channels) {
    const needsUser = ch.attempts.filter((a) => a.private || a.postgresChanges > 0);
    if (needsUser.length === 0) continue;
    const accepted = needsUser.find((a) => a.reply?.status === 'ok');
    if (!accepted?.reply) continue; // a refused join has findings of its own
    const evidence = userSessionEvidence(view.httpTokens, conn?.url);
    if (evidence.length === 0) continue;
    const end = channelEnd(ch, conn);
    const joinedAt = accepted.reply.frame.time;
    for (const e of evidence) {
      const checkAt = Math.max(joinedAt, e.use.time + PROPAGATION_GRACE_MS);
      if (checkAt >= end || checkAt > lastTime) break;
      // The session ended in between (sign-out; the logout request itself carries the token): then
      // the anon role is right.
      if (view.logouts.some((l) => l.time >= e.use.time && l.time <= checkAt)) continue;
      const span = effectiveChannelTokenAt(timeline, checkAt);
      if (!runsAsAnon(span)) continue;
      out.add(anonFinding(ch, accepted, span, e, evidence, clientSentence(view, ch.key.conn, conn?.vsn ?? '1.0.0')), scopeOf(ch));
      break;
    }
  }
}

function anonFinding(ch: ChannelRecord, attempt: JoinAttempt, span: EffectiveTokenSpan | null, e: SessionEvidence, all: readonly SessionEvidence[], client: string): Finding {
  const what = attempt.private && attempt.postgresChanges > 0 ? 'a private channel with Postgres Changes' : attempt.private ? 'a private channel' : 'a Postgres Changes subscription';
  const judged = !span ? 'no token' : span.token ? `the ${span.token.label} (${span.note})` : `the gateway's JWT for the sb_ key (${span.note})`;
  const grants = all.filter((x) => x.use.kind === 'token-grant');
  const session = grants[0] ?? all[0];
  const sessionWords = session.use.kind === 'token-grant' ? `a sign-in or refresh response at ${isoOf(session.use.time / 1000)}` : `Authorization: Bearer <${session.token.label}> on the page's Supabase HTTP calls (first at ${isoOf(session.use.time / 1000)})`;
  let likely: string;
  if (grants.length === 0) {
    likely = "The user's token reaches only the page's HTTP calls: a token given through createClient(url, key, { global: { headers: { Authorization } } }) (or a custom fetch) goes to REST, Storage and Functions, never to Realtime, which keeps the API key. A token from your own or a third-party auth needs supabase.realtime.setAuth(token) (or the accessToken option).";
  } else if (attempt.frame.time < grants[0].use.time) {
    likely = `The join was sent at ${isoOf(attempt.frame.time / 1000)}, before the session was signed in or restored, and no access_token push brought the user's token to the channel since. supabase-js (as measured on ${MEASURED_SUPABASE_JS}) pushes it on SIGNED_IN and TOKEN_REFRESHED to channels of the same client; a channel made on another client (a second createClient), or setAuth() called with a fixed key, never gets it.`;
  } else {
    likely = "The session exists, but this channel's client never passed it to Realtime: the channel was made on another client than the one that signed in, or setAuth() was called with a fixed key (the anon key) that overrides the session.";
  }
  const evidence: FindingEvidence = { token: span?.token?.label, frameSeq: attempt.frame.seq, conn: ch.key.conn, topic: ch.key.topic, expected: 'a user access token', actual: judged };
  if (e.use.req !== undefined) evidence.requestId = e.use.req;
  return finding('channel-joined-as-anon', {
    message: `${ch.key.topic} (${what}) runs as the anon role although the page has a signed-in user.`,
    cause: `A user session is evident (${sessionWords}), yet ${PROPAGATION_GRACE_MS / 1000} s later the server judges this channel by ${judged}. The channel subscribes, and RLS then hides every row from the user: no changes arrive, no error is shown. ${likely}${client}`,
    fix: 'Subscribe after the session is known (await supabase.auth.getSession()) on the client that holds it; for a custom or third-party token call supabase.realtime.setAuth(token) before subscribe and after each refresh. global.headers.Authorization never reaches Realtime.',
    evidence,
    time: Math.max(attempt.reply?.frame.time ?? attempt.frame.time, e.use.time),
  });
}

// ---------------------------------------------------------------------------------------------
// join-timed-out (item 3)

/**
 * A join the client gave up on (realtime-js TIMED_OUT after its push timeout, 10 s by default,
 * §7), with the likely cause from what the socket did meanwhile; and a socket whose upgrade is
 * still pending after that timeout, which times out every channel subscribed on it.
 */
export function joinTimeouts(channels: readonly LifecycleChannel[], connections: readonly ConnectionRecord[], out: FindingSink, now: number): void {
  for (const { ch, conn } of channels) {
    for (const a of ch.attempts) {
      if (a.status !== 'timed-out') continue;
      const { cause, fix } = timeoutCause(a, conn);
      out.add(finding('join-timed-out', {
        message: `The join of ${ch.key.topic} got no reply within the client's timeout: the app was told TIMED_OUT.`,
        cause: `${cause} realtime-js then sends phx_leave, marks the channel errored and rejoins.`,
        fix,
        evidence: { frameSeq: a.frame.seq, conn: ch.key.conn, topic: ch.key.topic, expected: `a phx_reply within ${REALTIME_JS_PUSH_TIMEOUT_MS / 1000} s`, actual: a.reply ? `a reply ${((a.reply.frame.time - a.frame.time) / 1000).toFixed(1)} s after the join, too late` : 'no reply' },
        time: a.abandonedBy?.time ?? a.frame.time + REALTIME_JS_PUSH_TIMEOUT_MS,
      }), scopeOf(ch));
    }
  }
  for (const c of connections) {
    if (c.openedAt !== undefined || c.close || c.refused || c.inferred) continue;
    const pending = now - c.createdAt;
    if (pending < REALTIME_JS_PUSH_TIMEOUT_MS) continue;
    out.add(finding('join-timed-out', {
      message: `The WebSocket upgrade of ${c.conn} has been pending for ${Math.round(pending / 1000)} s: channels subscribed on it are told TIMED_OUT.`,
      cause: `realtime-js starts a join's ${REALTIME_JS_PUSH_TIMEOUT_MS / 1000} s timer when subscribe() is called, even while the join waits in its send buffer for the socket to open, so every channel subscribed on this socket times out before its join is even sent. The server (or a proxy in front of it) has not answered the upgrade request.`,
      fix: 'Check that the Realtime URL is reachable from this network (proxy, VPN, firewall, a paused local server) and that the project is not paused. The browser shows no status for a pending upgrade; the Network panel\'s WS filter shows it as pending.',
      evidence: { conn: c.conn, expected: `101 Switching Protocols within ${REALTIME_JS_PUSH_TIMEOUT_MS / 1000} s`, actual: `pending for ${Math.round(pending / 1000)} s` },
      time: c.createdAt + REALTIME_JS_PUSH_TIMEOUT_MS,
    }), `conn:${c.conn}`);
  }
}

function timeoutCause(a: JoinAttempt, conn: ConnectionRecord | undefined): { cause: string; fix: string } {
  const deadline = a.frame.time + REALTIME_JS_PUSH_TIMEOUT_MS;
  if (conn?.openedAt !== undefined && conn.openedAt - conn.createdAt >= REALTIME_JS_PUSH_TIMEOUT_MS / 2 && a.frame.time - conn.openedAt < 1_000) {
    return {
      cause: `The socket's upgrade took ${((conn.openedAt - conn.createdAt) / 1000).toFixed(1)} s; the join waited in realtime-js's send buffer, whose ${REALTIME_JS_PUSH_TIMEOUT_MS / 1000} s timer started at subscribe(), so it ran out before the server could answer.`,
      fix: 'Find out why the upgrade is slow (network, proxy, a cold self-hosted server). A longer client timeout (createClient(…, { realtime: { timeout: 20000 } })) hides the symptom.',
    };
  }
  const reply = conn?.lastHeartbeatReply;
  const sent = conn?.lastHeartbeatSent;
  if (reply && reply.time > a.frame.time && reply.time <= deadline + 30_000) {
    return {
      cause: 'The socket was alive (heartbeats were answered) but the server never answered this join. The Realtime server is overloaded, or the authorisation step of the join is slow (a private channel runs an RLS query on realtime.messages; the tenant database may be slow or saturated), or something between the page and the server dropped the frame.',
      fix: 'Check the Realtime logs and the project database load (slow RLS policies on realtime.messages). Retry with backoff rather than re-subscribing in a loop.',
    };
  }
  if (sent && sent.time > a.frame.time && (!reply || reply.time < sent.time)) {
    return {
      cause: 'The server answered nothing on this socket after the join: its heartbeats went unanswered too. The connection stalled (network loss, a proxy that stopped forwarding, a suspended laptop) while the socket still looked open.',
      fix: 'Check the network; realtime-js closes the stalled socket at the next heartbeat ("heartbeat timeout") and reconnects. Use worker: true so heartbeats are not throttled in background tabs.',
    };
  }
  return {
    cause: 'The server said nothing on this socket between the join and the timeout (no heartbeat was exchanged meanwhile to tell a dead connection from a silent server).',
    fix: 'Check the Realtime server is running and reachable, and its logs for the join; a join reply normally arrives within a second (an error reply after about 5 s).',
  };
}

// ---------------------------------------------------------------------------------------------
// Socket closes, heartbeat timeouts and reconnect loops (items 4, 5)

type Lifecycle = EvidenceView['lifecycle'];

/** What the page's lifecycle says about a stall before `time` (sleep, hidden or frozen tab, offline). */
function lifecycleCause(lifecycle: Lifecycle, from: number, to: number): string | null {
  const near = lifecycle.filter((e) => e.time >= from - LIFECYCLE_LOOKBACK_MS && e.time <= to);
  if (near.some((e) => e.change === 'clock-jump')) return 'the machine slept (the wall clock jumped): timers stopped, the server saw no heartbeat and the network connection went stale';
  if (near.some((e) => e.change === 'offline')) return 'the browser went offline';
  let hidden = false;
  for (const e of lifecycle) {
    if (e.time > to) break;
    if (e.change === 'hidden' || e.change === 'freeze') hidden = true;
    if (e.change === 'visible' || e.change === 'resume') hidden = false;
  }
  if (hidden || near.some((e) => e.change === 'hidden' || e.change === 'freeze')) return 'the tab was in the background: browsers throttle its timers (Chromium: to once a minute after 5 minutes hidden) or freeze it, so heartbeats go out late or not at all; the server drops a socket that sends none for a minute, and a heartbeat reply can miss the client\'s own check';
  return null;
}

/** Phoenix closes its own socket with 1000 "heartbeat timeout" when a heartbeat is unanswered at the next tick (§3.4, §7). */
function isHeartbeatTimeout(c: ConnectionRecord): boolean {
  const close = c.close;
  if (!close) return false;
  if (close.reason === 'heartbeat timeout') return true;
  // The reason the page passed to close() is not always what the CloseEvent carries (the server's
  // echo, or 1006 when the connection is dead): a page-initiated close with a heartbeat still
  // unanswered is the same thing.
  const sent = c.lastHeartbeatSent;
  const reply = c.lastHeartbeatReply;
  return close.initiator === 'page' && sent !== undefined && (!reply || reply.time < sent.time) && close.time - sent.time >= 5_000;
}

/**
 * Heartbeat timeouts and server/network closes of open sockets (§3.4). Repeats on the same
 * endpoint of one document (a socket that reconnects and fails the same way) are one finding that
 * counts them; reconnectLoops says when they form a loop.
 */
export function socketCloses(connections: readonly ConnectionRecord[], view: EvidenceView, out: FindingSink): void {
  const groups = new Map<string, ConnectionRecord[]>();
  for (const c of connections) {
    const close = c.close;
    // Refused upgrades are server-connect-refused (with the 1006 explained there); code 0 is a
    // close synthesised from DevTools' HAR, which has no code; a page's own close() of a healthy
    // socket (disconnect, removeAllChannels), a normal 1000 and a 1005 (a close frame without a
    // code: what a page's close() with no arguments yields) are nothing to report.
    if (!close || c.refused || close.code === 0) continue;
    const kind = isHeartbeatTimeout(c) ? 'heartbeat' : close.initiator === 'page' || close.code === 1000 || close.code === 1005 ? null : String(close.code);
    if (kind === null) continue;
    const key = `${docOf(c.conn)}\u0000${endpointOf(c.url)}\u0000${kind}`;
    const list = groups.get(key) ?? [];
    list.push(c);
    groups.set(key, list);
  }
  for (const list of groups.values()) {
    list.sort((a, b) => a.close!.time - b.close!.time);
    const c = list[0];
    const close = c.close!;
    const times = list.length > 1 ? ` (${list.length} times, the last at ${isoOf(list[list.length - 1].close!.time / 1000)})` : '';
    const scope = `conn:${c.conn}`;
    const base: FindingEvidence = { conn: c.conn, actual: close.reason ? `${close.code} (${close.reason})` : close.code };
    if (isHeartbeatTimeout(c)) {
      const sent = c.lastHeartbeatSent!;
      const why = lifecycleCause(view.lifecycle, sent.time, close.time);
      out.add(finding('heartbeat-timeout', {
        message: `The client closed ${c.conn} because a heartbeat went unanswered${times}.`,
        cause: `The heartbeat sent at ${isoOf(sent.time / 1000)} got no reply before the next one was due, so Phoenix closed the socket with 1000 "heartbeat timeout" and reconnects; every channel on it got CHANNEL_ERROR "heartbeat timeout" and rejoins. Likely: ${why ?? 'the network or the server stopped answering (a proxy idle timeout, a VPN change, a server under load)'}.`,
        fix: why?.includes('background')
          ? 'Create the client with createClient(url, key, { realtime: { worker: true } }) so heartbeats run in a Web Worker, and on visibilitychange → visible check the channel state.'
          : 'Nothing to fix if it is rare: realtime-js reconnects and rejoins. If it repeats, check the network path to Realtime (proxies with short idle timeouts) and use worker: true.',
        evidence: { ...base, frameSeq: sent.seq, expected: 'a phx_reply to the heartbeat' },
        time: close.time,
      }), scope);
      continue;
    }
    // 1006 before open is a refused upgrade (skipped above); after open it is a dropped connection.
    const meaning = close.code === 1006 ? 'Abnormal close without a close frame: the connection dropped.' : diagnoseCloseCode(close.code, close.reason).meaning;
    const why = close.code === 1006 ? lifecycleCause(view.lifecycle, close.time, close.time) : null;
    out.add(finding('socket-closed', {
      severity: close.code === 1001 ? 'error' : close.code === 1012 || close.code === 1006 ? 'warning' : 'info',
      message: `${c.conn} was closed with ${close.code}${close.reason ? ` (${close.reason})` : ''}${times}: ${meaning}`,
      cause: closeCause(close.code, why),
      fix: closeFix(close.code),
      evidence: base,
      time: close.time,
    }), scope);
  }
}

function closeCause(code: number, why: string | null): string {
  switch (code) {
    case 1012:
      return 'The server drained the socket (§3.4): each channel first got the system message "Server requested disconnect". It happens when the project\'s JWT secret, JWKS or private-only setting changes, and on restarts. realtime-js reconnects and rejoins with its current token; if the signing keys changed, a token signed with the old key now fails its join.';
    case 1001:
      return 'The server disconnected the socket at join time (§3.4): the tenant was not found (wrong project host) or the client exceeded the join rate limit (ClientJoinRateLimitReached).';
    case 1006:
      return `The connection dropped without a close frame${why ? `: ${why}` : ' (network loss, a proxy or load balancer idle timeout, a sleeping machine)'}. realtime-js reconnects with backoff and its channels rejoin.`;
    default:
      return 'Realtime does not use this code for authentication; a proxy, load balancer or the browser closed the socket.';
  }
}

function closeFix(code: number): string {
  switch (code) {
    case 1012:
      return 'If the signing keys changed, make sure the page gets tokens signed with the new key (sign in again, refresh the session); otherwise nothing to do.';
    case 1001:
      return 'Check the project URL (host = project ref) and that the page does not subscribe many channels in a burst (join rate limit).';
    case 1006:
      return 'Rare drops need nothing. If they repeat, check the network path (proxy idle timeouts shorter than the 25 s heartbeat) and use realtime worker: true.';
    default:
      return 'Check proxies and load balancers between the page and Realtime.';
  }
}

/** The clients (X-Client-Info) seen on the Supabase HTTP calls of the connection's document. */
export function clientsOf(view: EvidenceView, conn: string): ClientInfo[] {
  return (view.clientInfo.get(view.connectingDoc.get(conn) ?? docOf(conn)) ?? []).map(parseClientInfo);
}

/** " This page runs supabase-js 2.119.1 (…)." — or nothing when no client was identified. */
export function clientSentence(view: EvidenceView, conn: string, vsn: string): string {
  const clients = clientsOf(view, conn);
  return clients.length ? ` This page runs ${clientWords(clients, vsn)}.` : '';
}

/** The document part of a connection id (`<docId>:<n>`): reconnects happen within one document. */
export function docOf(conn: string): string {
  const i = conn.lastIndexOf(':');
  return i > 0 ? conn.slice(0, i) : '';
}

function endpointOf(url: string): string {
  const q = url.search(/[?#]/);
  return q >= 0 ? url.slice(0, q) : url;
}

/**
 * A socket that reconnects again and again: RECONNECTS_FOR_LOOP new sockets to the same endpoint,
 * each opened within RECONNECT_WITHIN_MS of the previous one's close, inside RECONNECT_WINDOW_MS.
 */
export function reconnectLoops(connections: readonly ConnectionRecord[], view: EvidenceView, out: FindingSink): void {
  const groups = new Map<string, ConnectionRecord[]>();
  for (const c of connections) {
    if (c.inferred || c.url === '') continue;
    const key = `${docOf(c.conn)}\u0000${endpointOf(c.url)}`;
    const list = groups.get(key) ?? [];
    list.push(c);
    groups.set(key, list);
  }
  for (const list of groups.values()) {
    list.sort((a, b) => a.createdAt - b.createdAt);
    // Maximal runs of sockets each opened within RECONNECT_WITHIN_MS of the previous one's close.
    let runStart = 0;
    for (let i = 1; i <= list.length; i++) {
      const prev = list[i - 1].close;
      const reconnected = i < list.length && prev !== undefined && list[i].createdAt >= prev.time && list[i].createdAt - prev.time <= RECONNECT_WITHIN_MS;
      if (reconnected) continue;
      const reconnects = i - 1 - runStart;
      // The loop needs RECONNECTS_FOR_LOOP reconnects close together, not three in a day.
      if (reconnects >= RECONNECTS_FOR_LOOP && list[runStart + RECONNECTS_FOR_LOOP].createdAt - list[runStart + 1].createdAt <= RECONNECT_WINDOW_MS) {
        out.add(reconnectFinding(list.slice(runStart, i - 1), list[i - 1], view), `conn:${list[runStart].conn}`);
      }
      runStart = i;
    }
  }
}

function reconnectFinding(closed: ConnectionRecord[], next: ConnectionRecord, view: EvidenceView): Finding {
  const codes = closed.map((c) => (c.refused ? 'refused' : isHeartbeatTimeout(c) ? 'heartbeat timeout' : String(c.close!.code)));
  const count = (w: string) => codes.filter((x) => x === w).length;
  const majority = (w: string) => count(w) * 2 > codes.length;
  let cause: string;
  let fix: string;
  if (majority('refused')) {
    cause = 'Each upgrade is refused (the socket closes before it opens, 1006 in the page): the server rejects the connection token every time, and realtime-js retries with the same apikey. See server-connect-refused for what the server answers.';
    fix = "Fix the apikey the client connects with (use the project's current anon or publishable key); retrying cannot succeed with the same key.";
  } else if (majority('heartbeat timeout')) {
    const why = lifecycleCause(view.lifecycle, closed[0].createdAt, next.createdAt);
    cause = `Heartbeats go unanswered and the client closes and reopens the socket each time${why ? `: ${why}` : ' (the network path drops the connection silently, or the server is overloaded)'}.`;
    fix = 'Use createClient(url, key, { realtime: { worker: true } }) for background tabs; check proxies with idle timeouts shorter than the 25 s heartbeat.';
  } else if (majority('1012')) {
    cause = 'The server keeps draining the socket (1012): the project configuration (JWT secret, JWKS, private-only) is changing repeatedly, or the server is restarting in a loop.';
    fix = 'Check what changes the project settings (a deploy script, a JWKS rotation job) and the Realtime server logs.';
  } else if (majority('1001')) {
    cause = 'The server disconnects at join time each time (1001): the tenant is not found or the join rate limit is exceeded, and the client reconnects and joins again.';
    fix = 'Check the project URL and reduce the number of joins per second (subscribe channels once, not on every render).';
  } else {
    cause = 'The connection drops each time without a close frame or for different reasons; realtime-js reconnects with backoff (1 s, 2 s, 5 s, then every 10 s).';
    fix = 'Look at the first close: a network path that drops WebSockets (proxy, VPN, captive portal), or a page that creates a new client on every render.';
  }
  return finding('reconnect-loop', {
    message: `The socket to ${endpointOf(next.url)} reconnected ${closed.length} times in a row (${summarise(codes)}).`,
    cause,
    fix,
    evidence: { conn: closed[0].conn, actual: summarise(codes) },
    time: next.createdAt,
  });
}

/** "heartbeat timeout ×3, 1006" */
function summarise(codes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const c of codes) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts].map(([c, n]) => (n > 1 ? `${c} ×${n}` : c)).join(', ');
}

/** What a socket's close means, in a sentence for the Connections view (§3.4, §7); null when it has no close code. */
export function closeMeaning(c: ConnectionRecord): string | null {
  const close = c.close;
  if (!close || close.code === 0) return null;
  if (c.refused) return 'The upgrade was refused or failed before the socket opened: a browser reports that to the page as 1006 and hides the HTTP status and body.';
  if (isHeartbeatTimeout(c)) return 'The client closed it: a heartbeat went unanswered ("heartbeat timeout"); realtime-js reconnects and its channels rejoin.';
  if (close.initiator === 'page') return 'The page closed it itself (disconnect(), removeAllChannels(), or no channel left on the socket).';
  if (close.code === 1006) return 'Abnormal close without a close frame: the connection dropped; realtime-js reconnects.';
  if (close.code === 1005) return 'Closed without a status code.';
  return diagnoseCloseCode(close.code, close.reason).meaning;
}
