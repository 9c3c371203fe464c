// Formatting helpers shared by the panel and the popup: capping huge text, sizes and times, and
// captured text made visible (control and bidirectional characters escaped, core/safe-json.ts).
// Pure functions, no DOM. Masking keys lives in the session core (src/core/session/masking.ts).

import { safeJson, safeJsonText, visibleText } from '../core/safe-json';

// ---------------------------------------------------------------------------------------------
// Capped text for payload views

/** Rendering cap per payload view; "show more" raises it. */
export const PAYLOAD_VIEW_CAP = 10 * 1024;

export function capText(text: string, limit: number): { text: string; hidden: number } {
  if (text.length <= limit) return { text, hidden: 0 };
  const end = cutPoint(text, limit);
  return { text: text.slice(0, end), hidden: text.length - end };
}

/** `limit`, or one less when that would split a surrogate pair (half an emoji is a lone surrogate). */
function cutPoint(text: string, limit: number): number {
  const c = text.charCodeAt(limit - 1);
  return limit > 0 && c >= 0xd800 && c <= 0xdbff ? limit - 1 : limit;
}

/**
 * Pretty JSON for a decoded payload, safe on cycles, depth and huge values (core/safe-json.ts):
 * what was cut is marked in place and said on a first line.
 */
export function prettyPayload(value: unknown): string {
  if (value === undefined) return '(no payload)';
  const { text, cut } = safeJson(value, { indent: 2, maxDepth: 100, maxLength: 4 * 1024 * 1024 });
  if (text === 'undefined') return safeJsonText(value);
  return cut ? `(shown cut: ${cut})\n${text}` : text;
}

/** One line of captured text in a list or card: capped, then control and bidi characters escaped. */
export const CAPTURED_LINE_CAP = 500;

/**
 * A captured string (topic, event, reason, URL, claim) as one visible line: capped to `cap`
 * characters (with "…"), then every control, bidirectional and lone-surrogate character written
 * as an escape (`\x1b`, `\u202e`), so a crafted value cannot reorder or hide what surrounds it.
 * Show it in an element with `unicode-bidi: isolate` (panel.css `.captured` and the view classes).
 */
export function capturedText(text: string, cap = CAPTURED_LINE_CAP): string {
  const s = typeof text === 'string' ? text : safeJsonText(text, { maxLength: cap + 1 });
  return visibleText(s.length > cap ? `${s.slice(0, cutPoint(s, cap))}…` : s);
}

/** A captured block (payload, raw frame, error body): line breaks kept, other controls escaped. */
export function capturedBlock(text: string): string {
  return visibleText(text, 'block');
}

export function formatBytes(size: number): string {
  if (!Number.isFinite(size)) return '?';
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} kB`;
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '?';
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** A duration in whole seconds, in the largest sensible units: "42 s", "3 min 5 s", "2 h 4 min", "3 d 1 h". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.abs(Math.round(totalSeconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    return s % 60 === 0 || m >= 10 ? `${m} min` : `${m} min ${s % 60} s`;
  }
  if (s < 86_400) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  if (d >= 365) return d % 365 === 0 ? `${Math.floor(d / 365)} y` : `${Math.floor(d / 365)} y ${d % 365} d`;
  return h === 0 ? `${d} d` : `${d} d ${h} h`;
}

/** Countdown to exp: "expires in 3 min" / "expires now" / "expired 12 s ago". */
export function formatCountdown(secondsLeft: number): string {
  if (!Number.isFinite(secondsLeft)) return 'expiry unknown';
  if (secondsLeft > 0) return `expires in ${formatDuration(secondsLeft)}`;
  if (secondsLeft === 0) return 'expires now';
  return `expired ${formatDuration(secondsLeft)} ago`;
}

/** exp (seconds since epoch) as a local date and time; '?' when it is no date. */
export function formatExp(expSec: number): string {
  const d = new Date(expSec * 1000);
  if (!Number.isFinite(expSec) || Number.isNaN(d.getTime())) return '?';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A claim value as short visible text (JSON for non-strings, however deep), capped, escaped. */
export function claimText(value: unknown, cap = 120): string {
  if (value === undefined) return '(absent)';
  const text = typeof value === 'string' ? value : safeJsonText(value, { maxLength: cap + 1 });
  return capturedText(text, cap);
}
