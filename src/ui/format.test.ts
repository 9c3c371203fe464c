import { describe, expect, it } from 'vitest';
import { capText, capturedBlock, capturedText, claimText, formatCountdown, formatDuration, formatExp, prettyPayload } from './format';

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

describe('captured text on screen', () => {
  it('escapes control and bidi characters after capping, and never splits a surrogate pair', () => {
    expect(capturedText('realtime:\u202eroom\u0000')).toBe('realtime:\\u202eroom\\x00');
    expect(capturedText('x'.repeat(600))).toBe(`${'x'.repeat(500)}…`);
    expect(capturedText('\u001b'.repeat(600), 10)).toBe(`${'\\x1b'.repeat(10)}…`);
    expect(capturedText(`${'a'.repeat(9)}😀`, 10)).toBe(`${'a'.repeat(9)}…`);
    expect(capText(`${'a'.repeat(9)}😀`, 10)).toEqual({ text: 'a'.repeat(9), hidden: 2 });
    expect(capturedBlock('{\n  "a": "\u202e"\n}')).toBe('{\n  "a": "\\u202e"\n}');
  });

  it('claims and payloads of any depth', () => {
    let deep: unknown = '\u202e';
    for (let i = 0; i < 8_000; i++) deep = [deep];
    expect(claimText(deep)).toMatch(/^\[\[\[\[.*…$/);
    expect(claimText('\u202eevil')).toBe('\\u202eevil');
    expect(prettyPayload(deep).split('\n')[0]).toBe('(shown cut: values nested deeper than 100 levels)');
    expect(prettyPayload({ a: 1 })).toBe('{\n  "a": 1\n}');
  });
});
