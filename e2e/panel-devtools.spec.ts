// Issue 3, "Done when" #1: a page that subscribes at load, before DevTools exists; the panel
// opened later shows the socket URL, phx_join and its phx_reply, broadcasts both ways (the binary
// kind-3 push decoded to its event and payload, a binary kind-4 from the server) and heartbeats.
// Once through the real DevTools panel, then in detail with the panel as a tab (?tabId=).

import { expect, test, type Page } from '@playwright/test';
import type { DemoServer } from '../scripts/start-server';
import { appUrl, restBinaryBroadcast, scenarioDone, startAppServer } from './support/app-server';
import { launchWithExtension, type LaunchedBrowser } from './support/launch';
import { openDevToolsFor, openPanelTab, selectClaimscopePanel, type PanelUi } from './support/panel-ui';

let server: DemoServer;
test.beforeAll(async () => {
  server = await startAppServer();
});
test.afterAll(async () => {
  await server?.close();
});

/** The app subscribes at load (scenario=subscribe), with 500 ms heartbeats; then the server sends a kind-4. */
async function subscribedPage(browser: LaunchedBrowser): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(appUrl(server, { scenario: 'subscribe', heartbeat: 500 }));
  await scenarioDone(page, 'subscribe');
  await restBinaryBroadcast(server, 'room1', 'from-rest', { via: 'httpSend' });
  await expect.poll(() => page.evaluate(() => window.__observations.map((o) => o.text))).toContain('room1 from-rest {"via":"httpSend"}');
  return page;
}

async function expectSubscribeCaptured(ui: PanelUi, wsOrigin: string): Promise<void> {
  await expect(ui.status()).toHaveAttribute('data-status', 'capturing');

  // The socket URL (apikey masked by default).
  await ui.view('connections');
  const conn = ui.connections().filter({ hasText: '/realtime/v1/websocket' });
  await expect(conn).toHaveCount(1);
  await expect(conn.getByTestId('connection-url')).toContainText(`${wsOrigin}/realtime/v1/websocket?apikey=`);
  await expect(conn.getByTestId('connection-url')).toContainText('vsn=2.0.0');
  await expect(conn).toHaveAttribute('data-state', 'open');

  // The join and the server's ok reply, paired (the channel's attempt is "ok").
  await ui.view('channels');
  const channel = ui.root.locator('[data-testid="channel-row"][data-topic="realtime:room1"]');
  await expect(channel).toHaveCount(1);
  await expect(channel.getByTestId('join-attempt')).toHaveAttribute('data-status', 'ok');

  await ui.filter('phx_join');
  const join = ui.frameRows({ event: 'phx_join', dir: 'sent', topic: 'realtime:room1' });
  await expect(join).toHaveCount(1);
  const joinDetails = await ui.openFrame(join);
  await expect(joinDetails.getByTestId('frame-payload')).toContainText('"presence"');

  await ui.filter('phx_reply');
  const reply = ui.frameRows({ event: 'phx_reply', dir: 'received', topic: 'realtime:room1' }).first();
  await expect(reply).toBeVisible();
  await expect(reply).toContainText('phx_reply ok');

  // The page's broadcast: a binary kind-3 push, decoded to its user event and JSON payload.
  await ui.filter('hello');
  const sent = ui.frameRows({ event: 'broadcast', dir: 'sent', topic: 'realtime:room1' });
  await expect(sent).toHaveCount(1);
  const sentDetails = await ui.openFrame(sent);
  await expect(sentDetails).toContainText('binary kind 3');
  await expect(sentDetails).toContainText('user event “hello”');
  await expect(sentDetails.getByTestId('frame-payload')).toContainText('"from": "A"');

  // The server's broadcasts: the REST batch one as JSON text, the httpSend one as a binary kind 4.
  await ui.filter('server-hello');
  await expect(ui.frameRows({ event: 'broadcast', dir: 'received', topic: 'realtime:room1' })).toHaveCount(1);
  await ui.filter('from-rest');
  const kind4 = ui.frameRows({ event: 'broadcast', dir: 'received', topic: 'realtime:room1' });
  await expect(kind4).toHaveCount(1);
  const kind4Details = await ui.openFrame(kind4);
  await expect(kind4Details).toContainText('binary kind 4');
  await expect(kind4Details).toContainText('user event “from-rest”');
  await expect(kind4Details.getByTestId('frame-payload')).toContainText('"via": "httpSend"');

  // Heartbeats both ways on topic phoenix, and the toggle that collapses them.
  await ui.filter('heartbeat');
  await expect.poll(() => ui.frameRows({ event: 'heartbeat', dir: 'sent', topic: 'phoenix' }).count()).toBeGreaterThanOrEqual(2);
  await ui.filter('');
  await expect.poll(() => ui.frameRows({ event: 'phx_reply', dir: 'received', topic: 'phoenix' }).count()).toBeGreaterThanOrEqual(1);
  await ui.root.getByTestId('toggle-heartbeats').uncheck();
  await expect(ui.root.getByTestId('frames-count')).toContainText('heartbeats hidden');
  await expect(ui.frameRows({ topic: 'phoenix' })).toHaveCount(0);
  await ui.root.getByTestId('toggle-heartbeats').check();
}

test('the real DevTools panel, opened after the page subscribed, shows the socket, join, reply, broadcasts and heartbeats', async () => {
  // Not `devtools: true` (that opens DevTools with every tab): only make DevTools windows
  // Playwright pages (toolchain.md), and open DevTools ourselves once the page has subscribed.
  const previous = process.env.PW_CHROMIUM_ATTACH_TO_OTHER;
  process.env.PW_CHROMIUM_ATTACH_TO_OTHER = '1';
  const browser = await launchWithExtension();
  try {
    const page = await subscribedPage(browser);
    // DevTools did not exist while the page subscribed: open it now, on that tab.
    expect(browser.context.pages().filter((p) => p.url().startsWith('devtools://'))).toHaveLength(0);
    const devtools = await openDevToolsFor(browser.context, page);
    const ui = await selectClaimscopePanel(devtools);
    await expectSubscribeCaptured(ui, server.url.replace('http:', 'ws:'));
  } finally {
    await browser.close();
    if (previous === undefined) delete process.env.PW_CHROMIUM_ATTACH_TO_OTHER;
    else process.env.PW_CHROMIUM_ATTACH_TO_OTHER = previous;
  }
});

test('the panel as a tab (?tabId=) shows the same session, opened after the page subscribed', async () => {
  const browser = await launchWithExtension();
  try {
    const page = await subscribedPage(browser);
    const ui = await openPanelTab(browser, await browser.tabIdOf(page));
    await expectSubscribeCaptured(ui, server.url.replace('http:', 'ws:'));
  } finally {
    await browser.close();
  }
});

test('a panel opened on a quiet tab shows what was captured without waiting for more traffic', async () => {
  // Nothing happens on the tab after the panel opens: the panel must still leave "Connecting…"
  // and show the capture. Repeated, because the failure it guards against is a race.
  const browser = await launchWithExtension();
  try {
    const page = await browser.context.newPage();
    await page.goto(appUrl(server, { scenario: 'expired-token' }));
    await scenarioDone(page, 'expired-token');
    const tabId = await browser.tabIdOf(page);
    // One panel stays open (as when the panel is both docked and opened as a tab).
    const first = await openPanelTab(browser, tabId);
    await expect(first.status()).toHaveAttribute('data-status', 'capturing');
    for (let i = 0; i < 10; i++) {
      const ui = await openPanelTab(browser, tabId);
      await expect(ui.status(), `panel #${i + 1}`).toHaveAttribute('data-status', 'capturing');
      await ui.close();
    }
  } finally {
    await browser.close();
  }
});
