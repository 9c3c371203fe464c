// The Realtime tracker's byte budget (issue 10 item 2): a page that opens socket after socket,
// joins again and again or pushes the same token forever cannot grow the tracker's records
// without bound. Eviction is counted, bulk goes first, and the auth evidence stays.

import { describe, expect, it } from 'vitest';
import { Session } from '../session/session';
import { EMPTY_STATS } from '../session/test-doc';
import { EventScript, V2_URL } from './test-frames';
import { RealtimeTracker } from './tracker';

const TOPIC = 'realtime:room1';
/** A socket URL padded to `n` characters (a page controls its query string). */
const longUrl = (i: number, n = 8_000) => `${V2_URL}&pad${i}=${'x'.repeat(n)}`;
const join = (ref: string, token: string, topic = TOPIC) => [ref, ref, topic, 'phx_join', { config: { broadcast: { self: false } }, access_token: token }];
const reply = (ref: string, status: 'ok' | 'error', topic = TOPIC, response: unknown = {}) => [ref, ref, topic, 'phx_reply', { status, response }];

describe('RealtimeTracker byte budget', () => {
  it('a page opening thousands of sockets with long URLs: bounded, counted, the failed and the live socket kept', () => {
    const s = new EventScript();
    // The socket whose join the server refused: auth evidence.
    s.connecting('bad', V2_URL).open('bad').sent('bad', join('1', 'expired.token.sig')).received('bad', reply('1', 'error', TOPIC, { reason: 'Token has expired 3 seconds ago' })).close('bad', 1000);
    for (let i = 0; i < 2_000; i++) s.connecting(`c${i}`, longUrl(i)).open(`c${i}`).close(`c${i}`, 1000);
    s.connecting('live', V2_URL).open('live').sent('live', join('1', 'good.token.sig')).received('live', reply('1', 'ok'));

    const maxBytes = 1_000_000;
    const tracker = new RealtimeTracker({ maxBytes });
    tracker.ingestAll(s.events);
    expect(tracker.bytes).toBeLessThanOrEqual(maxBytes);
    const { connections, channels } = tracker.records();
    const evicted = tracker.evictions();
    // 2,000 × 8 KB of URLs cannot fit in 1 MB: most of them went, and every one is counted.
    expect(evicted.connections).toBeGreaterThan(1_800);
    expect(connections.length + evicted.connections).toBe(2_002);
    expect(evicted.bytes).toBeGreaterThan(2_000 * 8_000 - maxBytes);
    // The refused join and the live socket's channel are still there.
    const ids = connections.map((c) => c.conn);
    expect(ids).toContain('bad');
    expect(ids).toContain('live');
    const bad = channels.find((c) => c.key.conn === 'bad')!;
    expect(bad.attempts.at(-1)).toMatchObject({ status: 'error', accessToken: 'expired.token.sig' });
    expect(channels.find((c) => c.key.conn === 'live')!.phase).toBe('joined');
  });

  it('a token pushed again and again: repeats go first, the latest push and an earlier distinct token stay', () => {
    const s = new EventScript();
    s.connecting('c1', V2_URL).open('c1').sent('c1', join('1', 'first.token.sig')).received('c1', reply('1', 'ok'));
    const distinct = `distinct.${'d'.repeat(2_000)}.sig`;
    s.sent('c1', ['1', '2', TOPIC, 'access_token', { access_token: distinct }]);
    const repeated = `repeat.${'r'.repeat(2_000)}.sig`;
    for (let i = 0; i < 3_000; i++) s.sent('c1', ['1', String(3 + i), TOPIC, 'access_token', { access_token: repeated }]);
    const tracker = new RealtimeTracker({ maxBytes: 500_000 });
    tracker.ingestAll(s.events);
    expect(tracker.bytes).toBeLessThanOrEqual(500_000);
    const channel = tracker.records().channels[0];
    const evicted = tracker.evictions();
    expect(evicted.tokenPushes).toBeGreaterThan(2_700);
    expect(channel.tokenPushes.length + evicted.tokenPushes).toBe(3_001);
    expect(channel.tokenPushes[0].value).toBe(distinct);
    expect(channel.tokenPushes.at(-1)!.frame.seq).toBe(s.events.at(-1)!.seq);
    // The join that opened the channel is the latest attempt: kept.
    expect(channel.attempts).toHaveLength(1);
    expect(evicted.connections + evicted.channels + evicted.attempts).toBe(0);
  });

  it('a channel that rejoins forever with large tokens: the latest attempt and the failures are kept, ok attempts go first', () => {
    const s = new EventScript();
    s.connecting('c1', V2_URL).open('c1');
    const token = (i: number) => `t${i}.${'p'.repeat(10_000)}.sig`;
    // Every 100th join fails; the others are answered ok, then the server errors the channel
    // (phx_error), so the next join retries the same instance.
    for (let i = 0; i < 1_000; i++) {
      const ref = String(i + 1);
      s.sent('c1', [ref, ref, TOPIC, 'phx_join', { config: {}, access_token: token(i) }]);
      s.received('c1', [ref, ref, TOPIC, 'phx_reply', { status: i % 100 === 50 ? 'error' : 'ok', response: {} }]);
      s.received('c1', [ref, null, TOPIC, 'phx_error', {}]);
    }
    const tracker = new RealtimeTracker({ maxBytes: 2_000_000 });
    tracker.ingestAll(s.events);
    expect(tracker.bytes).toBeLessThanOrEqual(2_000_000);
    const channel = tracker.records().channels[0];
    const evicted = tracker.evictions();
    expect(channel.attempts.length + evicted.attempts).toBe(1_000);
    expect(evicted.attempts).toBeGreaterThan(800);
    expect(channel.attempts.at(-1)!.accessToken).toBe(token(999));
    // The ten failed attempts outlived the ok ones (ordinary after bulk).
    expect(channel.attempts.filter((a) => a.status === 'error')).toHaveLength(10);
  });

  it('stays within budget whatever the order, and the records stay consistent (every frame names a listed channel)', () => {
    const s = new EventScript();
    for (let i = 0; i < 300; i++) {
      const conn = `c${i % 7}`;
      if (i % 7 === i) s.connecting(conn, longUrl(i, 2_000)).open(conn);
      const topic = `realtime:t${i % 13}-${'q'.repeat(i % 5 === 0 ? 3_000 : 10)}`;
      s.sent(conn, join(String(i), `tok${i}.${'z'.repeat(1_000)}.sig`, topic));
      s.received(conn, reply(String(i), i % 3 ? 'ok' : 'error', topic));
      if (i % 11 === 0) s.received(conn, [String(i), String(i), topic, 'phx_close', {}]);
    }
    const tracker = new RealtimeTracker({ maxBytes: 60_000 });
    tracker.ingestAll(s.events);
    const session = tracker.snapshot();
    expect(tracker.bytes).toBeLessThanOrEqual(60_000);
    const keys = new Set(session.channels.map((c) => c.key));
    for (const frame of session.frames) if (frame.channel) expect(keys.has(frame.channel)).toBe(true);
    const conns = new Set(session.connections.map((c) => c.conn));
    for (const channel of session.channels) expect(conns.has(channel.key.conn)).toBe(true);
    JSON.stringify(session);
  });

  it('the session republishes its records after an eviction (a panel never shows an evicted socket)', () => {
    const session = new Session({ tabId: 1 });
    const s = new EventScript();
    s.connecting('refused', V2_URL).close('refused', 1006, '', false);
    // 32 MB of socket URLs (the default budget) plus some.
    for (let i = 0; i < 4_500; i++) s.connecting(`c${i}`, longUrl(i)).open(`c${i}`).close(`c${i}`, 1000);
    session.apply({ type: 'snapshot', snapshot: { doc: { docId: 'doc1', url: 'https://app.test/', isTop: true, startedAt: 0 }, events: s.events.slice(0, 3), stats: EMPTY_STATS } });
    expect(session.snapshot().connections.map((c) => c.conn)).toEqual(['refused', 'c0']);
    session.apply({ type: 'events', docId: 'doc1', events: s.events.slice(3), stats: EMPTY_STATS });
    const published = session.snapshot().connections;
    expect(published.length).toBeLessThan(4_501);
    expect(published[0].conn).toBe('refused');
    expect(published.map((c) => c.conn)).not.toContain('c0');
    // Counted where the panel's drop counter reads it.
    expect(session.snapshot().drops.recordsEvicted).toBe(4_501 - published.length);
  });
});
