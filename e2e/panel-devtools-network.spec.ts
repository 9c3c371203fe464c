// Issue 3 §3, last bullet: while DevTools is open, the panel reads devtools.network to add what the
// page hook cannot see — a Realtime socket opened inside a Web Worker — merged into the same store
// without duplicating the sockets the hook captured. Through the real DevTools panel, with the
// local Realtime server (e2e/server) and a static test page (e2e/pages/worker-socket/).
//
// Measured here (Chromium 156; see src/panel/har-sockets.ts): DevTools' HAR gives a worker socket's
// frames (getHAR while it is open, onRequestFinished when it closes) but no close code, and a
// refused upgrade appears with status 0 and an error, not the server's 401: the panel must not show
// a status it does not have.

import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { startServer, type TestServer } from './server/index';
import { launchWithExtension, REPO_ROOT, type LaunchedBrowser } from './support/launch';
import { openDevToolsFor, selectClaimscopePanel, type PanelUi } from './support/panel-ui';

let server: TestServer;
let browser: LaunchedBrowser;
let previousAttach: string | undefined;

test.beforeAll(async () => {
  server = await startServer({
    staticDir: join(REPO_ROOT, 'e2e/pages/worker-socket'),
    knobs: { connectBackoffMs: 50, channelBackoffMs: 50 },
  });
  previousAttach = process.env.PW_CHROMIUM_ATTACH_TO_OTHER;
  process.env.PW_CHROMIUM_ATTACH_TO_OTHER = '1'; // DevTools windows become Playwright pages (toolchain.md)
  browser = await launchWithExtension();
});

test.afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (previousAttach === undefined) delete process.env.PW_CHROMIUM_ATTACH_TO_OTHER;
  else process.env.PW_CHROMIUM_ATTACH_TO_OTHER = previousAttach;
});

/** DevTools open on a blank tab with the Claimscope panel selected, then the test page loaded in that tab. */
async function openWithDevtools(query: string): Promise<{ page: Page; ui: PanelUi }> {
  const page = await browser.context.newPage();
  const devtools = await openDevToolsFor(browser.context, page);
  const ui = await selectClaimscopePanel(devtools);
  await page.goto(`${server.url}/app/index.html?${query}`);
  return { page, ui };
}

const observed = (page: Page) => page.evaluate(() => (window as unknown as { __workerSocket: { events: { source: string; kind: string; text: string }[] } }).__workerSocket.events);

test('a Realtime socket opened by a Web Worker appears, marked as seen by DevTools only; the page’s own socket to the same URL is not duplicated', async () => {
  const key = server.defaultProject.anonKey;
  const { page, ui } = await openWithDevtools(`key=${key}&main=${key}`);
  // The worker joined and sent its broadcast; the page's own socket (same URL) joined too.
  await expect.poll(async () => (await observed(page)).filter((e) => e.kind === 'subscribed').map((e) => e.source)).toEqual(['worker']);
  await expect.poll(async () => (await observed(page)).some((e) => e.source === 'main' && e.text.includes('"realtime:main-room","phx_reply"'))).toBe(true);

  await expect(ui.status()).toHaveAttribute('data-status', 'capturing');
  await expect(ui.root.getByTestId('devtools-network')).toHaveAttribute('data-devtools-only', '1');

  await ui.view('connections');
  // Two sockets, not three: the page's socket is the hook's (DevTools' copy of it is recognised).
  await expect(ui.connections()).toHaveCount(2);
  const workerConn = ui.connections().filter({ has: ui.root.getByTestId('devtools-only') });
  await expect(workerConn).toHaveCount(1);
  await expect(workerConn.getByTestId('devtools-only')).toContainText('Seen by DevTools only');
  await expect(workerConn.getByTestId('devtools-only')).toHaveAttribute('data-frames-visible', 'true');
  await expect(workerConn).toHaveAttribute('data-state', 'open');
  await expect(workerConn.getByTestId('connection-url')).toContainText('/realtime/v1/websocket?apikey=');
  // join + broadcast sent; frames are re-read from DevTools' log while the socket is open.
  await expect(workerConn.getByTestId('connection-frames')).toContainText('↑2');
  const pageConn = ui.connections().filter({ hasNot: ui.root.getByTestId('devtools-only') });
  await expect(pageConn).toHaveAttribute('data-state', 'open');

  // The worker's channel is decoded like any other: join attempt answered ok.
  await ui.view('channels');
  await expect(ui.root.locator('[data-testid="channel-row"][data-topic="realtime:worker-room"]').getByTestId('join-attempt')).toHaveAttribute('data-status', 'ok');
  await expect(ui.root.locator('[data-testid="channel-row"][data-topic="realtime:main-room"]')).toHaveCount(1);

  // Its frames are in the frame list, marked as coming from DevTools.
  await ui.filter('from-worker');
  const broadcast = ui.frameRows({ event: 'broadcast', dir: 'sent', topic: 'realtime:worker-room' });
  await expect(broadcast).toHaveCount(1);
  await expect(broadcast).toHaveAttribute('data-source', 'devtools');
  const details = await ui.openFrame(broadcast);
  await expect(details.getByTestId('frame-devtools-source')).toContainText('Seen by DevTools only');
  await ui.filter('main-room');
  await expect(ui.frameRows({ event: 'phx_join', dir: 'sent', topic: 'realtime:main-room' })).toHaveCount(1);
  await expect(ui.frameRows({ event: 'phx_join', dir: 'sent', topic: 'realtime:main-room' })).toHaveAttribute('data-source', 'page');

  // The worker closes its socket: DevTools reports it finished, without a close code.
  await page.evaluate(() => (window as unknown as { __closeWorkerSocket(): void }).__closeWorkerSocket());
  await ui.view('connections');
  await expect(workerConn).toHaveAttribute('data-state', 'closed');
  await expect(workerConn.getByTestId('connection-close')).toContainText('does not record the close code');
  await expect(ui.connections()).toHaveCount(2);
  await page.close();
});

test('a refused upgrade on the page stays the hook’s connection and shows no status DevTools does not have', async () => {
  const now = Math.floor(server.now() / 1000);
  const expired = await server.mintToken({ role: 'anon', iss: 'supabase', iat: now - 7200, exp: now - 3600 });
  const { page, ui } = await openWithDevtools(`key=${server.defaultProject.anonKey}&main=${expired}`);
  await expect.poll(async () => (await observed(page)).find((e) => e.source === 'main' && e.kind === 'close')?.text).toBe('1006');
  await expect.poll(async () => (await observed(page)).some((e) => e.source === 'worker' && e.kind === 'subscribed')).toBe(true);

  await ui.view('connections');
  const refused = ui.connections().filter({ has: ui.root.getByTestId('refused-explanation') });
  await expect(refused).toHaveCount(1);
  await expect(refused).toHaveAttribute('data-state', 'refused');
  await expect(refused.getByTestId('devtools-only')).toHaveCount(0);
  // Neither webRequest nor DevTools' HAR gives the 401 of a refused upgrade in Chromium.
  await expect(refused.getByTestId('refused-explanation')).toContainText('does not expose the status');
  await expect(refused.getByTestId('refused-explanation')).not.toContainText('401');
  // The worker's socket is still added, once.
  await expect(ui.connections().filter({ has: ui.root.getByTestId('devtools-only') })).toHaveCount(1);
  await expect(ui.connections()).toHaveCount(2);
  await page.close();
});
