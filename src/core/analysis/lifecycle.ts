// Findings about what happened to channels and sockets over time, rather than about one token
// (issue 9 items 2–5): a channel that runs on the anon key beside a signed-in user, a join the
// server never answered, sockets closed by heartbeat timeouts, drained or dropped, and sockets that
// reconnect again and again. Each names the likely cause from what was captured around it, looking
// only at the socket's own document (a page that navigated away took its sockets with it).
// Pure; called by analyze.ts with the tracker's records and the evidence index.

import { diagnoseCloseCode } from '../diagnosis/replies';
import { REALTIME_JS_PUSH_TIMEOUT_MS, type ChannelRecord, type ConnectionRecord, type JoinAttempt } from '../realtime';
import { clientWords, MEASURED_SUPABASE_JS, parseClientInfo, type ClientInfo } from '../realtime/client-info';
import { finding, type Finding, type FindingEvidence } from '../rules/catalogue';
import { isoOf } from '../rules/token-rules';
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
/** Lifecycle changes this long before a close may explain it (a sleep, a frozen tab). */
const LIFECYCLE_LOOKBACK_MS = 60_000;
/** realtime-js's default heartbeat interval (§2.4), when a socket sent too few heartbeats to measure its own. */
const DEFAULT_HEARTBEAT_MS = 25_000;

function isUserToken(t: DecodedToken | null | undefined): t is DecodedToken {
  return !!t && (t.tokenClass === 'user-access-token' || t.tokenClass === 'anonymous-user-token');
}

/** The document part of a connection id (`<docId>:<n>`), for sockets whose opening was not captured. */
export function docOf(conn: string): string {
  const i = conn.lastIndexOf(':');
  return i > 0 ? conn.slice(0, i) : '';
}

/** The document a socket was opened in: its `ws-connecting` event's, else the one its id names. */
export function socketDocument(view: Pick<EvidenceView, 'connectingDoc'>, conn: string): string {
  return view.connectingDoc.get(conn) ?? docOf(conn);
}

/** When the document went away or into the back/forward cache (its first pagehide), or +∞. */
function documentEnd(view: EvidenceView, doc: string): number {
  for (const e of view.lifecycle) if (e.docId === doc && e.change === 'pagehide') return e.time;
  return Infinity;
}

/** When the channel stopped being live (close, leave, socket close, its page gone), or +∞. */
function channelEnd(view: EvidenceView, ch: ChannelRecord, conn: ConnectionRecord | undefined): number {
  return Math.min(ch.closedBy?.time ?? Infinity, ch.leftBy?.time ?? Infinity, conn?.close?.time ?? Infinity, documentEnd(view, socketDocument(view, ch.key.conn)));
}

function scopeOf(ch: ChannelRecord): string {
  return `ch:${ch.key.conn}:${ch.key.topic}`;
}

/**
 * The clients of a socket: the realtime-js version its joins carry (`version`, §2.2, the library
 * that actually speaks on the socket: supabase-js may bundle an older one), then the X-Client-Info
 * seen on the Supabase HTTP calls of its document.
 */
export function clientsOf(view: EvidenceView, conn: string, channels: readonly { ch: ChannelRecord }[] = []): ClientInfo[] {
  const joined = new Set<string>();
  for (const { ch } of channels) {
    if (ch.key.conn !== conn) continue;
    for (const a of ch.attempts) if (a.clientVersion !== undefined && joined.size < 4) joined.add(a.clientVersion);
  }
  return [...[...joined].map(parseClientInfo), ...(view.clientInfo.get(socketDocument(view, conn)) ?? []).map(parseClientInfo)];
}

/** " This page runs supabase-js 2.119.1 (…)." — or nothing when no client was identified. */
export function clientSentence(view: EvidenceView, conn: string, vsn: string, channels: readonly { ch: ChannelRecord }[] = []): string {
  const clients = clientsOf(view, conn, channels);
  return clients.length ? ` This page runs ${clientWords(clients, vsn)}.` : '';
}

// ---------------------------------------------------------------------------------------------
// channel-joined-as-anon (item 2)

/**
 * Whether the server judges this span as the anon role: the anon key, the publishable key (the
 * gateway's JWT for an sb_publishable_ apikey is an anon JWT, §2.1), or no token at all.
 */
function runsAsAnon(span: EffectiveTokenSpan | null, conn: ConnectionRecord | undefined): boolean {
  if (!span) return true;
  if (span.source === 'gateway') return typeof conn?.apikey === 'string' && conn.apikey.startsWith('sb_publishable_');
  const t: DecodedToken | null = span.token;
  if (t === null || t.tokenClass === 'user-access-token' || t.tokenClass === 'anonymous-user-token') return false;
  return t.tokenClass === 'legacy-anon-key' || t.tokenClass === 'publishable-key' || t.claims?.role === 'anon';
}

/** A user session on the page: a user token on a Supabase HTTP call or in a sign-in/refresh response. */
interface SessionEvidence {
  token: DecodedToken;
  use: TokenUse;
}

function userSessionEvidence(httpTokens: readonly HttpTokenUses[], socketUrl: string | undefined, doc: string): SessionEvidence[] {
  const socketRef = socketUrl ? projectRefOfUrl(socketUrl) : 'unknown';
  const out: SessionEvidence[] = [];
  for (const h of httpTokens) {
    if (!isUserToken(h.token)) continue;
    // A session of another project is project-mismatch's business, not this channel's.
    if (socketRef !== 'unknown' && h.token.projectRef !== 'unknown' && h.token.projectRef !== socketRef) continue;
    for (const use of h.uses) {
      // Only the socket's own document: a session signed in on the next page says nothing about
      // the channels of the page before.
      if (use.doc !== undefined && use.doc !== doc) continue;
      if (use.kind === 'http-authorization' || use.kind === 'token-grant') out.push({ token: h.token, use });
    }
  }
  return out.sort((a, b) => a.use.time - b.use.time);
}

/**
 * A channel that needs the user's identity (Postgres Changes run under RLS as the token's user; a
 * private channel's RLS read check too) runs on the anon key while the page has a user session.
 * Never for a public broadcast/presence channel, never without a user session.
 */
export function joinedAsAnon(view: EvidenceView, channels: readonly LifecycleChannel[], out: FindingSink, until: number): void {
  for (const { ch, conn, timeline } of channels) {
    const needsUser = ch.attempts.filter((a) => a.private || a.postgresChanges > 0);
    if (needsUser.length === 0) continue;
    // The join the app was told SUBSCRIBED for (a refused or abandoned join has findings of its own).
    const accepted = needsUser.find((a) => a.status === 'ok');
    if (!accepted?.reply) continue;
    const evidence = userSessionEvidence(view.httpTokens, conn?.url, socketDocument(view, ch.key.conn));
    if (evidence.length === 0) continue;
    const end = channelEnd(view, ch, conn);
    const joinedAt = accepted.reply.frame.time;
    for (const e of evidence) {
      const checkAt = Math.max(joinedAt, e.use.time + PROPAGATION_GRACE_MS);
      if (checkAt >= end || checkAt > until) break;
      // The session ended in between (sign-out; the logout request itself carries the token): then
      // the anon role is right.
      if (view.logouts.some((l) => l.time >= e.use.time && l.time <= checkAt)) continue;
      const span = effectiveChannelTokenAt(timeline, checkAt);
      if (!runsAsAnon(span, conn)) continue;
      out.add(anonFinding(ch, accepted, span, e, evidence, clientSentence(view, ch.key.conn, conn?.vsn ?? '1.0.0', channels)), scopeOf(ch));
      break;
    }
  }
}

function anonFinding(ch: ChannelRecord, attempt: JoinAttempt, span: EffectiveTokenSpan | null, e: SessionEvidence, all: readonly SessionEvidence[], client: string): Finding {
  const pg = attempt.postgresChanges > 0;
  const what = attempt.private && pg ? 'a private channel with Postgres Changes' : attempt.private ? 'a private channel' : 'a Postgres Changes subscription';
  const judged = !span ? 'no token' : span.token ? `the ${span.token.label} (${span.note})` : `the gateway's JWT for the sb_publishable_ key (${span.note})`;
  // §4.3: Postgres Changes run as the token's role; a private channel's RLS read check passed for
  // anon, so broadcasts arrive, but what the policies grant only to the user (reads, writes) not.
  const effect = pg
    ? 'The channel subscribes and the changes run as anon: rows only the signed-in user may read never arrive, and nothing reports an error.'
    : 'The join passed the RLS read check as anon, so the channel works as anon: whatever the policies on realtime.messages grant only to the signed-in user (its broadcasts, presence, writes) is denied, silently for writes (§3.5).';
  const grants = all.filter((x) => x.use.kind === 'token-grant');
  const session = grants[0] ?? all[0];
  const sessionWords = session.use.kind === 'token-grant' ? `a sign-in or refresh response at ${isoOf(session.use.time / 1000)}` : `Authorization: Bearer <${session.token.label}> on the page's Supabase HTTP calls (first at ${isoOf(session.use.time / 1000)})`;
  let likely: string;
  if (grants.length === 0) {
    likely = "The user's token reaches only the page's HTTP calls: a token given through createClient(url, key, { global: { headers: { Authorization } } }) goes to REST, Storage and Functions, never to Realtime, which keeps asking supabase-js for a session it does not have and gets the API key. A token from your own or a third-party auth belongs in the accessToken option: createClient(url, key, { accessToken: async () => token }).";
  } else if (attempt.frame.time < grants[0].use.time) {
    likely = `The join was sent at ${isoOf(attempt.frame.time / 1000)}, before the session was signed in or restored, and no access_token push brought the user's token to the channel since. supabase-js (as measured on ${MEASURED_SUPABASE_JS}) pushes it on SIGNED_IN and TOKEN_REFRESHED to the channels of the client that signed in; a channel made on another client (a second createClient) never gets it.`;
  } else {
    likely = "The session exists, but this channel's client never passed it to Realtime: most often the channel was made on another client (a second createClient with its own, empty session) than the one that signed in.";
  }
  const evidence: FindingEvidence = { token: span?.token?.label, frameSeq: attempt.frame.seq, conn: ch.key.conn, topic: ch.key.topic, expected: 'a user access token', actual: judged };
  if (e.use.req !== undefined) evidence.requestId = e.use.req;
  return finding('channel-joined-as-anon', {
    message: `${ch.key.topic} (${what}) runs as the anon role although the page has a signed-in user.`,
    cause: `A user session is evident (${sessionWords}), yet ${PROPAGATION_GRACE_MS / 1000} s later the server judges this channel by ${judged}. ${effect} ${likely}${client}`,
    fix: 'Subscribe on the client that holds the session, after it is known (await supabase.auth.getSession()); for a token from your own or a third-party auth, pass it with createClient(url, key, { accessToken: async () => token }). global.headers.Authorization never reaches Realtime, and a setAuth(token) on a supabase-js client is replaced by the session (or the API key) at the next heartbeat.',
    evidence,
    time: Math.max(attempt.reply?.frame.time ?? attempt.frame.time, e.use.time),
  });
}

// ---------------------------------------------------------------------------------------------
// join-timed-out (item 3)

/**
 * Joins the client gave up on (realtime-js says TIMED_OUT after its push timeout, 10 s by
 * default, §7), one finding per channel counting them, with the likely cause from what the socket
 * did meanwhile; and a socket whose upgrade is still pending after that timeout, which times out
 * every channel subscribed on it.
 */
export function joinTimeouts(channels: readonly LifecycleChannel[], connections: readonly ConnectionRecord[], view: EvidenceView, out: FindingSink, now: number): void {
  for (const { ch, conn } of channels) {
    const timedOut = ch.attempts.filter((a) => a.status === 'timed-out');
    if (timedOut.length === 0) continue;
    const a = timedOut[0];
    const { cause, fix } = timeoutCause(a, conn);
    const times = timedOut.length > 1 ? ` (${timedOut.length} joins in a row)` : '';
    out.add(finding('join-timed-out', {
      message: `The join of ${ch.key.topic} got no reply within the client's timeout${times}: the app was told TIMED_OUT.`,
      cause: `${cause} realtime-js then sends phx_leave, marks the channel errored and rejoins.`,
      fix,
      evidence: {
        frameSeq: a.frame.seq, conn: ch.key.conn, topic: ch.key.topic,
        expected: `a phx_reply within the client's timeout (${REALTIME_JS_PUSH_TIMEOUT_MS / 1000} s by default)`,
        actual: a.reply ? `a reply ${((a.reply.frame.time - a.frame.time) / 1000).toFixed(1)} s after the join, after the client had given up` : 'no reply',
      },
      time: a.abandonedBy?.time ?? a.frame.time + REALTIME_JS_PUSH_TIMEOUT_MS,
    }), scopeOf(ch));
  }
  for (const c of connections) {
    if (c.openedAt !== undefined || c.close || c.refused || c.inferred || c.framesSent + c.framesReceived > 0) continue;
    // A page that went away while its socket was connecting took the socket with it.
    const end = Math.min(now, documentEnd(view, socketDocument(view, c.conn)));
    const pending = end - c.createdAt;
    if (end < now || pending < REALTIME_JS_PUSH_TIMEOUT_MS) continue;
    out.add(finding('join-timed-out', {
      message: `The WebSocket upgrade of ${c.conn} has been pending for ${Math.round(pending / 1000)} s: channels subscribed on it are told TIMED_OUT.`,
      cause: `realtime-js starts a join's timer (${REALTIME_JS_PUSH_TIMEOUT_MS / 1000} s by default) when subscribe() is called, even while the join waits in its send buffer for the socket to open, so every channel subscribed on this socket times out before its join is even sent. The server (or a proxy in front of it) has not answered the upgrade request.`,
      fix: 'Check that the Realtime URL is reachable from this network (proxy, VPN, firewall, a stopped local server) and that the project is not paused. The browser shows no status for a pending upgrade; the Network panel\'s WS filter shows it as pending.',
      evidence: { conn: c.conn, expected: `101 Switching Protocols within ${REALTIME_JS_PUSH_TIMEOUT_MS / 1000} s`, actual: `pending for ${Math.round(pending / 1000)} s` },
      time: c.createdAt + REALTIME_JS_PUSH_TIMEOUT_MS,
    }), `conn:${c.conn}`);
  }
}

function timeoutCause(a: JoinAttempt, conn: ConnectionRecord | undefined): { cause: string; fix: string } {
  if (conn?.openedAt !== undefined && conn.openedAt - conn.createdAt >= REALTIME_JS_PUSH_TIMEOUT_MS / 2 && a.frame.time - conn.openedAt < 1_000) {
    return {
      cause: `The socket's upgrade took ${((conn.openedAt - conn.createdAt) / 1000).toFixed(1)} s; the join waited in realtime-js's send buffer, and its timer, started at subscribe(), ran out before the server could answer.`,
      fix: 'Find out why the upgrade is slow (network, proxy, a cold self-hosted server). A longer client timeout (createClient(…, { realtime: { timeout: 20000 } })) hides the symptom.',
    };
  }
  switch (a.heartbeatsWhileWaiting) {
    case 'answered':
      return {
        cause: 'The socket was alive (a heartbeat was answered while the join waited) but the server never answered this join: the Realtime server is overloaded, or the authorisation step of the join is slow (a private channel runs an RLS query on realtime.messages, on the tenant database), or something between the page and the server dropped the frame.',
        fix: 'Check the Realtime logs and the project database load (slow RLS policies on realtime.messages). Retry with backoff rather than re-subscribing in a loop.',
      };
    case 'unanswered':
      return {
        cause: 'The server answered nothing on this socket while the join waited: a heartbeat went unanswered too. The connection stalled (network loss, a proxy that stopped forwarding, a suspended machine) while the socket still looked open.',
        fix: 'Check the network; realtime-js closes the stalled socket at the next heartbeat ("heartbeat timeout") and reconnects.',
      };
    default:
      return {
        cause: 'The server said nothing on this socket between the join and the timeout (no heartbeat was exchanged meanwhile to tell a dead connection from a silent server).',
        fix: 'Check the Realtime server is running and reachable, and its logs for the join; a join reply normally arrives within a second (an error reply after about 5 s).',
      };
  }
}

// ---------------------------------------------------------------------------------------------
// Socket closes, heartbeat timeouts and reconnect loops (items 4, 5)

type Lifecycle = EvidenceView['lifecycle'];

/** The document's lifecycle changes (another document's say nothing about this socket). */
function lifecycleOf(view: EvidenceView, conn: string): Lifecycle {
  const doc = socketDocument(view, conn);
  return view.lifecycle.filter((e) => e.docId === doc);
}

/**
 * What the page's lifecycle says about a stall between `from` and `to`: a sleep (a forward jump
 * of the wall clock), a frozen tab, going offline. A hidden tab alone does not stall Phoenix's
 * heartbeats: replies are handled as they arrive, whatever the timers do.
 */
function lifecycleCause(lifecycle: Lifecycle, from: number, to: number): string | null {
  const near = lifecycle.filter((e) => e.time >= from - LIFECYCLE_LOOKBACK_MS && e.time <= to);
  if (near.some((e) => e.change === 'clock-jump' && (e.jumpMs ?? 0) > 0)) return 'the machine slept (the wall clock jumped forward): the connection went stale while nothing ran';
  if (near.some((e) => e.change === 'freeze')) return 'the tab was frozen: Chromium closes a frozen page\'s sockets when data arrives (measured), and nothing runs until it resumes';
  if (near.some((e) => e.change === 'offline')) return 'the browser went offline';
  return null;
}

/** The socket's heartbeat spacing, measured from what it sent, or realtime-js's default. */
function heartbeatSpacing(c: ConnectionRecord): number {
  const sent = c.lastHeartbeatSent;
  const n = c.heartbeatsSent ?? 0;
  if (!sent || n < 2) return DEFAULT_HEARTBEAT_MS;
  return (sent.time - (c.openedAt ?? c.createdAt)) / n;
}

/**
 * Phoenix closes its own socket ("heartbeat timeout") when a heartbeat is still unanswered at the
 * next tick, one heartbeat interval after it was sent (§3.4, §7). The CloseEvent the page then
 * sees carries the close frame it receives (the server's echo, often without the reason, or 1006
 * when the link is dead), so a page-initiated close with the last heartbeat unanswered about an
 * interval earlier is the same thing.
 */
export function isHeartbeatTimeout(c: ConnectionRecord): boolean {
  const close = c.close;
  if (!close) return false;
  if (close.reason === 'heartbeat timeout') return true;
  const sent = c.lastHeartbeatSent;
  const reply = c.lastHeartbeatReply;
  return close.initiator === 'page' && sent !== undefined && (!reply || reply.time < sent.time) && close.time - sent.time >= 0.8 * heartbeatSpacing(c);
}

/** When the client gave up on a socket: a heartbeat timeout happens an interval after the heartbeat, even when the close event comes later. */
function gaveUpAt(c: ConnectionRecord): number {
  const close = c.close!;
  const sent = c.lastHeartbeatSent;
  return isHeartbeatTimeout(c) && sent ? Math.min(close.time, sent.time + heartbeatSpacing(c)) : close.time;
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
    const key = `${socketDocument(view, c.conn)}\u0000${endpointOf(c.url)}\u0000${kind}`;
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
    const lifecycle = lifecycleOf(view, c.conn);
    if (isHeartbeatTimeout(c)) {
      const sent = c.lastHeartbeatSent;
      const why = lifecycleCause(lifecycle, sent?.time ?? close.time, close.time);
      out.add(finding('heartbeat-timeout', {
        message: `The client closed ${c.conn} because a heartbeat went unanswered${times}.`,
        cause: `${sent ? `The heartbeat sent at ${isoOf(sent.time / 1000)} got no reply before the next one was due` : 'A heartbeat got no reply before the next one was due'}, so Phoenix told every channel on the socket CHANNEL_ERROR "heartbeat timeout", closed it ("heartbeat timeout") and reconnects (once the tab is visible, if it is hidden); the channels rejoin. Likely: ${why ?? 'the network path or the server stopped answering (a proxy idle timeout, a VPN or Wi-Fi change, a server under load)'}.`,
        fix: 'Nothing to fix if it is rare: realtime-js reconnects and rejoins. If it repeats, check the network path to Realtime (proxies or load balancers with idle timeouts shorter than the heartbeat interval).',
        evidence: { ...base, ...(sent ? { frameSeq: sent.seq } : {}), expected: 'a phx_reply to the heartbeat' },
        time: close.time,
      }), scope);
      continue;
    }
    const why = close.code === 1006 ? lifecycleCause(lifecycle, close.time, close.time) : null;
    out.add(finding('socket-closed', {
      severity: close.code === 1001 ? 'error' : close.code === 1012 || close.code === 1006 ? 'warning' : 'info',
      message: `${c.conn} was closed with ${close.code}${close.reason ? ` (${close.reason})` : ''}${times}: ${closeMeaning(c)}`,
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
      return 'The server drained the socket (§3.4): each channel first got the system message "Server requested disconnect". Realtime does this on UserSocket.disconnect and when the project\'s jwt_secret, jwt_jwks, private_only or suspend setting changes. realtime-js reconnects and rejoins with its current token; if the signing keys changed, a token signed with the old key now fails its join.';
    case 1001:
      return 'The server disconnected the socket at join time (§3.4): the tenant was not found at join (TenantNotFound: the project went away after the socket connected) or the client exceeded the join rate limit (ClientJoinRateLimitReached).';
    case 1006:
      return `The connection dropped without a close frame${why ? `: ${why}` : ' (network loss, a proxy or load balancer dropping the connection)'}. realtime-js reconnects with backoff and its channels rejoin.`;
    case 1009:
      return 'Message too big: a frame exceeded the server\'s size limit, and the server closed the socket.';
    default:
      return 'Realtime does not close sockets with this code for authentication; it came from the server for another reason, or from a proxy or load balancer in between.';
  }
}

function closeFix(code: number): string {
  switch (code) {
    case 1012:
      return 'If the signing keys changed, make sure the page gets tokens signed with the new key (sign in again, refresh the session); otherwise nothing to do.';
    case 1001:
      return 'Check the project still exists under this URL, and that the page does not subscribe many channels in a burst (join rate limit).';
    case 1006:
      return 'Rare drops need nothing. If they repeat, check the network path (proxies whose idle timeout is shorter than the heartbeat interval).';
    case 1009:
      return 'Send smaller broadcasts (split large payloads, or store them and broadcast a reference).';
    default:
      return 'Check proxies and load balancers between the page and Realtime.';
  }
}

function endpointOf(url: string): string {
  const q = url.search(/[?#]/);
  return q >= 0 ? url.slice(0, q) : url;
}

/** Whether realtime-js would reconnect after this close: not after the page's own disconnect or a normal close. */
function mayReconnectAfter(c: ConnectionRecord): boolean {
  const close = c.close;
  if (!close || close.code === 0) return false;
  if (c.refused || isHeartbeatTimeout(c)) return true;
  if (close.initiator === 'page') return false;
  return close.code !== 1000 && close.code !== 1005;
}

/**
 * A socket that reconnects again and again: RECONNECTS_FOR_LOOP new sockets to the same endpoint
 * of one document, each opened within RECONNECT_WITHIN_MS of the previous one's failure, inside
 * RECONNECT_WINDOW_MS. A page that disconnects and subscribes again (route changes, an empty
 * socket closed after 50 s) breaks the chain.
 */
export function reconnectLoops(connections: readonly ConnectionRecord[], view: EvidenceView, out: FindingSink): void {
  const groups = new Map<string, ConnectionRecord[]>();
  for (const c of connections) {
    if (c.inferred || c.url === '') continue;
    const key = `${socketDocument(view, c.conn)}\u0000${endpointOf(c.url)}`;
    const list = groups.get(key) ?? [];
    list.push(c);
    groups.set(key, list);
  }
  for (const list of groups.values()) {
    list.sort((a, b) => a.createdAt - b.createdAt);
    let runStart = 0;
    for (let i = 1; i <= list.length; i++) {
      const prev = list[i - 1];
      const reconnected = i < list.length && mayReconnectAfter(prev) && list[i].createdAt >= gaveUpAt(prev) - 1_000 && list[i].createdAt - gaveUpAt(prev) <= RECONNECT_WITHIN_MS;
      if (reconnected) continue;
      const reconnects = i - 1 - runStart;
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
    const statuses = closed.map((c) => c.upgrade?.status).filter((s): s is number => s !== undefined);
    const errors = closed.map((c) => c.upgrade?.error).filter((e): e is string => e !== undefined);
    if (statuses.some((s) => s === 401 || s === 403)) {
      cause = `Each upgrade is refused with HTTP ${statuses.find((s) => s === 401 || s === 403)}: the server rejects the connection's apikey every time, and realtime-js retries with the same one. See server-connect-refused for what the server answers.`;
      fix = "Fix the apikey the client connects with (the project's current anon or publishable key); retrying cannot succeed with the same key.";
    } else if (errors.some((e) => /REFUSED|NAME_NOT_RESOLVED|ADDRESS_UNREACHABLE|TIMED_OUT|INTERNET_DISCONNECTED/i.test(e))) {
      cause = `The socket never reaches a server (${errors[0]}): the Realtime server is not running or not reachable from here (a stopped local stack, DNS, VPN, firewall). realtime-js keeps retrying.`;
      fix = 'Start or reach the server (for a local stack: supabase start); check the URL.';
    } else {
      cause = 'Each socket closes before it opens (1006 in the page, which hides why): the upgrade is refused (a bad apikey: see server-connect-refused) or the server is unreachable; realtime-js retries with the same URL.';
      fix = "Check the apikey (the project's current anon or publishable key) and that the Realtime URL is reachable.";
    }
  } else if (majority('heartbeat timeout')) {
    const why = lifecycleCause(lifecycleOf(view, closed[0].conn), closed[0].createdAt, next.createdAt);
    cause = `Heartbeats go unanswered and the client closes and reopens the socket each time${why ? `: ${why}` : ' (the network path drops the connection silently, or the server is overloaded)'}.`;
    fix = 'Check proxies and load balancers with idle timeouts shorter than the heartbeat interval, and the Realtime server\'s load.';
  } else if (majority('1012')) {
    cause = 'The server keeps draining the socket (1012): the project\'s jwt_secret, jwt_jwks, private_only or suspend setting keeps changing (§3.4).';
    fix = 'Check what changes the project settings (a deploy script, a key rotation job) and the Realtime server logs.';
  } else if (majority('1001')) {
    cause = 'The server disconnects at join time each time (1001): the tenant is not found at join or the join rate limit is exceeded, and the client reconnects and joins again.';
    fix = 'Check the project still exists under this URL and reduce the number of joins per second (subscribe channels once, not on every render).';
  } else {
    cause = 'The connection drops each time without a close frame or for different reasons; realtime-js reconnects with backoff (1 s, 2 s, 5 s, then every 10 s).';
    fix = 'Look at the first close: a network path that drops WebSockets (proxy, VPN, captive portal).';
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
  if (isHeartbeatTimeout(c)) return 'The client closed it: a heartbeat went unanswered ("heartbeat timeout"); realtime-js reconnects and its channels rejoin.';
  if (c.refused) return 'The upgrade was refused or failed before the socket opened: a browser reports that to the page as 1006 and hides the HTTP status and body.';
  if (close.initiator === 'page') return 'The page closed it itself (disconnect(), removeAllChannels(), or no channel left on the socket).';
  if (close.code === 1006) return 'Abnormal close without a close frame: the connection dropped; realtime-js reconnects.';
  if (close.code === 1005) return 'Closed without a status code.';
  return diagnoseCloseCode(close.code, close.reason).meaning;
}
