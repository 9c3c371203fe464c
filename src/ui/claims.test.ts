import { describe, expect, it } from 'vitest';
import { CLAIM_DESCRIPTIONS, describeField, fieldRows, HEADER_DESCRIPTIONS, relativeText } from './claims';

describe('claim descriptions', () => {
  it('describe the standard and Supabase claims and the header fields', () => {
    const claims = ['exp', 'iat', 'nbf', 'iss', 'aud', 'sub', 'role', 'ref', 'session_id', 'aal', 'amr', 'is_anonymous', 'email', 'phone', 'app_metadata', 'user_metadata'];
    for (const c of claims) expect(CLAIM_DESCRIPTIONS[c], c).toMatch(/\w/);
    for (const h of ['alg', 'kid', 'typ']) expect(HEADER_DESCRIPTIONS[h], h).toMatch(/\w/);
  });

  it('know nothing of other names, including Object.prototype’s', () => {
    expect(describeField('x-custom')).toBe('');
    expect(describeField('constructor')).toBe('');
    expect(describeField('__proto__', true)).toBe('');
    expect(describeField('alg')).toBe('');
    expect(describeField('alg', true)).toContain('algorithm');
  });
});

describe('claim rows', () => {
  const now = Date.UTC(2026, 10, 1, 12, 0, 0);
  const nowSec = now / 1000;

  it('keep the token’s order, give time claims a date and an offset from now', () => {
    const rows = fieldRows({ sub: 'u1', exp: nowSec - 12, iat: nowSec - 3600, app_metadata: { provider: 'email' }, custom: 1 }, now);
    expect(rows.map((r) => r.name)).toEqual(['sub', 'exp', 'iat', 'app_metadata', 'custom']);
    expect(rows[1]).toMatchObject({ secondsFromNow: -12, date: expect.stringMatching(/^2026-11-0[12] /) });
    expect(rows[2].secondsFromNow).toBe(-3600);
    expect(rows[3].value).toBe('{"provider":"email"}');
    expect(rows[4]).toMatchObject({ value: '1', description: '' });
    expect(rows[0].date).toBeUndefined();
  });

  it('give no date to a time claim that is not a number', () => {
    const [row] = fieldRows({ exp: '1700000000' }, now);
    expect(row).toMatchObject({ value: '1700000000' });
    expect(row.date).toBeUndefined();
  });

  it('describe header fields from the header table, with no dates', () => {
    const rows = fieldRows({ alg: 'HS256', exp: 5 }, now, true);
    expect(rows[0].description).toContain('HS256');
    expect(rows[1].date).toBeUndefined();
    expect(fieldRows(undefined, now)).toEqual([]);
  });

  it('say how far a time is', () => {
    expect(relativeText(0)).toBe('now');
    expect(relativeText(90)).toBe('in 1 min 30 s');
    expect(relativeText(-3600)).toBe('1 h ago');
  });
});
