// The ISOLATED-world content script: wires the document's store of record (src/content/store.ts)
// to `browser`, `window` and real timers. Everything it decides is in the store, tested in Node.

import browser from 'webextension-polyfill';
import { PORT_CONTENT } from '../messages';
import type { PortLike } from '../transport/endpoint';
import { scrubUrl } from '../core/url-secrets';
import { ContentStore } from './store';

const store = new ContentStore({
  docId: randomId(),
  // Scrubbed where it is first taken (issue 10 item 4): an implicit-flow fragment, ?code=, a
  // one-time token... never leave the page; what is left is the document's one URL.
  url: scrubUrl(location.href),
  isTop: (() => {
    try {
      return window.top === window;
    } catch {
      return false; // a cross-origin parent: this is an iframe
    }
  })(),
  startedAt: Date.now(),
  window,
  currentUrl: () => scrubUrl(location.href),
  connect() {
    if (!browser.runtime?.id) throw new Error('extension context invalidated');
    return browser.runtime.connect({ name: PORT_CONTENT }) as PortLike;
  },
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
});

// The hand-over listener runs before any page script and stays for the document's life (capture
// phase, first listener): see ContentStore.handover.
window.addEventListener('message', (e) => store.handover(e), true);

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => store.documentParsed(), { once: true });
else store.documentParsed();

browser.runtime.onMessage.addListener((message: unknown) => {
  const pong = store.ping(message);
  return pong ? Promise.resolve(pong) : undefined;
});

window.addEventListener('pagehide', (e) => store.pagehide(e.persisted));
window.addEventListener('pageshow', (e) => store.pageshow(e.persisted));

store.start();

function randomId(): string {
  const a = new Uint8Array(6);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}
