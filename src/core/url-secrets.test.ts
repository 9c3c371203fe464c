import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, scrubUrl } from './url-secrets';

// A signed-looking JWT: header and claims readable, a signature that must never be kept.
const HEADER = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9';
const CLAIMS = 'eyJzdWIiOiJ1c2VyLTEiLCJyb2xlIjoiYXV0aGVudGljYXRlZCIsImV4cCI6MTkwMDAwMDAwMH0';
const SIGNATURE = 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const JWT = `${HEADER}.${CLAIMS}.${SIGNATURE}`;

describe('scrubUrl', () => {
  it('implicit flow: the refresh token goes, the access token keeps its claims and loses its signature', () => {
    const url = `https://app.example/#access_token=${JWT}&expires_at=1900000000&expires_in=3600&refresh_token=v1.abcdefREFRESH&token_type=bearer&type=magiclink`;
    const out = scrubUrl(url);
    expect(out).toBe(
      `https://app.example/#access_token=${HEADER}.${CLAIMS}.${REDACTED}&expires_at=1900000000&expires_in=3600&refresh_token=${REDACTED}&token_type=bearer&type=magiclink`,
    );
    expect(out).not.toContain('REFRESH');
    expect(out).not.toContain(SIGNATURE);
  });

  it('auth codes, one-time tokens and their hashes, passwords, id tokens and client secrets are replaced whole', () => {
    expect(scrubUrl('https://app.example/callback?code=3f2a-11aa-bb&next=/home')).toBe(`https://app.example/callback?code=${REDACTED}&next=/home`);
    expect(scrubUrl('https://ref.supabase.co/auth/v1/verify?token=123456abc&type=signup&redirect_to=https://app.example')).toBe(
      `https://ref.supabase.co/auth/v1/verify?token=${REDACTED}&type=signup&redirect_to=https://app.example`,
    );
    expect(scrubUrl('https://app.example/confirm?token_hash=pkce_9f8e&type=email')).toBe(`https://app.example/confirm?token_hash=${REDACTED}&type=email`);
    expect(scrubUrl('https://app.example/login?user=a&password=p%2Fa/ss#x')).toBe(`https://app.example/login?user=a&password=${REDACTED}#x`);
    expect(scrubUrl(`https://app.example/#id_token=${JWT}&provider_token=gho_x&provider_refresh_token=r`)).toBe(
      `https://app.example/#id_token=${REDACTED}&provider_token=${REDACTED}&provider_refresh_token=${REDACTED}`,
    );
    // Names are compared decoded and case-insensitively.
    expect(scrubUrl('https://app.example/?Refresh%5FToken=abc')).toBe(`https://app.example/?Refresh%5FToken=${REDACTED}`);
  });

  it('a hash router: parameters after the route in the fragment are scrubbed too', () => {
    expect(scrubUrl('https://app.example/#/auth/callback?code=abc&state=s1')).toBe(`https://app.example/#/auth/callback?code=${REDACTED}&state=s1`);
  });

  it("the socket's apikey is kept whole (a project key the analysis reads; the panel masks it)", () => {
    const ws = `wss://ref.supabase.co/realtime/v1/websocket?apikey=${JWT}&vsn=2.0.0`;
    expect(scrubUrl(ws)).toBe(ws);
  });

  it('a JWT anywhere else loses its signature, in a path segment too', () => {
    expect(scrubUrl(`https://app.example/magic/${JWT}/done`)).toBe(`https://app.example/magic/${HEADER}.${CLAIMS}.${REDACTED}/done`);
    expect(scrubUrl(`https://ref.supabase.co/rest/v1/t?jwt=${JWT}`)).toBe(`https://ref.supabase.co/rest/v1/t?jwt=${HEADER}.${CLAIMS}.${REDACTED}`);
  });

  it('a password in the userinfo goes, the user stays', () => {
    expect(scrubUrl('https://bob:hunter2@app.example/x?y=1')).toBe(`https://bob:${REDACTED}@app.example/x?y=1`);
    expect(scrubUrl('https://bob@app.example/')).toBe('https://bob@app.example/');
  });

  it('leaves ordinary URLs untouched', () => {
    for (const u of [
      'https://ref.supabase.co/rest/v1/todos?select=*&id=eq.1',
      'wss://ref.supabase.co/realtime/v1/websocket?apikey=sb_publishable_abc&vsn=2.0.0',
      'http://localhost:5173/#/rooms/1',
      'about:blank',
      '',
      'https://app.example/?code',
    ])
      expect(scrubUrl(u)).toBe(u);
  });

  it('scrubs crafted URLs (their time is the benchmark\'s) and never keeps a secret value, whatever surrounds it', () => {
    const long = `https://a.example/?${'eyJ.'.repeat(200_000)}&${'a=&'.repeat(100_000)}&refresh_token=SECRETxyz`;
    expect(scrubUrl(long)).not.toContain('SECRETxyz');
    fc.assert(
      fc.property(fc.string(), fc.stringMatching(/^[A-Za-z0-9]{6,20}$/), fc.constantFrom('refresh_token', 'code', 'token', 'password'), fc.string(), (before, secret, name, after) => {
        const url = `https://a.example/${before.replace(/[&#;]/g, '')}?${name}=SECRET${secret}&${after}`;
        expect(scrubUrl(url)).not.toContain(`SECRET${secret}`);
      }),
    );
  });
});
