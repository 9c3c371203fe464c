import { describe, expect, it } from 'vitest';
import { PAGE_LIMITS, PROTOCOL_VERSION } from '../messages';
import { bytesToBase64 } from '../core/realtime/bytes';
import { validatePageBatch, validatePageEvent } from './validate';

const time = 1_700_000_000_000;
const batch = (events: unknown[]) => ({ v: PROTOCOL_VERSION, type: 'batch', events });

describe('validatePageBatch', () => {
  it('accepts well-formed events and prefixes connection and request ids with the document id', () => {
    const { accepted, rejected } = validatePageBatch(
      batch([
        { kind: 'ws-connecting', conn: '1', url: 'wss://x.supabase.co/realtime/v1/websocket?vsn=2.0.0', protocols: [], time },
        { kind: 'ws-frame', conn: '1', dir: 'sent', opcode: 'text', text: '["1","1","t","phx_join",{}]', size: 27, time },
        { kind: 'http-request', req: '4', method: 'post', url: 'https://x.supabase.co/auth/v1/token', headers: { apikey: 'k' }, api: 'fetch', time },
      ]),
      'doc9',
    );
    expect(rejected).toEqual([]);
    expect(accepted.map((a) => a.body)).toEqual([
      { kind: 'ws-connecting', conn: 'doc9:1', url: 'wss://x.supabase.co/realtime/v1/websocket?vsn=2.0.0', protocols: [] },
      { kind: 'ws-frame', conn: 'doc9:1', dir: 'sent', opcode: 'text', text: '["1","1","t","phx_join",{}]', size: 27 },
      { kind: 'http-request', req: 'doc9:4', method: 'POST', url: 'https://x.supabase.co/auth/v1/token', headers: { apikey: 'k' }, api: 'fetch' },
    ]);
    expect(accepted[0].time).toBe(time);
  });

  it('computes the UTF-8 size of text frames itself', () => {
    const { accepted } = validatePageBatch(batch([{ kind: 'ws-frame', conn: '1', dir: 'received', opcode: 'text', text: 'é€😀', size: 1, time }]), 'd');
    expect(accepted[0].body).toMatchObject({ size: 2 + 3 + 4 });
  });

  it('turns binary frames into base64 and cuts oversized ones to a preview with the full size', () => {
    const small = new Uint8Array([4, 1, 2, 255]).buffer;
    const huge = new Uint8Array(PAGE_LIMITS.maxFrameBytes + 10).fill(3).buffer;
    const { accepted } = validatePageBatch(
      batch([
        { kind: 'ws-frame', conn: '1', dir: 'received', opcode: 'binary', bytes: small, size: 4, time },
        { kind: 'ws-frame', conn: '1', dir: 'sent', opcode: 'binary', bytes: huge, size: PAGE_LIMITS.maxFrameBytes + 10, time },
      ]),
      'd',
    );
    expect(accepted[0].body).toEqual({ kind: 'ws-frame', conn: 'd:1', dir: 'received', opcode: 'binary', base64: Buffer.from([4, 1, 2, 255]).toString('base64'), size: 4 });
    const cut = accepted[1].body as { base64: string; size: number; truncated: boolean };
    expect(cut.truncated).toBe(true);
    expect(cut.size).toBe(PAGE_LIMITS.maxFrameBytes + 10);
    expect(Buffer.from(cut.base64, 'base64').length).toBe(PAGE_LIMITS.framePreviewBytes);
  });

  it('rejects what the page may not claim, with a reason: network observations, rejections, unknown kinds', () => {
    const { accepted, rejected } = validatePageBatch(
      batch([
        { kind: 'net', url: 'x', resourceType: 'websocket', method: 'GET', status: 101, time },
        { kind: 'rejected', reason: 'x', time },
        { kind: 'reload-tab', time },
      ]),
      'd',
    );
    expect(accepted).toEqual([]);
    expect(rejected).toEqual([
      'event kind "net" is not accepted from the page',
      'event kind "rejected" is not accepted from the page',
      'event kind "reload-tab" is not accepted from the page',
    ]);
  });

  it('rejects malformed fields one event at a time and keeps the good ones', () => {
    const { accepted, rejected } = validatePageBatch(
      batch([
        { kind: 'ws-frame', conn: '1', dir: 'sideways', opcode: 'text', text: 'a', size: 1, time },
        { kind: 'ws-frame', conn: '1', dir: 'sent', opcode: 'binary', bytes: 'AAAA', size: 3, time },
        { kind: 'ws-close', conn: '1', code: 1000.5, reason: '', wasClean: true, time },
        { kind: 'ws-open', conn: '../../other-doc:1', protocol: '', extensions: '', time },
        { kind: 'http-request', req: '1', method: 'GET', url: 'https://x/rest/v1/t', headers: { apikey: 'k' }, api: 'network', time },
        { kind: 'lifecycle', change: 'hidden', time: 'yesterday' },
        null,
        { kind: 'lifecycle', change: 'hidden', time },
      ]),
      'd',
    );
    expect(accepted.map((a) => a.body)).toEqual([{ kind: 'lifecycle', change: 'hidden' }]);
    expect(rejected).toEqual([
      'ws-frame: dir is not sent|received',
      'ws-frame: binary frame without bytes',
      'ws-close: code is not an integer in 0..65535',
      'ws-open: conn has unexpected characters',
      'http-request: api is not fetch|xhr',
      'lifecycle: time is not a timestamp',
      'event is not an object',
    ]);
  });

  it('never keeps more of a token response than the grant fields, nor unknown fields of any event', () => {
    const { accepted } = validatePageBatch(
      batch([
        { kind: 'http-response', req: '1', status: 200, grant: { access_token: 'a.b.c', expires_at: 5, refresh_token: 'r' }, date: 'forged', extra: 1, time },
      ]),
      'd',
    );
    expect(accepted[0].body).toEqual({ kind: 'http-response', req: 'd:1', status: 200, grant: { access_token: 'a.b.c', expires_at: 5 } });
  });

  it('caps error bodies and close reasons instead of rejecting them', () => {
    const { accepted } = validatePageBatch(
      batch([
        { kind: 'http-response', req: '1', status: 400, errorBody: 'e'.repeat(10_000), time },
        { kind: 'ws-close', conn: '1', code: 1006, reason: 'r'.repeat(5_000), wasClean: false, time },
      ]),
      'd',
    );
    expect((accepted[0].body as { errorBody: string }).errorBody).toHaveLength(PAGE_LIMITS.maxErrorBody);
    expect((accepted[1].body as { reason: string }).reason).toHaveLength(PAGE_LIMITS.maxReasonLength);
  });

  it('rejects whole messages that are not batches of this protocol version, and cuts overlong batches', () => {
    expect(validatePageBatch('hello', 'd').rejected).toEqual(['page message is not an object']);
    expect(validatePageBatch({ v: 99, type: 'batch', events: [] }, 'd').rejected[0]).toMatch(/protocol version 99/);
    expect(validatePageBatch({ v: PROTOCOL_VERSION, type: 'reload', events: [] }, 'd').rejected).toEqual(['page message: unknown message type "reload"']);
    expect(validatePageBatch({ v: PROTOCOL_VERSION, type: 'batch', events: 'x' }, 'd').rejected).toEqual(['page message: batch: events is not an array']);
    const many = Array.from({ length: PAGE_LIMITS.maxEventsPerBatch + 3 }, () => ({ kind: 'lifecycle', change: 'online', time }));
    const r = validatePageBatch(batch(many), 'd');
    expect(r.accepted).toHaveLength(PAGE_LIMITS.maxEventsPerBatch);
    expect(r.excess).toBe(3);
    expect(r.rejected).toEqual([`batch of ${PAGE_LIMITS.maxEventsPerBatch + 3} events is longer than ${PAGE_LIMITS.maxEventsPerBatch}: 3 rejected unread`]);
  });

  it('cuts a URL longer than the cap and flags it with its full length, instead of dropping the event', () => {
    const long = `wss://x.supabase.co/realtime/v1/websocket?apikey=sb_publishable_x&vsn=2.0.0&pad=${'p'.repeat(20_000)}`;
    const { accepted, rejected } = validatePageBatch(
      batch([
        { kind: 'ws-connecting', conn: '1', url: long, protocols: [], time },
        { kind: 'http-request', req: '1', method: 'GET', url: `https://x.supabase.co/rest/v1/t?select=${'c'.repeat(9_000)}`, headers: {}, api: 'fetch', time },
        { kind: 'ws-connecting', conn: '2', url: 'wss://x.supabase.co/realtime/v1/websocket', protocols: [], time },
      ]),
      'd',
    );
    expect(rejected).toEqual([]);
    expect(accepted[0].body).toMatchObject({ url: long.slice(0, PAGE_LIMITS.maxUrlLength), urlLength: long.length });
    expect((accepted[1].body as { url: string; urlLength: number }).url).toHaveLength(PAGE_LIMITS.maxUrlLength);
    expect((accepted[1].body as { urlLength: number }).urlLength).toBe(9_000 + 'https://x.supabase.co/rest/v1/t?select='.length);
    expect(accepted[2].body).not.toHaveProperty('urlLength');
  });

  it('unpacks a frame run (the hook packs consecutive whole frames of one socket and direction) into frames', () => {
    const bytes = new Uint8Array([4, 1, 1, 0, 1, 0x61, 0x62, 0x7b, 0x7d]).buffer;
    const { accepted, rejected, excess } = validatePageBatch(
      structuredClone(batch([{ kind: 'ws-frames', conn: '3', dir: 'received', t: [time, time + 1], x: ['["1",null,"realtime:r","é",{}]', bytes] }])),
      'd',
    );
    expect(rejected).toEqual([]);
    expect(excess).toBe(0);
    expect(accepted).toEqual([
      // The size is the text's UTF-8 length, counted here (é is two bytes).
      { body: { kind: 'ws-frame', conn: 'd:3', dir: 'received', opcode: 'text', text: '["1",null,"realtime:r","é",{}]', size: 31 }, time },
      { body: { kind: 'ws-frame', conn: 'd:3', dir: 'received', opcode: 'binary', base64: 'BAEBAAFhYnt9', size: 9 }, time: time + 1 },
    ]);
  });

  it('checks every frame of a run, and the run itself, like single frames', () => {
    const run = (over: Record<string, unknown>) => batch([{ kind: 'ws-frames', conn: '1', dir: 'sent', t: [time], x: ['x'], ...over }]);
    expect(validatePageBatch(run({ conn: '../other-doc' }), 'd').rejected).toEqual(['ws-frames: conn has unexpected characters']);
    expect(validatePageBatch(run({ dir: 'up' }), 'd').rejected).toEqual(['ws-frames: dir is not sent|received']);
    expect(validatePageBatch(run({ t: [time, time] }), 'd').rejected).toEqual(['ws-frames: t and x are not arrays of one length']);
    const mixed = validatePageBatch(run({ t: [time, -1, time, time], x: ['a', 'b', 42, { length: 3 }] }), 'd');
    expect(mixed.accepted.map((a) => (a.body as { text: string }).text)).toEqual(['a']);
    expect(mixed.rejected).toEqual(['ws-frame: time is not a timestamp', 'ws-frame: binary frame without bytes', 'ws-frame: binary frame without bytes']);
  });

  it('counts a run by its frames against the batch cap: a run claiming a billion frames reads the cap and counts the rest', () => {
    const x: unknown[] = [];
    x.length = 1e9;
    const t: unknown[] = [];
    t.length = 1e9;
    x[0] = 'first';
    t[0] = time;
    const r = validatePageBatch(structuredClone(batch([{ kind: 'lifecycle', change: 'online', time }, { kind: 'ws-frames', conn: '1', dir: 'sent', t, x }, { kind: 'lifecycle', change: 'offline', time }])), 'd');
    expect(r.accepted.map((a) => a.body.kind)).toEqual(['lifecycle', 'ws-frame']);
    // The lifecycle event took one of the cap: the run was read up to the rest of it.
    expect(r.rejected).toHaveLength(PAGE_LIMITS.maxEventsPerBatch - 2 + 1);
    expect(r.excess).toBe(1e9 - (PAGE_LIMITS.maxEventsPerBatch - 1) + 1);
    expect(r.rejected.at(-1)).toMatch(/^batch of 3 events holds more than 5000 frames and events: \d+ rejected unread$/);
  });

  it('rejects a forged sparse batch of length 1e9 by its count, without walking it', () => {
    const sparse: unknown[] = [];
    sparse.length = 1e9;
    sparse[0] = { kind: 'lifecycle', change: 'online', time };
    // Structured clone keeps the holes and the length: this is what a page can post for free.
    const posted = structuredClone(batch(sparse)) as { events: unknown[] };
    expect(posted.events.length).toBe(1e9);
    // Counts the elements read: at most the batch cap, never the billion.
    let reads = 0;
    const events = new Proxy(posted.events, { get: (t, k, r) => (typeof k === 'string' && /^\d+$/.test(k) && reads++, Reflect.get(t, k, r)) });
    const r = validatePageBatch({ ...posted, events }, 'd');
    expect(reads).toBeLessThanOrEqual(PAGE_LIMITS.maxEventsPerBatch);
    expect(r.accepted).toHaveLength(1);
    expect(r.excess).toBe(1e9 - PAGE_LIMITS.maxEventsPerBatch);
    // The holes inside the cap are rejected one by one (5,000 at most); the rest by number alone.
    expect(r.rejected).toHaveLength(PAGE_LIMITS.maxEventsPerBatch - 1 + 1);
    expect(r.rejected.at(-1)).toMatch(/^batch of 1000000000 events .*: 999995000 rejected unread$/);
  });

  it('never throws, whatever the page posts', () => {
    const hostile: unknown[] = [undefined, 0, [], { v: PROTOCOL_VERSION, type: 'batch', events: [{ kind: { toString: () => 'x' } }, { get kind() { throw new Error('boom'); } }] }];
    for (const h of hostile) expect(() => validatePageBatch(h, 'd')).not.toThrow();
    expect(() => validatePageEvent({ kind: 'ws-frame' }, 'd')).toThrow();
  });
});

describe('bytesToBase64', () => {
  it('matches Node for every remainder length', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 255, 256]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37) & 255);
      expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
  });
});
