// The frame catalog's payload cache is bounded by bytes as well as by count (issue 10 item 2):
// 2,000 decoded frames of 256 KiB would hold half a gigabyte. An evicted payload is parsed again
// when the user opens its frame; evictions are counted.

import { describe, expect, it } from 'vitest';
import { FrameCatalog, type FrameEvent } from './frame-catalog';
import { TestDoc } from './test-doc';

describe('FrameCatalog payload cache', () => {
  it('keeps the decoded payloads within its byte budget, oldest out first, and decodes an evicted one again', () => {
    const maxBytes = 2 * 1024 * 1024;
    const catalog = new FrameCatalog(undefined, maxBytes);
    const doc = new TestDoc('d1');
    const big = 'é'.repeat(120_000);
    const frames = Array.from({ length: 100 }, (_, i) => doc.text('received', [null, null, 'realtime:room1', 'broadcast', { type: 'broadcast', event: 'big', payload: { i, big } }]) as FrameEvent);
    for (const frame of frames) catalog.ingestDecode(frame, '2.0.0', 'received');
    expect(catalog.decodes).toBe(100);
    expect(catalog.payloadBytes).toBeLessThanOrEqual(maxBytes);
    expect(catalog.payloadEvictions).toBeGreaterThan(80);
    // The newest payload is cached: opening it costs no decode.
    const newest = catalog.decoded(frames[99]);
    expect(catalog.decodes).toBe(100);
    expect(newest.ok && (newest.message.payload as { payload: { i: number } }).payload.i).toBe(99);
    // The oldest was evicted: decoded again, to the same result.
    const oldest = catalog.decoded(frames[0]);
    expect(catalog.decodes).toBe(101);
    expect(oldest.ok && (oldest.message.payload as { payload: { i: number } }).payload.i).toBe(0);
    expect(catalog.payloadBytes).toBeLessThanOrEqual(maxBytes);
  });
});
