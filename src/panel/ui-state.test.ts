import { describe, expect, it } from 'vitest';
import type { FrameEvent } from '../core/session';
import { ENGINE_VIEWS, INITIAL_UI, reduceUi } from './ui-state';

const frame = { kind: 'ws-frame', docId: 'd', seq: 4, time: 1, conn: 'd:1', dir: 'received', opcode: 'text', text: '[]', size: 2 } as unknown as FrameEvent;

describe('panel UI state', () => {
  it('opens on Findings (the engine runs) with heartbeats shown and keys masked', () => {
    expect(INITIAL_UI).toEqual({ view: 'findings', filterText: '', showHeartbeats: true, revealKeys: false, frameFilter: { regex: false, errorsOnly: false } });
    expect(ENGINE_VIEWS.has(INITIAL_UI.view)).toBe(true);
    expect(ENGINE_VIEWS.has('frames')).toBe(false);
  });

  it('reveals a finding\'s evidence: the frame selected in Frames even when the filter would hide it, the request in HTTP, the token in Tokens', () => {
    const filtered = reduceUi(reduceUi(INITIAL_UI, { type: 'filter', text: 'broadcast' }), { type: 'show-heartbeats', on: false });
    const s = reduceUi(filtered, { type: 'reveal', target: { kind: 'frame', frame }, finding: 'k1' });
    expect(s).toMatchObject({ view: 'frames', selected: frame, filterText: '', showHeartbeats: true, finding: 'k1' });
    expect(reduceUi(s, { type: 'reveal', target: { kind: 'request', key: 'd\u0000r7' } })).toMatchObject({ view: 'http', request: 'd\u0000r7', finding: 'k1' });
    expect(reduceUi(s, { type: 'reveal', target: { kind: 'token', label: 'user access token #1' } })).toMatchObject({ view: 'tokens', token: 'user access token #1' });
    // Clear forgets what was selected and revealed: nothing captured before it stays on screen.
    const cleared = reduceUi(reduceUi(s, { type: 'reveal', target: { kind: 'token', label: 't' } }), { type: 'cleared' });
    expect(cleared).toMatchObject({ selected: undefined, finding: undefined, request: undefined, token: undefined });
  });

  it('keeps the selected frame across view switches and filters, and drops it on Clear', () => {
    let s = reduceUi(INITIAL_UI, { type: 'select', frame });
    s = reduceUi(s, { type: 'view', view: 'tokens' });
    s = reduceUi(s, { type: 'filter', text: 'phx_join' });
    s = reduceUi(s, { type: 'view', view: 'frames' });
    expect(s.selected).toBe(frame);
    expect(s.filterText).toBe('phx_join');
    expect(reduceUi(s, { type: 'cleared' }).selected).toBeUndefined();
    expect(reduceUi(s, { type: 'deselect' }).selected).toBeUndefined();
  });

  it('returns the same state when nothing changes (no re-render)', () => {
    expect(reduceUi(INITIAL_UI, { type: 'view', view: 'findings' })).toBe(INITIAL_UI);
    expect(reduceUi(INITIAL_UI, { type: 'cleared' })).toBe(INITIAL_UI);
  });

  it('keeps the frame filters, clears them all at once, and a revealed frame is never hidden by them', () => {
    let s = reduceUi(INITIAL_UI, { type: 'frame-filter', patch: { dir: 'sent', regex: true } });
    s = reduceUi(s, { type: 'frame-filter', patch: { errorsOnly: true, topic: 'realtime:room1' } });
    s = reduceUi(reduceUi(s, { type: 'filter', text: 'expired' }), { type: 'show-heartbeats', on: false });
    expect(s.frameFilter).toEqual({ dir: 'sent', topic: 'realtime:room1', regex: true, errorsOnly: true });
    expect(reduceUi(s, { type: 'frame-filter', patch: { dir: undefined } }).frameFilter.dir).toBeUndefined();
    expect(reduceUi(s, { type: 'clear-frame-filters' })).toMatchObject({ filterText: '', showHeartbeats: true, frameFilter: { regex: false, errorsOnly: false } });
    expect(reduceUi(s, { type: 'reveal', target: { kind: 'frame', frame } }).frameFilter).toEqual({ regex: false, errorsOnly: false });
  });

  it('toggles reveal-keys and heartbeats independently', () => {
    const s = reduceUi(reduceUi(INITIAL_UI, { type: 'reveal-keys', on: true }), { type: 'show-heartbeats', on: false });
    expect(s).toMatchObject({ revealKeys: true, showHeartbeats: false, view: 'findings' });
  });
});
