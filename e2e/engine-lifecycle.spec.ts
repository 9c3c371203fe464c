// Issue 9, the engine's second pass, on the real supabase-js and the local server:
// - a user token given only as global.headers.Authorization, with a Postgres Changes channel:
//   the channel subscribes as anon, and the panel says `channel-joined-as-anon`;
// - a join the server never answers: supabase-js tells the app TIMED_OUT, the panel says
//   `join-timed-out` and shows TIMED_OUT as what the app was told;
// - a healthy signed-in session on `localhost` whose tokens are issued for `127.0.0.1` (as the
//   Supabase CLI issues them), and the reverse: no issuer or project alarm, no warning at all.
// (`token-expires-soon` resolved by the `server-channel-closed` it predicted: findings.spec.ts.)

import { expect, test, type Page } from '@playwright/test';
import { appUrl, scenarioDone, startAppServer } from './support/app-server';
import { openPanelTab, type PanelUi } from './support/panel-ui';
import { useExtensionSuite } from './support/suite';

const suite = useExtensionSuite(startAppServer);

/** The engine waits this long for a token to reach a channel before it judges (analysis/lifecycle.ts). */
const PROPAGATION_GRACE_MS = 10_000;

function findingRows(ui: PanelUi, code: string) {
  return ui.root.locator(`[data-testid="finding-row"][data-code="${code}"]`);
}

async function devGet(path: string): Promise<unknown> {
  const res = await fetch(`${suite.server.url}${path}`);
  expect(res.status, path).toBe(200);
  return res.json();
}

test('a user token only in global.headers.Authorization: the Postgres Changes channel runs as anon, and the panel says so', async () => {
  const page = await suite.browser.context.newPage();
  await page.goto(appUrl(suite.server, { scenario: 'headers-only-token', topic: 'db-todos' }));
  const obs = await scenarioDone(page, 'headers-only-token');
  // What the app sees: REST works with the user token, and the channel subscribes. Nothing failed.
  expect(obs.map((o) => o.text)).toContain('REST select todos -> ok');
  expect(obs.find((o) => o.kind === 'status')?.text).toBe('db-todos SUBSCRIBED');
  expect(obs.filter((o) => o.kind === 'error')).toEqual([]);

  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
  await ui.view('findings');
  const anon = findingRows(ui, 'channel-joined-as-anon');
  await expect(anon).toHaveCount(1, { timeout: PROPAGATION_GRACE_MS + 15_000 });
  await expect(anon).toHaveAttribute('data-severity', 'error');
  await expect(anon).toHaveAttribute('data-state', 'active');
  await expect(anon).toContainText('realtime:db-todos');
  await expect(anon).toContainText('global: { headers: { Authorization } }');
  await ui.close();
  await page.close();
});

test('a join the server never answers: the app is told TIMED_OUT, and the panel says join-timed-out with the cause', async () => {
  const page = await suite.browser.context.newPage();
  await page.goto(appUrl(suite.server, { scenario: 'silent-join', topic: 'stuck' }));
  const obs = await scenarioDone(page, 'silent-join', 40_000);
  expect(obs.find((o) => o.kind === 'status')?.text).toBe('stuck TIMED_OUT');

  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
  await ui.view('findings');
  const timedOut = findingRows(ui, 'join-timed-out');
  await expect(timedOut.first()).toBeVisible({ timeout: 15_000 });
  await expect(timedOut.first()).toHaveAttribute('data-severity', 'error');
  await expect(timedOut.first()).toContainText('realtime:stuck');
  await expect(timedOut.first()).toContainText('TIMED_OUT');
  // Nothing claims the server refused it: it said nothing.
  await expect(findingRows(ui, 'server-join-rejected')).toHaveCount(0);

  await ui.view('channels');
  const told = ui.root.locator('[data-testid="channel-row"][data-topic="realtime:stuck"] [data-testid="app-status-entry"]');
  await expect(told.first()).toContainText('TIMED_OUT');

  // The app stopped its client at the end: the Connections view says what that close was.
  await ui.view('connections');
  await expect(ui.root.getByTestId('close-meaning').first()).toContainText('The page closed it itself', { timeout: 15_000 });
  await ui.close();
  await page.close();
});

for (const [pageHost, issuerHost] of [
  ['localhost', '127.0.0.1'],
  ['127.0.0.1', 'localhost'],
] as const) {
  test(`a healthy signed-in session on ${pageHost} with tokens issued for ${issuerHost}: no issuer or project alarm, no warning`, async () => {
    await devGet(`/__dev/issuer?host=${issuerHost}`);
    let page: Page | undefined;
    try {
      page = await suite.browser.context.newPage();
      const base = appUrl(suite.server, { scenario: 'signed-in', topic: 'db-healthy' }).replace('//127.0.0.1:', `//${pageHost}:`);
      await page.goto(base);
      const obs = await scenarioDone(page, 'signed-in');
      expect(obs.filter((o) => o.kind === 'error')).toEqual([]);
      expect(obs.find((o) => o.kind === 'status')?.text).toBe('db-healthy SUBSCRIBED');

      const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
      // The session's token, as the panel decoded it: issued for the other loopback name.
      await ui.root.getByTestId('view-tokens').click();
      const user = ui.root.locator('[data-testid="token-row"][data-class="user-access-token"]');
      await expect(user.first()).toBeVisible({ timeout: 15_000 });
      await expect(user.first().getByTestId('token-iss')).toContainText(`http://${issuerHost}:`);
      // The client, from supabase-js's own X-Client-Info on its REST call, next to the socket's serializer.
      await ui.view('connections');
      await expect(ui.root.getByTestId('connection-client').first()).toHaveText(/^supabase-js \d+\.\d+\.\d+ \(platform=browser\), serializer vsn 2\.0\.0$/, { timeout: 15_000 });
      // Let the engine judge past the propagation grace, so the silence below means something.
      await page.waitForTimeout(PROPAGATION_GRACE_MS + 3_000);
      await ui.view('findings');
      await expect(ui.root.getByTestId('findings-view')).not.toContainText('Analysing the captured session');
      for (const code of ['iss-unexpected', 'project-mismatch', 'channel-joined-as-anon']) await expect(findingRows(ui, code)).toHaveCount(0);
      await expect(ui.root.locator('[data-testid="finding-row"][data-severity="error"], [data-testid="finding-row"][data-severity="warning"]')).toHaveCount(0);
      await ui.close();
    } finally {
      await page?.close();
      await devGet('/__dev/issuer?host=');
    }
  });
}
