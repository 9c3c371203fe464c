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

test('a token expiring on an open channel: token-expires-soon stays listed after the close it predicted, resolved and linked to it', async () => {
  const page = await suite.browser.context.newPage();
  // A hand-made token that expires 12 s after the join: realtime-js never refreshes it, so the
  // server closes the channel at exp (realtime-facts §3.3).
  await page.goto(appUrl(suite.server, { scenario: 'expiring-mid-channel', lifetime: 12 }));
  await page.waitForFunction(() => (window as any).__observations?.some((o: { kind: string; text: string }) => o.kind === 'status' && o.text.includes('SUBSCRIBED')));
  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
  await ui.view('findings');
  const soon = ui.root.locator('[data-testid="finding-row"][data-code="token-expires-soon"]');
  await expect(soon.first()).toHaveAttribute('data-state', 'active', { timeout: 10_000 });

  await scenarioDone(page, 'expiring-mid-channel');
  await expect(soon.first()).toHaveAttribute('data-state', 'resolved', { timeout: 15_000 });
  await expect(soon.first().getByTestId('finding-resolution')).toHaveAttribute('data-resolved-by', 'server-channel-closed');
  await expect(soon.first().getByTestId('finding-resolution')).toContainText('the server closed the channel when the token expired, as predicted');
  await expect(ui.root.locator('[data-testid="finding-row"][data-code="server-channel-closed"][data-state="active"]')).toHaveCount(1);
  await ui.close();
  await page.close();
});
