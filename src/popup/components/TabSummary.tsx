// "This tab" at a glance: the tab's capture status (the panel's own banner, with Reload and capture
// when the page is not captured), counts of Realtime sockets, channels and error findings, the top
// finding, the tokens seen (one click judges it in the quick decode), and the full panel opened
// as a tab for this tab id (no API opens DevTools). The tab's session is the panel's: the same
// PanelController, link and Session, analysed by the same hook.

import { useMemo } from 'preact/hooks';
import browser from 'webextension-polyfill';
import type { FindingEntry } from '../../core/session';
import { PanelController } from '../../panel/controller';
import type { PortLike } from '../../panel/link';
import { StatusBanner } from '../../panel/components/StatusBanner';
import { useAnalysis } from '../../panel/components/useAnalysis';
import { useControllerUpdates } from '../../panel/useControllerUpdates';
import type { PickedToken } from './QuickDecode';

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

export function TabSummary({ tabId, onPick }: { tabId: number; onPick: (token: PickedToken) => void }) {
  const controller = useMemo(() => new PanelController(tabId, (name) => browser.runtime.connect({ name }) as unknown as PortLike), [tabId]);
  useControllerUpdates(controller);
  const snapshot = controller.session.snapshot();
  const analysis = useAnalysis(controller.session, snapshot, true);
  const active = snapshot.findings.filter((e) => e.state === 'active');
  const errors = active.filter((e) => e.finding.severity === 'error').length;
  const top = topFinding(active);
  const done = analysis.kind === 'done' ? analysis.result : undefined;

  return (
    <section class="tab-summary" data-testid="tab-summary" data-tab-id={tabId} data-analysis={analysis.kind} aria-labelledby="tab-heading">
      <h2 id="tab-heading" class="heading">
        This tab
      </h2>
      <StatusBanner controller={controller} snapshot={snapshot} />
      <p class="counts">
        <span data-testid="tab-sockets" data-count={snapshot.connections.length}>
          {plural(snapshot.connections.length, 'Realtime socket')}
        </span>
        {' · '}
        <span data-testid="tab-channels" data-count={snapshot.channels.length}>
          {plural(snapshot.channels.length, 'channel')}
        </span>
        {' · '}
        <span data-testid="tab-errors" data-count={done ? errors : ''} class={errors > 0 ? 'error' : ''}>
          {done ? plural(errors, 'error finding') : 'analysing…'}
        </span>
      </p>
      {analysis.kind === 'failed' && <p class="line error">The analysis failed: {analysis.message}. Open the full panel; please report this.</p>}
      {top && (
        <div class={`finding ${top.severity}`} data-testid="tab-top-finding" data-code={top.code} data-severity={top.severity}>
          <span class={`badge sev-${top.severity}`}>{top.severity}</span> <span class="code">{top.code}</span> {top.message}
          {top.fix && <p>Fix: {top.fix}</p>}
        </div>
      )}
      {done && done.tokens.length > 0 && (
        <div class="tab-tokens">
          <span class="muted">Tokens seen on this tab (click one to decode it):</span>
          <ul>
            {done.tokens.map((t) => {
              const seen = done.analysis.tokens.find((s) => s.token.label === t.label);
              const raw = typeof seen?.token.raw === 'string' ? seen.token.raw : seen?.token.cleaned;
              const tokenErrors = t.findings.filter((f) => f.severity === 'error').length;
              return (
                <li key={t.id}>
                  <button
                    type="button"
                    class="link"
                    data-testid="tab-token"
                    data-class={t.tokenClass}
                    data-label={t.label}
                    disabled={raw === undefined}
                    onClick={() => raw !== undefined && onPick({ raw, label: t.label })}
                  >
                    {t.label}
                  </button>
                  {tokenErrors > 0 && <span class="error"> {plural(tokenErrors, 'error')}</span>}
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <p>
        <button
          type="button"
          data-testid="open-panel"
          onClick={() => void browser.tabs.create({ url: `${browser.runtime.getURL('src/panel/panel.html')}?tabId=${tabId}` })}
        >
          Open the full panel for this tab
        </button>
      </p>
    </section>
  );
}

function topFinding(active: readonly FindingEntry[]) {
  const sorted = [...active].sort((a, b) => SEVERITY_ORDER[a.finding.severity] - SEVERITY_ORDER[b.finding.severity]);
  return sorted[0]?.finding;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
