import { describe, expect, it } from 'vitest';
import { clientNotes, clientWords, compareVersions, isLegacyRealtimeJs, parseClientInfo } from './client-info';

describe('X-Client-Info', () => {
  it.each([
    ['supabase-js/2.119.1; platform=browser', 'supabase-js', '2.119.1', ['platform=browser']],
    ['supabase-js-web/2.39.3', 'supabase-js-web', '2.39.3', []],
    ['realtime-js/2.15.0', 'realtime-js', '2.15.0', []],
    ['supabase-flutter/2.8.0-beta.1', 'supabase-flutter', '2.8.0-beta.1', []],
    ['my-proxy', 'my-proxy', null, []],
    ['\u001b[31m; evil', '', null, ['evil']],
  ])('%s', (header, library, version, details) => {
    expect(parseClientInfo(header)).toMatchObject({ library, version, details });
  });
  it('caps a long header', () => {
    expect(parseClientInfo('x'.repeat(10_000)).header.length).toBeLessThanOrEqual(201);
  });
  it('compares versions numerically', () => {
    expect(compareVersions('2.15.10', '2.15.9')).toBe(1);
    expect(compareVersions('2.9.0', '2.15.0')).toBe(-1);
    expect(compareVersions('2.119.1', '2.119.1-next.3')).toBe(0);
  });
  it('knows the standalone realtime-js ≤ 2.15 differences (§7), and only for it', () => {
    expect(isLegacyRealtimeJs(parseClientInfo('realtime-js/2.15.3'))).toBe(true);
    expect(isLegacyRealtimeJs(parseClientInfo('realtime-js/2.16.0'))).toBe(false);
    expect(isLegacyRealtimeJs(parseClientInfo('supabase-js/2.15.0'))).toBe(false);
    expect(clientNotes([parseClientInfo('realtime-js/2.11.2')])[0]).toMatch(/double quotes/);
    expect(clientNotes([parseClientInfo('supabase-js/2.119.1; platform=browser')])).toEqual([]);
  });
  it('words a connection’s client', () => {
    expect(clientWords([parseClientInfo('supabase-js/2.119.1; platform=browser')], '2.0.0')).toBe('supabase-js 2.119.1 (platform=browser), serializer vsn 2.0.0');
    expect(clientWords([], '1.0.0')).toMatch(/^client not identified .*, serializer vsn 1\.0\.0$/);
  });
});
