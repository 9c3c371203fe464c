import { describe, expect, it } from 'vitest';
import { contentSenderFault, extensionOrigin, panelSenderFault, type ExtensionIdentity } from './senders';

const chrome: ExtensionIdentity = { id: 'abcdefghijklmnopabcdefghijklmnop', origin: extensionOrigin('chrome-extension://abcdefghijklmnopabcdefghijklmnop/') };
const firefox: ExtensionIdentity = { id: 'claimscope@claimscope.dev', origin: extensionOrigin('moz-extension://0f1e2d3c-aaaa-bbbb-cccc-1234567890ab/') };

describe('panel port senders', () => {
  it('accepts the extension’s own pages: the DevTools panel, the popup, the panel opened as a tab', () => {
    expect(chrome.origin).toBe('chrome-extension://abcdefghijklmnopabcdefghijklmnop');
    expect(panelSenderFault({ id: chrome.id, origin: chrome.origin, url: `${chrome.origin}/src/panel/panel.html` }, chrome)).toBeUndefined();
    expect(panelSenderFault({ id: chrome.id, origin: chrome.origin, url: `${chrome.origin}/src/popup/popup.html?tabId=3`, tab: { id: 9, url: `${chrome.origin}/src/popup/popup.html?tabId=3` } }, chrome)).toBeUndefined();
    // Firefox gives no origin, only the URL.
    expect(panelSenderFault({ id: firefox.id, url: 'moz-extension://0f1e2d3c-aaaa-bbbb-cccc-1234567890ab/src/panel/panel.html' }, firefox)).toBeUndefined();
  });

  it('refuses the extension’s own content script in a web page, another extension, and senders it cannot place', () => {
    // A content script has the extension's id but the page's origin.
    expect(panelSenderFault({ id: chrome.id, origin: 'https://evil.example', url: 'https://evil.example/', tab: { id: 4, url: 'https://evil.example/' }, frameId: 0 }, chrome)).toBe(
      'a document of https://evil.example, not of the extension',
    );
    expect(panelSenderFault({ id: firefox.id, url: 'https://evil.example/x', tab: { id: 4 } }, firefox)).toMatch(/not of the extension/);
    // about:blank / data: / opaque origins in an iframe.
    expect(panelSenderFault({ id: chrome.id, origin: 'null', url: 'about:blank' }, chrome)).toMatch(/not of the extension/);
    expect(panelSenderFault({ id: chrome.id, url: 'data:text/html,x' }, chrome)).toMatch(/not of the extension/);
    // Another extension's pages (same scheme, other id), and a look-alike host.
    expect(panelSenderFault({ id: 'zzzz', origin: 'chrome-extension://zzzz', url: 'chrome-extension://zzzz/p.html' }, chrome)).toBe('another extension');
    expect(panelSenderFault({ id: chrome.id, origin: `${chrome.origin}.evil.example` }, chrome)).toMatch(/not of the extension/);
    expect(panelSenderFault(undefined, chrome)).toBe('no sender');
    expect(panelSenderFault({ id: chrome.id }, chrome)).toMatch(/unknown origin/);
    expect(panelSenderFault({ id: chrome.id, origin: chrome.origin }, { id: chrome.id, origin: '' })).toBe('the extension origin is unknown');
  });
});

describe('content port senders', () => {
  it('accepts a content script in a tab, refuses anything else', () => {
    expect(contentSenderFault({ id: chrome.id, tab: { id: 4 }, frameId: 0, url: 'https://app.test/' }, chrome)).toBeUndefined();
    expect(contentSenderFault({ id: chrome.id, url: `${chrome.origin}/src/panel/panel.html` }, chrome)).toBe('not in a tab');
    expect(contentSenderFault({ id: chrome.id, tab: { id: -1 } }, chrome)).toBe('not in a tab');
    expect(contentSenderFault({ id: 'other', tab: { id: 4 } }, chrome)).toBe('another extension');
  });
});
