// Test helpers (imported only by *.test.ts): hand-built frames and captured-event sequences.

import type { CapturedEvent, FrameDirection } from '../model';
import { bytesToBase64 } from './bytes';

/** Concatenates bytes (numbers) and UTF-8 strings into one byte array, exactly as written. */
export function bytesOf(...parts: Array<number | string | Uint8Array>): Uint8Array {
  const chunks: number[] = [];
  const encoder = new TextEncoder();
  for (const part of parts) {
    if (typeof part === 'number') chunks.push(part);
    else if (typeof part === 'string') chunks.push(...encoder.encode(part));
    else chunks.push(...part);
  }
  return Uint8Array.from(chunks);
}

export function base64Of(...parts: Array<number | string | Uint8Array>): string {
  return bytesToBase64(bytesOf(...parts));
}

/** Builds a stream of captured events with increasing seq and time (1 s apart unless told). */
export class EventScript {
  readonly events: CapturedEvent[] = [];
  private seq = 0;
  time = 1_700_000_000_000;

  private stamp() {
    this.seq += 1;
    return { seq: this.seq, time: this.time, docId: 'doc1', source: 'page' as const };
  }

  after(ms: number): this {
    this.time += ms;
    return this;
  }

  connecting(conn: string, url: string): this {
    this.events.push({ ...this.stamp(), kind: 'ws-connecting', conn, url, protocols: [] });
    return this;
  }

  open(conn: string): this {
    this.events.push({ ...this.stamp(), kind: 'ws-open', conn, protocol: '', extensions: '' });
    return this;
  }

  /** A text frame; arrays and objects are JSON-encoded as the client/server would. */
  text(conn: string, dir: FrameDirection, frame: unknown, truncated = false): this {
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    this.events.push({ ...this.stamp(), kind: 'ws-frame', conn, dir, opcode: 'text', text, size: text.length, truncated });
    return this;
  }

  sent(conn: string, frame: unknown): this {
    return this.text(conn, 'sent', frame);
  }

  received(conn: string, frame: unknown): this {
    return this.text(conn, 'received', frame);
  }

  binary(conn: string, dir: FrameDirection, bytes: Uint8Array): this {
    this.events.push({
      ...this.stamp(),
      kind: 'ws-frame',
      conn,
      dir,
      opcode: 'binary',
      base64: bytesToBase64(bytes),
      size: bytes.length,
    });
    return this;
  }

  close(conn: string, code: number, reason = '', wasClean = code === 1000): this {
    this.events.push({ ...this.stamp(), kind: 'ws-close', conn, code, reason, wasClean });
    return this;
  }

  error(conn: string): this {
    this.events.push({ ...this.stamp(), kind: 'ws-error', conn });
    return this;
  }

  net(url: string, result: { status?: number; error?: string }): this {
    this.events.push({
      ...this.stamp(),
      source: 'network',
      kind: 'net',
      url,
      resourceType: 'websocket',
      method: 'GET',
      ...result,
    });
    return this;
  }
}

export const V2_URL = 'ws://127.0.0.1:54321/realtime/v1/websocket?apikey=sb_publishable_abc&vsn=2.0.0';
export const V1_URL = 'ws://127.0.0.1:54321/realtime/v1/websocket?apikey=eyJhbGciOiJIUzI1NiJ9.e30.sig&vsn=1.0.0';
