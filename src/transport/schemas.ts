// The per-kind validators of the message map (src/messages.ts), one schema per direction. A field
// is checked by what its receiver reads; captured events are checked as events (an object with
// kind, docId, seq and time), not deeply: deep validation of page data happens once, where it
// enters (src/content/validate.ts), and the panel's session checks events again as it ingests them.

import type {
  BackgroundToContent,
  BackgroundToPanel,
  ContentPing,
  ContentPong,
  ContentToBackground,
  PageToContent,
  PanelToBackground,
} from '../messages';
import { VERSION, arrayOf, arrayUpTo, boolean, count, finite, integer, literal, oneOf, optional, record, string, type Check, type MessageSchema } from './validate';

const hookState = oneOf('connected', 'missing');

const documentInfo: Check = record({ docId: string, url: string, isTop: boolean, startedAt: finite, hook: optional(hookState), tampered: optional(count) });

const storeStats: Check = record({
  events: count,
  bytes: count,
  droppedEvents: count,
  droppedBytes: count,
  truncatedFrames: count,
  otherSockets: count,
  rejected: count,
  lastSeq: optional(count),
  clearedThrough: optional(count),
  hookDropped: optional(count),
  postFailures: optional(count),
});

/** A stored event: its stamp and kind. The kind-specific fields are the session's to check. */
const capturedEvent: Check = record({ kind: string, docId: string, seq: integer, time: finite });
const capturedEvents = arrayOf(capturedEvent);

const storeSnapshot: Check = record({ doc: documentInfo, events: capturedEvents, stats: storeStats });

/** What webRequest observed (NetworkObservation): every field the content store reads to pair and store it. */
const networkObservation: Check = record({
  kind: literal('net'),
  url: string,
  resourceType: oneOf('websocket', 'xhr', 'fetch', 'other'),
  method: string,
  status: optional(integer),
  date: optional(string),
  error: optional(string),
  req: optional(string),
  conn: optional(string),
});

/** Received by the service worker from a document's content script (port PORT_CONTENT). */
export const CONTENT_TO_BACKGROUND: MessageSchema<ContentToBackground> = {
  hello: { v: VERSION, doc: documentInfo },
  document: { doc: documentInfo },
  events: { docId: string, events: capturedEvents, stats: storeStats },
  snapshot: { requestId: string, snapshot: storeSnapshot, more: optional(boolean) },
  summary: { docId: string, realtimeSockets: count, serverErrors: count, exposures: count },
};

/** Received by a document's content script from the service worker (port PORT_CONTENT). */
export const BACKGROUND_TO_CONTENT: MessageSchema<BackgroundToContent> = {
  stream: { on: boolean },
  'snapshot-request': { requestId: string },
  clear: {},
  'network-events': { events: arrayOf(networkObservation), source: oneOf('page', 'network', 'devtools'), times: arrayOf(finite) },
};

/** Received by the service worker from a panel or the popup (port PORT_PANEL). */
export const PANEL_TO_BACKGROUND: MessageSchema<PanelToBackground> = {
  subscribe: { v: VERSION, tabId: integer },
  clear: { tabId: integer },
  'reload-and-capture': { tabId: integer },
};

/** Received by a panel or the popup from the service worker (port PORT_PANEL). */
export const BACKGROUND_TO_PANEL: MessageSchema<BackgroundToPanel> = {
  status: {
    v: VERSION,
    tabId: integer,
    status: oneOf('capturing', 'not-capturing', 'restricted'),
    url: optional(string),
    hook: optional(hookState),
    documents: optional(arrayOf(documentInfo)),
  },
  snapshot: { snapshot: storeSnapshot },
  events: { docId: string, events: capturedEvents, stats: storeStats },
  navigated: { tabId: integer, url: string },
  problem: { message: string },
};

/** The service worker's "are you there?" to every content script of a tab (runtime.sendMessage). */
export const CONTENT_PING: MessageSchema<ContentPing> = {
  'claimscope:ping': { v: VERSION },
};
export const CONTENT_PONG: MessageSchema<ContentPong> = {
  'claimscope:pong': { docId: string, url: string },
};

/**
 * The page hook's batches (private MessagePort): only the envelope. Each event is validated and
 * rebuilt by src/content/validate.ts, which reports per event.
 */
export const PAGE_TO_CONTENT: MessageSchema<PageToContent> = {
  // Any length passes here without being iterated: validatePageBatch validates the first
  // PAGE_LIMITS.maxEventsPerBatch and counts the rest as rejected by their number alone.
  batch: { v: VERSION, events: arrayUpTo(2 ** 32) },
};
