// What the Frames view's details pane shows of a payload: a JSON tree opened one level at a time,
// and binary frames as hex. Captured values are the page's: a payload can be megabytes or nested
// thousands deep, so the tree is built from a capped copy (core/safe-json cappedValue: depth and
// length markers where it was cut), lists at most a page of children per node, and its strings are
// clipped and masked (masking.ts) before the panel renders them — as text nodes only. Pure.

import { cappedValue } from '../safe-json';
import { maskTokensInText } from './masking';

export type JsonNodeKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

export interface JsonNode {
  /** Property name or array index, as shown. */
  key: string;
  kind: JsonNodeKind;
  /** One line: the value of a leaf (strings quoted, clipped, masked), or `{3 keys}` / `[12 items]`. */
  preview: string;
  /** Objects and arrays: how many children. */
  size?: number;
  /** The value itself, to open further (objects and arrays only). */
  value?: unknown;
}

/** The payload the tree shows: within 64 levels and 2 MiB of JSON text, cut with markers beyond. */
export function treeValue(payload: unknown): unknown {
  return cappedValue(payload, { maxDepth: 64, maxLength: 2 * 1024 * 1024 });
}

/** Children listed per node before "show more". */
export const TREE_PAGE = 200;
/** A string leaf is clipped to this many characters in its line (the full text is in the raw view). */
export const TREE_STRING_CAP = 300;

export function jsonKind(value: unknown): JsonNodeKind {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'object':
      return 'object';
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'null';
  }
}

/** A node for one value under `key`. */
export function jsonNode(key: string, value: unknown, mask: boolean): JsonNode {
  const kind = jsonKind(value);
  if (kind === 'array') {
    const size = (value as unknown[]).length;
    return { key, kind, size, value, preview: `[${size.toLocaleString('en-US')} item${size === 1 ? '' : 's'}]` };
  }
  if (kind === 'object') {
    const size = Object.keys(value as object).length;
    return { key, kind, size, value, preview: `{${size.toLocaleString('en-US')} key${size === 1 ? '' : 's'}}` };
  }
  if (kind === 'string') {
    const text = value as string;
    const clipped = text.length > TREE_STRING_CAP;
    const body = clipped ? text.slice(0, TREE_STRING_CAP) : text;
    const shown = mask ? maskTokensInText(body, { truncated: clipped }) : body;
    return { key, kind, preview: JSON.stringify(shown).slice(0, -1) + (clipped ? `…" (${text.length.toLocaleString('en-US')} characters)` : '"') };
  }
  return { key, kind, preview: value === undefined ? 'null' : String(value) };
}

/** The first `limit` children of an object or array node, and how many more there are. */
export function jsonChildren(node: JsonNode, mask: boolean, limit = TREE_PAGE): { children: JsonNode[]; more: number } {
  const value = node.value;
  if (Array.isArray(value)) {
    const shown = Math.min(limit, value.length);
    const children: JsonNode[] = [];
    for (let i = 0; i < shown; i++) children.push(jsonNode(String(i), value[i], mask));
    return { children, more: value.length - shown };
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    const children = keys.slice(0, limit).map((k) => jsonNode(k, (value as Record<string, unknown>)[k], mask));
    return { children, more: keys.length - children.length };
  }
  return { children: [], more: 0 };
}

/** Bytes shown as hex per details pane before "show more". */
export const HEX_VIEW_BYTES = 4 * 1024;

/**
 * A classic hex dump of base64 bytes: offset, 16 bytes in hex, and their printable ASCII. At most
 * `maxBytes` bytes are decoded (a 1 MB frame costs what its first screenful costs). Bad base64 is
 * said in words, never thrown.
 */
export function hexDump(base64: string, maxBytes = HEX_VIEW_BYTES, mask = true): { lines: string[]; shownBytes: number; totalBytes: number; maskedBytes: number; error?: string } {
  const clean = base64.replace(/\s+/g, '');
  const totalBytes = Math.floor((clean.length * 3) / 4) - (clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0);
  // Decode only whole 4-character groups covering maxBytes.
  const chars = Math.min(clean.length, Math.ceil(maxBytes / 3) * 4);
  let binary: string;
  try {
    binary = atob(clean.slice(0, chars));
  } catch {
    return { lines: [], shownBytes: 0, totalBytes: 0, maskedBytes: 0, error: 'The captured bytes are not valid base64.' };
  }
  const shownBytes = Math.min(binary.length, maxBytes);
  // The same secrets the text views mask (JWT signatures, sb_secret_ keys) are blanked byte by
  // byte, in the hex and the ASCII columns alike. The scan is over at most `maxBytes` bytes.
  const hidden = new Uint8Array(shownBytes);
  let maskedBytes = 0;
  if (mask) {
    const visible = binary.slice(0, shownBytes);
    for (const m of visible.matchAll(/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.([A-Za-z0-9_-]{8,})|\bsb_secret_([A-Za-z0-9_-]+)/g)) {
      const secret = m[1] ?? m[2];
      const start = m.index + m[0].length - secret.length;
      for (let i = start; i < start + secret.length; i++) hidden[i] = 1;
      maskedBytes += secret.length;
    }
  }
  const lines: string[] = [];
  for (let offset = 0; offset < shownBytes; offset += 16) {
    const hex: string[] = [];
    let ascii = '';
    for (let i = offset; i < Math.min(offset + 16, shownBytes); i++) {
      const b = binary.charCodeAt(i);
      if (hidden[i]) {
        hex.push('••');
        ascii += '•';
        continue;
      }
      hex.push(b.toString(16).padStart(2, '0'));
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.join(' ').padEnd(47, ' ')}  ${ascii}`);
  }
  return { lines, shownBytes, totalBytes: Math.max(totalBytes, shownBytes), maskedBytes };
}
