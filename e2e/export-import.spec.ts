// Issue 13, round trip through the real panel: a live expired-token session exported from the
// panel (the download), the file holds no token signature, and imported back into the panel it
// shows the same finding codes as the live capture; a corrupt file gets one line and loses nothing.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { appUrl, scenarioDone, startAppServer } from './support/app-server';
import { openPanelTab, type PanelUi } from './support/panel-ui';
import { REPO_ROOT } from './support/launch';
import { useExtensionSuite } from './support/suite';

const run = promisify(execFile);

const suite = useExtensionSuite(startAppServer);

async function codes(ui: PanelUi): Promise<string[]> {
  await ui.view('findings');
  const rows = ui.root.locator('[data-testid="finding-row"][data-state="active"]');
  await expect(rows.first()).toBeVisible({ timeout: 15_000 });
  return (await rows.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.code ?? ''))).sort();
}

test('expired-token: exported from the panel and imported back, the same findings; the file carries no signature', async () => {
  const page = await suite.browser.context.newPage();
  await page.goto(appUrl(suite.server, { scenario: 'expired-token' }));
  await scenarioDone(page, 'expired-token');
  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
  await expect.poll(() => codes(ui)).toEqual(expect.arrayContaining(['server-join-rejected', 'token-expired']));
  const live = await codes(ui);

  // Export first says what it will remove; nothing is written before Save.
  await ui.root.getByTestId('export-button').click();
  const dialog = ui.root.getByTestId('export-dialog');
  await expect(dialog).toHaveAttribute('data-format', 'session');
  const removed = dialog.getByTestId('export-dialog-removed');
  expect(Number(await removed.getAttribute('data-jwt-signatures'))).toBeGreaterThan(0);
  await expect(removed).toContainText('replaced by pseudonyms');
  await dialog.getByTestId('export-include-personal').check();
  await expect(removed).toContainText('kept as captured');
  await dialog.getByTestId('export-include-personal').uncheck();
  await expect(removed).toContainText('replaced by pseudonyms');
  const download = (ui.root as Page).waitForEvent('download');
  await dialog.getByTestId('export-save').click();
  const file = await (await download).path();
  const text = readFileSync(file, 'utf8');
  const exported = JSON.parse(text) as { format: string; version: number };
  expect(exported).toMatchObject({ format: 'claimscope-session', version: 1 });
  // Every JWT the page used is in the file without its signature.
  const jwts = text.match(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g) ?? [];
  expect(jwts.length).toBeGreaterThan(0);
  for (const jwt of jwts) expect(jwt.split('.')[2]).toMatch(/^REDACTED/);

  // …and `claimscope analyze` on the same file finds the same codes, and exits 1 on them.
  const cli = await run(process.execPath, [join(REPO_ROOT, 'dist/cli/claimscope.js'), 'analyze', file, '--json']).then(
    () => ({ code: 0, stdout: '' }),
    (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
  );
  expect(cli.code).toBe(1);
  expect([...new Set((JSON.parse(cli.stdout) as { findings: Array<{ code: string }> }).findings.map((f) => f.code))].sort()).toEqual([...new Set(live)].sort());

  await ui.root.getByTestId('import-input').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"claimscope-session","vers') });
  await expect(ui.root.getByTestId('import-error')).toBeVisible();
  expect(await codes(ui)).toEqual(live);

  await ui.root.getByTestId('import-input').setInputFiles(file);
  // The preview says what the file is before anything changes; Cancel keeps the live view.
  const preview = ui.root.getByTestId('import-preview');
  await expect(preview).toHaveAttribute('data-kind', 'session');
  await expect(preview).toHaveAttribute('data-redacted', 'true');
  await expect(preview.getByTestId('import-preview-counts')).toHaveAttribute('data-sockets', '1');
  await expect(preview.getByTestId('import-preview-redaction')).toContainText('JWT signatures removed');
  await ui.root.getByTestId('import-cancel').click();
  await expect(preview).toHaveCount(0);
  await expect(ui.root.getByTestId('imported-banner')).toHaveCount(0);
  await ui.root.getByTestId('import-input').setInputFiles(file);
  await ui.root.getByTestId('import-open').click();
  await expect(ui.root.getByTestId('imported-banner')).toBeVisible();
  await expect.poll(() => codes(ui)).toEqual(live);
  await ui.root.getByTestId('imported-back').click();
  await expect(ui.root.getByTestId('imported-banner')).toHaveCount(0);
  await ui.close();
  await page.close();
});
