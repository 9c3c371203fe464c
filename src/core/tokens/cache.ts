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

/**
 * A memo bounded by entries and by bytes, oldest entry first: its keys are whole tokens (a page
 * can send a 256 KiB "token" in every frame), so a count alone does not bound it. An evicted entry
 * is only computed again when asked for; nothing is lost but time, and evictions are counted.
 */
export class BoundedMemo<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  bytes = 0;
  evictions = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** `bytes`: what the entry holds besides its key (the key's own length is added here). */
  set(key: string, value: V, bytes: number): void {
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.bytes;
      this.entries.delete(key);
    }
    const size = MEMO_ENTRY_BYTES + key.length + bytes;
    this.entries.set(key, { value, bytes: size });
    this.bytes += size;
    while (this.entries.size > this.maxEntries || (this.bytes > this.maxBytes && this.entries.size > 1)) {
      const oldest = this.entries.keys().next().value as string;
      this.bytes -= this.entries.get(oldest)!.bytes;
      this.entries.delete(oldest);
      this.evictions++;
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}

/** Fixed cost of a memo entry (map slot, value object) in the byte estimate. */
const MEMO_ENTRY_BYTES = 128;

export interface TokenCacheStats {
  /** Tokens actually decoded (cache misses). */
  decodes: number;
  decodeHits: number;
  /** Signatures actually verified (cache misses): the expensive part. */
  verifications: number;
  verificationHits: number;
  /** Entries evicted to stay within the bounds (each is recomputed if asked for again). */
  evictions: number;
}

interface ProjectEntry {
  /**
   * What verification depends on, by identity: a ProjectKnowledge object whose `secret` or `jwks`
   * is reassigned (the user typed a key) starts afresh instead of serving stale answers.
   */
  secret: ProjectKnowledge['secret'];
  jwks: ProjectKnowledge['jwks'];
  checks: BoundedMemo<Promise<SignatureCheck>>;
}

const DEFAULT_TOKEN_CACHE_LIMIT = 5_000;
/** Bytes per memo (the decodes, and the checks of one project knowledge). */
export const DEFAULT_TOKEN_CACHE_BYTES = 16 * 1024 * 1024;

export class TokenCache {
  private readonly counts = { decodes: 0, decodeHits: 0, verifications: 0, verificationHits: 0, evictedChecks: 0 };
  private readonly decoded: BoundedMemo<DecodedToken>;
  // Keyed on the knowledge object itself: dropped with it, never compared field by field.
  private projects = new WeakMap<ProjectKnowledge, ProjectEntry>();

  /**
   * `limit`: entries kept per memo, `maxBytes`: bytes per memo (oldest dropped first, counted in
   * `stats.evictions`), so a long session, or a page sending huge token-shaped strings, cannot
   * grow it without bound.
   */
  constructor(
    private readonly limit = DEFAULT_TOKEN_CACHE_LIMIT,
    private readonly maxBytes = DEFAULT_TOKEN_CACHE_BYTES,
  ) {
    this.decoded = new BoundedMemo(limit, maxBytes);
  }

  get stats(): TokenCacheStats {
    const { decodes, decodeHits, verifications, verificationHits, evictedChecks } = this.counts;
    return { decodes, decodeHits, verifications, verificationHits, evictions: this.decoded.evictions + evictedChecks };
  }

  /** Estimated bytes held by the decodes memo (the checks are bounded per project alike). */
  get bytes(): number {
    return this.decoded.bytes;
  }

  /** decodeToken, once per raw string. Non-strings are decoded every time (cheap, not keyable). */
  decode(raw: unknown): DecodedToken {
    if (typeof raw !== 'string') return decodeToken(raw);
    const hit = this.decoded.get(raw);
    if (hit) {
      this.counts.decodeHits++;
      return hit;
    }
    this.counts.decodes++;
    const token = decodeToken(raw);
    // The decoded header and claims are about as large as the text they came from.
    this.decoded.set(raw, token, raw.length);
    return token;
  }

  /** verifySignature, once per (token, project knowledge). */
  verify(token: DecodedToken, selection: SignerSelection, project: ProjectKnowledge): Promise<SignatureCheck> {
    let entry = this.projects.get(project);
    if (!entry || entry.secret !== project.secret || entry.jwks !== project.jwks) {
      entry = { secret: project.secret, jwks: project.jwks, checks: new BoundedMemo(this.limit, this.maxBytes) };
      this.projects.set(project, entry);
    }
    // The selection is a function of the token and the project, so the cleaned token is the key;
    // its kind is added to stay correct should a caller pass another selection.
    const key = `${selectionKey(selection)}\u0000${token.cleaned}`;
    const hit = entry.checks.get(key);
    if (hit) {
      this.counts.verificationHits++;
      return hit;
    }
    this.counts.verifications++;
    const check = verifySignature(token, selection, project);
    const before = entry.checks.evictions;
    entry.checks.set(key, check, 0);
    this.counts.evictedChecks += entry.checks.evictions - before;
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

