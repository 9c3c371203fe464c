// The panel's keyboard (issue 11 item 7), beyond what each list handles itself: `/` focuses the
// frame filter (opening the Frames view), Esc clears the filter box or closes the frame details,
// and Left/Right/Home/End move between the view tabs (WAI-ARIA tabs, activated on focus). The
// decision is a pure function of the key and where it was pressed (unit-tested in Node); the hook
// applies it to the document.

import { useEffect } from 'preact/hooks';
import type { PanelUiAction, PanelUiState, ViewName } from './ui-state';

/** The id of the toolbar's filter box (App.tsx). */
export const FILTER_INPUT_ID = 'frame-filter';

export type KeyTarget = 'filter' | 'editable' | 'tab' | 'other';

export type KeyDecision =
  | { kind: 'none' }
  | { kind: 'focus-filter'; dispatch?: PanelUiAction }
  | { kind: 'dispatch'; action: PanelUiAction; focusList?: boolean }
  | { kind: 'blur-filter' }
  | { kind: 'tab'; view: ViewName };

export interface KeyPress {
  key: string;
  target: KeyTarget;
  modifiers: boolean;
}

export function decideKey(press: KeyPress, ui: Pick<PanelUiState, 'view' | 'selected' | 'filterText'>, tabs: readonly ViewName[]): KeyDecision {
  const { key, target } = press;
  if (press.modifiers) return { kind: 'none' };
  if (key === '/' && target !== 'filter' && target !== 'editable') {
    return ui.view === 'frames' ? { kind: 'focus-filter' } : { kind: 'focus-filter', dispatch: { type: 'view', view: 'frames' } };
  }
  if (key === 'Escape') {
    if (target === 'filter') return ui.filterText !== '' ? { kind: 'dispatch', action: { type: 'filter', text: '' } } : { kind: 'blur-filter' };
    if (target === 'editable') return { kind: 'none' };
    if (ui.view === 'frames' && ui.selected) return { kind: 'dispatch', action: { type: 'deselect' }, focusList: true };
    return { kind: 'none' };
  }
  if (target === 'tab') {
    const at = Math.max(0, tabs.indexOf(ui.view));
    const to =
      key === 'ArrowRight' ? (at + 1) % tabs.length : key === 'ArrowLeft' ? (at - 1 + tabs.length) % tabs.length : key === 'Home' ? 0 : key === 'End' ? tabs.length - 1 : -1;
    if (to >= 0) return { kind: 'tab', view: tabs[to] };
  }
  return { kind: 'none' };
}

function targetKind(target: EventTarget | null): KeyTarget {
  if (!(target instanceof HTMLElement)) return 'other';
  if (target.id === FILTER_INPUT_ID) return 'filter';
  if (target.getAttribute('role') === 'tab' && target.closest('[role="tablist"].views')) return 'tab';
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || target.isContentEditable) return 'editable';
  return 'other';
}

/** Installs the panel's keys on the document for as long as the App is mounted. */
export function usePanelKeyboard(ui: PanelUiState, dispatch: (action: PanelUiAction) => void, tabs: readonly ViewName[]): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const decision = decideKey({ key: e.key, target: targetKind(e.target), modifiers: e.ctrlKey || e.metaKey || e.altKey }, ui, tabs);
      const filter = () => document.getElementById(FILTER_INPUT_ID) as HTMLInputElement | null;
      switch (decision.kind) {
        case 'none':
          return;
        case 'focus-filter':
          if (decision.dispatch) dispatch(decision.dispatch);
          filter()?.focus();
          filter()?.select();
          break;
        case 'dispatch':
          dispatch(decision.action);
          // Back to the list the details belonged to, so arrows go on from the same row.
          if (decision.focusList) document.querySelector<HTMLElement>('[data-testid="frames-listbox"]')?.focus();
          break;
        case 'blur-filter':
          filter()?.blur();
          break;
        case 'tab':
          dispatch({ type: 'view', view: decision.view });
          // The tab is focused after the render that selects it.
          requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-testid="view-${decision.view}"]`)?.focus());
          break;
      }
      e.preventDefault();
      // DevTools' script in extension panels forwards Esc (and shortcuts) to DevTools from a
      // document listener, preventing its default: a key handled here goes no further, so Esc
      // closes the details instead of also toggling DevTools' console drawer. Unhandled keys still reach it.
      e.stopPropagation();
    };
    // Capture on the window: before the document's listeners (DevTools' forwarding among them).
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [ui, dispatch, tabs]);
}
