// Issue 3, "Done when" #3: the service worker is stopped mid-session and no frame is lost (the
// panel's per-socket counts equal what the server exchanged with the page); a flood beyond the
// store's cap (20,000 events) is counted and shown as drops, and the phx_join that explains a later
// failure is still there (auth evidence is pinned, bulk broadcasts go first).

import { expect, test, type Page } from '@playwright/test';
import { openPanelTab, type PanelUi } from './support/panel-ui';
import { controlServiceWorker } from './support/service-worker';
import { openRawSocketPage, startRawServer, v2Broadcast, type RawSocket } from './support/raw-server';
import { useExtensionSuite } from './support/suite';

const suite = useExtensionSuite(startRawServer);

async function rawPage(): Promise<{ page: Page; socket: RawSocket }> {
  const page = await suite.browser.context.newPage();
  return { page, socket: await openRawSocketPage(page, suite.server) };
}

/** What the page and the server exchanged, as the panel's Connections view words it. */
const framesText = (s: RawSocket) => `frames ↑${s.received.length} ↓${s.sent.length}`;

async function exchange(page: Page, socket: RawSocket, label: string, n: number): Promise<void> {
  const before = await page.evaluate(() => window.__received.events.length);
  for (let i = 0; i < n; i++) {
    await socket.send(v2Broadcast('realtime:room1', `${label}-${i}`, { i }));
    await page.evaluate(() => window.push('phoenix', 'heartbeat', {}));
  }
  // Each heartbeat is answered: the page received n broadcasts and n replies.
  await expect.poll(() => page.evaluate(() => window.__received.events.length)).toBe(before + 2 * n);
}

async function connectionFrames(ui: PanelUi): Promise<string | null> {
  await ui.view('connections');
  return ui.connections().getByTestId('connection-frames').textContent();
}

test('stopping the service worker mid-session loses no frame, with the panel open and for a panel opened later', async () => {
  const { page, socket } = await rawPage();
  const tabId = await suite.browser.tabIdOf(page);
  const ui = await openPanelTab(suite.browser, tabId);
  await exchange(page, socket, 'before', 20);
  await expect.poll(() => connectionFrames(ui)).toBe(framesText(socket));

  const sw = await controlServiceWorker(suite.browser);
  await expect.poll(() => sw.status()).toBe('running');
  await sw.stop();

  // Traffic while no service worker runs, then more once it is back.
  await exchange(page, socket, 'during', 20);
  await expect.poll(() => connectionFrames(ui), { timeout: 20_000 }).toBe(framesText(socket));
  await exchange(page, socket, 'after', 5);
  await expect.poll(() => connectionFrames(ui)).toBe(framesText(socket));
  await expect(ui.root.getByTestId('link-broken')).toHaveCount(0);
  // The panel's reconnection brought a new service worker up.
  await expect.poll(() => sw.status()).toBe('running');
  const history = sw.history();
  expect(history.lastIndexOf('running')).toBeGreaterThan(history.indexOf('stopped'));
  await sw.close();

  // Every broadcast sent while the worker was stopped is in the panel, in order.
  await ui.filter('during-');
  await expect(ui.frameRows({ event: 'broadcast', dir: 'received' })).toHaveCount(20);

  // A panel opened afterwards gets the whole session from the page's store of record.
  const late = await openPanelTab(suite.browser, tabId);
  await expect.poll(() => connectionFrames(late)).toBe(framesText(socket));
  await expect(late.dropCounter()).toHaveAttribute('data-store-dropped', '0');
  await late.close();
  await ui.close();
  await page.close();
});

test('a flood beyond the store cap: drops are counted and shown, the join that explains a later failure is kept', async () => {
  const { page, socket } = await rawPage();
  const FLOOD = 25_000;
  // Bulk traffic well past the 20,000-event store of record...
  for (let i = 0; i < FLOOD; i++) void socket.send(v2Broadcast('realtime:room1', 'flood', { i }));
  await socket.send(v2Broadcast('realtime:room1', 'flood-end', {}));
  await expect.poll(() => page.evaluate(() => window.__received.events.length), { timeout: 60_000 }).toBe(FLOOD + 2);
  // ...then the failure the join explains: the server closes the channel on a token error (§3.3).
  await socket.send(
    JSON.stringify([
      '1',
      null,
      'realtime:room1',
      'system',
      { extension: 'system', status: 'error', message: 'Token has expired 0 seconds ago', channel: 'room1' },
    ]),
  );
  await socket.send(JSON.stringify(['1', '1', 'realtime:room1', 'phx_close', {}]));
  await expect.poll(() => page.evaluate(() => window.__received.events.length)).toBe(FLOOD + 4);

  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
  // Drops are counted and shown, never silent.
  const counter = ui.dropCounter();
  await expect.poll(async () => Number(await counter.getAttribute('data-store-dropped')), { timeout: 20_000 }).toBeGreaterThan(0);
  await expect(counter).toContainText(/Dropped: [\d,.\s]+ by store/);
  const dropped = Number(await counter.getAttribute('data-store-dropped'));
  expect(dropped).toBeGreaterThanOrEqual(FLOOD - 20_000);

  // The join (with its token) and the failure that came after are both there.
  await ui.filter('phx_join');
  const join = ui.frameRows({ event: 'phx_join', dir: 'sent', topic: 'realtime:room1' });
  await expect(join).toHaveCount(1);
  await expect((await ui.openFrame(join)).getByTestId('frame-payload')).toContainText('"access_token"');
  await ui.view('channels');
  const channel = ui.root.locator('[data-testid="channel-row"][data-topic="realtime:room1"]');
  await expect(channel.getByTestId('join-attempt')).toHaveAttribute('data-status', 'ok');
  await expect(channel.getByTestId('system-message')).toContainText('Token has expired 0 seconds ago');
  // The broadcasts that went were bulk: the last ones are still there.
  await ui.filter('flood-end');
  await expect(ui.frameRows({ event: 'broadcast', dir: 'received' })).toHaveCount(1);
  await ui.close();
  await page.close();
});
