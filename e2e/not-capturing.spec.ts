// A tab that was open before Claimscope was installed has no hook: the panel must say so (not "no
// Supabase traffic yet") and its Reload and capture button must bring capture back. The extension
// is installed while the tab is open (CDP Extensions.loadUnpacked), as a user installs it:
// Chromium does not inject content scripts into tabs that are already open.

import { expect, test } from '@playwright/test';
import { appUrl, scenarioDone, startAppServer } from './support/app-server';
import { openPanelTab } from './support/panel-ui';
import { useExtensionSuite } from './support/suite';

const suite = useExtensionSuite(startAppServer, { installLater: true });

test('a tab opened before the extension was installed is reported as not capturing, and Reload and capture fixes it', async () => {
  const page = await suite.browser.context.newPage();
  await page.goto(appUrl(suite.server, { scenario: 'subscribe' }));
  await scenarioDone(page, 'subscribe');

  await suite.browser.installExtension();
  const tabId = await suite.browser.tabIdOf(page);
  const panel = await openPanelTab(suite.browser, tabId);
  await expect(panel.status()).toHaveAttribute('data-status', 'not-capturing');
  await expect(panel.status()).toContainText(/opened before Claimscope was installed or updated/i);
  // Not to be confused with a capturing tab that has seen no Supabase traffic.
  await expect(panel.status()).not.toContainText(/no Supabase traffic yet/i);
  // The default view (Findings) says so too, with its own Reload and capture.
  await expect(panel.root.getByTestId('findings-state')).toHaveAttribute('data-state', 'not-capturing');
  await expect(panel.root.getByTestId('findings-reload-and-capture')).toBeVisible();
  await panel.view('frames');
  await expect(panel.frameRows()).toHaveCount(0);

  await panel.root.getByTestId('reload-and-capture').click();
  await expect(panel.status()).toHaveAttribute('data-status', /^capturing/, { timeout: 20_000 });
  // The reloaded page subscribes again, and this time its first frames are captured.
  await panel.view('frames');
  await expect(panel.frameRows({ event: 'phx_join', dir: 'sent' }).first()).toBeVisible({ timeout: 20_000 });
  await expect(panel.frameRows({ event: 'phx_reply', dir: 'received' }).first()).toBeVisible();
  await panel.close();
});
