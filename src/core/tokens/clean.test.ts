import { describe, expect, it } from 'vitest';
import { cleanToken } from './clean';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl';

describe('cleanToken', () => {
  it('leaves a clean token alone, with no notes', () => {
    expect(cleanToken(JWT)).toEqual({ cleaned: JWT, notes: [] });
    expect(cleanToken(`  ${JWT}\n`)).toEqual({ cleaned: JWT, notes: [] });
  });

  it.each([
    ['Bearer', `Bearer ${JWT}`, [/Bearer/]],
    ['lower-case bearer, several spaces', `bearer    ${JWT}`, [/Bearer/]],
    ['quoted', `"${JWT}"`, [/quotes/]],
    ['single-quoted, broken across lines', `'${JWT.slice(0, 30)}\n   ${JWT.slice(30)}'`, [/quotes/, /line breaks/]],
    ['Bearer then quotes', `Bearer "${JWT}"`, [/Bearer/, /quotes/]],
    ['quotes around a Bearer value', `"Bearer ${JWT}"`, [/quotes/, /Bearer/]],
    ['URL-encoded', encodeURIComponent(JWT).replace(/\./g, '%2E'), [/URL-decoded/]],
    ['broken across lines', JWT.match(/.{1,16}/g)!.join('\r\n'), [/line breaks/]],
  ])('%s', (_name, input, expected) => {
    const { cleaned, notes } = cleanToken(input);
    expect(cleaned).toBe(JWT);
    expect(notes).toHaveLength(expected.length);
    expected.forEach((re, i) => expect(notes[i]).toMatch(re));
  });

  it('keeps a value with a stray "%" as it is, and says so', () => {
    expect(cleanToken('abc%zz')).toEqual({ cleaned: 'abc%zz', notes: [expect.stringContaining('not valid URL-encoding')] });
  });

  it('removes one Bearer and one pair of quotes at most', () => {
    expect(cleanToken('Bearer Bearer x').cleaned).toBe('Bearerx');
    expect(cleanToken(`""${JWT}""`).cleaned).toBe(`"${JWT}"`);
  });
});
