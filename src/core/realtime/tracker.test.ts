import { describe, expect, it } from 'vitest';
import { RealtimeTracker, trackRealtime } from './tracker';
import { EventScript, V1_URL, V2_URL, bytesOf } from './test-frames';
import type { ChannelRecord, RealtimeSession } from './types';

const TOPIC = 'realtime:room1';
/** The join payload realtime-js 2.119 sends (toolchain.md), with an optional access_token. */
const joinPayload = (extra: Record<string, unknown> = {}, ack = false) => ({
  config: { broadcast: { ack, self: false }, presence: { key: '', enabled: false }, postgres_changes: [], private: false },
  ...extra,
});
const ok = (response: unknown = { postgres_changes: [] }) => ({ status: 'ok', response });
const err = (reason: string) => ({ status: 'error', response: { reason } });
const EXPIRED = 'InvalidJWTToken: Token has expired 12 seconds ago';

function onlyChannel(session: RealtimeSession): ChannelRecord {
  expect(session.channels).toHaveLength(1);
  return session.channels[0];
}

describe('trackRealtime: a V2 session as supabase-js 2.119 produces it', () => {
  const s = new EventScript()
    .connecting('c1', V2_URL)
    .open('c1')
    .sent('c1', ['1', '1', TOPIC, 'phx_join', joinPayload()])
    .after(20)
    .received('c1', ['1', '1', TOPIC, 'phx_reply', ok()])
    .binary('c1', 'sent', bytesOf(3, 1, 1, 14, 6, 0, 1, '1', '2', TOPIC, 'cursor', '{"x":1}'))
    .binary('c1', 'received', bytesOf(4, 14, 6, 0, 1, TOPIC, 'cursor', '{"x":2}'))
    .after(25_000)
    .sent('c1', [null, '3', 'phoenix', 'heartbeat', {}])
    .received('c1', [null, '3', 'phoenix', 'phx_reply', ok({})]);
  const session = trackRealtime(s.events);

  it('records the connection from its URL', () => {
    expect(session.connections).toEqual([
      {
        conn: 'c1',
        url: V2_URL,
        vsn: '2.0.0',
        apikey: 'sb_publishable_abc',
        createdAt: s.events[0].time,
        openedAt: s.events[1].time,
        errored: false,
        refused: false,
        framesSent: 3,
        framesReceived: 3,
        undecodable: 0,
        heartbeatsSent: 1,
        heartbeatsAnswered: 1,
        lastHeartbeatReply: { seq: 8, time: s.events[7].time, dir: 'received' },
        lastHeartbeatSent: { seq: 7, time: s.events[6].time, dir: 'sent' },
      },
    ]);
  });

  it('pairs the join with its reply and marks the channel joined', () => {
    const channel = onlyChannel(session);
    expect(channel.key).toEqual({ conn: 'c1', topic: TOPIC, joinRef: '1' });
    expect(channel.phase).toBe('joined');
    expect(channel.attempts).toHaveLength(1);
    expect(channel.attempts[0]).toMatchObject({
      ref: '1',
      joinRef: '1',
      hasAccessToken: false,
      status: 'ok',
      reply: { status: 'ok', response: { postgres_changes: [] }, frame: { seq: 4 } },
    });
    const [join, reply] = session.frames;
    expect(join.reply).toEqual({ seq: 4, time: reply.time, dir: 'received' });
    expect(reply.replyTo).toEqual({ seq: 3, time: join.time, dir: 'sent' });
    expect(reply.replyToEvent).toBe('phx_join');
  });

  it('attributes the broadcasts to the channel; a broadcast without ack awaits nothing', () => {
    const [, , push, fanout, heartbeat, heartbeatReply] = session.frames;
    expect(push.channel).toBe(session.channels[0].key);
    expect(fanout.channel).toBe(session.channels[0].key);
    expect(push.replyPolicy).toBe('never');
    expect(session.channels[0].frameCount).toBe(4);
    expect(heartbeat).toMatchObject({ heartbeat: true, replyPolicy: 'expected', reply: { seq: 8 } });
    expect(heartbeat.channel).toBeUndefined();
    expect(heartbeatReply.channel).toBeUndefined();
    expect(session.awaitingReply).toEqual([]);
  });
});

describe('trackRealtime: pairing replies with pushes', () => {
  it('V1: the server sends no join_ref, replies pair by ref within the connection', () => {
    const session = trackRealtime(
      new EventScript()
        .connecting('c1', V1_URL)
        .open('c1')
        .sent('c1', { topic: TOPIC, event: 'phx_join', payload: joinPayload({ access_token: 'jwt-1' }), ref: '1', join_ref: '1' })
        .received('c1', { topic: TOPIC, event: 'phx_reply', payload: err(EXPIRED), ref: '1' }).events,
    );
    const channel = onlyChannel(session);
    expect(session.connections[0]).toMatchObject({ vsn: '1.0.0', apikey: 'eyJhbGciOiJIUzI1NiJ9.e30.sig' });
    expect(channel.phase).toBe('errored');
    expect(channel.attempts[0]).toMatchObject({ status: 'error', accessToken: 'jwt-1', hasAccessToken: true, reply: { status: 'error', response: { reason: EXPIRED } } });
    expect(session.frames[1].channel).toBe(channel.key);
  });

  it('refs are per socket: a reply on another connection does not pair', () => {
    const session = trackRealtime(
      new EventScript()
        .connecting('c1', V2_URL)
        .connecting('c2', V2_URL)
        .sent('c1', ['1', '1', TOPIC, 'phx_join', joinPayload()])
        .received('c2', ['1', '1', TOPIC, 'phx_reply', ok()]).events,
    );
    const c1 = session.channels.find((c) => c.key.conn === 'c1');
    expect(c1?.phase).toBe('joining');
    expect(c1?.attempts[0].status).toBe('awaiting-reply');
    expect(session.frames[1].replyTo).toBeUndefined();
    expect(session.awaitingReply).toEqual([
      { conn: 'c1', frame: { seq: 3, time: session.frames[0].time, dir: 'sent' }, event: 'phx_join', topic: TOPIC, channel: c1?.key, defaultTimeoutAt: session.frames[0].time + 10_000 },
    ]);
  });

  it('a join with no reply is awaiting reply, and the socket closing ends the wait', () => {
    const script = new EventScript().connecting('c1', V2_URL).open('c1').sent('c1', ['1', '1', TOPIC, 'phx_join', joinPayload()]);
    const tracker = new RealtimeTracker();
    tracker.ingestAll(script.events);
    expect(tracker.snapshot().channels[0].attempts[0].status).toBe('awaiting-reply');
    expect(tracker.snapshot().awaitingReply.map((a) => a.event)).toEqual(['phx_join']);
    tracker.ingestAll(script.after(3000).close('c1', 1006, '', false).events.slice(-1));
    const after = tracker.snapshot();
    expect(after.channels[0].attempts[0].status).toBe('connection-closed');
    expect(after.channels[0].phase).toBe('errored');
    expect(after.awaitingReply).toEqual([]);
  });

  it('access_token pushes are recorded raw and never count as awaiting a reply (§2.3)', () => {
    const values = [null, '', 'sb_publishable_abc', 42, { nested: true }, 'eyJ.new.jwt'];
    const script = new EventScript()
      .connecting('c1', V2_URL)
      .open('c1')
      .sent('c1', ['1', '1', TOPIC, 'phx_join', joinPayload({ access_token: 'eyJ.old.jwt' })])
      .received('c1', ['1', '1', TOPIC, 'phx_reply', ok()]);
    values.forEach((value, i) => script.sent('c1', ['1', String(i + 2), TOPIC, 'access_token', { access_token: value }]));
    const session = trackRealtime(script.events);
    const channel = onlyChannel(session);
    expect(channel.tokenPushes.map((p) => p.value)).toEqual(values);
    expect(channel.phase).toBe('joined');
    expect(session.awaitingReply).toEqual([]);
    expect(session.frames.filter((f) => f.replyPolicy === 'never')).toHaveLength(values.length);
  });

  it('broadcasts on a channel joined with ack:true expect a reply and pair with it', () => {
    const session = trackRealtime(
      new EventScript()
        .connecting('c1', V2_URL)
        .sent('c1', ['1', '1', TOPIC, 'phx_join', joinPayload({}, true)])
        .received('c1', ['1', '1', TOPIC, 'phx_reply', ok()])
        .binary('c1', 'sent', bytesOf(3, 1, 1, 14, 2, 0, 1, '1', '2', TOPIC, 'ev', '{}'))
        .binary('c1', 'sent', bytesOf(3, 1, 1, 14, 2, 0, 1, '1', '3', TOPIC, 'ev', '{}'))
        .received('c1', ['1', '2', TOPIC, 'phx_reply', ok({})]).events,
    );
    const [, , first, second, reply] = session.frames;
    expect(first.replyPolicy).toBe('expected');
    expect(first.reply?.seq).toBe(reply.seq);
    expect(reply.replyToEvent).toBe('broadcast');
    expect(session.awaitingReply.map((a) => a.frame.seq)).toEqual([second.seq]);
  });
});

describe('trackRealtime: channel instances (connection, topic, join_ref)', () => {
  it('keeps two joins of one topic on one socket apart by join_ref', () => {
    const session = trackRealtime(
      new EventScript()
        .connecting('c1', V2_URL)
        .sent('c1', ['1', '1', TOPIC, 'phx_join', joinPayload({ access_token: 'token-a' })])
        .received('c1', ['1', '1', TOPIC, 'phx_reply', ok()])
        .sent('c1', ['3', '3', TOPIC, 'phx_join', joinPayload({ access_token: 'token-b' })])
        .received('c1', ['3', '3', TOPIC, 'phx_reply', err(EXPIRED)])
        .received('c1', ['1', null, TOPIC, 'system', { extension: 'system', status: 'ok', message: 'hello a' }])
        .received('c1', ['1', '1', TOPIC, 'phx_close', {}]).events,
    );
    expect(session.channels).toHaveLength(2);
    const [a, b] = session.channels;
    expect(a.key).toEqual({ conn: 'c1', topic: TOPIC, joinRef: '1' });
    expect(b.key).toEqual({ conn: 'c1', topic: TOPIC, joinRef: '3' });
    expect(a.attempts.map((t) => t.accessToken)).toEqual(['token-a']);
    expect(b.attempts.map((t) => t.accessToken)).toEqual(['token-b']);
    expect(a.phase).toBe('closed');
    expect(a.systemMessages).toHaveLength(1);
    expect(b.phase).toBe('errored');
    expect(b.systemMessages).toHaveLength(0);
  });

  it('V1: phx_close carries the instance join_ref as its ref and closes only that instance', () => {
    const session = trackRealtime(
      new EventScript()
        .connecting('c1', V1_URL)
        .sent('c1', { topic: TOPIC, event: 'phx_join', payload: joinPayload(), ref: '1', join_ref: '1' })
        .received('c1', { topic: TOPIC, event: 'phx_reply', payload: ok(), ref: '1' })
        .sent('c1', { topic: TOPIC, event: 'phx_join', payload: joinPayload(), ref: '2', join_ref: '2' })
        .received('c1', { topic: TOPIC, event: 'phx_reply', payload: ok(), ref: '2' })
        .received('c1', { topic: TOPIC, event: 'phx_close', payload: {}, ref: '1' }).events,
    );
    expect(session.channels.map((c) => [c.key.joinRef, c.phase])).toEqual([
      ['1', 'closed'],
      ['2', 'joined'],
    ]);
  });

  it('a rejoin after an error reply is another attempt of the same instance, with a new join_ref', () => {
    const session = trackRealtime(
      new EventScript()
        .connecting('c1', V2_URL)
        .sent('c1', ['1', '1', TOPIC, 'phx_join', joinPayload({ access_token: 'expired' })])
        .after(5000)
        .received('c1', ['1', '1', TOPIC, 'phx_reply', err(EXPIRED)])
        .after(1000)
        .sent('c1', ['4', '4', TOPIC, 'phx_join', joinPayload({ access_token: 'fresh' })])
        .received('c1', ['4', '4', TOPIC, 'phx_reply', ok()])
        .binary('c1', 'received', bytesOf(4, 14, 2, 0, 1, TOPIC, 'ev', '1')).events,
    );
    const channel = onlyChannel(session);
    expect(channel.key.joinRef).toBe('1');
    expect(channel.phase).toBe('joined');
    expect(channel.attempts.map((a) => [a.joinRef, a.accessToken, a.status, a.reply?.status])).toEqual([
      ['1', 'expired', 'error', 'error'],
      ['4', 'fresh', 'ok', 'ok'],
    ]);
    expect(session.frames.every((f) => f.channel === channel.key)).toBe(true);
  });

  it('a join timeout (phx_leave, then rejoin) marks the attempt timed out; the leave reply closes nothing', () => {
    const session = trackRealtime(
      new EventScript()
        .connecting('c1', V2_URL)
        .sent('c1', ['1', '1', TOPIC, 'phx_join', joinPayload()])
        .after(10_000)
        .sent('c1', ['1', '2', TOPIC, 'phx_leave', {}])
        .received('c1', ['1', '2', TOPIC, 'phx_reply', ok({})])
        .after(1000)
        .sent('c1', ['3', '3', TOPIC, 'phx_join', joinPayload()])
        .received('c1', ['3', '3', TOPIC, 'phx_reply', ok()]).events,
    );
    const channel = onlyChannel(session);
    expect(channel.attempts.map((a) => a.status)).toEqual(['timed-out', 'ok']);
    // The leave is when the client gave up (and told the app TIMED_OUT).
    expect(channel.attempts[0].abandonedBy).toMatchObject({ seq: 3, dir: 'sent' });
    expect(channel.phase).toBe('joined');
    expect(channel.leftBy).toBeUndefined();
  });

  it('a late reply to an abandoned join does not flip the phase', () => {
    const session = trackRealtime(
      new EventScript()
        .connecting('c1', V2_URL)
        .sent('c1', ['1', '1', TOPIC, 'phx_join', joinPayload()])
        .after(10_000)
        .sent('c1', ['1', '2', TOPIC, 'phx_leave', {}])
        .received('c1', ['1', '1', TOPIC, 'phx_reply', ok()]).events,
    );
    const channel = onlyChannel(session);
    expect(channel.phase).toBe('errored');
    expect(channel.attempts[0].reply?.status).toBe('ok');
  });

  it('system error then phx_close closes the channel; a later join is a new instance (§3.3, §7)', () => {
    const shutdown = { extension: 'system', status: 'error', message: 'Token has expired 0 seconds ago', channel: 'room1' };
    const session = trackRealtime(
      new EventScript()
        .connecting('c1', V2_URL)
        .sent('c1', ['1', '1', TOPIC, 'phx_join', joinPayload()])
        .received('c1', ['1', '1', TOPIC, 'phx_reply', ok()])
        .after(3_600_000)
        .received('c1', ['1', null, TOPIC, 'system', shutdown])
        .received('c1', ['1', '1', TOPIC, 'phx_close', {}])
        .sent('c1', ['5', '5', TOPIC, 'phx_join', joinPayload()]).events,
    );
    expect(session.channels).toHaveLength(2);
    const [first, second] = session.channels;
    expect(first.phase).toBe('closed');
    expect(first.systemMessages.map((m) => m.payload)).toEqual([shutdown]);
    expect(first.closedBy?.seq).toBe(5);
    expect(second).toMatchObject({ key: { joinRef: '5' }, phase: 'joining' });
  });

  it('phx_error marks the channel errored (§3.4) and the rejoin continues the instance', () => {
    const session = trackRealtime(
      new EventScript()
        .connecting('c1', V2_URL)
        .sent('c1', ['1', '1', TOPIC, 'phx_join', joinPayload()])
        .received('c1', ['1', '1', TOPIC, 'phx_reply', ok()])
        .received('c1', ['1', '1', TOPIC, 'phx_error', {}])
        .sent('c1', ['2', '2', TOPIC, 'phx_join', joinPayload()]).events,
    );
    const channel = onlyChannel(session);
    expect(channel.errors.map((e) => e.seq)).toEqual([4]);
    expect(channel.phase).toBe('joining');
    expect(channel.attempts).toHaveLength(2);
  });

  it('phx_leave then its ok reply closes the channel', () => {
    const session = trackRealtime(
      new EventScript()
        .connecting('c1', V2_URL)
        .sent('c1', ['1', '1', TOPIC, 'phx_join', joinPayload()])
        .received('c1', ['1', '1', TOPIC, 'phx_reply', ok()])
        .sent('c1', ['1', '2', TOPIC, 'phx_leave', {}])
        .received('c1', ['1', '2', TOPIC, 'phx_reply', ok({})]).events,
    );
    const channel = onlyChannel(session);
    expect(channel.phase).toBe('closed');
    expect(channel.leftBy?.seq).toBe(4);
  });
});

describe('trackRealtime: connections', () => {
  it('a socket closed before it opened is refused; the upgrade observation is matched by URL', () => {
    const session = trackRealtime(
      new EventScript()
        .connecting('c1', V2_URL)
        .after(2000)
        .net(V2_URL, { error: 'net::ERR_FAILED' })
        .error('c1')
        .close('c1', 1006, '', false).events,
    );
    expect(session.connections[0]).toMatchObject({
      refused: true,
      errored: true,
      upgrade: { error: 'net::ERR_FAILED' },
      close: { code: 1006, reason: '', wasClean: false, seq: 4 },
    });
    expect(session.connections[0].openedAt).toBeUndefined();
  });

  it('an upgrade observed before the socket event, with an http scheme, still matches', () => {
    const session = trackRealtime(
      new EventScript()
        .net(V2_URL.replace('ws://', 'http://'), { status: 101 })
        .connecting('c1', V2_URL)
        .open('c1')
        .close('c1', 1000, 'bye').events,
    );
    expect(session.connections[0]).toMatchObject({ refused: false, upgrade: { status: 101 }, close: { code: 1000, wasClean: true } });
  });

  it('two sockets with the same URL get their upgrades in order', () => {
    const session = trackRealtime(
      new EventScript()
        .connecting('c1', V2_URL)
        .connecting('c2', V2_URL)
        .net(V2_URL, { status: 101 })
        .net(V2_URL, { error: 'net::ERR_FAILED' }).events,
    );
    expect(session.connections.map((c) => c.upgrade)).toEqual([{ status: 101 }, { error: 'net::ERR_FAILED' }]);
  });

  it('frames of a socket whose opening was not captured make an inferred connection and channel', () => {
    const session = trackRealtime(
      new EventScript()
        .received('c9', { topic: TOPIC, event: 'broadcast', payload: { type: 'broadcast', event: 'x', payload: {} }, ref: null }).events,
    );
    expect(session.connections[0]).toMatchObject({ conn: 'c9', url: '', vsn: '1.0.0', inferred: true, framesReceived: 1 });
    expect(session.channels[0]).toMatchObject({ inferred: true, phase: 'joined', key: { topic: TOPIC, joinRef: null } });
  });

  it('without a URL, the first frame whose shape tells sets the vsn (framing.ts frameVsn); junk before it does not', () => {
    const v1 = trackRealtime(
      new EventScript()
        .received('c9', 'not json')
        .received('c9', { topic: TOPIC, event: 'phx_close', payload: {}, ref: '1' })
        .received('c9', '[null,null,"realtime:x","broadcast",{}]').events,
    );
    expect(v1.connections[0]).toMatchObject({ vsn: '1.0.0', inferred: true, undecodable: 1 });
    // The V2 array after the socket was found V1 is noted as such, not taken as the socket's vsn.
    expect(v1.frames[2].decoded).toMatchObject({ ok: true, notes: [expect.stringContaining('V2 array on a V1 socket')] });
    const binary = trackRealtime(new EventScript().binary('c8', 'received', bytesOf(4, 14, 2, 0, 1, TOPIC, 'ev', '{}')).events);
    expect(binary.connections[0].vsn).toBe('2.0.0');
    const undecided = trackRealtime(new EventScript().received('c7', 'hello').events);
    expect(undecided.connections[0].vsn).toBe('2.0.0');
  });

  it('undecodable frames are kept with their reason and counted', () => {
    const session = trackRealtime(
      new EventScript()
        .connecting('c1', V2_URL)
        .received('c1', 'not json')
        .binary('c1', 'received', bytesOf(3, 2, 1, 18, 10)).events,
    );
    expect(session.undecodable).toBe(2);
    expect(session.connections[0].undecodable).toBe(2);
    expect(session.frames.map((f) => (f.decoded.ok ? 'ok' : f.decoded.reason))).toEqual([
      expect.stringMatching(/^text frame is not JSON/),
      'binary frame too short for a kind-3 header: 5 bytes (needs 7)',
    ]);
  });
});

describe('RealtimeTracker: incremental use', () => {
  const script = new EventScript()
    .connecting('c1', V2_URL)
    .open('c1')
    .sent('c1', ['1', '1', TOPIC, 'phx_join', joinPayload({ access_token: 'a' })])
    .received('c1', ['1', '1', TOPIC, 'phx_reply', ok()])
    .binary('c1', 'received', bytesOf(4, 14, 2, 0, 1, TOPIC, 'ev', '{"big":true}'))
    .sent('c1', [null, '2', 'phoenix', 'heartbeat', {}])
    .sent('c1', ['1', '3', TOPIC, 'access_token', { access_token: 'b' }]);

  it('gives the same session whether events arrive one by one or all at once', () => {
    const tracker = new RealtimeTracker();
    const versions: number[] = [];
    for (const event of script.events) {
      tracker.ingest(event);
      versions.push(tracker.snapshot().version);
    }
    expect(JSON.parse(JSON.stringify(tracker.snapshot()))).toEqual(JSON.parse(JSON.stringify(trackRealtime(script.events))));
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('returns the record it made for each frame, and nothing for other events', () => {
    const tracker = new RealtimeTracker();
    const returned = script.events.map((event) => tracker.ingest(event));
    const frames = tracker.snapshot().frames;
    expect(returned.filter((r) => r !== undefined)).toEqual(frames);
    expect(returned.map((r) => r?.seq)).toEqual([undefined, undefined, 3, 4, 5, 6, 7]);
  });

  it('with maxFrames, forgets old frame records but never the channel evidence', () => {
    const long = new EventScript()
      .connecting('c1', V2_URL)
      .sent('c1', ['1', '1', TOPIC, 'phx_join', joinPayload({ access_token: 'first' })])
      .received('c1', ['1', '1', TOPIC, 'phx_reply', err(EXPIRED)]);
    for (let i = 0; i < 500; i++) long.sent('c1', [null, String(i + 10), 'phoenix', 'heartbeat', {}]);
    const session = trackRealtime(long.events, { maxFrames: 100 });
    expect(session.frames.length).toBeGreaterThanOrEqual(100);
    expect(session.frames.length).toBeLessThan(125);
    expect(session.framesForgotten).toBe(502 - session.frames.length);
    expect(session.frames[0].seq).toBe(503 - session.frames.length + 1);
    expect(session.channels[0].attempts[0]).toMatchObject({ accessToken: 'first', status: 'error', reply: { frame: { seq: 3 } } });
  });

  it('ignores events that are not about sockets', () => {
    const tracker = new RealtimeTracker();
    tracker.ingest({ kind: 'lifecycle', change: 'hidden', seq: 1, time: 1, docId: 'd', source: 'page' });
    expect(tracker.snapshot()).toMatchObject({ connections: [], frames: [], version: 0 });
  });

  it('can drop bulk payloads while keeping auth evidence', () => {
    const session = trackRealtime(script.events, { keepBulkPayloads: false });
    const [join, , broadcast, heartbeat] = session.frames;
    expect(broadcast.payloadDropped).toBe(true);
    expect(broadcast.decoded.ok && broadcast.decoded.message.payload).toBeUndefined();
    expect(broadcast.decoded.ok && broadcast.decoded.message.event).toBe('broadcast');
    expect(heartbeat.payloadDropped).toBe(true);
    expect(join.decoded.ok && join.decoded.message.payload).toMatchObject({ access_token: 'a' });
    expect(session.channels[0].tokenPushes[0].value).toBe('b');
  });

  it('drops payloads by the shared classification: ok replies to other pushes are bulk, replies to joins and errors are not', () => {
    const acked = new EventScript()
      .connecting('c1', V2_URL)
      .sent('c1', ['1', '1', TOPIC, 'phx_join', joinPayload({}, true)])
      .received('c1', ['1', '1', TOPIC, 'phx_reply', ok()])
      .sent('c1', ['1', '2', TOPIC, 'broadcast', { type: 'broadcast', event: 'e', payload: {} }])
      .received('c1', ['1', '2', TOPIC, 'phx_reply', ok({})])
      .sent('c1', ['1', '3', TOPIC, 'presence', { type: 'presence', event: 'track', payload: {} }])
      .received('c1', ['1', '3', TOPIC, 'phx_reply', err('Unknown Error on Channel')])
      .received('c1', [null, '4', 'phoenix', 'phx_reply', ok({})]);
    const dropped = trackRealtime(acked.events, { keepBulkPayloads: false }).frames.map((f) => f.payloadDropped === true);
    expect(dropped).toEqual([false, false, true, true, true, false, true]);
  });

  it('stays linear on a flood: 100,000 broadcast frames, one channel, nothing pending', () => {
    const flood = new EventScript().connecting('c1', V2_URL).open('c1').sent('c1', ['1', '1', TOPIC, 'phx_join', joinPayload()]);
    const frame = bytesOf(3, 1, 1, 14, 2, 0, 1, '1', '9', TOPIC, 'ev', '{"n":1}');
    for (let i = 0; i < 100_000; i++) flood.binary('c1', i % 2 ? 'sent' : 'received', frame);
    const session = trackRealtime(flood.events, { keepBulkPayloads: false });
    expect(session.frames).toHaveLength(100_001);
    expect(session.channels[0].frameCount).toBe(100_001);
    expect(session.awaitingReply.map((a) => a.event)).toEqual(['phx_join']);
  });
});
