// What the user pasted as a key: a JWT secret (as text, or base64 as some dashboards show it), or
// a JWK / JWKS / array of JWKs (JSON; private JWKs allowed — they can also mint a local token).
// One clear sentence for anything else.

import type { JWK } from 'jose';
import { parseJwks, secretFromBase64, secretFromText } from './project';

export type KeyInput =
  | { ok: true; kind: 'secret'; bytes: Uint8Array; encoding: 'text' | 'base64' }
  | { ok: true; kind: 'jwks'; keys: JWK[] }
  | { ok: false; error: string };

export function parseKeyInput(text: string, encoding: 'text' | 'base64'): KeyInput {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: 'Paste the JWT secret, or a JWK / JWKS, first.' };
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const parsed = parseJwks(trimmed);
    if (!parsed.ok) return { ok: false, error: `That looks like JSON, but ${parsed.error}.` };
    if (parsed.value.keys.length === 0) return { ok: false, error: 'The JWKS has no keys.' };
    return { ok: true, kind: 'jwks', keys: parsed.value.keys };
  }
  if (encoding === 'base64') {
    const parsed = secretFromBase64(trimmed);
    if (!parsed.ok) return { ok: false, error: `The secret: ${parsed.error}.` };
    return { ok: true, kind: 'secret', bytes: parsed.value, encoding };
  }
  // As text, exactly as typed (a secret may end in spaces on purpose; only the paste's line breaks go).
  return { ok: true, kind: 'secret', bytes: secretFromText(text.replace(/[\r\n]+$/, '')), encoding };
}
