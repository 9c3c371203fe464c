// The server's token check, step by step, in its own order (realtime-facts §4.1):
// malformed → signer selection (§4.2) → signature → claim validation (sorted claim order: exp,
// iat, configured validators) → `role`/`exp` presence. The first failing step decides the answer.
// What the user did not supply (key, JWKS) makes the answer conditional, never guessed.

import type { DecodedToken } from '../tokens/decode';
import type { ProjectKnowledge } from '../tokens/project';
import type { TokenCache } from '../tokens/cache';
import { safeJsonText } from '../safe-json';
import { selectSigner, verifySignature, type SignatureCheck, type SignerSelection } from '../tokens/verify';

/** When the token is used (browser clock, ms) and the measured skew (server − browser, ms). */
export interface UseTime {
  at: number;
  skewMs?: number | null;
}

export type ServerFailure =
  | { kind: 'missing-api-key' }
  | { kind: 'malformed'; detail: string }
  | { kind: 'generic'; detail: string; claim?: string }
  | { kind: 'signer'; detail: string }
  | { kind: 'signer-kid'; kid: string; detail: string }
  | { kind: 'signature'; detail: string }
  | { kind: 'expired'; secondsAgo: number }
  | { kind: 'missing-claims'; missing: Array<'role' | 'exp'> };

export interface Judgement {
  failure: ServerFailure | null;
  /** True when the answer depends on something the user did not supply. */
  conditional: boolean;
  /** What the answer assumes, in plain words (e.g. "if the signature is valid"). */
  conditions: string[];
  signer: SignerSelection | null;
  signature: SignatureCheck | null;
  /** Server clock (s) the time checks used. */
  serverNowSec: number;
}

export function serverNowSec(use: UseTime): number {
  return Math.floor((use.at + (use.skewMs ?? 0)) / 1000);
}

export async function judgeToken(
  token: DecodedToken,
  project: ProjectKnowledge,
  use: UseTime,
  /** Memo of signature checks (time-independent); without one every call verifies. */
  cache?: Pick<TokenCache, 'verify'>,
): Promise<Judgement> {
  const nowSec = serverNowSec(use);
  const done = (failure: ServerFailure | null, extra: Partial<Judgement> = {}): Judgement => ({
    failure,
    conditional: false,
    conditions: [],
    signer: null,
    signature: null,
    serverNowSec: nowSec,
    ...extra,
  });

  // §4.1 steps 1–4: cleaning and parsing.
  if (token.form === 'not-a-string') return done({ kind: 'generic', detail: 'the token is not a string' });
  if (token.form === 'opaque-key' || token.form === 'malformed') {
    if (token.problem?.serverSees === 'generic') return done({ kind: 'generic', detail: token.problem.reason });
    const detail = token.form === 'opaque-key' ? 'an sb_ key is not a JWT' : (token.problem?.reason ?? 'not a JWT');
    return done({ kind: 'malformed', detail });
  }

  // A token whose signature was removed at capture (taken from a URL, core/url-secrets.ts): its
  // header and claims are judged as the server would, in the same order; which key would verify
  // the signature, and whether it does, cannot be known and is not guessed. The header's own
  // faults (an algorithm Realtime refuses, an asymmetric token without a kid) stay faults.
  if (token.signatureNotKept) {
    const headerFault = selectSigner(token, {});
    if (headerFault.kind === 'error') return done({ kind: 'signer', detail: headerFault.detail }, { signer: headerFault });
    const rest = { signature: SIGNATURE_NOT_KEPT, conditional: true, conditions: [`if its signature was valid (${SIGNATURE_NOT_KEPT.detail})`] };
    const claimFailure = firstClaimFailure(token.claims ?? {}, project.claimValidators ?? {}, nowSec);
    if (claimFailure) return done(claimFailure, rest);
    const missing = (['role', 'exp'] as const).filter((k) => !(k in (token.claims ?? {})));
    return done(missing.length > 0 ? { kind: 'missing-claims', missing: [...missing] } : null, rest);
  }

  // §4.2: signer selection.
  const signer = selectSigner(token, project);
  if (signer.kind === 'error') {
    const failure: ServerFailure =
      signer.kid !== undefined ? { kind: 'signer-kid', kid: signer.kid, detail: signer.detail } : { kind: 'signer', detail: signer.detail };
    return done(failure, { signer });
  }
  const conditions: string[] = [];
  if (signer.kind === 'asymmetric-unknown') {
    conditions.push(`if the project's JWKS has a key with kid "${signer.kid}" (no JWKS supplied); otherwise the server answers with a JwtSignerError naming that kid`);
  }

  // §4.1 step 6: signature (a bad signature is reported before expiry).
  const signature = await (cache ? cache.verify(token, signer, project) : verifySignature(token, signer, project));
  if (signature.status === 'invalid') return done({ kind: 'signature', detail: signature.detail }, { signer, signature });
  if (signature.status === 'unverified') {
    conditions.push('if the signature is valid (it was not verified: no secret or key supplied)');
  }
  const rest = { signer, signature, conditional: conditions.length > 0, conditions };

  // §4.1 step 7: claim validation, first failure in sorted claim order.
  const claimFailure = firstClaimFailure(token.claims ?? {}, project.claimValidators ?? {}, nowSec);
  if (claimFailure) return done(claimFailure, rest);

  // §4.1 step 9: presence of `role` and `exp` (values not inspected).
  const missing = (['role', 'exp'] as const).filter((k) => !(k in (token.claims ?? {})));
  if (missing.length > 0) return done({ kind: 'missing-claims', missing: [...missing] }, rest);
  return done(null, rest);
}

/** What a token taken from a URL has instead of a signature check (DecodedToken.signatureNotKept). */
export const SIGNATURE_NOT_KEPT: SignatureCheck = Object.freeze({
  status: 'unverified',
  detail: "signature not kept: the token was taken from a URL, and Claimscope never stores a URL token's signature",
});

/** Joken `reduce_validations` over the claims present in the token, in sorted key order. */
function firstClaimFailure(
  claims: Record<string, unknown>,
  validators: Record<string, unknown>,
  nowSec: number,
): ServerFailure | null {
  const checked = new Set(['exp', 'iat', ...Object.keys(validators)]);
  const keys = Object.keys(claims).filter((k) => checked.has(k)).sort();
  for (const key of keys) {
    const value = claims[key];
    if (key in validators && !strictEqual(value, validators[key])) {
      return { kind: 'generic', claim: key, detail: `claim "${key}" is ${shortJson(value)}, the validator expects ${shortJson(validators[key])}` };
    }
    if (key === 'exp') {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return { kind: 'generic', claim: 'exp', detail: `"exp" is ${describe(value)}, not a number` };
      }
      // Joken compares the raw value (exp > now); the rounding of §4.1 step 8 applies only to a
      // token that passed. authorize_conn maps the failure to "Token has expired" only for an
      // integer exp; an expired decimal exp goes down the generic path (§3.1 table, §4.1 step 9).
      if (value <= nowSec) {
        if (Number.isInteger(value)) return { kind: 'expired', secondsAgo: nowSec - value };
        return { kind: 'generic', claim: 'exp', detail: `"exp" ${value} is in the past and not an integer, which the server reports as a generic error` };
      }
    }
    if (key === 'iat' && (typeof value !== 'number' || !Number.isFinite(value))) {
      return { kind: 'generic', claim: 'iat', detail: `"iat" is ${describe(value)}, not a number` };
    }
  }
  return null;
}

/**
 * Elixir `==` on decoded JSON: same type, same value; lists in order; a string ≠ a list. With an
 * explicit stack, not recursion: a claim (or an imported validator) can be nested thousands deep.
 * Values too large to compare (over a million steps, or a cycle) are unequal.
 */
export function strictEqual(a: unknown, b: unknown): boolean {
  const pending: Array<[unknown, unknown]> = [[a, b]];
  // Decoded JSON has no cycles; a value built in code might. Past this many steps, call it unequal.
  let budget = 1_000_000;
  for (let pair = pending.pop(); pair !== undefined; pair = pending.pop()) {
    if (--budget < 0) return false;
    const [x, y] = pair;
    if (x === y) continue;
    if (typeof x !== typeof y || x === null || y === null || typeof x !== 'object') return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) pending.push([x[i], y[i]]);
      continue;
    }
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    const xk = Object.keys(xo);
    if (xk.length !== Object.keys(yo).length) return false;
    for (const k of xk) {
      if (!(k in yo)) return false;
      pending.push([xo[k], yo[k]]);
    }
  }
  return true;
}

/** A claim value in a sentence: JSON, however deep or long the value (capped, core/safe-json.ts). */
function shortJson(value: unknown): string {
  return safeJsonText(value, { maxLength: 200, maxDepth: 8 });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
