// The extension's devtools_page: it has no UI of its own, it only registers the Claimscope panel.
// DevTools loads this page each time it opens on a tab (Chromium and Firefox alike).

import browser from 'webextension-polyfill';

// The panel page path is relative to the extension root. Resolve it from this page's own URL so it
// stays right whatever folder the build puts the HTML pages in (src/devtools next to src/panel).
const panelPage = new URL('../panel/panel.html', location.href).pathname.replace(/^\//, '');

browser.devtools.panels.create('Claimscope', 'icons/icon-32.png', panelPage).catch((error: unknown) => {
  // Nothing else can show this: the devtools page is invisible. The console of the devtools page
  // (inspect it via chrome://inspect or about:debugging) is where a developer would look.
  console.error('Claimscope: could not register the DevTools panel:', error);
});
