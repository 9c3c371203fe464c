// What the action badge counts: answers from a server that refused auth (realtime-facts §3).
// Pure and cheap: the content script runs it on every stored event.

import type { CapturedEvent } from '../core/model';
import { peekPhoenix } from '../core/session/buffer';

const SYSTEM_ERROR = /"status"\s*:\s*"error"/;

/** True for a server's auth-related refusal: error replies, system errors, 401/403, refused upgrades. */
export function isServerAuthError(ev: CapturedEvent): boolean {
  switch (ev.kind) {
    case 'ws-frame': {
      if (ev.dir !== 'received' || ev.opcode !== 'text' || !ev.text) return false;
      const head = peekPhoenix(ev.text);
      if (!head) return false;
      if (head.event === 'phx_reply') return head.statusError && head.topic !== 'phoenix';
      // §3.3: a live channel is closed by a `system` push with status "error".
      return head.event === 'system' && SYSTEM_ERROR.test(ev.text.slice(0, 4096));
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
