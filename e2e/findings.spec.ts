// The claims engine's findings in the panel, against what the server then said: the expired-token
// scenario (real supabase-js, a user token two minutes past its exp pushed before the join) gives
// `token-expired` and `server-join-rejected`, and the server's words in the finding are the ones
// in the join's reply.

import { expect, test } from '@playwright/test';
import { appUrl, scenarioDone, startAppServer } from './support/app-server';
import { openPanelTab } from './support/panel-ui';
import { useExtensionSuite } from './support/suite';

const suite = useExtensionSuite(startAppServer);

test('expired token: the findings name it and match what the server answered the join', async () => {
  const page = await suite.browser.context.newPage();
  await page.goto(appUrl(suite.server, { scenario: 'expired-token' }));
  const obs = await scenarioDone(page, 'expired-token');
  const status = obs.find((o) => o.kind === 'status')?.text ?? '';
  expect(status).toMatch(/^room1 CHANNEL_ERROR: InvalidJWTToken: Token has expired \d+ seconds ago$/);
  const serverWords = status.replace('room1 CHANNEL_ERROR: ', '');

  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
  // What the server said, as captured on the wire.
  await ui.view('channels');
  const attempt = ui.root.locator('[data-testid="channel-row"][data-topic="realtime:room1"] [data-testid="join-attempt"]').first();
  await expect(attempt).toHaveAttribute('data-status', 'error');
  await expect(attempt.getByTestId('join-reason')).toContainText(serverWords);

  await ui.view('findings');
  const expired = ui.root.locator('[data-testid="finding-row"][data-code="token-expired"]');
  await expect(expired.first()).toBeVisible({ timeout: 15_000 });
  await expect(expired.first()).toHaveAttribute('data-severity', 'error');
  const rejected = ui.root.locator('[data-testid="finding-row"][data-code="server-join-rejected"]');
  await expect(rejected.first()).toBeVisible();
  await expect(rejected.first()).toContainText(serverWords);
  // Nothing claims the token was fine.
  await expect(ui.root.locator('[data-testid="finding-row"][data-code="token-valid"]')).toHaveCount(0);
  await ui.close();
  await page.close();
});
