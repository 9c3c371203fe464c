// Reading the head of a cut JSON text. Frames over the store's size limit are kept as a preview
// (model.ts `truncated`), which is no longer valid JSON; the topic, event and refs usually sit in
// the first bytes, so we read top-level fields until the text runs out. Linear, never throws.

/** A value read whole from the prefix, or `cut` when the text ended inside it. */
type Read = { value: unknown; end: number } | 'cut' | 'bad';

function skipWhitespace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

/** Index just past the closing quote of the string starting at `i`, or -1 if cut. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j++; // backslash: skip the escaped char
    else if (c === 0x22) return j + 1;
  }
  return -1;
}

/** Index just past the JSON value starting at `i`, -1 if the text ends inside it. */
function valueEnd(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === 0x22) return stringEnd(text, i);
  if (first === 0x7b || first === 0x5b) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === 0x22) {
        j = stringEnd(text, j);
        if (j === -1) return -1;
        j--;
      } else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  // number, true, false, null: runs until a delimiter; at the very end it may be cut.
  let j = i;
  while (j < text.length && !/[\s,\]}]/.test(text.charAt(j))) j++;
  return j === text.length ? -1 : j;
}

function readValue(text: string, i: number): Read {
  if (i >= text.length) return 'cut';
  const end = valueEnd(text, i);
  if (end === -1) return 'cut';
  try {
    return { value: JSON.parse(text.slice(i, end)), end };
  } catch {
    return 'bad';
  }
}

/** Elements of a cut JSON array, up to `max`, as far as they are complete. */
export function readArrayPrefix(text: string, max: number): unknown[] | undefined {
  let i = skipWhitespace(text, 0);
  if (text.charAt(i) !== '[') return undefined;
  i++;
  const items: unknown[] = [];
  while (items.length < max) {
    i = skipWhitespace(text, i);
    const read = readValue(text, i);
    if (read === 'cut') break;
    if (read === 'bad') return items.length ? items : undefined;
    items.push(read.value);
    i = skipWhitespace(text, read.end);
    if (text.charAt(i) !== ',') break;
    i++;
  }
  return items;
}

/** The named top-level fields of a cut JSON object, as far as they are complete. */
export function readObjectPrefix(text: string, wanted: readonly string[]): Record<string, unknown> | undefined {
  let i = skipWhitespace(text, 0);
  if (text.charAt(i) !== '{') return undefined;
  i++;
  const fields: Record<string, unknown> = {};
  for (;;) {
    i = skipWhitespace(text, i);
    const key = readValue(text, i);
    if (key === 'cut' || key === 'bad' || typeof key.value !== 'string') break;
    i = skipWhitespace(text, key.end);
    if (text.charAt(i) !== ':') break;
    i = skipWhitespace(text, i + 1);
    if (wanted.includes(key.value)) {
      const value = readValue(text, i);
      if (value === 'cut' || value === 'bad') break;
      fields[key.value] = value.value;
      i = value.end;
    } else {
      if (i >= text.length) break;
      const end = valueEnd(text, i);
      if (end === -1) break;
      i = end;
    }
    i = skipWhitespace(text, i);
    if (text.charAt(i) !== ',') break;
    i++;
  }
  return fields;
}
