// The decoder and tracker against frames produced by the REAL realtime-js 2.119 client (vsn 2.0.0),
// recorded on the wire by a minimal Phoenix-speaking server: joins (one refused once, then retried
// by realtime-js with a new join_ref), a binary kind-3 broadcast fanned back out as kind 4,
// heartbeats, an access_token push from setAuth, and a leave.

import { afterEach, describe, expect, it } from 'vitest';
import { RealtimeClient, type RealtimeChannel } from '@supabase/realtime-js';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { CapturedEvent, CapturedEventBody } from '../model';
import { trackRealtime } from './tracker';
import { bytesOf } from './test-frames';

const EXPIRED = 'InvalidJWTToken: Token has expired 12 seconds ago';

/** Records the wire from the client's point of view: what the server receives was "sent". */
class WireRecorder {
  readonly events: CapturedEvent[] = [];
  private seq = 0;
  record(body: CapturedEventBody): void {
    this.seq += 1;
    this.events.push({ ...body, seq: this.seq, time: Date.now(), docId: 'doc', source: 'page' } as CapturedEvent);
  }
  frame(dir: 'sent' | 'received', data: RawData | string, isBinary: boolean): void {
    const buffer = typeof data === 'string' ? Buffer.from(data) : Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
    this.record(
      isBinary
        ? { kind: 'ws-frame', conn: 'c1', dir, opcode: 'binary', base64: buffer.toString('base64'), size: buffer.length }
        : { kind: 'ws-frame', conn: 'c1', dir, opcode: 'text', text: buffer.toString('utf8'), size: buffer.length },
    );
  }
}

/** Just enough of the Realtime server (realtime-facts §1.3, §1.4, §3.2) for the client to run. */
function startServer(recorder: WireRecorder): Promise<{ server: WebSocketServer; port: number }> {
  const joinsOnDenied = { count: 0 };
  return new Promise((resolve) => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
    server.on('connection', (socket, request) => {
      const port = (server.address() as { port: number }).port;
      recorder.record({ kind: 'ws-connecting', conn: 'c1', url: `ws://127.0.0.1:${port}${request.url}`, protocols: [] });
      recorder.record({ kind: 'ws-open', conn: 'c1', protocol: '', extensions: '' });
      const send = (data: string | Uint8Array) => {
        recorder.frame('received', typeof data === 'string' ? data : Buffer.from(data), typeof data !== 'string');
        socket.send(data);
      };
      socket.on('message', (data, isBinary) => {
        recorder.frame('sent', data, isBinary);
        const buffer = data as Buffer;
        if (isBinary) {
          // Kind 3 (C->S): kind, join_ref, ref, topic, user_event, metadata sizes, encoding, fields, payload.
          if (buffer[0] !== 3) return;
          const [, joinRefSize, refSize, topicSize, eventSize, metaSize, encoding] = buffer;
          let offset = 7 + joinRefSize + refSize;
          const topic = buffer.subarray(offset, (offset += topicSize)).toString();
          const userEvent = buffer.subarray(offset, (offset += eventSize)).toString();
          offset += metaSize;
          // Fan-out as kind 4 (S->C): kind, topic_size, user_event_size, metadata_size, encoding, ...
          send(bytesOf(4, topicSize, eventSize, 0, encoding, topic, userEvent, buffer.subarray(offset)));
          return;
        }
        // V1 objects (the server never echoes join_ref, §1.2) or V2 arrays (§1.3).
        const text = buffer.toString();
        const v1 = text.trimStart().startsWith('{');
        const parsed = JSON.parse(text);
        const [joinRef, ref, topic, event, payload] = (v1
          ? [parsed.join_ref, parsed.ref, parsed.topic, parsed.event, parsed.payload]
          : parsed) as [string | null, string | null, string, string, unknown];
        const encode = (jr: string | null, r: string | null, t: string, e: string, p: unknown) =>
          v1 ? JSON.stringify({ topic: t, event: e, payload: p, ref: r }) : JSON.stringify([jr, r, t, e, p]);
        const reply = (status: string, response: unknown) => send(encode(joinRef, ref, topic, 'phx_reply', { status, response }));
        if (event === 'heartbeat') reply('ok', {});
        else if (event === 'phx_join' && topic === 'realtime:denied' && joinsOnDenied.count++ === 0) reply('error', { reason: EXPIRED });
        else if (event === 'phx_join') reply('ok', { postgres_changes: [] });
        else if (event === 'phx_leave') {
          reply('ok', {});
          send(encode(joinRef, joinRef, topic, 'phx_close', {}));
        } else if (event === 'broadcast') send(encode(null, null, topic, 'broadcast', payload));
        // access_token: no reply on success (§2.3).
      });
      socket.on('close', (code, reason) => {
        recorder.record({ kind: 'ws-close', conn: 'c1', code, reason: reason.toString(), wasClean: true });
      });
    });
  });
}

function subscribed(channel: RealtimeChannel, statuses: string[]): Promise<void> {
  return new Promise((resolve) => {
    channel.subscribe((status) => {
      statuses.push(status);
      if (status === 'SUBSCRIBED') resolve();
    });
  });
}

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

describe('frames from the real realtime-js client', () => {
  it.each(['2.0.0', '1.0.0'])('vsn %s: join, refused join retried, broadcasts both ways, heartbeats, access_token, leave', async (vsn) => {
    const recorder = new WireRecorder();
    const { server, port } = await startServer(recorder);
    cleanup.push(() => new Promise((r) => server.close(r)));
    const client = new RealtimeClient(`ws://127.0.0.1:${port}/realtime/v1`, {
      params: { apikey: 'sb_publishable_test' },
      transport: WebSocket as never,
      heartbeatIntervalMs: 150,
      vsn,
    });
    cleanup.push(() => client.disconnect());

    const room = client.channel('room1');
    const received = new Promise<unknown>((resolve) => room.on('broadcast', { event: 'cursor' }, (message) => resolve(message.payload)));
    const roomStatuses: string[] = [];
    await subscribed(room, roomStatuses);
    const deniedStatuses: string[] = [];
    const denied = client.channel('denied');
    await subscribed(denied, deniedStatuses); // first join refused, realtime-js rejoins after ~1 s

    await room.send({ type: 'broadcast', event: 'cursor', payload: { x: 1 } });
    expect(await received).toEqual({ x: 1 });
    await client.setAuth('eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYXV0aGVudGljYXRlZCJ9.c2ln');
    await new Promise((r) => setTimeout(r, 400)); // let a couple of heartbeats through
    await client.removeChannel(room);
    await client.disconnect();
    await new Promise((r) => setTimeout(r, 100));

    // A third CHANNEL_ERROR may follow: realtime-js reports the socket closing under the channel (§7).
    expect(deniedStatuses.slice(0, 2)).toEqual(['CHANNEL_ERROR', 'SUBSCRIBED']);
    const session = trackRealtime(recorder.events);

    expect(session.undecodable).toBe(0);
    expect(session.frames.every((f) => f.decoded.ok && !f.decoded.notes)).toBe(true);
    expect(session.connections).toHaveLength(1);
    expect(session.connections[0]).toMatchObject({ vsn, apikey: 'sb_publishable_test', refused: false });
    expect(session.connections[0].heartbeatsAnswered).toBeGreaterThanOrEqual(1);

    const roomRecord = session.channels.find((c) => c.key.topic === 'realtime:room1');
    const deniedRecord = session.channels.find((c) => c.key.topic === 'realtime:denied');
    expect(session.channels).toHaveLength(2);
    expect(roomRecord?.phase).toBe('closed');
    expect(roomRecord?.attempts.map((a) => a.status)).toEqual(['ok']);
    expect(roomRecord?.tokenPushes.map((p) => p.value)).toEqual(['eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYXV0aGVudGljYXRlZCJ9.c2ln']);
    expect(roomRecord?.leftBy).toBeDefined();
    expect(roomRecord?.closedBy).toBeDefined();

    // The retry is the same instance, with a new join_ref (Phoenix JS resends the join push).
    expect(deniedRecord?.attempts.map((a) => [a.status, a.reply?.status])).toEqual([
      ['error', 'error'],
      ['ok', 'ok'],
    ]);
    expect(deniedRecord?.attempts[0].joinRef).not.toBe(deniedRecord?.attempts[1].joinRef);
    expect(deniedRecord?.attempts[0].reply?.response).toEqual({ reason: EXPIRED });
    expect(deniedRecord?.phase).toBe('errored'); // the socket closed under a joined channel

    const [push, fanout] = session.frames.filter((f) => f.decoded.ok && f.decoded.message.event === 'broadcast');
    expect(push.dir).toBe('sent');
    expect(fanout.dir).toBe('received');
    for (const frame of [push, fanout]) {
      expect(frame.decoded).toMatchObject({ message: { topic: 'realtime:room1', payload: { type: 'broadcast', event: 'cursor', payload: { x: 1 } } } });
      expect(frame.channel).toBe(roomRecord?.key);
    }
    expect(push.replyPolicy).toBe('never');
    if (vsn === '2.0.0') {
      // channel.send() goes out as binary kind 3; the fan-out comes back as kind 4 (§1.4).
      expect(push.decoded).toMatchObject({ format: 'v2-binary', binaryKind: 3, userEvent: 'cursor' });
      expect(fanout.decoded).toMatchObject({ format: 'v2-binary', binaryKind: 4, userEvent: 'cursor', message: { joinRef: null } });
    } else {
      expect(push.decoded).toMatchObject({ format: 'v1-json' });
      // The V1 server never sends join_ref: replies were paired by ref alone.
      const replies = session.frames.filter((f) => f.decoded.ok && f.decoded.message.event === 'phx_reply');
      expect(replies.every((f) => f.decoded.ok && f.decoded.message.joinRef === null && f.replyTo !== undefined)).toBe(true);
    }
    expect(session.awaitingReply).toEqual([]);
  });
});
