// Shape checks for messages between the extension's contexts (ARCHITECTURE.md "One typed message
// map"). Pure: no browser APIs, unit-tested in Node.
//
// A schema lists, per message `type`, one check per field the message type declares. The mapped
// type below makes a schema exhaustive: a field added to a message in src/messages.ts without a
// check here, or a check for a field the message does not have, fails the typecheck. Top-level
// fields not in the schema are rejected ("extra junk"); nested records (a document, store stats,
// captured events) are checked on the fields receivers read and may carry more.
//
// The protocol version is checked here and only here: a schema whose kind lists `v: VERSION` is a
// versioned message, and `validateMessage` compares its `v` with PROTOCOL_VERSION before any
// other field, so a peer of another version is told apart from a malformed message.
//
// Checks never throw and never call into the value (no String(), no getters beyond own data
// properties of plain records): what crosses a port is structured-cloned data, but a hostile or
// buggy sender is assumed anyway.

import { PROTOCOL_VERSION } from '../messages';

/** Returns what is wrong with a value (e.g. "is not a string"), or undefined when it passes. */
export type Check = (value: unknown) => string | undefined;

/** A message of the map: every message has a string `type`. */
export interface Tagged {
  type: string;
}
export type MessageOf<M extends Tagged, K extends M['type']> = Extract<M, { type: K }>;

/** One check per field of the message (`type` aside), optional fields included. */
export type FieldChecks<T> = { readonly [F in Exclude<keyof T, 'type'>]-?: Check };
export type MessageSchema<M extends Tagged> = { readonly [K in M['type']]: FieldChecks<MessageOf<M, K>> };

export type Validated<M> =
  | { ok: true; message: M }
  | {
      ok: false;
      reason: string;
      /** Set when the message is of a versioned kind and its `v` is another protocol version. */
      peerVersion?: number;
    };

/** Marks a message's `v` field: the protocol version, compared by `validateMessage`. */
export const VERSION: Check = (v) => (typeof v === 'number' ? undefined : 'is not a protocol version number');

/**
 * The one protocol-version comparison. `v` is what the peer sent; returns the reason to reject,
 * or undefined for this version.
 */
export function versionFault(v: unknown): string | undefined {
  return v === PROTOCOL_VERSION ? undefined : `has protocol version ${describe(v)}, expected ${PROTOCOL_VERSION}`;
}

/** Validates one incoming message against a schema. Never throws. */
export function validateMessage<M extends Tagged>(schema: MessageSchema<M>, raw: unknown): Validated<M> {
  try {
    return validateFields(schema, raw);
  } catch {
    // Only reachable with a value that is no structured-cloned data (an accessor that throws): a
    // rejection like any other.
    return { ok: false, reason: 'a message could not be read' };
  }
}

function validateFields<M extends Tagged>(schema: MessageSchema<M>, raw: unknown): Validated<M> {
  if (!isRecord(raw)) return { ok: false, reason: `a message is ${describe(raw)}, not an object with a type` };
  const type = hasOwn(raw, 'type') ? raw.type : undefined;
  if (typeof type !== 'string') return { ok: false, reason: 'a message has no string type' };
  if (!hasOwn(schema, type)) return { ok: false, reason: `unknown message type ${describe(type)}` };
  const checks = (schema as Record<string, Record<string, Check>>)[type];
  if (hasOwn(checks, 'v') && checks.v === VERSION && raw.v !== PROTOCOL_VERSION) {
    const fault = versionFault(raw.v);
    if (typeof raw.v === 'number') return { ok: false, reason: `${type} ${fault}`, peerVersion: raw.v };
    return { ok: false, reason: `${type}: v ${VERSION(raw.v) ?? fault}` };
  }
  for (const field of Object.keys(raw)) {
    if (field !== 'type' && !hasOwn(checks, field)) return { ok: false, reason: `${type}: unexpected field ${describe(field)}` };
  }
  for (const field of Object.keys(checks)) {
    const fault = checks[field](hasOwn(raw, field) ? raw[field] : undefined);
    if (fault !== undefined) return { ok: false, reason: `${type}: ${at(field, fault)}` };
  }
  return { ok: true, message: raw as unknown as M };
}

// ---- field checks -----------------------------------------------------------------------------

export const string: Check = (v) => (typeof v === 'string' ? undefined : 'is not a string');
export const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'is not a boolean');
export const finite: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : 'is not a finite number');
export const integer: Check = (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? undefined : 'is not an integer');
export const count: Check = (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? undefined : 'is not a count');

/** Default cap on any array in a message: no list the extension sends between contexts is longer. */
export const MAX_ARRAY_LENGTH = 100_000;

/** An array, elements unchecked, of at most `maxLength` (checked by length: never iterated). */
export function arrayUpTo(maxLength: number): Check {
  return (v) => (!Array.isArray(v) ? 'is not an array' : v.length > maxLength ? `has ${v.length} elements, more than ${maxLength}` : undefined);
}

export function optional(check: Check): Check {
  return (v) => (v === undefined ? undefined : check(v));
}

export function oneOf(...allowed: readonly string[]): Check {
  return (v) => (typeof v === 'string' && allowed.includes(v) ? undefined : `is not one of ${allowed.join('|')}`);
}

export function literal(value: string): Check {
  return (v) => (v === value ? undefined : `is not ${JSON.stringify(value)}`);
}

/**
 * An array whose every element passes `element`. `maxLength` is checked first, by the array's
 * length alone: a forged sparse array of length 1e9 is refused by its count, never iterated.
 */
export function arrayOf(element: Check, maxLength = MAX_ARRAY_LENGTH): Check {
  return (v) => {
    if (!Array.isArray(v)) return 'is not an array';
    if (v.length > maxLength) return `has ${v.length} elements, more than ${maxLength}`;
    for (let i = 0; i < v.length; i++) {
      const fault = element(v[i]);
      if (fault !== undefined) return at(`[${i}]`, fault);
    }
    return undefined;
  };
}

/** A nested plain object: the listed fields are checked, others are allowed (receivers ignore them). */
export function record(fields: Readonly<Record<string, Check>>): Check {
  const entries = Object.entries(fields);
  return (v) => {
    if (!isRecord(v)) return 'is not an object';
    for (const [field, check] of entries) {
      const fault = check(hasOwn(v, field) ? v[field] : undefined);
      if (fault !== undefined) return at(`.${field}`, fault);
    }
    return undefined;
  };
}

// ---- helpers ----------------------------------------------------------------------------------

/** A non-null, non-array object. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "events" + "[0].docId is not a string" -> "events[0].docId is not a string". */
function at(path: string, fault: string): string {
  return fault.startsWith('.') || fault.startsWith('[') ? `${path}${fault}` : `${path} ${fault}`;
}

function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** A short, safe description of any value for a rejection reason (never calls into the value). */
export function describe(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${v}`;
    case 'undefined':
      return 'undefined';
    case 'object':
      return v === null ? 'null' : Array.isArray(v) ? 'an array' : 'an object';
    default:
      return `a ${typeof v}`;
  }
}
