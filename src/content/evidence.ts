// What the action badge counts: answers from a server that refused auth (realtime-facts §3).
// Pure and cheap: the content script runs it on every stored event.

import type { CapturedEvent } from '../core/model';
import { HEARTBEAT_TOPIC, peekPhoenix, type PhoenixHead } from '../core/realtime/framing';

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
