// The Frames view's search: plain text or a regular expression over each frame's topic, event and
// payload. Every frame is the page's text, so a regex typed by the user runs over text a hostile
// page chose. JavaScript's engine backtracks: a pattern that repeats a repetition (`(a+)+$`) takes
// exponential time on a short crafted string, and each open-ended repetition (`.*`, `\w+`) multiplies
// the work by the text's length. So, before anything runs:
// - patterns that can take exponential time (a repeated group that itself repeats or alternates,
//   backreferences) are refused with words saying why and what to write instead;
// - the text searched per row is capped by how many open-ended repetitions the pattern has, so the
//   worst case of one row stays near a million steps (`regexRowCap`);
// - frameList stops a regex search that still runs past its time budget and says how far it got.
// Pure: no DOM, unit-tested in Node.

/** What the filter box holds, compiled once per keystroke. */
export type FrameSearch =
  | { kind: 'none' }
  /** `needle` as typed (trimmed); `pattern` finds it case-insensitively (see compileFrameSearch). */
  | { kind: 'text'; needle: string; pattern: RegExp }
  | { kind: 'regex'; regex: RegExp; rowCap: number }
  /** The text is no usable regex: `message` says why, in words the user can act on. */
  | { kind: 'invalid'; message: string };

/** Open-ended repetitions allowed in one pattern; more make even 64 characters per row too slow. */
export const MAX_OPEN_REPETITIONS = 4;
/** The most text searched per row (the same cap as the plain-text search, frame-catalog.ts). */
export const SEARCH_ROW_CAP = 16 * 1024;
const MIN_ROW_CAP = 64;
/** Worst-case backtracking steps one row may cost. */
const STEPS_PER_ROW = 1_000_000;

export function compileFrameSearch(text: string, regex: boolean): FrameSearch {
  const trimmed = regex ? text : text.trim();
  if (trimmed === '') return { kind: 'none' };
  if (!regex) return { kind: 'text', needle: trimmed, pattern: literalPattern(trimmed) };
  let compiled: RegExp;
  try {
    // Case-insensitive, like the text search. No `u` flag: a lone `}` or `]` (frequent in JSON) stays
    // a literal, as in DevTools' own filters.
    compiled = new RegExp(text, 'i');
  } catch (err) {
    // V8: "Invalid regular expression: /x(/i: Unterminated group" -> "Unterminated group".
    const why = err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '').replace(/^\/[\s\S]*\/[a-z]*: /, '') : String(err);
    return { kind: 'invalid', message: `Not a valid regular expression: ${why.slice(0, 200)}. Fix it, or untick “Regex” to search the text as typed.` };
  }
  const risk = regexRisk(text);
  if (risk.refusal) return { kind: 'invalid', message: risk.refusal };
  return { kind: 'regex', regex: compiled, rowCap: regexRowCap(risk.openRepetitions) };
}

/**
 * The plain-text search as a case-insensitive literal regex. It runs on the frames' text as
 * captured: lowercasing every frame's text to compare it cost a copy of each frame (issue 14), and a
 * regex compares case-insensitively without one. The `u` flag makes that comparison Unicode case
 * folding: the same as lowercasing both sides, and more (k matches the Kelvin sign, ß matches ẞ,
 * σ matches ς and Σ), except for letters whose lowercase is two characters (İ is no longer an i).
 * Every regex syntax character of the text is escaped: nothing in it is an operator, nothing can
 * backtrack.
 */
function literalPattern(text: string): RegExp {
  return new RegExp(text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'), 'iu');
}

/**
 * Characters of each row a pattern with `k` open-ended repetitions may search: a failing match of
 * such a pattern can try about n^(k+1)/(k+1)! paths over n characters; keep that near a million.
 */
export function regexRowCap(k: number): number {
  if (k <= 0) return SEARCH_ROW_CAP;
  let factorial = 1;
  for (let i = 2; i <= k + 1; i++) factorial *= i;
  const n = Math.floor(Math.pow(STEPS_PER_ROW * factorial, 1 / (k + 1)));
  return Math.max(MIN_ROW_CAP, Math.min(SEARCH_ROW_CAP, n));
}

export interface RegexRisk {
  /** Why the pattern is not run, or undefined. */
  refusal?: string;
  /** `*`, `+`, `{n,}` and `{n,m}` with a large m, counted over the whole pattern. */
  openRepetitions: number;
}

interface GroupScan {
  repeats: boolean;
  alternates: boolean;
}

/**
 * A scan of the pattern's syntax (it already compiled): groups, classes, escapes and quantifiers.
 * Conservative on purpose — a refused pattern costs the user a rewrite, a wrong pass freezes the panel.
 */
export function regexRisk(source: string): RegexRisk {
  const stack: GroupScan[] = [{ repeats: false, alternates: false }];
  let open = 0;
  let i = 0;
  const nested =
    'It repeats a group that itself repeats or has alternatives — like (a+)+ or (x|y)* — which can take ' +
    'exponential time on some frames, so Claimscope does not run it. Repeat a character class instead ([xy]*), drop the outer repetition, or untick “Regex”.';
  /** Reads the quantifier at `at`, if any: its length and whether it is open-ended. */
  const quantifierAt = (at: number): { length: number; open: boolean } | undefined => {
    const c = source[at];
    let length = 0;
    let isOpen = false;
    if (c === '*' || c === '+') {
      length = 1;
      isOpen = true;
    } else if (c === '?') length = 1;
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(at, at + 24));
      if (!m) return undefined;
      length = m[0].length;
      isOpen = m[2] !== undefined && (m[3] === '' || Number(m[3]) > 16);
    } else return undefined;
    if (source[at + length] === '?') length++; // lazy: the same paths, in another order
    return { length, open: isOpen };
  };
  while (i < source.length) {
    const c = source[i];
    let atomEnd = i + 1;
    let group: GroupScan | undefined;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && source[i + 2] === '<')) {
        return { refusal: 'It uses a backreference (\\1, \\k<name>), which can take exponential time on some frames, so Claimscope does not run it. Untick “Regex” or search without it.', openRepetitions: open };
      }
      atomEnd = i + 2;
      if ((next === 'u' || next === 'p' || next === 'P') && source[i + 2] === '{') atomEnd = source.indexOf('}', i) + 1 || source.length;
    } else if (c === '[') {
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      atomEnd = j + 1;
    } else if (c === '(') {
      stack.push({ repeats: false, alternates: false });
      i++;
      if (source[i] === '?') {
        // (?: (?= (?! (?<= (?<! (?<name>
        i++;
        if (source[i] === '<' && source[i + 1] !== '=' && source[i + 1] !== '!') i = source.indexOf('>', i) + 1 || source.length;
        else i++;
      }
      continue;
    } else if (c === ')') {
      group = stack.length > 1 ? stack.pop() : undefined;
    } else if (c === '|') {
      stack[stack.length - 1].alternates = true;
      i++;
      continue;
    }
    const q = quantifierAt(atomEnd);
    const top = stack[stack.length - 1];
    if (group) {
      if (q && (group.repeats || group.alternates) && (q.open || source[atomEnd] === '{')) return { refusal: nested, openRepetitions: open };
      if (group.repeats) top.repeats = true;
      if (group.alternates) top.alternates = true;
    }
    if (q) {
      top.repeats = true;
      if (q.open) open++;
      atomEnd += q.length;
    }
    i = atomEnd;
  }
  if (open > MAX_OPEN_REPETITIONS) {
    return {
      refusal: `It has ${open} open-ended repetitions (*, +, {n,}); more than ${MAX_OPEN_REPETITIONS} make the search too slow on long frames. Anchor it on fixed words, or untick “Regex”.`,
      openRepetitions: open,
    };
  }
  return { openRepetitions: open };
}

/** Whether the search matches a row's search text (as captured, already capped at SEARCH_ROW_CAP). */
export function searchMatches(search: FrameSearch, text: string): boolean {
  switch (search.kind) {
    case 'none':
      return true;
    case 'text':
      return search.pattern.test(text);
    case 'regex':
      search.regex.lastIndex = 0;
      return search.regex.test(text.length > search.rowCap ? text.slice(0, search.rowCap) : text);
    case 'invalid':
      return false;
  }
}
