// Engine: tokens decoded and checked per second in Node, first sight vs cached.
//
// The path is the analysis's own (core/analysis/analyze.ts judgeTokenUses): TokenCache.decode
// (base64url + JSON, memoised by the raw string) then checkToken (core/rules/token-rules.ts: the
// server's judgement — signature through TokenCache.verify, memoised per token and project
// knowledge — and the token's findings). Tokens are real: user access tokens as Supabase Auth
// writes them, signed with jose (core/tokens/testing.ts), each one distinct.
//
//   first sight  a fresh TokenCache, every token new to it: decode + verify + rules;
//   cached       the same tokens again through the same cache: decode and verify are hits, the
//                rules (and the time checks, never cached) run again — what the panel's
//                once-a-second re-analysis costs per token.
// Three kinds of project knowledge: none (the signature stays unverified), the JWT secret (HS256),
// a JWKS (ES256). A warm-up pass on other tokens first, so the JIT is not what is measured.
// Run through tsx, as bench:session is: its transform keeps function names (esbuild's __name
// helper), which made these passes roughly 10–30% slower than an esbuild bundle of the same code
// in a spot check here; the panel runs vite's bundle.

import { performance } from 'node:perf_hooks';
import { checkToken } from '../../src/core/rules/token-rules';
import { TokenCache } from '../../src/core/tokens/cache';
import type { ProjectKnowledge } from '../../src/core/tokens/project';
import { makeTestKeys, mint, REF, userClaims, type MintAlg } from '../../src/core/tokens/testing';
import { median, round } from './stats';

export interface EngineCase {
  name: string;
  alg: MintAlg;
  tokens: number;
  /** Tokens per second, median over the repetitions. */
  firstSightPerS: number;
  cachedPerS: number;
  /** Per repetition. */
  firstSightRuns: number[];
  cachedRuns: number[];
  /** Cache counters after the last repetition: only the first sight may miss (decodes = verifications = tokens). */
  decodes: number;
  decodeHits: number;
  verifications: number;
  verificationHits: number;
  /** What the signature check said (the same for every token of a case). */
  signature: string;
}

export interface EngineResult {
  tokens: number;
  reps: number;
  cases: EngineCase[];
}

const SOCKET_URL = `wss://${REF}.supabase.co/realtime/v1/websocket?vsn=2.0.0`;

async function pass(raws: string[], cache: TokenCache, project: ProjectKnowledge, at: number): Promise<{ perS: number; signature: string }> {
  let signature = '';
  const t0 = performance.now();
  for (const raw of raws) {
    const token = cache.decode(raw);
    const { judgement } = await checkToken(token, { project, use: { at }, sentTo: SOCKET_URL, observedInPage: true, cache });
    signature = judgement.signature?.status ?? judgement.failure?.kind ?? 'ok';
  }
  const s = (performance.now() - t0) / 1000;
  return { perS: raws.length / s, signature };
}

export async function runEngineBench(quick: boolean): Promise<EngineResult> {
  const n = quick ? 300 : 4_000; // under TokenCache's 5,000 entries: the cached pass is all hits
  const reps = quick ? 3 : 5;
  const keys = await makeTestKeys();
  const now = Date.now();
  const nowSec = Math.floor(now / 1000);
  const tokensFor = (alg: MintAlg, count: number, salt: string) =>
    Promise.all(Array.from({ length: count }, (_, i) => mint(keys, { alg, claims: userClaims(nowSec, { sub: `${salt}-${i}`, session_id: `${salt}-session-${i}` }) })));
  const cases: Array<{ name: string; alg: MintAlg; project: ProjectKnowledge }> = [
    { name: 'no key (signature unverified)', alg: 'HS256', project: {} },
    { name: 'JWT secret (HS256 verified)', alg: 'HS256', project: { secret: keys.secret } },
    { name: 'JWKS (ES256 verified)', alg: 'ES256', project: { jwks: keys.jwks } },
  ];
  const out: EngineCase[] = [];
  for (const c of cases) {
    await pass(await tokensFor(c.alg, Math.max(100, n / 4), `warm-${c.alg}`), new TokenCache(), c.project, now);
    const firstSightRuns: number[] = [];
    const cachedRuns: number[] = [];
    let last: TokenCache | undefined;
    let signature = '';
    for (let r = 0; r < reps; r++) {
      const raws = await tokensFor(c.alg, n, `rep${r}-${c.alg}`);
      const cache = new TokenCache();
      const first = await pass(raws, cache, c.project, now);
      firstSightRuns.push(first.perS);
      signature = first.signature;
      // A cached pass is short (tens of ms): the median of three, so one GC pause does not decide it.
      const cached: number[] = [];
      for (let k = 0; k < 3; k++) cached.push((await pass(raws, cache, c.project, now)).perS);
      cachedRuns.push(median(cached));
      last = cache;
    }
    const stats = last!.stats;
    out.push({
      name: c.name,
      alg: c.alg,
      tokens: n,
      firstSightPerS: round(median(firstSightRuns), 0),
      cachedPerS: round(median(cachedRuns), 0),
      firstSightRuns: firstSightRuns.map((x) => round(x, 0)),
      cachedRuns: cachedRuns.map((x) => round(x, 0)),
      decodes: stats.decodes,
      decodeHits: stats.decodeHits,
      verifications: stats.verifications,
      verificationHits: stats.verificationHits,
      signature,
    });
  }
  return { tokens: n, reps, cases: out };
}

export function engineRows(r: EngineResult, quick: boolean): Array<{ section: string; figure: string; value: string; budget: string; met: boolean | null; status: string }> {
  const int = (x: number) => Math.round(x).toLocaleString('en');
  return r.cases.map((c) => {
    const allHits = c.decodes === c.tokens && c.verifications === c.tokens;
    return {
      section: 'engine',
      figure: `tokens decoded + checked per second in Node, ${c.name}${quick ? ` (quick: ${int(c.tokens)} tokens × ${r.reps})` : ` (${int(c.tokens)} tokens × ${r.reps})`}`,
      value: `first sight ${int(c.firstSightPerS)}/s, cached ${int(c.cachedPerS)}/s (${(c.cachedPerS / c.firstSightPerS).toFixed(1)}×); signature ${c.signature}`,
      budget: '—',
      met: null,
      status: allHits ? 'reported' : `reported (the cached passes missed: ${c.decodes} decodes, ${c.verifications} verifications for ${c.tokens} tokens)`,
    };
  });
}
