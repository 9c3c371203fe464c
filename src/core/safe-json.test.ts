import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cappedValue, safeJson, safeJsonText, visibleText } from './safe-json';

describe('safeJson', () => {
  it('is JSON.stringify on ordinary values, compact and indented (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.constantFrom(0, 2), (value, indent) => {
        expect(safeJson(value, { indent })).toEqual({ text: JSON.stringify(value, null, indent) });
      }),
      { numRuns: 300 },
    );
  });

  it('follows JSON.stringify on undefined members, functions, non-finite numbers and toJSON', () => {
    const value = { a: undefined, b: () => 1, c: [undefined, () => 1, Number.NaN, -Infinity], d: new Date(0), e: { toJSON: () => 'x' }, f: Symbol('s') };
    expect(safeJson(value).text).toBe(JSON.stringify(value));
    expect(safeJson(value, { indent: 2 }).text).toBe(JSON.stringify(value, null, 2));
    expect(safeJson(undefined).text).toBe('undefined');
    expect(safeJsonText(undefined)).toBe('undefined');
  });

  it('cuts values nested beyond the depth cap, 8,000 deep included, and says so', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 8_000; i++) deep = [deep];
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    const { text, cut } = safeJson({ aud: deep }, { maxDepth: 4 });
    expect(text).toBe('{"aud":[[["…(nested deeper than 4 levels)"]]]}');
    expect(cut).toBe('values nested deeper than 4 levels');
    expect(() => JSON.parse(safeJson(deep).text)).not.toThrow();
  });

  it('keeps to its length budget, stays valid JSON, and says how much it left out', () => {
    const big = { s: 'x'.repeat(1_000_000), o: Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`k${i}`, i])) };
    const { text, cut } = safeJson(big, { maxLength: 1_000 });
    expect(text.length).toBeLessThan(1_300);
    expect(cut).toMatch(/1,000-character budget/);
    const parsed = JSON.parse(text) as { s: string };
    expect(parsed.s).toMatch(/…\(999,\d+ more characters\)$/);
    expect(text).toContain('"…":"…(1 more key)"');
    const list = safeJson(Array.from({ length: 100_000 }, (_, i) => i), { maxLength: 1_000 }).text;
    expect(list.length).toBeLessThan(1_300);
    expect((JSON.parse(list) as unknown[]).at(-1)).toMatch(/^…\(99,\d{3} more items\)$/);
  });

  it('never throws: cycles, BigInts, throwing getters and proxies', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(safeJson(cyclic)).toEqual({ text: '{"a":1,"self":"…(cycle)"}', cut: 'a reference cycle' });
    expect(safeJson({ n: 10n }).text).toBe('{"n":"10n"}');
    const getter = { get boom(): never { throw new Error('no'); } };
    expect(safeJson(getter).cut).toMatch(/could not be read \(no\)/);
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('trap'); } });
    expect(() => safeJson(proxy)).not.toThrow();
    expect(() => safeJson(cyclic, { maxDepth: 1e6 })).not.toThrow();
  });

  it('cappedValue gives a shallow copy to keep as evidence', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(JSON.stringify(cappedValue(deep, { maxDepth: 2 }))).toBe('[["…(nested deeper than 2 levels)"]]');
    expect(cappedValue({ a: [1, 'b'] })).toEqual({ a: [1, 'b'] });
  });
});

describe('visibleText', () => {
  it('writes controls, bidi marks, separators and lone surrogates as escapes; keeps everything else', () => {
    expect(visibleText('a\u0000b\u001b[31m\u0085\u202eevil\u2066\u200f\u2028')).toBe('a\\x00b\\x1b[31m\\x85\\u202eevil\\u2066\\u200f\\u2028');
    expect(visibleText('lone \ud800 and \udfff, pair 😀 kept')).toBe('lone \\ud800 and \\udfff, pair 😀 kept');
    expect(visibleText('line\nbreak\ttab', 'block')).toBe('line\nbreak\ttab');
    expect(visibleText('line\nbreak', 'line')).toBe('line\\x0abreak');
    expect(visibleText('café — 東京 — עברית')).toBe('café — 東京 — עברית');
  });

  it('json style keeps JSON valid and equal in value (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.array(fc.constantFrom('\u202e', '\u0085', '\u2028', '\ud800', '\udc00', '\u0000')), (s, extra) => {
        const value = `${s}${extra.join('')}`;
        const json = visibleText(JSON.stringify(value), 'json');
        expect(JSON.parse(json)).toBe(JSON.parse(JSON.stringify(value)));
        expect(/[\u007f-\u009f\u202a-\u202e\u2028\u2029]/.test(json)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('escapes a megabyte of escapes (the time is printed by npm run bench:session)', () => {
    const text = '\u202e\u0000\ud800'.repeat(350_000);
    expect(visibleText(text).length).toBe(350_000 * 16);
  });
});
