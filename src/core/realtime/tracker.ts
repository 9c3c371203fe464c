// The Realtime session tracker: connections, channel instances, join attempts and reply pairing,
// built incrementally from captured events (the panel feeds them live, up to 200,000). Each event
// costs O(1) map work plus the decoding of its own frame; nothing is ever rescanned.
//
// Identity rules (realtime-facts §1.2–§1.3, §2.2–§2.3, §3.2–§3.4, §7):
// - refs are per socket, so replies pair with pushes by `ref` within one connection;
// - a channel instance is (connection, topic, join_ref of its first phx_join); Phoenix JS gives
//   every (re)join a NEW join_ref, so a rejoin after an error/timeout is attached to the instance
//   it retries, while a join on a topic whose instance is alive or finished is a new instance;
// - V1 servers never send join_ref: their frames go to the topic's latest instance, except
//   phx_close / phx_error whose ref is the instance's join_ref (Phoenix encode_close/on_exit).

import type { CapturedEvent, ConnectionId, NetworkObservation } from '../model';
import { decodeFrame } from './decode';
import { HEARTBEAT_TOPIC, VSN_WHEN_UNDECIDED, classifyDecoded, frameVsn } from './framing';
import type {
  AwaitingReply,
  SystemMessage,
  TokenPush,
  ChannelKey,
  ChannelRecord,
  DecodedFrame,
  ConnectionRecord,
  DecodedFrameRecord,
  FrameRef,
  JoinAttempt,
  PhoenixMessage,
  RealtimeSession,
  ReplyPolicy,
  Vsn,
} from './types';
import { apikeyFromUrl, vsnFromUrl } from './url';

export interface RealtimeTrackerOptions {
  /**
   * Keep the decoded payload of bulk frames (framing.ts `classifyDecoded`: heartbeats and their
   * replies, broadcasts, presence, postgres_changes, ok replies to pushes other than joins).
   * Default true. With false their `decoded.message.payload` is dropped (`payloadDropped`) and a
   * viewer re-decodes the captured event (by seq) when it needs it; auth evidence is always kept.
   */
  keepBulkPayloads?: boolean;
  /** Cap on pushes per connection waiting for a reply (oldest forgotten first). Default 10,000. */
  maxPendingPerConnection?: number;
  /**
   * Keep about this many frame records (default: no limit). The oldest are forgotten in batches
   * once the excess reaches a quarter of the limit (at most 10,000), so each frame costs O(1). Connection and channel records, join attempts and their FrameRefs are never
   * forgotten. With a limit, `session.frames` indices shift: use `ingest`'s return value.
   */
  maxFrames?: number;
  /**
   * Byte budget of what the tracker keeps from the page (default TRACKER_MAX_BYTES): connection
   * URLs, channel topics, join attempts (their tokens and replies), token pushes and system
   * messages, each counted by the size of the frame it came from. Over it, records are evicted
   * as the store of record evicts events: bulk first (superseded ok attempts, pushes repeating
   * the channel's latest token, ok system messages, channels and sockets that closed cleanly),
   * then ordinary, and the auth evidence (live channels, the latest attempt and push of a
   * channel, failures) only when nothing else is left. Every eviction is counted (`evictions()`).
   */
  maxBytes?: number;
  /** The frame decoder (default `decodeFrame`): the session passes its own, so each frame is decoded once. */
  decodeFrame?: (frame: CapturedEvent & { kind: 'ws-frame' }, vsn: Vsn, dir: 'sent' | 'received') => DecodedFrame;
}

/** Default byte budget of the tracker's records (see RealtimeTrackerOptions.maxBytes). */
export const TRACKER_MAX_BYTES = 32 * 1024 * 1024;
/** After an eviction, keep this fraction of the budget: evicting in bulk keeps eviction rare and O(1) per record. */
const TRACKER_KEEP_FRACTION = 0.75;
/** Fixed cost of a record in the byte estimate (objects, refs, map entries). */
const RECORD_BYTES = 256;
const FRAME_REF_BYTES = 64;
/** `phx_error` refs kept per channel: a page sending a million of them keeps the latest ones. */
const MAX_ERRORS_PER_CHANNEL = 1_000;

/** What the tracker evicted to stay within its byte budget, by kind (channels of an evicted connection count as channels too). */
export interface TrackerEvictions {
  connections: number;
  channels: number;
  attempts: number;
  tokenPushes: number;
  systemMessages: number;
  /** `phx_error` refs beyond MAX_ERRORS_PER_CHANNEL on one channel. */
  errors: number;
  bytes: number;
}

type RetainedKind = 'connection' | 'channel' | 'attempt' | 'tokenPush' | 'systemMessage';
type RetentionTier = 'bulk' | 'ordinary' | 'pinned';

/** One record the tracker keeps, in the order it was made, with its share of the byte budget. */
interface Retained {
  kind: RetainedKind;
  bytes: number;
  conn: ConnectionState;
  channel?: ChannelState;
  item?: JoinAttempt | TokenPush | SystemMessage;
  gone?: boolean;
}

/** realtime-js DEFAULT_TIMEOUT for pushes, joins included (realtime-facts §7). */
export const REALTIME_JS_PUSH_TIMEOUT_MS = 10_000;

interface PendingPush {
  record: DecodedFrameRecord;
  message: PhoenixMessage;
  channel?: ChannelState;
  attempt?: JoinAttempt;
  /** A phx_leave sent because a join went unanswered (Phoenix JS timeout): its reply closes nothing. */
  abandonsJoin?: boolean;
  policy: ReplyPolicy;
}

interface ChannelState {
  record: ChannelRecord;
  /** From the latest join's config (§2.2): broadcasts are acknowledged only with ack:true. */
  broadcastAck: boolean;
  /** The latest attempt was abandoned by the client: a late reply must not change the phase. */
  abandoned: Set<JoinAttempt>;
  retained: Retained;
  /** The channel's attempts, pushes and system messages (evicted with it). */
  parts: Retained[];
}

interface ConnectionState {
  record: ConnectionRecord;
  pending: Map<string, PendingPush>;
  /** `topic \0 join_ref` of every join attempt -> instance. */
  byJoinRef: Map<string, ChannelState>;
  /** Latest instance per topic (V1 frames and null join_refs are attributed here). */
  latestByTopic: Map<string, ChannelState>;
  channels: ChannelState[];
  /** The vsn came from the URL or from a frame that tells (framing.ts `frameVsn`). */
  vsnKnown: boolean;
  retained: Retained;
}

/** What the socket's heartbeats did since `time` (a join's send), as known now. */
function heartbeatsSince(c: ConnectionRecord, time: number): 'answered' | 'unanswered' | 'none' {
  if (c.lastHeartbeatReply && c.lastHeartbeatReply.time > time) return 'answered';
  if (c.lastHeartbeatSent && c.lastHeartbeatSent.time > time) return 'unanswered';
  return 'none';
}

/**
 * How long the client had been waiting for a join at `time`: since the join frame, or — for a join
 * flushed from the send buffer when the socket opened — since the socket was created (realtime-js
 * starts the join's timer at subscribe(), which is what opens the socket).
 */
function joinWaited(c: ConnectionRecord, join: JoinAttempt, time: number): number {
  const flushedAtOpen = c.openedAt !== undefined && join.frame.time - c.openedAt < 100;
  return time - (flushedAtOpen ? c.createdAt : join.frame.time);
}

/** A phx_leave this long after a still-unanswered join is realtime-js's timeout (10 s default, §7), not the app leaving. */
const JOIN_TIMEOUT_FLOOR_MS = 9_000;

export class RealtimeTracker {
  private connections: ConnectionRecord[] = [];
  private channels: ChannelRecord[] = [];
  /** Every record kept, oldest first, with its byte estimate (the eviction order within a tier). */
  private retained: Retained[] = [];
  private retainedBytes = 0;
  private readonly retainedOf = new WeakMap<object, Retained>();
  private readonly capturedLength = new WeakMap<DecodedFrameRecord, number>();
  private readonly evicted: TrackerEvictions = { connections: 0, channels: 0, attempts: 0, tokenPushes: 0, systemMessages: 0, errors: 0, bytes: 0 };
  private evictionPasses = 0;
  private readonly maxBytes: number;
  private readonly frames: DecodedFrameRecord[] = [];
  private readonly byConn = new Map<ConnectionId, ConnectionState>();
  /** Upgrade observations (`net` websocket events) not yet matched to a connection, by URL. */
  private readonly unmatchedUpgrades = new Map<string, Array<{ status?: number; error?: string }>>();
  /** Connections still waiting for their upgrade observation, by URL, oldest first. */
  private readonly awaitingUpgrade = new Map<string, ConnectionRecord[]>();
  private undecodable = 0;
  private version = 0;
  private framesForgotten = 0;
  private readonly keepBulkPayloads: boolean;
  private readonly maxPending: number;
  private readonly maxFrames: number;
  private readonly decodeFrame: NonNullable<RealtimeTrackerOptions['decodeFrame']>;

  constructor(options: RealtimeTrackerOptions = {}) {
    this.decodeFrame = options.decodeFrame ?? decodeFrame;
    this.keepBulkPayloads = options.keepBulkPayloads !== false;
    this.maxPending = Math.max(1, options.maxPendingPerConnection ?? 10_000);
    this.maxFrames = Math.max(1, options.maxFrames ?? Number.POSITIVE_INFINITY);
    this.maxBytes = Math.max(1, options.maxBytes ?? TRACKER_MAX_BYTES);
  }

  /** What was evicted to stay within the byte budget, counted by kind (a copy). */
  evictions(): TrackerEvictions {
    return { ...this.evicted };
  }

  /** Bumped by every eviction pass: a consumer holding copies of records republishes them all. */
  get evictionCount(): number {
    return this.evictionPasses;
  }

  /** Estimated bytes of the records kept (what `maxBytes` bounds). */
  get bytes(): number {
    return this.retainedBytes;
  }

  /**
   * Feeds one captured event. Events that are not about Realtime sockets are ignored. Returns the
   * frame record for a `ws-frame` (every ws-frame gets exactly one, decodable or not).
   */
  ingest(event: CapturedEvent): DecodedFrameRecord | undefined {
    if (event === null || typeof event !== 'object') return undefined;
    let record: DecodedFrameRecord | undefined;
    switch (event.kind) {
      case 'ws-connecting':
        this.onConnecting(event);
        break;
      case 'ws-open': {
        const conn = this.connection(event.conn, event.time);
        if (conn.record.openedAt === undefined) conn.record.openedAt = event.time;
        break;
      }
      case 'ws-frame':
        record = this.onFrame(event);
        break;
      case 'ws-close':
        this.onClose(event);
        break;
      case 'ws-error':
        this.connection(event.conn, event.time).record.errored = true;
        break;
      case 'net':
        this.onNetwork(event);
        break;
      default:
        return undefined;
    }
    this.version++;
    return record;
  }

  ingestAll(events: Iterable<CapturedEvent>): void {
    for (const event of events) this.ingest(event);
  }

  /**
   * The connection and channel records only (shared, live: treat as read-only). Cheaper than
   * `snapshot()`, which also lists every push still awaiting a reply.
   */
  records(): Pick<RealtimeSession, 'connections' | 'channels'> {
    return { connections: this.connections, channels: this.channels };
  }

  snapshot(): RealtimeSession {
    const awaitingReply: AwaitingReply[] = [];
    for (const conn of this.byConn.values()) {
      for (const push of conn.pending.values()) {
        if (push.policy !== 'expected') continue;
        awaitingReply.push({
          conn: conn.record.conn,
          frame: frameRef(push.record),
          event: push.message.event,
          topic: push.message.topic,
          channel: push.channel?.record.key,
          defaultTimeoutAt: push.record.time + REALTIME_JS_PUSH_TIMEOUT_MS,
        });
      }
    }
    awaitingReply.sort((a, b) => a.frame.seq - b.frame.seq);
    return {
      connections: this.connections,
      channels: this.channels,
      frames: this.frames,
      awaitingReply,
      undecodable: this.undecodable,
      framesForgotten: this.framesForgotten,
      version: this.version,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Connections

  private onConnecting(event: CapturedEvent & { kind: 'ws-connecting' }): void {
    const existing = this.byConn.get(event.conn);
    if (existing) {
      // The socket was first seen through later events (inferred): the URL completes it.
      const record = existing.record;
      if (record.url === '') {
        record.url = safeString(event.url);
        this.grow(existing.retained, record.url.length);
        record.vsn = vsnFromUrl(record.url);
        record.apikey = apikeyFromUrl(record.url);
        existing.vsnKnown = true;
        this.matchUpgrade(record);
      }
      return;
    }
    const url = safeString(event.url);
    const record: ConnectionRecord = {
      conn: event.conn,
      url,
      vsn: vsnFromUrl(url),
      createdAt: event.time,
      errored: false,
      refused: false,
      framesSent: 0,
      framesReceived: 0,
      undecodable: 0,
    };
    const apikey = apikeyFromUrl(url);
    if (apikey !== undefined) record.apikey = apikey;
    this.addConnection(record, true);
    this.matchUpgrade(record);
  }

  private connection(conn: ConnectionId, time: number): ConnectionState {
    const existing = this.byConn.get(conn);
    if (existing) return existing;
    // Events for a socket whose ws-connecting was not captured (evicted, or capture began late).
    const record: ConnectionRecord = {
      conn,
      url: '',
      vsn: VSN_WHEN_UNDECIDED,
      createdAt: time,
      errored: false,
      refused: false,
      framesSent: 0,
      framesReceived: 0,
      undecodable: 0,
      inferred: true,
    };
    return this.addConnection(record, false);
  }

  private addConnection(record: ConnectionRecord, vsnKnown: boolean): ConnectionState {
    const state = {
      record,
      pending: new Map(),
      byJoinRef: new Map(),
      latestByTopic: new Map(),
      channels: [],
      vsnKnown,
    } as unknown as ConnectionState;
    state.retained = { kind: 'connection', bytes: RECORD_BYTES + record.url.length + (record.apikey?.length ?? 0), conn: state };
    this.byConn.set(record.conn, state);
    this.connections.push(record);
    this.retainedOf.set(record, state.retained);
    this.retain(state.retained);
    return state;
  }

  private onClose(event: CapturedEvent & { kind: 'ws-close' }): void {
    const conn = this.connection(event.conn, event.time);
    const record = conn.record;
    if (!record.close) this.grow(conn.retained, safeString(event.reason).length);
    record.close = {
      code: event.code,
      reason: safeString(event.reason),
      wasClean: event.wasClean === true,
      time: event.time,
      seq: event.seq,
      ...(event.initiator !== undefined ? { initiator: event.initiator } : {}),
    };
    // Closed without ever opening: the upgrade was refused or failed (§3.1).
    // The page closing its own socket while it connects (disconnect(), removeAllChannels()) is
    // not a refusal — unless the upgrade had already failed (the browser fires `error` first, and
    // Phoenix or the app then calls close() on the dead socket).
    if (record.openedAt === undefined && (event.initiator !== 'page' || record.errored || record.upgrade?.error !== undefined || (record.upgrade?.status ?? 0) >= 400)) record.refused = true;
    for (const push of conn.pending.values()) {
      if (push.attempt && push.attempt.status === 'awaiting-reply') push.attempt.status = 'connection-closed';
    }
    conn.pending.clear();
    // Phoenix JS errors every live channel when its socket closes (they rejoin on reconnect,
    // which is a new connection here).
    for (const channel of conn.channels) {
      const phase = channel.record.phase;
      if (phase === 'joining' || phase === 'joined') channel.record.phase = 'errored';
      else if (phase === 'leaving') channel.record.phase = 'closed';
    }
  }

  /** A `net` observation of a WebSocket upgrade fills the matching connection's `upgrade`. */
  private onNetwork(event: NetworkObservation): void {
    if (event.resourceType !== 'websocket') return;
    const upgrade: { status?: number; error?: string } = {};
    if (typeof event.status === 'number') upgrade.status = event.status;
    if (typeof event.error === 'string') upgrade.error = event.error;
    const key = urlKey(safeString(event.url));
    const waiting = this.awaitingUpgrade.get(key);
    const record = waiting?.shift();
    if (waiting && waiting.length === 0) this.awaitingUpgrade.delete(key);
    if (record) {
      record.upgrade = upgrade;
      return;
    }
    const queue = this.unmatchedUpgrades.get(key) ?? [];
    queue.push(upgrade);
    this.unmatchedUpgrades.set(key, queue);
  }

  private matchUpgrade(record: ConnectionRecord): void {
    const key = urlKey(record.url);
    const queue = this.unmatchedUpgrades.get(key);
    const upgrade = queue?.shift();
    if (queue && queue.length === 0) this.unmatchedUpgrades.delete(key);
    if (upgrade) {
      record.upgrade = upgrade;
      return;
    }
    const waiting = this.awaitingUpgrade.get(key) ?? [];
    waiting.push(record);
    this.awaitingUpgrade.set(key, waiting);
  }

  // -------------------------------------------------------------------------------------------
  // Frames

  private onFrame(event: CapturedEvent & { kind: 'ws-frame' }): DecodedFrameRecord {
    const conn = this.connection(event.conn, event.time);
    const dir = event.dir === 'sent' ? 'sent' : 'received';
    if (!conn.vsnKnown) {
      // No URL: the first frame whose shape tells decides; until then, framing's guess.
      const shown = frameVsn(event);
      if (shown !== undefined) {
        conn.record.vsn = shown;
        conn.vsnKnown = true;
      }
    }
    const decoded = this.decodeFrame(event, conn.record.vsn, dir);
    const record: DecodedFrameRecord = {
      seq: event.seq,
      time: event.time,
      dir,
      conn: event.conn,
      opcode: event.opcode === 'binary' ? 'binary' : 'text',
      size: typeof event.size === 'number' ? event.size : 0,
      truncated: event.truncated === true,
      decoded,
    };
    this.frames.push(record);
    // What this frame can leave in the tracker's records is at most what was captured of it (a
    // preview's claimed full size is the page's word, not memory).
    this.capturedLength.set(record, typeof event.text === 'string' ? event.text.length : typeof event.base64 === 'string' ? event.base64.length : 0);
    this.forgetOldFrames();
    if (dir === 'sent') conn.record.framesSent++;
    else conn.record.framesReceived++;
    if (!decoded.ok) {
      conn.record.undecodable++;
      this.undecodable++;
      return record;
    }
    const message = decoded.message;
    if (message.topic === HEARTBEAT_TOPIC) {
      record.heartbeat = true;
      this.onHeartbeat(conn, record, message);
    } else if (dir === 'sent') {
      this.onPush(conn, record, message);
    } else {
      this.onReceived(conn, record, message);
    }
    if (!this.keepBulkPayloads && classifyDecoded(decoded, record.replyToEvent === 'phx_join') === 'bulk') {
      decoded.message = { ...message, payload: undefined };
      record.payloadDropped = true;
    }
    return record;
  }

  /** Drops the oldest frame records in batches, so the cost per frame stays O(1) amortised. */
  private forgetOldFrames(): void {
    if (this.frames.length <= this.maxFrames) return;
    const slack = Math.max(1, Math.min(10_000, Math.floor(this.maxFrames / 4)));
    if (this.frames.length < this.maxFrames + slack) return;
    const excess = this.frames.length - this.maxFrames;
    this.frames.splice(0, excess);
    this.framesForgotten += excess;
  }

  private onHeartbeat(conn: ConnectionState, record: DecodedFrameRecord, message: PhoenixMessage): void {
    const connection = conn.record;
    if (record.dir === 'sent') {
      connection.heartbeatsSent = (connection.heartbeatsSent ?? 0) + 1;
      connection.lastHeartbeatSent = frameRef(record);
      record.replyPolicy = message.ref === null ? 'optional' : 'expected';
      if (message.ref !== null) this.addPending(conn, { record, message, policy: 'expected' });
      return;
    }
    if (message.event === 'phx_reply') {
      const push = this.pairReply(conn, record, message);
      if (push) {
        connection.heartbeatsAnswered = (connection.heartbeatsAnswered ?? 0) + 1;
        connection.lastHeartbeatReply = frameRef(record);
      }
    }
  }

  private onPush(conn: ConnectionState, record: DecodedFrameRecord, message: PhoenixMessage): void {
    if (message.event === 'phx_join') {
      this.onJoin(conn, record, message);
      return;
    }
    const channel = this.channelFor(conn, message, false);
    this.attach(record, channel);
    const pending: PendingPush = { record, message, channel, policy: 'optional' };
    switch (message.event) {
      case 'phx_leave': {
        pending.policy = 'expected';
        const latest = lastOf(channel.record.attempts);
        // Phoenix JS sends phx_leave on a join timeout (10 s by default, §7) — but also when the
        // app leaves a channel still joining (unsubscribe, removeChannel, a StrictMode cleanup),
        // which the app is told as CLOSED. Only a leave about the timeout after the join is the
        // former (a custom timeout under 9 s is read as a leave).
        if (channel.record.phase === 'joining' && latest && latest.status === 'awaiting-reply' && joinWaited(conn.record, latest, record.time) >= JOIN_TIMEOUT_FLOOR_MS) {
          // Phoenix JS on join timeout: sends phx_leave, marks the channel errored and rejoins
          // later (§7 TIMED_OUT). The leave's reply must not close the instance.
          latest.status = 'timed-out';
          latest.abandonedBy = frameRef(record);
          latest.heartbeatsWhileWaiting = heartbeatsSince(conn.record, latest.frame.time);
          channel.abandoned.add(latest);
          channel.record.phase = 'errored';
          pending.abandonsJoin = true;
        } else {
          channel.record.phase = 'leaving';
          channel.record.leftBy = frameRef(record);
        }
        break;
      }
      case 'access_token':
        // §2.3: never answered on success; silence is not a failure.
        pending.policy = 'never';
        {
          const push: TokenPush = { frame: frameRef(record), value: isObject(message.payload) ? message.payload.access_token : undefined };
          channel.record.tokenPushes.push(push);
          this.retainPart(channel, 'tokenPush', push, FRAME_REF_BYTES + this.capturedOf(record));
        }
        break;
      case 'broadcast':
        // §3.5: the server answers a broadcast only when the channel joined with ack:true.
        pending.policy = channel.broadcastAck ? 'expected' : 'never';
        break;
      case 'presence':
        pending.policy = 'expected';
        break;
    }
    record.replyPolicy = message.ref === null ? 'never' : pending.policy;
    // Pushes never answered by design are not remembered: a flood of broadcasts costs nothing.
    if (message.ref !== null && pending.policy !== 'never') this.addPending(conn, pending);
  }

  private onJoin(conn: ConnectionState, record: DecodedFrameRecord, message: PhoenixMessage): void {
    const payload = isObject(message.payload) ? message.payload : {};
    const config = isObject(payload.config) ? payload.config : {};
    const broadcast = isObject(config.broadcast) ? config.broadcast : {};
    const attempt: JoinAttempt = {
      frame: frameRef(record),
      ref: message.ref,
      joinRef: message.joinRef,
      accessToken: payload.access_token,
      userToken: payload.user_token,
      hasAccessToken: 'access_token' in payload,
      hasUserToken: 'user_token' in payload,
      private: config.private === true,
      postgresChanges: Array.isArray(config.postgres_changes) ? config.postgres_changes.length : 0,
      ...(typeof payload.version === 'string' ? { clientVersion: payload.version.slice(0, 100) } : {}),
      status: 'awaiting-reply',
    };

    let channel = conn.latestByTopic.get(message.topic);
    const retries = channel !== undefined && isRetry(channel);
    if (channel && retries) {
      // A rejoin of the same instance: the previous attempt, if still unanswered, timed out.
      const previous = lastOf(channel.record.attempts);
      if (previous && previous.status === 'awaiting-reply') {
        previous.status = 'timed-out';
        previous.abandonedBy = frameRef(record);
        previous.heartbeatsWhileWaiting = heartbeatsSince(conn.record, previous.frame.time);
        channel.abandoned.add(previous);
      }
    } else {
      channel = this.newChannel(conn, message.topic, message.joinRef, false);
    }
    if (message.joinRef !== null) conn.byJoinRef.set(joinKey(message.topic, message.joinRef), channel);
    channel.record.attempts.push(attempt);
    // The join frame's size bounds its tokens and config: the attempt keeps parts of it.
    this.retainPart(channel, 'attempt', attempt, RECORD_BYTES + this.capturedOf(record));
    channel.record.phase = 'joining';
    channel.broadcastAck = broadcast.ack === true;
    this.attach(record, channel);
    record.replyPolicy = message.ref === null ? 'optional' : 'expected';
    if (message.ref !== null) this.addPending(conn, { record, message, channel, attempt, policy: 'expected' });
  }

  private onReceived(conn: ConnectionState, record: DecodedFrameRecord, message: PhoenixMessage): void {
    if (message.event === 'phx_reply') {
      const push = this.pairReply(conn, record, message);
      const channel = push?.channel ?? this.channelFor(conn, message, true);
      this.attach(record, channel);
      if (push) this.onReply(push, record, message, channel);
      return;
    }
    const channel = this.channelFor(conn, message, true);
    this.attach(record, channel);
    const ref = frameRef(record);
    switch (message.event) {
      case 'phx_close':
        channel.record.closedBy = ref;
        channel.record.phase = 'closed';
        break;
      case 'phx_error':
        channel.record.errors.push(ref);
        if (channel.record.errors.length > MAX_ERRORS_PER_CHANNEL) {
          // The first one and the latest ones say what happened; the middle of a flood does not.
          channel.record.errors.splice(1, channel.record.errors.length - MAX_ERRORS_PER_CHANNEL);
          this.evicted.errors++;
        }
        if (channel.record.phase !== 'closed') channel.record.phase = 'errored';
        break;
      case 'system': {
        const system: SystemMessage = { frame: ref, payload: message.payload };
        channel.record.systemMessages.push(system);
        this.retainPart(channel, 'systemMessage', system, FRAME_REF_BYTES + this.capturedOf(record));
        break;
      }
    }
  }

  private onReply(push: PendingPush, record: DecodedFrameRecord, message: PhoenixMessage, channel: ChannelState): void {
    const payload = isObject(message.payload) ? message.payload : {};
    const status = typeof payload.status === 'string' ? payload.status : String(payload.status);
    if (push.attempt) {
      const attempt = push.attempt;
      if (!attempt.reply) this.grow(this.retainedOf.get(attempt), this.capturedOf(record));
      attempt.reply = { frame: frameRef(record), status, response: payload.response };
      const wasAbandoned = channel.abandoned.has(attempt);
      // A reply to a join the client already gave up on changes nothing for the app (it was told
      // TIMED_OUT): the attempt stays timed out, the reply is kept as evidence.
      if (attempt.status !== 'timed-out') attempt.status = status === 'ok' ? 'ok' : 'error';
      // Phoenix JS ignores a reply to a join it gave up on, and only the latest attempt counts.
      if (!wasAbandoned && attempt === lastOf(channel.record.attempts)) {
        channel.record.phase = status === 'ok' ? 'joined' : 'errored';
      }
      return;
    }
    if (push.message.event === 'phx_leave' && !push.abandonsJoin && channel.record.phase === 'leaving') {
      channel.record.phase = 'closed';
    }
  }

  /** Pairs a reply with its push by ref within the connection (refs are per socket). */
  private pairReply(conn: ConnectionState, record: DecodedFrameRecord, message: PhoenixMessage): PendingPush | undefined {
    if (message.ref === null) return undefined;
    const push = conn.pending.get(message.ref);
    if (!push || push.message.topic !== message.topic) return undefined;
    conn.pending.delete(message.ref);
    push.record.reply = frameRef(record);
    record.replyTo = frameRef(push.record);
    record.replyToEvent = push.message.event;
    return push;
  }

  private addPending(conn: ConnectionState, push: PendingPush): void {
    const ref = push.message.ref;
    if (ref === null) return;
    // Only the push's ref, topic and event are read when its reply comes: its payload (a 256 KiB
    // broadcast, up to 10,000 of them per socket) is not kept for that.
    push.message = { ...push.message, payload: undefined };
    conn.pending.delete(ref); // a reused ref moves to the end (newest)
    conn.pending.set(ref, push);
    if (conn.pending.size > this.maxPending) {
      const oldest = conn.pending.keys().next();
      if (!oldest.done) conn.pending.delete(oldest.value);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Channels

  /** The instance a non-join frame belongs to; creates an inferred one if none is known. */
  private channelFor(conn: ConnectionState, message: PhoenixMessage, received: boolean): ChannelState {
    const topic = message.topic;
    if (message.joinRef !== null) {
      const exact = conn.byJoinRef.get(joinKey(topic, message.joinRef));
      if (exact) return exact;
    } else if (received && message.ref !== null && (message.event === 'phx_close' || message.event === 'phx_error')) {
      // V1 carries no join_ref, but Phoenix sends these with ref = the instance's join_ref.
      const byRef = conn.byJoinRef.get(joinKey(topic, message.ref));
      if (byRef) return byRef;
    }
    const latest = conn.latestByTopic.get(topic);
    if (latest && (message.joinRef === null || conn.record.vsn === '1.0.0')) return latest;
    const inferred = this.newChannel(conn, topic, message.joinRef, true);
    if (message.joinRef !== null) conn.byJoinRef.set(joinKey(topic, message.joinRef), inferred);
    return inferred;
  }

  private newChannel(conn: ConnectionState, topic: string, joinRef: string | null, inferred: boolean): ChannelState {
    const key: ChannelKey = { conn: conn.record.conn, topic, joinRef };
    const record: ChannelRecord = {
      key,
      phase: inferred ? 'joined' : 'joining',
      attempts: [],
      tokenPushes: [],
      systemMessages: [],
      errors: [],
      frameCount: 0,
    };
    if (inferred) record.inferred = true;
    const state = { record, broadcastAck: false, abandoned: new Set(), parts: [] } as unknown as ChannelState;
    state.retained = { kind: 'channel', bytes: RECORD_BYTES + topic.length, conn, channel: state };
    conn.channels.push(state);
    // An inferred instance does not replace a real one as the topic's latest.
    if (!inferred || !conn.latestByTopic.has(topic)) conn.latestByTopic.set(topic, state);
    this.channels.push(record);
    this.retainedOf.set(record, state.retained);
    this.retainedOf.set(key, state.retained);
    this.retain(state.retained);
    return state;
  }

  // -------------------------------------------------------------------------------------------
  // Byte budget

  private capturedOf(record: DecodedFrameRecord): number {
    return this.capturedLength.get(record) ?? 0;
  }

  private retain(entry: Retained): void {
    this.retained.push(entry);
    this.retainedBytes += entry.bytes;
    if (this.retainedBytes > this.maxBytes) this.evict();
  }

  private retainPart(channel: ChannelState, kind: RetainedKind, item: JoinAttempt | TokenPush | SystemMessage, bytes: number): void {
    const entry: Retained = { kind, bytes, conn: this.byConn.get(channel.record.key.conn)!, channel, item };
    channel.parts.push(entry);
    this.retainedOf.set(item, entry);
    this.retain(entry);
  }

  private grow(entry: Retained | undefined, bytes: number): void {
    if (!entry || entry.gone || bytes <= 0) return;
    entry.bytes += bytes;
    this.retainedBytes += bytes;
    if (this.retainedBytes > this.maxBytes) this.evict();
  }

  /**
   * Evicts down to TRACKER_KEEP_FRACTION of the budget: bulk records oldest first, then ordinary
   * ones, then anything oldest first. One pass over the records and one filter of each list they
   * sit in, so a record costs O(1) amortised however the page floods.
   */
  private evict(): void {
    const target = this.maxBytes * TRACKER_KEEP_FRACTION;
    const touchedChannels = new Set<ChannelState>();
    const touchedConns = new Set<ConnectionState>();
    let channelsGone = false;
    let connsGone = false;
    for (const tier of ['bulk', 'ordinary', 'pinned'] as const) {
      for (const entry of this.retained) {
        if (this.retainedBytes <= target) break;
        if (entry.gone || (tier !== 'pinned' && this.tierOf(entry) !== tier)) continue;
        if (entry.kind === 'connection') {
          for (const channel of entry.conn.channels) if (!channel.retained.gone) this.dropChannel(channel);
          this.drop(entry);
          connsGone = true;
          touchedConns.add(entry.conn);
        } else if (entry.kind === 'channel') {
          this.dropChannel(entry.channel!);
          channelsGone = true;
          touchedConns.add(entry.conn);
        } else {
          this.drop(entry);
          touchedChannels.add(entry.channel!);
        }
      }
    }
    this.evictionPasses++;
    this.retained = this.retained.filter((e) => !e.gone);
    const gone = (item: object) => this.retainedOf.get(item)?.gone === true;
    for (const channel of touchedChannels) {
      const r = channel.record;
      r.attempts = r.attempts.filter((a) => !gone(a));
      r.tokenPushes = r.tokenPushes.filter((p) => !gone(p));
      r.systemMessages = r.systemMessages.filter((m) => !gone(m));
      channel.parts = channel.parts.filter((e) => !e.gone);
    }
    if (channelsGone || connsGone) {
      this.channels = this.channels.filter((c) => !gone(c));
      // A frame record names only channels that are listed.
      for (const frame of this.frames) if (frame.channel && gone(frame.channel)) delete frame.channel;
    }
    if (connsGone) {
      this.connections = this.connections.filter((c) => !gone(c));
      for (const conn of touchedConns) if (conn.retained.gone) this.byConn.delete(conn.record.conn);
      for (const [key, waiting] of this.awaitingUpgrade) {
        const left = waiting.filter((c) => this.byConn.has(c.conn));
        if (left.length) this.awaitingUpgrade.set(key, left);
        else this.awaitingUpgrade.delete(key);
      }
    }
    for (const conn of touchedConns) {
      if (conn.retained.gone) continue;
      conn.channels = conn.channels.filter((c) => !c.retained.gone);
      for (const [key, channel] of conn.byJoinRef) if (channel.retained.gone) conn.byJoinRef.delete(key);
      for (const [topic, channel] of conn.latestByTopic) if (channel.retained.gone) conn.latestByTopic.delete(topic);
      for (const [ref, push] of conn.pending) if (push.channel?.retained.gone) conn.pending.delete(ref);
    }
  }

  private dropChannel(channel: ChannelState): void {
    for (const part of channel.parts) if (!part.gone) this.drop(part);
    this.drop(channel.retained);
  }

  private drop(entry: Retained): void {
    if (entry.gone) return;
    entry.gone = true;
    this.retainedBytes -= entry.bytes;
    this.evicted.bytes += entry.bytes;
    switch (entry.kind) {
      case 'connection':
        this.evicted.connections++;
        break;
      case 'channel':
        this.evicted.channels++;
        break;
      case 'attempt':
        this.evicted.attempts++;
        break;
      case 'tokenPush':
        this.evicted.tokenPushes++;
        break;
      case 'systemMessage':
        this.evicted.systemMessages++;
        break;
    }
  }

  /**
   * How much a record explains (buffer.ts's tiers, for the tracker's records). Pinned: a live
   * socket or channel, the latest attempt and token push of a channel, a failure. Bulk: what
   * repeats or went well and is over. Ordinary: the rest (superseded failures, other pushes).
   */
  private tierOf(entry: Retained): RetentionTier {
    switch (entry.kind) {
      case 'connection': {
        const r = entry.conn.record;
        if (!r.close) return 'pinned';
        if (r.refused || r.errored || entry.conn.channels.some((c) => channelFailed(c.record))) return 'pinned';
        return r.close.code === 1000 || r.close.code === 1001 ? 'bulk' : 'ordinary';
      }
      case 'channel': {
        const r = entry.channel!.record;
        if (channelFailed(r)) return 'pinned';
        return r.phase === 'closed' ? 'bulk' : 'pinned';
      }
      case 'attempt': {
        const attempts = entry.channel!.record.attempts;
        if (attempts[attempts.length - 1] === entry.item) return 'pinned';
        return (entry.item as JoinAttempt).status === 'ok' ? 'bulk' : 'ordinary';
      }
      case 'tokenPush': {
        const pushes = entry.channel!.record.tokenPushes;
        const latest = pushes[pushes.length - 1];
        if (latest === entry.item) return 'pinned';
        return latest && latest.value === (entry.item as TokenPush).value ? 'bulk' : 'ordinary';
      }
      case 'systemMessage': {
        const payload = (entry.item as SystemMessage).payload;
        if (isObject(payload) && payload.status === 'ok') return 'bulk';
        const messages = entry.channel!.record.systemMessages;
        return messages[messages.length - 1] === entry.item ? 'pinned' : 'ordinary';
      }
    }
  }

  private attach(record: DecodedFrameRecord, channel: ChannelState): void {
    record.channel = channel.record.key;
    channel.record.frameCount = (channel.record.frameCount ?? 0) + 1;
  }
}

/** Builds the whole session from a list of events (the tracker, fed once). */
export function trackRealtime(events: readonly CapturedEvent[], options?: RealtimeTrackerOptions): RealtimeSession {
  const tracker = new RealtimeTracker(options);
  if (Array.isArray(events)) for (const event of events) tracker.ingest(event);
  return tracker.snapshot();
}

/**
 * Does a new phx_join on this topic retry the latest instance? Only when that instance is errored:
 * an error reply, a phx_error, or a join the client gave up on (Phoenix JS sends phx_leave on a
 * join timeout, then rejoins with a new join_ref, §7). A join while the instance is joining,
 * joined, leaving or closed is another instance (realtime-js needs a new channel after a close).
 */
function isRetry(channel: ChannelState): boolean {
  return channel.record.phase === 'errored';
}

/** A channel whose record explains a failure: an error or timed-out join, a phx_error, a server close after an error. */
function channelFailed(record: ChannelRecord): boolean {
  if (record.errors.length > 0) return true;
  for (const a of record.attempts) if (a.status === 'error' || a.status === 'timed-out') return true;
  return false;
}

function joinKey(topic: string, joinRef: string): string {
  return `${topic}\u0000${joinRef}`;
}

/** Small standalone reference (no cycles between records, so sessions stay JSON-exportable). */
function frameRef(record: DecodedFrameRecord): FrameRef {
  return { seq: record.seq, time: record.time, dir: record.dir };
}

/** Upgrade observations may report ws:// or http:// for the same socket: compare without scheme. */
function urlKey(url: string): string {
  return url.replace(/^(wss?|https?):\/\//i, '').replace(/#.*$/, '');
}

function lastOf<T>(items: readonly T[]): T | undefined {
  return items.length ? items[items.length - 1] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function safeString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

