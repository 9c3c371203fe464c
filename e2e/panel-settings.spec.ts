// Issue 11 item 5: the panel's settings live in extension storage (storage.local) and survive a
// browser restart (the same profile directory, launched again); a corrupt stored value gives the
// defaults with a message, and Reset is reachable from that message. Settings hold no secret.
// (An expected issuer silencing iss-unexpected: panel-findings.spec.ts.)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { DemoServer } from '../scripts/start-server';
import { appUrl, scenarioDone, startAppServer } from './support/app-server';
import { launchWithExtension, type LaunchedBrowser } from './support/launch';
import { openPanelTab, type PanelUi } from './support/panel-ui';

// `chrome` inside sw.evaluate callbacks is the extension service worker's global, not Node's.
declare const chrome: { storage: { local: { get(key: string): Promise<Record<string, unknown>>; set(items: Record<string, unknown>): Promise<void> } } };

let server: DemoServer;
let profileDir: string;
test.beforeAll(async () => {
  server = await startAppServer();
  profileDir = mkdtempSync(join(tmpdir(), 'claimscope-settings-profile-'));
});
test.afterAll(async () => {
  await server?.close();
  rmSync(profileDir, { recursive: true, force: true });
});

async function panelOnDemo(browser: LaunchedBrowser): Promise<{ page: Page; ui: PanelUi }> {
  const page = await browser.context.newPage();
  await page.goto(appUrl(server, { scenario: 'subscribe' }));
  await scenarioDone(page, 'subscribe');
  const ui = await openPanelTab(browser, await browser.tabIdOf(page));
  return { page, ui };
}

async function storedSettings(browser: LaunchedBrowser): Promise<unknown> {
  const sw = await browser.currentServiceWorker();
  return sw.evaluate(async () => (await chrome.storage.local.get('claimscope.settings'))['claimscope.settings'] ?? null);
}

test('settings survive a browser restart; a corrupt stored value falls back to the defaults with a message and Reset', async () => {
  // First run: set an audience, a role, a refresh margin and a capture limit.
  let browser = await launchWithExtension({ profileDir });
  try {
    const { ui } = await panelOnDemo(browser);
    await ui.root.getByTestId('view-settings').click();
    await ui.root.getByTestId('setting-expectedAudience').fill('my-audience');
    await ui.root.getByTestId('setting-extraRoles').fill('reporting, support');
    await ui.root.getByTestId('setting-refreshMarginSeconds').fill('120');
    await ui.root.getByTestId('setting-maxEvents').fill('50000');
    // A field that cannot be used is named, and nothing is saved.
    await ui.root.getByTestId('setting-claimValidators').fill('{"aud":');
    await ui.root.getByTestId('settings-save').click();
    await expect(ui.root.locator('[data-testid="setting-error"][data-field="claimValidators"]')).toContainText('not JSON');
    expect(await storedSettings(browser)).toBeNull();
    // A key is not a setting: refused, with why.
    await ui.root.getByTestId('setting-claimValidators').fill('{"apikey":"sb_secret_abcdefghijklmnopqrstu"}');
    await ui.root.getByTestId('settings-save').click();
    await expect(ui.root.locator('[data-testid="setting-error"][data-field="claimValidators"]')).toContainText('never hold a secret');
    await ui.root.getByTestId('setting-claimValidators').fill('{"aud":"my-audience"}');
    await ui.root.getByTestId('settings-save').click();
    await expect(ui.root.getByTestId('settings-saved')).toContainText('Saved');
    // The capture limit applies from the next panel: said so.
    await expect(ui.root.getByTestId('settings-capture-pending')).toContainText('next opened');
    expect(await storedSettings(browser)).toMatchObject({ v: 1, expectedAudience: 'my-audience', extraRoles: ['reporting', 'support'], refreshMarginSeconds: 120 });
  } finally {
    await browser.close();
  }

  // Second run on the same profile: the panel reads them back.
  browser = await launchWithExtension({ profileDir });
  try {
    const { page, ui } = await panelOnDemo(browser);
    await expect(ui.root.getByTestId('settings-problem')).toHaveCount(0);
    await ui.root.getByTestId('view-settings').click();
    await expect(ui.root.getByTestId('setting-expectedAudience')).toHaveValue('my-audience');
    await expect(ui.root.getByTestId('setting-extraRoles')).toHaveValue('reporting, support');
    await expect(ui.root.getByTestId('setting-refreshMarginSeconds')).toHaveValue('120');
    await expect(ui.root.getByTestId('setting-maxEvents')).toHaveValue('50000');
    await expect(ui.root.getByTestId('setting-claimValidators')).toHaveValue('{"aud":"my-audience"}');
    // This panel was opened with the new limit: nothing pending.
    await expect(ui.root.getByTestId('settings-capture-pending')).toHaveCount(0);
    await ui.close();

    // Corrupt the stored value (as a failed write or a hand edit would), then open a panel again.
    const sw = await browser.currentServiceWorker();
    await sw.evaluate(() => chrome.storage.local.set({ 'claimscope.settings': '{"v":1,"expectedAud' }));
    const again = await openPanelTab(browser, await browser.tabIdOf(page));
    const problem = again.root.getByTestId('settings-problem');
    await expect(problem).toBeVisible();
    await expect(problem).toContainText('the defaults are in use');
    // The panel still works on the defaults: the findings view is there.
    await expect(again.root.getByTestId('findings-view')).toBeVisible();
    await again.root.getByTestId('settings-problem-open').click();
    await expect(again.root.getByTestId('setting-expectedAudience')).toHaveValue('');
    await expect(again.root.getByTestId('setting-maxEvents')).toHaveValue('200000');
    // Reset from the message removes the stored value, and the message goes.
    await again.root.getByTestId('settings-problem-reset').click();
    await expect(problem).toHaveCount(0);
    await expect.poll(() => storedSettings(browser)).toBeNull();
  } finally {
    await browser.close();
  }
});
