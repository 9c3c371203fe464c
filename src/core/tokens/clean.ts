// Normalises a token the way the Realtime server does before parsing it (realtime-facts §4.1
// `clean_token`: URL-decode, then strip every whitespace character), plus two things people
// paste that the server never sees: a leading `Bearer ` and surrounding quotes.

export interface CleanedToken {
  cleaned: string;
  /** What was changed, in plain words (shown next to the decoded token). */
  notes: string[];
}

export function cleanToken(raw: string): CleanedToken {
  const notes: string[] = [];
  let value = raw.trim();

  // Either order: `Bearer "…"` and `"Bearer …"` (a header value copied with its quotes).
  for (let pass = 0; pass < 2; pass++) {
    const bearer = /^bearer\s+/i.exec(value);
    if (bearer && !notes.some((n) => n.startsWith('removed a leading "Bearer "'))) {
      value = value.slice(bearer[0].length);
      notes.push('removed a leading "Bearer " (an Authorization header value, not part of the token)');
    }
    if (value.length >= 2 && /^(["'`]).*\1$/s.test(value) && !notes.includes('removed surrounding quotes')) {
      value = value.slice(1, -1).trim();
      notes.push('removed surrounding quotes');
    }
  }
  if (value.includes('%')) {
    try {
      const decoded = decodeURIComponent(value);
      if (decoded !== value) {
        value = decoded;
        notes.push('URL-decoded the value (the server URL-decodes tokens too, §4.1)');
      }
    } catch {
      notes.push('contains a "%" that is not valid URL-encoding; kept as is');
    }
  }
  const stripped = value.replace(/\s+/g, '');
  if (stripped !== value) {
    value = stripped;
    notes.push('removed whitespace / line breaks inside the token (the server strips them too, §4.1)');
  }
  return { cleaned: value, notes };
}
