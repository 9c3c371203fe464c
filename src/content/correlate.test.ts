import { describe, expect, it } from 'vitest';
import type { CapturedEvent, NetworkObservation } from '../core/model';
import { NetworkCorrelator } from './correlate';

const stamp = { seq: 1, time: 1, docId: 'd', source: 'page' as const };
const request = (req: string, url: string, method = 'GET'): CapturedEvent => ({ kind: 'http-request', req, method, url, headers: {}, api: 'fetch', ...stamp });
const net = (url: string, resourceType: NetworkObservation['resourceType'], method = 'GET'): NetworkObservation => ({ kind: 'net', url, resourceType, method, status: 200, date: 'Tue' });

describe('NetworkCorrelator', () => {
  it('pairs observations with the oldest unpaired page request of the same URL and method', () => {
    const c = new NetworkCorrelator();
    c.notePageEvent(request('d:1', 'https://x/auth/v1/token', 'POST'));
    c.notePageEvent(request('d:2', 'https://x/auth/v1/token', 'POST'));
    c.notePageEvent(request('d:3', 'https://x/auth/v1/token', 'GET'));
    expect(c.pair(net('https://x/auth/v1/token', 'xhr', 'POST')).req).toBe('d:1');
    expect(c.pair(net('https://x/auth/v1/token', 'xhr', 'post')).req).toBe('d:2');
    expect(c.pair(net('https://x/auth/v1/token', 'xhr', 'POST')).req).toBeUndefined();
    expect(c.pair(net('https://x/auth/v1/token', 'xhr', 'GET')).req).toBe('d:3');
  });

  it('pairs a socket upgrade with the page socket of the same URL', () => {
    const c = new NetworkCorrelator();
    c.notePageEvent({ kind: 'ws-connecting', conn: 'd:1', url: 'wss://x/realtime/v1/websocket?vsn=2.0.0', protocols: [], ...stamp });
    expect(c.pair(net('wss://x/realtime/v1/websocket?vsn=2.0.0', 'websocket')).conn).toBe('d:1');
    expect(c.pair(net('wss://x/realtime/v1/websocket?vsn=2.0.0', 'websocket')).conn).toBeUndefined();
  });

  it('leaves unrelated observations as they are', () => {
    const c = new NetworkCorrelator();
    const o = net('https://x/rest/v1/t', 'xhr');
    expect(c.pair(o)).toBe(o);
  });
});
