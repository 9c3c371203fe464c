// Predicted vs actual: compares the engine's predicted join/connect verdict with what the server
// really answered, so the panel can mark "prediction matched" / "prediction differed". Pure, no DOM.

import { diagnoseJoinReason, type ConnectVerdict, type JoinVerdict } from '../analysis';
import type { ConnectionRecord, JoinAttempt } from '../realtime';

/**
 * yes: the server said what was predicted. no: it said something else. pending: no answer yet.
 * none: nothing to compare (no prediction is possible, or no answer will ever come).
 */
export type MatchState = 'yes' | 'no' | 'pending' | 'none';

export interface Comparison {
  match: MatchState;
  /** Plain words shown next to the mark. */
  text: string;
}

/** What the server answered to one join, in the shape the view shows. */
export type ServerAnswer =
  | { kind: 'awaiting' }
  | { kind: 'ok' }
  | { kind: 'error'; reason: string }
  | { kind: 'no-reply'; why: string };

/**
 * "Token has expired N seconds ago": N is the server's clock minus exp, in whole seconds. The
 * prediction reads the browser clock at the join frame (+ the measured skew); the server reads its
 * own when the join arrives. A couple of seconds apart is clock resolution, not a different answer.
 */
export const EXPIRY_SECONDS_TOLERANCE = 2;

/** §3.2: checks the server makes before the token (confirm_token); they do not depend on it. */
const BEFORE_TOKEN = new Set(['private-only', 'topic-required', 'tenant-not-found', 'disabled', 'rate-limit', 'unmatched-topic']);

export function serverAnswer(attempt: JoinAttempt): ServerAnswer {
  const reply = attempt.reply;
  if (reply) {
    if (reply.status === 'ok') return { kind: 'ok' };
    return { kind: 'error', reason: replyReason(reply.response) };
  }
  switch (attempt.status) {
    case 'timed-out':
      return { kind: 'no-reply', why: 'no reply: the client gave up before the server answered' };
    case 'connection-closed':
      return { kind: 'no-reply', why: 'no reply: the socket closed first' };
    default:
      return { kind: 'awaiting' };
  }
}

/** The reason text of an error reply (`response.reason`, else a readable rendering). */
export function replyReason(response: unknown): string {
  if (typeof response === 'string') return response;
  if (response && typeof response === 'object') {
    const r = response as Record<string, unknown>;
    for (const field of ['reason', 'error', 'message']) if (typeof r[field] === 'string') return r[field] as string;
  }
  try {
    return JSON.stringify(response) ?? '(no reason)';
  } catch {
    return '(unreadable reason)';
  }
}

/**
 * Compares a predicted join verdict with the server's answer. `prediction` null means the engine
 * could not predict (the gateway's invisible JWT, no token at all); `why` says why.
 */
export function compareJoin(prediction: JoinVerdict | null, answer: ServerAnswer, opts: { private: boolean; why?: string }): Comparison {
  if (answer.kind === 'awaiting') return { match: 'pending', text: 'waiting for the server’s reply' };
  if (answer.kind === 'no-reply') return { match: 'none', text: `nothing to compare: ${answer.why}` };
  if (prediction === null || prediction.accepted === null) {
    return { match: 'none', text: `no prediction to compare: ${opts.why ?? prediction?.explanation ?? 'the token cannot be judged'}` };
  }
  const assumed = prediction.conditional ? ` (the prediction assumed: ${prediction.conditions.join('; ')})` : '';
  if (answer.kind === 'ok') {
    if (prediction.accepted) return { match: 'yes', text: 'prediction matched: the server accepted the join' };
    return { match: 'no', text: `prediction differed: the server accepted a token predicted to fail with “${prediction.reason ?? ''}”` };
  }
  const said = diagnoseJoinReason(answer.reason);
  if (prediction.accepted) {
    if (opts.private && (said.said === 'no-permission' || said.said === 'lost-permission')) {
      return {
        match: 'yes',
        text: 'prediction matched: the token passed the server’s check, then the private channel’s RLS read policy refused it (RLS is not something Claimscope can predict)',
      };
    }
    if (BEFORE_TOKEN.has(said.said)) {
      return { match: 'no', text: `prediction differed: the server refused before judging the token, for a reason outside it (${said.said})` };
    }
    if (prediction.conditional) {
      return {
        match: 'no',
        text: `prediction differed: it was conditional${assumed}, and the server’s refusal shows an assumption failed — supply the project’s JWKS or JWT secret to check it`,
      };
    }
    return { match: 'no', text: 'prediction differed: the token was predicted to pass, the server refused it' };
  }
  const predicted = prediction.reason ?? '';
  if (predicted === answer.reason) return { match: 'yes', text: 'prediction matched: the server gave exactly the predicted reason' };
  const p = diagnoseJoinReason(predicted);
  if (p.said === 'expired' && said.said === 'expired' && p.secondsAgo !== undefined && said.secondsAgo !== undefined) {
    const d = Math.abs(p.secondsAgo - said.secondsAgo);
    if (d <= EXPIRY_SECONDS_TOLERANCE) {
      return { match: 'yes', text: `prediction matched: expired, N ${p.secondsAgo} predicted vs ${said.secondsAgo} said (${d} s apart: clock resolution)` };
    }
    return { match: 'no', text: `prediction differed: expired ${said.secondsAgo} s ago per the server, ${p.secondsAgo} s predicted — the clocks disagree by more than the measured skew` };
  }
  return { match: 'no', text: `prediction differed: predicted “${predicted}”${assumed}` };
}

/** What became of a socket's upgrade, as far as the page and the network layer saw it. */
export type ConnectOutcome = { kind: 'opened' } | { kind: 'refused'; status?: number } | { kind: 'connecting' };

export function connectOutcome(c: ConnectionRecord): ConnectOutcome {
  if (c.openedAt !== undefined) return { kind: 'opened' };
  if (c.refused) return { kind: 'refused', status: c.upgrade?.status };
  return { kind: 'connecting' };
}

export function compareConnect(prediction: ConnectVerdict | null, outcome: ConnectOutcome): Comparison {
  if (outcome.kind === 'connecting') return { match: 'pending', text: 'waiting for the upgrade' };
  if (prediction === null || prediction.accepted === null) {
    return { match: 'none', text: `no prediction to compare: ${prediction?.explanation ?? 'no apikey to judge'}` };
  }
  if (outcome.kind === 'opened') {
    return prediction.accepted
      ? { match: 'yes', text: 'prediction matched: the server accepted the upgrade' }
      : { match: 'no', text: `prediction differed: the upgrade was accepted, predicted HTTP ${prediction.status}` };
  }
  if (prediction.accepted) return { match: 'no', text: 'prediction differed: the upgrade was refused, the apikey was predicted to pass' };
  if (outcome.status !== undefined && outcome.status !== prediction.status) {
    return { match: 'no', text: `prediction differed: the browser reported HTTP ${outcome.status}, predicted ${prediction.status}` };
  }
  return {
    match: 'yes',
    text:
      outcome.status !== undefined
        ? `prediction matched: refused with HTTP ${outcome.status}`
        : 'prediction matched: the upgrade was refused (the browser does not expose its status or body, so only the refusal is compared)',
  };
}
