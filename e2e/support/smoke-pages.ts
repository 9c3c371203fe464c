// A tiny local HTTP + WebSocket server for the capture smoke spec (127.0.0.1, ephemeral port).
// It speaks just enough Phoenix V2 to answer a join and echo frames; the faithful Realtime server
// is e2e/server. It also refuses one upgrade path with HTTP 401, to see what the browser reports.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export interface SmokeServer {
  origin: string;
  wsOrigin: string;
  close(): Promise<void>;
}

/** Pages are HTML strings keyed by path; `{{WS}}` is replaced by the ws:// origin. */
export async function startSmokeServer(pages: Record<string, string>): Promise<SmokeServer> {
  const wss = new WebSocketServer({ noServer: true });
  // Realtime's server (Cowboy/Bandit) sends Date on the 101; `ws` does not unless asked.
  wss.on('headers', (headers) => headers.push(`Date: ${new Date().toUTCString()}`));
  const sockets = new Set<WebSocket>();
  let origin = '';
  let wsOrigin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/auth/v1/token') {
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(JSON.stringify({ access_token: 'header.payload.sig', token_type: 'bearer', expires_in: 3600, expires_at: 1_900_000_000, refresh_token: 'NEVER-CAPTURE-ME', user: { email: 'a@b.c' } }));
      return;
    }
    if (url.pathname.startsWith('/auth/v1/')) {
      res.writeHead(400, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(JSON.stringify({ code: 400, error_code: 'refresh_token_already_used', msg: 'Invalid Refresh Token: Already Used' }));
      return;
    }
    if (url.pathname.startsWith('/rest/v1/')) {
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end('[]');
      return;
    }
    const page = pages[url.pathname];
    if (page === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page.replaceAll('{{WS}}', wsOrigin));
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', origin).pathname;
    if (path.startsWith('/refuse/')) {
      // What Realtime answers an expired apikey with (realtime-facts §3.1), body included.
      const body = JSON.stringify({ message: 'JwtSignatureError: Token has expired' });
      socket.end(`HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data, isBinary) => onMessage(ws, path, data as Buffer, isBinary));
    });
  });

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  wsOrigin = `ws://127.0.0.1:${port}`;
  return {
    origin,
    wsOrigin,
    close: async () => {
      for (const s of sockets) s.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function onMessage(ws: WebSocket, path: string, data: Buffer, isBinary: boolean): void {
  if (isBinary) {
    if (data[0] === 3) ws.send(kind4FromKind3(data), { binary: true });
    else ws.send(data, { binary: true });
    return;
  }
  const text = data.toString('utf8');
  if (text === 'close-me') return ws.close(4001, 'closed by server');
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return void ws.send(`echo:${text}`);
  }
  if (Array.isArray(msg) && msg.length === 5) {
    const [joinRef, ref, topic, event] = msg as [string | null, string | null, string, string];
    if (event === 'phx_join' || event === 'heartbeat') ws.send(JSON.stringify([joinRef, ref, topic, 'phx_reply', { status: 'ok', response: {} }]));
    if (event === 'deny') ws.send(JSON.stringify([joinRef, ref, topic, 'phx_reply', { status: 'error', response: { reason: 'Unauthorized: the token is not allowed' } }]));
    return;
  }
  ws.send(text);
  void path;
}

/** Kind 3 (user_broadcast_push) → kind 4 (user_broadcast), realtime-facts §1.4. */
function kind4FromKind3(b: Buffer): Buffer {
  const [, joinRefSize, refSize, topicSize, eventSize, metaSize, encoding] = b;
  let o = 7 + joinRefSize + refSize;
  const topic = b.subarray(o, (o += topicSize));
  const event = b.subarray(o, (o += eventSize));
  const meta = b.subarray(o, (o += metaSize));
  const payload = b.subarray(o);
  return Buffer.concat([Buffer.from([4, topicSize, eventSize, metaSize, encoding]), topic, event, meta, payload]);
}
