// What the app was told (issue 9 item 6): the statuses realtime-js handed the page's
// `subscribe(callback)` for a channel — SUBSCRIBED, TIMED_OUT, CHANNEL_ERROR with its message,
// CLOSED — inferred from the protocol as supabase-js 2.x reports it (realtime-facts §7). They are
// the words users search for, so the panel shows them verbatim next to what each means. Pure.

import { isHeartbeatTimeout } from '../analysis/lifecycle';
import { REALTIME_JS_PUSH_TIMEOUT_MS, type ChannelRecord, type ConnectionRecord } from '../realtime';

export type AppStatus = 'SUBSCRIBED' | 'TIMED_OUT' | 'CHANNEL_ERROR' | 'CLOSED';

export interface ToldApp {
  status: AppStatus;
  /** `err.message` of a CHANNEL_ERROR, as realtime-js builds it. */
  message?: string;
  /** Browser time of the frame or event that made realtime-js say it. */
  time: number;
  /** What it means, in a sentence a user can act on. */
  meaning: string;
}

const MEANING: Record<AppStatus, string> = {
  SUBSCRIBED: 'the server accepted the join; the channel receives messages',
  TIMED_OUT: 'no reply to the join within the client timeout (10 s by default); realtime-js sends phx_leave and rejoins',
  CHANNEL_ERROR: 'realtime-js marked the channel errored and rejoins it (after 1 s, 2 s, 5 s, then every 10 s) while the socket is open',
  CLOSED: 'the channel is over and realtime-js will not rejoin it: create a new channel to subscribe again',
};

/**
 * The statuses in the order the app received them. Inferred, not observed: the page's callback is
 * not instrumented, so these are what supabase-js 2.x says for these frames (§7).
 */
export function toldApp(channel: ChannelRecord, connection: ConnectionRecord | undefined): ToldApp[] {
  const out: ToldApp[] = [];
  const say = (status: AppStatus, time: number, message?: string) => out.push({ status, time, meaning: MEANING[status], ...(message !== undefined ? { message } : {}) });
  for (const attempt of channel.attempts) {
    // The client's timer starts at subscribe(), which may be before the join went on the wire (it
    // waits in the send buffer while the socket connects): the leave it sends then is the moment.
    // A reply after that is ignored by the client (it was told TIMED_OUT).
    if (attempt.status === 'timed-out') say('TIMED_OUT', attempt.abandonedBy?.time ?? attempt.frame.time + REALTIME_JS_PUSH_TIMEOUT_MS);
    else if (attempt.reply?.status === 'ok') say('SUBSCRIBED', attempt.reply.frame.time);
    else if (attempt.reply) say('CHANNEL_ERROR', attempt.reply.frame.time, joinErrorMessage(attempt.reply.response));
  }
  // A crashed channel process (§3.4): `normalizeChannelError({})`.
  for (const error of channel.errors) say('CHANNEL_ERROR', error.time, 'channel error: transport failure');
  // The server's close (after a `system` shutdown, §3.3) or the page's own leave.
  const closedAt = channel.closedBy?.time ?? channel.leftBy?.time;
  if (closedAt !== undefined) say('CLOSED', closedAt);
  // The socket went away under a channel that was still on it: the browser fires `error` before
  // `close` when it can, and Phoenix then errors the channel with the Event ("transport failure").
  const close = connection?.close;
  if (close && (closedAt === undefined || closedAt > close.time) && channel.attempts.length > 0) {
    // Phoenix errors the channels with "heartbeat timeout" before it closes a socket whose
    // heartbeat went unanswered (§7), whatever close event follows.
    const message = isHeartbeatTimeout(connection!) ? 'heartbeat timeout' : connection?.errored ? 'channel error: transport failure' : `socket closed: ${close.code}${close.reason ? ` (${close.reason})` : ''}`;
    say('CHANNEL_ERROR', close.time, message);
  }
  return out.sort((a, b) => a.time - b.time);
}

/** realtime-js 2.x: `new Error(Object.values(response).join(', ') || 'error')`. */
function joinErrorMessage(response: unknown): string {
  if (response !== null && typeof response === 'object') {
    const text = Object.values(response as Record<string, unknown>)
      .map((v) => (typeof v === 'string' ? v : String(v)))
      .join(', ');
    return text || 'error';
  }
  return response === undefined || response === null || response === '' ? 'error' : String(response);
}
