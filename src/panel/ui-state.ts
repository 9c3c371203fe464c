// The panel's own state — which view is open, the frame filter, the toggles, the selected frame —
// as one reducer over plain data, separate from the session's snapshots (what was captured). Pure
// and DOM-free, so its rules are unit-tested in Node: App dispatches, views read.

import type { FrameEvent } from '../core/session';

export type ViewName = 'frames' | 'connections' | 'channels' | 'tokens' | 'http' | 'findings' | 'settings';

/** Where a finding's evidence is shown (src/panel/evidence.ts finds it). */
export type EvidenceTarget =
  | { kind: 'frame'; frame: FrameEvent }
  /** An HTTP call: its HttpCall key (document and page request id). */
  | { kind: 'request'; key: string }
  /** A token: the engine's label (never the token). */
  | { kind: 'token'; label: string };

export interface PanelUiState {
  view: ViewName;
  /** Free text over topic, event and payload (Frames view). */
  filterText: string;
  showHeartbeats: boolean;
  /** Show API keys, JWT signatures and sb_secret_ keys unmasked (off by default). */
  revealKeys: boolean;
  /** The frame open in the details pane. */
  selected?: FrameEvent;
  /** The finding the user selected (its findingKey), in the Findings view. */
  finding?: string;
  /** The HTTP call revealed from a finding (highlighted in the HTTP view). */
  request?: string;
  /** The token revealed from a finding (open and highlighted in the Tokens view). */
  token?: string;
  /** The Frames view's other filters: direction, topic, event, regex, errors only (issue 11 item 3). */
  frameFilter: FrameFacetFilter;
}

export interface FrameFacetFilter {
  dir?: 'sent' | 'received';
  topic?: string;
  event?: string;
  /** The filter text is a regular expression. */
  regex: boolean;
  errorsOnly: boolean;
}

export const NO_FRAME_FACETS: FrameFacetFilter = { regex: false, errorsOnly: false };

export type PanelUiAction =
  | { type: 'view'; view: ViewName }
  | { type: 'filter'; text: string }
  | { type: 'show-heartbeats'; on: boolean }
  | { type: 'reveal-keys'; on: boolean }
  | { type: 'select'; frame: FrameEvent }
  | { type: 'deselect' }
  | { type: 'select-finding'; key: string | undefined }
  /** Show a finding's evidence: its view opens on it (a frame hidden by the filter is shown). */
  | { type: 'reveal'; target: EvidenceTarget; finding?: string }
  | { type: 'frame-filter'; patch: Partial<FrameFacetFilter> }
  /** Esc in the filter box, or "Clear filters": every frame filter back to showing everything. */
  | { type: 'clear-frame-filters' }
  /** The user pressed Clear: nothing captured before it may stay on screen. */
  | { type: 'cleared' };

// Findings first: what is wrong is what a person opening the panel needs (issue 11 item 1).
export const INITIAL_UI: PanelUiState = { view: 'findings', filterText: '', showHeartbeats: true, revealKeys: false, frameFilter: NO_FRAME_FACETS };

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
    case 'select-finding':
      return state.finding === action.key ? state : { ...state, finding: action.key };
    case 'reveal': {
      const finding = action.finding ?? state.finding;
      const t = action.target;
      if (t.kind === 'frame') return { ...state, finding, view: 'frames', selected: t.frame, filterText: '', showHeartbeats: true, frameFilter: NO_FRAME_FACETS };
      if (t.kind === 'request') return { ...state, finding, view: 'http', request: t.key };
      return { ...state, finding, view: 'tokens', token: t.label };
    }
    case 'frame-filter':
      return { ...state, frameFilter: { ...state.frameFilter, ...action.patch } };
    case 'clear-frame-filters':
      return { ...state, filterText: '', showHeartbeats: true, frameFilter: NO_FRAME_FACETS };
    case 'deselect':
      return state.selected === undefined ? state : { ...state, selected: undefined };
    case 'cleared':
      return state.selected === undefined && state.finding === undefined && state.request === undefined && state.token === undefined
        ? state
        : { ...state, selected: undefined, finding: undefined, request: undefined, token: undefined };
  }
}
