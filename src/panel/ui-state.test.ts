import { describe, expect, it } from 'vitest';
import type { FrameEvent } from '../core/session';
import { ENGINE_VIEWS, INITIAL_UI, reduceUi } from './ui-state';

const frame = { kind: 'ws-frame', docId: 'd', seq: 4, time: 1, conn: 'd:1', dir: 'received', opcode: 'text', text: '[]', size: 2 } as unknown as FrameEvent;

describe('panel UI state', () => {
  it('opens on Frames with heartbeats shown and keys masked', () => {
    expect(INITIAL_UI).toEqual({ view: 'frames', filterText: '', showHeartbeats: true, revealKeys: false });
    expect(ENGINE_VIEWS.has(INITIAL_UI.view)).toBe(false);
    expect(ENGINE_VIEWS.has('findings')).toBe(true);
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
    expect(reduceUi(INITIAL_UI, { type: 'view', view: 'frames' })).toBe(INITIAL_UI);
    expect(reduceUi(INITIAL_UI, { type: 'cleared' })).toBe(INITIAL_UI);
  });

  it('toggles reveal-keys and heartbeats independently', () => {
    const s = reduceUi(reduceUi(INITIAL_UI, { type: 'reveal-keys', on: true }), { type: 'show-heartbeats', on: false });
    expect(s).toMatchObject({ revealKeys: true, showHeartbeats: false, view: 'frames' });
  });
});
