// A memo of the per-token work that does not depend on the time of use: decoding (base64url +
// JSON) and signature verification (jose). The panel re-runs the analysis about once a second on
// sessions that may hold 200,000 events, most of them HTTP calls re-sending the same two tokens;
// without this memo every run re-decodes and re-verifies every one of them.
//
// Pure memo: the answer for a raw token string (and, for verification, a ProjectKnowledge object)
// is always the same, so a hit is indistinguishable from a fresh computation. Time checks (exp,
// nbf, iat) are never cached here: they depend on when the token was used.

import { decodeToken, type DecodedToken } from './decode';
import type { ProjectKnowledge } from './project';
import { verifySignature, type SignatureCheck, type SignerSelection } from './verify';

export interface TokenCacheStats {
  /** Tokens actually decoded (cache misses). */
  decodes: number;
  decodeHits: number;
  /** Signatures actually verified (cache misses): the expensive part. */
  verifications: number;
  verificationHits: number;
}

interface ProjectEntry {
  /**
   * What verification depends on, by identity: a ProjectKnowledge object whose `secret` or `jwks`
   * is reassigned (the user typed a key) starts afresh instead of serving stale answers.
   */
  secret: ProjectKnowledge['secret'];
  jwks: ProjectKnowledge['jwks'];
  checks: Map<string, Promise<SignatureCheck>>;
}

const DEFAULT_TOKEN_CACHE_LIMIT = 5_000;

export class TokenCache {
  readonly stats: TokenCacheStats = { decodes: 0, decodeHits: 0, verifications: 0, verificationHits: 0 };
  private decoded = new Map<string, DecodedToken>();
  // Keyed on the knowledge object itself: dropped with it, never compared field by field.
  private projects = new WeakMap<ProjectKnowledge, ProjectEntry>();

  /** `limit`: entries kept per map (oldest dropped first), so a long session cannot grow it without bound. */
  constructor(private readonly limit = DEFAULT_TOKEN_CACHE_LIMIT) {}

  /** decodeToken, once per raw string. Non-strings are decoded every time (cheap, not keyable). */
  decode(raw: unknown): DecodedToken {
    if (typeof raw !== 'string') return decodeToken(raw);
    const hit = this.decoded.get(raw);
    if (hit) {
      this.stats.decodeHits++;
      return hit;
    }
    this.stats.decodes++;
    const token = decodeToken(raw);
    remember(this.decoded, raw, token, this.limit);
    return token;
  }

  /** verifySignature, once per (token, project knowledge). */
  verify(token: DecodedToken, selection: SignerSelection, project: ProjectKnowledge): Promise<SignatureCheck> {
    let entry = this.projects.get(project);
    if (!entry || entry.secret !== project.secret || entry.jwks !== project.jwks) {
      entry = { secret: project.secret, jwks: project.jwks, checks: new Map() };
      this.projects.set(project, entry);
    }
    // The selection is a function of the token and the project, so the cleaned token is the key;
    // its kind is added to stay correct should a caller pass another selection.
    const key = `${selectionKey(selection)}\u0000${token.cleaned}`;
    const hit = entry.checks.get(key);
    if (hit) {
      this.stats.verificationHits++;
      return hit;
    }
    this.stats.verifications++;
    const check = verifySignature(token, selection, project);
    remember(entry.checks, key, check, this.limit);
    return check;
  }

  clear(): void {
    this.decoded.clear();
    this.projects = new WeakMap();
  }
}

function selectionKey(s: SignerSelection): string {
  switch (s.kind) {
    case 'jwks-oct':
    case 'jwks-asymmetric':
      return `${s.kind}:${String(s.jwk.kid)}`;
    default:
      return s.kind;
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V, limit: number): void {
  map.set(key, value);
  if (map.size > limit) map.delete(map.keys().next().value as string);
}
