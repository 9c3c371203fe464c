// Service worker (Chromium) / background script (Firefox): wires the router to the browser.
// It holds no captured data (ARCHITECTURE.md): every listener is registered synchronously at
// start so a stopped worker is woken by ports, messages and webRequest events.

import browser, { type Runtime, type WebRequest } from 'webextension-polyfill';
import { PORT_CONTENT, PORT_PANEL, PROTOCOL_VERSION, type ContentPing } from '../messages';
import { CONTENT_PONG } from '../transport/schemas';
import { validateMessage } from '../transport/validate';
import { scrubUrl } from '../core/url-secrets';
import { SUPABASE_URL_PATTERNS, observationFromError, observationFromHeaders, type RequestDetails } from './network';
import { badgeWords, Router } from './router';
import { contentSenderFault, extensionOrigin, panelSenderFault, type ExtensionIdentity } from './senders';

const BADGE_COLOR = '#c5221f';
const MAX_INVALID_LOGGED = 20;
let invalidLogged = 0;

const router = new Router({
  async pingTab(tabId) {
    const ping: ContentPing = { type: 'claimscope:ping', v: PROTOCOL_VERSION };
    try {
      // Delivered to every frame of the tab; resolves with the first answer.
      const pong: unknown = await browser.tabs.sendMessage(tabId, ping);
      return validateMessage(CONTENT_PONG, pong).ok;
    } catch {
      return false; // "Receiving end does not exist": no content script in this tab
    }
  },
  async tabUrl(tabId) {
    const tab = await browser.tabs.get(tabId);
    // The status line shows it: scrubbed like every captured URL (an implicit-flow fragment...).
    return scrubUrl(tab.url || tab.pendingUrl || '') || undefined;
  },
  async reloadTab(tabId) {
    await browser.tabs.reload(tabId, { bypassCache: false });
  },
  setBadge(tabId, serverErrors, exposures) {
    const { text, title } = badgeWords(serverErrors, exposures);
    void browser.action.setBadgeText({ tabId, text }).catch(() => undefined);
    void browser.action.setBadgeBackgroundColor({ tabId, color: BADGE_COLOR }).catch(() => undefined);
    void browser.action.setTitle({ tabId, title }).catch(() => undefined);
  },
  now: () => Date.now(),
  invalidMessage(from, rejection) {
    // Our own contexts sent something this worker cannot read: a bug or a version skew, worth a
    // line in the service worker's console (a few, not a flood).
    if (++invalidLogged <= MAX_INVALID_LOGGED) console.warn(`Claimscope: ignored a message from a ${from === 'content' ? 'content script' : 'panel'}: ${rejection.reason}`);
  },
});

const self: ExtensionIdentity = { id: browser.runtime.id, origin: extensionOrigin(browser.runtime.getURL('')) };

browser.runtime.onConnect.addListener((port: Runtime.Port) => {
  if (port.name === PORT_CONTENT) {
    if (contentSenderFault(port.sender, self) !== undefined) return port.disconnect();
    router.contentConnected(port, port.sender!.tab!.id!, port.sender?.frameId ?? 0);
  } else if (port.name === PORT_PANEL) {
    // Only the extension's own pages may subscribe (never a content script in a web page, nor
    // another extension): src/background/senders.ts.
    const fault = panelSenderFault(port.sender, self);
    if (fault !== undefined) {
      console.warn(`Claimscope: refused a panel connection from ${fault}`);
      return port.disconnect();
    }
    router.panelConnected(port);
  } else port.disconnect();
});

browser.tabs.onRemoved.addListener((tabId: number) => router.tabRemoved(tabId));

// ---- webRequest: status and Date of Supabase responses and WebSocket upgrades -------------------
function onNetwork(make: (d: RequestDetails) => ReturnType<typeof observationFromHeaders>) {
  return (details: RequestDetails) => {
    try {
      const body = make(details);
      if (body) router.network(details.tabId, details.frameId, body, Math.round(details.timeStamp));
    } catch (e) {
      console.error('Claimscope: could not record a network observation', e);
    }
  };
}
const onHeaders = onNetwork(observationFromHeaders);
const onError = onNetwork(observationFromError);

function listenNetwork(urls: string[]): void {
  const filter: WebRequest.RequestFilter = { urls };
  browser.webRequest.onHeadersReceived.addListener(onHeaders as (d: WebRequest.OnHeadersReceivedDetailsType) => void, filter, ['responseHeaders']);
  browser.webRequest.onErrorOccurred.addListener(onError as (d: WebRequest.OnErrorOccurredDetailsType) => void, filter);
}

try {
  // ws:// and wss:// patterns are listed explicitly: `*://` means http(s) only in some browsers.
  const wsPatterns = SUPABASE_URL_PATTERNS.filter((p) => p.includes('websocket') || p.includes('realtime')).flatMap((p) => [
    p.replace('*://', 'ws://'),
    p.replace('*://', 'wss://'),
  ]);
  listenNetwork([...SUPABASE_URL_PATTERNS, ...wsPatterns]);
} catch (e) {
  // A browser that refuses ws(s) match patterns: the http(s) ones still cover the upgrade request.
  console.warn('Claimscope: ws:// match patterns refused, observing http(s) patterns only', e);
  listenNetwork(SUPABASE_URL_PATTERNS);
}
