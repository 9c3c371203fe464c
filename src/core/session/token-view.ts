// The token view model: what the panel's Tokens view shows for one token (class, label, masked
// token, project, the header and claims that decide Realtime's answer, where it travelled, its
// findings once per code, and the connect and join verdicts the server would give at its use).
// The session engine builds one per token in use; the CLI's `decode` and the popup's quick decode
// build one for a pasted token with `judgePastedToken`, so every face says the same about a token.
// Pure (no DOM, no extension APIs).

import {
  checkToken,
  decodeToken,
  predictConnectVerdict,
  predictJoinVerdict,
  TOKEN_CLASS_LABELS,
  type ConnectVerdict,
  type DecodedToken,
  type Finding,
  type JoinVerdict,
  type Judgement,
  type ProjectKnowledge,
  type SeenToken,
  type TokenUseKind,
  type UseTime,
} from '../analysis';
import { maskToken } from './masking';
import { pathOf } from '../model';
import { USE_WORDS } from '../tokens/use-kind';

export interface Verdicts {
  connect: ConnectVerdict;
  join: JoinVerdict;
  /** Browser time of the use the verdicts are about. */
  at: number;
}

export interface TokenUseView {
  kind: TokenUseKind;
  /** Plain words: where the token travelled. */
  where: string;
  count: number;
  /** Channel topics or request paths, deduplicated, a few at most. */
  places: string[];
  last: number;
}

export interface TokenView {
  /** Stable key for the list (the token's label plus its index; never the token). */
  id: string;
  label: string;
  tokenClass: DecodedToken['tokenClass'];
  classLabel: string;
  form: DecodedToken['form'];
  /** The token with its signature (or most of an opaque key) hidden. */
  masked: string;
  projectRef: string;
  header: { alg?: unknown; kid?: unknown; typ?: unknown };
  claims: { role?: unknown; aud?: unknown; iss?: unknown; exp?: unknown; sub?: unknown; hasRole: boolean };
  problem?: string;
  uses: TokenUseView[];
  firstSeen: number;
  lastSeen: number;
  findings: Finding[];
  /** Predicted at the token's last use; null for opaque keys (nothing to judge) and signature-less URL tokens. */
  verdicts: Verdicts | null;
  /** Why there are no verdicts, in words (when `verdicts` is null). */
  noVerdicts?: string;
}

/** Why a token gets no predicted verdicts (`hasPredictableVerdicts` false). */
export function noVerdictsReason(token: DecodedToken): string {
  if (token.signatureNotKept) {
    return "Seen only in the page's URL, without its signature (Claimscope never keeps a URL token's signature): the page did not send it to Realtime in this form, so no connect or join verdict is predicted. Its findings judge its claims at the time the page loaded.";
  }
  return 'Not a JWT: nothing for Realtime to verify. The API gateway swaps sb_ keys for a short-lived JWT the browser never sees (issued by the gateway, not visible), so no verdict or countdown can be predicted for it.';
}


/**
 * Whether Realtime's verdicts can be predicted for this token. An `sb_` key is not what Realtime
 * judges: the API gateway swaps it for a short-lived JWT the browser never sees.
 */
export function hasPredictableVerdicts(token: DecodedToken): boolean {
  // A token seen only in a URL, signature not kept: what Realtime would answer depends on a
  // signature nobody here has, and the page never sent it to Realtime in this form.
  return token.form !== 'opaque-key' && !token.signatureNotKept;
}

/** The connect and join verdicts Realtime would give this token at one use. */
export async function predictVerdicts(token: DecodedToken, project: ProjectKnowledge, use: UseTime): Promise<Verdicts> {
  const [connect, join] = await Promise.all([predictConnectVerdict(token, project, use), predictJoinVerdict(token, project, use)]);
  return { connect, join, at: use.at };
}

/**
 * One token's view: its uses grouped by kind, the findings about it (of `findings`, those whose
 * evidence names this token) and `verdicts`, which the caller predicted at `seen.lastSeen` — or
 * null when `hasPredictableVerdicts` says there is nothing to predict. `index` is its place in the
 * list (part of the stable id).
 */
export function tokenView(seen: SeenToken, index: number, findings: readonly Finding[], verdicts: Verdicts | null): TokenView {
  const t = seen.token;
  const claims = t.claims ?? {};
  const header = t.header ?? {};
  const byKind = new Map<TokenUseKind, TokenUseView>();
  for (const use of seen.uses) {
    const s = byKind.get(use.kind) ?? { kind: use.kind, where: USE_WORDS[use.kind], count: 0, places: [], last: use.time };
    s.count++;
    s.last = Math.max(s.last, use.time);
    const place = use.topic ?? use.param ?? (use.url ? pathOf(use.url) : undefined);
    if (place && !s.places.includes(place) && s.places.length < 4) s.places.push(place);
    byKind.set(use.kind, s);
  }
  return {
    id: `${index}:${t.label}`,
    label: t.label,
    tokenClass: t.tokenClass,
    classLabel: TOKEN_CLASS_LABELS[t.tokenClass],
    form: t.form,
    masked: maskToken(t),
    projectRef: t.projectRef,
    header: { alg: header.alg, kid: header.kid, typ: header.typ },
    claims: { role: claims.role, aud: claims.aud, iss: claims.iss, exp: claims.exp, sub: claims.sub, hasRole: 'role' in claims },
    problem: t.problem?.reason,
    uses: [...byKind.values()],
    firstSeen: seen.firstSeen,
    lastSeen: seen.lastSeen,
    findings: oncePerCode(findings.filter((f) => f.evidence.token === t.label)),
    verdicts,
    ...(verdicts === null ? { noVerdicts: noVerdictsReason(t) } : {}),
  };
}

export interface PastedTokenOptions {
  /** What the user told about the project (secret, JWKS, claim validators, project URL). */
  project?: ProjectKnowledge;
  /** When the token is judged (browser clock, ms). */
  at: number;
  /** Server clock minus browser clock (ms); 0 when unknown. */
  skewMs?: number;
  /** The URL the token would be sent to, for the host-vs-token checks. */
  sentTo?: string;
}

export interface PastedToken {
  token: DecodedToken;
  /** The same view the Tokens view shows, for a token with no uses, judged at `at`. */
  view: TokenView;
  /** The server's step-by-step judgement at `at` (signer, signature status). */
  judgement: Judgement;
}

/**
 * A token the user pasted (CLI `decode`, the popup's quick decode): decoded, its rules run for one
 * use at `at` (sent to `sentTo`), and its view built as the session builds a token's view.
 */
export async function judgePastedToken(raw: unknown, opts: PastedTokenOptions): Promise<PastedToken> {
  const token = decodeToken(raw);
  const project = opts.project ?? {};
  const use: UseTime = { at: opts.at, skewMs: opts.skewMs ?? 0 };
  const { findings, judgement } = await checkToken(token, { project, use, sentTo: opts.sentTo });
  const verdicts = hasPredictableVerdicts(token) ? await predictVerdicts(token, project, use) : null;
  const view = tokenView({ token, uses: [], firstSeen: opts.at, lastSeen: opts.at }, 0, findings, verdicts);
  return { token, view, judgement };
}

/**
 * The engine reports a timeless fact about a token once per place of use (socket, channel…); on
 * the token's own card each code is said once, the most severe instance first.
 */
function oncePerCode(findings: Finding[]): Finding[] {
  const seen = new Map<string, Finding>();
  for (const f of findings) {
    const had = seen.get(f.code);
    if (!had || (had.severity !== 'error' && f.severity === 'error')) seen.set(f.code, f);
  }
  return [...seen.values()];
}

