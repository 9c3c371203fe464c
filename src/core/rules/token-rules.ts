// Findings about one token at one use. Pure and total: any DecodedToken gives a list, never throws.
// Time checks use the time of use corrected by the measured skew (finding-codes.md "Time").

import { judgeToken, serverNowSec, strictEqual, type Judgement, type UseTime } from '../diagnosis/judge';
import { joinReason } from '../diagnosis/verdict';
import { TOKEN_CLASS_LABELS, projectRefOfUrl, originOfUrl, type DecodedToken } from '../tokens/decode';
import type { TokenCache } from '../tokens/cache';
import { criticalExposure } from '../tokens/exposure';
import type { ProjectKnowledge } from '../tokens/project';
import { isObject } from '../tokens/project';
import { cappedValue, safeJson, safeJsonText } from '../safe-json';
import { finding, type Finding, type FindingEvidence } from './catalogue';

const KNOWN_ROLES = ['anon', 'authenticated', 'service_role'] as const;
/** auth-js refreshes this long before exp (§5.4 EXPIRY_MARGIN_MS). */
export const REFRESH_MARGIN_S = 90;
/** `iat` this far ahead of the (corrected) time of use is a clock problem somewhere. */
const IAT_FUTURE_ALLOWANCE_S = 30;

export interface TokenRuleContext {
  project: ProjectKnowledge;
  use: UseTime;
  /** The URL the token was sent to (socket URL, request URL), for the host-vs-token ref check. */
  sentTo?: string;
  /** Evidence fields common to every finding of this use (frame seq, request id, channel). */
  evidence?: FindingEvidence;
  /** When the token came from the page (not a paste): exposure findings speak of "the page". */
  observedInPage?: boolean;
  /** Memo of signature checks shared across uses and runs (see tokens/cache.ts). */
  cache?: Pick<TokenCache, 'verify'>;
}

export async function checkToken(token: DecodedToken, ctx: TokenRuleContext): Promise<{ findings: Finding[]; judgement: Judgement }> {
  const judgement = await judgeToken(token, ctx.project, ctx.use, ctx.cache);
  return { findings: tokenFindings(token, judgement, ctx), judgement };
}

export interface TimeFacts {
  expired: boolean;
  notYetValid: boolean;
  iatInFuture: boolean;
}

/**
 * The only part of a token's findings that depends on when it was used (server clock, s): the
 * analysis judges the rest once per token and re-checks just these at every use.
 */
export function timeFactsAt(claims: Record<string, unknown>, nowSec: number): TimeFacts {
  return {
    expired: typeof claims.exp === 'number' && Number.isFinite(claims.exp) && Math.round(claims.exp) <= nowSec,
    notYetValid: typeof claims.nbf === 'number' && claims.nbf > nowSec,
    iatInFuture: typeof claims.iat === 'number' && claims.iat > nowSec + IAT_FUTURE_ALLOWANCE_S,
  };
}

export function tokenFindings(token: DecodedToken, judgement: Judgement, ctx: TokenRuleContext): Finding[] {
  const out: Finding[] = [];
  const time = ctx.use.at;
  const ev = (extra: FindingEvidence = {}): FindingEvidence => ({ token: token.label, ...ctx.evidence, ...extra });
  const joinWords = joinReason(judgement.failure) ?? undefined;
  const add = (f: Finding) => out.push(f);
  const page = ctx.observedInPage ? 'the page' : 'whoever uses it';

  // Keys and exposure (§5.2–§5.3) apply to opaque keys too.
  if (criticalExposure(token) === 'secret-key') {
    add(finding('secret-key-in-browser', {
      message: `An sb_secret_ key is used by ${page}.`,
      cause: 'Secret keys bypass Row Level Security (service_role) and must never reach a browser; Supabase answers 401 to secret keys sent with a browser User-Agent.',
      fix: 'Use the sb_publishable_ key in the browser; keep sb_secret_ keys on servers only, and rotate this one if it was shipped to clients.',
      evidence: ev(), time,
    }));
  }
  if (token.tokenClass === 'publishable-key') {
    add(finding('opaque-api-key', {
      message: 'sb_publishable_ key: not a JWT, nothing to decode.',
      cause: 'The API gateway swaps it for a short-lived JWT the browser never sees; Realtime ignores sb_ values as channel tokens and judges the connection token instead (§2.1–2.3).',
      fix: 'Nothing to fix. To authorise channels as a user, make sure the session access token reaches Realtime (supabase-js does this through setAuth).',
      evidence: ev(), time,
    }));
  }
  if (token.form === 'opaque-key') return out;

  if (token.form === 'malformed' || token.form === 'not-a-string' || token.problem) {
    const p = token.problem;
    add(finding('token-malformed', {
      message: p ? `Not a valid JWT: ${p.reason}.` : 'Not a valid JWT.',
      cause: p?.serverSees === 'generic'
        ? 'The server parses the token but the segment is not a JSON object; it reports this through its generic error.'
        : 'The server cannot parse it as a compact JWS (three base64url segments: header, claims, signature).',
      fix: token.cleaned === ''
        ? 'Do not send an empty string as access_token: send the session access token, or omit the field.'
        : 'Send the whole access token (three base64url parts separated by dots), not an id, a refresh token or a truncated copy.',
      evidence: ev({ claim: p?.segment, serverText: joinWords }), time,
    }));
  }
  if (token.form !== 'jwt') return out;
  const claims = token.claims ?? {};
  const header = token.header ?? {};
  const limited = valueLimits(header, claims);
  if (limited) {
    add(finding('analysis-limited', {
      message: `The ${limited.where} "${limited.name}" is ${limited.why}: Claimscope quotes it cut there, in findings and in the token views.`,
      cause: `No token Supabase Auth mints holds such a value: it was crafted or corrupted. The checks still compare the value itself; only its text is cut (${limited.cut}).`,
      fix: 'Nothing to do in Claimscope. If your app minted this token, mint it with plain claims: the Realtime server may refuse it or fail on it.',
      evidence: ev({ claim: limited.name, actual: limited.text }), time,
    }));
  }

  // Algorithm and key selection (§4.2).
  const signer = judgement.signer;
  if (signer?.kind === 'error') {
    if (signer.code === 'alg-unsupported') {
      add(finding('alg-unsupported', {
        message: `Signing algorithm ${quoted(header.alg ?? null)} is not accepted by Realtime.`,
        cause: 'Realtime accepts HS256/384/512, RS256/384/512, ES256/384/512 and EdDSA/Ed25519/Ed448 only; "none" and PS256 are refused.',
        fix: 'Sign with a supported algorithm: HS256 with the project JWT secret, or RS256/ES256 with a key listed in the project JWKS (with a kid).',
        evidence: ev({ claim: 'alg', actual: capped(header.alg ?? null), expected: 'HS256/384/512, RS/ES256/384/512, EdDSA', serverText: joinWords }), time,
      }));
    } else if (signer.code === 'kid-missing') {
      add(finding('kid-missing', {
        message: `${String(header.alg)} token without a "kid" in its header.`,
        cause: 'For asymmetric algorithms the server picks the key by kid from the project JWKS; without a kid it cannot pick one.',
        fix: 'Add the signing key id to the header ({"alg","kid","typ":"JWT"}) when minting.',
        evidence: ev({ claim: 'kid', actual: null, serverText: joinWords }), time,
      }));
    } else {
      add(finding('kid-unknown', {
        message: `The kid ${quoted(signer.kid)} is not in the project's JWKS.`,
        cause: `${signer.detail}. The key may be revoked, from another project, or the JWKS supplied is not the one the server uses.`,
        fix: 'Check the signing keys of the project (a revoked key is rejected immediately); sign with a key that is in use or previously used.',
        evidence: ev({ claim: 'kid', actual: capped(signer.kid), serverText: joinWords }), time,
      }));
    }
  }
  if (judgement.signature?.status === 'invalid') {
    add(finding('signature-invalid', {
      message: 'The signature does not verify with the key you supplied.',
      cause: `${judgement.signature.detail}. Typical causes: a token from another project, a rotated legacy JWT secret, or a secret pasted as text that is really base64.`,
      fix: 'Check the project (URL and keys) the token was minted for; try --secret-base64 if your secret is base64; re-sign with the current key.',
      evidence: ev({ claim: 'signature', serverText: joinWords }), time,
    }));
  }

  // Required claims and types (§4.1 step 7, 9).
  if (!('exp' in claims)) {
    add(finding('exp-missing', {
      message: 'The token has no "exp" claim.',
      cause: 'Realtime requires the keys role and exp in every token it accepts.',
      fix: 'Mint the token with an exp (seconds since epoch), e.g. one hour ahead.',
      evidence: ev({ claim: 'exp', expected: 'a number', actual: null, serverText: 'Fields `role` and `exp` are required in JWT' }), time,
    }));
  }
  if (!('role' in claims)) {
    add(finding('role-missing', {
      message: 'The token has no "role" claim.',
      cause: 'Realtime requires a role claim (a Postgres role); third-party IdP tokens usually lack it.',
      fix: 'Mint with role: "authenticated" (or add it through a custom access token hook / your IdP\'s claim mapping).',
      evidence: ev({ claim: 'role', expected: 'authenticated', actual: null, serverText: 'Fields `role` and `exp` are required in JWT' }), time,
    }));
  }
  for (const key of ['exp', 'iat'] as const) {
    if (key in claims && (typeof claims[key] !== 'number' || !Number.isFinite(claims[key]))) {
      add(finding('claim-type-invalid', {
        message: `"${key}" is ${typeof claims[key] === 'string' ? 'a string' : describeValue(claims[key])}, not a number.`,
        cause: `The server requires a numeric ${key}; anything else fails through its generic error (join: "Unknown Error on Channel", connect: HTTP 500), never "Token has expired".`,
        fix: `Write ${key} as a JSON number of seconds since epoch, e.g. ${Math.floor(time / 1000)}.`,
        evidence: ev({ claim: key, expected: 'a number', actual: capped(claims[key]), serverText: 'Unknown Error on Channel' }), time,
      }));
    }
  }

  // Time (server clock = time of use + skew).
  const nowSec = serverNowSec(ctx.use);
  const skewNote = ctx.use.skewMs ? ` (server clock, corrected by ${Math.round(ctx.use.skewMs / 1000)} s of measured skew)` : '';
  const facts = timeFactsAt(claims, nowSec);
  if (facts.expired) {
    const exp = Math.round(claims.exp as number);
    const n = nowSec - exp;
    add(finding('token-expired', {
      message: `Expired ${n} s before this use${skewNote}: exp ${isoOf(exp)}.`,
      cause: 'Realtime accepts a token only while exp > now. The session was not refreshed in time, or this token was kept after a refresh.',
      fix: 'Refresh the session (supabase.auth.refreshSession / getSession) and pass the new access token to Realtime: supabase.realtime.setAuth(token).',
      evidence: ev({ claim: 'exp', expected: `> ${nowSec}`, actual: claims.exp, serverText: joinReason({ kind: 'expired', secondsAgo: n }) ?? undefined }), time,
    }));
  }
  if (facts.notYetValid) {
    const nbf = claims.nbf as number;
    add(finding('token-not-yet-valid', {
      message: `Not valid before ${isoOf(nbf)}, ${Math.round(nbf - nowSec)} s after this use.`,
      cause: 'The nbf claim is in the future. Realtime ignores nbf unless configured, but other services (and clock-sensitive code) refuse it.',
      fix: 'Mint without nbf or with nbf ≤ iat; check the clock of the machine that minted it.',
      evidence: ev({ claim: 'nbf', expected: `≤ ${nowSec}`, actual: nbf }), time,
    }));
  }
  if (facts.iatInFuture) {
    const iat = claims.iat as number;
    add(finding('iat-in-future', {
      message: `Issued ${Math.round(iat - nowSec)} s in the future (iat ${isoOf(iat)}).`,
      cause: 'The issuer\'s clock is ahead of this one (or this clock is behind). Realtime does not check iat, but expiry then comes earlier than the page expects.',
      fix: 'Sync the clocks (NTP) of the browser machine and the token issuer.',
      evidence: ev({ claim: 'iat', expected: `≤ ${nowSec}`, actual: iat }), time,
    }));
  }

  // Project, audience, issuer, role.
  const expectedRef = ctx.project.projectRef ?? (ctx.sentTo ? projectRefOfUrl(ctx.sentTo) : 'unknown');
  if (token.projectRef !== 'unknown' && expectedRef !== 'unknown' && token.projectRef !== expectedRef) {
    add(finding('project-mismatch', {
      message: `This token belongs to project "${token.projectRef}", but it is used with project "${expectedRef}".`,
      cause: 'A key or session from another project (often a copied .env or a stale session in storage). The server checks the signature with this project\'s secret and keys, and rejects it.',
      fix: `Use the keys of project "${expectedRef}" (Project Settings → API), and sign in again so the session comes from that project.`,
      evidence: ev({ claim: claims.ref !== undefined ? 'ref' : 'iss', expected: expectedRef, actual: token.projectRef }), time,
    }));
  }
  const isUserToken = token.tokenClass === 'user-access-token' || token.tokenClass === 'anonymous-user-token';
  if (isUserToken) {
    const wantAud = ctx.project.expectedAudience ?? 'authenticated';
    const aud = claims.aud;
    const ok = aud === wantAud || (Array.isArray(aud) && aud.includes(wantAud));
    if (!ok) {
      add(finding('aud-unexpected', {
        message: `Audience is ${quoted(aud ?? null)}, expected "${wantAud}".`,
        cause: 'Supabase Auth writes aud "authenticated" unless the project configured another audience; a different aud often means a token from elsewhere.',
        fix: `Mint with aud "${wantAud}", or set the expected audience if your project uses another one.`,
        evidence: ev({ claim: 'aud', expected: wantAud, actual: capped(aud ?? null) }), time,
      }));
    }
  }
  const issProblem = issuerProblem(token, ctx);
  if (issProblem) {
    add(finding('iss-unexpected', {
      message: `Issuer ${quoted(claims.iss ?? null)} is not ${issProblem.expectedText}.`,
      cause: 'The token was issued by another Auth server or project than the one this page talks to.',
      fix: 'Use a token issued by this project\'s Auth (`<project URL>/auth/v1`), or set the expected issuer if you use third-party auth.',
      evidence: ev({ claim: 'iss', expected: issProblem.expected, actual: capped(claims.iss ?? null) }), time,
    }));
  }
  for (const [claim, expected] of Object.entries(ctx.project.claimValidators ?? {})) {
    if (claim in claims && !strictEqual(claims[claim], expected)) {
      add(finding('claim-validator-mismatch', {
        message: `"${claim}" is ${quoted(claims[claim])}; the server's claim validators require ${quoted(expected)} (strict equality).`,
        cause: 'JWT_CLAIM_VALIDATORS compares each configured claim by strict equality (a string aud is not ["aud"]); a mismatch fails through the generic error.',
        fix: `Mint the token with ${claim} exactly ${quoted(expected)}, or change JWT_CLAIM_VALIDATORS on the self-hosted Realtime server.`,
        evidence: ev({ claim, expected: capped(expected), actual: capped(claims[claim]), serverText: 'Unknown Error on Channel' }), time,
      }));
    }
  }
  if ('role' in claims) {
    const role = claims.role;
    const known = [...KNOWN_ROLES, ...(ctx.project.knownRoles ?? [])];
    if (typeof role !== 'string' || !known.includes(role)) {
      add(finding('role-unknown', {
        message: `Role ${quoted(role)} is not anon, authenticated or service_role.`,
        cause: 'Realtime runs RLS and Postgres Changes as this role (§4.3); if it is not a real Postgres role, private channels are denied and Postgres Changes subscriptions fail.',
        fix: 'Use role "authenticated" for signed-in users, or create this Postgres role and grant it what it needs (then add it to the known roles).',
        evidence: ev({ claim: 'role', expected: known, actual: capped(role) }), time,
      }));
    }
  }
  if (criticalExposure(token) === 'service-role') {
    add(finding('service-role-in-browser', {
      message: `A service_role token (${TOKEN_CLASS_LABELS[token.tokenClass]}) is used by ${page}.`,
      cause: 'service_role bypasses Row Level Security: anyone who opens DevTools can read and write every table.',
      fix: 'Use the anon (or sb_publishable_) key in the browser; keep service_role on servers; rotate the key if it shipped to clients.',
      evidence: ev({ claim: 'role', expected: 'anon or authenticated', actual: capped(claims.role) }), time,
    }));
  }
  return out;
}

function issuerProblem(token: DecodedToken, ctx: TokenRuleContext): { expected: string | string[]; expectedText: string } | null {
  const iss = token.claims?.iss;
  // Issuers the user configured (custom domain, third-party auth) are accepted for every token,
  // beside the forms each class is known to carry: configuring the user tokens' issuer must not
  // turn the project's anon key (iss "supabase") into an alarm.
  const configured = configuredIssuers(ctx.project);
  if (typeof iss === 'string' && configured.some((c) => sameIssuer(c, iss))) return null;
  const allowed: string[] = [];
  const origin = ctx.project.projectUrl ? originOfUrl(ctx.project.projectUrl) : ctx.sentTo ? originOfUrl(ctx.sentTo) : undefined;
  switch (token.tokenClass) {
    case 'legacy-anon-key':
    case 'legacy-service-role-key':
      allowed.push('supabase');
      break;
    case 'local-dev-key':
      allowed.push('supabase-demo', 'http://127.0.0.1:54321/auth/v1', 'http://localhost:54321/auth/v1');
      break;
    case 'user-access-token':
    case 'anonymous-user-token': {
      // With configured issuers, a user token must come from one of them or from this project.
      if (configured.length > 0) {
        allowed.push(...configured);
        if (origin) allowed.push(`${origin}/auth/v1`);
        if (ctx.project.projectRef) allowed.push(`https://${ctx.project.projectRef}.supabase.co/auth/v1`);
        break;
      }
      // Without a known project URL, any `…/auth/v1` issuer is a known form.
      if (!origin) return typeof iss === 'string' && /\/auth\/v1\/?$/.test(iss) ? null : { expected: '<project URL>/auth/v1', expectedText: 'of the form "<project URL>/auth/v1"' };
      allowed.push(`${origin}/auth/v1`);
      if (ctx.project.projectRef) allowed.push(`https://${ctx.project.projectRef}.supabase.co/auth/v1`);
      break;
    }
    default:
      return null; // third-party issuers are whatever the IdP says
  }
  if (typeof iss === 'string' && allowed.some((a) => sameIssuer(a, iss))) return null;
  return { expected: allowed, expectedText: allowed.length === 1 ? `"${allowed[0]}"` : `one of ${allowed.map((a) => `"${a}"`).join(', ')}` };
}

/** The issuers the user said to expect (ProjectKnowledge.expectedIssuer: one or a list), blanks dropped. */
export function configuredIssuers(project: ProjectKnowledge): string[] {
  const raw = project.expectedIssuer;
  const list: readonly string[] = raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw;
  return list.map((i) => i.trim()).filter((i) => i !== '');
}

/**
 * Whether two issuer URLs name the same Auth server. Loopback aliases are one host (`supabase
 * start` issues `http://127.0.0.1:54321/auth/v1` while apps often use `http://localhost:54321`),
 * a `<ref>.supabase.co` project's Auth is `https://<ref>.supabase.co/auth/v1` whatever scheme or
 * port its socket used, default ports are implied, and a trailing slash does not matter.
 * Anything that is not a URL (`supabase`, `supabase-demo`) must match exactly.
 */
export function sameIssuer(a: string, b: string): boolean {
  const x = issuerKey(a);
  const y = issuerKey(b);
  return x !== undefined && x === y;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;
const DEFAULT_PORT: Record<string, string> = { http: '80', https: '443', ws: '80', wss: '443' };

function issuerKey(issuer: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/:?#]*)(?::(\d+))?([^?#]*)$/i.exec(issuer);
  if (!m) return issuer === '' ? undefined : `=${issuer}`;
  let scheme = m[1].toLowerCase();
  let host = m[2].toLowerCase();
  let port = m[3] ?? '';
  const path = m[4].replace(/\/+$/, '');
  if (port === DEFAULT_PORT[scheme]) port = '';
  if (/^[a-z0-9]+\.supabase\.(co|in|net)$/.test(host)) {
    scheme = 'https';
    port = '';
  } else if (LOOPBACK.test(host)) host = 'loopback';
  scheme = scheme === 'wss' ? 'https' : scheme === 'ws' ? 'http' : scheme;
  return `${scheme}://${host}:${port}${path}`;
}

/** A claim value quoted in a sentence: JSON, capped in depth and length (core/safe-json.ts). */
function quoted(value: unknown): string {
  return safeJsonText(value, QUOTE_LIMITS);
}

/**
 * A captured value kept as evidence (exported, compared, written out by the CLI): a shallow copy
 * within these caps, never the value itself.
 */
function capped(value: unknown): unknown {
  return cappedValue(value, EVIDENCE_LIMITS);
}

const QUOTE_LIMITS = { maxDepth: 8, maxLength: 200 } as const;
const EVIDENCE_LIMITS = { maxDepth: 8, maxLength: 1024 } as const;
/** A header field or claim beyond these is no real token's; findings quote it cut (analysis-limited). */
const VALUE_LIMITS = { maxDepth: 32, maxLength: 16 * 1024 } as const;

/** The first header field or claim too deep or too long to quote whole, and what was cut. */
function valueLimits(header: Record<string, unknown>, claims: Record<string, unknown>): { where: 'header field' | 'claim'; name: string; why: string; cut: string; text: string } | null {
  for (const [where, fields] of [['header field', header], ['claim', claims]] as const) {
    for (const name of Object.keys(fields)) {
      const value = fields[name];
      if (value === null || (typeof value !== 'object' && typeof value !== 'string')) continue;
      if (typeof value === 'string' && value.length <= VALUE_LIMITS.maxLength) continue;
      const { cut } = safeJson(value, VALUE_LIMITS);
      if (!cut) continue;
      const why = typeof value === 'string' ? `${value.length.toLocaleString('en-US')} characters long` : /nested deeper/.test(cut) ? `nested deeper than ${VALUE_LIMITS.maxDepth} levels` : 'too large to quote';
      return { where, name, why, cut, text: quoted(value) };
    }
  }
  return null;
}

export function isoOf(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? String(seconds) : d.toISOString();
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (isObject(value)) return 'an object';
  return `a ${typeof value}`;
}

