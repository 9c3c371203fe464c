// The capture status in words. "Not capturing" (the page predates the extension) and "no Supabase
// traffic yet" look alike as an empty panel, so they get distinct banners and testable states.

import { frameHookMissingText, hookMissingText, maskApikeyInUrl, maskTokensInText, tamperedText, type SessionSnapshot } from '../../core/session';
import type { PanelController } from '../controller';
import { capturedText } from '../../ui/format';

/**
 * A document or tab URL on screen. Captured URLs arrive scrubbed (core/url-secrets: no refresh
 * token, code or password; JWTs without signature), but a URL's `apikey` and any JWT in it are
 * masked here as everywhere else on screen.
 */
const screenUrl = (url: string) => maskTokensInText(maskApikeyInUrl(url));

export function StatusBanner({ controller, snapshot }: { controller: PanelController; snapshot: SessionSnapshot }) {
  const state = snapshot.capture;
  const link = controller.linkState;
  const problems: preact.ComponentChildren[] = [];
  if (state.problem) {
    problems.push(
      <div class="banner error" role="alert" data-testid="problem" key="problem">
        {state.problem}
      </div>,
    );
  }
  if (link.kind === 'broken') {
    problems.push(
      <div class="banner error" role="alert" data-testid="link-broken" key="link">
        {link.message}
      </div>,
    );
  } else if (link.kind === 'reconnecting' && link.attempt > 0) {
    problems.push(
      <div class="banner info" data-testid="link-reconnecting" key="link">
        Reconnecting to Claimscope’s background (the browser stopped its service worker). Nothing captured is lost: the page keeps
        recording.
      </div>,
    );
  }

  const hooks = state.hookReport;
  let banner: preact.ComponentChildren;
  switch (hooks.top ? 'hook-missing' : state.status) {
    case 'hook-missing':
      // The content script runs but the page hook does not: never "Capturing" (messages.ts HookState).
      banner = (
        <div class="banner warn" role="alert" data-testid="capture-status" data-status="hook-missing">
          <span data-testid="hook-missing" class="captured">{capturedText(hookMissingText(screenUrl(hooks.top!.url)), 2_000)}</span>
          <button type="button" class="primary" data-testid="reload-and-capture" onClick={() => controller.reloadAndCapture()}>
            Reload and capture
          </button>
        </div>
      );
      break;
    case 'connecting':
      banner = (
        <div class="banner info" data-testid="capture-status" data-status="connecting">
          Connecting to Claimscope’s background…
        </div>
      );
      break;
    case 'restricted':
      banner = (
        <div class="banner warn" data-testid="capture-status" data-status="restricted">
          Claimscope cannot capture on this page: browsers do not let extensions run on their own pages (chrome://, about:, the
          extension store). Open your app in this tab.
        </div>
      );
      break;
    case 'not-capturing':
      banner = (
        <div class="banner warn" data-testid="capture-status" data-status="not-capturing">
          <span>
            Not capturing on this page — it was opened before Claimscope was installed or updated. Reload it so Claimscope sees it
            from the first frame.
          </span>
          <button type="button" class="primary" data-testid="reload-and-capture" onClick={() => controller.reloadAndCapture()}>
            Reload and capture
          </button>
        </div>
      );
      break;
    case 'capturing': {
      const quiet = snapshot.eventCount === 0 && snapshot.connections.length === 0;
      banner = quiet ? (
        <div class="banner info" data-testid="capture-status" data-status="capturing-idle">
          Capturing — no Supabase traffic yet. Realtime sockets and Supabase HTTP calls made by this page will appear here.
        </div>
      ) : (
        <div class="banner ok" data-testid="capture-status" data-status="capturing">
          Capturing{state.tabUrl ? ` on ${capturedText(screenUrl(state.tabUrl), 2_000)}` : ''}
        </div>
      );
      break;
    }
  }
  return (
    <div class="banners">
      {problems}
      {banner}
      {hooks.frames.map((f) => (
        <div class="banner warn" data-testid="frame-hook-missing" data-doc={f.docId} key={f.docId}>
          {capturedText(frameHookMissingText(screenUrl(f.url)), 2_000)}
        </div>
      ))}
      {hooks.tampered.map((t) => (
        <div class="banner warn" role="alert" data-testid="capture-tampered" data-doc={t.docId} data-count={t.count} key={`tampered-${t.docId}`}>
          {capturedText(tamperedText({ ...t, url: screenUrl(t.url) }), 2_000)}
        </div>
      ))}
      <DevtoolsNetworkLine controller={controller} />
    </div>
  );
}

/** Inside DevTools: what its network log added (sockets the hook cannot see), and its problems. */
function DevtoolsNetworkLine({ controller }: { controller: PanelController }) {
  const reader = controller.devtoolsNetwork;
  if (!reader) return null;
  const summary = reader.merger.summary();
  const status = reader.readerStatus();
  const parts: preact.ComponentChildren[] = [];
  if (summary.devtoolsOnly > 0) {
    parts.push(
      <div class="banner warn" data-testid="devtools-network" data-devtools-only={summary.devtoolsOnly} key="added">
        {summary.devtoolsOnly === 1 ? '1 Realtime socket was' : `${summary.devtoolsOnly} Realtime sockets were`} seen by DevTools only: opened
        where Claimscope’s page hook does not run (typically a Web Worker). They come from DevTools’ network log, so they are visible only
        while DevTools is open, and their frames follow every few seconds while they stay open{status.lastReadMs !== undefined ? ` (last read of the log: ${Math.round(status.lastReadMs)} ms)` : ''}.
      </div>,
    );
  }
  if (summary.problems.length > 0) {
    parts.push(
      <div class="banner warn" data-testid="devtools-network-problem" key="problems">
        DevTools network log: {summary.problems.join(' · ')}
      </div>,
    );
  }
  return <>{parts}</>;
}
