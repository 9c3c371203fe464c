// What the socket URL tells about a Realtime connection (realtime-facts §1.1): the serializer
// version (`vsn`) and the `apikey` the server verifies at connect (§2.1). Captured URLs can be
// anything a page passed to `new WebSocket`, so these never throw.

import type { Vsn } from './types';

/**
 * Query parameters in order, decoded the way the server's query parser (Plug) decodes them:
 * `+` is a space, percent-escapes are decoded; a malformed escape is kept as written.
 */
export function queryParams(url: string): Array<[string, string]> {
  if (typeof url !== 'string') return [];
  const q = url.indexOf('?');
  if (q === -1) return [];
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash === -1 ? undefined : hash);
  const params: Array<[string, string]> = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? '' : part.slice(eq + 1);
    params.push([formDecode(name), formDecode(value)]);
  }
  return params;
}

function formDecode(raw: string): string {
  const spaced = raw.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    // A lone "%" or a broken UTF-8 escape: keep the text as written rather than lose it.
    return spaced;
  }
}

/** The last value of a query parameter (Plug keeps the last of repeated keys). */
function lastParam(url: string, name: string): string | undefined {
  let found: string | undefined;
  for (const [key, value] of queryParams(url)) if (key === name) found = value;
  return found;
}

/**
 * Serializer version of a socket URL. Absent `vsn` means 1.0.0 (§1.1); the server matches
 * `"~> 2.0.0"` for V2, so any 2.x value is V2 and everything else falls back to V1.
 */
export function vsnFromUrl(url: string): Vsn {
  const vsn = lastParam(url, 'vsn');
  return vsn !== undefined && /^\s*2\./.test(vsn) ? '2.0.0' : '1.0.0';
}

/** The raw `vsn` query value as written (undefined when absent), for display. */
export function vsnParamFromUrl(url: string): string | undefined {
  return lastParam(url, 'vsn');
}

/** The `apikey` query value, URL-decoded (§2.1: the only token that travels in the URL). */
export function apikeyFromUrl(url: string): string | undefined {
  return lastParam(url, 'apikey');
}
