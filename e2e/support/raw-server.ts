// A small HTTP + WebSocket server for specs that need full control of every frame a page
// receives (hostile frames, floods, exact frame counts). It serves e2e/pages/*.html (with `{{WS}}`
// replaced by its ws:// origin) and accepts sockets on any path, answering Phoenix V2 joins and
// heartbeats with `ok` like Realtime does; everything else is up to the test, which sends frames
// through `socket.send` and reads what the page sent in `socket.received`.
// 127.0.0.1 only, ephemeral port. The faithful Realtime stand-in is e2e/server; this one is a tool.

import { expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { REPO_ROOT } from './launch';

export const PAGES_DIR = join(REPO_ROOT, 'e2e/pages');

export interface RawFrame {
  binary: boolean;
  data: Buffer;
}

export interface RawSocket {
  path: string;
  ws: WebSocket;
  /** Frames the page sent, in order. */
  received: RawFrame[];
  /** Frames this server sent, in order (automatic replies included). */
  sent: RawFrame[];
  send(data: string | Buffer, binary?: boolean): Promise<void>;
}

export interface RawServer {
  origin: string;
  wsOrigin: string;
  sockets: RawSocket[];
  /** Resolves with the next socket whose path starts with `prefix` (or one already open and not yet taken). */
  nextSocket(prefix?: string, timeoutMs?: number): Promise<RawSocket>;
  close(): Promise<void>;
}

export async function startRawServer(): Promise<RawServer> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  const sockets: RawSocket[] = [];
  const taken = new Set<RawSocket>();
  const waiters: Array<{ prefix: string; resolve: (s: RawSocket) => void }> = [];
  let wsOrigin = '';

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const name = url.pathname.replace(/^\/+/, '');
    if (!/^[\w-]+\.html$/.test(name)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    let html: string;
    try {
      html = readFileSync(join(PAGES_DIR, name), 'utf8');
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no page ${name} in e2e/pages`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html.replaceAll('{{WS}}', wsOrigin));
  });

  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const raw: RawSocket = {
        path,
        ws,
        received: [],
        sent: [],
        send: (data, binary = typeof data !== 'string') =>
          new Promise<void>((resolve, reject) => {
            raw.sent.push({ binary, data: typeof data === 'string' ? Buffer.from(data) : data });
            ws.send(data, { binary }, (err) => (err ? reject(err) : resolve()));
          }),
      };
      sockets.push(raw);
      ws.on('message', (data, isBinary) => {
        const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
        raw.received.push({ binary: isBinary, data: buf });
        if (!isBinary) autoReply(raw, buf.toString('utf8'));
      });
      const i = waiters.findIndex((w) => path.startsWith(w.prefix));
      if (i >= 0) {
        taken.add(raw);
        waiters.splice(i, 1)[0].resolve(raw);
      }
    });
  });

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  wsOrigin = `ws://127.0.0.1:${port}`;
  return {
    origin: `http://127.0.0.1:${port}`,
    wsOrigin,
    sockets,
    nextSocket(prefix = '/', timeoutMs = 15_000) {
      const ready = sockets.find((s) => !taken.has(s) && s.path.startsWith(prefix));
      if (ready) {
        taken.add(ready);
        return Promise.resolve(ready);
      }
      return new Promise<RawSocket>((resolve, reject) => {
        const w = { prefix, resolve: (s: RawSocket) => (clearTimeout(t), resolve(s)) };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no socket on ${prefix} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    close: async () => {
      for (const s of sockets) s.ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Phoenix V2: `ok` replies to joins and heartbeats, as Realtime gives them (realtime-facts §2.2, §2.4). */
function autoReply(raw: RawSocket, text: string): void {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return;
  }
  if (!Array.isArray(msg) || msg.length !== 5) return;
  const [joinRef, ref, topic, event] = msg as [string | null, string | null, string, string];
  if (event === 'phx_join') void raw.send(JSON.stringify([joinRef, ref, topic, 'phx_reply', { status: 'ok', response: { postgres_changes: [] } }]));
  else if (event === 'heartbeat') void raw.send(JSON.stringify([null, ref, 'phoenix', 'phx_reply', { status: 'ok', response: {} }]));
}

/** A V2 broadcast frame as the server pushes it (JSON text). */
/** Opens raw-socket.html in `page` and waits until the page saw its join answered (phx_reply); the socket it opened. */
export async function openRawSocketPage(page: Page, server: RawServer): Promise<RawSocket> {
  const socketP = server.nextSocket('/realtime/v1/websocket');
  await page.goto(`${server.origin}/raw-socket.html`);
  const socket = await socketP;
  await expect.poll(() => page.evaluate(() => window.__received.events)).toEqual(['phx_reply']);
  return socket;
}

export function v2Broadcast(topic: string, event: string, payload: unknown): string {
  return JSON.stringify([null, null, topic, 'broadcast', { type: 'broadcast', event, payload }]);
}
