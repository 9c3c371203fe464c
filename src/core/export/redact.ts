// Full redaction for exports (issue 13 item 4) and the panel's Copy buttons (panel/copy-text.ts):
// the session core's on-screen masking (core/session/masking.ts) extended to everything a file
// carries. One `Redactor` per export (and one for a panel's copies); its keyed-hash key is random
// (hash.ts) and never written, so pseudonyms are stable within one file and cannot be guessed back.
//
// What goes, wherever it occurs — URLs (query and fragment, URL-encoded), frames, headers, bodies,
// nested JSON and JSON inside JSON strings, base64 inside strings and binary frames:
// - every JWT's signature, replaced by a placeholder of the same length (`REDACTED` + keyed hash):
//   header and claims stay (the diagnosis needs them: role, exp, iss, ref, kid), the token keeps
//   its shape, so an imported file is analysed like the capture, but no token can be replayed;
// - `sb_secret_` keys: everything after the prefix;
// - values under secret key names anywhere: password, refresh_token, code_verifier,
//   provider_token, provider_refresh_token, cookies, client secrets;
// - personal data (email, phone, every value under user_metadata / identity_data), also e-mail
//   addresses in free text: replaced by a keyed pseudonym `redacted-<10 hex>` (unless the export
//   asks to include personal data).
// Binary frames: a whole V2 user broadcast (kind 3, sent by realtime-js 2.x for every broadcast;
// kind 4, received; realtime-facts §1.4) is redacted like the same message in a text frame — its
// fields read where the core decoder reads them, topic/event/metadata/payload put through the same
// JSON rules — and re-encoded with header sizes that match the new contents. Any other binary frame
// (kinds 0–2, whose payloads are bytes; previews; frames whose header does not read) is rewritten
// byte for byte with same-length replacements, so its header's field lengths stay true.

import type { CapturedEvent, FrameDirection } from '../model';
import { base64ToBytes, bytesToBase64 } from '../realtime/bytes';
import { binaryLayout, type BinaryLayout } from '../realtime/decode';
import { hmacSha256, randomKey, toHex } from './hash';

export interface RedactionOptions {
  /** Keep e-mail, phone and user_metadata values as captured (default: keyed pseudonyms). */
  includePersonalData?: boolean;
  /** The keyed hash's key; default random per Redactor. Tests pass one. Never written. */
  key?: Uint8Array;
  /**
   * Also replace the values of application payloads (broadcasts, presence, Postgres changes) by
   * placeholders of the same JSON type, keeping their keys: the shape of the traffic without its
   * content. Auth frames (joins, replies, access_token, system, closes) stay: the diagnosis needs them.
   */
  redactPayloadValues?: boolean;
}

/** What one export removed, by kind (shown to the user and written in the file). */
export interface RedactionReport {
  jwtSignatures: number;
  secretKeys: number;
  secretValues: number;
  personalData: number;
  /** Values of application payloads replaced (only with `redactPayloadValues`). */
  payloadValues?: number;
}

/** Key names whose values are secrets wherever they occur (compared lower-case). */
export const SECRET_KEY_NAMES: readonly string[] = [
  'password',
  'new_password',
  'current_password',
  'refresh_token',
  'code_verifier',
  'provider_token',
  'provider_refresh_token',
  'cookie',
  'set-cookie',
  'client_secret',
  'token_hash',
];
/** Key names whose (string or number) values are personal data. */
export const PERSONAL_KEY_NAMES: readonly string[] = ['email', 'phone', 'new_email', 'new_phone'];
/** Objects all of whose values are personal data (the keys stay). */
export const PERSONAL_CONTAINERS: readonly string[] = ['user_metadata', 'raw_user_meta_data', 'identity_data'];

const SECRET_KEYS = new Set(SECRET_KEY_NAMES);
const PERSONAL_KEYS = new Set(PERSONAL_KEY_NAMES);
const CONTAINERS = new Set(PERSONAL_CONTAINERS);
const KEY_ALTERNATION = [...SECRET_KEY_NAMES, ...PERSONAL_KEY_NAMES].map((k) => k.replace(/[-]/g, '\\-')).join('|');

const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
const SB_SECRET = /sb_secret_[A-Za-z0-9_-]+/g;
const EMAIL = /[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** key=value in query strings, fragments, form bodies. */
const FORM_PAIR = new RegExp(`(^|[?&#;\\s,])(${KEY_ALTERNATION})=([^&#\\s;,]*)`, 'gi');
/** "key":"value" in text that is not parseable JSON (previews, binary payloads), plain or escaped once. */
const JSON_PAIR = new RegExp(`(")(${KEY_ALTERNATION})"(\\s*:\\s*)"((?:[^"\\\\]|\\\\.)*)"`, 'gi');
/** The same inside a JSON string (quotes escaped once). */
const ESCAPED_JSON_PAIR = new RegExp(`(\\\\")(${KEY_ALTERNATION})\\\\"(\\s*:\\s*)\\\\"([^]*?)\\\\"`, 'gi');
const COOKIE_LINE = /((?:^|\n)\s*(?:set-)?cookie\s*:\s*)([^\r\n]*)/gi;
const BASIC_AUTH = /(\bBasic\s+)([A-Za-z0-9+/=]{6,})/g;
const BASE64_STRING = /^(?:[A-Za-z0-9+/]{4}){5,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$|^[A-Za-z0-9_-]{22,}$/;

/** A base64 or base64url run inside free text (a close reason, a log line). */
const BASE64_RUN = /[A-Za-z0-9+/_-]{24,}={0,2}/g;

const MAX_DEPTH = 6;

/** Made once: an export runs them for every section of every binary broadcast. */
const UTF8 = new TextEncoder();
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const SHORT_DIGITS = /^\d{0,19}$/;

export class Redactor {
  private readonly key: Uint8Array;
  private readonly keepPersonal: boolean;
  private readonly maskPayloads: boolean;
  private readonly counts: Required<RedactionReport> = { jwtSignatures: 0, secretKeys: 0, secretValues: 0, personalData: 0, payloadValues: 0 };

  constructor(options: RedactionOptions = {}) {
    this.key = options.key ?? randomKey();
    this.keepPersonal = options.includePersonalData === true;
    this.maskPayloads = options.redactPayloadValues === true;
  }

  report(): RedactionReport {
    const { payloadValues, ...rest } = this.counts;
    return this.maskPayloads ? { ...rest, payloadValues } : rest;
  }

  /**
   * A redacted copy of one captured event. Every field is redacted — the known ones and any a
   * newer capture added — a binary frame's bytes by `binaryFrame`; the stamps (docId, seq, time)
   * stay, so evidence references remain valid. A frame's `size` stays the captured one: it
   * describes the frame on the wire (as for a text frame whose pseudonyms change its length), not
   * the redacted text or bytes in the file, which may be longer or shorter. Only payload masking
   * (`redactPayloadValues`) sets it to the masked frame's length, so the file does not tell how
   * long the hidden values were.
   */
  event(event: CapturedEvent): CapturedEvent {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(event)) {
      if (k === 'base64' && event.kind === 'ws-frame' && typeof v === 'string') out[k] = this.binaryFrame(v, event.dir, event.truncated === true);
      else if (k === 'kind' || k === 'docId' || k === 'conn' || k === 'req' || k === 'source') out[k] = v;
      else out[k] = this.json(v);
    }
    if (this.maskPayloads && event.kind === 'ws-frame') this.maskFramePayload(out, event.truncated === true);
    return out as unknown as CapturedEvent;
  }

  /** `redactPayloadValues`: an application frame's payload values become typed placeholders. */
  private maskFramePayload(frame: Record<string, unknown>, truncated: boolean): void {
    if (typeof frame.text === 'string') {
      const masked = maskPhoenixText(frame.text, () => this.counts.payloadValues++);
      if (masked !== frame.text) {
        frame.text = masked;
        if (!truncated) frame.size = utf8Length(masked);
      }
    } else if (typeof frame.base64 === 'string') {
      const masked = maskBinaryBroadcast(frame.base64, () => this.counts.payloadValues++);
      if (masked !== undefined) {
        frame.base64 = masked.base64;
        if (!truncated) frame.size = masked.size;
      }
    }
  }

  /** Any JSON value: secrets by key name, personal data by key name, every string scanned. */
  json(value: unknown, depth = 0, sameLength = false): unknown {
    if (typeof value === 'string') return sameLength ? this.text(value, true) : this.string(value, depth);
    if (Array.isArray(value)) return value.map((v) => this.json(v, depth, sameLength));
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const name = k.toLowerCase();
      if (SECRET_KEYS.has(name) && v !== null && v !== '') out[k] = this.secretValue(v, sameLength);
      else if (PERSONAL_KEYS.has(name) && !this.keepPersonal && (typeof v === 'string' || typeof v === 'number') && v !== '') out[k] = this.personal(String(v), sameLength);
      else if (CONTAINERS.has(name) && !this.keepPersonal) out[k] = this.personalTree(v, sameLength);
      else out[k] = this.json(v, depth, sameLength);
    }
    return out;
  }

  /** Any captured string: a URL, JSON text, base64 text, or free text. */
  string(text: string, depth = 0): string {
    if (depth > MAX_DEPTH || text === '') return text;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return this.url(text, depth);
    const trimmed = text.trim();
    if ((trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'))) {
      let parsed: unknown;
      let ok = false;
      try {
        parsed = JSON.parse(trimmed);
        ok = true;
      } catch {
        // not JSON after all (a preview cut mid-value): the text patterns below still apply
      }
      if (ok) {
        const redacted = JSON.stringify(this.json(parsed, depth + 1));
        return redacted === JSON.stringify(parsed) ? text : redacted;
      }
    }
    if (BASE64_STRING.test(trimmed)) {
      const inner = this.base64Text(trimmed, depth);
      if (inner !== undefined) return inner;
    }
    return this.text(text, false).replace(BASE64_RUN, (run) => this.base64Text(run, depth) ?? run);
  }

  /** A URL with its query and fragment parameters redacted one by one (URL-encoded values decoded first). */
  url(url: string, depth = 0): string {
    const hash = url.indexOf('#');
    const beforeHash = hash === -1 ? url : url.slice(0, hash);
    const fragment = hash === -1 ? undefined : url.slice(hash + 1);
    const q = beforeHash.indexOf('?');
    const path = q === -1 ? beforeHash : beforeHash.slice(0, q);
    const query = q === -1 ? undefined : beforeHash.slice(q + 1);
    let out = this.text(path, false);
    if (query !== undefined) out += `?${this.params(query, depth)}`;
    if (fragment !== undefined) out += `#${fragment.includes('=') ? this.params(fragment, depth) : this.text(fragment, false)}`;
    return out;
  }

  /**
   * A captured binary frame's base64. A whole V2 user broadcast (kinds 3 and 4, §1.4) is redacted
   * field by field with the rules a text frame's JSON gets (`userBroadcast`) and re-encoded; any
   * other frame — kinds 0–2, a preview (`truncated`), bytes that are not base64 or whose header
   * does not read — byte for byte (`binary`).
   */
  binaryFrame(base64: string, dir: FrameDirection, truncated = false): string {
    if (truncated) return this.binary(base64);
    const decoded = base64ToBytes(base64);
    if (!decoded.ok || decoded.ragged) return this.binary(base64);
    const layout = binaryLayout(decoded.bytes, dir);
    if (typeof layout === 'string' || (layout.kind !== 3 && layout.kind !== 4)) return this.binary(base64);
    const redacted = this.userBroadcast(decoded.bytes, layout);
    return redacted === undefined ? base64 : bytesToBase64(redacted);
  }

  /** A binary frame's base64: rewritten byte for byte, every replacement the same length. */
  binary(base64: string): string {
    let latin1: string;
    try {
      latin1 = atob(base64);
    } catch {
      // not base64 (the decoder reports it): scan it as text
      return this.text(base64, true);
    }
    const redacted = this.text(latin1, true);
    if (redacted === latin1) return base64;
    return btoa(redacted);
  }

  /**
   * A kind-3/4 frame's bytes redacted field by field at the offsets the core decoder reads
   * (`binaryLayout`), or undefined when nothing changed (the frame is written as captured). The
   * refs, topic and user event are strings, as in a text frame's array; the metadata and a JSON
   * payload (payload_encoding 1) go through `json` like a text frame's payload, so key names
   * (user_metadata, phone as a number…) count as they do there. A section that is not UTF-8 or not
   * JSON, and a binary payload, go byte for byte. A section unchanged keeps its captured bytes. The
   * header sizes are written from the new sections; a field's size is one byte (≤ 255), so a field
   * that the JSON rules would make longer than that goes byte for byte instead (same length).
   */
  private userBroadcast(bytes: Uint8Array, layout: BinaryLayout): Uint8Array | undefined {
    const sections: Uint8Array[] = [];
    let changed = false;
    for (const field of layout.fields) {
      const original = bytes.subarray(field.start, field.end);
      const before = { ...this.counts };
      let next = field.name === 'metadata' ? this.jsonSection(original) : this.stringSection(original);
      if (next.length > 255) {
        // Counted again by the byte pass: forget the counts of the attempt that did not fit.
        Object.assign(this.counts, before);
        next = this.byteSection(original);
      }
      if (next !== original) changed = true;
      sections.push(next);
    }
    const data = bytes.subarray(layout.dataStart);
    const payload = layout.encodingByte === 1 ? this.jsonSection(data) : this.byteSection(data);
    if (payload !== data) changed = true;
    if (!changed) return undefined;

    const out = new Uint8Array(layout.headerLength + sections.reduce((n, s) => n + s.length, 0) + payload.length);
    out.set(bytes.subarray(0, layout.headerLength));
    let offset = layout.headerLength;
    sections.forEach((section, i) => {
      out[1 + i] = section.length;
      out.set(section, offset);
      offset += section.length;
    });
    out.set(payload, offset);
    return out;
  }

  /** A header field as a string (a text frame's topic or event); the same array when unchanged. */
  private stringSection(section: Uint8Array): Uint8Array {
    const text = utf8OrUndefined(section);
    if (text === undefined) return this.byteSection(section);
    // realtime-js's refs are short decimal strings, which no rule of `string` can match (each needs
    // a letter, a sign like @ = " { or 20+ characters): skipped, they are half of a kind-3 header.
    if (SHORT_DIGITS.test(text)) return section;
    const redacted = this.string(text, 1);
    return redacted === text ? section : UTF8.encode(redacted);
  }

  /** A JSON section (metadata, a JSON payload) through the JSON rules; the same array when unchanged. */
  private jsonSection(section: Uint8Array): Uint8Array {
    if (section.length === 0) return section;
    const text = utf8OrUndefined(section);
    if (text === undefined) return this.byteSection(section);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Marked JSON but not JSON (the decoder notes it): its bytes go through the byte patterns.
      return this.byteSection(section);
    }
    const redacted = JSON.stringify(this.json(parsed, 1));
    return redacted === JSON.stringify(parsed) ? section : UTF8.encode(redacted);
  }

  /** Bytes through the same-length patterns (as latin1); the same array when unchanged. */
  private byteSection(section: Uint8Array): Uint8Array {
    const latin1 = bytesToLatin1(section);
    const redacted = this.text(latin1, true);
    return redacted === latin1 ? section : Uint8Array.from(redacted, (c) => c.charCodeAt(0));
  }

  // ---- pieces -------------------------------------------------------------------------------

  private params(query: string, depth: number): string {
    return query
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq === -1) return this.text(pair, false);
        const name = pair.slice(0, eq);
        const raw = pair.slice(eq + 1);
        let value = raw;
        try {
          value = decodeURIComponent(raw.replace(/\+/g, ' '));
        } catch {
          // keep as written
        }
        const lower = name.toLowerCase();
        let redacted: string;
        if (SECRET_KEYS.has(lower) && value !== '') redacted = String(this.secretValue(value));
        else if (PERSONAL_KEYS.has(lower) && value !== '' && !this.keepPersonal) redacted = this.pseudonym(value);
        else redacted = this.string(value, depth + 1);
        return redacted === value ? pair : `${name}=${encodeURIComponent(redacted)}`;
      })
      .join('&');
  }

  /** Base64 text whose decoded form is readable and held something to redact: re-encoded redacted. */
  private base64Text(b64: string, depth: number): string | undefined {
    const url = /[-_]/.test(b64) || !/[+/=]/.test(b64);
    let latin1: string;
    try {
      latin1 = atob(url ? b64.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(b64.length / 4) * 4, '=') : b64);
    } catch {
      return undefined;
    }
    let decoded: string;
    try {
      decoded = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(latin1, (c) => c.charCodeAt(0)));
    } catch {
      // bytes, not text: patterns on the raw bytes, same length
      const redacted = this.text(latin1, true);
      return redacted === latin1 ? undefined : encodeBase64(redacted, url, b64);
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000e-\u001f]/.test(decoded)) return undefined;
    const redacted = this.string(decoded, depth + 1);
    if (redacted === decoded) return undefined;
    const bytes = new TextEncoder().encode(redacted);
    let bin = '';
    for (const b of bytes) bin += String.fromCharCode(b);
    return encodeBase64(bin, url, b64);
  }

  /** Free text (or a binary frame as latin1 when `sameLength`): the patterns. */
  private text(text: string, sameLength: boolean): string {
    let out = text.replace(JWT, (jwt) => this.jwt(jwt, sameLength));
    out = out.replace(SB_SECRET, (key) => {
      this.counts.secretKeys++;
      return `sb_secret_${this.placeholder(key, key.length - 'sb_secret_'.length)}`;
    });
    out = out.replace(FORM_PAIR, (whole, lead: string, name: string, value: string) => {
      if (value === '') return whole;
      return `${lead}${name}=${this.pairValue(name, value, sameLength, true)}`;
    });
    for (const pattern of [JSON_PAIR, ESCAPED_JSON_PAIR]) {
      out = out.replace(pattern, (whole, q: string, name: string, colon: string, value: string) => {
        if (value === '') return whole;
        return `${q}${name}${q}${colon}${q}${this.pairValue(name, value, sameLength, false)}${q}`;
      });
    }
    out = out.replace(COOKIE_LINE, (_, lead: string, value: string) => {
      this.counts.secretValues++;
      return lead + (sameLength ? '*'.repeat(value.length) : '[redacted]');
    });
    out = out.replace(BASIC_AUTH, (_, lead: string, value: string) => {
      this.counts.secretValues++;
      return lead + (sameLength ? '*'.repeat(value.length) : '[redacted]');
    });
    if (!this.keepPersonal) {
      out = out.replace(EMAIL, (email) => {
        if (email.startsWith('redacted-')) return email;
        return sameLength ? this.pseudonymOfLength(decodeEmail(email), email.length) : this.pseudonym(decodeEmail(email));
      });
    }
    return out;
  }

  private pairValue(name: string, value: string, sameLength: boolean, urlEncoded: boolean): string {
    const lower = name.toLowerCase();
    if (SECRET_KEYS.has(lower)) {
      this.counts.secretValues++;
      return sameLength ? '*'.repeat(value.length) : '[redacted]';
    }
    if (this.keepPersonal) return value;
    let plain = value;
    if (urlEncoded) {
      try {
        plain = decodeURIComponent(value.replace(/\+/g, ' '));
      } catch {
        // keep as written
      }
    }
    return sameLength ? this.pseudonymOfLength(plain, value.length) : this.pseudonym(plain);
  }

  /** One JWT: signature replaced by a same-length placeholder; personal claims pseudonymised. */
  private jwt(jwt: string, sameLength: boolean): string {
    const [h, c, s] = jwt.split('.');
    let claims = c;
    if (!this.keepPersonal) {
      const parsed = decodeSegment(c);
      if (parsed !== undefined && typeof parsed === 'object' && parsed !== null) {
        const redacted = this.json(parsed, 0, sameLength);
        const before = JSON.stringify(parsed);
        const after = JSON.stringify(redacted);
        if (after !== before) {
          // In a binary frame the segment keeps its byte length: pad the JSON with spaces.
          const lack = sameLength ? utf8Length(decodeSegmentText(c) ?? before) - utf8Length(after) : 0;
          claims = encodeSegment(lack > 0 ? `${after.slice(0, -1)}${' '.repeat(lack)}}` : after);
        }
      }
    }
    if (s === '' || s.startsWith('REDACTED')) return `${h}.${claims}.${s}`;
    this.counts.jwtSignatures++;
    return `${h}.${claims}.${this.placeholder(jwt, s.length)}`;
  }

  private secretValue(v: unknown, sameLength = false): unknown {
    this.counts.secretValues++;
    return sameLength && typeof v === 'string' ? '*'.repeat(v.length) : '[redacted]';
  }

  private personal(value: string, sameLength: boolean): string {
    return sameLength ? this.pseudonymOfLength(value, value.length) : this.pseudonym(value);
  }

  private personalTree(v: unknown, sameLength = false): unknown {
    if (typeof v === 'string' || typeof v === 'number') return v === '' ? v : this.personal(String(v), sameLength);
    if (Array.isArray(v)) return v.map((x) => this.personalTree(x, sameLength));
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.personalTree(x, sameLength)]));
  }

  private hash(value: string): string {
    return toHex(hmacSha256(this.key, new TextEncoder().encode(value)));
  }

  /** `redacted-<10 hex>`: the same value gives the same pseudonym within this export. */
  private pseudonym(value: string): string {
    this.counts.personalData++;
    return `redacted-${this.hash(`pd\u0000${value.toLowerCase()}`).slice(0, 10)}`;
  }

  private pseudonymOfLength(value: string, length: number): string {
    this.counts.personalData++;
    const h = this.hash(`pd\u0000${value.toLowerCase()}`);
    return h.repeat(Math.ceil(length / h.length)).slice(0, length);
  }

  /** `REDACTED` + keyed hash of what it replaces, base64url-safe, exactly `length` characters. */
  private placeholder(of: string, length: number): string {
    const h = this.hash(`sig\u0000${of}`);
    const text = length >= 16 ? `REDACTED${h}` : h;
    return text.repeat(Math.ceil(length / text.length) + 1).slice(0, length);
  }
}

/** One character per byte (code 0–255); TextDecoder's "latin1" is windows-1252, which remaps 0x80–0x9f. */
function bytesToLatin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

function decodeEmail(email: string): string {
  return email.replace(/%40/gi, '@');
}

function decodeSegmentText(segment: string): string | undefined {
  try {
    const b64 = segment.replace(/-/g, '+').replace(/_/g, '/');
    const latin1 = atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, '='));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(latin1, (ch) => ch.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

function decodeSegment(segment: string): unknown {
  const text = decodeSegmentText(segment);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

function encodeSegment(json: string): string {
  const bytes = new TextEncoder().encode(json);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Re-encodes latin1 bytes in the alphabet (and padding) the original base64 used. */
function encodeBase64(latin1: string, url: boolean, original: string): string {
  const std = btoa(latin1);
  if (!url) return std;
  const u = std.replace(/\+/g, '-').replace(/\//g, '_');
  return original.endsWith('=') ? u : u.replace(/=+$/, '');
}

// ---- payload values (redactPayloadValues) ----------------------------------------------------

/** Phoenix events whose payload is the application's data (realtime-facts §1.3): broadcasts, presence, Postgres changes. */
const APP_DATA_EVENTS = new Set(['broadcast', 'presence', 'presence_state', 'presence_diff', 'postgres_changes']);
/** Protocol fields inside an application payload that name things rather than carry data. */
const PROTOCOL_KEYS = new Set(['type', 'event', 'ids', 'schema', 'table', 'eventType', 'commit_timestamp', 'columns', 'errors']);

/** A JSON value with every leaf replaced by a placeholder of its type; keys and array lengths stay. */
function maskValues(value: unknown, count: () => void): unknown {
  if (Array.isArray(value)) return value.map((v) => maskValues(v, count));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValues(v, count)]));
  if (value === null) return null;
  count();
  if (typeof value === 'string') return '[redacted]';
  if (typeof value === 'number') return 0;
  if (typeof value === 'boolean') return false;
  return null;
}

/** An application payload: its protocol fields stay (type, event, table…), everything else is masked. */
function maskAppPayload(payload: unknown, count: () => void): unknown {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return maskValues(payload, count);
  return Object.fromEntries(
    Object.entries(payload).map(([k, v]) => {
      if (PROTOCOL_KEYS.has(k)) return [k, v];
      // postgres_changes nests its record under `data`, whose own protocol fields stay too.
      if (k === 'data' && v !== null && typeof v === 'object' && !Array.isArray(v)) return [k, maskAppPayload(v, count)];
      return [k, maskValues(v, count)];
    }),
  );
}

/** A Phoenix text frame (V1 object or V2 array) with an application payload masked; others unchanged. */
function maskPhoenixText(text: string, count: () => void): string {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    // A preview cut mid-JSON: mask every string and number value after a key, if it is app data.
    if (!/"(?:broadcast|presence|presence_state|presence_diff|postgres_changes)"/.test(text.slice(0, 200))) return text;
    return text.replace(/(:\s*)("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g, (_, colon: string, v: string) => {
      count();
      return `${colon}${v.startsWith('"') ? '"[redacted]"' : '0'}`;
    });
  }
  if (Array.isArray(message) && message.length === 5 && typeof message[3] === 'string' && APP_DATA_EVENTS.has(message[3])) {
    return JSON.stringify([message[0], message[1], message[2], message[3], maskAppPayload(message[4], count)]);
  }
  if (message !== null && typeof message === 'object' && !Array.isArray(message)) {
    const m = message as Record<string, unknown>;
    if (typeof m.event === 'string' && APP_DATA_EVENTS.has(m.event)) return JSON.stringify({ ...m, payload: maskAppPayload(m.payload, count) });
  }
  return text;
}

/**
 * V2 binary broadcasts (kinds 2, 3, 4; realtime-facts §1.4): the header and its length-prefixed
 * fields stay, the payload after them (the frame's last part, no length field) is masked — JSON
 * values by type, binary payloads as zero bytes of the same length.
 */
function maskBinaryBroadcast(base64: string, count: () => void): { base64: string; size: number } | undefined {
  let latin1: string;
  try {
    latin1 = atob(base64);
  } catch {
    // not base64: the decoder reports it; nothing to mask
    return undefined;
  }
  const bytes = Uint8Array.from(latin1, (c) => c.charCodeAt(0));
  const kind = bytes[0];
  const fieldCount = kind === 2 ? 2 : kind === 3 ? 5 : kind === 4 ? 3 : 0;
  if (fieldCount === 0) return undefined;
  const headerLength = 1 + fieldCount + (kind === 2 ? 0 : 1);
  if (bytes.length < headerLength) return undefined;
  let offset = headerLength;
  for (let i = 0; i < fieldCount; i++) offset += bytes[1 + i];
  if (offset > bytes.length) return undefined;
  const data = bytes.subarray(offset);
  if (data.length === 0) return undefined;
  const jsonPayload = kind === 2 || bytes[headerLength - 1] === 1;
  let masked: Uint8Array;
  const text = jsonPayload ? utf8OrUndefined(data) : undefined;
  let parsed: unknown;
  let isJson = false;
  if (text !== undefined) {
    try {
      parsed = JSON.parse(text);
      isJson = true;
    } catch {
      // JSON announced but not there (or a preview cut): masked as bytes below
    }
  }
  if (isJson) masked = new TextEncoder().encode(JSON.stringify(maskValues(parsed, count)));
  else {
    count();
    masked = new Uint8Array(data.length);
  }
  const out = new Uint8Array(offset + masked.length);
  out.set(bytes.subarray(0, offset));
  out.set(masked, offset);
  let bin = '';
  for (const b of out) bin += String.fromCharCode(b);
  return { base64: btoa(bin), size: out.length };
}

function utf8OrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}
