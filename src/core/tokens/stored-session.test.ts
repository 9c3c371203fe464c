import { describe, expect, it } from 'vitest';
import { cookieEntries, findStoredSessions } from './stored-session';

const session = { access_token: 'eyJ.a.b', refresh_token: 'r-secret', expires_at: 1800000000, user: { email: 'a@b.c' } };

describe('findStoredSessions', () => {
  it('reads supabase-js localStorage and keeps only access_token and expires_at', () => {
    const { sessions } = findStoredSessions([{ name: 'sb-abcdefghijklmnopqrst-auth-token', value: JSON.stringify(session) }, { name: 'other', value: 'x' }]);
    expect(sessions).toEqual([{ key: 'sb-abcdefghijklmnopqrst-auth-token', keyRef: 'abcdefghijklmnopqrst', access_token: 'eyJ.a.b', expires_at: 1800000000 }]);
    expect(JSON.stringify(sessions)).not.toContain('r-secret');
  });
  it('joins @supabase/ssr chunked, base64- prefixed cookies', () => {
    const value = 'base64-' + Buffer.from(JSON.stringify(session)).toString('base64');
    const cut = Math.floor(value.length / 2);
    const cookie = `a=1; sb-ref-auth-token.1=${encodeURIComponent(value.slice(cut))}; sb-ref-auth-token.0=${encodeURIComponent(value.slice(0, cut))}`;
    const { sessions, problems } = findStoredSessions(cookieEntries(cookie));
    expect(problems).toEqual([]);
    expect(sessions[0]).toMatchObject({ keyRef: 'ref', access_token: 'eyJ.a.b', expires_at: 1800000000 });
  });
  it('reports a missing chunk and bad JSON instead of dropping them silently', () => {
    const { problems } = findStoredSessions([{ name: 'sb-x-auth-token.1', value: 'abc' }, { name: 'sb-y-auth-token', value: '{' }]);
    expect(problems.map((p) => p.key).sort()).toEqual(['sb-x-auth-token', 'sb-y-auth-token']);
  });
});
