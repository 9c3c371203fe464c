// Formatting helpers shared by the panel and the popup: capping huge text, sizes and times. Pure
// functions, no DOM. Masking keys lives in the session core (src/core/session/masking.ts).

// ---------------------------------------------------------------------------------------------
// Capped text for payload views

/** Rendering cap per payload view; "show more" raises it. */
export const PAYLOAD_VIEW_CAP = 10 * 1024;

export function capText(text: string, limit: number): { text: string; hidden: number } {
  if (text.length <= limit) return { text, hidden: 0 };
  return { text: text.slice(0, limit), hidden: text.length - limit };
}

/** Pretty JSON for a decoded payload, safe on cycles, depth and huge values. */
export function prettyPayload(value: unknown): string {
  if (value === undefined) return '(no payload)';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return '(payload too deeply nested to show as JSON)';
  }
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

/** A claim value as short text (JSON for non-strings), capped. */
export function claimText(value: unknown, cap = 120): string {
  if (value === undefined) return '(absent)';
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > cap ? `${text.slice(0, cap)}…` : text;
}
