// The one typed message map: every message that crosses a context boundary is listed here
// (ARCHITECTURE.md "One typed message map"). Nothing else may be posted between contexts.
//
//   page hook --(private MessagePort)--> content script --(runtime port)--> service worker
//   service worker --(runtime port)--> panel / popup
//
// Messages from the page are data only: the content script validates and size-caps them and
// never lets them trigger an action.
//
// Every context sends and receives these through one endpoint (src/transport/endpoint.ts), which
// validates each incoming message by its type against src/transport/schemas.ts (a schema per
// direction, kept exhaustive by the typecheck) and checks PROTOCOL_VERSION in one place
// (src/transport/validate.ts). A message that fails is counted and dropped; no receiver casts.

import type { CapturedEvent, CapturedEventBody, EventSource, NetworkObservation } from './core/model';

/**
 * Bumped whenever a message shape changes, so mismatched halves (old panel, new content) notice.
 * Carried by hello, subscribe and every status, by pings and by page batches.
 */
export const PROTOCOL_VERSION = 1;

/** Port names (runtime.connect). */
export const PORT_CONTENT = 'claimscope:content';
export const PORT_PANEL = 'claimscope:panel';

// ---------------------------------------------------------------------------------------------
// page (MAIN world) -> content script (ISOLATED), over the MessagePort handed over at document_start

/** An event as the hook posts it: no stamp yet except its own wall-clock time. */
export type PageEvent = DistributiveOmit<CapturedEventBody, never> & {
  time: number;
  /** Binary frames travel as a copied ArrayBuffer; the content script turns it into base64. */
  bytes?: ArrayBuffer;
};

export interface PageBatch {
  v: number;
  type: 'batch';
  events: PageEvent[];
}
export type PageToContent = PageBatch;

// ---------------------------------------------------------------------------------------------
// content script <-> service worker (port PORT_CONTENT, one per document/frame)

export interface StoreStats {
  /** Events currently held. */
  events: number;
  /** Approximate bytes currently held. */
  bytes: number;
  droppedEvents: number;
  droppedBytes: number;
  truncatedFrames: number;
  /** Non-Realtime WebSockets the page opened (counted, not recorded). */
  otherSockets: number;
  /** Page messages that failed validation. */
  rejected: number;
  /**
   * The seq of the latest event this store recorded (stored, whether still held or evicted). A
   * panel that holds no event at some seq at or below it never received that event: it was evicted
   * before it could be sent, or lost with a post that failed (issue 10 item 3).
   */
  lastSeq?: number;
  /** The latest seq when the user last pressed Clear: events up to it were cleared, not lost. */
  clearedThrough?: number;
  /** Of `droppedEvents`: events the page hook reported lost before they reached the store (its queue was full, a post failed). */
  hookDropped?: number;
  /** Posts to the service worker that failed (the store reconnects and the panel gets a new snapshot). */
  postFailures?: number;
}

/**
 * Whether a document's MAIN-world hook started, as its content script saw it: 'connected' once the
 * hook handed over its private port; 'missing' when no hand-over came by DOMContentLoaded and
 * HOOK_GRACE_MS after document_start (src/content/hook-watch.ts). A 'missing' document captures
 * nothing from the page (no frames, no HTTP calls); only the background's webRequest
 * observations reach its store. A late hand-over turns 'missing' into 'connected'.
 */
export type HookState = 'connected' | 'missing';

export interface DocumentInfo {
  docId: string;
  url: string;
  isTop: boolean;
  /** Wall-clock ms when the document's content script started (document_start). */
  startedAt: number;
  /** Absent while undecided (the first second of the document, at most until DOMContentLoaded). */
  hook?: HookState;
  /**
   * Forgeries detected in this document (issue 10 item 5): events the page dispatched itself on a
   * socket or for the lifecycle, a hand-over after the hook's grace period. Absent: none seen.
   */
  tampered?: number;
}

export interface StoreSnapshot {
  doc: DocumentInfo;
  events: CapturedEvent[];
  stats: StoreStats;
}

export type ContentToBackground =
  | { type: 'hello'; v: number; doc: DocumentInfo }
  /** The document's info changed after hello (today: its hook state was decided or changed). */
  | { type: 'document'; doc: DocumentInfo }
  | { type: 'events'; docId: string; events: CapturedEvent[]; stats: StoreStats }
  /**
   * A snapshot travels in parts under the message byte budget (src/transport/chunk.ts), in seq
   * order: every part but the last has `more: true`. The router relays each part to the asking panel.
   */
  | { type: 'snapshot'; requestId: string; snapshot: StoreSnapshot; more?: boolean }
  /**
   * Small, throttled: feeds the action badge without streaming every frame. `exposures`: distinct
   * sb_secret_ / service_role keys the document's page used (src/content/evidence.ts).
   */
  | { type: 'summary'; docId: string; realtimeSockets: number; serverErrors: number; exposures: number };

export type BackgroundToContent =
  /** Stream live events while at least one panel or popup listens to this tab. */
  | { type: 'stream'; on: boolean }
  | { type: 'snapshot-request'; requestId: string }
  | { type: 'clear' }
  /** Events the background observed itself (webRequest) for the store of record, with their times. */
  | { type: 'network-events'; events: NetworkObservation[]; source: EventSource; times: number[] };

// ---------------------------------------------------------------------------------------------
// panel / popup <-> service worker (port PORT_PANEL)

export type PanelToBackground =
  | { type: 'subscribe'; v: number; tabId: number }
  | { type: 'clear'; tabId: number }
  /** Reload the inspected tab so the hook is present from the first frame. */
  | { type: 'reload-and-capture'; tabId: number };

export type CaptureStatus =
  /** A content script of this tab answered: capture is on. */
  | 'capturing'
  /** No content script: the tab was opened before the extension was installed or updated. */
  | 'not-capturing'
  /** Pages where extensions cannot run (chrome://, the web store). */
  | 'restricted';

export type BackgroundToPanel =
  | {
      type: 'status';
      v: number;
      tabId: number;
      status: CaptureStatus;
      url?: string;
      /**
       * The top document's hook state, when its content script is connected and has decided.
       * 'missing' with status 'capturing' means: the content script runs but the page hook does
       * not, so nothing of the page is captured (show it; never just "Capturing").
       */
      hook?: HookState;
      /**
       * Every document of the tab whose content script is connected now (top and iframes), with
       * its hook state. Sent again whenever a document says hello or its hook state changes.
       */
      documents?: DocumentInfo[];
    }
  | { type: 'snapshot'; snapshot: StoreSnapshot }
  | { type: 'events'; docId: string; events: CapturedEvent[]; stats: StoreStats }
  /** The inspected tab started loading a new document (preserve-log boundary). */
  | { type: 'navigated'; tabId: number; url: string }
  /** Protocol mismatch or other problem the user must act on. */
  | { type: 'problem'; message: string };

// ---------------------------------------------------------------------------------------------

/** `Omit` that distributes over a union (plain `Omit` collapses discriminated unions). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Hard caps on what the page may post (validated in the content script). */
export const PAGE_LIMITS = {
  /** Events per batch; a longer batch is cut and the rest counted as rejected. */
  maxEventsPerBatch: 5_000,
  /** Frames larger than this are kept as a preview with their full size. */
  maxFrameBytes: 256 * 1024,
  /** What is kept of a frame over maxFrameBytes: enough to read its topic, event and refs. */
  framePreviewBytes: 16 * 1024,
  maxUrlLength: 8_192,
  maxHeaderLength: 16_384,
  maxErrorBody: 4_096,
  maxReasonLength: 1_024,
} as const;

/** Store bounds (ARCHITECTURE.md "Store of record"). */
export const STORE_LIMITS = {
  maxEvents: 20_000,
  maxBytes: 32 * 1024 * 1024,
  /** The panel's own copy ("preserve log"): by count, and by approximate payload bytes. */
  panelMaxEvents: 200_000,
  panelMaxBytes: 64 * 1024 * 1024,
} as const;

// ---------------------------------------------------------------------------------------------
// service worker -> every content script of a tab (runtime.sendMessage to the tab, not a port):
// "are you there?" — answered by documents whose content script runs; it also makes a content
// script whose port was dropped (service worker restart) connect again.

export interface ContentPing {
  type: 'claimscope:ping';
  v: number;
}
export interface ContentPong {
  type: 'claimscope:pong';
  docId: string;
  url: string;
}
