// Issue 3, "Done when" #7: hostile frames — non-JSON text, truncated binary, a 5 MB frame, deeply
// nested JSON — never break the page or the capture. The page keeps working (same frames
// received, a later heartbeat answered, no error thrown into it); the panel shows every frame, the
// undecodable ones raw with a reason, the 5 MB one as a preview with its full size, and keeps
// capturing what comes after.

import { expect, test } from '@playwright/test';
import { openPanelTab } from './support/panel-ui';
import { openRawSocketPage, startRawServer, v2Broadcast } from './support/raw-server';
import { useExtensionSuite } from './support/suite';

const suite = useExtensionSuite(startRawServer);

const FIVE_MB = 5 * 1024 * 1024;

/** A valid V2 broadcast of exactly `size` bytes (ASCII), so the panel must report that size. */
function bigBroadcast(size: number): string {
  const head = v2Broadcast('realtime:room1', 'huge', { data: '' });
  return head.replace('"data":""', `"data":"${'x'.repeat(size - head.length)}"`);
}

/** A broadcast whose payload is nested `depth` arrays deep (valid JSON; recursion-hostile). */
function deepBroadcast(depth: number): string {
  return `[null,null,"realtime:room1","broadcast",{"type":"broadcast","event":"deep","payload":${'['.repeat(depth)}${']'.repeat(depth)}}]`;
}

/** A kind-4 header promising a 40-byte topic, then the data stops (realtime-facts §1.4). */
const TRUNCATED_BINARY = Buffer.concat([Buffer.from([4, 40, 5, 0, 1]), Buffer.from('realtime:ro')]);

test('hostile frames never break the page or the capture', async () => {
  const page = await suite.browser.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const socket = await openRawSocketPage(page, suite.server);

  const big = bigBroadcast(FIVE_MB);
  expect(big.length).toBe(FIVE_MB);
  await socket.send('this is not JSON {{{');
  await socket.send(TRUNCATED_BINARY, true);
  await socket.send(big);
  await socket.send(deepBroadcast(100_000));
  await socket.send(v2Broadcast('realtime:room1', 'after-hostile', { still: 'here' }));

  // The page got every frame, decoded what it could, and threw nothing.
  await expect
    .poll(() => page.evaluate(() => window.__received.events))
    .toEqual(['phx_reply', '(not json)', `(binary ${TRUNCATED_BINARY.length})`, 'broadcast:huge', 'broadcast:deep', 'broadcast:after-hostile']);
  // ...and keeps working: a heartbeat after the storm is answered.
  await page.evaluate(() => window.push('phoenix', 'heartbeat', {}));
  await expect.poll(() => page.evaluate(() => window.__received.events.length)).toBe(7);
  expect(await page.evaluate(() => window.__pageErrors)).toEqual([]);
  expect(pageErrors).toEqual([]);
  expect(await page.evaluate(() => window.__pageMessages)).toEqual([]);

  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
  await expect(ui.status()).toHaveAttribute('data-status', 'capturing');
  await ui.view('frames');
  // Every frame is in the panel: join, its reply, the 5 hostile/normal frames, heartbeat + reply.
  await expect(ui.frameRows()).toHaveCount(9);
  await ui.view('connections');
  await expect(ui.connections().getByTestId('connection-frames')).toHaveText('frames ↑2 ↓7');

  // Undecodable frames: listed, shown raw with the reason.
  await ui.view('frames');
  const undecodable = ui.frameRows({ event: '' });
  await expect(undecodable).toHaveCount(2);
  let details = await ui.openFrame(undecodable.nth(0));
  await expect(details.getByTestId('undecodable-reason')).toContainText('Could not decode this frame:');
  await expect(details.getByTestId('frame-raw')).toContainText('this is not JSON {{{');
  details = await ui.openFrame(undecodable.nth(1));
  await expect(details.getByTestId('undecodable-reason')).toContainText('Could not decode this frame:');
  await expect(details.getByTestId('frame-raw')).toContainText(TRUNCATED_BINARY.toString('base64'));

  // The 5 MB frame: a preview, with its full size, and counted as a preview.
  await ui.filter('huge');
  const huge = ui.frameRows({ event: 'broadcast', dir: 'received' });
  await expect(huge).toHaveCount(1);
  await expect(huge).toContainText('5.0 MB');
  details = await ui.openFrame(huge);
  await expect(details).toContainText('Only a preview of this frame was kept (it was 5.0 MB)');
  await expect(ui.dropCounter()).toHaveAttribute('data-truncated', '1');

  // The deeply nested one: listed and openable, the panel still responsive afterwards.
  await ui.filter('deep');
  const deep = ui.frameRows({ event: 'broadcast', dir: 'received' });
  await expect(deep).toHaveCount(1);
  details = await ui.openFrame(deep);
  await expect(details).toContainText('deep');
  await ui.filter('after-hostile');
  await expect(ui.frameRows({ event: 'broadcast', dir: 'received', topic: 'realtime:room1' })).toHaveCount(1);

  // Capture goes on live after the storm.
  await ui.filter('');
  await socket.send(v2Broadcast('realtime:room1', 'later', { n: 1 }));
  await ui.filter('later');
  await expect(ui.frameRows({ event: 'broadcast', dir: 'received' })).toHaveCount(1);
  await expect(ui.root.getByTestId('problem')).toHaveCount(0);
  await ui.close();
  await page.close();
});
