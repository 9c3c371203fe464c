// The claims engine as the panel uses it: one throttled analysis (src/core/analysis
// `analyzeSession`) plus predicted verdicts — per token in use, per channel's latest join, per
// socket upgrade — each next to what the server actually answered. Pure (no DOM, no extension
// APIs): tested in Node with captured sessions.
//
// Cost: analyzeSession scans the held events, so the panel runs it at most about once a second
// and only while a view that needs it is open (App). Predictions are cached per token and time
// of use: a token is verified once however often the analysis re-runs.

import {
  analyzeSession,
  combineSkew,
  decodeToken,
  effectiveChannelTokenAt,
  predictConnectVerdict,
  type Analysis,
  type ChannelAnalysis,
  type ConnectVerdict,
  type DecodedToken,
  type EffectiveTokenSpan,
  type Finding,
  type JoinVerdict,
  type ProjectKnowledge,
  type SeenToken,
} from '../analysis';
import type { EvidenceIndex } from '../analysis/evidence-index';
import { closeMeaning } from '../analysis/lifecycle';
import { clientNotes, clientWords, type ClientInfo } from '../realtime/client-info';
import type { CapturedEvent } from '../model';
import type { ChannelKey, ConnectionRecord, JoinAttempt, RealtimeSession } from '../realtime';
import { hasPredictableVerdicts, predictVerdicts, tokenView, type TokenView, type Verdicts } from './token-view';
import { compareConnect, compareJoin, connectOutcome, serverAnswer, type Comparison, type ServerAnswer } from './verdicts';

export type { TokenUseView, TokenView, Verdicts } from './token-view';

export interface ChannelVerdict {
  key: ChannelKey;
  /** The token the server is judging on this channel now (or when it ended). */
  current: EffectiveTokenSpan | null;
  live: boolean;
  /** exp (s, server clock) of the current token; null when unknown (gateway JWT). */
  expiresAt: number | null;
  /** The latest join attempt, the token judged at that moment, the prediction and the answer. */
  latest: {
    attempt: JoinAttempt;
    index: number;
    span: EffectiveTokenSpan | null;
    prediction: JoinVerdict | null;
    /** Why there is no prediction, when there is none. */
    noPrediction?: string;
    answer: ServerAnswer;
    comparison: Comparison;
  } | null;
}

export interface ConnectionVerdict {
  conn: string;
  prediction: ConnectVerdict | null;
  apikeyLabel: string | null;
  comparison: Comparison;
  /** "supabase-js 2.119.1 (platform=browser), serializer vsn 2.0.0" (issue 9 item 7). */
  client: string;
  /** What differs for this client from the behaviour the explanations assume (realtime-facts §7). */
  clientNotes: string[];
  /** What the socket's close means (§3.4, §7), when it has a close code. */
  closeMeaning: string | null;
}

export interface EngineResult {
  analysis: Analysis;
  tokens: TokenView[];
  channels: Map<string, ChannelVerdict>;
  connections: Map<string, ConnectionVerdict>;
  /** Skew used for countdowns (measured, every source), ms server − browser; 0 when unknown. */
  skewMs: number;
  /**
   * Skew used for predictions: from `Date` headers only, so a prediction compared with the
   * server's "expired N seconds ago" is not derived from that very sentence.
   */
  predictionSkewMs: number;
}

export function channelKeyString(key: ChannelKey): string {
  return `${key.conn}\u0000${key.topic}\u0000${String(key.joinRef)}`;
}

const MAX_CACHE = 2_000;

export class SessionEngine {
  private cache = new Map<string, Promise<Verdicts>>();
  runs = 0;
  /** Verifications actually performed (cache misses), for tests of the cache. */
  predictions = 0;

  /**
   * `events` may hold only the evidence (every event but frames: the analysis reads frames through
   * the tracker's records); `lastEventTime` then says when the last captured event, frame or not,
   * happened.
   */
  async run(
    events: readonly CapturedEvent[] | EvidenceIndex,
    session: Pick<RealtimeSession, 'connections' | 'channels'>,
    opts: { now: number; project?: ProjectKnowledge; projectKey?: string; lastEventTime?: number },
  ): Promise<EngineResult> {
    this.runs++;
    const project = opts.project ?? {};
    const projectKey = opts.projectKey ?? '';
    const analysis = await analyzeSession(events, session, { now: opts.now, project, lastEventTime: opts.lastEventTime });
    const skewMs = analysis.skew.skewMs ?? 0;
    const predictionSkewMs = combineSkew(analysis.skew.samples.filter((s) => s.source === 'date-header')).skewMs ?? 0;
    const verdicts = (token: DecodedToken, at: number) => this.verdicts(token, at, predictionSkewMs, project, projectKey);

    const tokens = await Promise.all(analysis.tokens.map((seen, i) => summarise(seen, i, analysis.findings, verdicts)));

    const channels = new Map<string, ChannelVerdict>();
    const records = new Map(session.channels.map((ch) => [channelKeyString(ch.key), ch]));
    for (const ca of analysis.channels) {
      const record = records.get(channelKeyString(ca.key));
      channels.set(channelKeyString(ca.key), await channelVerdict(ca, record?.attempts ?? [], verdicts));
    }

    const connections = new Map<string, ConnectionVerdict>();
    for (const c of session.connections) connections.set(c.conn, await connectionVerdict(c, verdicts, analysis.clients.get(c.conn) ?? []));

    return { analysis, tokens, channels, connections, skewMs, predictionSkewMs };
  }

  /** Predicted connect and join verdicts of one token at one use, verified once. */
  private verdicts(token: DecodedToken, at: number, skewMs: number, project: ProjectKnowledge, projectKey: string): Promise<Verdicts> {
    const key = `${projectKey}\u0000${skewMs}\u0000${at}\u0000${token.cleaned}`;
    let hit = this.cache.get(key);
    if (!hit) {
      this.predictions++;
      const use = { at, skewMs };
      hit = predictVerdicts(token, project, use);
      this.cache.set(key, hit);
      if (this.cache.size > MAX_CACHE) this.cache.delete(this.cache.keys().next().value as string);
    }
    return hit;
  }

  clearCache(): void {
    this.cache.clear();
  }
}

type VerdictsOf = (token: DecodedToken, at: number) => Promise<Verdicts>;

/** A token's card in the Tokens view (token-view.ts), its verdicts predicted at its last use. */
async function summarise(seen: SeenToken, index: number, findings: Finding[], verdictsOf: VerdictsOf): Promise<TokenView> {
  const verdicts = hasPredictableVerdicts(seen.token) ? await verdictsOf(seen.token, seen.lastSeen) : null;
  return tokenView(seen, index, findings, verdicts);
}

async function channelVerdict(ca: ChannelAnalysis, attempts: readonly JoinAttempt[], verdictsOf: VerdictsOf): Promise<ChannelVerdict> {
  const base = { key: ca.key, current: ca.current, live: ca.live, expiresAt: ca.expiresAt };
  if (attempts.length === 0) return { ...base, latest: null };
  const index = attempts.length - 1;
  const attempt = attempts[index];
  // The token as of the join: the server judges what is in force when the join arrives (§2.2).
  const span = effectiveChannelTokenAt(ca.timeline, attempt.frame.time, attempt.frame.seq);
  const answer = serverAnswer(attempt);
  let prediction: JoinVerdict | null = null;
  let noPrediction: string | undefined;
  if (!span) noPrediction = 'the join was not captured';
  else if (!span.token) noPrediction = span.note;
  else prediction = (await verdictsOf(span.token, attempt.frame.time)).join;
  const comparison = compareJoin(prediction, answer, { private: attempt.private, why: noPrediction });
  return { ...base, latest: { attempt, index, span, prediction, noPrediction, answer, comparison } };
}

async function connectionVerdict(c: ConnectionRecord, verdictsOf: VerdictsOf, clients: readonly ClientInfo[]): Promise<ConnectionVerdict> {
  const outcome = connectOutcome(c);
  const about = { client: clientWords(clients, c.vsn), clientNotes: clientNotes(clients), closeMeaning: closeMeaning(c) };
  if (c.inferred && c.url === '') {
    return { conn: c.conn, prediction: null, apikeyLabel: null, comparison: { match: 'none', text: 'the socket URL was not captured' }, ...about };
  }
  const token = decodeToken(c.apikey ?? null);
  const prediction = c.apikey === undefined ? await predictConnectVerdict(undefined) : (await verdictsOf(token, c.createdAt)).connect;
  return { conn: c.conn, prediction, apikeyLabel: c.apikey === undefined ? null : token.label, comparison: compareConnect(prediction, outcome), ...about };
}

/** "expires in 3 min" / "expired 12 s ago", from exp (s, server clock) and now (browser ms) + skew. */
export function secondsLeft(expSec: number, nowMs: number, skewMs: number): number {
  return Math.round(expSec) - Math.floor((nowMs + skewMs) / 1000);
}
