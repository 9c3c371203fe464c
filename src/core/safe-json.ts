// Captured values as text that is safe to compute and safe to show. Everything a page sends is
// crafted by someone: a claim nested 8,000 levels deep overflows the stack of JSON.stringify, a
// megabyte string makes every message that quotes it a megabyte, and a right-to-left override or
// an escape sequence inside a topic rewrites what the panel or the terminal shows around it.
//
// `safeJson` is the one serializer of captured values (core, panel and CLI): JSON.stringify's
// output on ordinary values, but capped in depth and length, cycle-safe, never throwing, and saying
// what it cut. `visibleText` writes control, bidirectional and lone-surrogate characters as
// visible escapes. Pure functions.

export interface SafeJsonOptions {
  /** Containers nested deeper than this are replaced by a marker string. Default 64. */
  maxDepth?: number;
  /**
   * Output budget in characters (default 1 MiB): once passed, the rest is replaced by markers. The
   * text stays valid JSON and ends up at most a few hundred characters over the budget.
   */
  maxLength?: number;
  /** Indentation, as JSON.stringify's third argument (a number of spaces). */
  indent?: number;
}

export interface SafeJson {
  /** JSON text (valid JSON unless the value was undefined, a function or a symbol: then 'undefined'). */
  text: string;
  /** What was left out and why, in words; undefined when nothing was cut. */
  cut?: string;
}

export const SAFE_JSON_DEFAULTS = { maxDepth: 64, maxLength: 1024 * 1024 } as const;

/** A marker left where the serializer stopped; a JSON string, so the text stays valid JSON. */
const marker = (words: string) => JSON.stringify(`…(${words})`);

/**
 * JSON text of any value: JSON.stringify's exact output when the value is within the caps (key
 * order, `toJSON`, omitted undefined/functions, null for non-finite numbers), markers where it is
 * not. Never throws, whatever getters, proxies, cycles or BigInts the value holds.
 */
export function safeJson(value: unknown, options: SafeJsonOptions = {}): SafeJson {
  const maxDepth = Math.max(0, options.maxDepth ?? SAFE_JSON_DEFAULTS.maxDepth);
  const maxLength = Math.max(0, options.maxLength ?? SAFE_JSON_DEFAULTS.maxLength);
  const indent = Math.min(10, Math.max(0, Math.floor(options.indent ?? 0)));
  const out: string[] = [];
  let length = 0;
  const cuts = new Set<string>();
  const ancestors = new Set<object>();
  const write = (s: string) => {
    out.push(s);
    length += s.length;
  };
  const over = () => length >= maxLength;

  /** Writes one value; returns false when it is to be omitted (undefined, function, symbol). */
  const budgetCut = () => cuts.add(`text beyond the ${maxLength.toLocaleString('en-US')}-character budget`);
  /** A quoted string, cut to the room left in the budget. */
  const quote = (s: string): string => {
    const room = Math.max(0, maxLength - length);
    if (s.length <= room + 64) return JSON.stringify(s);
    budgetCut();
    return JSON.stringify(`${s.slice(0, room)}…(${(s.length - room).toLocaleString('en-US')} more characters)`);
  };

  const emit = (input: unknown, key: string, depth: number): boolean => {
    let v = input;
    if (v !== null && (typeof v === 'object' || typeof v === 'bigint')) {
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') v = toJSON.call(v, key);
    }
    switch (typeof v) {
      case 'string':
        write(quote(v));
        return true;
      case 'number':
        write(Number.isFinite(v) ? String(v) : 'null');
        return true;
      case 'boolean':
        write(v ? 'true' : 'false');
        return true;
      case 'bigint':
        // JSON.stringify throws on a BigInt; a page value never holds one, a caller's might.
        write(JSON.stringify(`${String(v)}n`));
        cuts.add('a BigInt written as a string');
        return true;
      case 'undefined':
      case 'function':
      case 'symbol':
        return false;
    }
    if (v === null) {
      write('null');
      return true;
    }
    const obj = v as object;
    if (ancestors.has(obj)) {
      cuts.add('a reference cycle');
      write(marker('cycle'));
      return true;
    }
    if (depth >= maxDepth) {
      cuts.add(`values nested deeper than ${maxDepth} levels`);
      write(marker(`nested deeper than ${maxDepth} levels`));
      return true;
    }
    ancestors.add(obj);
    const pad = indent > 0 ? `\n${' '.repeat(indent * (depth + 1))}` : '';
    const close = indent > 0 ? `\n${' '.repeat(indent * depth)}` : '';
    if (Array.isArray(obj)) {
      const n = obj.length;
      if (n === 0) write('[]');
      else {
        write('[');
        for (let i = 0; i < n; i++) {
          if (i > 0) write(',');
          write(pad);
          if (over()) {
            budgetCut();
            write(marker(`${(n - i).toLocaleString('en-US')} more item${n - i === 1 ? '' : 's'}`));
            break;
          }
          if (!emit(obj[i], String(i), depth + 1)) write('null');
        }
        write(close);
        write(']');
      }
    } else {
      const keys = Object.keys(obj);
      const record = obj as Record<string, unknown>;
      let written = 0;
      write('{');
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        const mark = out.length;
        const before = length;
        write(written > 0 ? ',' : '');
        write(pad);
        if (over()) {
          budgetCut();
          write(`${JSON.stringify('…')}:${indent > 0 ? ' ' : ''}${marker(`${(keys.length - i).toLocaleString('en-US')} more key${keys.length - i === 1 ? '' : 's'}`)}`);
          written++;
          break;
        }
        write(quote(k));
        write(indent > 0 ? ': ' : ':');
        if (emit(record[k], k, depth + 1)) written++;
        else {
          // Omitted member (undefined, function, symbol): take back what was written for it.
          out.length = mark;
          length = before;
        }
      }
      write(written > 0 ? `${close}}` : '}');
    }
    ancestors.delete(obj);
    return true;
  };

  try {
    if (!emit(value, '', 0)) return { text: 'undefined' };
    return { text: out.join(''), cut: cuts.size > 0 ? [...cuts].join('; ') : undefined };
  } catch (err) {
    // A throwing getter, toJSON or proxy trap: say so instead of failing whoever asked.
    const why = err instanceof Error ? err.message : 'an exception';
    return { text: marker(`not serializable: ${why.slice(0, 200)}`), cut: `the value could not be read (${why.slice(0, 200)})` };
  }
}

/** `safeJson(value).text`, or String(value) where JSON has no text (undefined, functions). */
export function safeJsonText(value: unknown, options?: SafeJsonOptions): string {
  const { text } = safeJson(value, options);
  if (text !== 'undefined') return text;
  try {
    return String(value);
  } catch {
    return '(unprintable value)';
  }
}

/**
 * A copy of the value within the caps (markers in place of what was cut): for evidence that is
 * kept, exported and written out later by code that expects plain, shallow data.
 */
export function cappedValue(value: unknown, options?: SafeJsonOptions): unknown {
  const { text } = safeJson(value, options);
  if (text === 'undefined') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------------------------
// Visible escapes

const BIDI = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const SEPARATORS = '\\u2028\\u2029';
const LONE_SURROGATE = '[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
// One character class plus a fixed-width lookaround: a single pass, nothing to backtrack.
const IN_LINE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${BIDI}${SEPARATORS}]|${LONE_SURROGATE}`, 'g');
const IN_BLOCK = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${BIDI}${SEPARATORS}]|${LONE_SURROGATE}`, 'g');
// JSON.stringify already escapes U+0000–U+001F and lone surrogates inside strings.
const IN_JSON = new RegExp(`[\\u007f-\\u009f${BIDI}${SEPARATORS}]|${LONE_SURROGATE}`, 'g');

function textEscape(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

function jsonEscape(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

export type VisibleTextStyle =
  /** One line: every control character escaped, line breaks included (`\x0a`). */
  | 'line'
  /** A block (a payload, a raw frame): tab and line feed kept, the other controls escaped. */
  | 'block'
  /** JSON text (from safeJson): `\u` escapes, so it stays valid JSON. */
  | 'json';

/**
 * The text with C0/C1 controls (NUL and ESC included), DEL, bidirectional marks, embeddings,
 * overrides and isolates (U+061C, U+200E/F, U+202A–E, U+2066–9), line/paragraph separators and
 * lone surrogates written as visible escapes (`\x1b`, `\u202e`), so a captured value can neither
 * reorder nor hide what is shown around it, on screen or in a terminal.
 */
export function visibleText(text: string, style: VisibleTextStyle = 'line'): string {
  if (style === 'json') return text.replace(IN_JSON, jsonEscape);
  return text.replace(style === 'block' ? IN_BLOCK : IN_LINE, textEscape);
}
