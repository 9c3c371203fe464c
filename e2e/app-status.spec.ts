// Issue 9 item 6, "what the app was told": for each scenario, the statuses the panel infers from
// the frames (Channels view, app-status) are exactly what the real supabase-js handed the demo
// app's subscribe callback (its `status` observations), in the same words and order.

import { expect, test } from '@playwright/test';
import { appUrl, scenarioDone, startAppServer } from './support/app-server';
import { openPanelTab } from './support/panel-ui';
import { useExtensionSuite } from './support/suite';

const suite = useExtensionSuite(startAppServer);

const SCENARIOS: Array<{ scenario: string; params?: Record<string, string | number> }> = [
  { scenario: 'subscribe' },
  { scenario: 'expired-token' },
  { scenario: 'private-denied' },
  { scenario: 'expiring-mid-channel', params: { lifetime: 3 } },
];

for (const { scenario, params } of SCENARIOS) {
  test(`${scenario}: the statuses the panel infers are the ones supabase-js gave the app`, async () => {
    const page = await suite.browser.context.newPage();
    await page.goto(appUrl(suite.server, { scenario, ...params }));
    const observations = await scenarioDone(page, scenario);
    // "room1 CHANNEL_ERROR: <message>" → "CHANNEL_ERROR: <message>"
    const appSaw = observations.filter((o) => o.source === 'A' && o.kind === 'status' && o.text.startsWith('room1 ')).map((o) => o.text.slice('room1 '.length));
    expect(appSaw.length).toBeGreaterThan(0);

    const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
    await ui.view('channels');
    const channel = ui.root.locator('[data-testid="channel-row"][data-topic="realtime:room1"]').first();
    const entries = channel.getByTestId('app-status-entry');
    await expect(entries.first()).toBeVisible();
    const inferred = (await entries.allTextContents()).map((t) => t.replace(/^ → /, '').trim());
    // The app stops its client at `done` (phx_leave): realtime-js then says CLOSED, which the app
    // no longer records; everything before must be the same, word for word.
    expect(inferred.slice(0, appSaw.length)).toEqual(appSaw);
    await ui.close();
    await page.close();
  });
}
