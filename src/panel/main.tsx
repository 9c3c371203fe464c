// Claimscope DevTools panel entry. Works inside DevTools (tab from
// chrome.devtools.inspectedWindow.tabId) and as an ordinary extension tab given `?tabId=N`
// (used by UI tests: chrome-extension://<id>/<panel page>?tabId=N).
//
// Stable test ids (data-testid):
//   capture-status      the capture banner; data-status = connecting | capturing | capturing-idle
//                       | not-capturing | restricted | hook-missing
//   reload-and-capture  button shown with data-status=not-capturing or hook-missing
//   hook-missing        inside capture-status[data-status=hook-missing]: the top document's page hook
//                       did not start ("...did not start on this page: <url>; nothing ... is captured")
//   frame-hook-missing  one per iframe whose page hook did not start (data-doc = its docId); the top
//                       status is unchanged
//   capture-tampered    one per document where a forgery was detected (data-doc, data-count)
//   problem             protocol mismatch / malformed messages from the background (role=alert)
//   link-reconnecting   shown while the panel reconnects to a restarted service worker
//   link-broken         the extension context is gone (extension reloaded)
//   view-findings (the default), view-frames, view-connections, view-channels, view-tokens, view-http,
//   view-settings       view tabs
//   filter-input        free-text filter over topic / event / payload (Frames view)
//   toggle-heartbeats   checkbox: show heartbeat frames (on by default)
//   toggle-reveal-keys  checkbox: show API keys in URLs and JWT signatures / sb_secret_ keys in frames
//                       unmasked (off by default)
//   clear-button        clears the panel and asks the background to clear the tab's store
//                       (disabled while an imported file is shown)
//   export-button       prepares the session file (docs/session-format.md), redacted, and opens
//                       export-dialog (data-format = session | har): export-dialog-removed says what
//                       goes (data-jwt-signatures, data-secret-keys, data-secret-values,
//                       data-personal), export-include-personal (checkbox), export-save writes it
//                       via a download, export-cancel; export-status (data-kind = busy | ok) then
//                       says what was removed
//   export-har-button   the same for HAR 1.2 (Chrome's _webSocketMessages form), redacted
//   copy-report-button  copies the Markdown bug report (core/export/bug-report.ts), redacted;
//                       export-status then says "Bug report copied …"
//   import-button       opens the file picker; import-input is the (hidden) <input type=file>; a file
//                       dropped anywhere on the panel is read the same way (drop-hint while dragging)
//   import-progress     <progress> while a file is read (export-status data-kind=busy)
//   import-preview      after reading: what the file is and holds, before anything changes
//                       (data-kind = session | har, data-redacted = true | false); inside:
//                       import-preview-counts (data-events, data-sockets, data-frames, data-http),
//                       import-preview-redaction, import-preview-warning, import-open, import-cancel
//   import-error        one line (role=alert) when a file cannot be read; nothing in the panel changes
//   imported-banner     shown instead of capture-status while an imported file is on screen
//                       (data-file = its name); "Imported: <file name> …"; import-warning lines;
//                       imported-back returns to the live capture
//   drop-counter        "Dropped: N by store · M by panel · K previews[ · L never reached the panel]";
//                       attributes data-store-dropped, data-panel-dropped, data-truncated, data-lost
//                       (events recorded by the page that never reached this panel: held + panel
//                       dropped + lost = all recorded), data-post-failures
//   frames-list         the (virtualised) frame list; frames-count: "Showing N of M frames"
//   frame-row           data-event (Phoenix event, e.g. phx_join, phx_reply, broadcast, heartbeat;
//                       "" if undecodable), data-topic, data-dir = sent | received
//   socket-row          socket lifecycle line, data-kind = ws-connecting | ws-open | ws-close | ws-error
//   reload-separator    "Page reloaded: <url>";  drops-row: a capture drop notice
//   frame-details, frame-payload, frame-raw, undecodable-reason   the selected frame
//   frame-filters       the Frames view's filter bar: filter-regex (checkbox: the filter text is a
//                       regex), filter-dir, filter-topic, filter-event (selects), filter-errors
//                       (checkbox), filter-clear; in frames-count: filter-error (role=alert: invalid or
//                       refused regex), filter-stopped (data-checked: a regex search out of time),
//                       selected-hidden (the open frame is filtered out)
//   frames-listbox      role=listbox around frames-list (aria-activedescendant = the cursor row);
//                       frame-row has role=option, id frame-option-N, aria-selected, data-error
//   frame-details ...   also: frame-details-close, frame-link (data-role = reply | push: the other
//                       end of the push/reply pair), payload-tab-tree | -json | -hex, frame-tree
//                       (role=tree; json-node rows: data-path "$/config/presence", data-kind,
//                       aria-expanded, aria-level; json-more), frame-hex (data-bytes)
//   html[data-theme]    dark | light from DevTools' theme (absent outside DevTools)
//   connection-row      data-state = connecting | open | closed | refused, data-conn;
//                       data-closed-by = page-unloaded | bfcache when the socket was still open or
//                       connecting as its document went away (pagehide; no close code invented);
//                       inside: connection-state, connection-url, connection-frames,
//                       connection-close, refused-explanation, connection-closed-by (the words:
//                       "page unloaded" | "page in back/forward cache")
//   other-sockets       count of non-Realtime sockets
//   channel-row         data-topic, data-phase, data-join-ref; data-closed-by = page-unloaded | bfcache
//                       when a joined/joining/leaving channel ended with its page (data-phase = closed,
//                       channel-phase reads "closed (page unloaded)"); inside: channel-phase,
//                       app-status (what realtime-js told the page's subscribe callback, inferred:
//                       data-status = SUBSCRIBED | TIMED_OUT | CHANNEL_ERROR | CLOSED of the latest,
//                       data-message = its err.message; one app-status-entry per status, data-status),
//                       join-attempt (data-status = ok | error | awaiting-reply | timed-out |
//                       connection-closed), join-reason, system-message, channel-privacy
//                       (data-private), channel-server-error (data-source = join-reply | system |
//                       phx_error, data-said), postgres-changes (data-state = requested | subscribed |
//                       error | join-refused, data-bindings), channel-client (data-client),
//                       channel-client-note
//                       Claims engine (once the throttled analysis ran): effective-token (data-source =
//                       join-access-token | join-user-token | access-token-push | apikey | gateway | "",
//                       data-label, data-seconds-left), ignored-pushes (data-count), and for the latest
//                       join: predicted-verdict (data-accepted = true | false | null, data-conditional,
//                       data-reason), server-verdict (data-status = ok | error | awaiting | no-reply,
//                       data-reason), verdict-match (data-match = yes | no | pending | none; none = no
//                       prediction possible or no reply will come)
//   connection-row ...  also predicted-connect (data-accepted, data-status) and connect-match (data-match)
//   http-row            data-status; net-row (network-layer observations)
//   findings-view       finding-row: data-code, data-severity, data-state = active | resolved (the
//                       session's findings history: resolved ones follow a resolved-findings heading);
//                       inside a resolved row: finding-resolved, finding-resolution (data-resolved-by =
//                       the code of the finding that resolved it, e.g. server-channel-closed, or "")
//   tokens-view         data-state = pending | done; clock-skew (data-known); token-row: data-class
//                       (TokenClass, e.g. user-access-token, legacy-service-role-key, publishable-key),
//                       data-label (the engine's token label, never the token), data-ref, data-role;
//                       inside: token-label, token-masked, token-ref, token-role, token-aud, token-iss,
//                       token-exp (data-seconds-left), token-alg, token-use (data-kind), predicted-connect,
//                       predicted-join (data-accepted, data-reason), verdict-conditional, token-finding
//                       (data-code, data-severity)
//   findings-state      the line above the findings: data-state = not-capturing (with
//                       findings-reload-and-capture) | restricted | connecting | no-traffic | analysing
//                       | healthy ("N sockets, M channels, no problems found") | problems (data-problems)
//   finding-group       one per code: data-code, data-count, data-active; finding-group-count
//   finding-row ...     also: finding-select (the row's head: selects it, aria-expanded), finding-time,
//                       finding-channel, finding-cause (one line until selected), finding-fix,
//                       finding-where (selected only), finding-evidence (data-kind = frame | request |
//                       token: opens Frames with the frame selected, HTTP with the call highlighted
//                       (http-row[data-revealed=true]), Tokens with the token highlighted
//                       (token-row[data-revealed=true])); evidence-missing when it is no longer held
//   view-settings       the Settings view: settings-view, setting-<field> inputs (expectedAudience,
//                       extraRoles, expectedIssuers, claimValidators, refreshMarginSeconds, maxEvents,
//                       maxMegabytes), setting-error (data-field), settings-save, settings-reset,
//                       settings-saved, settings-capture-pending
//   settings-problem    banner (role=alert) when stored settings could not be read (defaults in use):
//                       settings-problem-reset, settings-problem-open
//   frame-copy, frame-copy-raw, frame-copy-status   in frame-details; token-copy, token-copy-raw,
//                       token-copy-status in token-row; finding-copy, finding-copy-raw,
//                       finding-copy-status in a selected finding-row: Copy (masked: the export's
//                       redaction, core/export/redact.ts) and Copy raw (unmasked) put the item on the
//                       clipboard (src/panel/copy-text.ts); the status (role=status, data-kind = ok |
//                       error, data-mode = masked | raw) says what was copied or why it could not be
//   project-keys        data-jwks / data-secret = yes | no; fetch-jwks (data-origin), secret-input,
//                       secret-encoding, secret-apply, keys-remember (checkbox: keep the keys in
//                       storage.session until the browser closes, shared with the popup), keys-forget,
//                       project-keys-error

import { render } from 'preact';
import browser from 'webextension-polyfill';
import { App } from './App';
import { PanelController } from './controller';
import { findDevtoolsNetwork } from './devtools-network';
import type { PortLike } from './link';
import { sharedSettingsStore } from '../ui/shared-settings';
import { followDevtoolsTheme } from './theme';
import '../ui/theme.css';
import './panel.css';

function inspectedTabId(): number | undefined {
  // chrome.devtools exists only inside DevTools (Firefox provides the chrome namespace too).
  const devtools = (globalThis as { chrome?: { devtools?: { inspectedWindow?: { tabId?: number } } } }).chrome?.devtools;
  const fromDevtools = devtools?.inspectedWindow?.tabId;
  if (typeof fromDevtools === 'number') return fromDevtools;
  const fromQuery = new URLSearchParams(location.search).get('tabId');
  if (fromQuery !== null && /^\d+$/.test(fromQuery)) return Number(fromQuery);
  return undefined;
}

followDevtoolsTheme();
const root = document.getElementById('app')!;
const tabId = inspectedTabId();
if (tabId === undefined) {
  render(
    <p class="banner error" data-testid="capture-status" data-status="no-tab">
      Claimscope does not know which tab to inspect. Open it from DevTools (the Claimscope panel), or add ?tabId=N to this page’s
      URL.
    </p>,
    root,
  );
} else {
  // The capture limits are settings (storage.local): read them first — a local read of a few
  // milliseconds; an unreadable value gives the defaults, and the panel says so.
  const settings = sharedSettingsStore();
  void settings.load().then(() => {
    const controller = new PanelController(tabId, (name) => browser.runtime.connect({ name }) as unknown as PortLike, settings.get().settings.capture);
    // Inside DevTools, its network log adds the Realtime sockets the page hook cannot see (workers).
    const network = findDevtoolsNetwork();
    if (network) controller.attachDevtoolsNetwork(network);
    render(<App controller={controller} />, root);
  });
}
