// Regenerates the README's screenshots from the real build: the demo app's expired-token scenario
// (real supabase-js against the local server), captured by the extension, shown in the panel.
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
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e: unknown) => {
  console.error(`screenshots: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
