// "On demand" discovery of the session supabase-js keeps in the page: localStorage
// `sb-<ref>-auth-token` (JSON), or @supabase/ssr cookies `sb-<ref>-auth-token[.0,.1…]`, possibly
// `base64-` prefixed. Only `access_token` and `expires_at` are kept: refresh tokens and user data
// are dropped here, at the boundary.

import { base64url } from 'jose';

export interface StoredEntry {
  name: string;
  value: string;
}

export interface StoredSession {
  /** The storage key without chunk suffix, e.g. `sb-abc-auth-token`. */
  key: string;
  /** Project ref from the key name (`sb-<ref>-auth-token`); for localhost it is e.g. `127`. */
  keyRef: string;
  access_token: string;
  expires_at?: number;
}

export interface StoredSessionProblem {
  key: string;
  problem: string;
}

const KEY = /^(sb-(.+)-auth-token)(?:\.(\d+))?$/;

/** Parses a `document.cookie` string into entries (values URL-decoded when possible). */
export function cookieEntries(cookieHeader: string): StoredEntry[] {
  return cookieHeader
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.includes('='))
    .map((part) => {
      const i = part.indexOf('=');
      const raw = part.slice(i + 1);
      let value = raw;
      try {
        value = decodeURIComponent(raw);
      } catch {
        value = raw;
      }
      return { name: part.slice(0, i), value };
    });
}

export function findStoredSessions(entries: readonly StoredEntry[]): { sessions: StoredSession[]; problems: StoredSessionProblem[] } {
  const groups = new Map<string, { ref: string; whole?: string; chunks: Map<number, string> }>();
  for (const { name, value } of entries) {
    const m = KEY.exec(name);
    if (!m || typeof value !== 'string') continue;
    const g: { ref: string; whole?: string; chunks: Map<number, string> } = groups.get(m[1]) ?? { ref: m[2], chunks: new Map() };
    if (m[3] === undefined) g.whole = value;
    else g.chunks.set(Number(m[3]), value);
    groups.set(m[1], g);
  }
  const sessions: StoredSession[] = [];
  const problems: StoredSessionProblem[] = [];
  for (const [key, g] of groups) {
    let text = g.whole;
    if (text === undefined) {
      const parts: string[] = [];
      for (let i = 0; g.chunks.has(i); i++) parts.push(g.chunks.get(i)!);
      if (parts.length !== g.chunks.size) {
        problems.push({ key, problem: 'cookie chunks are not numbered .0, .1, … without gaps' });
        continue;
      }
      text = parts.join('');
    }
    const parsed = parseSessionValue(text);
    if ('problem' in parsed) problems.push({ key, problem: parsed.problem });
    else sessions.push({ key, keyRef: g.ref, ...parsed });
  }
  return { sessions, problems };
}

function parseSessionValue(text: string): { access_token: string; expires_at?: number } | { problem: string } {
  let json = text;
  if (json.startsWith('base64-')) {
    try {
      json = new TextDecoder().decode(base64url.decode(json.slice(7).replace(/\+/g, '-').replace(/\//g, '_').replace(/(?<!=)=+$/, '')));
    } catch {
      return { problem: 'the base64- value does not decode' };
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { problem: 'the stored session is not JSON' };
  }
  // Older supabase-js stored {currentSession: {...}}; @supabase/ssr stores the session object.
  const obj = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  const session = obj.currentSession && typeof obj.currentSession === 'object' ? (obj.currentSession as Record<string, unknown>) : obj;
  if (typeof session.access_token !== 'string') return { problem: 'the stored session has no access_token' };
  return {
    access_token: session.access_token,
    expires_at: typeof session.expires_at === 'number' ? session.expires_at : undefined,
  };
}
