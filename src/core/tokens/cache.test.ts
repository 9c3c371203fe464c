import { describe, expect, it } from 'vitest';
import { TokenCache } from './cache';
import { decodeToken } from './decode';
import { secretFromText } from './project';
import { legacyKeyClaims, makeTestKeys, mint, userClaims } from './testing';
import { selectSigner, verifySignature } from './verify';

const keys = await makeTestKeys();
const nowS = Math.floor(Date.UTC(2026, 10, 27) / 1000);
const user = await mint(keys, { claims: userClaims(nowS) });
const anon = await mint(keys, { claims: legacyKeyClaims('anon', nowS) });

async function check(cache: TokenCache, raw: string, project: Parameters<TokenCache['verify']>[2]) {
  const token = cache.decode(raw);
  return cache.verify(token, selectSigner(token, project), project);
}

describe('TokenCache: decode and verify once per token', () => {
  it('decodes a raw string once and gives the same answer as decodeToken', () => {
    const cache = new TokenCache();
    const a = cache.decode(`Bearer ${user}`);
    const b = cache.decode(`Bearer ${user}`);
    expect(b).toBe(a);
    expect(a).toEqual(decodeToken(`Bearer ${user}`));
    expect(cache.stats).toMatchObject({ decodes: 1, decodeHits: 1 });
    // Non-strings are not keyable: decoded each time, never confused with a string.
    expect(cache.decode(null).form).toBe('not-a-string');
    expect(cache.decode(42).form).toBe('not-a-string');
  });

  it('verifies once per (token, project knowledge) with the same result as verifySignature', async () => {
    const cache = new TokenCache();
    const project = { secret: keys.secret };
    for (let i = 0; i < 5; i++) expect((await check(cache, user, project)).status).toBe('valid');
    await check(cache, anon, project);
    expect(cache.stats).toMatchObject({ verifications: 2, verificationHits: 4 });
    const token = decodeToken(user);
    expect(await check(cache, user, project)).toEqual(await verifySignature(token, selectSigner(token, project), project));
  });

  it('another knowledge object, or a reassigned secret, is judged afresh (no stale answer)', async () => {
    const cache = new TokenCache();
    const project: { secret?: Uint8Array } = { secret: keys.secret };
    expect((await check(cache, user, project)).status).toBe('valid');
    expect((await check(cache, user, { secret: secretFromText('another-secret-another-secret-another') })).status).toBe('invalid');
    project.secret = secretFromText('another-secret-another-secret-another');
    expect((await check(cache, user, project)).status).toBe('invalid');
    delete project.secret;
    expect((await check(cache, user, project)).status).toBe('unverified');
    expect(cache.stats.verifications).toBe(4);
  });

  it('keeps at most `limit` entries, dropping the oldest', () => {
    const cache = new TokenCache(3);
    for (const raw of ['a.b.c', 'd.e.f', 'g.h.i', 'j.k.l']) cache.decode(raw);
    cache.decode('j.k.l');
    expect(cache.stats).toMatchObject({ decodes: 4, decodeHits: 1 });
    cache.decode('a.b.c'); // dropped: decoded again
    expect(cache.stats.decodes).toBe(5);
  });

  it('is bounded by bytes too: a page sending megabyte "tokens" cannot grow it, and evictions are counted', () => {
    const maxBytes = 4 * 1024 * 1024;
    const cache = new TokenCache(5_000, maxBytes);
    // 200 distinct 256 KiB token-shaped strings: 100 MB of keys under a count limit of 5,000.
    const huge = (i: number) => `eyJhbGciOiJIUzI1NiJ9.${String(i).padStart(6, '0')}${'A'.repeat(256 * 1024)}.sig`;
    for (let i = 0; i < 200; i++) cache.decode(huge(i));
    expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
    expect(cache.stats.evictions).toBeGreaterThan(180);
    // The newest is still a hit; the oldest is decoded again (same answer, more time).
    cache.decode(huge(199));
    expect(cache.stats.decodeHits).toBe(1);
    const again = cache.decode(huge(0));
    expect(again).toEqual(decodeToken(huge(0)));
    expect(cache.stats.decodes).toBe(201);
  });
});
