// The panel's own state — which view is open, the frame filter, the toggles, the selected frame —
// as one reducer over plain data, separate from the session's snapshots (what was captured). Pure
// and DOM-free, so its rules are unit-tested in Node: App dispatches, views read.

import type { FrameEvent } from '../core/session';

export type ViewName = 'frames' | 'connections' | 'channels' | 'tokens' | 'http' | 'findings';

export interface PanelUiState {
  view: ViewName;
  /** Free text over topic, event and payload (Frames view). */
  filterText: string;
  showHeartbeats: boolean;
  /** Show API keys, JWT signatures and sb_secret_ keys unmasked (off by default). */
  revealKeys: boolean;
  /** The frame open in the details pane. */
  selected?: FrameEvent;
}

export type PanelUiAction =
  | { type: 'view'; view: ViewName }
  | { type: 'filter'; text: string }
  | { type: 'show-heartbeats'; on: boolean }
  | { type: 'reveal-keys'; on: boolean }
  | { type: 'select'; frame: FrameEvent }
  | { type: 'deselect' }
  /** The user pressed Clear: nothing captured before it may stay on screen. */
  | { type: 'cleared' };

export const INITIAL_UI: PanelUiState = { view: 'frames', filterText: '', showHeartbeats: true, revealKeys: false };

/** Views that show the claims engine's answers: the engine runs only while one is open. */
export const ENGINE_VIEWS: ReadonlySet<ViewName> = new Set(['connections', 'channels', 'tokens', 'findings']);

export function reduceUi(state: PanelUiState, action: PanelUiAction): PanelUiState {
  switch (action.type) {
    case 'view':
      return state.view === action.view ? state : { ...state, view: action.view };
    case 'filter':
      return { ...state, filterText: action.text };
    case 'show-heartbeats':
      return { ...state, showHeartbeats: action.on };
    case 'reveal-keys':
      return { ...state, revealKeys: action.on };
    case 'select':
      return { ...state, selected: action.frame };
    case 'deselect':
    case 'cleared':
      return state.selected === undefined ? state : { ...state, selected: undefined };
  }
}
