import { describe, expect, it } from 'vitest';
import { maskTokensInText } from './masking';

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
