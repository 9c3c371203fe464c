// The one masking of secrets on screen and in copies (the export issue extends it into full
// redaction): JWT signatures hidden, `sb_secret_` and opaque keys shortened to a recognisable
// prefix and suffix, the socket URL's `apikey` masked. Every face (panel, popup, CLI) masks
// through here, so what one shows hidden no other shows raw. Pure functions.

import type { DecodedToken } from '../tokens/decode';

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

/** A compact JWT inside any text (frame payloads quote the join's access_token in full). */
const JWT_IN_TEXT = /\b(eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.)[A-Za-z0-9_-]{8,}/g;
const SB_SECRET_IN_TEXT = /\bsb_secret_[A-Za-z0-9_-]+/g;

/**
 * Captured text with every JWT's signature hidden (header and claims stay readable: the Tokens
 * view shows them anyway) and `sb_secret_` keys masked, so what is on screen by default is no
 * credential anyone could replay. The user can reveal keys.
 */
export function maskTokensInText(text: string): string {
  return text.replace(JWT_IN_TEXT, (_, head: string) => `${head}…(signature hidden)`).replace(SB_SECRET_IN_TEXT, (key) => maskSecret(key));
}

/** The token as text with the secret part hidden: JWT segment prefixes only, never the signature. */
export function maskToken(t: DecodedToken): string {
  if (t.form === 'not-a-string') return t.label;
  if (t.form === 'opaque-key') return maskSecret(t.cleaned);
  if (t.form === 'malformed') return t.cleaned === '' ? '"" (empty string)' : `${t.label}: ${maskSecret(t.cleaned)}`;
  const [h, c, s] = t.cleaned.split('.');
  return `${h.slice(0, 10)}….${c.slice(0, 10)}….${s === '' ? '(no signature)' : '(signature hidden)'} · ${t.cleaned.length} chars`;
}
