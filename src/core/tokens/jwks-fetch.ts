// Fetch JWKS (issue 10 item 8): the one network request the extension itself makes, and only when
// the user presses the button. Pure rules plus a fetch given by the caller, so everything here is
// unit-tested in Node against a real HTTP server.
//
// Where from: an origin is offered only when the page was seen talking to it on a Realtime socket
// (never an origin a page merely mentions), and only over https (wss), on loopback, or over plain
// http when the inspected page is itself plain http (local development, the demo). The origin
// matching the `iss` of a token in use comes first. The user may type any other origin under the
// same scheme rules.
//
// How: no cookies or HTTP auth (credentials 'omit'), no redirect followed (redirect 'error': a
// JWKS URL that redirects elsewhere is not the project's), no Referer (the panel's URL is the
// extension's), a 10 s timeout, and at most 64 KB of body, read as a stream and stopped at the cap.
// What is kept: public RSA, EC and OKP keys only, each without any private member; symmetric
// (`oct`) keys are dropped whole — an endpoint that publishes one has published a secret.

import type { JWK } from 'jose';
import { decodeToken } from './decode';
import { parseJwks } from './project';

export const JWKS_PATH = '/auth/v1/.well-known/jwks.json';
export const JWKS_TIMEOUT_MS = 10_000;
export const JWKS_MAX_BYTES = 64 * 1024;

/** Key types kept: the asymmetric ones a JWKS publishes. */
const PUBLIC_KTY = new Set(['RSA', 'EC', 'OKP']);
/** Private members of RSA, EC and OKP keys (RFC 7518 §6.2.2, §6.3.2; RFC 8037), and `k` of oct keys. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

export interface JwksOrigin {
  /** `https://host[:port]` or `http://host[:port]`. */
  origin: string;
  /** Where the keys are fetched: `origin + JWKS_PATH`. */
  url: string;
  /** This origin is the issuer of a token in use (offered first). */
  matchesIss: boolean;
}

export type OriginCheck = { ok: true; origin: string; url: string } | { ok: false; error: string };

/**
 * The origins to offer, from the URLs of the Realtime sockets the page opened. `pageUrl` is the
 * inspected page's URL (plain http allows plain http origins); `issuers` the `iss` claims of the
 * tokens in use. Issuer matches first, then in the order the sockets were seen.
 */
export function jwksOrigins(socketUrls: readonly string[], pageUrl: string | undefined, issuers: readonly unknown[] = []): JwksOrigin[] {
  const issOrigins = new Set<string>();
  for (const iss of issuers) {
    const o = typeof iss === 'string' ? parseOrigin(iss) : undefined;
    if (o) issOrigins.add(o.origin);
  }
  const seen = new Set<string>();
  const out: JwksOrigin[] = [];
  for (const socketUrl of socketUrls) {
    const parsed = parseOrigin(socketUrl);
    if (!parsed || seen.has(parsed.origin)) continue;
    seen.add(parsed.origin);
    if (schemeFault(parsed, pageUrl) !== undefined) continue;
    out.push({ origin: parsed.origin, url: parsed.origin + JWKS_PATH, matchesIss: issOrigins.has(parsed.origin) });
  }
  // Stable: issuer matches first, each group in socket order.
  return [...out.filter((o) => o.matchesIss), ...out.filter((o) => !o.matchesIss)];
}

/** Tokens looked at for their `iss` (the latest ones: enough to name the project's Auth). */
const MAX_ISSUER_TOKENS = 50;
/** A token longer than this is not decoded for its issuer (the panel re-renders often). */
const MAX_ISSUER_TOKEN_LENGTH = 16 * 1024;

/** The `iss` of the given tokens (raw values as captured; non-JWTs and oversized values skipped). */
export function issuersOf(tokens: readonly unknown[]): string[] {
  const out = new Set<string>();
  for (const raw of tokens.slice(-MAX_ISSUER_TOKENS)) {
    if (typeof raw !== 'string' || raw.length > MAX_ISSUER_TOKEN_LENGTH) continue;
    const iss = decodeToken(raw).claims?.iss;
    if (typeof iss === 'string') out.add(iss);
  }
  return [...out];
}

/**
 * An origin (or JWKS URL) the user typed. An origin alone gets JWKS_PATH; a URL with a path is
 * used as typed (a third-party issuer's JWKS). The scheme rules are the offered origins'.
 */
export function typedJwksSource(text: string, pageUrl: string | undefined): OriginCheck {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: 'type an origin, e.g. https://<project-ref>.supabase.co' };
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    return { ok: false, error: `"${trimmed.slice(0, 80)}" is not an origin or URL` };
  }
  const parsed = parseOrigin(url.href);
  if (!parsed) return { ok: false, error: `${url.protocol} is not http(s): a JWKS is fetched over https` };
  if (url.username || url.password) return { ok: false, error: 'a URL with a user name or password is not used (no credentials are ever sent)' };
  const fault = schemeFault(parsed, pageUrl);
  if (fault) return { ok: false, error: fault };
  const path = url.pathname === '/' && !url.search ? JWKS_PATH : `${url.pathname}${url.search}`;
  return { ok: true, origin: parsed.origin, url: parsed.origin + path };
}

/** Why this origin may not be fetched from the extension, or undefined. */
function schemeFault(o: { scheme: 'https' | 'http'; host: string }, pageUrl: string | undefined): string | undefined {
  if (o.scheme === 'https') return undefined;
  if (isLoopback(o.host)) return undefined;
  if (pageUrl !== undefined && /^http:/i.test(pageUrl)) return undefined;
  return `plain http to ${o.host} is used only for loopback or when the inspected page is itself http: use https`;
}

function parseOrigin(raw: string): { scheme: 'https' | 'http'; host: string; origin: string } | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  const p = url.protocol.toLowerCase();
  const scheme = p === 'https:' || p === 'wss:' ? 'https' : p === 'http:' || p === 'ws:' ? 'http' : undefined;
  if (!scheme || !url.hostname) return undefined;
  // wss://h:443 is https://h; ws://h:80 is http://h (URL drops only the scheme's own default).
  const port = url.port && !((scheme === 'https' && url.port === '443') || (scheme === 'http' && url.port === '80')) ? `:${url.port}` : '';
  const host = url.hostname.toLowerCase();
  return { scheme, host, origin: `${scheme}://${host}${port}` };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '[::1]';
}

// ---- the keys ----------------------------------------------------------------------------------

export interface PublicKeys {
  keys: JWK[];
  /** `oct` keys dropped whole. */
  symmetricDropped: number;
  /** Keys of another or no type dropped. */
  unknownDropped: number;
  /** Keys kept after private members were removed from them. */
  privateStripped: number;
}

/** Public RSA/EC/OKP keys only, each without private members; what was dropped or stripped is counted. */
export function publicKeysOnly(keys: readonly unknown[]): PublicKeys {
  const out: PublicKeys = { keys: [], symmetricDropped: 0, unknownDropped: 0, privateStripped: 0 };
  for (const key of keys) {
    if (!key || typeof key !== 'object' || Array.isArray(key)) {
      out.unknownDropped++;
      continue;
    }
    const kty = (key as { kty?: unknown }).kty;
    if (kty === 'oct') {
      out.symmetricDropped++;
      continue;
    }
    if (typeof kty !== 'string' || !PUBLIC_KTY.has(kty)) {
      out.unknownDropped++;
      continue;
    }
    const copy: Record<string, unknown> = {};
    let stripped = false;
    for (const [name, value] of Object.entries(key)) {
      if ((PRIVATE_MEMBERS as readonly string[]).includes(name)) stripped = true;
      else copy[name] = value;
    }
    if (stripped) out.privateStripped++;
    out.keys.push(copy as JWK);
  }
  return out;
}

// ---- the request --------------------------------------------------------------------------------

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export type JwksFetchResult = ({ ok: true; url: string } & PublicKeys) | { ok: false; error: string };

export interface JwksFetchOptions {
  fetch: FetchLike;
  timeoutMs?: number;
  maxBytes?: number;
}

/** The request options, fixed (exported for the tests that check them on the wire). */
export function jwksRequestInit(signal: AbortSignal): RequestInit {
  return { method: 'GET', credentials: 'omit', redirect: 'error', referrerPolicy: 'no-referrer', cache: 'no-store', mode: 'cors', signal, headers: { accept: 'application/json' } };
}

/** Fetches a JWKS under the rules above. Never throws: every failure is one sentence. */
export async function fetchJwks(url: string, options: JwksFetchOptions): Promise<JwksFetchResult> {
  const timeoutMs = options.timeoutMs ?? JWKS_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? JWKS_MAX_BYTES;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
  try {
    let res: Response;
    try {
      res = await options.fetch(url, jwksRequestInit(controller.signal));
    } catch (e) {
      if (controller.signal.aborted) return { ok: false, error: `${url} did not answer within ${timeoutMs / 1000} s` };
      // A redirect refused by redirect:'error', a CORS refusal, DNS, TLS: the browser says "Failed to fetch".
      return { ok: false, error: `${url} could not be fetched (${errorText(e)}); redirects are not followed` };
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return { ok: false, error: `HTTP ${res.status} from ${url}` };
    }
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      return { ok: false, error: `${url} sent ${declared} bytes, more than a JWKS needs (at most ${maxBytes / 1024} KB)` };
    }
    const body = await readCapped(res, maxBytes, controller);
    if (body === 'too-large') return { ok: false, error: `${url} sent more than ${maxBytes / 1024} KB, more than a JWKS needs: stopped reading` };
    if (body === 'timeout') return { ok: false, error: `${url} did not finish within ${timeoutMs / 1000} s` };
    if (body === 'failed') return { ok: false, error: `${url}: the connection broke while reading` };
    const parsed = parseJwks(body);
    if (!parsed.ok) return { ok: false, error: `${url}: ${parsed.error}` };
    const kept = publicKeysOnly(parsed.value.keys);
    if (kept.keys.length === 0) {
      const why = kept.symmetricDropped ? ` (${kept.symmetricDropped} symmetric key${kept.symmetricDropped === 1 ? '' : 's'} dropped: a JWKS must not publish one)` : '';
      return { ok: false, error: `${url} has no public RSA, EC or OKP key${why}` };
    }
    return { ok: true, url, ...kept };
  } finally {
    clearTimeout(timer);
  }
}

/** The body as text, read chunk by chunk and given up past `maxBytes`. */
async function readCapped(res: Response, maxBytes: number, controller: AbortController): Promise<string | 'too-large' | 'timeout' | 'failed'> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        // Stop the download, not only the reading.
        await reader.cancel().catch(() => undefined);
        controller.abort(new Error('too large'));
        return 'too-large';
      }
      chunks.push(value);
    }
  } catch {
    return controller.signal.aborted ? 'timeout' : 'failed';
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(all);
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.message}${e.cause instanceof Error ? `: ${e.cause.message}` : ''}` : String(e);
}
