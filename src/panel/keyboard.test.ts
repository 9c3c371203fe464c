import { describe, expect, it } from 'vitest';
import { decideKey, type KeyTarget } from './keyboard';
import { INITIAL_UI, type ViewName } from './ui-state';
import type { FrameEvent } from '../core/session';

const TABS: ViewName[] = ['findings', 'frames', 'connections', 'channels', 'tokens', 'http', 'settings'];
const press = (key: string, target: KeyTarget = 'other', modifiers = false) => ({ key, target, modifiers });
const frame = { kind: 'ws-frame' } as unknown as FrameEvent;

describe('panel keys', () => {
  it('/ focuses the filter, opening the Frames view first; not while typing elsewhere', () => {
    expect(decideKey(press('/'), INITIAL_UI, TABS)).toEqual({ kind: 'focus-filter', dispatch: { type: 'view', view: 'frames' } });
    expect(decideKey(press('/'), { ...INITIAL_UI, view: 'frames' }, TABS)).toEqual({ kind: 'focus-filter' });
    expect(decideKey(press('/', 'editable'), INITIAL_UI, TABS).kind).toBe('none');
    expect(decideKey(press('/', 'filter'), INITIAL_UI, TABS).kind).toBe('none');
    expect(decideKey(press('/', 'other', true), INITIAL_UI, TABS).kind).toBe('none');
  });

  it('Esc clears the filter text, then leaves the box; elsewhere it closes the frame details', () => {
    const frames = { ...INITIAL_UI, view: 'frames' as const, filterText: 'join', selected: frame };
    expect(decideKey(press('Escape', 'filter'), frames, TABS)).toEqual({ kind: 'dispatch', action: { type: 'filter', text: '' } });
    expect(decideKey(press('Escape', 'filter'), { ...frames, filterText: '' }, TABS)).toEqual({ kind: 'blur-filter' });
    expect(decideKey(press('Escape'), frames, TABS)).toEqual({ kind: 'dispatch', action: { type: 'deselect' }, focusList: true });
    expect(decideKey(press('Escape'), { ...frames, selected: undefined }, TABS).kind).toBe('none');
    expect(decideKey(press('Escape', 'editable'), frames, TABS).kind).toBe('none');
  });

  it('arrows, Home and End move between the view tabs, wrapping around', () => {
    expect(decideKey(press('ArrowRight', 'tab'), INITIAL_UI, TABS)).toEqual({ kind: 'tab', view: 'frames' });
    expect(decideKey(press('ArrowLeft', 'tab'), INITIAL_UI, TABS)).toEqual({ kind: 'tab', view: 'settings' });
    expect(decideKey(press('End', 'tab'), INITIAL_UI, TABS)).toEqual({ kind: 'tab', view: 'settings' });
    expect(decideKey(press('Home', 'tab'), { ...INITIAL_UI, view: 'http' }, TABS)).toEqual({ kind: 'tab', view: 'findings' });
    expect(decideKey(press('ArrowRight'), INITIAL_UI, TABS).kind).toBe('none');
  });
});
