import { describe, expect, it } from 'vitest';
import { claimText, formatCountdown, formatDuration, formatExp, maskTokensInText } from './format';

describe('countdowns', () => {
  it('says "expires in" / "expired … ago" in sensible units', () => {
    expect(formatCountdown(180)).toBe('expires in 3 min');
    expect(formatCountdown(185)).toBe('expires in 3 min 5 s');
    expect(formatCountdown(-12)).toBe('expired 12 s ago');
    expect(formatCountdown(0)).toBe('expires now');
    expect(formatCountdown(3600 * 2 + 60 * 4)).toBe('expires in 2 h 4 min');
    expect(formatCountdown(10 * 365 * 86_400)).toBe('expires in 10 y');
    expect(formatCountdown(-(366 * 86_400))).toBe('expired 1 y 1 d ago');
    expect(formatCountdown(Number.NaN)).toBe('expiry unknown');
    expect(formatDuration(59.6)).toBe('1 min');
  });

  it('renders exp as a date, and anything else as "?"; claims as capped text', () => {
    expect(formatExp(0)).toMatch(/^19(69|70)-/);
    expect(formatExp(Number.POSITIVE_INFINITY)).toBe('?');
    expect(formatExp(1e20)).toBe('?');
    expect(claimText(undefined)).toBe('(absent)');
    expect(claimText(['a'])).toBe('["a"]');
    expect(claimText('x'.repeat(200))).toHaveLength(121);
  });
});

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
