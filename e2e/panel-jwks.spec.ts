// Issue 10 item 8 in the real panel: Fetch JWKS offers the origin the page's Realtime socket used,
// the tokens' issuer first; any other origin can be typed, under the same scheme rules; what a
// typed origin cannot be is said in one line and nothing is fetched.

import { expect, test } from '@playwright/test';
import { appUrl, scenarioDone, startAppServer } from './support/app-server';
import { openPanelTab } from './support/panel-ui';
import { useExtensionSuite } from './support/suite';

const suite = useExtensionSuite(startAppServer);

test('Fetch JWKS: the socket origin offered, the issuer first; a typed origin fetched or refused by the rules', async () => {
  const page = await suite.browser.context.newPage();
  await page.goto(appUrl(suite.server, { scenario: 'expired-token' }));
  await scenarioDone(page, 'expired-token');
  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
  await ui.root.getByTestId('view-tokens').click();
  const keys = ui.root.getByTestId('project-keys');
  const offered = keys.getByTestId('fetch-jwks');
  await expect(offered.first()).toBeVisible();
  // Only origins of the page's Realtime sockets: here the one the demo's supabase-js used.
  const origins = await offered.evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-origin')));
  const socketOrigin = new URL(suite.server.url).origin;
  expect(origins).toEqual([socketOrigin]);
  await expect(offered.first()).toHaveAttribute('data-matches-iss', 'yes');

  // A scheme the rules refuse: one line, nothing fetched.
  const input = keys.getByTestId('jwks-origin-input');
  await input.fill('ftp://example.com');
  await keys.getByTestId('jwks-origin-fetch').click();
  await expect(keys.getByTestId('project-keys-error')).toHaveText(/^The JWKS origin: ftp: is not http\(s\)/);
  await expect(keys).toHaveAttribute('data-jwks', 'no');

  // The same origin, typed: fetched like the offered one.
  await input.fill(socketOrigin);
  await keys.getByTestId('jwks-origin-fetch').click();
  await expect(keys).toHaveAttribute('data-jwks', 'yes');
  await expect(keys.getByTestId('project-keys-error')).toHaveCount(0);
  await expect(keys).toContainText(`the JWKS from ${socketOrigin}/auth/v1/.well-known/jwks.json`);
  await ui.close();
  await page.close();
});
