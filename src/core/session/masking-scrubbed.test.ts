// Masking of what `scrubUrl` leaves of a JWT in a URL (`header.claims.[redacted]`, issue 10 item 4):
// on screen it reads like any other masked token, "…(signature not kept)" where the signature was,
// and the scan stays one pass.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, scrubUrl } from '../url-secrets';
import { maskApikeyInUrl, maskSecret, maskTokensInCapped, maskTokensInText } from './masking';

const HEADER = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9';
const CLAIMS = 'eyJzdWIiOiJ1c2VyLTEiLCJyb2xlIjoiYXV0aGVudGljYXRlZCIsImV4cCI6MTkwMDAwMDAwMH0';
const SIGNATURE = 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('maskTokensInText on a scrubbed URL', () => {
  it('an implicit-flow sign-in URL shows the access token masked as "signature not kept", and no refresh token', () => {
    const url = scrubUrl(`https://app.example/#access_token=${HEADER}.${CLAIMS}.${SIGNATURE}&expires_in=3600&refresh_token=r1-REFRESH&token_type=bearer`);
    expect(maskTokensInText(maskApikeyInUrl(url))).toBe(
      `https://app.example/#access_token=${HEADER}.${CLAIMS}.…(signature not kept)&expires_in=3600&refresh_token=${REDACTED}&token_type=bearer`,
    );
  });

  it('only a whole `[redacted]` in the signature place is taken for a scrubbed signature', () => {
    for (const text of [`${HEADER}.${CLAIMS}.${REDACTED}x`, `${HEADER}.${REDACTED}`, `a ${REDACTED} b`, `x${HEADER}.${CLAIMS}.${REDACTED}`]) {
      expect(maskTokensInText(text), text).toBe(text);
    }
    expect(maskTokensInText(`"${HEADER}.${CLAIMS}.${REDACTED}"`)).toBe(`"${HEADER}.${CLAIMS}.…(signature not kept)"`);
  });

  it('a cut inside the scrubbed signature still shows it masked whole', () => {
    const text = `#access_token=${HEADER}.${CLAIMS}.${REDACTED}&type=magiclink`;
    const sigStart = text.indexOf(REDACTED);
    for (let cut = sigStart; cut <= sigStart + REDACTED.length; cut++) {
      const shown = maskTokensInCapped(text, cut);
      expect(shown.text, `cut ${cut}`).toBe(`#access_token=${HEADER}.${CLAIMS}.…(signature not kept)`);
      expect(shown.hidden).toBe('&type=magiclink'.length);
    }
  });
});

// The scanner against regular expressions that say the same thing (fine on small inputs only).
const ORACLE_JWT = /\b(eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.)(?:(\[redacted\])(?![A-Za-z0-9_-])|[A-Za-z0-9_-]{8,})/g;
const ORACLE_SB_SECRET = /\bsb_secret_[A-Za-z0-9_-]+/g;
const oracle = (text: string) =>
  text
    .replace(ORACLE_JWT, (_, head: string, scrubbed: string | undefined) => `${head}${scrubbed ? '…(signature not kept)' : '…(signature hidden)'}`)
    .replace(ORACLE_SB_SECRET, (key) => maskSecret(key));

const pieces = fc
  .array(fc.oneof(fc.constantFrom('eyJ', 'eyJhbGciOiJIUzI1NiJ9', '.', '-', '_', 'a', 'Z', '9', ' ', '&', '=', REDACTED, '[redacted', 'redacted]', '[', 'abcdefgh', 'sb_secret_'), fc.string({ maxLength: 3 })), { maxLength: 30 })
  .map((parts) => parts.join(''));

describe('maskTokensInText with scrubbed signatures is still linear and exact', () => {
  it('equals the regular expressions on any text of token-like pieces and scrubbed signatures (property)', () => {
    fc.assert(
      fc.property(pieces, (text) => {
        expect(maskTokensInText(text)).toBe(oracle(text));
      }),
      { numRuns: 2_000 },
    );
  });

  it('masks megabyte baits of scrubbed tokens in one pass (a quadratic scan would take minutes here)', () => {
    for (const bait of [`eyJ.eyJ.${REDACTED}`.repeat(32 * 1024), `eyJa.eyJb.[redacte`.repeat(32 * 1024), `${'eyJa.'.repeat(64 * 1024)}eyJb.${REDACTED}`]) {
      const once = maskTokensInText(bait);
      expect(maskTokensInText(once), bait.slice(0, 12)).toBe(once);
    }
    expect(maskTokensInText(`eyJ.eyJ.${REDACTED}&`.repeat(1_000)).match(/signature not kept/g)).toHaveLength(1_000);
  });
});
