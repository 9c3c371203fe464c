// Regenerates the README's screenshots from the real build: the demo app's expired-token scenario
// (real supabase-js against the local server), captured by the extension, shown in the panel; and
// the popup for that tab, with an expired local token verified and its corrected token minted.
//
//   npm run build && npm run build:app && npm run screenshots
//
// Run it whenever the panel's look changes, and commit the PNGs with that change.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { appUrl, scenarioDone, startAppServer } from '../e2e/support/app-server';
import { launchWithExtension, REPO_ROOT } from '../e2e/support/launch';
import { openPanelTab } from '../e2e/support/panel-ui';

const OUT = join(REPO_ROOT, 'docs/screenshots');

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await startAppServer();
  const browser = await launchWithExtension();
  try {
    const page = await browser.context.newPage();
    await page.goto(appUrl(server, { scenario: 'expired-token' }));
    await scenarioDone(page, 'expired-token');
    const panel = await openPanelTab(browser, await browser.tabIdOf(page));
    const tab = panel.root as import('@playwright/test').Page;
    await tab.setViewportSize({ width: 1280, height: 760 });

    const shots: Array<[string, 'channels' | 'findings' | 'frames']> = [
      ['panel.png', 'channels'],
      ['panel-findings.png', 'findings'],
      ['panel-frames.png', 'frames'],
    ];
    for (const [file, view] of shots) {
      await panel.view(view);
      if (view === 'channels') await tab.getByTestId('verdict-match').first().waitFor();
      if (view === 'findings') await tab.getByTestId('finding-row').first().waitFor();
      if (view === 'frames') await tab.getByTestId('frame-row').first().waitFor();
      await tab.screenshot({ path: join(OUT, file) });
      console.log(`wrote docs/screenshots/${file}`);
    }

    // The popup page (as the toolbar button shows it, at a popup's width) for the same tab: an
    // expired local token pasted, verified with the project's JWT secret, and its corrected test
    // token minted. Light and dark.
    const popup = await browser.context.newPage();
    await popup.setViewportSize({ width: 520, height: 600 });
    await popup.goto(`chrome-extension://${browser.extensionId}/src/popup/popup.html?tabId=${await browser.tabIdOf(page)}`);
    const now = Math.floor(server.server.now() / 1000);
    const expired = await server.server.mintToken({
      iss: `${server.url}/auth/v1`,
      sub: '5b7c6a0e-0000-4000-8000-000000000001',
      aud: 'authenticated',
      role: 'authenticated',
      email: 'user@example.com',
      iat: now - 3900,
      exp: now - 300,
    });
    await popup.getByTestId('paste-box').fill(expired);
    await popup.getByTestId('key-input').fill(server.server.defaultProject.jwtSecret);
    await popup.getByTestId('key-apply').click();
    await popup.locator('[data-testid="signature-status"][data-status="valid"]').waitFor();
    await popup.getByTestId('mint-button').click();
    await popup.getByTestId('minted-token').waitFor();
    await popup.locator('[data-testid="tab-summary"][data-analysis="done"]').waitFor();
    for (const [file, colorScheme] of [['popup.png', 'light'], ['popup-dark.png', 'dark']] as const) {
      await popup.emulateMedia({ colorScheme });
      await popup.screenshot({ path: join(OUT, file), fullPage: true });
      console.log(`wrote docs/screenshots/${file}`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e: unknown) => {
  console.error(`screenshots: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
