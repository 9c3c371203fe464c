// Issue 3, "Done when" #2: two supabase-js clients on one page joined to the same topic stay
// apart (two connections, two channel instances, each broadcast on its own socket); a socket
// opened inside an iframe (same-origin and cross-origin) is captured; realtime-js `worker: true`
// is captured.

import { expect, test, type Page } from '@playwright/test';
import { appUrl, scenarioDone, startAppServer } from './support/app-server';
import { openPanelTab, type PanelUi } from './support/panel-ui';
import { useExtensionSuite } from './support/suite';

const suite = useExtensionSuite(startAppServer);

async function run(params: Record<string, string | number>, scenario: string): Promise<{ page: Page; ui: PanelUi }> {
  const page = await suite.browser.context.newPage();
  await page.goto(appUrl(suite.server, params));
  const observations = await scenarioDone(page, scenario);
  expect(observations.filter((o) => o.kind === 'error')).toEqual([]);
  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
  await expect(ui.status()).toHaveAttribute('data-status', 'capturing');
  return { page, ui };
}

/** The `socket <conn>` named in a frame's details header. */
async function socketOf(ui: PanelUi, row: ReturnType<PanelUi['frameRows']>): Promise<string> {
  const details = await ui.openFrame(row);
  const header = (await details.locator('header strong').textContent()) ?? '';
  const m = /socket (\S+)/.exec(header);
  expect(m, `socket named in "${header}"`).not.toBeNull();
  return m![1];
}

test('two supabase-js clients on one page, same topic: two connections and two channels kept apart', async () => {
  const { page, ui } = await run({ scenario: 'two-clients' }, 'two-clients');

  await ui.view('connections');
  await expect(ui.connections()).toHaveCount(2);
  const conns = await ui.connections().evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.conn ?? ''));
  expect(new Set(conns).size).toBe(2);
  for (const c of conns) await expect(ui.root.locator(`[data-testid="connection-row"][data-conn="${c}"]`)).toHaveAttribute('data-state', 'open');

  await ui.view('channels');
  const channels = ui.root.locator('[data-testid="channel-row"][data-topic="realtime:room1"]');
  await expect(channels).toHaveCount(2);
  const sockets = await channels.evaluateAll((els) => els.map((e) => {
      const facts = [...e.querySelectorAll('.card-facts > span')].map((s) => s.textContent ?? '');
      return facts.find((t) => t.startsWith('socket '))?.slice('socket '.length) ?? '';
    }));
  expect(sockets.sort()).toEqual([...conns].sort());
  for (let i = 0; i < 2; i++) await expect(channels.nth(i).getByTestId('join-attempt')).toHaveAttribute('data-status', 'ok');

  // A's broadcast leaves on A's socket (kind 3) and arrives on B's (kind 4), and the reverse.
  for (const from of ['A', 'B']) {
    await ui.filter(`hello-from-${from}`);
    const sent = ui.frameRows({ event: 'broadcast', dir: 'sent', topic: 'realtime:room1' });
    const received = ui.frameRows({ event: 'broadcast', dir: 'received', topic: 'realtime:room1' });
    await expect(sent).toHaveCount(1);
    await expect(received).toHaveCount(1);
    const sentOn = await socketOf(ui, sent);
    const receivedOn = await socketOf(ui, received);
    expect(conns).toContain(sentOn);
    expect(conns).toContain(receivedOn);
    expect(sentOn).not.toBe(receivedOn);
  }
  await ui.close();
  await page.close();
});

for (const frame of ['same', 'cross'] as const) {
  test(`a socket opened inside a ${frame}-origin iframe is captured`, async () => {
    const { page, ui } = await run({ scenario: 'iframe', frame, heartbeat: 500 }, 'iframe');
    // The top page opened no socket: everything below came from the iframe's client.
    const observations = await page.evaluate(() => window.__observations);
    expect(observations.filter((o) => o.source === 'iframe' && o.kind === 'status').map((o) => o.text)).toEqual(['room1 SUBSCRIBED']);
    if (frame === 'cross') expect(page.frames().some((f) => new URL(f.url()).hostname === 'localhost')).toBe(true);

    await ui.view('connections');
    await expect(ui.connections()).toHaveCount(1);
    await expect(ui.connections().getByTestId('connection-url')).toContainText('/realtime/v1/websocket?apikey=');
    await ui.view('channels');
    await expect(ui.root.locator('[data-testid="channel-row"][data-topic="realtime:room1"] [data-testid="join-attempt"]')).toHaveAttribute('data-status', 'ok');
    await ui.filter('hello');
    const sent = ui.frameRows({ event: 'broadcast', dir: 'sent', topic: 'realtime:room1' });
    await expect(sent).toHaveCount(1);
    await expect(await ui.openFrame(sent)).toContainText('"from": "iframe"');
    await ui.close();
    await page.close();
  });
}

test('realtime-js with worker: true is captured (join, broadcast, worker-timed heartbeats)', async () => {
  const { page, ui } = await run({ scenario: 'worker', heartbeat: 500 }, 'worker');
  // realtime-js really runs its heartbeat timer in a Web Worker here.
  expect(page.workers().length).toBeGreaterThan(0);
  await ui.view('connections');
  await expect(ui.connections()).toHaveCount(1);
  await ui.view('channels');
  await expect(ui.root.locator('[data-testid="channel-row"][data-topic="realtime:room1"] [data-testid="join-attempt"]')).toHaveAttribute('data-status', 'ok');
  await ui.filter('hello');
  await expect(ui.frameRows({ event: 'broadcast', dir: 'sent', topic: 'realtime:room1' })).toHaveCount(1);
  await ui.filter('heartbeat');
  await expect.poll(() => ui.frameRows({ event: 'heartbeat', dir: 'sent', topic: 'phoenix' }).count()).toBeGreaterThanOrEqual(2);
  await ui.close();
  await page.close();
});
