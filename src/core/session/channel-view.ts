// What the Channels view says about a channel beyond its join attempts (issue 11 item 2): the last
// thing the server said was wrong, with Claimscope's reading of it, and whether its Postgres
// Changes subscription is live. Read from the tracker's published records; the server's words come
// from core/diagnosis (realtime-facts §3.2–§3.4), so the panel only renders. Pure.

import type { ChannelRecord, JoinAttempt } from '../realtime';
import { diagnoseJoinReason, diagnoseSystemMessage, type ServerSaid } from '../diagnosis/replies';

export interface ChannelServerError {
  time: number;
  /** Where the server said it: a refused join, a `system` error (§3.3), or `phx_error` (§3.4). */
  source: 'join-reply' | 'system' | 'phx_error';
  /** The server's words, verbatim (capped by the diagnosis). */
  text: string;
  said: ServerSaid;
  /** What it means and what to do. */
  explanation: string;
}

/** The latest error the server reported on this channel instance, if any. */
export function lastServerError(channel: ChannelRecord): ChannelServerError | undefined {
  let last: ChannelServerError | undefined;
  const consider = (candidate: ChannelServerError) => {
    if (!last || candidate.time >= last.time) last = candidate;
  };
  for (const attempt of channel.attempts) {
    const reply = attempt.reply;
    if (!reply || reply.status === 'ok') continue;
    const response = reply.response;
    const reason = response !== null && typeof response === 'object' && !Array.isArray(response) ? (response as { reason?: unknown }).reason ?? response : response;
    const d = diagnoseJoinReason(reason);
    consider({ time: reply.frame.time, source: 'join-reply', text: d.text, said: d.said, explanation: d.explanation });
  }
  for (const message of channel.systemMessages) {
    const d = diagnoseSystemMessage(message.payload);
    if (d.status !== 'error') continue;
    consider({ time: message.frame.time, source: 'system', text: d.text, said: d.said, explanation: d.explanation });
  }
  for (const error of channel.errors) {
    consider({
      time: error.time,
      source: 'phx_error',
      text: 'phx_error',
      said: 'unknown',
      explanation: 'The channel’s process on the server crashed (phx_error). realtime-js reports CHANNEL_ERROR and rejoins; if it keeps happening, check the server’s logs.',
    });
  }
  return last;
}

export type PostgresChangesState = 'none' | 'requested' | 'subscribed' | 'error' | 'join-refused';

export interface PostgresChangesStatus {
  state: PostgresChangesState;
  /** `config.postgres_changes` bindings in the latest join. */
  bindings: number;
  /** One sentence for the card. */
  text: string;
  /** The server's words, when it said something (verbatim). */
  serverText?: string;
  time?: number;
}

/**
 * The latest join's Postgres Changes subscription: none requested; requested and not yet confirmed
 * (the server confirms with a `system` message "Subscribed to PostgreSQL" after the join's reply);
 * subscribed; failed (a `system` error from postgres_changes — the channel stays joined and no
 * changes arrive); or the join itself was refused.
 */
export function postgresChangesStatus(channel: ChannelRecord): PostgresChangesStatus {
  const latest: JoinAttempt | undefined = channel.attempts[channel.attempts.length - 1];
  const bindings = latest?.postgresChanges ?? 0;
  if (!latest || bindings === 0) return { state: 'none', bindings: 0, text: 'none requested in the join' };
  const plural = `${bindings} binding${bindings === 1 ? '' : 's'}`;
  if (latest.reply && latest.reply.status !== 'ok') {
    return { state: 'join-refused', bindings, text: `${plural} requested; the join was refused, so nothing is subscribed` };
  }
  let status: PostgresChangesStatus | undefined;
  for (const message of channel.systemMessages) {
    if (message.frame.time < latest.frame.time) continue;
    const d = diagnoseSystemMessage(message.payload);
    if (d.extension !== 'postgres_changes') continue;
    if (d.status === 'ok') {
      status = { state: 'subscribed', bindings, text: `${plural}: subscribed (the server confirmed)`, serverText: d.text, time: message.frame.time };
    } else if (d.status === 'error') {
      status = { state: 'error', bindings, text: `${plural}: the subscription failed — the channel stays joined but no changes arrive`, serverText: d.text, time: message.frame.time };
    }
  }
  if (status) return status;
  return {
    state: 'requested',
    bindings,
    text: latest.reply
      ? `${plural} requested; the server has not confirmed the subscription yet (it sends “Subscribed to PostgreSQL”)`
      : `${plural} requested; waiting for the join’s reply`,
  };
}
