import { describe, expect, it } from 'vitest';
import { capText, claimText, formatCountdown, formatDuration, formatExp } from './format';

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

describe('payload text', () => {
  it('caps huge payload text', () => {
    expect(capText('x'.repeat(25_000), 10_240)).toEqual({ text: 'x'.repeat(10_240), hidden: 25_000 - 10_240 });
  });
});
