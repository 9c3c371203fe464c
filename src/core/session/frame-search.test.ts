// The Frames view's search on a real Session (issue 14): case-insensitive over the text as
// captured (no lowercased copy per frame), the same answers for mixed case, non-ASCII, text past
// the 16 KiB cap and binary frames; the search text is set at ingest, so a search decodes nothing
// and the frames' own text is unchanged.

import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../messages';
import { base64Of } from '../realtime/test-frames';
import type { CapturedEvent } from '../model';
import { compileFrameSearch, searchMatches } from './frame-search';
import { isFrameEvent, type FrameEvent } from './frame-catalog';
import { Session } from './session';
import { EMPTY_STATS, TestDoc, URL_V2 } from './test-doc';
import { frameList, type FrameFilter } from './views';

const ROOM = 'realtime:Room-Ü';
const CAP = 16 * 1024;

/** A kind-4 user_broadcast as the server fans it out (JSON payload, no metadata). */
function kind4(topic: string, userEvent: string, payload: unknown): string {
  const enc = new TextEncoder();
  const json = JSON.stringify(payload);
  return base64Of(4, enc.encode(topic).length, enc.encode(userEvent).length, 0, 1, topic, userEvent, json);
}

function session(events: (d: TestDoc) => CapturedEvent[]) {
  const s = new Session({ tabId: 1 });
  s.apply({ type: 'status', v: PROTOCOL_VERSION, tabId: 1, status: 'capturing' });
  const d = new TestDoc('A');
  const conn = `${d.docId}:1`;
  const all = [d.ev({ kind: 'ws-connecting', conn, url: URL_V2, protocols: [] }), d.ev({ kind: 'ws-open', conn, protocol: '', extensions: '' }), ...events(d)];
  s.apply({ type: 'snapshot', snapshot: { doc: { docId: 'A', url: 'https://app.example/', isTop: true, startedAt: 0 }, events: all, stats: EMPTY_STATS } });
  return s;
}

/** What the search lists: each matching frame's text (text frames) or its seq (binary frames). */
function found(s: Session, filter: Partial<FrameFilter>): string[] {
  return frameList(s.snapshot().rows, s.catalog, { text: '', showHeartbeats: true, ...filter }).items.flatMap((i) => {
    if (i.kind !== 'frame') return [];
    return [i.event.opcode === 'binary' ? `binary ${i.event.seq}` : String(i.event.text).slice(-60)];
  });
}

const broadcast = (d: TestDoc, text: string) => d.text('received', [null, null, ROOM, 'broadcast', { type: 'broadcast', event: 'chat', payload: { text } }]);

describe('frame search on the text as captured', () => {
  it('matches whatever the case of the text and of what is typed, ASCII or not', () => {
    const s = session((d) => [
      broadcast(d, 'Token has EXPIRED'),
      broadcast(d, 'Grüße aus KÖLN'),
      broadcast(d, 'ΟΔΟΣ'),
      broadcast(d, 'nothing here'),
    ]);
    expect(found(s, { text: 'token has expired' })).toEqual([expect.stringContaining('Token has EXPIRED')]);
    expect(found(s, { text: 'TOKEN HAS expired' })).toHaveLength(1);
    expect(found(s, { text: 'grüße aus köln' })).toEqual([expect.stringContaining('Grüße aus KÖLN')]);
    expect(found(s, { text: 'GRÜSSE' })).toEqual([]); // case folding, not transliteration
    // Greek: typed with a medial sigma, captured with a capital one.
    expect(found(s, { text: 'οδοσ' })).toEqual([expect.stringContaining('ΟΔΟΣ')]);
    // Topic and event are searched too (the topic has a non-ASCII capital).
    expect(found(s, { text: 'ROOM-ü' })).toHaveLength(4);
    expect(found(s, { text: 'nothing at all' })).toEqual([]);
  });

  it('treats what is typed as text: regex characters are literals', () => {
    const s = session((d) => [broadcast(d, 'a (b) [c] {d} $e^ .* f|g \\h /i/'), broadcast(d, 'abcdefghi')]);
    for (const typed of ['(B)', '[C]', '{D}', '$E^', '.*', 'F|G', '\\H', '/I/']) expect(found(s, { text: typed }), typed).toHaveLength(1);
    expect(found(s, { text: 'a.c' })).toEqual([]);
  });

  it('reads 16 KiB of each payload, and leaves the frame text whole', () => {
    const filler = 'x'.repeat(CAP);
    const s = session((d) => [
      d.text('received', [null, null, ROOM, 'broadcast', { type: 'broadcast', event: 'big', payload: { text: `EARLY ${filler} LATE` } }]),
      d.text('received', [null, null, ROOM, 'broadcast', { type: 'broadcast', event: 'small', payload: { text: 'Small Frame' } }]),
    ]);
    expect(found(s, { text: 'early' })).toHaveLength(1);
    expect(found(s, { text: 'late' })).toEqual([]);
    expect(found(s, { text: 'late', regex: true })).toEqual([]);
    // The session's frames still hold exactly what was captured.
    const frames = [...s.snapshot().rows].filter((r): r is FrameEvent => !('separator' in r) && isFrameEvent(r as CapturedEvent));
    const texts = frames.map((f) => f.text);
    expect(texts[0]).toBe(JSON.stringify([null, null, ROOM, 'broadcast', { type: 'broadcast', event: 'big', payload: { text: `EARLY ${filler} LATE` } }]));
    expect(texts[1]).toBe(JSON.stringify([null, null, ROOM, 'broadcast', { type: 'broadcast', event: 'small', payload: { text: 'Small Frame' } }]));
    expect(s.catalog.searchText(frames[1])).toBe(`${ROOM}\nbroadcast\n${texts[1]}`);
  });

  it('finds binary broadcasts by user event and payload, and no search decodes a frame again', () => {
    const s = session((d) => [
      d.ev({ kind: 'ws-frame', conn: 'A:1', dir: 'received', opcode: 'binary', base64: kind4(ROOM, 'Cursor-Move', { seq: 4242, Name: 'Zoë' }), size: 60 }),
      d.ev({ kind: 'ws-frame', conn: 'A:1', dir: 'received', opcode: 'binary', base64: kind4(ROOM, 'typing', { seq: 7 }), size: 40 }),
      d.ev({ kind: 'ws-frame', conn: 'A:1', dir: 'received', opcode: 'binary', base64: base64Of(9, 1, 2), size: 3 }),
      broadcast(d, 'seq 4242 in words'),
      // Enough later frames that the binary ones' decoded payloads left the catalog's cache.
      ...Array.from({ length: 2_100 }, (_, i) => broadcast(d, `filler ${i}`)),
    ]);
    const decodes = s.catalog.decodes;
    expect(found(s, { text: 'CURSOR-move' })).toEqual(['binary 3']);
    expect(found(s, { text: '"seq":4242,' })).toEqual(['binary 3']);
    expect(found(s, { text: 'ZOË' })).toEqual(['binary 3']);
    // The message realtime-js hands the app, as text broadcasts carry it.
    expect(found(s, { text: '"type":"broadcast","event":"typing"' })).toEqual(['binary 4']);
    expect(found(s, { text: '"seq":\\d{4},', regex: true })).toEqual(['binary 3']);
    // An undecodable binary frame is found by why it did not decode.
    expect(found(s, { text: 'UNKNOWN BINARY KIND 9' })).toEqual(['binary 5']);
    expect(s.catalog.decodes).toBe(decodes);
  });

  it('a regex runs case-insensitively on topic, event and payload joined by newlines', () => {
    const s = session((d) => [broadcast(d, 'Hello AAAA'), broadcast(d, 'hello b')]);
    expect(found(s, { text: 'hello a+', regex: true })).toHaveLength(1);
    expect(found(s, { text: '^REALTIME:room-ü\\nbroadcast\\n\\[null', regex: true })).toHaveLength(2);
  });
});

describe('compileFrameSearch', () => {
  it('matches the typed text case-insensitively, anywhere in the row', () => {
    const search = compileFrameSearch('  Kelvin  ', false);
    expect(search).toMatchObject({ kind: 'text', needle: 'Kelvin' });
    expect(searchMatches(search, 'topic\nevent\n{"unit":"KELVIN"}')).toBe(true);
    expect(searchMatches(search, 'topic\nevent\n{"unit":"kelvi n"}')).toBe(false);
    // Unicode case folding: the Kelvin sign is a K.
    expect(searchMatches(compileFrameSearch('k', false), '\u212A')).toBe(true);
    expect(searchMatches(compileFrameSearch('ß', false), 'STRA\u1E9EE')).toBe(true);
  });
});
