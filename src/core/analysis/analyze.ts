// Session-level analysis: captured events + decoded Realtime → tokens in use, the effective token
// of every channel over time, clock skew, and findings (each linked to the token, frame or request
// it is about). Every time check uses the time of that use corrected by the measured skew, so an
// imported session analysed later gives the same answers; only `now` (live countdowns) moves.

import { pathOf, type CapturedEvent, type HttpResponse } from '../model';
import type { ChannelKey, ChannelRecord, ConnectionRecord, RealtimeSession } from '../realtime/types';
import { serverNowSec, type UseTime } from '../diagnosis/judge';
import { diagnoseConnectFailure, diagnoseJoinReason, diagnoseSystemMessage, readReason, reasonJson, withoutSecondsAgo, type ServerReplyDiagnosis } from '../diagnosis/replies';
import { connectBody, joinReason } from '../diagnosis/verdict';
import { finding, MAX_USE_PLACES, SEVERITY_RANK, type Finding, type FindingCode, type FindingEvidence, type FindingUse, type FindingUseKind } from '../rules/catalogue';
import { checkToken, isoOf, REFRESH_MARGIN_S, timeFactsAt } from '../rules/token-rules';
import { TokenCache } from '../tokens/cache';
import { decodeToken, originOfUrl, projectRefOfUrl, type DecodedToken } from '../tokens/decode';
import type { ProjectKnowledge } from '../tokens/project';
import { USE_WORDS, type TokenUseKind } from '../tokens/use-kind';
import { isAsymmetricAlg, SUPPORTED_ALGS } from '../tokens/verify';
import { channelTokenTimeline, effectiveChannelTokenAt, type ChannelTokenSource, type EffectiveTokenSpan, type TokenDecoder } from './effective-token';
import { EvidenceIndex, type EvidenceView, type PageUrlToken, type TokenUse } from './evidence-index';
import { combineSkew, expiryTextSample, type ClockSkew, type SkewSample } from './skew';
import { safeJsonText } from '../safe-json';
import { clientSentence, clientsOf, joinedAsAnon, joinTimeouts, PROPAGATION_GRACE_MS, reconnectLoops, socketCloses } from './lifecycle';
import { isLegacyRealtimeJs, MEASURED_SUPABASE_JS, type ClientInfo } from '../realtime/client-info';
import { predictConnectVerdict } from '../diagnosis/verdict';

export type { TokenUseKind, TokenUse };

export interface SeenToken {
  token: DecodedToken;
  uses: TokenUse[];
  firstSeen: number;
  lastSeen: number;
}

export interface ChannelAnalysis {
  key: ChannelKey;
  timeline: EffectiveTokenSpan[];
  /** The span in force at `now` (or when the channel ended). */
  current: EffectiveTokenSpan | null;
  /** Whether the channel is still live at `now`. */
  live: boolean;
  /** exp of the current token (s), null when unknown (gateway JWT, no exp). */
  expiresAt: number | null;
  /** Seconds until the server closes the channel at exp (server clock); null when unknown. */
  secondsLeft: number | null;
}

export interface Analysis {
  tokens: SeenToken[];
  channels: ChannelAnalysis[];
  skew: ClockSkew;
  findings: Finding[];
  /** The time the analysis treats as "now" (browser clock, ms). */
  now: number;
  /** The clients each socket's document identified itself as (X-Client-Info), by connection id. */
  clients: Map<string, ClientInfo[]>;
}

export interface AnalysisOptions {
  project?: ProjectKnowledge;
  /** Live analysis passes Date.now(); default: the last event's time (stable for imports). */
  now?: number;
  /** Skew to use instead of the measured one (ms, server − browser). */
  skewMs?: number;
  /**
   * Memo of token decoding and signature checks, kept across runs (the panel re-analyses the same
   * session about once a second). Default: one shared cache, keyed on the `project` object's
   * identity, so a caller that passes the same ProjectKnowledge object (or none) reuses it.
   */
  cache?: TokenCache;
  /**
   * Time of the last captured event (frames included). Default: the last of `events`. The session
   * passes only the evidence (no frames: the analysis reads them through `realtime`) and says here
   * when its last frame was.
   */
  lastEventTime?: number;
}

/** The default memo, and the knowledge used when none is given (a stable identity for it). */
const SHARED_CACHE = new TokenCache();
const NO_KNOWLEDGE: ProjectKnowledge = Object.freeze({});

type RealtimeView = Pick<RealtimeSession, 'connections' | 'channels'>;

const CLOCK_SKEW_THRESHOLD_MS = 30_000;

/**
 * Every token in use and where: HTTP calls and grants (from the evidence), socket apikeys, join
 * tokens and access_token pushes (from the tracker's records), in order of first use.
 */
export function discoverTokens(evidence: readonly CapturedEvent[] | EvidenceIndex | EvidenceView, realtime: RealtimeView, decode: TokenDecoder = decodeToken): SeenToken[] {
  const view = evidence instanceof EvidenceIndex ? evidence.view() : Array.isArray(evidence) ? EvidenceIndex.of(evidence, decode).view() : (evidence as EvidenceView);
  const byToken = new Map<string, SeenToken>();
  for (const http of view.httpTokens) byToken.set(http.token.cleaned, { token: http.token, uses: http.uses, firstSeen: http.firstSeen, lastSeen: http.lastSeen });
  const add = (raw: unknown, use: TokenUse) => {
    if (typeof raw !== 'string' || raw.trim() === '') return;
    const token = decode(raw);
    const key = token.cleaned;
    const seen = byToken.get(key) ?? { token, uses: [], firstSeen: use.time, lastSeen: use.time };
    seen.uses.push(use);
    seen.firstSeen = Math.min(seen.firstSeen, use.time);
    seen.lastSeen = Math.max(seen.lastSeen, use.time);
    byToken.set(key, seen);
  };
  const connectingSeq = view.connectingSeq;
  for (const c of realtime.connections) {
    add(c.apikey, { kind: 'socket-apikey', time: c.createdAt, seq: connectingSeq.get(c.conn) ?? 0, conn: c.conn, url: c.url });
  }
  for (const ch of realtime.channels) {
    for (const a of ch.attempts) {
      const base = { time: a.frame.time, seq: a.frame.seq, conn: ch.key.conn, topic: ch.key.topic };
      if (a.hasAccessToken) add(a.accessToken, { kind: 'join-access-token', ...base });
      if (a.hasUserToken) add(a.userToken, { kind: 'join-user-token', ...base });
    }
    for (const p of ch.tokenPushes) add(p.value, { kind: 'access-token-push', time: p.frame.time, seq: p.frame.seq, conn: ch.key.conn, topic: ch.key.topic });
  }
  addPageUrlTokens(view.pageUrlTokens, byToken);
  return [...byToken.values()].sort((a, b) => a.firstSeen - b.firstSeen);
}

/**
 * Tokens in the documents' URLs. One whose signature was not kept is the same token as a whole JWT
 * with the same header and claims seen anywhere else (supabase-js sends the implicit flow's access
 * token on its calls and joins): its use joins that token's card. Otherwise it is a token of its
 * own, judged on its header and claims only (DecodedToken.signatureNotKept), and keyed apart from
 * any captured string that happens to read `header.claims.[redacted]`.
 */
function addPageUrlTokens(pageUrlTokens: readonly PageUrlToken[], byToken: Map<string, SeenToken>): void {
  if (pageUrlTokens.length === 0) return;
  let whole: Map<string, SeenToken> | undefined;
  for (const { token, use } of pageUrlTokens) {
    let seen: SeenToken | undefined;
    if (token.signatureNotKept) {
      whole ??= signedByHeadAndClaims(byToken);
      seen = whole.get(headAndClaims(token.cleaned)) ?? byToken.get(`\u0001${token.cleaned}`);
    } else seen = byToken.get(token.cleaned);
    if (!seen) {
      byToken.set(token.signatureNotKept ? `\u0001${token.cleaned}` : token.cleaned, { token, uses: [use], firstSeen: use.time, lastSeen: use.time });
      continue;
    }
    seen.uses.push(use);
    seen.firstSeen = Math.min(seen.firstSeen, use.time);
    seen.lastSeen = Math.max(seen.lastSeen, use.time);
  }
}

/**
 * The whole, sound JWTs seen, by `header.claims.` (what a URL keeps of them). Not one with a broken
 * signature segment: a captured `header.claims.[redacted]` is a malformed value, not the URL's token.
 */
function signedByHeadAndClaims(byToken: Map<string, SeenToken>): Map<string, SeenToken> {
  const out = new Map<string, SeenToken>();
  for (const seen of byToken.values()) {
    if (seen.token.form === 'jwt' && !seen.token.problem && !seen.token.signatureNotKept) out.set(headAndClaims(seen.token.cleaned), seen);
  }
  return out;
}

function headAndClaims(cleaned: string): string {
  return cleaned.slice(0, cleaned.lastIndexOf('.') + 1);
}

/**
 * `evidence`: the captured events (frames may be left out: the analysis reads them through
 * `realtime`), or a live session's EvidenceIndex of them.
 */
export async function analyzeSession(
  evidence: readonly CapturedEvent[] | EvidenceIndex,
  realtime: RealtimeView,
  options: AnalysisOptions = {},
): Promise<Analysis> {
  const project = options.project ?? NO_KNOWLEDGE;
  const cache = options.cache ?? SHARED_CACHE;
  const decode: TokenDecoder = (raw) => cache.decode(raw);
  // Everything read from the evidence is copied here, before the first await (see EvidenceIndex.view).
  const index = (evidence instanceof EvidenceIndex ? evidence : EvidenceIndex.of(Array.isArray(evidence) ? evidence : [], decode)).view();
  const lastTime = Math.max(options.lastEventTime ?? 0, index.lastTime);
  const now = options.now ?? lastTime;
  const connections = new Map(realtime.connections.map((c) => [c.conn, c]));
  // A captured value the analysis cannot handle costs the finding about it, never the analysis.
  const out = new FindingSet();
  const guard = analysisGuard(out);
  const channels: ChannelCtx[] = realtime.channels.map((ch) => {
    const conn = connections.get(ch.key.conn);
    const ctx: ChannelCtx = { ch, conn, timeline: [], statements: [] };
    guard(`the channel ${short(ch.key.topic)}`, () => {
      ctx.timeline = channelTokenTimeline(ch, conn, decode);
      // What the server said on this channel, with the token in force: built once, read by the
      // skew, the reply findings and the hidden-tab rule.
      ctx.statements = serverStatements(ch, ctx.timeline);
    }, { conn: ch.key.conn, topic: ch.key.topic });
    return ctx;
  });

  // 1. Clock skew, before any time check.
  const samples: SkewSample[] = index.dateSamples;
  for (const { statements } of channels) {
    for (const s of statements) {
      if (s.diag.said !== 'expired' || s.diag.secondsAgo === undefined) continue;
      const exp = s.span?.token?.claims?.exp;
      if (typeof exp === 'number' && s.diag.secondsAgo !== undefined) samples.push(expiryTextSample(Math.round(exp), s.diag.secondsAgo, s.checkedAt, s.seq));
    }
  }
  const skew = combineSkew(samples);
  const skewMs = options.skewMs ?? skew.skewMs ?? 0;
  const useAt = (at: number): UseTime => ({ at, skewMs });

  // 2. Every token at every use: HTTP calls, socket apikeys, and channel tokens judged at each join
  // and accepted push, as the server does. Findings about the token itself are said once per token
  // with every place it was used (FindingSet.addTokenFinding).
  const tokens = discoverTokens(index, realtime, decode);
  await judgeTokenUses(judgedUses(tokens, channels), out, { project, cache, useAt });

  const channelAnalyses: ChannelAnalysis[] = channels.map(({ ch, conn, timeline }) => channelState(ch, conn, timeline, now, skewMs));

  // 3. Lifecycle and correlation (before the server's statements, which may confirm them).
  guard('the rejoin-loop check', () => rejoinLoops(realtime.channels, out));
  guard('the refresh check', () => refreshFailures(index, out));
  guard('the sign-out check', () => signedOutRetention(index, channels, out, lastTime));
  guard('the stale-channel-token check', () => staleChannelTokens(tokens, channels, out, lastTime));
  guard('the expiry countdown check', () => expiringSoon(channelAnalyses, out, now, refreshMarginS(project)));
  // Judged against `now`, not the last event: a live panel must not wait for the next heartbeat
  // to say that the grace has passed with no token pushed.
  guard('the anon-channel check', () => joinedAsAnon(index, channels, out, Math.max(now, lastTime)));
  guard('the join timeout check', () => joinTimeouts(channels, realtime.connections, index, out, now));
  guard('the socket close check', () => socketCloses(realtime.connections, index, out));
  guard('the reconnect check', () => reconnectLoops(realtime.connections, index, out));

  // 4. What the server said, linked to the token in force.
  for (const { ch, statements } of channels) {
    guard(`the server's replies on ${short(ch.key.topic)}`, () => serverReplyFindings(ch, statements, out, useAt), { conn: ch.key.conn, topic: ch.key.topic });
  }
  for (const c of realtime.connections) guard(`the socket ${c.conn}`, () => connectRefusedFinding(c, out, useAt, decode), { conn: c.conn });
  guard('the hidden-tab check', () => pausedWhileHidden(index, channels, out, skewMs, refreshMarginS(project)));
  try {
    await broadcastRefusals(index, out, project, useAt, decode);
  } catch (err) {
    out.add(limitedFinding('the REST broadcast check', err, {}, null), 'global');
  }
  guard('the project check', () => apiKeyVsAccessTokenProject(tokens, out));
  if (skew.known && skew.skewMs !== null && Math.abs(skew.skewMs) > CLOCK_SKEW_THRESHOLD_MS) {
    const s = Math.round(skew.skewMs / 1000);
    out.add(finding('clock-skew', {
      message: `This browser's clock is ${Math.abs(s)} s ${s > 0 ? 'behind' : 'ahead of'} the server's.`,
      cause: `Measured from ${skew.basis}. Expiry is judged on the server clock, so tokens expire ${s > 0 ? 'earlier' : 'later'} than the page thinks and refresh timing is off by as much.`,
      fix: 'Sync the system clock (enable automatic time / NTP). Claimscope already corrects its time checks by the measured skew.',
      evidence: { expected: '|skew| ≤ 30 s', actual: `${s} s` }, time: skew.samples[0]?.time ?? null,
    }), 'global');
  }

  // By connection: the clients its document identified itself as (X-Client-Info).
  const clients = new Map(realtime.connections.map((c) => [c.conn, clientsOf(index, c.conn, channels)]));
  return { tokens, channels: channelAnalyses, skew, findings: out.sorted(), now, clients };
}

/** One use of a token that the rules judge (a token-carrying event, or a channel's token span). */
interface JudgedUse {
  token: DecodedToken;
  kind: FindingUseKind;
  time: number;
  seq: number;
  /** Where the token was sent (socket or request URL): the host-vs-token checks compare with it. */
  sentTo?: string;
  conn?: string;
  topic?: string;
  frameSeq?: number;
  requestId?: string;
}

const SPAN_USE_KIND: Record<Exclude<ChannelTokenSource, 'gateway'>, FindingUseKind> = {
  'join-user-token': 'join-user-token',
  'join-access-token': 'join-access-token',
  'access-token-push': 'access-token-push',
  apikey: 'channel-apikey',
};

/** Every judged use, grouped by token, each group in time order (so the first use is judged first). */
function judgedUses(tokens: SeenToken[], channels: Array<{ ch: ChannelRecord; conn: ConnectionRecord | undefined; timeline: EffectiveTokenSpan[] }>): JudgedUse[][] {
  // Keyed by the cleaned token, as discoverTokens groups them (one lookup per token, not per use:
  // hashing a 300-character JWT for each of 200,000 requests is most of the cost otherwise).
  const byToken = new Map<string, JudgedUse[]>();
  const groupOf = (t: DecodedToken): JudgedUse[] => {
    const key = t.form === 'not-a-string' ? `\u0000${t.label}` : t.signatureNotKept ? `\u0001${t.cleaned}` : t.cleaned;
    let group = byToken.get(key);
    if (!group) byToken.set(key, (group = []));
    return group;
  };
  for (const seen of tokens) {
    const group = groupOf(seen.token);
    for (const use of seen.uses) {
      // Channel tokens are judged from the channel timeline below, where the server's selection
      // rules (§2.2, §2.3) say which of them were in force.
      if (use.kind === 'join-access-token' || use.kind === 'join-user-token' || use.kind === 'access-token-push') continue;
      // A page-url use has no `url`: the page's own host says nothing of the token's project or issuer.
      group.push({ token: seen.token, kind: use.kind, time: use.time, seq: use.seq, sentTo: use.url, conn: use.conn, requestId: use.req });
    }
  }
  for (const { ch, conn, timeline } of channels) {
    for (const span of timeline) {
      if (!span.token || span.source === 'gateway') continue;
      groupOf(span.token).push({ token: span.token, kind: SPAN_USE_KIND[span.source], time: span.from, seq: span.frame.seq, sentTo: conn?.url, conn: ch.key.conn, topic: ch.key.topic, frameSeq: span.frame.seq });
    }
  }
  const before = (a: JudgedUse, b: JudgedUse) => a.time - b.time || a.seq - b.seq;
  const groups: JudgedUse[][] = [];
  for (const g of byToken.values()) {
    if (g.length === 0) continue;
    let sorted = true;
    for (let i = 1; i < g.length && sorted; i++) sorted = before(g[i - 1], g[i]) <= 0;
    groups.push(sorted ? g : g.sort(before));
  }
  return groups;
}

/**
 * Judges each token's uses. The rules run once per token and context — the host it was sent to
 * (project-mismatch and issuer checks compare with it) and which time checks fail at that use —
 * and every further use in the same context only adds itself to those findings. Signature checks
 * go through the cache, so a token is verified once across uses and runs.
 */
async function judgeTokenUses(groups: JudgedUse[][], out: FindingSet, env: { project: ProjectKnowledge; cache: TokenCache; useAt: (t: number) => UseTime }): Promise<void> {
  const hostKeys = new Map<string, string>();
  const hostKey = (url: string | undefined): string => {
    if (url === undefined) return '';
    let k = hostKeys.get(url);
    if (k === undefined) hostKeys.set(url, (k = `${projectRefOfUrl(url)}|${originOfUrl(url) ?? ''}`));
    return k;
  };
  for (const group of groups) {
    const judged = new Map<string, string[]>();
    for (const u of group) {
      const use = env.useAt(u.time);
      const claims = u.token.form === 'jwt' ? (u.token.claims ?? {}) : {};
      const t = timeFactsAt(claims, serverNowSec(use));
      const context = `${hostKey(u.sentTo)}|${+t.expired}${+t.notYetValid}${+t.iatInFuture}`;
      const keys = judged.get(context);
      if (keys) {
        for (const k of keys) out.recordUse(k, u);
        continue;
      }
      const evidence: FindingEvidence = {};
      if (u.requestId !== undefined) evidence.requestId = u.requestId;
      if (u.frameSeq !== undefined) evidence.frameSeq = u.frameSeq;
      if (u.conn !== undefined) evidence.conn = u.conn;
      if (u.topic !== undefined) evidence.topic = u.topic;
      let findings: Finding[];
      try {
        ({ findings } = await checkToken(u.token, { project: env.project, use, sentTo: u.sentTo, observedInPage: true, evidence, cache: env.cache }));
      } catch (err) {
        // This token's own findings are lost; every other token and channel is still judged.
        findings = [limitedFinding(`checking the ${u.token.label}`, err, { ...evidence, token: u.token.label }, u.time)];
      }
      judged.set(context, findings.map((f) => out.addTokenFinding(f, u)));
    }
  }
}

function channelScope(key: ChannelKey): string {
  return `ch:${key.conn}:${key.topic}`;
}

// ---------------------------------------------------------------------------------------------


/** Time facts: said once per token too, but their `expected` (the server clock) varies per use. */
const TIME_CODES = new Set<FindingCode>(['token-expired', 'token-not-yet-valid', 'iat-in-future']);

interface TokenFindingUses {
  finding: Finding;
  count: number;
  places: Map<string, FindingUse>;
  omitted: Set<string>;
}

class FindingSet {
  private byKey = new Map<string, Finding>();
  private tokenUses = new Map<string, TokenFindingUses>();
  /** Said once per channel topic and token, whichever channel instance (rejoins) it came from. */
  private static readonly ONCE_PER_TOPIC = new Set<FindingCode>(['refresh-paused-while-hidden', 'signed-out-token-retained', 'channel-token-stale', 'token-expires-soon', 'channel-joined-as-anon', 'join-timed-out']);

  /** About a socket rather than a frame: one per connection (lifecycle.ts groups repeats first). */
  private static readonly PER_CONNECTION = new Set<FindingCode>(['socket-closed', 'heartbeat-timeout', 'reconnect-loop']);

  /** A finding about an event (a server reply, a request, a channel's history): one per event. */
  add(f: Finding, _scope: string): void {
    const key = FindingSet.ONCE_PER_TOPIC.has(f.code) ? `${f.code}|${f.evidence.token ?? ''}|${f.evidence.conn ?? ''}|${f.evidence.topic ?? ''}`
      : `${f.code}|${f.evidence.token ?? ''}|${f.evidence.topic ?? ''}|${f.evidence.frameSeq ?? ''}|${f.evidence.requestId && !f.evidence.token ? f.evidence.requestId : ''}${f.code === 'analysis-limited' ? `|${f.message}` : ''}${FindingSet.PER_CONNECTION.has(f.code) ? `|${f.evidence.conn ?? ''}` : ''}`;
    if (!this.byKey.has(key)) this.byKey.set(key, f);
  }

  /**
   * A finding about a token itself, from one use of it: one per (code, token) — and per expected
   * value where that depends on where it was sent (project-mismatch: which project) — whatever the
   * number of places it was used. The first use (uses arrive in time order) is the primary
   * evidence; every use is counted. Returns the key, for recordUse.
   */
  addTokenFinding(f: Finding, use: JudgedUse): string {
    const distinct = TIME_CODES.has(f.code) ? '' : `${f.evidence.claim ?? ''}|${safeJsonText(f.evidence.expected, { maxLength: 2048 })}`;
    const key = `token|${f.code}|${f.evidence.token ?? ''}|${distinct}`;
    if (!this.byKey.has(key)) {
      this.byKey.set(key, f);
      this.tokenUses.set(key, { finding: f, count: 0, places: new Map(), omitted: new Set() });
    }
    this.recordUse(key, use);
    return key;
  }

  /** One more use of a token whose findings were already judged in the same context. */
  recordUse(key: string, use: JudgedUse): void {
    const entry = this.tokenUses.get(key);
    if (!entry) return;
    entry.count++;
    const path = use.kind === 'socket-apikey' || use.topic !== undefined || use.sentTo === undefined ? undefined : pathOf(use.sentTo);
    const placeKey = `${use.kind}\u0000${use.conn ?? ''}\u0000${use.topic ?? ''}\u0000${path ?? ''}`;
    const place = entry.places.get(placeKey);
    if (place) {
      place.count++;
      place.first = Math.min(place.first, use.time);
      place.last = Math.max(place.last, use.time);
    } else if (entry.places.size < MAX_USE_PLACES) {
      const p: FindingUse = { kind: use.kind, count: 1, first: use.time, last: use.time };
      if (use.frameSeq !== undefined) p.frameSeq = use.frameSeq;
      if (use.requestId !== undefined) p.requestId = use.requestId;
      if (use.conn !== undefined) p.conn = use.conn;
      if (use.topic !== undefined) p.topic = use.topic;
      if (path !== undefined) p.path = path;
      entry.places.set(placeKey, p);
    } else {
      entry.omitted.add(placeKey);
    }
  }

  /** Whether a finding with this code is already said about this token (by label). */
  hasTokenFinding(code: FindingCode, tokenLabel: string): boolean {
    for (const { finding: f } of this.tokenUses.values()) if (f.code === code && f.evidence.token === tokenLabel) return true;
    return false;
  }

  /** The server confirmed a problem with this token: raise related findings to errors. */
  confirm(tokenLabel: string | undefined, codes: FindingCode[]): void {
    if (!tokenLabel) return;
    for (const f of this.byKey.values()) {
      if (f.evidence.token === tokenLabel && codes.includes(f.code)) {
        f.confirmedByServer = true;
        f.severity = 'error';
      }
    }
  }
  all(): Finding[] {
    return [...this.byKey.values()];
  }
  /** Every finding, most severe first; token findings carry their places of use. */
  sorted(): Finding[] {
    // New objects: the findings held here stay as they were judged, so calling this twice (or
    // after more uses were recorded) never repeats the sentence.
    const withUses = new Map<Finding, Finding>();
    for (const { finding: f, count, places, omitted } of this.tokenUses.values()) {
      const uses = [...places.values()];
      withUses.set(f, {
        ...f,
        evidence: { ...f.evidence, useCount: count, uses, ...(omitted.size > 0 ? { usesOmitted: omitted.size } : {}) },
        message: count > 1 ? `${f.message} ${usesSentence(count, uses, omitted.size)}` : f.message,
      });
    }
    return this.all()
      .map((f) => withUses.get(f) ?? f)
      .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || (a.time ?? 0) - (b.time ?? 0));
  }
}

/** "Applies to 3 uses: socket apikey (c1); HTTP apikey header ×2 (/rest/v1/items)." */
function usesSentence(count: number, uses: FindingUse[], omitted: number): string {
  const shown = uses.slice(0, 4).map((u) => {
    const where = u.topic ?? u.path ?? u.conn;
    return `${USE_WORDS[u.kind]}${u.count > 1 ? ` ×${u.count}` : ''}${where ? ` (${where})` : ''}`;
  });
  const more = uses.length - shown.length + omitted;
  return `Applies to ${count} uses: ${shown.join('; ')}${more > 0 ? `; ${more} more place${more === 1 ? '' : 's'}` : ''}.`;
}

interface ServerStatement {
  diag: ServerReplyDiagnosis;
  span: EffectiveTokenSpan | null;
  /** Browser time the server checked the token (join arrival, or the system message). */
  checkedAt: number;
  seq: number;
  kind: 'join-reply' | 'system';
  closes: boolean;
  payload?: unknown;
}

function serverStatements(ch: ChannelRecord, timeline: EffectiveTokenSpan[]): ServerStatement[] {
  const out: ServerStatement[] = [];
  for (const a of ch.attempts) {
    if (a.reply?.status !== 'error') continue;
    const response = a.reply.response as { reason?: unknown } | undefined;
    const reason = response && typeof response === 'object' ? response.reason : response;
    // The join is checked when it arrives; the reply comes ~5 s later (CHANNEL_ERROR_BACKOFF_MS).
    out.push({ diag: diagnoseJoinReason(reason), span: effectiveChannelTokenAt(timeline, a.frame.time, a.frame.seq), checkedAt: a.frame.time, seq: a.reply.frame.seq, kind: 'join-reply', closes: false });
  }
  for (const m of ch.systemMessages) {
    const d = diagnoseSystemMessage(m.payload);
    out.push({ diag: d, span: effectiveChannelTokenAt(timeline, m.frame.time, m.frame.seq), checkedAt: m.frame.time, seq: m.frame.seq, kind: 'system', closes: d.closesChannel, payload: m.payload });
  }
  return out;
}


/** The finding that explains a server statement, refined with the token that was judged. */
function causeOf(diag: ServerReplyDiagnosis, token: DecodedToken | null | undefined): FindingCode | undefined {
  const claims = token?.claims ?? {};
  switch (diag.said) {
    case 'missing-claims':
      return !('exp' in claims) && token?.form === 'jwt' ? 'exp-missing' : 'role-missing';
    case 'signer': {
      const alg = token?.header?.alg;
      if (typeof alg === 'string' && SUPPORTED_ALGS.includes(alg) && isAsymmetricAlg(alg) && token?.header?.kid === undefined) return 'kid-missing';
      return 'alg-unsupported';
    }
    case 'generic':
      if (token?.form === 'malformed') return 'token-malformed';
      if (['exp', 'iat'].some((k) => k in claims && typeof claims[k] !== 'number')) return 'claim-type-invalid';
      return diag.causeCode;
    case 'claim-invalid':
      if (typeof claims.exp === 'number') return 'token-expired';
      return diag.causeCode;
    default:
      return diag.causeCode;
  }
}

function tokenWords(span: EffectiveTokenSpan | null): string {
  if (!span) return 'no token was seen for this channel';
  if (!span.token) return `the token judged was ${span.note}`;
  const exp = span.token.claims?.exp;
  return `the token judged was the ${span.token.label} (${span.note}${typeof exp === 'number' ? `, exp ${isoOf(exp)}` : ''})`;
}

function serverReplyFindings(ch: ChannelRecord, statements: readonly ServerStatement[], out: FindingSet, useAt: (t: number) => UseTime): void {
  const scope = channelScope(ch.key);
  for (const s of statements) {
    if (s.diag.limited) {
      out.add(finding('analysis-limited', {
        message: `The server's ${s.kind === 'join-reply' ? 'join reply' : 'system message'} on ${short(ch.key.topic)} (frame #${s.seq}) was not read whole: ${s.diag.limited}.`,
        cause: 'Every reason the Realtime server sends is a short sentence; this one is longer or is not text, so it was crafted or corrupted. Claimscope matched the known wordings on what it read and shows that part.',
        fix: 'Open the frame in the Frames view to see the whole value. If a proxy or your own server code writes these replies, check what it sends.',
        evidence: { frameSeq: s.seq, conn: ch.key.conn, topic: ch.key.topic, actual: s.diag.limited }, time: s.checkedAt,
      }), scope);
    }
    const label = s.span?.token?.label ?? (s.span?.source === 'gateway' ? 'gateway-minted JWT (not visible)' : undefined);
    const cause = causeOf(s.diag, s.span?.token);
    const evidence = { token: label, frameSeq: s.seq, conn: ch.key.conn, topic: ch.key.topic, serverText: s.diag.text, actual: s.diag.text };
    const known = s.diag.said !== 'unknown';
    if (s.kind === 'join-reply') {
      const predicted = predictedJoinText(s.span, useAt(s.checkedAt));
      out.add(finding('server-join-rejected', {
        message: `Join of ${ch.key.topic} rejected: ${s.diag.text}`,
        cause: `${known ? s.diag.explanation : `Unknown reason (shown verbatim): ${s.diag.text}.`} ${capitalise(tokenWords(s.span))}.${s.diag.current ? '' : ' (Wording of an older Realtime server.)'}`,
        fix: fixFor(cause, s.diag),
        evidence: { ...evidence, expected: predicted ?? undefined }, time: s.checkedAt, causeCode: cause,
      }), scope);
    } else if (s.diag.said === 'postgres-error' || (isObj(s.payload) && s.payload.extension === 'postgres_changes' && s.payload.status === 'error')) {
      const role = s.span?.token?.claims?.role;
      out.add(finding('postgres-changes-error', {
        message: `Postgres Changes subscription on ${ch.key.topic} failed: ${s.diag.text}`,
        cause: `The channel stays open but no database changes will arrive. Subscriptions run under the token's role${role !== undefined ? ` (${safeJsonText(role, { maxDepth: 8, maxLength: 200 })})` : ''}; a role that is not a Postgres role, or an invalid table/filter, makes them fail.`,
        fix: 'Check the table, schema and filter of the postgres_changes binding; make sure the token\'s role is a real Postgres role (authenticated/anon) with SELECT on the table.',
        evidence, time: s.checkedAt, causeCode: role !== undefined && !['anon', 'authenticated', 'service_role'].includes(String(role)) ? 'role-unknown' : undefined,
      }), scope);
      continue;
    } else if (s.closes) {
      out.add(finding('server-channel-closed', {
        message: `The server closed ${ch.key.topic}: ${s.diag.text}`,
        cause: `${known ? s.diag.explanation : `Unknown reason (shown verbatim): ${s.diag.text}.`} ${capitalise(tokenWords(s.span))}. realtime-js reports CLOSED and does not rejoin: create a new channel.`,
        fix: fixFor(cause, s.diag),
        evidence, time: s.checkedAt, causeCode: cause,
      }), scope);
    } else {
      continue;
    }
    if (cause === 'private-channel-denied') {
      out.add(finding('private-channel-denied', {
        message: `Private channel ${ch.key.topic}: read denied by RLS.`,
        cause: 'The token is valid; an RLS policy on realtime.messages does not grant SELECT (broadcast/presence read) for these claims and this topic.',
        fix: 'Add a policy on realtime.messages for the authenticated role matching realtime.topic(), or join as a user the policy allows.',
        evidence, time: s.checkedAt,
      }), scope);
    }
    if (cause) out.confirm(label, [cause, 'signed-out-token-retained', 'channel-token-stale', 'refresh-paused-while-hidden', 'token-expires-soon']);
  }
}

function predictedJoinText(span: EffectiveTokenSpan | null, use: UseTime): string | null {
  if (!span?.token) return null;
  // Synchronous part of the prediction: the claim checks on the server clock (signature unverified).
  const t = span.token;
  if (t.form === 'malformed') return joinReason(t.problem?.serverSees === 'generic' ? { kind: 'generic', detail: '' } : { kind: 'malformed', detail: '' });
  const exp = t.claims?.exp;
  if (typeof exp === 'number') {
    const n = serverNowSec(use) - Math.round(exp);
    if (n >= 0) return joinReason({ kind: 'expired', secondsAgo: n });
  }
  return null;
}

function fixFor(cause: FindingCode | undefined, diag: ServerReplyDiagnosis): string {
  switch (cause) {
    case 'token-expired':
      return 'Refresh the session before exp and give Realtime the new token: supabase.realtime.setAuth(session.access_token) (supabase-js does this on TOKEN_REFRESHED). After a close, create a new channel.';
    case 'private-channel-denied':
      return 'Fix the RLS policies on realtime.messages for this topic, or subscribe as a user they allow.';
    case 'token-malformed':
      return 'Send a real JWT as access_token (never an empty string), or omit it.';
    case 'signature-invalid':
      return 'Use a token issued by this project (check the URL, keys and the JWT secret / signing keys).';
    case 'kid-unknown':
      return 'The key with this kid is revoked or belongs to another project: sign with a current key of this project.';
    case 'role-missing':
    case 'exp-missing':
      return 'Mint the token with both role and exp.';
    case 'claim-validator-mismatch':
      return 'Compare the token\'s claims (iss, aud…) with the server\'s JWT_CLAIM_VALIDATORS; check exp/iat are numbers.';
    default:
      return diag.explanation;
  }
}

function connectRefusedFinding(c: ConnectionRecord, out: FindingSet, useAt: (t: number) => UseTime, decode: TokenDecoder): void {
  const status = c.upgrade?.status;
  if (!c.refused && !(status !== undefined && status >= 400)) return;
  const diag = diagnoseConnectFailure(status);
  const apikey = c.apikey === undefined ? null : decode(c.apikey);
  let predicted = 'unknown';
  let cause: FindingCode | undefined;
  if (apikey === null) predicted = '401 {"error":"API key is missing"}';
  else if (apikey.form === 'opaque-key') predicted = 'unknown: the gateway swaps sb_ keys';
  else if (apikey.form !== 'jwt') {
    predicted = `401 {"error":"${connectBody({ kind: 'malformed', detail: '' })!.error}"}`;
    cause = 'token-malformed';
  } else {
    const exp = apikey.claims?.exp;
    if (typeof exp === 'number' && serverNowSec(useAt(c.createdAt)) >= Math.round(exp)) {
      predicted = '401 {"error":"Token has expired"}';
      cause = 'token-expired';
    }
  }
  out.add(finding('server-connect-refused', {
    message: `The WebSocket upgrade to ${c.url.replace(/apikey=[^&]*/, 'apikey=…')} was refused${status !== undefined ? ` (HTTP ${status})` : ''}.`,
    cause: `${diag.explanation} Predicted from the apikey: ${predicted}.${c.upgrade?.error ? ` The network layer said: ${c.upgrade.error}.` : ''}${c.close?.code === 1006 ? ' The page itself saw only close code 1006 (abnormal closure, no close frame): that is how a browser reports any refused upgrade, and realtime-js tells the app CHANNEL_ERROR and reconnects with the same apikey.' : ''}`,
    fix: cause === 'token-expired' ? 'The apikey JWT is expired: use the project\'s current anon / publishable key.' : 'Decode the apikey (Tokens view or `claimscope decode`) and check it is this project\'s current anon or publishable key.',
    evidence: { token: apikey?.label, conn: c.conn, actual: status ?? c.upgrade?.error ?? 'closed before open', expected: predicted }, time: c.close?.time ?? c.createdAt, causeCode: cause,
  }), `conn:${c.conn}`);
  if (cause) out.confirm(apikey?.label, [cause]);
}

/**
 * REST broadcast (`/realtime/v1/api/broadcast…`) refused with 401: the server judges the bearer
 * token (Authorization wins over apikey) as it judges a socket connect, and answers every failure
 * with the same {"message":"Unauthorized"} (§2.5, §3.5). The verdict says which check failed.
 */
async function broadcastRefusals(index: EvidenceView, out: FindingSet, project: ProjectKnowledge, useAt: (t: number) => UseTime, decode: TokenDecoder): Promise<void> {
  const judged = new Map<string, string>();
  for (const { request, response } of index.broadcastResponses) {
    if (response.status !== 401) continue;
    const auth = request.headers.authorization;
    const bearer = typeof auth === 'string' && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '') : undefined;
    const raw = bearer ?? request.headers.apikey;
    const token = raw === undefined ? null : decode(raw);
    const source = bearer !== undefined ? 'Authorization bearer' : raw !== undefined ? 'apikey header' : 'nothing';
    const key = `${token?.cleaned ?? ''}|${source}`;
    let verdict = judged.get(key);
    if (verdict === undefined) {
      if (token === null) verdict = 'no token reached the server (no Authorization and no apikey header)';
      else if (token.form === 'opaque-key') verdict = `the ${token.label} is swapped by the API gateway for a JWT the browser never sees; without the gateway (self-hosted) Realtime cannot read it`;
      else {
        const v = await predictConnectVerdict(token, project, useAt(request.time));
        verdict = v.accepted === false ? `the ${token.label} fails the server's check: ${v.explanation}${v.body ? ` (a socket connect would get ${v.status} {"error":"${v.body.error}"})` : ''}` : v.accepted === true
          ? `the ${token.label} passes every check Claimscope can make${v.conditional ? ` (${v.conditions.join('; ')})` : ''}: the signature or a claim validator is the likely cause`
          : `the verdict on the ${token.label} depends on what Claimscope cannot see: ${v.explanation}`;
      }
      judged.set(key, verdict);
    }
    const body = response.errorBody ? parseErrorBody(response) : null;
    out.add(finding('server-broadcast-refused', {
      message: `REST broadcast refused: HTTP 401${body ? ` ${body}` : ''} (${pathOf(request.url)}).`,
      cause: `Realtime's broadcast API judges the ${source} (Authorization wins over apikey) exactly as a socket connect, and answers any failure with 401 {"message":"Unauthorized"}: ${verdict}.`,
      fix: 'Send a valid token of this project: supabase-js uses the session\'s access token (or the API key) as Authorization; a server-side sender should use the secret or service-role key, never from the browser.',
      evidence: { token: token?.label, requestId: request.req, serverText: body ?? undefined, actual: 401, expected: 202 },
      time: response.time,
    }), `req:${request.req}`);
  }
}

function rejoinLoops(channels: readonly ChannelRecord[], out: FindingSet): void {
  const byTopic = new Map<string, Array<{ time: number; seq: number; reason: string | null; key: ChannelKey }>>();
  for (const ch of channels) {
    const k = `${ch.key.conn}\u0000${ch.key.topic}`;
    const list = byTopic.get(k) ?? [];
    for (const a of ch.attempts) {
      const r = a.reply?.status === 'error' ? (a.reply.response as { reason?: unknown } | undefined)?.reason : undefined;
      list.push({ time: a.frame.time, seq: a.reply?.frame.seq ?? a.frame.seq, reason: a.reply?.status === 'error' ? normaliseReason(r) : null, key: ch.key });
    }
    byTopic.set(k, list);
  }
  for (const list of byTopic.values()) {
    list.sort((a, b) => a.time - b.time);
    let run = 0;
    let last: string | null = null;
    let reported = false;
    for (const item of list) {
      if (item.reason !== null && item.reason === last) run++;
      else {
        run = item.reason === null ? 0 : 1;
        reported = false;
      }
      last = item.reason;
      if (run >= 3 && !reported) {
        reported = true;
        out.add(finding('rejoin-loop', {
          message: `${item.key.topic} was rejected ${run}+ times in a row for the same reason.`,
          cause: 'realtime-js rejoins automatically after a join error (1 s, 2 s, 5 s, 10 s…) with the same join payload; nothing changes between attempts, so each fails the same way and CHANNEL_ERROR repeats.',
          fix: 'Fix the cause of the first rejection (usually a stale token: call supabase.realtime.setAuth() with a fresh one), or remove the channel instead of letting it retry forever.',
          evidence: { frameSeq: item.seq, conn: item.key.conn, topic: item.key.topic, actual: item.reason ?? undefined, serverText: item.reason ?? undefined }, time: item.time,
        }), channelScope(item.key));
      }
    }
  }
}

/**
 * A rejection reason for comparing rejections: the number of "N seconds ago" ignored. Read as the
 * diagnosis reads it (capped, core/diagnosis/replies.ts), so a crafted 80,000-digit reason costs
 * what 1 KB costs, once a second.
 */
function normaliseReason(reason: unknown): string {
  if (typeof reason === 'string') return withoutSecondsAgo(readReason(reason).text);
  return reason === undefined ? 'undefined' : reasonJson(reason).text;
}

function refreshFailures(index: EvidenceView, out: FindingSet): void {
  for (const { response: e } of index.refreshResponses) {
    if (e.status < 400 && !e.networkError) continue;
    const body = parseErrorBody(e);
    out.add(finding('refresh-failed', {
      message: `Session refresh failed: ${e.networkError ? `network error (${e.networkError})` : `HTTP ${e.status}${body ? ` ${body}` : ''}`}.`,
      cause: e.networkError
        ? 'The refresh request never reached Auth (offline, blocked, or CORS). The access token will expire and Realtime will close the channels at exp.'
        : 'Auth refused the refresh token (already used, revoked by sign-out elsewhere, or the session expired). auth-js then waits 60 s before retrying and may sign the user out.',
      fix: 'Check the error body; if the refresh token is invalid the user must sign in again. Avoid running two clients that refresh the same session (refresh-token reuse).',
      evidence: { requestId: e.req, actual: e.networkError ?? e.status, serverText: body ?? undefined }, time: e.time,
    }), `req:${e.req}`);
  }
}

function parseErrorBody(e: HttpResponse): string | null {
  if (!e.errorBody) return null;
  try {
    const b = JSON.parse(e.errorBody) as Record<string, unknown>;
    const msg = b.error_description ?? b.msg ?? b.message ?? b.error_code ?? b.error;
    return typeof msg === 'string' ? msg : e.errorBody.slice(0, 200);
  } catch {
    return e.errorBody.slice(0, 200);
  }
}

/**
 * Runs one part of the analysis; when a captured value makes it throw, says so in an
 * `analysis-limited` finding (what was skipped and why) and goes on with the rest.
 */
function analysisGuard(out: FindingSet) {
  return (what: string, run: () => void, evidence: FindingEvidence = {}): void => {
    try {
      run();
    } catch (err) {
      out.add(limitedFinding(what, err, evidence, null), 'global');
    }
  };
}

function limitedFinding(what: string, err: unknown, evidence: FindingEvidence, time: number | null): Finding {
  const why = readReason(err instanceof Error ? `${err.name}: ${err.message}` : safeJsonText(err, { maxLength: 200 })).text.slice(0, 300);
  return finding('analysis-limited', {
    severity: 'warning',
    message: `Claimscope could not finish ${what}: ${why}. Its findings are missing; the rest of the analysis is complete.`,
    cause: 'A captured value (a token, frame or reason) is shaped in a way the analysis did not survive: typically nested thousands of levels deep or megabytes long, which no Supabase client or server produces.',
    fix: 'Look at the value in the Frames, HTTP or Tokens view. Please report this with an export of the session: the analysis should cope with any value.',
    evidence: { ...evidence, actual: why }, time,
  });
}

type ChannelCtx = { ch: ChannelRecord; conn: ConnectionRecord | undefined; timeline: EffectiveTokenSpan[]; statements: ServerStatement[] };

function isUserToken(t: DecodedToken | null | undefined): t is DecodedToken {
  return !!t && (t.tokenClass === 'user-access-token' || t.tokenClass === 'anonymous-user-token');
}

/** When the channel stopped being live (close, leave, socket close), or +∞. */
function channelEnd(ch: ChannelRecord, conn: ConnectionRecord | undefined): number {
  return Math.min(ch.closedBy?.time ?? Infinity, ch.leftBy?.time ?? Infinity, conn?.close?.time ?? Infinity);
}

function signedOutRetention(index: EvidenceView, channels: ChannelCtx[], out: FindingSet, lastTime: number): void {
  const logouts = index.logouts;
  for (const { ch, conn, timeline } of channels) {
    const end = channelEnd(ch, conn);
    const moments: Array<{ time: number; seq: number; why: string; req?: string }> = logouts.map((l) => ({ time: l.time, seq: l.seq, why: 'sign-out request (/auth/v1/logout)', req: l.req }));
    for (const span of timeline) {
      for (const ig of span.ignored) {
        if (isUserToken(span.token) && (ig.value === null || (typeof ig.value === 'string' && ig.value.startsWith('sb_')))) {
          moments.push({ time: ig.frame.time, seq: ig.frame.seq, why: `access_token push of ${ig.value === null ? 'null' : 'an sb_ key'} (what setAuth() sends after sign-out)` });
        }
      }
    }
    for (const m of moments.sort((a, b) => a.time - b.time)) {
      if (m.time >= end) continue;
      const before = effectiveChannelTokenAt(timeline, m.time, m.seq);
      if (!isUserToken(before?.token)) continue;
      const checkAt = Math.min(m.time + PROPAGATION_GRACE_MS, lastTime, end - 1);
      const after = effectiveChannelTokenAt(timeline, checkAt);
      if (after !== before) continue;
      const exp = before!.token!.claims?.exp;
      out.add(finding('signed-out-token-retained', {
        message: `After sign-out, ${ch.key.topic} still runs on the signed-out user's token.`,
        cause: `Trigger: ${m.why}. The refresh value after sign-out is the sb_ publishable key (or null), which the server ignores (§2.3), so the old user token and its expiry timer stay in force${typeof exp === 'number' ? ` until ${isoOf(exp)}, when the channel closes with "Token has expired"` : ''}. Until then the channel keeps that user's RLS access.`,
        fix: `On SIGNED_OUT, remove the channels (supabase.removeAllChannels()) and re-subscribe, or use a legacy anon JWT as the key so setAuth() can downgrade the channel.${clientsOf(index, ch.key.conn, channels).some(isLegacyRealtimeJs) ? ' This page\'s realtime-js (≤ 2.15) also keeps the old token in the join payload after setAuth(null), so even its rejoins send it (§7).' : ''}`,
        evidence: { token: before!.token!.label, frameSeq: m.req ? undefined : m.seq, requestId: m.req, conn: ch.key.conn, topic: ch.key.topic }, time: m.time,
      }), channelScope(ch.key));
      break;
    }
  }
}

function staleChannelTokens(tokens: SeenToken[], channels: ChannelCtx[], out: FindingSet, lastTime: number): void {
  const userTokens = tokens.filter((t) => isUserToken(t.token));
  for (const { ch, conn, timeline } of channels) {
    const end = channelEnd(ch, conn);
    // Only a token the channel could be behind matters (same user, later exp than a user token the
    // channel held): the page's HTTP calls mostly carry the channel's own token, and a long session
    // has thousands of them.
    const held = timeline.map((s) => s.token).filter(isUserToken);
    const newerThanHeld = (t: DecodedToken) =>
      held.some((c) => c.cleaned !== t.cleaned && c.claims?.sub === t.claims?.sub && typeof c.claims?.exp === 'number' && typeof t.claims?.exp === 'number' && t.claims.exp > c.claims.exp);
    const httpUses = userTokens
      .filter((t) => newerThanHeld(t.token))
      .flatMap((t) => t.uses.filter((u) => u.kind === 'http-authorization' || u.kind === 'token-grant').map((u) => ({ token: t.token, use: u })))
      .sort((a, b) => a.use.time - b.use.time);
    for (const { token: newer, use } of httpUses) {
      const checkAt = use.time + PROPAGATION_GRACE_MS;
      if (checkAt >= end || checkAt > lastTime) continue;
      const span = effectiveChannelTokenAt(timeline, checkAt);
      const current = span?.token;
      if (!isUserToken(current) || current.cleaned === newer.cleaned) continue;
      if (current.claims?.sub !== newer.claims?.sub) continue;
      const ce = current.claims?.exp;
      const ne = newer.claims?.exp;
      if (typeof ce !== 'number' || typeof ne !== 'number' || ne <= ce) continue;
      out.add(finding('channel-token-stale', {
        message: `${ch.key.topic} still uses an older access token than the page's HTTP calls.`,
        cause: `The page got a newer token (${newer.label}, exp ${isoOf(ne)}) at ${isoOf(use.time / 1000)}, but the channel keeps ${current.label} (exp ${isoOf(ce)}); the server will close the channel at that exp.`,
        fix: 'Pass refreshed tokens to Realtime: supabase.realtime.setAuth(session.access_token) in onAuthStateChange (TOKEN_REFRESHED), or let supabase-js manage Realtime auth (do not call setAuth with a fixed token).',
        evidence: { token: current.label, requestId: use.req, conn: ch.key.conn, topic: ch.key.topic, expected: newer.label, actual: current.label }, time: use.time,
      }), channelScope(ch.key));
      break;
    }
  }
}

function channelState(ch: ChannelRecord, conn: ConnectionRecord | undefined, timeline: EffectiveTokenSpan[], now: number, skewMs: number): ChannelAnalysis {
  const end = channelEnd(ch, conn);
  const live = end > now && ch.phase !== 'closed' && ch.phase !== 'errored';
  const current = effectiveChannelTokenAt(timeline, Math.min(now, end));
  const exp = current?.token?.claims?.exp;
  const expiresAt = typeof exp === 'number' ? Math.round(exp) : null;
  const secondsLeft = expiresAt === null ? null : expiresAt - serverNowSec({ at: now, skewMs });
  return { key: ch.key, timeline, current, live, expiresAt, secondsLeft };
}

/**
 * When a refresh is due before exp: the user's setting (an app that refreshes on its own schedule),
 * else auth-js's margin. Out-of-range values fall back to the default rather than silencing the rule.
 */
function refreshMarginS(project: ProjectKnowledge): number {
  const m = project.refreshMarginSeconds;
  return typeof m === 'number' && Number.isFinite(m) && m >= 1 && m <= 86_400 ? Math.round(m) : REFRESH_MARGIN_S;
}

function expiringSoon(channels: ChannelAnalysis[], out: FindingSet, now: number, marginS: number): void {
  for (const c of channels) {
    if (!c.live || !c.current?.token || c.secondsLeft === null) continue;
    if (c.secondsLeft > 0 && c.secondsLeft <= marginS) {
      out.add(finding('token-expires-soon', {
        message: `${c.key.topic}: the channel token expires in ${c.secondsLeft} s and no newer token has reached the channel.`,
        cause: `The server closes the channel at exp (${isoOf(c.expiresAt!)}) with "Token has expired" unless an access_token push brings a fresh token first; ${marginS === REFRESH_MARGIN_S ? `auth-js should have refreshed ${marginS} s before exp` : `the refresh was due ${marginS} s before exp (your refresh margin setting)`}.`,
        fix: 'Make sure the session refreshes (tab visible, auto-refresh on) and the new token reaches Realtime: supabase.realtime.setAuth(session.access_token).',
        evidence: { token: c.current.token.label, conn: c.key.conn, topic: c.key.topic, claim: 'exp', actual: c.expiresAt }, time: now,
      }), channelScope(c.key));
    }
  }
}

function pausedWhileHidden(index: EvidenceView, channels: ChannelCtx[], out: FindingSet, skewMs: number, marginS: number): void {
  const lifecycle = index.lifecycle;
  if (lifecycle.length === 0) return;
  for (const { ch, conn, statements } of channels) {
    for (const s of statements) {
      if (s.diag.said !== 'expired' && s.diag.said !== 'expiration-invalid') continue;
      const exp = s.span?.token?.claims?.exp;
      if (typeof exp !== 'number') continue;
      const expBrowser = Math.round(exp) * 1000 - skewMs;
      const from = expBrowser - marginS * 1000;
      // Hidden (or frozen) when the refresh was due, or a clock jump (sleep) around it.
      let hidden = false;
      for (const e of lifecycle) {
        if (e.time > from) break;
        if (e.change === 'hidden' || e.change === 'freeze') hidden = true;
        if (e.change === 'visible' || e.change === 'resume') hidden = false;
      }
      const during = lifecycle.filter((e) => e.time > from && e.time <= s.checkedAt + 5000 && (e.change === 'hidden' || e.change === 'freeze' || e.change === 'clock-jump') && (e.change === 'clock-jump' || e.time <= expBrowser));
      if (!hidden && during.length === 0) continue;
      const what = during.find((e) => e.change === 'clock-jump') ? 'the machine slept (the wall clock jumped)' : 'the tab was hidden or frozen';
      out.add(finding('refresh-paused-while-hidden', {
        message: `${ch.key.topic}: the token expired while ${what}.`,
        cause: `auth-js stops its refresh ticker while the tab is hidden and only refreshes on return (§5.4); background timers are throttled, so the heartbeat-driven setAuth() came too late and the server judged the old token expired. After a frozen tab resumes, realtime-js reconnects and rejoins with the stale token before auth-js's refresh lands (measured with supabase-js ${MEASURED_SUPABASE_JS}), so expect one more "Token has expired" join error before it recovers.${clientSentence(index, ch.key.conn, conn?.vsn ?? '1.0.0', channels)}`,
        fix: 'Use the realtime option worker: true (heartbeat in a Web Worker), and on visibilitychange → visible call supabase.auth.getSession() then supabase.realtime.setAuth(). Handle CLOSED by creating a new channel.',
        evidence: { token: s.span!.token!.label, frameSeq: s.seq, conn: ch.key.conn, topic: ch.key.topic, serverText: s.diag.text }, time: s.checkedAt,
        severity: 'error', confirmedByServer: true,
      }), channelScope(ch.key));
      break;
    }
  }
}

function apiKeyVsAccessTokenProject(tokens: SeenToken[], out: FindingSet): void {
  // When either token is already said to be from another project than the host, that is this
  // problem, said once.
  const keys = tokens.filter((t) => (t.token.tokenClass === 'legacy-anon-key' || t.token.tokenClass === 'legacy-service-role-key') && t.token.projectRef !== 'unknown');
  const users = tokens.filter((t) => isUserToken(t.token) && t.token.projectRef !== 'unknown');
  for (const k of keys) {
    for (const u of users) {
      if (k.token.projectRef === u.token.projectRef) continue;
      if (out.hasTokenFinding('project-mismatch', k.token.label) || out.hasTokenFinding('project-mismatch', u.token.label)) continue;
      out.add(finding('project-mismatch', {
        message: `The API key belongs to project "${k.token.projectRef}" but the access token to "${u.token.projectRef}".`,
        cause: 'The page mixes keys and sessions of two projects (a stale session in storage, or a copied .env). One of the two will fail signature checks.',
        fix: 'Use the URL and key of one project, then sign out and in again so the session comes from that project.',
        evidence: { token: u.token.label, claim: 'ref/iss', expected: k.token.projectRef, actual: u.token.projectRef }, time: u.firstSeen,
      }), 'global');
      return;
    }
  }
}

/** A captured name (topic) inside a sentence about a limit: never the megabyte it may be. */
function short(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

