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
  reply?: ServerReply;
}

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
  close?: { code: number; reason: string; wasClean: boolean; time: number; seq: number };
  errored: boolean;
  /** The socket closed before it ever opened: the upgrade was refused or failed (§3.1). */
  refused: boolean;
  /** What the network layer said about the upgrade, if anything (status or error). */
  upgrade?: { status?: number; error?: string };
  framesSent: number;
  framesReceived: number;
  undecodable: number;
}
