// What the action badge counts: answers from a server that refused auth (realtime-facts §3), and
// critical exposures (an sb_secret_ or service_role key used by the page, §5.2–§5.3). Cheap: the
// content script runs it on every stored event.

import type { CapturedEvent } from '../core/model';
import { HEARTBEAT_TOPIC, peekPhoenix, type PhoenixHead } from '../core/realtime/framing';
import { criticalExposureOf } from '../core/tokens/exposure';

/**
 * True for a server's auth-related refusal: error replies, system errors, 401/403, refused upgrades.
 * `head`: the frame's Phoenix head when the caller already sniffed it (`EventBuffer.lastStoredHead`;
 * null: not Phoenix), so a frame is sniffed once; without it the frame is sniffed here.
 */
export function isServerAuthError(ev: CapturedEvent, head?: PhoenixHead | null): boolean {
  switch (ev.kind) {
    case 'ws-frame': {
      if (ev.dir !== 'received' || ev.opcode !== 'text' || !ev.text) return false;
      const sniffed = head === undefined ? peekPhoenix(ev.text) : head;
      // Heartbeat replies are not about a channel or a token (§2.4).
      if (!sniffed || sniffed.topic === HEARTBEAT_TOPIC) return false;
      // §3.2: an error reply; §3.3: a live channel closed by a `system` push with status "error".
      return sniffed.statusError && (sniffed.event === 'phx_reply' || sniffed.event === 'system');
    }
    case 'http-response':
      return ev.status === 401 || ev.status === 403;
    case 'net':
      // A refused upgrade: Chromium reports no status, only net::ERR_FAILED (toolchain.md spike).
      return ev.resourceType === 'websocket'
        ? ev.status === 401 || ev.status === 403 || ev.error === 'net::ERR_FAILED'
        : false;
    default:
      return false;
  }
}

/** True for the open of a Realtime socket (the badge tooltip's "N Realtime sockets"). */
export function isRealtimeSocketOpening(ev: CapturedEvent): boolean {
  return ev.kind === 'ws-connecting' && ev.source === 'page';
}

/** Distinct values checked per document before the cache starts over (a page uses a handful). */
const MAX_CHECKED = 256;
const MAX_EXPOSED = 999;

/**
 * Counts the critical exposures a document's page made (core/tokens/exposure.ts: an sb_secret_ key
 * or a service_role JWT) for the badge: distinct keys, wherever they travelled — the socket's
 * `apikey`, an HTTP call's `apikey` or `Authorization`, a sent join's or `access_token` push's
 * `access_token`. Only those events are looked at, and each distinct value is decoded once, so a
 * flood of frames costs one property check per frame.
 */
export class ExposureCounter {
  /** Value as sent -> the key it is (cleaned), or null for none. */
  private readonly checked = new Map<string, string | null>();
  private readonly exposed = new Set<string>();

  get count(): number {
    return this.exposed.size;
  }

  /** Notes an event; true when it exposed a key not counted before. `head`: as for isServerAuthError. */
  note(ev: CapturedEvent, head?: PhoenixHead | null): boolean {
    let found = false;
    for (const value of carriedTokens(ev, head)) {
      let key = this.checked.get(value);
      if (key === undefined) {
        if (this.checked.size >= MAX_CHECKED) this.checked.clear();
        key = criticalExposureOf(value)?.token ?? null;
        this.checked.set(value, key);
      }
      // Bounded like the badge's number (999): a page sending endless forged keys grows nothing.
      if (key !== null && !this.exposed.has(key) && this.exposed.size < MAX_EXPOSED) {
        this.exposed.add(key);
        found = true;
      }
    }
    return found;
  }

  clear(): void {
    this.checked.clear();
    this.exposed.clear();
  }
}

const APIKEY_PARAM = /[?&]apikey=([^&#]*)/i;

/** The token values an event hands to Supabase (realtime-facts §2 and §8), as strings. */
export function carriedTokens(ev: CapturedEvent, head?: PhoenixHead | null): string[] {
  switch (ev.kind) {
    case 'ws-connecting': {
      const m = APIKEY_PARAM.exec(ev.url);
      if (!m) return [];
      try {
        return [decodeURIComponent(m[1])];
      } catch {
        return [m[1]];
      }
    }
    case 'http-request':
      return [ev.headers.apikey, ev.headers.authorization].filter((v): v is string => typeof v === 'string' && v !== '');
    case 'ws-frame': {
      if (ev.dir !== 'sent' || ev.opcode !== 'text' || !ev.text || !ev.text.includes('access_token')) return [];
      const sniffed = head === undefined ? peekPhoenix(ev.text) : head;
      if (!sniffed || (sniffed.event !== 'phx_join' && sniffed.event !== 'access_token')) return [];
      const token = accessTokenOf(ev.text);
      return token === undefined ? [] : [token];
    }
    default:
      return [];
  }
}

/** A sent push's payload.access_token, V2 array or V1 object; undefined when there is none. */
function accessTokenOf(text: string): string | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return undefined; // a cut preview: the panel's analysis still sees what is left
  }
  const payload = Array.isArray(frame) ? frame[4] : (frame as { payload?: unknown } | null)?.payload;
  const token = payload !== null && typeof payload === 'object' ? (payload as { access_token?: unknown }).access_token : undefined;
  return typeof token === 'string' && token !== '' ? token : undefined;
}
