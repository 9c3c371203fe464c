// The Claimscope panel: a toolbar (view tabs, filter, heartbeat toggle, Clear, drop counter), the
// capture-status banner, and one view at a time. Everything captured is rendered as text nodes.

import { useEffect, useMemo, useReducer, useState } from 'preact/hooks';
import { httpList } from '../core/session';
import type { PanelController } from './controller';
import { ChannelsView } from './components/ChannelsView';
import { ConnectionsView } from './components/ConnectionsView';
import { ExportImport, ImportedBanner, type ImportedSession } from './components/ExportImport';
import { FindingsView } from './components/FindingsView';
import { SettingsProblem, SettingsView } from './components/SettingsView';
import { settingsKnowledge } from '../ui/settings-store';
import { useSettings } from '../ui/shared-settings';
import { resolveEvidence } from './evidence';
import { FramesView } from './components/FramesView';
import { HttpView } from './components/HttpView';
import { ProjectKeys, useProjectKeys } from './components/ProjectKeys';
import { StatusBanner } from './components/StatusBanner';
import { TokensView } from './components/TokensView';
import { useAnalysis } from './components/useAnalysis';
import { useControllerUpdates } from './useControllerUpdates';
import { FILTER_INPUT_ID, usePanelKeyboard } from './keyboard';
import { ENGINE_VIEWS, INITIAL_UI, reduceUi, type ViewName } from './ui-state';

/** The view tabs in toolbar order (arrow keys follow it). */
const VIEW_ORDER: readonly ViewName[] = ['findings', 'frames', 'connections', 'channels', 'tokens', 'http', 'settings'];

export function App({ controller }: { controller: PanelController }) {
  // An imported file is shown read-only instead of the live session (which keeps capturing).
  const [imported, setImported] = useState<ImportedSession | null>(null);
  const session = imported?.session ?? controller.session;
  useEffect(() => imported?.session.subscribe(rerender), [imported]);
  const rerender = useControllerUpdates(controller);

  const [ui, dispatch] = useReducer(reduceUi, INITIAL_UI);
  const { view, filterText, showHeartbeats, revealKeys } = ui;

  // One immutable snapshot per render: every view reads the same version of the session.
  const snapshot = session.snapshot();
  // The keys the user supplied, from the store shared with the popup (src/ui/key-store.ts).
  const keys = useProjectKeys();
  // The settings' expectations (aud, roles, issuers, validators, refresh margin) join the keys.
  const settings = useSettings();
  useEffect(() => {
    session.setProject({ ...keys.project, ...settingsKnowledge(settings.state.settings) }, `${keys.key}|settings-${settings.state.version}`);
    // An imported session is analysed at its recorded time only, never at the panel's clock.
    if (imported) void imported.session.analyse(imported.at);
  }, [keys, session, settings.state]);
  const [evidenceProblem, setEvidenceProblem] = useState<string | undefined>(undefined);
  const analysis = useAnalysis(session, snapshot, ENGINE_VIEWS.has(view) && !imported);
  const keysBar = <ProjectKeys connections={snapshot.connections} channels={snapshot.channels} pageUrl={snapshot.capture.tabUrl} keys={keys} />;
  const http = useMemo(() => (view === 'http' ? httpList(snapshot.rows) : undefined), [snapshot.contentVersion, view]);
  const drops = snapshot.drops;
  const totalDrops = drops.storeDroppedEvents + drops.panelDroppedEvents + drops.lostBeforePanel;

  // `/`, Esc and the tabs' arrow keys (keyboard.ts); lists handle their own arrows and Enter.
  usePanelKeyboard(ui, dispatch, VIEW_ORDER);

  const tab = (name: ViewName, label: string, count?: number) => (
    <button
      type="button"
      role="tab"
      id={`tab-${name}`}
      aria-selected={view === name}
      aria-controls="view-panel"
      // One tab stop for the tab list: arrows move between tabs (WAI-ARIA tabs).
      tabIndex={view === name ? 0 : -1}
      class={view === name ? 'tab selected' : 'tab'}
      data-testid={`view-${name}`}
      onClick={() => dispatch({ type: 'view', view: name })}
    >
      {label}
      {count !== undefined && <span class="count">{count}</span>}
    </button>
  );

  return (
    <div class="panel">
      <div class="toolbar" role="toolbar">
        <span class="brand">Claimscope</span>
        <nav role="tablist" class="views" aria-label="Views">
          {tab('findings', 'Findings', snapshot.findings.filter((e) => e.state === 'active' && e.finding.severity !== 'info').length || undefined)}
          {tab('frames', 'Frames')}
          {tab('connections', 'Connections', snapshot.connections.length)}
          {tab('channels', 'Channels', snapshot.channels.length)}
          {tab('tokens', 'Tokens', analysis.kind === 'done' ? analysis.result.tokens.length : undefined)}
          {tab('http', 'HTTP')}
          {tab('settings', 'Settings')}
        </nav>
        <input
          type="search"
          class="filter"
          id={FILTER_INPUT_ID}
          placeholder="Filter topic, event, payload  ( / )"
          aria-label="Filter frames by topic, event or payload"
          aria-keyshortcuts="/"
          data-testid="filter-input"
          value={filterText}
          onInput={(e) => dispatch({ type: 'filter', text: (e.currentTarget as HTMLInputElement).value })}
        />
        <label class="toggle">
          <input
            type="checkbox"
            data-testid="toggle-heartbeats"
            checked={showHeartbeats}
            onChange={(e) => dispatch({ type: 'show-heartbeats', on: (e.currentTarget as HTMLInputElement).checked })}
          />
          Heartbeats
        </label>
        <label class="toggle" title="Show API keys in URLs, JWT signatures and sb_secret_ keys in frames unmasked">
          <input
            type="checkbox"
            data-testid="toggle-reveal-keys"
            checked={revealKeys}
            onChange={(e) => dispatch({ type: 'reveal-keys', on: (e.currentTarget as HTMLInputElement).checked })}
          />
          Show keys
        </label>
        <ExportImport
          session={session}
          imported={imported}
          settings={() => ({
            secretSupplied: keys.project.secret !== undefined,
            jwksSupplied: keys.project.jwks !== undefined,
            // The file records the validators the findings were judged with (claimscope analyze reuses them).
            claimValidators: settings.state.settings.claimValidators,
          })}
          onImported={(next) => {
            setImported(next);
            dispatch({ type: 'cleared' });
          }}
        />
        <button
          type="button"
          data-testid="clear-button"
          title="Clear the panel and the tab's capture store"
          disabled={imported !== null}
          onClick={() => {
            controller.clear();
            dispatch({ type: 'cleared' });
          }}
        >
          Clear
        </button>
        <span
          class={totalDrops > 0 || drops.truncatedFrames > 0 ? 'drops warn' : 'drops'}
          data-testid="drop-counter"
          data-store-dropped={drops.storeDroppedEvents}
          data-panel-dropped={drops.panelDroppedEvents}
          data-truncated={drops.truncatedFrames}
          data-lost={drops.lostBeforePanel}
          data-post-failures={drops.postFailures}
          title={
            'Events dropped by the page’s capture store (bounded; bulk traffic goes first), events dropped by this panel ' +
            '(bounded), and frames kept only as a preview because they were too large. “Never reached the panel”: events ' +
            'the page recorded that this panel did not get — evicted by the store before they could be sent, lost when a ' +
            'message between the extension’s parts failed (the panel then reconnects and takes a new snapshot), or lost ' +
            'by the page hook.' +
            (drops.postFailures > 0 ? ` ${drops.postFailures.toLocaleString()} message${drops.postFailures === 1 ? '' : 's'} from the page’s store failed.` : '')
          }
        >
          Dropped: {drops.storeDroppedEvents.toLocaleString()} by store · {drops.panelDroppedEvents.toLocaleString()} by panel ·{' '}
          {drops.truncatedFrames.toLocaleString()} previews
          {drops.lostBeforePanel > 0 && ` · ${drops.lostBeforePanel.toLocaleString()} never reached the panel`}
          {drops.rejected + drops.pageRejected > 0 && ` · ${(drops.rejected + drops.pageRejected).toLocaleString()} rejected`}
        </span>
      </div>
      {imported ? (
        <ImportedBanner
          imported={imported}
          onBack={() => {
            setImported(null);
            dispatch({ type: 'cleared' });
          }}
        />
      ) : (
        <StatusBanner controller={controller} snapshot={snapshot} />
      )}
      <SettingsProblem store={settings.store} state={settings.state} onOpen={() => dispatch({ type: 'view', view: 'settings' })} />
      <div class="view" id="view-panel" role="tabpanel" aria-labelledby={`tab-${view}`}>
        {view === 'frames' && (
          <FramesView
            session={session}
            snapshot={snapshot}
            filterText={filterText}
            showHeartbeats={showHeartbeats}
            frameFilter={ui.frameFilter}
            onFrameFilter={(patch) => dispatch({ type: 'frame-filter', patch })}
            onClearFilters={() => dispatch({ type: 'clear-frame-filters' })}
            revealKeys={revealKeys}
            selected={ui.selected}
            onSelect={(frame) => dispatch(frame ? { type: 'select', frame } : { type: 'deselect' })}
          />
        )}
        {view === 'connections' && (
          <ConnectionsView
            snapshot={snapshot}
            revealKeys={revealKeys}
            devtoolsSocket={controller.devtoolsNetwork ? (conn) => controller.devtoolsNetwork?.merger.devtoolsSocket(conn) : undefined}
            verdicts={analysis.kind === 'done' ? analysis.result.connections : undefined}
          />
        )}
        {view === 'channels' && <ChannelsView snapshot={snapshot} analysis={analysis} keysBar={keysBar} />}
        {view === 'tokens' && <TokensView analysis={analysis} keysBar={keysBar} reveal={ui.token} />}
        {view === 'http' && http && <HttpView items={http} revealKeys={revealKeys} reveal={ui.request} />}
        {view === 'findings' && (
          <FindingsView
            analysis={analysis}
            history={snapshot.findings}
            snapshot={snapshot}
            imported={imported !== null}
            selected={ui.finding}
            onSelect={(key) => dispatch({ type: 'select-finding', key })}
            onEvidence={(entry, link) => {
              const found = resolveEvidence(entry.finding, link.kind, snapshot.rows);
              setEvidenceProblem('missing' in found ? found.missing : undefined);
              if ('target' in found) dispatch({ type: 'reveal', target: found.target, finding: entry.key });
            }}
            onReloadAndCapture={() => controller.reloadAndCapture()}
            evidenceProblem={evidenceProblem}
            catalog={session.catalog}
          />
        )}
        {view === 'settings' && <SettingsView store={settings.store} state={settings.state} appliedCapture={controller.captureLimits} />}
      </div>
    </div>
  );
}
