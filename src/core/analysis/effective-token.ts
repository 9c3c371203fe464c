// The effective channel token: which token the server is judging on a channel at any moment,
// following its selection rules (realtime-facts §2.2 join, §2.3 access_token pushes).

import type { ChannelRecord, ConnectionRecord, FrameRef, JoinAttempt } from '../realtime/types';
import { decodeToken, type DecodedToken } from '../tokens/decode';

export type ChannelTokenSource =
  | 'join-user-token'
  | 'join-access-token'
  /** Fallback to the connection token: the apikey JWT (§2.2 rules 1 and 4). */
  | 'apikey'
  /** Fallback to the connection token when the apikey is an sb_ key: minted by the gateway, not visible (§2.1). */
  | 'gateway'
  | 'access-token-push';

export interface IgnoredPush {
  frame: FrameRef;
  value: unknown;
  why: string;
}

export interface EffectiveTokenSpan {
  /** Browser time the span starts (the join or push frame). */
  from: number;
  frame: FrameRef;
  source: ChannelTokenSource;
  /** The token judged; null when it is the gateway's invisible JWT. */
  token: DecodedToken | null;
  /** Plain words on why this token (shown next to it). */
  note: string;
  /** The join attempt this span starts from or belongs to. */
  attempt: JoinAttempt;
  /** access_token pushes the server ignored while this span was in force. */
  ignored: IgnoredPush[];
}

/** decodeToken, or a memo of it (tokens/cache.ts) when the caller re-analyses the same session. */
export type TokenDecoder = (raw: unknown) => DecodedToken;

export const GATEWAY_NOTE = 'issued by the gateway, not visible: the apikey is an sb_ key, which the gateway swaps for a short-lived JWT the browser never sees (public connections close after about 24 h, §2.1)';

/** §2.2: what the server takes from a join payload. */
export function selectJoinToken(attempt: JoinAttempt, connection: ConnectionRecord | undefined, decode: TokenDecoder = decodeToken): Omit<EffectiveTokenSpan, 'ignored'> {
  const base = { from: attempt.frame.time, frame: attempt.frame, attempt };
  const { accessToken, userToken } = attempt;
  const isSb = (v: unknown) => typeof v === 'string' && v.startsWith('sb_');
  if (isSb(accessToken) || isSb(userToken)) {
    return { ...base, ...connectionToken(connection, 'the join carried an sb_ key, which the server ignores as a channel token', decode) };
  }
  if (typeof userToken === 'string') {
    return { ...base, source: 'join-user-token', token: decode(userToken), note: 'user_token of the join (it wins over access_token)' };
  }
  if (typeof accessToken === 'string') {
    return { ...base, source: 'join-access-token', token: decode(accessToken), note: accessToken === '' ? 'access_token of the join: an empty string is judged, and is malformed' : 'access_token of the join' };
  }
  const why = attempt.hasAccessToken ? `the join's access_token is ${accessToken === null ? 'null' : 'not a string'}, so the server uses the connection token` : 'the join carried no access_token, so the server uses the connection token';
  return { ...base, ...connectionToken(connection, why, decode) };
}

function connectionToken(connection: ConnectionRecord | undefined, why: string, decode: TokenDecoder): Pick<EffectiveTokenSpan, 'source' | 'token' | 'note'> {
  const apikey = connection?.apikey;
  if (typeof apikey === 'string' && apikey.trim().startsWith('sb_')) {
    return { source: 'gateway', token: null, note: `${why}; ${GATEWAY_NOTE}` };
  }
  return { source: 'apikey', token: decode(apikey ?? null), note: `${why} (the apikey JWT)` };
}

/** Every token that was in force on the channel, in time order. */
export function channelTokenTimeline(channel: ChannelRecord, connection: ConnectionRecord | undefined, decode: TokenDecoder = decodeToken): EffectiveTokenSpan[] {
  const spans: EffectiveTokenSpan[] = [];
  const attempts = [...channel.attempts].sort((a, b) => a.frame.seq - b.frame.seq);
  const pushes = [...channel.tokenPushes].sort((a, b) => a.frame.seq - b.frame.seq);
  let p = 0;
  attempts.forEach((attempt, i) => {
    const nextSeq = attempts[i + 1]?.frame.seq ?? Number.POSITIVE_INFINITY;
    let span: EffectiveTokenSpan = { ...selectJoinToken(attempt, connection, decode), ignored: [] };
    spans.push(span);
    while (p < pushes.length && pushes[p].frame.seq < attempt.frame.seq) p++;
    for (; p < pushes.length && pushes[p].frame.seq < nextSeq; p++) {
      const push = pushes[p];
      const v = push.value;
      // §2.3: sb_ values, null, non-strings and the current token are ignored; the old token and
      // its expiry timer stay in force.
      const why =
        v === null ? 'null is ignored'
        : typeof v !== 'string' ? 'a non-string access_token is ignored'
        : v.startsWith('sb_') ? 'sb_ values are ignored (the old token stays in force)'
        : span.token && span.token.cleaned === decode(v).cleaned ? 'same token as the current one'
        : undefined;
      if (why) {
        span.ignored.push({ frame: push.frame, value: v, why });
        continue;
      }
      span = { from: push.frame.time, frame: push.frame, source: 'access-token-push', token: decode(v), note: 'access_token push (setAuth)', attempt, ignored: [] };
      spans.push(span);
    }
  });
  return spans;
}

/** The span in force at `time` (browser clock), or null before the first join. */
export function effectiveChannelTokenAt(timeline: readonly EffectiveTokenSpan[], time: number, seq = Number.POSITIVE_INFINITY): EffectiveTokenSpan | null {
  let found: EffectiveTokenSpan | null = null;
  for (const span of timeline) {
    if (span.from < time || (span.from === time && span.frame.seq <= seq)) found = span;
    else break;
  }
  return found;
}
