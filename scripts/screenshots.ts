// Regenerates the README's screenshots from the real build: the demo app's expired-token scenario
// (real supabase-js against the local server), captured by the extension, shown in the panel —
// the findings, channels, frames (with the details pane open on the server's refusal) and tokens
// views, each in the light and the dark theme; and the popup for that tab, with an expired local
// token verified and its corrected token minted, light and dark.
//
//   npm run build && npm run build:app && npm run screenshots
//
// Run it whenever the panel's look changes, and commit the PNGs with that change.
//
// The panel is opened as an extension tab (`?tabId=`), the same page DevTools shows. Outside
// DevTools it sets no data-theme and follows prefers-color-scheme (src/panel/theme.ts), and
// src/ui/theme.css gives both routes the same palette, so emulating the colour scheme shows what a
// dark DevTools shows.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { appUrl, scenarioDone, startAppServer } from '../e2e/support/app-server';
import { launchWithExtension, REPO_ROOT } from '../e2e/support/launch';
import { openPanelTab } from '../e2e/support/panel-ui';

const OUT = join(REPO_ROOT, 'docs/screenshots');
const THEMES = [['light', ''], ['dark', '-dark']] as const;

/** Each panel view, brought into the state the README shows. */
const VIEWS: Array<[name: string, show: (tab: Page) => Promise<void>]> = [
  ['findings', async (tab) => {
    await tab.getByTestId('view-findings').click();
    const row = tab.locator('[data-testid="finding-row"][data-code="server-join-rejected"]').first();
    await row.waitFor();
    // Selected, as after a click: the row shows where the problem was seen.
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.getByTestId('finding-select').click();
    await row.getByTestId('finding-where').waitFor();
  }],
  ['channels', async (tab) => {
    await tab.getByTestId('view-channels').click();
    await tab.getByTestId('verdict-match').first().waitFor();
  }],
  ['frames', async (tab) => {
    await tab.getByTestId('view-frames').click();
    const reply = tab.locator('[data-testid="frame-row"][data-event="phx_reply"][data-topic="realtime:room1"]').first();
    await reply.waitFor();
    if (!(await tab.getByTestId('frame-details').isVisible())) await reply.click();
    await tab.getByTestId('frame-tree').waitFor();
  }],
  ['tokens', async (tab) => {
    await tab.getByTestId('view-tokens').click();
    await tab.locator('[data-testid="tokens-view"][data-state="done"]').waitFor();
    await tab.getByTestId('token-row').first().waitFor();
  }],
];

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await startAppServer();
  const browser = await launchWithExtension();
  try {
    const page = await browser.context.newPage();
    await page.goto(appUrl(server, { scenario: 'expired-token' }));
    await scenarioDone(page, 'expired-token');
    const panel = await openPanelTab(browser, await browser.tabIdOf(page));
    const tab = panel.root as Page;
    await tab.setViewportSize({ width: 1280, height: 760 });

    for (const [theme, suffix] of THEMES) {
      await tab.emulateMedia({ colorScheme: theme });
      for (const [view, show] of VIEWS) {
        await show(tab);
        const file = `panel-${view}${suffix}.png`;
        await tab.screenshot({ path: join(OUT, file) });
        console.log(`wrote docs/screenshots/${file}`);
      }
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
    for (const [theme, suffix] of THEMES) {
      const file = `popup${suffix}.png`;
      await popup.emulateMedia({ colorScheme: theme });
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
