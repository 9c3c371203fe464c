import { describe, expect, it } from 'vitest';
import { apikeyFromUrl, vsnFromUrl, vsnParamFromUrl } from './url';

describe('vsnFromUrl (realtime-facts §1.1: absent means 1.0.0)', () => {
  it.each([
    ['wss://abc.supabase.co/realtime/v1/websocket?apikey=k&vsn=2.0.0', '2.0.0'],
    ['wss://abc.supabase.co/realtime/v1/websocket?apikey=k&vsn=1.0.0', '1.0.0'],
    ['wss://abc.supabase.co/realtime/v1/websocket?apikey=k', '1.0.0'],
    ['ws://localhost:4000/socket/websocket?vsn=2.0.0&log_level=info', '2.0.0'],
    ['ws://h/socket/websocket?vsn=1.0.0&vsn=2.0.0', '2.0.0'], // the last repeated key wins (Plug)
    ['ws://h/socket/websocket?vsn=2.0.0#vsn=1.0.0', '2.0.0'],
    ['ws://h/socket/websocket?vsn=3.0.0', '1.0.0'],
    ['ws://h/socket/websocket?vsn=%32.0.0', '2.0.0'],
    ['not a url at all', '1.0.0'],
    ['', '1.0.0'],
    ['?vsn=2.0.0', '2.0.0'],
  ] as const)('%s -> %s', (url, vsn) => {
    expect(vsnFromUrl(url)).toBe(vsn);
  });

  it('gives the raw value for display', () => {
    expect(vsnParamFromUrl('ws://h/socket/websocket?vsn=2.0.0')).toBe('2.0.0');
    expect(vsnParamFromUrl('ws://h/socket/websocket')).toBeUndefined();
  });
});

describe('apikeyFromUrl (§2.1: the only token in the URL)', () => {
  it.each([
    ['wss://abc.supabase.co/realtime/v1/websocket?apikey=sb_publishable_xyz&vsn=2.0.0', 'sb_publishable_xyz'],
    ['wss://h/realtime/v1/websocket?apikey=eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2ln&vsn=2.0.0', 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2ln'],
    ['wss://h/realtime/v1/websocket?apikey=a%2Bb%3D%3D', 'a+b=='],
    ['wss://h/realtime/v1/websocket?apikey=a+b', 'a b'],
    ['wss://h/realtime/v1/websocket?apikey=100%', '100%'], // malformed escape kept as written
    ['wss://h/realtime/v1/websocket?apikey=', ''],
    ['wss://h/realtime/v1/websocket?apikey', ''],
    ['wss://h/realtime/v1/websocket?vsn=2.0.0', undefined],
    ['wss://h/realtime/v1/websocket?apikey=one&apikey=two', 'two'],
    ['wss://h/realtime/v1/websocket#apikey=x', undefined],
    ['%%%?apikey=%E0%A4%A', '%E0%A4%A'],
  ] as const)('%s -> %s', (url, apikey) => {
    expect(apikeyFromUrl(url)).toBe(apikey);
  });
});
