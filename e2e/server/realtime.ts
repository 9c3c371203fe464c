// The Realtime WebSocket: connect check (§2.1, §3.1), joins (§2.2, §3.2), access_token refresh
// (§2.3), the expiry timer (§4.4), broadcast / presence / postgres_changes and the close codes (§3.4).
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes, randomUUID } from 'node:crypto';
import { WebSocket, WebSocketServer } from 'ws';
import { sleep, type ServerContext } from './context.js';
import { channelPermission, gatewayJwtFor, isPostgresRole, type Project } from './projects.js';
import { decode, encodeText, encodeUserBroadcast, type Message, type Vsn } from './serializer.js';
import { CLOSE, JOIN, SYSTEM } from './strings.js';
import { verifyRealtimeToken, type VerifyResult } from './verify.js';
import {
  accessTokenSystemMessage,
  connectAnswer,
  connectAnswerFor,
  joinReasonFor,
  periodicSystemMessage,
  type ConnectAnswer,
} from './wording.js';

export const REALTIME_SOCKET_PATHS = ['/realtime/v1/websocket', '/socket/websocket'];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Meta extends Json {
  phx_ref: string;
}

interface SocketState {
  id: number;
  ws: WebSocket;
  vsn: Vsn;
  ref: string;
  /** The verified apikey JWT (after the gateway swap): the fallback channel token (§2.1). */
  tenantToken: string;
  channels: Map<string, Channel>;
  /** Phoenix's socket process waits for a channel's join to finish before it reads the next frame. */
  queue: Promise<void>;
  /** x-* headers of the upgrade, kept as Realtime does for `request.headers` (§4.3). */
  headers: Record<string, string>;
}

interface Channel {
  socket: SocketState;
  topic: string;
  subTopic: string;
  joinRef: string | null;
  private: boolean;
  broadcastSelf: boolean;
  broadcastAck: boolean;
  presenceEnabled: boolean;
  presenceKey: string;
  tracked: Meta | undefined;
  token: string;
  claims: Json;
  timer: NodeJS.Timeout | undefined;
  pgBindings: Json[];
  closed: boolean;
}

export interface UserBroadcast {
  kind: 'user';
  userEvent: string;
  encoding: 0 | 1;
  data: Buffer;
}
export interface JsonBroadcast {
  kind: 'json';
  payload: unknown;
}

export class RealtimeHub {
  private readonly sockets = new Set<SocketState>();
  private readonly wss: WebSocketServer;
  private nextId = 1;

  constructor(private readonly ctx: ServerContext) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 5_000_000 });
    this.wss.on('headers', (headers) => headers.push(`Date: ${ctx.dateHeader()}`));
  }

  /** Number of open sockets (optionally for one project). */
  socketCount(ref?: string): number {
    return [...this.sockets].filter((s) => ref === undefined || s.ref === ref).length;
  }

  /** Topics joined on open sockets (for tests and the demo). */
  joinedTopics(ref?: string): string[] {
    return [...this.sockets].filter((s) => ref === undefined || s.ref === ref).flatMap((s) => [...s.channels.keys()]);
  }

  // ---------------------------------------------------------------- connect (§2.1, §3.1)

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://local');
    if (!REALTIME_SOCKET_PATHS.includes(url.pathname)) {
      writeHttpRefusal(socket, { status: 404, body: undefined }, this.ctx.dateHeader());
      return;
    }
    const refuse = async (answer: ConnectAnswer, code: string, message: string): Promise<void> => {
      this.ctx.log(code, message);
      // CONNECT_ERROR_BACKOFF_MS: every connect failure is delayed (§3.1).
      await sleep(this.ctx.knobs.connectBackoffMs);
      writeHttpRefusal(socket, answer, this.ctx.dateHeader());
    };
    const wordings = this.ctx.knobs.wordings;
    // Connect order: tenant lookup → suspended? → token present → authorize_conn (§3.1).
    const project = this.ctx.projectForHost(req.headers.host);
    if (!project) return refuse(connectAnswer('tenantNotFound', wordings), 'TenantNotFound', `host ${req.headers.host}`);
    if (project.suspended) return refuse(connectAnswer('disabled', wordings), 'RealtimeDisabledForTenant', project.ref);
    const vsnParam = url.searchParams.get('vsn') ?? '1.0.0';
    if (vsnParam !== '1.0.0' && vsnParam !== '2.0.0') {
      // Guess: an unsupported serializer version goes down the generic connect error.
      return refuse(connectAnswer('unknown', wordings), 'ErrorConnectingToWebsocket', `unsupported vsn ${vsnParam}`);
    }
    const headerKey = req.headers['x-api-key'];
    const apikey = typeof headerKey === 'string' ? headerKey : url.searchParams.get('apikey');
    if (typeof apikey !== 'string') return refuse(connectAnswer('missingApiKey', wordings), 'MissingAPIKey', 'no apikey');
    // The gateway swaps sb_publishable_/sb_secret_ keys for a JWT the browser never sees (§2.1).
    const tenantToken = (await gatewayJwtFor(project, apikey, this.ctx.nowSec())) ?? apikey;
    const verdict = await verifyRealtimeToken(tenantToken, this.ctx.tenantKeys(project), this.ctx.verifyOptions());
    if (!verdict.ok) {
      return refuse(connectAnswerFor(verdict.error, wordings), 'ErrorConnectingToWebsocket', JSON.stringify(verdict.error));
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (k.startsWith('x-') && typeof v === 'string') headers[k] = v;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, project, vsnParam, tenantToken, headers));
  }

  private attach(ws: WebSocket, project: Project, vsn: Vsn, tenantToken: string, headers: Record<string, string>): void {
    const s: SocketState = { id: this.nextId++, ws, vsn, ref: project.ref, tenantToken, channels: new Map(), queue: Promise.resolve(), headers };
    this.sockets.add(s);
    ws.on('message', (data, isBinary) => {
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      s.queue = s.queue.then(() => this.onFrame(s, buf, isBinary)).catch((e: unknown) => {
        this.ctx.log('InternalError', String(e));
      });
    });
    ws.on('close', () => {
      this.sockets.delete(s);
      for (const ch of [...s.channels.values()]) this.closeChannel(ch);
    });
    ws.on('error', () => undefined);
  }

  // ---------------------------------------------------------------- frames

  private send(s: SocketState, m: Omit<Message, 'userBroadcast'>): void {
    if (s.ws.readyState === WebSocket.OPEN) s.ws.send(encodeText(s.vsn, m));
  }

  private reply(s: SocketState, m: Message, status: 'ok' | 'error', response: unknown): void {
    this.send(s, { joinRef: m.joinRef, ref: m.ref, topic: m.topic, event: 'phx_reply', payload: { status, response } });
  }

  private async onFrame(s: SocketState, data: Buffer, isBinary: boolean): Promise<void> {
    const d = decode(s.vsn, data, isBinary);
    if (!d.ok) {
      // The server logs MalformedWebSocketMessage, drops the frame and keeps the connection (§1.3).
      this.ctx.log('MalformedWebSocketMessage', d.error);
      return;
    }
    const m = d.msg;
    if (m.topic === 'phoenix' && m.event === 'heartbeat') return this.reply(s, m, 'ok', {});
    if (m.event === 'phx_join') return this.join(s, m);
    const ch = s.channels.get(m.topic);
    if (!ch) return this.reply(s, m, 'error', { reason: JOIN.unmatchedTopic });
    switch (m.event) {
      case 'phx_leave':
        this.reply(s, m, 'ok', {});
        this.closeChannel(ch);
        return;
      case 'access_token':
        void this.accessToken(ch, m);
        return;
      case 'broadcast':
        return this.broadcastFromSocket(ch, m);
      case 'presence':
        return this.presence(ch, m);
      default:
        this.ctx.log('UnexpectedMessage', `Unexpected message from client of type \`${m.event}\``);
    }
  }

  // ---------------------------------------------------------------- join (§2.2, §3.2)

  private async join(s: SocketState, m: Message): Promise<void> {
    const topic = m.topic;
    if (!topic.startsWith('realtime:')) return this.reply(s, m, 'error', { reason: JOIN.unmatchedTopic });
    const existing = s.channels.get(topic);
    // Phoenix: a duplicate join closes the existing channel first.
    if (existing) this.shutdown(existing, undefined);

    const payload = isObject(m.payload) ? m.payload : {};
    const config = isObject(payload.config) ? payload.config : {};
    const isPrivate = config.private === true;
    const subTopic = topic.slice('realtime:'.length);
    if (this.ctx.knobs.silentJoinTopics.includes(subTopic)) {
      // Test knob: the join is received and never answered (realtime-js says TIMED_OUT, §7).
      this.ctx.log('SilentJoin', `${topic}: not answered (knob)`);
      return;
    }
    const fail = async (reason: string, after?: () => void): Promise<void> => {
      this.ctx.log('JoinError', `${topic}: ${reason}`);
      // CHANNEL_ERROR_BACKOFF_MS: join error replies are delayed (§3.2).
      await sleep(this.ctx.knobs.channelBackoffMs);
      this.reply(s, m, 'error', { reason });
      after?.();
    };

    // Join order (§3.2): tenant → PrivateOnly → limits → token → RLS read (private only).
    const project = this.ctx.projects.get(s.ref);
    if (!project) return fail(JOIN.tenantNotFound, () => s.ws.close(CLOSE.goingAway));
    if (project.suspended) return fail(JOIN.disabled);
    // Guess: the empty-topic check sits right after the tenant lookup.
    if (subTopic === '') return fail(JOIN.topicRequired);
    if (project.privateOnly && !isPrivate) return fail(JOIN.privateOnly);

    const token = selectChannelToken(payload, s.tenantToken);
    const verdict = await this.verify(project, token);
    if (!verdict.ok) return fail(joinReasonFor(verdict.error, this.ctx.knobs.wordings));
    if (isPrivate && channelPermission(project, subTopic, verdict.claims, 'read') !== 'allowed') {
      if (!isPostgresRole(project, verdict.claims.role)) this.ctx.log('RlsPolicyError', `role ${String(verdict.claims.role)}`);
      return fail(JOIN.unauthorized(subTopic));
    }

    const broadcast = isObject(config.broadcast) ? config.broadcast : {};
    const presence = isObject(config.presence) ? config.presence : {};
    const key = typeof presence.key === 'string' && presence.key !== '' ? presence.key : randomUUID();
    const pgBindings = (Array.isArray(config.postgres_changes) ? config.postgres_changes : []).filter(isObject);
    const ch: Channel = {
      socket: s,
      topic,
      subTopic,
      joinRef: m.joinRef,
      private: isPrivate,
      broadcastSelf: broadcast.self === true,
      broadcastAck: broadcast.ack === true,
      presenceEnabled: presence.enabled !== false,
      presenceKey: key,
      tracked: undefined,
      token,
      claims: verdict.claims,
      timer: undefined,
      pgBindings: pgBindings.map((b) => ({ ...b, id: bindingId(b) })),
      closed: false,
    };
    s.channels.set(topic, ch);
    this.reply(s, m, 'ok', { postgres_changes: ch.pgBindings });
    this.armTimer(ch);
    if (ch.presenceEnabled) {
      this.send(s, { joinRef: ch.joinRef, ref: null, topic, event: 'presence_state', payload: this.presenceState(ch) });
    }
    if (ch.pgBindings.length) setTimeout(() => this.subscribePostgres(ch), 5);
  }

  private verify(project: Project, token: unknown): Promise<VerifyResult> {
    return verifyRealtimeToken(token, this.ctx.tenantKeys(project), this.ctx.verifyOptions());
  }

  // ---------------------------------------------------------------- live channel (§2.3, §3.3, §4.4)

  /** Re-check at min(5 min, exp − now) after every successful verification (§4.4). */
  private armTimer(ch: Channel): void {
    clearTimeout(ch.timer);
    const exp = typeof ch.claims.exp === 'number' ? ch.claims.exp : 0;
    const ms = Math.min(this.ctx.knobs.confirmTokenIntervalMs, exp * 1000 - this.ctx.nowMs());
    ch.timer = setTimeout(() => void this.confirmToken(ch), Math.max(0, ms));
  }

  private async confirmToken(ch: Channel): Promise<void> {
    if (ch.closed) return;
    const project = this.ctx.projects.get(ch.socket.ref);
    if (!project) return;
    const verdict = await this.verify(project, ch.token);
    if (ch.closed) return;
    if (!verdict.ok) return this.shutdown(ch, periodicSystemMessage(verdict.error, this.ctx.knobs.wordings));
    ch.claims = verdict.claims;
    this.armTimer(ch);
  }

  /** Run the periodic token check on every live channel now (tests: revoked kid, clock jumps). */
  async confirmAllTokens(): Promise<void> {
    const all = [...this.sockets].flatMap((s) => [...s.channels.values()]);
    await Promise.all(all.map((ch) => this.confirmToken(ch)));
  }

  private async accessToken(ch: Channel, m: Message): Promise<void> {
    const value = isObject(m.payload) ? m.payload.access_token : undefined;
    if (typeof value !== 'string') {
      if (value !== null && value !== undefined) {
        this.ctx.log('UnexpectedMessage', 'Unexpected message from client of type `access_token`');
      }
      return;
    }
    // sb_ values and the current token are ignored: old token and its timer stay in force (§2.3).
    if (value.startsWith('sb_') || value === ch.token) return;
    const project = this.ctx.projects.get(ch.socket.ref);
    if (!project) return;
    const verdict = await this.verify(project, value);
    if (ch.closed) return;
    if (!verdict.ok) return this.shutdown(ch, accessTokenSystemMessage(verdict.error, this.ctx.knobs.wordings));
    if (ch.private) {
      const perm = channelPermission(project, ch.subTopic, verdict.claims, 'read');
      // Guess: an RLS error (role not in Postgres) reads "do not have"; a plain loss of the read
      // permission reads "no longer have".
      if (perm === 'rls_error') return this.shutdown(ch, SYSTEM.noPermission(ch.subTopic));
      if (perm === 'denied') return this.shutdown(ch, SYSTEM.lostPermission(ch.subTopic));
    }
    ch.token = value;
    ch.claims = verdict.claims;
    this.armTimer(ch);
    // Postgres Changes subscriptions are re-created with the new claims.
    if (ch.pgBindings.length) this.subscribePostgres(ch);
    // No reply on success (§2.3).
  }

  /** `system` error then `phx_close` (§3.3); undefined message = a bare phx_close. */
  private shutdown(ch: Channel, message: string | undefined): void {
    const s = ch.socket;
    if (message !== undefined) {
      this.ctx.log('ChannelShutdown', message);
      this.send(s, {
        joinRef: ch.joinRef,
        ref: null,
        topic: ch.topic,
        event: 'system',
        payload: { extension: 'system', status: 'error', message, channel: ch.subTopic },
      });
    }
    this.send(s, { joinRef: ch.joinRef, ref: ch.joinRef, topic: ch.topic, event: 'phx_close', payload: {} });
    this.closeChannel(ch);
  }

  private closeChannel(ch: Channel): void {
    if (ch.closed) return;
    ch.closed = true;
    clearTimeout(ch.timer);
    if (ch.socket.channels.get(ch.topic) === ch) ch.socket.channels.delete(ch.topic);
    if (ch.tracked) {
      const leaves = { [ch.presenceKey]: { metas: [ch.tracked] } };
      ch.tracked = undefined;
      this.presenceDiff(ch, {}, leaves);
    }
  }

  // ---------------------------------------------------------------- postgres_changes (§3.3)

  private subscribePostgres(ch: Channel): void {
    if (ch.closed) return;
    const project = this.ctx.projects.get(ch.socket.ref);
    if (!project) return;
    const role = ch.claims.role;
    let status = 'ok';
    let message: string = SYSTEM.postgresSubscribed;
    if (!isPostgresRole(project, role)) {
      // realtime.subscription.claims_role casts claims->>'role' to regrole: the insert fails.
      status = 'error';
      message = SYSTEM.postgresSubscribeError(
        postgresParamsToLog(ch.pgBindings[0]),
        `ERROR 42704 (undefined_object) role "${String(role)}" does not exist`,
      );
    }
    this.send(ch.socket, {
      joinRef: ch.joinRef,
      ref: null,
      topic: ch.topic,
      event: 'system',
      payload: { extension: 'postgres_changes', status, message, channel: ch.subTopic },
    });
  }

  // ---------------------------------------------------------------- broadcast

  private broadcastFromSocket(ch: Channel, m: Message): void {
    const project = this.ctx.projects.get(ch.socket.ref);
    if (!project) return;
    let msg: UserBroadcast | JsonBroadcast;
    if (m.userBroadcast) {
      const u = m.userBroadcast;
      msg = { kind: 'user', userEvent: u.userEvent, encoding: u.encoding, data: u.data };
    } else {
      msg = { kind: 'json', payload: m.payload };
    }
    // Private channels: an RLS write denial is silent, even with ack (§3.5).
    if (ch.private && channelPermission(project, ch.subTopic, ch.claims, 'write') !== 'allowed') return;
    this.fanOut(project.ref, ch.topic, ch.private, msg, ch.broadcastSelf ? undefined : ch);
    if (ch.broadcastAck) this.reply(ch.socket, m, 'ok', {});
  }

  /** Deliver a broadcast to every channel on the topic; kind-3 pushes go out as kind 4 (§1.4). */
  fanOut(ref: string, topic: string, isPrivate: boolean, msg: UserBroadcast | JsonBroadcast, except?: Channel): number {
    let n = 0;
    for (const s of this.sockets) {
      if (s.ref !== ref) continue;
      const ch = s.channels.get(topic);
      if (!ch || ch === except || ch.private !== isPrivate) continue;
      if (msg.kind === 'user') {
        if (s.vsn === '2.0.0') {
          if (s.ws.readyState === WebSocket.OPEN) s.ws.send(encodeUserBroadcast(topic, msg.userEvent, {}, msg.encoding, msg.data));
        } else if (msg.encoding === 1) {
          // V1 sockets get the JSON-encoded user payload as a map; binary ones are skipped (§1.2).
          let payload: unknown;
          try {
            payload = JSON.parse(msg.data.toString('utf8'));
          } catch {
            continue;
          }
          this.send(s, { joinRef: null, ref: null, topic, event: 'broadcast', payload: { type: 'broadcast', event: msg.userEvent, payload } });
        } else continue;
      } else {
        this.send(s, { joinRef: null, ref: null, topic, event: 'broadcast', payload: msg.payload });
      }
      n++;
    }
    return n;
  }

  /** REST broadcast (§2.5): write permission is checked per message on private topics. */
  broadcastFromRest(project: Project, subTopic: string, isPrivate: boolean, claims: Json, msg: UserBroadcast | JsonBroadcast): boolean {
    if (isPrivate && channelPermission(project, subTopic, claims, 'write') !== 'allowed') return false;
    this.fanOut(project.ref, `realtime:${subTopic}`, isPrivate, msg);
    return true;
  }

  // ---------------------------------------------------------------- presence

  private presence(ch: Channel, m: Message): void {
    const p = isObject(m.payload) ? m.payload : {};
    if (p.event === 'track') {
      const meta: Meta = { ...(isObject(p.payload) ? p.payload : {}), phx_ref: phxRef() };
      const leaves: Json = {};
      if (ch.tracked) {
        leaves[ch.presenceKey] = { metas: [ch.tracked] };
        meta.phx_ref_prev = ch.tracked.phx_ref;
      }
      ch.tracked = meta;
      this.reply(ch.socket, m, 'ok', {});
      this.presenceDiff(ch, { [ch.presenceKey]: { metas: [meta] } }, leaves);
    } else if (p.event === 'untrack') {
      const old = ch.tracked;
      ch.tracked = undefined;
      this.reply(ch.socket, m, 'ok', {});
      if (old) this.presenceDiff(ch, {}, { [ch.presenceKey]: { metas: [old] } });
    } else {
      this.reply(ch.socket, m, 'error', { reason: 'unknown presence event' });
    }
  }

  private presenceState(ch: Channel): Json {
    const state: Record<string, { metas: Meta[] }> = {};
    for (const s of this.sockets) {
      if (s.ref !== ch.socket.ref) continue;
      const other = s.channels.get(ch.topic);
      if (!other || other.private !== ch.private || !other.tracked) continue;
      (state[other.presenceKey] ??= { metas: [] }).metas.push(other.tracked);
    }
    return state;
  }

  private presenceDiff(from: Channel, joins: Json, leaves: Json): void {
    for (const s of this.sockets) {
      if (s.ref !== from.socket.ref) continue;
      const ch = s.channels.get(from.topic);
      if (!ch || ch.private !== from.private || !ch.presenceEnabled) continue;
      this.send(s, { joinRef: null, ref: null, topic: ch.topic, event: 'presence_diff', payload: { joins, leaves } });
    }
  }

  // ---------------------------------------------------------------- drains (§3.4)

  /** Socket drain: "Server requested disconnect" to every channel, then close 1012. */
  drain(ref: string): number {
    let n = 0;
    for (const s of [...this.sockets]) {
      if (s.ref !== ref) continue;
      for (const ch of s.channels.values()) {
        this.send(s, {
          joinRef: ch.joinRef,
          ref: null,
          topic: ch.topic,
          event: 'system',
          payload: { extension: 'system', status: 'ok', message: SYSTEM.serverRequestedDisconnect },
        });
      }
      s.ws.close(CLOSE.serviceRestart);
      n++;
    }
    return n;
  }

  async close(): Promise<void> {
    for (const s of [...this.sockets]) s.ws.terminate();
    this.sockets.clear();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}

/** §2.2 `assign_access_token` / `handle_access_token`. */
export function selectChannelToken(payload: Json, tenantToken: string): string {
  const at = payload.access_token;
  const ut = payload.user_token;
  if ((typeof at === 'string' && at.startsWith('sb_')) || (typeof ut === 'string' && ut.startsWith('sb_'))) return tenantToken;
  if (typeof ut === 'string') return ut;
  if (typeof at === 'string') return at;
  return tenantToken;
}

function writeHttpRefusal(socket: Duplex, answer: ConnectAnswer, date: string): void {
  if (socket.destroyed) return;
  const body = answer.body ? JSON.stringify(answer.body) : '';
  const lines = [
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`,
    `Date: ${date}`,
    ...(answer.body ? ['Content-Type: application/json; charset=utf-8'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    '',
  ];
  socket.end(lines.join('\r\n') + body);
}

/** Stand-in for `:erlang.phash2` of the subscription params: a stable integer id per binding. */
function bindingId(b: Json): number {
  const text = JSON.stringify(b, Object.keys(b).sort());
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 134217728;
}

/** `params_to_log` of realtime's subscriptions.ex, e.g. `event: *, schema: public, table: t, filters: [], select: nil`. */
function postgresParamsToLog(b: Json | undefined): string {
  const filters: string[] = [];
  const f = typeof b?.filter === 'string' ? b.filter : '';
  const match = /^([^=]+)=([a-z]+)\.(.*)$/.exec(f);
  if (match) filters.push(`{${JSON.stringify(match[1])}, ${JSON.stringify(match[2])}, ${JSON.stringify(match[3])}, false}`);
  const s = (v: unknown, d: string) => (typeof v === 'string' && v !== '' ? v : d);
  return `event: ${s(b?.event, '*')}, schema: ${s(b?.schema, '*')}, table: ${s(b?.table, '*')}, filters: [${filters.join(', ')}], select: nil`;
}

function phxRef(): string {
  return `F${randomBytes(8).toString('base64url')}`;
}
