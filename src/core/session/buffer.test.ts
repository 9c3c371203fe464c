import { describe, expect, it } from 'vitest';
import type { CapturedEventBody } from '../model';
import { peekPhoenix } from '../realtime/framing';
import { EventBuffer, approxEventBytes } from './buffer';

const t = { time: 1_700_000_000_000, source: 'page' as const };

function frame(text: string, dir: 'sent' | 'received' = 'received', conn = 'd:1'): CapturedEventBody {
  return { kind: 'ws-frame', conn, dir, opcode: 'text', text, size: text.length };
}
function binary(bytes: number[], conn = 'd:1'): CapturedEventBody {
  return { kind: 'ws-frame', conn, dir: 'sent', opcode: 'binary', base64: Buffer.from(bytes).toString('base64'), size: bytes.length };
}
const heartbeat = (ref: number) => frame(`[null,"${ref}","phoenix","heartbeat",{}]`, 'sent');
const broadcast = (i: number) => frame(`[null,null,"realtime:room","broadcast",{"event":"e","payload":{"i":${i}}}]`);
const join = (ref: string) => frame(`["${ref}","${ref}","realtime:room","phx_join",{"access_token":"x"}]`, 'sent');
const reply = (ref: string, status: 'ok' | 'error') =>
  frame(`["${ref}","${ref}","realtime:room","phx_reply",{"status":"${status}","response":{}}]`);

describe('EventBuffer', () => {
  it('stamps events with increasing seq, the docId and the frame URL', () => {
    const b = new EventBuffer('doc1', 'https://app.test/');
    const a = b.add(heartbeat(1), t);
    const c = b.add(heartbeat(2), { time: t.time + 1, source: 'page' });
    expect([a.seq, c.seq]).toEqual([1, 2]);
    expect(a.docId).toBe('doc1');
    expect(a.frameUrl).toBe('https://app.test/');
    expect(b.events().map((e) => e.seq)).toEqual([1, 2]);
  });

  it('evicts bulk payloads first and keeps the join that explains a later failure', () => {
    const b = new EventBuffer('d', undefined, { maxEvents: 10 });
    b.add({ kind: 'ws-connecting', conn: 'd:1', url: 'ws://x/realtime/v1/websocket', protocols: [] }, t);
    b.add(join('1'), t);
    b.add(reply('1', 'ok'), t);
    for (let i = 0; i < 100; i++) b.add(i % 2 ? broadcast(i) : heartbeat(i), t);
    b.add(reply('7', 'error'), t);
    const kept = b.events();
    expect(kept).toHaveLength(10);
    expect(kept.map((e) => (e.kind === 'ws-frame' ? peekPhoenix(e.text!)?.event : e.kind)).slice(0, 3)).toEqual([
      'ws-connecting',
      'phx_join',
      'phx_reply',
    ]);
    expect(kept.at(-1)).toMatchObject({ kind: 'ws-frame' });
    expect(peekPhoenix((kept.at(-1) as { text: string }).text)?.statusError).toBe(true);
    // Order stays the capture order after eviction.
    const seqs = kept.map((e) => e.seq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(b.stats().droppedEvents).toBe(104 - 10);
  });

  it('takes ordinary events before pinned ones, and pinned ones only as a last resort (counted)', () => {
    const b = new EventBuffer('d', undefined, { maxEvents: 3 });
    b.add(join('1'), t); // pinned
    b.add(frame('not json at all'), t); // ordinary
    b.add({ kind: 'lifecycle', change: 'hidden' }, t); // pinned
    b.add(frame('{"also":"not phoenix"}'), t); // ordinary -> evicts the first ordinary
    expect(b.events().map((e) => e.seq)).toEqual([1, 3, 4]);
    b.add(join('2'), t); // evicts the remaining ordinary
    b.add(join('3'), t); // only pinned left: the oldest pinned goes
    expect(b.events().map((e) => e.seq)).toEqual([3, 5, 6]);
    expect(b.stats().droppedEvents).toBe(3);
  });

  it('classifies binary broadcasts (kinds 2/3/4) as bulk and binary pushes/replies as ordinary', () => {
    const b = new EventBuffer('d');
    for (const kind of [2, 3, 4]) expect(b.classify(binary([kind, 1, 2, 3]))).toBe('bulk');
    for (const kind of [0, 1]) expect(b.classify(binary([kind, 1, 2, 3]))).toBe('ordinary');
  });

  it('pins the reply to a join even when it is ok, and access_token, system and close frames', () => {
    const b = new EventBuffer('d');
    expect(b.classify(join('5'))).toBe('pinned');
    expect(b.classify(reply('5', 'ok'))).toBe('pinned');
    expect(b.classify(reply('6', 'ok'))).toBe('bulk'); // e.g. a broadcast ack
    expect(b.classify(frame('["5","9","realtime:room","access_token",{"access_token":"t"}]', 'sent'))).toBe('pinned');
    expect(b.classify(frame('["5",null,"realtime:room","system",{"status":"error"}]'))).toBe('pinned');
    expect(b.classify(frame('["5","5","realtime:room","phx_close",{}]'))).toBe('pinned');
    // V1 object frames too (realtime-facts §1.2).
    expect(b.classify(frame('{"event":"phx_reply","payload":{"status":"error","response":{"reason":"x"}},"ref":"3","topic":"realtime:a"}'))).toBe('pinned');
    expect(b.classify(frame('{"event":"presence_diff","payload":{},"ref":null,"topic":"realtime:a"}'))).toBe('bulk');
  });

  it('puts all heartbeat traffic (topic phoenix) in bulk, error replies included', () => {
    const b = new EventBuffer('d');
    expect(b.classify(heartbeat(1))).toBe('bulk');
    expect(b.classify(frame('[null,"1","phoenix","phx_reply",{"status":"ok","response":{}}]'))).toBe('bulk');
    expect(b.classify(frame('[null,"2","phoenix","phx_reply",{"status":"error","response":{}}]'))).toBe('bulk');
    expect(b.classify(frame('{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"3"}', 'sent'))).toBe('bulk');
  });

  it('forgets the joins it saw when cleared: a later ok reply with the same ref is bulk', () => {
    const b = new EventBuffer('d');
    b.add(join('5'), t);
    b.clear();
    expect(b.classify(reply('5', 'ok'))).toBe('bulk');
  });

  it('hands the head it sniffed for the text frame it stored last, and only for that one', () => {
    const b = new EventBuffer('d');
    const first = b.add(reply('1', 'error'), t);
    expect(b.lastStoredHead(first)).toEqual({ topic: 'realtime:room', event: 'phx_reply', ref: '1', statusError: true });
    const junk = b.add(frame('not phoenix'), t);
    expect(b.lastStoredHead(junk)).toBeNull();
    expect(b.lastStoredHead(first)).toBeUndefined(); // no longer the last one
    const bin = b.add(binary([4, 1, 1]), t);
    expect(b.lastStoredHead(bin)).toBeUndefined();
    const hb = b.add(heartbeat(1), t);
    b.add({ kind: 'lifecycle', change: 'hidden' }, t);
    expect(b.lastStoredHead(hb)).toBeUndefined();
    const again = b.add(heartbeat(2), t);
    b.clear();
    expect(b.lastStoredHead(again)).toBeUndefined();
  });

  it('pins auth HTTP calls and their responses, and failed calls; other calls are ordinary', () => {
    const b = new EventBuffer('d');
    expect(b.classify({ kind: 'http-request', req: 'r1', method: 'POST', url: 'https://x.supabase.co/auth/v1/token?grant_type=refresh_token', headers: {}, api: 'fetch' })).toBe('pinned');
    expect(b.classify({ kind: 'http-response', req: 'r1', status: 200 })).toBe('pinned');
    expect(b.classify({ kind: 'http-request', req: 'r2', method: 'GET', url: 'https://x.supabase.co/rest/v1/todos', headers: {}, api: 'fetch' })).toBe('ordinary');
    expect(b.classify({ kind: 'http-response', req: 'r2', status: 200 })).toBe('ordinary');
    expect(b.classify({ kind: 'http-response', req: 'r3', status: 401 })).toBe('pinned');
  });

  it('accounts bytes on add and eviction, and bounds by bytes', () => {
    const b = new EventBuffer('d', undefined, { maxBytes: 2_000 });
    const big = broadcast(1);
    const cost = approxEventBytes(big);
    let added = 0;
    for (let i = 0; i < 50; i++) {
      b.add(broadcast(1), t);
      added += cost;
    }
    const s = b.stats();
    expect(s.bytes).toBeLessThanOrEqual(2_000);
    expect(s.bytes + s.droppedBytes).toBe(added);
    expect(s.events + s.droppedEvents).toBe(50);
    expect(s.bytes).toBe(b.events().reduce((n, e) => n + approxEventBytes(e), 0));
  });

  it('keeps frames over the frame limit as a preview with their full size', () => {
    const b = new EventBuffer('d', undefined, { maxFrameBytes: 1_000, previewBytes: 100 });
    const text = `[null,null,"realtime:room","broadcast",{"x":"${'a'.repeat(5_000)}"}]`;
    const ev = b.add(frame(text), t);
    expect(ev).toMatchObject({ kind: 'ws-frame', truncated: true, size: text.length });
    expect((ev as { text: string }).text).toBe(text.slice(0, 100));
    const bin = b.add(binary(new Array(3_000).fill(4)), t);
    expect(bin).toMatchObject({ truncated: true, size: 3_000 });
    expect(Buffer.from((bin as { base64: string }).base64, 'base64').length).toBeLessThanOrEqual(102);
    expect(b.stats().truncatedFrames).toBe(2);
    // A frame already cut by the hook is counted once.
    b.add({ kind: 'ws-frame', conn: 'd:1', dir: 'received', opcode: 'text', text: 'abc', size: 9_999, truncated: true }, t);
    expect(b.stats().truncatedFrames).toBe(3);
  });

  it('adds drops reported upstream, counts other sockets and rejections, and clears', () => {
    const b = new EventBuffer('d');
    b.add({ kind: 'drops', droppedEvents: 4, droppedBytes: 400, truncatedFrames: 1, reason: 'hook queue full' }, t);
    b.add({ kind: 'other-sockets', count: 2 }, t);
    b.add({ kind: 'rejected', reason: 'bad' }, t);
    b.countRejected(3);
    expect(b.stats()).toMatchObject({ droppedEvents: 4, droppedBytes: 400, truncatedFrames: 1, otherSockets: 2, rejected: 4, events: 3 });
    b.clear();
    expect(b.stats()).toMatchObject({ events: 0, bytes: 0, droppedEvents: 0, rejected: 0 });
    expect(b.add(heartbeat(1), t).seq).toBe(4);
  });

  it('survives a flood far beyond the cap', () => {
    const b = new EventBuffer('d', undefined, { maxEvents: 1_000 });
    b.add(join('1'), t);
    for (let i = 0; i < 30_000; i++) b.add(broadcast(i), t);
    expect(b.stats().events).toBe(1_000);
    expect(b.stats().droppedEvents).toBe(30_001 - 1_000);
    expect(peekPhoenix((b.events()[0] as { text: string }).text)?.event).toBe('phx_join');
  });
});
