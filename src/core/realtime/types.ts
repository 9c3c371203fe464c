// Decoded Realtime (Phoenix) traffic: the contract between the frame decoder / channel tracker
// (src/core/realtime) and its consumers (the claims engine, the panel, the CLI).

import type { ConnectionId, FrameDirection } from '../model';

/** Serializer version, from the socket URL's `vsn` (absent means 1.0.0, realtime-facts §1.1). */
export type Vsn = '1.0.0' | '2.0.0';

/** A Phoenix message, whatever wire format it came in. */
export interface PhoenixMessage {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

export type WireFormat = 'v1-json' | 'v2-json' | 'v2-binary';

/**
 * Raw bytes inside a decoded binary frame (kinds 0-2 data, kinds 3/4 with payload_encoding 0),
 * kept JSON-safe as base64.
 */
export interface BinaryPayload {
  binary: true;
  byteLength: number;
  base64: string;
}

/** Binary kinds of the V2 serializer (realtime-facts §1.4). */
export type BinaryKind = 0 | 1 | 2 | 3 | 4;

export type DecodedFrame =
  | {
      ok: true;
      format: WireFormat;
      message: PhoenixMessage;
      /** Binary frames only. */
      binaryKind?: BinaryKind;
      /** Kinds 3/4: the user event name and how the user payload was encoded. */
      userEvent?: string;
      payloadEncoding?: 'json' | 'binary';
      /** Kinds 3/4: parsed metadata JSON (empty object when absent). */
      metadata?: unknown;
      /**
       * Decoded, but with something worth saying in plain words: a V1 object on a V2 socket,
       * elements after the fifth ignored, a user payload that is not JSON, a cut preview...
       */
      notes?: string[];
      /**
       * Only a preview of the frame was captured and the payload (or part of it) is missing:
       * `message.payload` is undefined or cut. Topic, event and refs are exact.
       */
      partial?: boolean;
    }
  | {
      ok: false;
      /** Plain words: why the frame could not be decoded (it is still kept and shown raw). */
      reason: string;
    };

/** Identity of one channel instance: several clients may join the same topic on one socket. */
export interface ChannelKey {
  conn: ConnectionId;
  topic: string;
  /** The join_ref of the `phx_join` that opened this instance (V1 servers never echo it back). */
  joinRef: string | null;
}

export type ChannelPhase = 'joining' | 'joined' | 'errored' | 'closed' | 'leaving';

/** A decoded frame with the capture facts a consumer needs to cite it as evidence. */
export interface FrameRef {
  /** `seq` of the captured ws-frame event. */
  seq: number;
  time: number;
  dir: FrameDirection;
}

export interface ServerReply {
  frame: FrameRef;
  status: 'ok' | 'error' | string;
  response: unknown;
}

/** One `phx_join` push and whatever the server answered. */
export interface JoinAttempt {
  frame: FrameRef;
  ref: string | null;
  joinRef: string | null;
  /** Raw `access_token` / `user_token` values exactly as sent (may be null, "", sb_…, non-string). */
  accessToken: unknown;
  userToken: unknown;
  hasAccessToken: boolean;
  hasUserToken: boolean;
  private: boolean;
  /** Postgres Changes bindings in `config.postgres_changes` (0 when none): RLS runs as the token's user. */
  postgresChanges: number;
  /** The join payload's `version` (`"realtime-js/<ver>"`, §2.2: sent once setAuth has changed the token). */
  clientVersion?: string;
  reply?: ServerReply;
  /**
   * What became of this attempt. 'timed-out': the client gave up before any reply (it sent
   * `phx_leave` or joined again — realtime-js TIMED_OUT after 10 s, §7); 'connection-closed':
   * the socket closed first. Always set by the tracker.
   */
  status?: JoinAttemptStatus;
  /** 'timed-out': the frame that showed the client gave up (its phx_leave, or the next join). */
  abandonedBy?: FrameRef;
  /** 'timed-out': whether the socket's heartbeats were answered while the join waited (the cause of the silence). */
  heartbeatsWhileWaiting?: 'answered' | 'unanswered' | 'none';
}

export type JoinAttemptStatus = 'awaiting-reply' | 'ok' | 'error' | 'timed-out' | 'connection-closed';

/** An `access_token` push on a joined channel (realtime-facts §2.3: never answered on success). */
export interface TokenPush {
  frame: FrameRef;
  value: unknown;
}

/** A `system` message on the channel (§3.3), e.g. a token-expiry shutdown or postgres_changes status. */
export interface SystemMessage {
  frame: FrameRef;
  payload: unknown;
}

export interface ChannelRecord {
  key: ChannelKey;
  phase: ChannelPhase;
  attempts: JoinAttempt[];
  tokenPushes: TokenPush[];
  systemMessages: SystemMessage[];
  /** `phx_close` received from the server. */
  closedBy?: FrameRef;
  /** `phx_error` received from the server (channel process crashed, §3.4). */
  errors: FrameRef[];
  /** `phx_leave` sent by the client. */
  leftBy?: FrameRef;
  /** No `phx_join` was captured for this channel: it was seen only through other frames. */
  inferred?: boolean;
  /** Frames attributed to this channel instance. */
  frameCount?: number;
}

export interface ConnectionRecord {
  conn: ConnectionId;
  url: string;
  vsn: Vsn;
  /** Raw `apikey` query value (URL-decoded), if any. */
  apikey?: string;
  openedAt?: number;
  /** Time the page created the socket. */
  createdAt: number;
  close?: {
    code: number;
    reason: string;
    wasClean: boolean;
    time: number;
    seq: number;
    /** 'page' when the page had called close() (Phoenix's heartbeat timeout, disconnect()), as the hook saw it. */
    initiator?: 'page' | 'remote';
  };
  errored: boolean;
  /** The socket closed before it ever opened: the upgrade was refused or failed (§3.1). */
  refused: boolean;
  /** What the network layer said about the upgrade, if anything (status or error). */
  upgrade?: { status?: number; error?: string };
  framesSent: number;
  framesReceived: number;
  undecodable: number;
  /** No `ws-connecting` was captured: the record was made from later events; url may be ''. */
  inferred?: boolean;
  /** Heartbeats (`phoenix` topic, §2.4): sent, and answered by a `phx_reply`. */
  heartbeatsSent?: number;
  heartbeatsAnswered?: number;
  lastHeartbeatReply?: FrameRef;
  /** The latest heartbeat sent (answered or not): a close for "heartbeat timeout" follows one left unanswered. */
  lastHeartbeatSent?: FrameRef;
}

/** Whether a sent push is due a reply (realtime-facts §2.3, §3.5). */
export type ReplyPolicy =
  /** phx_join, phx_leave, heartbeat, presence, broadcast on a channel joined with `ack: true`. */
  | 'expected'
  /** access_token (never answered on success), broadcast without `ack`: silence is normal. */
  | 'never'
  /** Anything else: a reply may or may not come. */
  | 'optional';

/** One captured ws-frame event with its decoded form. References the event by `seq`. */
export interface DecodedFrameRecord extends FrameRef {
  conn: ConnectionId;
  opcode: 'text' | 'binary';
  /** Full size in bytes as captured (before any preview cut). */
  size: number;
  truncated: boolean;
  decoded: DecodedFrame;
  /** The channel instance this frame belongs to (same object as the ChannelRecord's key). */
  channel?: ChannelKey;
  /** Topic `phoenix` traffic (heartbeats and their replies): belongs to no channel. */
  heartbeat?: boolean;
  /** Sent pushes that carry a ref. */
  replyPolicy?: ReplyPolicy;
  /** Sent pushes: the reply, once received. */
  reply?: FrameRef;
  /** Replies (`phx_reply`, binary kind 1): the push this answers, and its event. */
  replyTo?: FrameRef;
  replyToEvent?: string;
  /** True when the payload was dropped to save memory (tracker option keepBulkPayloads: false). */
  payloadDropped?: boolean;
}

/** A push that expects a reply and has none yet (a join "awaiting reply", a heartbeat...). */
export interface AwaitingReply {
  conn: ConnectionId;
  frame: FrameRef;
  event: string;
  topic: string;
  channel?: ChannelKey;
  /**
   * When realtime-js gives up on it with its default push timeout (10 s, §7: TIMED_OUT for a
   * join). Apps can configure another timeout, so this is the default's moment, not a certainty.
   */
  defaultTimeoutAt: number;
}

/**
 * Everything the tracker knows. Arrays are shared with the tracker (no copies) and keep growing
 * as events are ingested: treat them as read-only, and use `version` to notice changes.
 */
export interface RealtimeSession {
  connections: readonly ConnectionRecord[];
  channels: readonly ChannelRecord[];
  frames: readonly DecodedFrameRecord[];
  awaitingReply: readonly AwaitingReply[];
  /** Frames that did not decode (kept in `frames` with their reason). */
  undecodable: number;
  /** Frame records dropped by the tracker's `maxFrames` bound (0 without one). */
  framesForgotten?: number;
  /** Increases with every ingested event that changed something. */
  version: number;
}
