// The Frames view's filters (issue 11 item 3) on a real Session: direction, channel, event, text or
// regex, errors only, hide heartbeats; invalid and risky regexes; the regex budget; push ↔ reply
// links; facets. Everything here is what the panel lists — the panel only renders it.

import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../messages';
import { compileFrameSearch, regexRisk, regexRowCap, SEARCH_ROW_CAP } from './frame-search';
import { Session } from './session';
import { EMPTY_STATS, TestDoc, URL_V2 } from './test-doc';
import { frameFacets, frameList, type FrameFilter, type FrameListItem } from './views';
import type { FrameEvent } from './frame-catalog';

const ROOM = 'realtime:room1';
const LOBBY = 'realtime:lobby';

function traffic(d: TestDoc) {
  const conn = `${d.docId}:1`;
  return [
    d.ev({ kind: 'ws-connecting', conn, url: URL_V2, protocols: [] }),
    d.ev({ kind: 'ws-open', conn, protocol: '', extensions: '' }),
    d.text('sent', ['1', '1', ROOM, 'phx_join', { config: { postgres_changes: [] }, access_token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl' }]),
    d.text('received', ['1', '1', ROOM, 'phx_reply', { status: 'ok', response: { postgres_changes: [] } }]),
    d.text('sent', ['2', '2', LOBBY, 'phx_join', { config: {} }]),
    d.text('received', ['2', '2', LOBBY, 'phx_reply', { status: 'error', response: { reason: 'Unauthorized: You do not have permissions to read from this Channel topic: lobby' } }]),
    d.text('sent', [null, '3', 'phoenix', 'heartbeat', {}]),
    d.text('received', [null, '3', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]),
    d.text('received', [null, null, ROOM, 'broadcast', { type: 'broadcast', event: 'chat', payload: { text: 'Hello aaaa' } }]),
    d.text('received', ['1', null, ROOM, 'system', { extension: 'system', status: 'error', message: 'Token has expired 0 seconds ago', channel: 'room1' }]),
    d.text('received', ['1', '1', ROOM, 'phx_close', {}]),
    d.ev({ kind: 'ws-frame', conn, dir: 'received', opcode: 'text', text: 'not phoenix at all', size: 18 }),
    d.ev({ kind: 'ws-close', conn, code: 1006, reason: '', wasClean: false }),
  ];
}

function loaded() {
  const session = new Session({ tabId: 1 });
  session.apply({ type: 'status', v: PROTOCOL_VERSION, tabId: 1, status: 'capturing' });
  const d = new TestDoc('A');
  session.apply({ type: 'snapshot', snapshot: { doc: { docId: 'A', url: 'https://app.example/', isTop: true, startedAt: 0 }, events: traffic(d), stats: EMPTY_STATS } });
  return session;
}

function list(session: Session, filter: Partial<FrameFilter>) {
  return frameList(session.snapshot().rows, session.catalog, { text: '', showHeartbeats: true, ...filter });
}

const events = (session: Session, items: FrameListItem[]) =>
  items.map((i) => (i.kind === 'frame' ? session.catalog.describe(i.event).event : i.kind === 'socket' ? i.event.kind : i.kind));

describe('frame filters', () => {
  it('narrow by direction, channel and event, and hide heartbeats', () => {
    const s = loaded();
    expect(list(s, { dir: 'sent' }).items.map((i) => (i.kind === 'frame' ? s.catalog.facts(i.event).event : i.kind))).toEqual(['phx_join', 'phx_join', 'heartbeat']);
    const room = list(s, { topic: ROOM });
    expect(room.matchingFrames).toBe(5);
    expect(room.items.every((i) => i.kind === 'frame' && s.catalog.facts(i.event).topic === ROOM)).toBe(true);
    expect(list(s, { event: 'phx_reply' }).matchingFrames).toBe(3);
    const quiet = list(s, { showHeartbeats: false });
    expect(quiet.hiddenHeartbeats).toBe(2);
    expect(quiet.items.some((i) => i.kind === 'frame' && s.catalog.facts(i.event).heartbeat)).toBe(false);
  });

  it('errors only keeps refusals, server errors, undecodable frames and the unclean close', () => {
    const s = loaded();
    const errors = list(s, { errorsOnly: true }).items;
    expect(errors.map((i) => (i.kind === 'frame' ? s.catalog.facts(i.event).event || '(undecodable)' : i.kind === 'socket' ? i.event.kind : i.kind))).toEqual([
      'phx_reply',
      'system',
      '(undecodable)',
      'ws-close',
    ]);
    expect(events(s, errors)[0]).toMatch(/^phx_reply error/);
    expect(list(s, { errorsOnly: true }).matchingFrames).toBe(3);
  });

  it('text search is case-insensitive; a regex matches, an invalid one says why and lists nothing', () => {
    const s = loaded();
    expect(list(s, { text: 'HELLO' }).matchingFrames).toBe(1);
    expect(list(s, { text: 'expired \\d+ seconds', regex: true }).matchingFrames).toBe(1);
    expect(list(s, { text: '^realtime:(room1|lobby)\\n', regex: true }).matchingFrames).toBe(7);
    expect(list(s, { text: '^realtime:(room1|lobby)+\\n', regex: true }).searchError).toMatch(/exponential/);
    expect(list(s, { text: '^realtime:lobby\\n', regex: true }).matchingFrames).toBe(2);
    const bad = list(s, { text: 'token (has', regex: true });
    expect(bad.searchError).toMatch(/^Not a valid regular expression: Unterminated group\. /);
    // A lone brace, frequent in JSON, is a literal.
    expect(list(s, { text: '"hello aaaa"}', regex: true }).matchingFrames).toBe(1);
    expect(bad.matchingFrames).toBe(0);
    expect(bad.totalFrames).toBe(10);
    // The same text as plain text is fine.
    expect(list(s, { text: 'token (has' }).searchError).toBeUndefined();
  });

  it('a regex search past its budget stops and says how far it got', () => {
    const s = loaded();
    let t = 0;
    // A clock that jumps an hour per reading: the search stops at the first check (every 64 frames).
    const manyRows = [...s.snapshot().rows];
    const rows = Array.from({ length: 50 }, () => manyRows).flat();
    const result = frameList(rows, s.catalog, { text: 'hello', regex: true, showHeartbeats: true }, { now: () => (t += 3_600_000), ms: 1_500 });
    expect(result.searchStopped?.checked).toBe(64);
    expect(result.matchingFrames).toBeLessThan(50);
    // Plain text never stops (it is linear).
    expect(frameList(rows, s.catalog, { text: 'hello', showHeartbeats: true }, { now: () => (t += 3_600_000), ms: 1_500 }).matchingFrames).toBe(50);
  });

  it('facets list the topics and events seen, most frequent first', () => {
    const s = loaded();
    const facets = frameFacets(s.snapshot().rows, s.catalog);
    expect(facets.topics).toEqual([ROOM, 'phoenix', LOBBY]);
    expect(facets.events[0]).toBe('phx_reply');
    expect(facets.events).toContain('system');
  });
});

describe('push ↔ reply links', () => {
  it('pair each reply with its push, both ways, within the document', () => {
    const s = loaded();
    const frames = list(s, {}).items.flatMap((i) => (i.kind === 'frame' ? [i.event] : []));
    const byEvent = (e: string, n = 0) => frames.filter((f) => s.catalog.facts(f).event === e)[n] as FrameEvent;
    const join = byEvent('phx_join');
    const reply = s.frameLink(join);
    expect(reply?.role).toBe('reply');
    expect(reply?.other).toBe(byEvent('phx_reply'));
    expect(s.frameLink(reply!.other)).toEqual({ role: 'push', other: join, pushEvent: 'phx_join' });
    expect(s.frameLink(byEvent('heartbeat'))?.other).toBe(byEvent('phx_reply', 2));
    expect(s.frameLink(byEvent('broadcast'))).toBeUndefined();
  });
});

describe('regex safety', () => {
  it('refuses exponential patterns with words that say what to do', () => {
    for (const p of ['(a+)+$', '(a|aa)+$', '(\\w+\\s?)*x', '((a+)b)*', '(.*){3,}', '(\\d+)\\1']) {
      const s = compileFrameSearch(p, true);
      expect(s.kind, p).toBe('invalid');
      if (s.kind === 'invalid') expect(s.message, p).toMatch(/Claimscope does not run it/);
    }
  });

  it('runs ordinary patterns, capping the text per row by their open-ended repetitions', () => {
    expect(regexRisk('phx_reply.*error').openRepetitions).toBe(1);
    expect(regexRisk('[a+]+b').openRepetitions).toBe(1);
    expect(regexRisk('(?:ab)?c{2,3}').openRepetitions).toBe(0);
    expect(regexRisk('(?<name>x)\\u{1F600}').refusal).toBeUndefined();
    expect(regexRowCap(0)).toBe(SEARCH_ROW_CAP);
    expect(regexRowCap(1)).toBe(1414);
    expect(regexRowCap(2)).toBe(181);
    expect(regexRowCap(4)).toBe(64);
    expect(compileFrameSearch('a*b*c*d*e*', true)).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/5 open-ended repetitions/) });
    const ok = compileFrameSearch('token.*expired', true);
    expect(ok.kind).toBe('regex');
  });

  it('a catastrophic pattern of the polynomial kind stays bounded per row', () => {
    // Four open-ended repetitions are allowed, on the first 64 characters of a row only: a
    // crafted 16 KiB frame costs what 64 characters cost.
    const s = compileFrameSearch('a*a*a*a*b', true);
    expect(s).toMatchObject({ kind: 'regex', rowCap: 64 });
  });
});
