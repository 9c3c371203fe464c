// Messages between the extension's contexts stay under a fixed byte budget (issue 10 item 3).
//
// Chromium serializes a runtime-port message to JSON and refuses one over 64 MiB: the post throws
// and the whole message is gone. A store of record holds 32 MB counted in UTF-16 units, and two- or
// three-byte UTF-8 text, JSON escaping of control characters (six bytes for one unit) and the
// per-event URLs and keys push a whole snapshot, or a stream batch of large frames, past that
// limit. So every list of captured events crosses a port in chunks whose JSON size, measured as
// the browser will count it, is at most MESSAGE_BYTE_BUDGET. The budget is an eighth of the limit:
// one chunk also costs the receiving panel one structured clone and one synchronous ingest, and
// smaller chunks keep that short.
//
// Pure: no browser APIs, unit-tested in Node.

/** JSON bytes of the captured events carried by one message (the envelope comes on top). */
export const MESSAGE_BYTE_BUDGET = 8 * 1024 * 1024;

/** What the envelope of a message (type, docId, stats, a document's URL) may add to its events. */
export const ENVELOPE_ALLOWANCE = 64 * 1024;

/** Nesting followed by `jsonByteLength`; deeper values count a fixed amount (events are shallow). */
const MAX_DEPTH = 8;
const DEEP_VALUE_BYTES = 1024;

/**
 * The UTF-8 length of `JSON.stringify(value)`, as a port serializes it: escapes (`\"`, `\n`,
 * `\u0001`, a lone surrogate as `\udXXX`) and multi-byte characters included. Never calls into the
 * value (own enumerable data of plain records and arrays only) and never throws; `undefined`
 * members and functions count nothing, as JSON drops them.
 */
export function jsonByteLength(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return jsonStringBytes(value);
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean':
      return value ? 4 : 5;
    case 'bigint':
      return String(value).length;
    case 'object': {
      if (value === null) return 4;
      if (depth >= MAX_DEPTH) return DEEP_VALUE_BYTES;
      if (Array.isArray(value)) {
        let n = 2 + Math.max(0, value.length - 1);
        for (let i = 0; i < value.length; i++) n += value[i] === undefined ? 4 : jsonByteLength(value[i], depth + 1);
        return n;
      }
      let n = 2;
      let members = 0;
      for (const key of Object.keys(value)) {
        const member = (value as Record<string, unknown>)[key];
        if (member === undefined || typeof member === 'function') continue;
        n += jsonStringBytes(key) + 1 + jsonByteLength(member, depth + 1);
        members++;
      }
      return n + Math.max(0, members - 1);
    }
    default:
      return 0;
  }
}

/** UTF-8 bytes of a JSON string literal, quotes included. One pass, no allocation. */
export function jsonStringBytes(s: string): number {
  let n = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      // '"' and '\\' and the short escapes take two bytes; other control characters \u00XX six.
      if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) n += 2;
      else n += c < 0x20 ? 6 : 1;
    } else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        n += 4;
        i++;
      } else n += 6; // a lone high surrogate is written as \udXXX
    } else if (c >= 0xdc00 && c <= 0xdfff) n += 6;
    else n += 3;
  }
  return n;
}

/**
 * Cuts `items` into consecutive chunks whose summed `sizeOf` stays within `budget` (a single item
 * over the budget gets a chunk of its own: the caller decides whether it can be sent). Always at
 * least one chunk, so an empty list still makes one (empty) message.
 */
export function chunkBySize<T>(items: readonly T[], sizeOf: (item: T) => number, budget = MESSAGE_BYTE_BUDGET): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item) + 1;
    if (current.length > 0 && bytes + size > budget) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  chunks.push(current);
  return chunks;
}
