// Issue 9 item 8: issuer identity without false alarms.
import { describe, expect, it } from 'vitest';
import { sameIssuer } from './token-rules';

describe('sameIssuer', () => {
  it.each([
    ['http://127.0.0.1:54321/auth/v1', 'http://localhost:54321/auth/v1'],
    ['http://localhost:54321/auth/v1/', 'http://[::1]:54321/auth/v1'],
    ['https://abcdefghijklmnopqrst.supabase.co/auth/v1', 'http://abcdefghijklmnopqrst.supabase.co:8080/auth/v1'],
    ['https://abcdefghijklmnopqrst.supabase.co/auth/v1', 'https://ABCDEFGHIJKLMNOPQRST.supabase.co:443/auth/v1/'],
    ['https://auth.example.com/auth/v1', 'https://auth.example.com:443/auth/v1'],
    ['supabase', 'supabase'],
  ])('%s is %s', (a, b) => expect(sameIssuer(a, b)).toBe(true));

  it.each([
    ['http://127.0.0.1:54321/auth/v1', 'http://localhost:54322/auth/v1'],
    ['http://127.0.0.1:54321/auth/v1', 'https://127.0.0.1:54321/auth/v1'],
    ['https://abcdefghijklmnopqrst.supabase.co/auth/v1', 'https://zyxwvutsrqponmlkjihg.supabase.co/auth/v1'],
    ['https://auth.example.com/auth/v1', 'https://auth.example.org/auth/v1'],
    ['https://auth.example.com/auth/v1', 'https://auth.example.com/v1'],
    ['supabase', 'supabase-demo'],
    ['', ''],
  ])('%s is not %s', (a, b) => expect(sameIssuer(a, b)).toBe(false));
});
