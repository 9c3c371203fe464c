// The flood server: HTTP + a minimal WebSocket server on 127.0.0.1 (ephemeral port) serving the
// flood page, and writing Realtime-shaped frames at it as fast as the socket takes them.
//
// Inbound floods are framed ahead of time into one Buffer per size (server frames are unmasked)
// and written with a single socket.write, so the server does no per-frame work while the page is
// timed: what varies between runs is the browser. Outbound floods are counted as they arrive and
// acknowledged with one frame once all are in.
//
// Frames (realtime-facts §1.3, §1.4), 4 of 5 text, 1 of 5 binary:
//   text   V2 broadcast ~300 bytes: [null,null,"realtime:room-K","broadcast",{"type":"broadcast","event":"cursor","payload":{…}}]
//   binary inbound  kind 4 user_broadcast (kind, topic_size, event_size, metadata_size, encoding=1 JSON, topic, event, payload)
//          outbound kind 3 user_broadcast_push, built by the page as realtime-js 2.x does for every broadcast push
// A join is answered `ok` like Realtime; control messages use the topic "bench:ctl".
//
// Error frames on request (the latency probe, latency.ts), in the server's exact words
// (realtime-facts §3.2, §3.3): a join whose topic starts with HELD_JOIN_PREFIX gets no reply until
// sendRealtimeError(topic, 'join-rejected') answers it `phx_reply` error "InvalidJWTToken: Token
// has expired N seconds ago"; sendRealtimeError(topic, 'channel-closed') sends a joined channel the
// `system` error "Token has expired 0 seconds ago" and its `phx_close`. Each returns the Date.now()
// taken just before the write, the start of the latency measured.

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { floodPageHtml } from './flood-page';

export const BINARY_EVERY = 5;
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface FloodServer {
  origin: string;
  /** The page URL; `host` replaces 127.0.0.1 (a mapped *.supabase.co name, say). */
  pageUrl(host?: string): string;
  /**
   * Writes a Realtime error frame to the socket that joined `topic` and returns Date.now() taken
   * just before the write (throws if no socket joined it, or a 'join-rejected' join is not held).
   */
  sendRealtimeError(topic: string, kind: RealtimeErrorKind): number;
  close(): Promise<void>;
}

/** 'join-rejected': the held join's phx_reply error (finding server-join-rejected); 'channel-closed': system error + phx_close (server-channel-closed). */
export type RealtimeErrorKind = 'join-rejected' | 'channel-closed';

/** Joins to topics starting with this get no reply until sendRealtimeError(topic, 'join-rejected'). */
export const HELD_JOIN_PREFIX = 'realtime:held-';
/** realtime-facts §3.2: the reason of a join refused for an expired token (N = 12 here). */
export const JOIN_EXPIRED_REASON = 'InvalidJWTToken: Token has expired 12 seconds ago';
/** realtime-facts §3.3: the system message closing a live channel whose token expired. */
export const CHANNEL_EXPIRED_MESSAGE = 'Token has expired 0 seconds ago';

/** One V2 text broadcast of about 300 bytes (JSON text). */
export function textFrame(i: number): string {
  const room = i % 5;
  const payload = {
    seq: i,
    x: (i * 7) % 1280,
    y: (i * 13) % 800,
    user: `user-${(i % 37).toString().padStart(4, '0')}`,
    color: '#3ecf8e',
    ts: 1_764_000_000_000 + i,
    note: 'lorem ipsum dolor sit amet, consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna',
  };
  return JSON.stringify([null, null, `realtime:room-${room}`, 'broadcast', { type: 'broadcast', event: 'cursor', payload }]);
}

/** One kind-4 user_broadcast as the Realtime server fans it out (JSON payload, no metadata). */
export function kind4Frame(i: number): Buffer {
  const topic = Buffer.from(`realtime:room-${i % 5}`);
  const event = Buffer.from('cursor');
  const payload = Buffer.from(
    JSON.stringify({ seq: i, x: (i * 7) % 1280, y: (i * 13) % 800, user: `user-${(i % 37).toString().padStart(4, '0')}`, color: '#3ecf8e', ts: 1_764_000_000_000 + i, pad: 'x'.repeat(80) }),
  );
  return Buffer.concat([Buffer.from([4, topic.length, event.length, 0, 1]), topic, event, payload]);
}

/** Frame `i` of a flood: every BINARY_EVERY-th is binary. */
export function isBinaryFrame(i: number): boolean {
  return i % BINARY_EVERY === BINARY_EVERY - 1;
}

function wsHeader(opcode: number, length: number): Buffer {
  if (length < 126) return Buffer.from([0x80 | opcode, length]);
  if (length < 65_536) {
    const b = Buffer.alloc(4);
    b[0] = 0x80 | opcode;
    b[1] = 126;
    b.writeUInt16BE(length, 2);
    return b;
  }
  const b = Buffer.alloc(10);
  b[0] = 0x80 | opcode;
  b[1] = 127;
  b.writeBigUInt64BE(BigInt(length), 2);
  return b;
}

function wsFrame(data: string | Buffer): Buffer {
  const binary = typeof data !== 'string';
  const body = binary ? data : Buffer.from(data);
  return Buffer.concat([wsHeader(binary ? 2 : 1, body.length), body]);
}

/** `n` flood frames framed back to back, with their byte count. */
function prebuilt(n: number): { buf: Buffer; textFrames: number; binaryFrames: number; payloadBytes: number } {
  const parts: Buffer[] = [];
  let textFrames = 0;
  let binaryFrames = 0;
  let payloadBytes = 0;
  for (let i = 0; i < n; i++) {
    const data = isBinaryFrame(i) ? kind4Frame(i) : textFrame(i);
    if (typeof data === 'string') textFrames++;
    else binaryFrames++;
    payloadBytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    parts.push(wsFrame(data));
  }
  return { buf: Buffer.concat(parts), textFrames, binaryFrames, payloadBytes };
}

/** Incremental parser of client frames (masked; no extensions negotiated; control frames handled). */
class ClientFrames {
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragOpcode = 0;
  constructor(private readonly onMessage: (binary: boolean, data: Buffer) => void, private readonly onControl: (opcode: number, data: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (let guard = 0; guard < 10_000_000; guard++) {
      if (this.buf.length < 2) return;
      const fin = (this.buf[0] & 0x80) !== 0;
      const opcode = this.buf[0] & 0x0f;
      const masked = (this.buf[1] & 0x80) !== 0;
      let len = this.buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      const maskOff = off;
      if (masked) off += 4;
      if (this.buf.length < off + len) return;
      const data = Buffer.from(this.buf.subarray(off, off + len));
      if (masked) for (let i = 0; i < len; i++) data[i] ^= this.buf[maskOff + (i & 3)];
      this.buf = this.buf.subarray(off + len);
      if (opcode >= 8) this.onControl(opcode, data);
      else if (opcode === 0) {
        this.fragments.push(data);
        if (fin) this.finish(this.fragOpcode, Buffer.concat(this.fragments.splice(0)));
      } else if (!fin) {
        this.fragOpcode = opcode;
        this.fragments = [data];
      } else this.finish(opcode, data);
    }
  }
  private finish(opcode: number, data: Buffer): void {
    this.onMessage(opcode === 2, data);
  }
}

export async function startFloodServer(): Promise<FloodServer> {
  const cache = new Map<number, Buffer>();
  const frames = (n: number) => {
    let b = cache.get(n);
    if (!b) {
      b = prebuilt(n).buf;
      if (cache.size > 8) cache.clear();
      cache.set(n, b);
    }
    return b;
  };
  const sockets = new Set<Socket>();
  /** The last join of each topic: who sent it and its refs (error frames answer it). */
  const joins = new Map<string, { send: (data: string) => void; joinRef: string | null; ref: string | null; held: boolean }>();
  let port = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/flood.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(floodPageHtml());
    } else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    const key = req.headers['sec-websocket-key'];
    if (typeof key !== 'string') {
      socket.destroy();
      return;
    }
    const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
    socket.setNoDelay(true);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    let expectOut = 0;
    let gotOut = 0;
    const send = (data: string | Buffer) => socket.write(wsFrame(data));
    const parser = new ClientFrames(
      (binary, data) => {
        if (expectOut > 0) {
          gotOut++;
          if (gotOut === expectOut) {
            send(JSON.stringify([null, null, 'bench:ctl', 'flood_out_done', { n: gotOut }]));
            expectOut = 0;
          }
          return;
        }
        if (binary) return;
        let msg: unknown;
        try {
          msg = JSON.parse(data.toString('utf8'));
        } catch {
          return;
        }
        if (!Array.isArray(msg) || msg.length !== 5) return;
        const [joinRef, ref, topic, event, payload] = msg as [string | null, string | null, string, string, any];
        if (event === 'phx_join') {
          const held = typeof topic === 'string' && topic.startsWith(HELD_JOIN_PREFIX);
          joins.set(topic, { send: (d) => void send(d), joinRef, ref, held });
          if (!held) send(JSON.stringify([joinRef, ref, topic, 'phx_reply', { status: 'ok', response: { postgres_changes: [] } }]));
        }
        else if (event === 'heartbeat') send(JSON.stringify([null, ref, 'phoenix', 'phx_reply', { status: 'ok', response: {} }]));
        else if (topic === 'bench:ctl' && event === 'flood_in') socket.write(frames(Math.max(0, Math.min(1_000_000, Number(payload?.n) || 0))));
        else if (topic === 'bench:ctl' && event === 'flood_out') {
          // The page starts sending right after this message: no reply, count what follows.
          expectOut = Math.max(0, Math.min(1_000_000, Number(payload?.n) || 0));
          gotOut = 0;
        }
      },
      (opcode, data) => {
        if (opcode === 8) {
          socket.end(Buffer.concat([wsHeader(8, data.length), data]));
        } else if (opcode === 9) socket.write(Buffer.concat([wsHeader(10, data.length), data]));
      },
    );
    socket.on('data', (chunk: Buffer) => parser.push(chunk));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    pageUrl: (host = '127.0.0.1') => `http://${host}:${port}/flood.html`,
    sendRealtimeError(topic, kind) {
      const j = joins.get(topic);
      if (!j) throw new Error(`no socket joined ${topic}`);
      if (kind === 'join-rejected') {
        if (!j.held) throw new Error(`the join of ${topic} was already answered`);
        j.held = false;
        const t = Date.now();
        j.send(JSON.stringify([j.joinRef, j.ref, topic, 'phx_reply', { status: 'error', response: { reason: JOIN_EXPIRED_REASON } }]));
        return t;
      }
      const sub = topic.replace(/^realtime:/, '');
      const t = Date.now();
      j.send(JSON.stringify([j.joinRef, null, topic, 'system', { extension: 'system', status: 'error', message: CHANNEL_EXPIRED_MESSAGE, channel: sub }]));
      j.send(JSON.stringify([j.joinRef, j.joinRef, topic, 'phx_close', {}]));
      return t;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
