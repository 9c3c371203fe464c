// Helpers for the server's own tests: raw sockets that expose exact frames and HTTP statuses, and
// real supabase-js clients (Node 20 has no global WebSocket: the `ws` transport is passed in).
import { request } from 'node:http';
import WebSocket from 'ws';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import type { TestServer } from './index.js';

export type Refused = { kind: 'refused'; status: number; body: string; headers: Record<string, string | string[] | undefined> };
export type Opened = { kind: 'open'; socket: RawSocket };

/** Open a raw socket; resolves with the refusal (status + body) or an open RawSocket. */
export function rawConnect(url: string, headers: Record<string, string> = {}): Promise<Refused | Opened> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ kind: 'refused', status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    ws.on('open', () => resolve({ kind: 'open', socket: new RawSocket(ws) }));
    ws.on('error', (e) => reject(e));
  });
}

export function wsUrl(server: TestServer, apikey: string | undefined, vsn: '1.0.0' | '2.0.0' = '2.0.0', base = server.url): string {
  const u = new URL('/realtime/v1/websocket', base.replace(/^http/, 'ws'));
  if (apikey !== undefined) u.searchParams.set('apikey', apikey);
  u.searchParams.set('vsn', vsn);
  return u.toString();
}

export interface Frame {
  binary: boolean;
  text?: string;
  data?: Buffer;
  /** Parsed JSON for text frames. */
  json?: unknown;
}

/** A raw ws client that records every frame it receives. */
export class RawSocket {
  readonly frames: Frame[] = [];
  closeCode: number | undefined;
  private waiters: Array<() => void> = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const buf = data as Buffer;
      const f: Frame = isBinary ? { binary: true, data: buf } : { binary: false, text: buf.toString('utf8'), json: JSON.parse(buf.toString('utf8')) };
      this.frames.push(f);
      this.wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }
  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  send(v: unknown): void {
    this.ws.send(typeof v === 'string' || Buffer.isBuffer(v) ? v : JSON.stringify(v));
  }
  /** Wait for a frame (from index `from`) that matches. */
  async next(match: (f: Frame) => boolean, timeoutMs = 5000, from = 0): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.frames.slice(from).find(match);
      if (f) return f;
      if (Date.now() > deadline) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((x) => x.text ?? `<binary ${x.data?.length}>`))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
  async closed(timeoutMs = 5000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === undefined) {
      if (Date.now() > deadline) throw new Error('socket did not close');
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.closeCode;
  }
  close(): void {
    this.ws.terminate();
  }
}

/** V2 text frame matcher: [join_ref, ref, topic, event, payload]. */
export const v2 = (event: string, ref?: string) => (f: Frame) =>
  Array.isArray(f.json) && f.json[3] === event && (ref === undefined || f.json[1] === ref);
/** V1 object frame matcher. */
export const v1 = (event: string, ref?: string) => (f: Frame) => {
  const o = f.json as Record<string, unknown> | undefined;
  return !!o && !Array.isArray(o) && o.event === event && (ref === undefined || o.ref === ref);
};

export interface ClientOptions {
  vsn?: '1.0.0' | '2.0.0';
  /** Third-party-auth style token callback (makes supabase-js send this token on every join). */
  accessToken?: () => Promise<string | null>;
  url?: string;
}

export function client(server: TestServer, key: string, opts: ClientOptions = {}): SupabaseClient {
  return createClient(opts.url ?? server.url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket, vsn: opts.vsn, heartbeatIntervalMs: 25_000 } as never,
    ...(opts.accessToken ? { accessToken: opts.accessToken } : {}),
  });
}

export interface StatusEvent {
  status: string;
  message: string | undefined;
  at: number;
}

/** Subscribe and record every status callback (with err.message). */
export function recordStatuses(ch: RealtimeChannel): StatusEvent[] {
  const events: StatusEvent[] = [];
  ch.subscribe((status, err) => events.push({ status, message: err?.message, at: Date.now() }));
  return events;
}

export async function waitFor<T>(fn: () => T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const nowSec = (server: TestServer): number => Math.floor(server.now() / 1000);

/** node:http request (fetch cannot set a Host header): for tests that pick a project by Host. */
export function httpRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
