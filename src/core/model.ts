// The captured-event model: what the page hook, the background and the DevTools network reader
// record, and what the store keeps, the panel shows, exports carry and the engine analyses.
// Pure data, JSON-safe (binary payloads travel as base64), no browser types.
//
// Every event is a fact observed at one moment. Interpretation (Realtime decoding, tokens,
// findings) happens later in src/core, never at capture time (ARCHITECTURE.md "page hook is tiny").

/** Where an event was observed. */
export type EventSource =
  | 'page' // the MAIN-world hook (src/page)
  | 'network' // the background's webRequest observer
  | 'devtools'; // chrome.devtools.network (e.g. sockets opened by workers)

export type FrameDirection = 'sent' | 'received';

/** Fields every captured event carries. Filled in by the content script when it stores the event. */
export interface EventStamp {
  /** Store-assigned sequence number, unique and increasing within one document. */
  seq: number;
  /** Wall-clock time of the observation in the page, ms since epoch (`Date.now()`). */
  time: number;
  /** Identifies the document (page load / frame) that produced the event. */
  docId: string;
  /** URL of the frame (top or iframe) that produced the event. */
  frameUrl?: string;
  source: EventSource;
}

/** A page-unique connection id, e.g. `"d3f2:1"` (docId-prefixed so iframes do not collide). */
export type ConnectionId = string;

export interface SocketOpening {
  kind: 'ws-connecting';
  conn: ConnectionId;
  url: string;
  protocols: string[];
  /** Set when the page's URL was longer than PAGE_LIMITS.maxUrlLength: its full length; `url` is its start. */
  urlLength?: number;
}
export interface SocketOpened {
  kind: 'ws-open';
  conn: ConnectionId;
  protocol: string;
  extensions: string;
}
export interface SocketFrame {
  kind: 'ws-frame';
  conn: ConnectionId;
  dir: FrameDirection;
  opcode: 'text' | 'binary';
  /** Text frames: the text, possibly cut to a preview (see `truncated`). */
  text?: string;
  /** Binary frames: the bytes as base64, possibly cut to a preview (see `truncated`). */
  base64?: string;
  /** Full size in bytes (UTF-8 bytes for text) before any preview cut. */
  size: number;
  /** True when only a preview of the payload was kept (large frame or eviction). */
  truncated?: boolean;
}
export interface SocketClosed {
  kind: 'ws-close';
  conn: ConnectionId;
  code: number;
  reason: string;
  wasClean: boolean;
  /** Who initiated the close when the hook knows it (page called `close()`). */
  initiator?: 'page' | 'remote';
}
export interface SocketErrored {
  kind: 'ws-error';
  conn: ConnectionId;
}

/** Selected request headers. Only these are ever recorded. */
export interface CapturedRequestHeaders {
  authorization?: string;
  apikey?: string;
  /** supabase-js's client identification (`supabase-js/2.119.1; platform=browser`): which client, which version. */
  'x-client-info'?: string;
}

export interface HttpRequest {
  kind: 'http-request';
  /** Page-unique request id, pairs with the response. */
  req: string;
  method: string;
  url: string;
  /** Set when the page's URL was longer than PAGE_LIMITS.maxUrlLength: its full length; `url` is its start. */
  urlLength?: number;
  headers: CapturedRequestHeaders;
  /** 'fetch' | 'xhr' from the hook; 'network' for background-only observations. */
  api: 'fetch' | 'xhr' | 'network';
}

/** The only parts of a `/auth/v1/token` response body the hook keeps (never refresh tokens). */
export interface TokenGrant {
  access_token?: string;
  expires_at?: number;
  expires_in?: number;
}

export interface HttpResponse {
  kind: 'http-response';
  req: string;
  status: number;
  /** `Date` response header when visible (background adds it for cross-origin responses). */
  date?: string;
  grant?: TokenGrant;
  /** JSON error body of failed /auth/v1 and /realtime/v1/api calls, capped at 4 KB. */
  errorBody?: string;
  /** Network failure (fetch rejected / XHR error), with the browser's message. */
  networkError?: string;
}

/**
 * What the browser's network layer reported (background `webRequest`). For WebSocket upgrades
 * this is the only place a status could appear; Chromium reports a refused upgrade only as an
 * error (`net::ERR_FAILED`) with no status, and the panel must say so rather than invent one.
 */
export interface NetworkObservation {
  kind: 'net';
  url: string;
  resourceType: 'websocket' | 'xhr' | 'fetch' | 'other';
  method: string;
  status?: number;
  date?: string;
  error?: string;
}

export type LifecycleChange =
  | 'hidden'
  | 'visible'
  | 'freeze'
  | 'resume'
  | 'online'
  | 'offline'
  /** Wall clock moved against the monotonic clock (sleep, or a manual clock change). */
  | 'clock-jump'
  /**
   * The document is going away (navigation, reload, tab closed) or into the back/forward cache
   * (`persisted: true`). Recorded by the content script as the document's last event: its
   * sockets are gone with it (persisted: false), so connections still open are closed by unload.
   */
  | 'pagehide'
  /** Back from the back/forward cache (`persisted: true`); only recorded for a restore. */
  | 'pageshow';

export interface PageLifecycle {
  kind: 'lifecycle';
  change: LifecycleChange;
  /** For 'clock-jump': wall-clock minus monotonic drift since the last check, ms. */
  jumpMs?: number;
  /** For 'pagehide' / 'pageshow': the page enters / leaves the back/forward cache. */
  persisted?: boolean;
}

/** Sockets that are not Realtime-shaped are counted, not recorded. */
export interface OtherSocketsCounted {
  kind: 'other-sockets';
  count: number;
}

/** The store (or a transport) had to drop or shorten events: drops are shown, never silent. */
export interface CaptureDrops {
  kind: 'drops';
  droppedEvents: number;
  droppedBytes: number;
  truncatedFrames: number;
  reason: string;
}

/** A message from the page that failed validation: kept as evidence, never acted upon. */
export interface RejectedInput {
  kind: 'rejected';
  reason: string;
}

export type CapturedEventBody =
  | SocketOpening
  | SocketOpened
  | SocketFrame
  | SocketClosed
  | SocketErrored
  | HttpRequest
  | HttpResponse
  | NetworkObservation
  | PageLifecycle
  | OtherSocketsCounted
  | CaptureDrops
  | RejectedInput;

export type CapturedEvent = CapturedEventBody & EventStamp;
export type CapturedEventKind = CapturedEvent['kind'];

/** Realtime-shaped WebSocket URL paths (realtime-facts §1.1). */
export const REALTIME_SOCKET_PATHS = ['/realtime/v1/websocket', '/socket/websocket'] as const;

/** Supabase HTTP path prefixes recorded on any host (custom domains and localhost:54321 included). */
export const SUPABASE_HTTP_PATHS = [
  '/auth/v1/',
  '/rest/v1/',
  '/graphql/v1/',
  '/realtime/v1/',
  '/storage/v1/',
  '/functions/v1/',
] as const;

export function isRealtimeSocketUrl(url: string): boolean {
  const path = pathOf(url);
  return REALTIME_SOCKET_PATHS.some((p) => path.endsWith(p));
}

export function isSupabaseHttpUrl(url: string): boolean {
  const path = pathOf(url);
  return SUPABASE_HTTP_PATHS.some((p) => path.includes(p));
}

/** The path of a URL (absolute or not), without query or fragment; '/' for a bare origin. */
export function pathOf(url: string): string {
  const q = url.search(/[?#]/);
  const noQuery = q === -1 ? url : url.slice(0, q);
  const scheme = noQuery.indexOf('://');
  if (scheme === -1) return noQuery;
  const slash = noQuery.indexOf('/', scheme + 3);
  return slash === -1 ? '/' : noQuery.slice(slash);
}
