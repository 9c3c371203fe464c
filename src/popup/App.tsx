// The Claimscope popup: quick decode of a pasted token, and the current tab at a glance. Nothing
// here opens a network connection (popup.html's CSP forbids it: connect-src 'none').

import { useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { QuickDecode, type PickedToken } from './components/QuickDecode';
import { TabSummary } from './components/TabSummary';
import type { TargetTab } from './target-tab';

export function App({ target }: { target: TargetTab }) {
  const [text, setText] = useState('');
  const [picked, setPicked] = useState<PickedToken | null>(null);
  const popupUrl = browser.runtime.getURL('src/popup/popup.html') + (target.kind === 'tab' ? `?tabId=${target.tabId}` : '');
  return (
    <main class="popup" data-testid="popup">
      <header class="popup-header">
        <h1 class="brand">Claimscope</h1>
        <a
          href={popupUrl}
          target="_blank"
          rel="noopener"
          data-testid="open-in-tab"
          title="A popup closes when you switch away (to fetch a secret, say); this page in a tab stays open. What you pasted is not carried over."
          onClick={(e) => {
            e.preventDefault();
            void browser.tabs.create({ url: popupUrl });
          }}
        >
          Open in a tab
        </a>
      </header>
      <QuickDecode
        text={text}
        picked={picked}
        onText={(t) => {
          setText(t);
          setPicked(null);
        }}
      />
      {target.kind === 'tab' ? (
        <TabSummary
          tabId={target.tabId}
          onPick={(token) => {
            setText('');
            setPicked(token);
            window.scrollTo(0, 0);
          }}
        />
      ) : (
        <section class="tab-summary" data-testid="tab-summary" data-tab-id="">
          <h2 class="heading">This tab</h2>
          <p class="muted" data-testid="no-tab">
            {target.reason}
          </p>
        </section>
      )}
    </main>
  );
}
