// Formatting helpers shared by the panel and the popup: masking keys on screen, capping huge
// text, sizes and times. Pure functions, no DOM.

// ---------------------------------------------------------------------------------------------
// Masking keys on screen (the user can reveal them; exports use their own redaction)

/** Keeps enough of a key to recognise it: a prefix, the length, the last 4 characters. */
export function maskSecret(value: string): string {
  if (value.length <= 12) return '•'.repeat(Math.max(3, value.length));
  const prefix = value.startsWith('sb_') ? value.slice(0, value.indexOf('_', 3) + 1 || 12) : value.slice(0, 6);
  return `${prefix}…(${value.length} chars)…${value.slice(-4)}`;
}

/** The URL with its `apikey` query value masked; anything unparsable is returned as is. */
export function maskApikeyInUrl(url: string): string {
  return url.replace(/([?&]apikey=)([^&#]*)/gi, (_, name: string, value: string) => {
    let decoded = value;
    try {
      decoded = decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      // keep as written
    }
    return decoded === '' ? name : name + maskSecret(decoded);
  });
}

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
