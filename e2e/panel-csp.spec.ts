// Issue 10 item 8: the extension pages' content-security policy (manifest.json
// content_security_policy.extension_pages) limits where they can connect, and still allows the
// Fetch JWKS requests: https, and http (loopback, or any host when the inspected page is http).
// Measured in the real panel page in Chromium: what a connection attempt does under the policy.

import { expect, test } from '@playwright/test';
import { openPanelTab } from './support/panel-ui';
import { startRawServer } from './support/raw-server';
import { useExtensionSuite } from './support/suite';

const suite = useExtensionSuite(startRawServer);

test('the panel page may fetch over http(s), not open WebSockets or read data: URLs', async () => {
  const page = await suite.browser.context.newPage();
  await page.goto(`${suite.server.origin}/raw-socket.html`);
  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
  const panel = ui.root as import('@playwright/test').Page;
  const result = await panel.evaluate(async (origin) => {
    const violations: string[] = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.effectiveDirective} ${e.blockedURI.split(':')[0]}`));
    const tryFetch = async (url: string) => {
      try {
        const res = await fetch(url, { credentials: 'omit', redirect: 'error', referrerPolicy: 'no-referrer' });
        return `ok ${res.status}`;
      } catch (e) {
        return `refused: ${(e as Error).name}`;
      }
    };
    const ws = await new Promise<string>((resolve) => {
      try {
        const s = new WebSocket(origin.replace('http:', 'ws:') + '/realtime/v1/websocket');
        s.onopen = () => resolve('open');
        s.onerror = () => resolve('error');
      } catch (e) {
        resolve(`refused: ${(e as Error).name}`);
      }
    });
    const out = {
      http: await tryFetch(`${origin}/raw-socket.html`),
      data: await tryFetch('data:application/json,{"keys":[]}'),
      blob: await tryFetch(URL.createObjectURL(new Blob(['{}']))),
      ws,
      violations: [] as string[],
    };
    await new Promise((r) => setTimeout(r, 200));
    out.violations = violations;
    return out;
  }, suite.server.origin);
  expect(result.http).toBe('ok 200');
  expect(result.data).toMatch(/^refused/);
  // Measured: Chromium lets 'self' match the page's own blob: URLs (data it already holds).
  expect(result.blob).toBe('ok 200');
  expect(result.ws).not.toBe('open');
  expect(result.violations).toEqual(expect.arrayContaining(['connect-src data', 'connect-src ws']));
  await ui.close();
  await page.close();
});
