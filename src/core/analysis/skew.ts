// Clock skew (server − browser, ms) from every source there is: `Date` headers of Supabase
// responses, and the server's "Token has expired N seconds ago" about a token whose exp is known
// (server clock = exp + N when it checked). Unknown when there is no source.

import type { CapturedEvent } from '../model';
import { isSupabaseHttpUrl } from '../model';

export type SkewSource = 'date-header' | 'server-expiry-text';

export interface SkewSample {
  source: SkewSource;
  skewMs: number;
  time: number;
  seq: number;
}

export interface ClockSkew {
  known: boolean;
  /** Median of the samples; null when unknown. */
  skewMs: number | null;
  samples: SkewSample[];
  /** Plain words on where the number comes from. */
  basis: string;
}

/** HTTP `Date` has one-second resolution: on average it reads 500 ms behind the server clock. */
const DATE_TRUNCATION_MS = 500;

/**
 * The skew sample one event gives, if any: a Supabase response's (or network observation's)
 * `Date` header. `requests`: the requests seen so far by id (a response names its request).
 */
export function dateHeaderSample(e: CapturedEvent, requests: ReadonlyMap<string, { url: string }>): SkewSample | undefined {
  let date: string | undefined;
  if (e.kind === 'http-response') {
    const url = requests.get(e.req)?.url;
    if (url === undefined || isSupabaseHttpUrl(url)) date = e.date;
  } else if (e.kind === 'net' && isSupabaseHttpUrl(e.url)) date = e.date;
  if (!date) return undefined;
  const ms = Date.parse(date);
  return Number.isFinite(ms) ? { source: 'date-header', skewMs: ms + DATE_TRUNCATION_MS - e.time, time: e.time, seq: e.seq } : undefined;
}

/** The server checked at browser time `checkedAt` and said exp was N s ago. */
export function expiryTextSample(expSec: number, secondsAgo: number, checkedAt: number, seq: number): SkewSample {
  return { source: 'server-expiry-text', skewMs: (expSec + secondsAgo) * 1000 + DATE_TRUNCATION_MS - checkedAt, time: checkedAt, seq };
}

export function combineSkew(samples: SkewSample[]): ClockSkew {
  if (samples.length === 0) return { known: false, skewMs: null, samples, basis: 'skew unknown: no Date header from Supabase and no server expiry message about a known token' };
  const sorted = samples.map((s) => s.skewMs).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const sources = [...new Set(samples.map((s) => (s.source === 'date-header' ? 'Date headers' : 'the server\'s expiry messages')))].join(' and ');
  return { known: true, skewMs: Math.round(median), samples, basis: `median of ${samples.length} sample(s) from ${sources} (±1 s)` };
}
