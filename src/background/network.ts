// What the page cannot see, from the browser's network layer (webRequest): the status and `Date`
// header of Supabase responses (a cross-origin page cannot read `Date`) and of WebSocket upgrades
// (page JavaScript never sees a refused upgrade's status). Chromium reports a refused upgrade only
// as onErrorOccurred "net::ERR_FAILED" without a status (toolchain.md spike, re-measured by
// e2e/capture-smoke.spec.ts): the event carries the error, never an invented status.

import { isRealtimeSocketUrl, isSupabaseHttpUrl, type NetworkObservation } from '../core/model';
import { scrubUrl } from '../core/url-secrets';

/**
 * Match patterns narrow the listener to Supabase-shaped paths so ordinary browsing never wakes
 * the service worker. `*` in a path matches any characters, so gateways mounted under a prefix
 * (`/supabase/auth/v1/...`) are covered; the URL is checked exactly in JS afterwards.
 */
export const SUPABASE_URL_PATTERNS: string[] = [
  ...['auth', 'rest', 'graphql', 'realtime', 'storage', 'functions'].flatMap((p) => [`*://*/${p}/v1/*`, `*://*/*/${p}/v1/*`]),
  '*://*/socket/websocket*',
  '*://*/*/socket/websocket*',
];

/** The subset of webRequest details this module reads (same shape in Chromium and Firefox). */
export interface RequestDetails {
  url: string;
  method: string;
  type: string;
  tabId: number;
  frameId: number;
  timeStamp: number;
  statusCode?: number;
  responseHeaders?: { name: string; value?: string }[];
  error?: string;
}

export function isObservedUrl(url: string): boolean {
  return isSupabaseHttpUrl(url) || isRealtimeSocketUrl(url);
}

function resourceType(type: string): NetworkObservation['resourceType'] {
  if (type === 'websocket') return 'websocket';
  if (type === 'xmlhttprequest') return 'xhr'; // Chromium and Firefox report fetch() as xmlhttprequest too
  return 'other';
}

/** onHeadersReceived → a `net` observation with the status and the `Date` header. */
export function observationFromHeaders(d: RequestDetails): NetworkObservation | undefined {
  if (!isObservedUrl(d.url)) return undefined;
  const date = d.responseHeaders?.find((h) => h.name.toLowerCase() === 'date')?.value;
  return {
    kind: 'net',
    // Scrubbed as the hook's URLs are (issue 10 item 4): an upgrade still pairs with its socket.
    url: scrubUrl(d.url),
    resourceType: resourceType(d.type),
    method: d.method,
    ...(d.statusCode !== undefined ? { status: d.statusCode } : {}),
    ...(date ? { date } : {}),
  };
}

/** onErrorOccurred → a `net` observation with the browser's error text and no status. */
export function observationFromError(d: RequestDetails): NetworkObservation | undefined {
  if (!isObservedUrl(d.url)) return undefined;
  return { kind: 'net', url: scrubUrl(d.url), resourceType: resourceType(d.type), method: d.method, error: d.error ?? 'unknown network error' };
}
