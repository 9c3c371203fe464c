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
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i];
    const b1 = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const b2 = i + 2 < bytes.length ? bytes[i + 2] : 0;
    const triple = (b0 << 16) | (b1 << 8) | b2;
    chunk +=
      ALPHABET[(triple >> 18) & 63] +
      ALPHABET[(triple >> 12) & 63] +
      (i + 1 < bytes.length ? ALPHABET[(triple >> 6) & 63] : '=') +
      (i + 2 < bytes.length ? ALPHABET[triple & 63] : '=');
    // Flush in chunks so very large payloads do not build one quadratic string.
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

const utf8 = new TextDecoder('utf-8');

/** UTF-8 text of a byte range; invalid sequences become U+FFFD (never throws). */
export function utf8Text(bytes: Uint8Array, start: number, end: number): string {
  return utf8.decode(bytes.subarray(start, end));
}

/** Bytes of a string once UTF-8 encoded, without encoding it (a lone surrogate counts as 3, like U+FFFD). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) (n += 4), i++;
    else n += 3;
  }
  return n;
}
