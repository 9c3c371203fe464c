// Test support for the panel's unit tests: captured events stamped as the content store would
// stamp them, for one document. Imported by *.test.ts only.

import type { CapturedEvent, CapturedEventBody } from '../model';
import type { StoreStats } from '../../messages';

export const EMPTY_STATS: StoreStats = { events: 0, bytes: 0, droppedEvents: 0, droppedBytes: 0, truncatedFrames: 0, otherSockets: 0, rejected: 0 };
export const URL_V2 = 'wss://abcdefghijklmnopqrst.supabase.co/realtime/v1/websocket?apikey=sb_publishable_0123456789abcdef&vsn=2.0.0';

export class TestDoc {
  seq = 0;
  time = 1_700_000_000_000;
  constructor(readonly docId: string) {}
  ev(body: CapturedEventBody): CapturedEvent {
    this.seq++;
    this.time += 10;
    return { ...body, seq: this.seq, time: this.time, docId: this.docId, source: 'page' } as CapturedEvent;
  }
  /** A V2 text frame on this document's socket number `conn`. */
  text(dir: 'sent' | 'received', frame: unknown[], conn = 1): CapturedEvent {
    const text = JSON.stringify(frame);
    return this.ev({ kind: 'ws-frame', conn: `${this.docId}:${conn}`, dir, opcode: 'text', text, size: text.length });
  }
}
