// Claimscope popup entry (the toolbar button, manifest action.default_popup). Also works as an
// ordinary extension tab: "Open in a tab" opens chrome-extension://<id>/src/popup/popup.html?tabId=N,
// and UI tests open the same URL with the tab to summarise as `?tabId=N` (target-tab.ts): without
// it the popup summarises the active tab of its window, and never its own tab.
//
// Stable test ids (data-testid):
//   popup               the page root
//   open-in-tab         link: this page opened as a tab (keeps ?tabId), so it survives switching away
//   paste-box           the textarea (labelled "Paste a token")
//   keys-box            Verify with a key: data-secret / data-jwks = yes | no, data-remember = true | false;
//                       key-input (password field: JWT secret, or JWK / JWKS JSON), key-encoding (text |
//                       base64), key-apply, keys-remember (checkbox: storage.session until the browser
//                       closes, shared with the panel), keys-forget, keys-status, keys-error
//   decode-hint         shown for empty input; data-state = empty | whitespace
//   decode-failed       the judging itself failed (a bug; never expected)
//   picked-token        "Decoding <label>, seen on this tab." (a token picked from tab-token)
//   decode-result       the judged token; data-class (TokenClass, e.g. user-access-token,
//                       legacy-anon-key, publishable-key, secret-key, not-a-token), data-form =
//                       jwt | opaque-key | malformed; inside:
//     token-class       the class in words;  token-masked: the token, signature hidden
//     clean-note        one per thing the input cleaning changed (Bearer, quotes, URL-decoding, line breaks)
//     token-problem     one line: "Not a JWT: <reason>" / "Broken signature: <reason>"; data-segment =
//                       token | header | claims | signature
//     token-ref, token-role, signature-status (data-status = valid | invalid | unverified | …)
//     token-exp         live countdown; data-seconds-left ("" when exp is absent or not a number)
//     header-table, claims-table   field-row per field (data-name; the name cell's title is the
//                       field's description), field-time for numeric time claims (date and offset)
//     opaque-note       sb_ keys: why nothing can be predicted
//     finding-row       data-code, data-severity; cause and fix inside;  no-findings otherwise;
//                       inside it finding-fix (data-mint-fixes) with finding-diff: diff-row per changed
//                       field (data-where = header | claims, data-name, data-op = add | replace | remove)
//     fix-it            the corrected claims: corrected-diff (diff-rows, every fix + fresh iat/exp);
//                       mint-refused (hosted issuer, service_role) | mint-needs-key | mint-button;
//                       mint-error; minted-token (data-alg, data-kid) with minted-value (the token),
//                       copy-minted, copy-status
//     predicted-connect data-accepted = true | false | null, data-status;  predicted-join:
//                       data-accepted, data-reason (the server's words); verdict-conditional
//   tab-summary         data-tab-id (the summarised tab, "" when none: no-tab says why),
//                       data-analysis = pending | done | failed; inside: capture-status and
//                       reload-and-capture (as in the panel), tab-sockets, tab-channels, tab-errors
//                       (data-count; tab-errors "" until analysed), tab-top-finding (data-code,
//                       data-severity), tab-token (button; data-class, data-label), open-panel

import { render } from 'preact';
import browser from 'webextension-polyfill';
import { App } from './App';
import { findTargetTab } from './target-tab';
import '../ui/theme.css';
import './popup.css';

const target = await findTargetTab({
  search: location.search,
  queryActiveTabs: () => browser.tabs.query({ active: true, currentWindow: true }),
  currentTab: () => browser.tabs.getCurrent(),
});
render(<App target={target} />, document.getElementById('app')!);
