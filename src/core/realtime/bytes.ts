// Byte helpers for binary Realtime frames. Captured binary frames travel as base64 (model.ts), so
// the decoder needs base64 in both directions; it must not depend on Buffer (Node only) or atob
// (throws on bad input, and absent in some worker-like contexts), hence this small, total codec.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Character code -> 6-bit value; -1 invalid, -2 ignorable whitespace, -3 padding. */
const SEXTET = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  // URL-safe alphabet too: a capture source could hand either.
  table['-'.charCodeAt(0)] = 62;
  table['_'.charCodeAt(0)] = 63;
  for (const ws of ' \t\r\n') table[ws.charCodeAt(0)] = -2;
  table['='.charCodeAt(0)] = -3;
  return table;
})();

export type Base64Result =
  | { ok: true; bytes: Uint8Array; /** A trailing fragment that could not form a byte was dropped. */ ragged: boolean }
  | { ok: false; reason: string };

/** Decodes base64 (standard or URL-safe, padding optional). Never throws. */
export function base64ToBytes(base64: string): Base64Result {
  const out = new Uint8Array(Math.floor((base64.length * 3) / 4) + 3);
  let length = 0;
  let buffer = 0;
  let bits = 0;
  let sawPadding = false;
  for (let i = 0; i < base64.length; i++) {
    const code = base64.charCodeAt(i);
    const value = code < 128 ? SEXTET[code] : -1;
    if (value === -2) continue;
    if (value === -3) {
      sawPadding = true;
      continue;
    }
    if (value === -1 || sawPadding) {
      const shown = JSON.stringify(base64.charAt(i));
      return {
        ok: false,
        reason: sawPadding && value !== -1
          ? `data continues after "=" padding at position ${i}`
          : `invalid base64 character ${shown} at position ${i}`,
      };
    }
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[length++] = (buffer >> bits) & 0xff;
    }
  }
  // 6 leftover bits (one lone character) cannot form a byte: the text was cut or is not base64.
  return { ok: true, bytes: out.subarray(0, length), ragged: bits >= 6 };
}

/** Encodes bytes as standard padded base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  // Character codes into one buffer, turned into a string natively: the content script encodes
  // every binary frame it stores, and a string built by `+=` per 3 bytes cost it more than the
  // rest of the frame's handling (scripts/bench/content-ingest.ts).
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  const whole = bytes.length - (bytes.length % 3);
  for (let i = 0; i < whole; i += 3) {
    const triple = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = ALPHABET_CODES[(triple >> 18) & 63];
    out[o++] = ALPHABET_CODES[(triple >> 12) & 63];
    out[o++] = ALPHABET_CODES[(triple >> 6) & 63];
    out[o++] = ALPHABET_CODES[triple & 63];
  }
  const rest = bytes.length - whole;
  if (rest) {
    const triple = (bytes[whole] << 16) | (rest === 2 ? bytes[whole + 1] << 8 : 0);
    out[o++] = ALPHABET_CODES[(triple >> 18) & 63];
    out[o++] = ALPHABET_CODES[(triple >> 12) & 63];
    out[o++] = rest === 2 ? ALPHABET_CODES[(triple >> 6) & 63] : PAD;
    out[o++] = PAD;
  }
  return ASCII.decode(out);
}

const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const PAD = '='.charCodeAt(0);
/** Base64 is ASCII: any single-byte decoder gives its characters as they are. */
const ASCII = new TextDecoder('latin1');

const utf8 = new TextDecoder('utf-8');
/** UTF-8 text of a byte range; invalid sequences become U+FFFD (never throws). */
export function utf8Text(bytes: Uint8Array, start: number, end: number): string {
  return utf8.decode(bytes.subarray(start, end));
}

/** Any character outside ASCII (a native scan: most frames have none, and then length is the answer). */
const NON_ASCII = /[^\x00-\x7f]/;

/** Bytes of a string once UTF-8 encoded, without encoding it (a lone surrogate counts as 3, like U+FFFD). */
export function utf8Length(s: string): number {
  if (!NON_ASCII.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) (n += 4), i++;
    else n += 3;
  }
  return n;
}
