// The ISOLATED-world content script: the document's store of record (ARCHITECTURE.md).
//   page hook --(private MessagePort)--> here: validate, stamp, keep in the bounded EventBuffer
//   here <--(runtime port PORT_CONTENT)--> service worker: hello, live events while a panel
//   listens, snapshots on request, badge summaries, network events from webRequest.
// The store lives as long as the document, so a stopped service worker loses nothing: this script
// connects again when it has something to say or when the service worker pings it.

import browser, { type Runtime } from 'webextension-polyfill';
import type { CapturedEvent } from '../core/model';
import { EventBuffer } from '../core/session/buffer';
import {
  PORT_CONTENT,
  PROTOCOL_VERSION,
  type BackgroundToContent,
  type ContentPing,
  type ContentPong,
  type ContentToBackground,
  type DocumentInfo,
} from '../messages';
import { HANDOVER_KEY } from '../page/handover';
import { NetworkCorrelator } from './correlate';
import { HOOK_GRACE_MS, HookWatch } from './hook-watch';
import { isRealtimeSocketOpening, isServerAuthError } from './evidence';
import { validatePageBatch } from './validate';

/** Rejected page events stored as evidence; beyond this they are only counted. */
const MAX_STORED_REJECTIONS = 50;
const STREAM_FLUSH_MS = 50;
const STREAM_FLUSH_AT = 500;
const SUMMARY_MS = 500;

const startedAt = Date.now();
const docId = randomId();
const isTop = (() => {
  try {
    return window.top === window;
  } catch {
    return false;
  }
})();
const doc: DocumentInfo = { docId, url: location.href, isTop, startedAt };
const buffer = new EventBuffer(docId, location.href);
const correlator = new NetworkCorrelator();

let storedRejections = 0;
let pagePort: MessagePort | undefined;
let bgPort: Runtime.Port | undefined;
let streaming = false;
let streamQueue: CapturedEvent[] = [];
let streamTimer: ReturnType<typeof setTimeout> | undefined;
let serverErrors = 0;
let realtimeSockets = 0;
let summarySent = '';
let summaryTimer: ReturnType<typeof setTimeout> | undefined;
let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
let contextGone = false;

// ---- did the hook start? (the panel must not say "Capturing" when it did not) ------------------
const hookWatch = new HookWatch((state) => {
  doc.hook = state;
  // Only over an open port: a later hello carries the state anyway, and this alone is no reason
  // to wake the service worker.
  post({ type: 'document', doc: { ...doc } });
});
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => hookWatch.documentParsed(), { once: true });
else hookWatch.documentParsed();
setTimeout(() => hookWatch.graceElapsed(), Math.max(0, startedAt + HOOK_GRACE_MS - Date.now()));

// ---- the hand-over: runs before any page script (ISOLATED is listed first in the manifest) -------
// The listener stays for the document's life: one port is accepted, and every later hand-over (a
// second hook in the same window, or a page imitating one) is swallowed and its port closed, so
// no hand-over ever reaches the page's own listeners and nothing is recorded twice. This is the
// hook's idempotence: the hook itself leaves no marker on the page's global.
function onHandover(e: MessageEvent): void {
  const data: unknown = e.data;
  if (e.source !== window || !data || typeof data !== 'object' || !(HANDOVER_KEY in data)) return;
  // Page listeners registered later never see the hand-over (capture phase, first listener).
  e.stopImmediatePropagation();
  // A page script can dispatch a synthetic MessageEvent synchronously, ahead of the hook's queued
  // postMessage: only a real postMessage (isTrusted) can carry the hook's port.
  if (pagePort || !e.isTrusted || e.ports.length !== 1) {
    for (const extra of e.ports) extra.close();
    return;
  }
  pagePort = e.ports[0];
  pagePort.onmessage = (m) => ingest(m.data);
  hookWatch.handedOver();
}
window.addEventListener('message', onHandover, true);

function ingest(data: unknown): void {
  const { accepted, rejected } = validatePageBatch(data, docId);
  for (const { body, time } of accepted) store(buffer.add(body, { time, source: 'page' }));
  for (const reason of rejected) {
    if (storedRejections++ < MAX_STORED_REJECTIONS) store(buffer.add({ kind: 'rejected', reason }, { time: Date.now(), source: 'page' }));
    else buffer.countRejected();
  }
}

function store(ev: CapturedEvent): void {
  if (ev.source === 'page') correlator.notePageEvent(ev);
  if (isServerAuthError(ev)) serverErrors++;
  if (isRealtimeSocketOpening(ev)) realtimeSockets++;
  if (serverErrors || realtimeSockets) scheduleSummary();
  if (!streaming) return;
  streamQueue.push(ev);
  if (streamQueue.length >= STREAM_FLUSH_AT) flushStream();
  else streamTimer ??= setTimeout(flushStream, STREAM_FLUSH_MS);
}

function flushStream(): void {
  if (streamTimer !== undefined) clearTimeout(streamTimer);
  streamTimer = undefined;
  if (!streamQueue.length) return;
  const events = streamQueue;
  streamQueue = [];
  post({ type: 'events', docId, events, stats: buffer.stats() });
}

function scheduleSummary(): void {
  summaryTimer ??= setTimeout(() => {
    summaryTimer = undefined;
    const key = `${realtimeSockets}/${serverErrors}`;
    if (key === summarySent) return;
    summarySent = key;
    // A summary is worth waking the service worker for: it feeds the badge.
    post({ type: 'summary', docId, realtimeSockets, serverErrors }, true);
  }, SUMMARY_MS);
}

// ---- the runtime port to the service worker ----------------------------------------------------
function connect(): void {
  if (bgPort || contextGone) return;
  try {
    if (!browser.runtime?.id) throw new Error('extension context invalidated');
    const port = browser.runtime.connect({ name: PORT_CONTENT });
    bgPort = port;
    port.onMessage.addListener((msg: unknown) => onBackground(msg as BackgroundToContent));
    port.onDisconnect.addListener(() => {
      bgPort = undefined;
      const wasStreaming = streaming;
      streaming = false;
      streamQueue = [];
      // A panel was listening: it will resubscribe to the restarted service worker, so be there.
      // Otherwise stay disconnected until there is something to say (no wake-up loop).
      if (wasStreaming) scheduleReconnect();
    });
    port.postMessage({ type: 'hello', v: PROTOCOL_VERSION, doc } satisfies ContentToBackground);
    summarySent = '';
    if (serverErrors || realtimeSockets) scheduleSummary();
  } catch {
    // The extension was reloaded or removed: this document's capture is over.
    bgPort = undefined;
    contextGone = true;
  }
}

function scheduleReconnect(): void {
  reconnectTimer ??= setTimeout(() => {
    reconnectTimer = undefined;
    connect();
  }, 100);
}

function post(msg: ContentToBackground, wake = false): void {
  if (!bgPort && wake) connect();
  if (!bgPort) return;
  try {
    bgPort.postMessage(msg);
  } catch {
    bgPort = undefined;
  }
}

function onBackground(msg: BackgroundToContent): void {
  switch (msg?.type) {
    case 'stream':
      streaming = msg.on;
      if (!streaming) streamQueue = [];
      break;
    case 'snapshot-request':
      // Everything queued for the stream is in the snapshot: do not send it twice.
      streamQueue = [];
      post({ type: 'snapshot', requestId: msg.requestId, snapshot: { doc, events: buffer.events(), stats: buffer.stats() } });
      break;
    case 'clear':
      buffer.clear();
      correlator.clear();
      streamQueue = [];
      serverErrors = 0;
      realtimeSockets = 0;
      storedRejections = 0;
      scheduleSummary();
      break;
    case 'network-events':
      msg.events.forEach((body, i) => {
        const paired = body.kind === 'net' ? correlator.pair(body) : body;
        store(buffer.add(paired, { time: msg.times[i] ?? Date.now(), source: msg.source }));
      });
      break;
    default:
      break;
  }
}

// The service worker asks "are you there?" to tell capturing tabs from tabs opened before install,
// and to bring back ports dropped when it was stopped.
browser.runtime.onMessage.addListener((msg: unknown): Promise<ContentPong> | undefined => {
  const ping = msg as ContentPing;
  if (ping?.type !== 'claimscope:ping') return undefined;
  connect();
  return Promise.resolve({ type: 'claimscope:pong', docId, url: location.href });
});

// The document goes away (or into the back/forward cache): its sockets go with it. Recorded as the
// document's last event and pushed out at once, so a listening panel can close this document's
// connections ("closed: page unloaded") instead of showing them open forever. No panel listening:
// the fact stays in the store, which dies with the document unless it is only cached.
window.addEventListener('pagehide', (e) => {
  try {
    store(buffer.add({ kind: 'lifecycle', change: 'pagehide', persisted: e.persisted }, { time: Date.now(), source: 'page' }));
    flushStream();
  } catch {
    // The extension context may already be gone; the document is leaving either way.
  }
});

// Back from the back/forward cache: the browser dropped our port while the page was frozen.
window.addEventListener('pageshow', (e) => {
  if (!e.persisted) return;
  store(buffer.add({ kind: 'lifecycle', change: 'pageshow', persisted: true }, { time: Date.now(), source: 'page' }));
  connect();
});

connect();

function randomId(): string {
  const a = new Uint8Array(6);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}
