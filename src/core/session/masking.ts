// The one masking of secrets on screen and in copies (the export issue extends it into full
// redaction): JWT signatures hidden, `sb_secret_` and opaque keys shortened to a recognisable
// prefix and suffix, the socket URL's `apikey` masked. Every face (panel, popup, CLI) masks
// through here, so what one shows hidden no other shows raw. Pure functions.

import type { DecodedToken } from '../tokens/decode';
import { REDACTED } from '../url-secrets';

/** Keeps enough of a key to recognise it: a prefix, the length, the last 4 characters. */
export function maskSecret(value: string): string {
  if (value.length <= 12) return '•'.repeat(Math.max(3, value.length));
  const prefix = value.startsWith('sb_') ? value.slice(0, value.indexOf('_', 3) + 1 || 12) : value.slice(0, 6);
  return `${prefix}…(${value.length} chars)…${value.slice(-4)}`;
}

/** The URL with its `apikey` query value masked; anything unparsable is returned as is. */
export function maskApikeyInUrl(url: string): string {
  return url.replace(/([?&]apikey=)([^&#]*)/gi, (_, name: string, value: string) => {
    let decoded = value;
    try {
      decoded = decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      // keep as written
    }
    return decoded === '' ? name : name + maskSecret(decoded);
  });
}

// Masking runs on whatever a page sent, so it must stay linear on crafted text: the regular
// expressions it replaces (`\b(eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.)[A-Za-z0-9_-]{8,}` and
// `\bsb_secret_[A-Za-z0-9_-]+`) retried every `eyJ` of a long run, and '-eyJ' × 32 K took seconds.
// The scanners below give the same output in one pass: every candidate start inside one run of
// base64url characters reaches the same dots, so a failed candidate skips to the run's end.

/** A JWT's signature is hidden when it has at least this many characters (as before). */
const MIN_SIGNATURE = 8;
const SIGNATURE_HIDDEN = '…(signature hidden)';
/** What `scrubUrl` leaves of a URL token's signature, and what the screen says instead. */
const SCRUBBED = REDACTED;
const SIGNATURE_NOT_KEPT = '…(signature not kept)';

/** [A-Za-z0-9_-]: the characters of a base64url segment and of an sb_ key. */
function isSegmentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;
}

/** A regex word character [A-Za-z0-9_], for the `\b` before a token. */
function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/** The end of the run of segment characters starting at `from` (`from` itself when there is none). */
function runEnd(text: string, from: number, limit = text.length): number {
  let i = from;
  while (i < limit && isSegmentChar(text.charCodeAt(i))) i++;
  return i;
}

function startsTokenAt(text: string, i: number, prefix: string): boolean {
  return text.startsWith(prefix, i) && (i === 0 || !isWordChar(text.charCodeAt(i - 1)));
}

const DOT = 46;

interface Masked {
  text: string;
  /** Characters of the input the output stands for: the input's length, or the cut (moved past a masked credential it fell into). */
  consumed: number;
}

/**
 * JWT signatures hidden in text[0, limit). A JWT that starts before the limit is judged on the
 * whole text (so one cut inside its signature shows "…(signature hidden)", never a prefix of it);
 * one whose header or claims run past the limit shows them up to the limit, as the whole text would.
 */
function maskJwts(text: string, limit: number, truncated = false): Masked {
  let out = '';
  let copied = 0;
  let i = text.indexOf('eyJ');
  let consumed = limit;
  while (i !== -1 && i < limit) {
    if (!startsTokenAt(text, i, 'eyJ')) {
      i = text.indexOf('eyJ', i + 1);
      continue;
    }
    // Bounded look-ahead: what is past the limit is never shown, except the signature's length.
    const headerEnd = runEnd(text, i + 3, limit + 1);
    const next = headerEnd;
    if (headerEnd < limit && text.charCodeAt(headerEnd) === DOT) {
      const claimsEnd = runEnd(text, headerEnd + 1, limit + 1);
      if (claimsEnd < limit && text.charCodeAt(claimsEnd) === DOT) {
        // A token taken from a URL lost its signature at capture (core/url-secrets.ts): said as such,
        // in the place and the words of a hidden one. A fixed-length look, so still one pass.
        if (text.startsWith(SCRUBBED, claimsEnd + 1) && !isSegmentChar(text.charCodeAt(claimsEnd + 1 + SCRUBBED.length))) {
          const end = claimsEnd + 1 + SCRUBBED.length;
          out += text.slice(copied, claimsEnd + 1) + SIGNATURE_NOT_KEPT;
          copied = end;
          if (end > limit) consumed = end;
          i = text.indexOf('eyJ', end);
          continue;
        }
        const signatureEnd = runEnd(text, claimsEnd + 1);
        const length = signatureEnd - (claimsEnd + 1);
        // In text that was cut at its end, a signature reaching the end may be longer than it looks.
        if (length >= MIN_SIGNATURE || (truncated && length > 0 && signatureEnd === text.length)) {
          out += text.slice(copied, claimsEnd + 1) + SIGNATURE_HIDDEN;
          copied = signatureEnd;
          if (signatureEnd > limit) consumed = signatureEnd;
          i = text.indexOf('eyJ', signatureEnd);
          continue;
        }
      }
    }
    // No JWT here, nor at any later `eyJ` of the same run (they reach the same dots).
    i = text.indexOf('eyJ', Math.max(next, i + 1));
  }
  out += text.slice(copied, Math.max(copied, limit));
  return { text: out, consumed: Math.max(consumed, limit) };
}

/**
 * `sb_secret_` keys masked. `restAfterCut` gives the run of key characters that follows `text` in
 * the input beyond a cut (read only when a key reaches the cut): a key the cut falls into is
 * masked whole (its length and last 4), never by its cut prefix.
 */
function maskSecretKeys(text: string, restAfterCut: () => string = () => '', truncated = false): { text: string; extra: number } {
  let out = '';
  let copied = 0;
  let extra = 0;
  let i = text.indexOf('sb_secret_');
  while (i !== -1) {
    if (!startsTokenAt(text, i, 'sb_secret_')) {
      i = text.indexOf('sb_secret_', i + 1);
      continue;
    }
    const end = runEnd(text, i + 10);
    const rest = end === text.length ? restAfterCut() : '';
    if (end === i + 10 && rest === '') {
      i = text.indexOf('sb_secret_', i + 1);
      continue;
    }
    const key = text.slice(i, end) + rest;
    extra = rest.length;
    // A key cut at the end of a truncated text: its last characters are unknown, show none.
    out += text.slice(copied, i) + (truncated && end === text.length ? 'sb_secret_…(cut)' : maskSecret(key));
    copied = end;
    i = text.indexOf('sb_secret_', end);
  }
  return { text: copied === 0 ? text : out + text.slice(copied), extra };
}

/**
 * Captured text with every JWT's signature hidden (header and claims stay readable: the Tokens
 * view shows them anyway) and `sb_secret_` keys masked, so what is on screen by default is no
 * credential anyone could replay. The user can reveal keys. Linear in the text's length.
 * `truncated`: the text was already cut at its end (a preview whose rest is gone), so a
 * credential reaching the end is masked even when what is left of it looks too short to be one.
 */
export function maskTokensInText(text: string, options: { truncated?: boolean } = {}): string {
  const truncated = options.truncated === true;
  return maskSecretKeys(maskJwts(text, text.length, truncated).text, undefined, truncated).text;
}

/**
 * The first `limit` characters of a captured text, masked as maskTokensInText masks the whole:
 * capping first means a megabyte frame costs what its visible slice costs. A credential the cut
 * falls into is masked whole (a JWT shows "…(signature hidden)", never the start of its signature;
 * an sb_secret_ key its real length and last characters), and then counts as shown. `hidden`:
 * characters of the input not shown.
 */
export function maskTokensInCapped(text: string, limit: number): { text: string; hidden: number } {
  let cap = Math.max(0, Math.min(limit, text.length));
  // Never half of a surrogate pair (it would show as a lone surrogate).
  const last = text.charCodeAt(cap - 1);
  if (cap < text.length && last >= 0xd800 && last <= 0xdbff) cap--;
  const jwts = maskJwts(text, cap);
  let consumed = jwts.consumed;
  // A key the cut falls into continues with the key characters just past it.
  const keys = maskSecretKeys(jwts.text, () => (consumed < text.length ? text.slice(consumed, runEnd(text, consumed)) : ''));
  consumed += keys.extra;
  return { text: keys.text, hidden: text.length - consumed };
}

/** The token as text with the secret part hidden: JWT segment prefixes only, never the signature. */
export function maskToken(t: DecodedToken): string {
  if (t.form === 'not-a-string') return t.label;
  if (t.form === 'opaque-key') return maskSecret(t.cleaned);
  if (t.form === 'malformed') return t.cleaned === '' ? '"" (empty string)' : `${t.label}: ${maskSecret(t.cleaned)}`;
  const [h, c, s] = t.cleaned.split('.');
  if (t.signatureNotKept) return `${h.slice(0, 10)}….${c.slice(0, 10)}….(signature not kept: taken from a URL)`;
  return `${h.slice(0, 10)}….${c.slice(0, 10)}….${s === '' ? '(no signature)' : '(signature hidden)'} · ${t.cleaned.length} chars`;
}
