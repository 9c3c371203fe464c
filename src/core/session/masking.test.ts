import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskSecret, maskTokensInCapped, maskTokensInText } from './masking';

describe('maskTokensInText', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYXV0aGVudGljYXRlZCJ9.c2lnbmF0dXJlLXRoYXQtdmVyaWZpZXM';
  it('hides the signature of every JWT in a payload and keeps its header and claims', () => {
    const text = JSON.stringify({ config: {}, access_token: jwt, user_token: jwt }, null, 2);
    const masked = maskTokensInText(text);
    expect(masked).not.toContain('c2lnbmF0dXJlLXRoYXQtdmVyaWZpZXM');
    expect(masked).toContain('"access_token": "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYXV0aGVudGljYXRlZCJ9.…(signature hidden)"');
    expect(masked.match(/signature hidden/g)).toHaveLength(2);
  });

  it('masks sb_secret_ keys, and leaves text without credentials alone', () => {
    expect(maskTokensInText('key sb_secret_abcdefghijklmnopqrstuvwxyz done')).toBe('key sb_secret_…(36 chars)…wxyz done');
    const plain = '["1","1","realtime:room","phx_join",{"config":{"private":false}}]';
    expect(maskTokensInText(plain)).toBe(plain);
  });
});

// The regular expressions masking used before it became a scanner (quadratic on '-eyJ' × 32 K):
// the scanner must give their output on every input small enough for them to run.
const OLD_JWT = /\b(eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.)[A-Za-z0-9_-]{8,}/g;
const OLD_SB_SECRET = /\bsb_secret_[A-Za-z0-9_-]+/g;
const oldMask = (text: string) => text.replace(OLD_JWT, (_, head: string) => `${head}…(signature hidden)`).replace(OLD_SB_SECRET, (key) => maskSecret(key));

/** Text made of the pieces that decide masking: JWT-like segments, dots, key prefixes, word and non-word characters. */
const tokenish = fc
  .array(fc.oneof(fc.constantFrom('eyJ', 'eyJhbGciOiJIUzI1NiJ9', '.', '-', '_', 'a', 'Z', '9', ' ', '"', 'sb_secret_', 'sb_', 'abcdefgh', '…', '\u202e'), fc.string({ maxLength: 3 })), { maxLength: 30 })
  .map((parts) => parts.join(''));

describe('maskTokensInText is linear and gives the old output', () => {
  it('equals the old regular expressions on any text of token-like pieces (property)', () => {
    fc.assert(fc.property(tokenish, (text) => {
        expect(maskTokensInText(text)).toBe(oldMask(text));
      }), { numRuns: 1_000 });
  });

  it('masks what took the old expressions seconds (the time is printed by npm run bench:session)', () => {
    for (const bait of ['-eyJ'.repeat(32 * 1024), 'eyJ.eyJ.'.repeat(16 * 1024), 'sb_secret_'.repeat(12 * 1024), `${'eyJa.'.repeat(20_000)}eyJb.c`]) {
      // Nothing left to mask: masking the result again changes nothing.
      const once = maskTokensInText(bait);
      expect(maskTokensInText(once), bait.slice(0, 12)).toBe(once);
    }
  });
});

describe('maskTokensInCapped: capped first, masked in the visible slice, correct at the cut', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYXV0aGVudGljYXRlZCJ9.c2lnbmF0dXJlLXRoYXQtdmVyaWZpZXM';
  const sigStart = jwt.lastIndexOf('.') + 1;

  it('a cut anywhere in a signature shows "(signature hidden)", never its first characters', () => {
    const text = `{"access_token":"${jwt}","x":1}`;
    for (let cut = 17 + sigStart; cut <= 17 + jwt.length; cut++) {
      const shown = maskTokensInCapped(text, cut);
      expect(shown.text, `cut ${cut}`).toBe(`{"access_token":"${jwt.slice(0, sigStart)}…(signature hidden)`);
      expect(shown.hidden).toBe(text.length - 17 - jwt.length);
    }
  });

  it('a cut in the header or claims shows them up to the cut, as the whole text would', () => {
    for (let cut = 0; cut < sigStart; cut++) expect(maskTokensInCapped(jwt, cut)).toEqual({ text: jwt.slice(0, cut), hidden: jwt.length - cut });
  });

  it('an sb_secret_ key cut in the middle is masked whole (its real length and last characters)', () => {
    const key = 'sb_secret_abcdefghijklmnopqrstuvwxyz';
    const text = `key ${key} done`;
    for (let cut = 4 + 10; cut < 4 + key.length; cut++) expect(maskTokensInCapped(text, cut).text).toBe('key sb_secret_…(36 chars)…wxyz');
  });

  it('is the whole masking when nothing is cut, and only reads what it shows', () => {
    const text = `a ${jwt} b`;
    expect(maskTokensInCapped(text, 1_000)).toEqual({ text: maskTokensInText(text), hidden: 0 });
    const huge = `${jwt} ${'-eyJ'.repeat(256 * 1024)}`;
    const shown = maskTokensInCapped(huge, 200);
    expect(shown.text.startsWith(`${jwt.slice(0, sigStart)}…(signature hidden) -eyJ`)).toBe(true);
    expect(shown.text.length).toBeLessThan(400);
  });

  it('a text already cut at its end (a preview) hides a signature or key reaching the end', () => {
    expect(maskTokensInText(`${jwt.slice(0, sigStart + 3)}`, { truncated: true })).toBe(`${jwt.slice(0, sigStart)}…(signature hidden)`);
    expect(maskTokensInText(`${jwt.slice(0, sigStart + 3)}`)).toBe(jwt.slice(0, sigStart + 3));
    expect(maskTokensInText('k sb_secret_abcdefghijklmnop', { truncated: true })).toBe('k sb_secret_…(cut)');
  });
});
