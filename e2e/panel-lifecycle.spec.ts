// The panel's two displays of page lifecycle the capture runtime reports (issue 3):
// - a document whose page hook never started (the content script runs, the MAIN-world hook never
//   handed over its port) is shown as such — never "Capturing" — and an iframe's is named on its own;
// - a socket still open when its page went away (navigation: pagehide as the document's last event)
//   is shown closed "page unloaded", not open forever.
// Through the real built extension (dist/chrome) and the demo app on the local Realtime server.

import { expect, test } from '@playwright/test';
import { appUrl, scenarioDone, startAppServer } from './support/app-server';
import { openPanelTab } from './support/panel-ui';
import { useExtensionSuite } from './support/suite';

const suite = useExtensionSuite(startAppServer);

test('a page whose hook did not start says so (not "Capturing") and offers Reload and capture', async () => {
  const page = await suite.browser.context.newPage();
  // An earlier script breaks the hook (as capture-smoke.spec.ts does): without MessageChannel the
  // hook cannot hand over its port. Playwright's init scripts run before content scripts.
  await page.addInitScript(() => {
    delete (window as { MessageChannel?: unknown }).MessageChannel;
  });
  const url = appUrl(suite.server, { scenario: 'subscribe' });
  await page.goto(url);
  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));

  // The hook's state is decided after DOMContentLoaded plus a grace period: poll until it is.
  await expect(ui.status()).toHaveAttribute('data-status', 'hook-missing', { timeout: 15_000 });
  const missing = ui.root.getByTestId('hook-missing');
  await expect(missing).toContainText(`did not start on this page: ${url}; nothing from this document is captured`);
  await expect(missing).toContainText('Reload the page; if it persists, report it with this URL.');
  await expect(ui.status()).not.toContainText('Capturing');
  await expect(ui.root.getByTestId('reload-and-capture')).toBeVisible();
  // The top document's own hook is the problem: no iframe line for it.
  await expect(ui.root.getByTestId('frame-hook-missing')).toHaveCount(0);
  await ui.close();
  await page.close();
});

test('an iframe whose hook did not start is named on its own line; the top status stays capturing', async () => {
  const page = await suite.browser.context.newPage();
  // Only frames lose MessageChannel: the top page's hook starts, the iframe's does not.
  await page.addInitScript(() => {
    if (window !== window.top) delete (window as { MessageChannel?: unknown }).MessageChannel;
  });
  await page.goto(appUrl(suite.server, { scenario: 'iframe', frame: 'same' }));
  await expect.poll(() => page.frames().length).toBeGreaterThan(1);
  const frameUrl = page.frames().find((f) => f !== page.mainFrame())!.url();
  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));

  const line = ui.root.getByTestId('frame-hook-missing');
  await expect(line).toHaveCount(1, { timeout: 15_000 });
  await expect(line).toContainText(`did not start in the frame ${frameUrl}`);
  await expect(ui.status()).not.toHaveAttribute('data-status', 'hook-missing');
  await expect(ui.root.getByTestId('hook-missing')).toHaveCount(0);
  await ui.close();
  await page.close();
});

test('navigating away shows the old page’s open socket and joined channel as closed "page unloaded"', async () => {
  const page = await suite.browser.context.newPage();
  await page.goto(appUrl(suite.server, { scenario: 'subscribe' }));
  expect((await scenarioDone(page, 'subscribe')).filter((o) => o.kind === 'error')).toEqual([]);
  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
  await expect(ui.status()).toHaveAttribute('data-status', 'capturing');

  await ui.view('connections');
  await expect(ui.connections()).toHaveCount(1);
  const row = ui.connections().first();
  await expect(row).toHaveAttribute('data-state', 'open');
  await expect(row).not.toHaveAttribute('data-closed-by', /.*/);
  const conn = (await row.getAttribute('data-conn'))!;

  // Another page in the same tab: the old document goes away with its socket open.
  await page.goto(appUrl(suite.server, { scenario: 'none' }));

  const old = ui.root.locator(`[data-testid="connection-row"][data-conn="${conn}"]`);
  await expect(old).toHaveAttribute('data-state', 'closed');
  await expect(old).toHaveAttribute('data-closed-by', 'page-unloaded');
  await expect(old.getByTestId('connection-state')).toHaveText('closed');
  await expect(old.getByTestId('connection-closed-by')).toHaveText('page unloaded');
  // No close code is invented for it.
  await expect(old.getByTestId('connection-close')).toContainText('page unloaded');
  await expect(old.getByTestId('connection-close')).not.toContainText(/with code \d/);

  await ui.view('channels');
  const channel = ui.root.locator('[data-testid="channel-row"][data-topic="realtime:room1"]');
  await expect(channel).toHaveCount(1);
  await expect(channel).toHaveAttribute('data-phase', 'closed');
  await expect(channel).toHaveAttribute('data-closed-by', 'page-unloaded');
  await expect(channel.getByTestId('channel-phase')).toHaveText('closed (page unloaded)');
  await ui.close();
  await page.close();
});
