// Issue 11 "Done when": 100,000 frames in the panel, and filtering (text and regex), scrolling and
// the details pane still work. The frames reach the panel's session through its own import (a HAR
// with one socket's 100,000 messages, read by the panel as a user's file would be). No timing is
// asserted (the benchmark owns timings); the panel's long tasks are recorded as an annotation.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { openPanelTab } from './support/panel-ui';
import { startRawServer } from './support/raw-server';
import { useExtensionSuite } from './support/suite';

const suite = useExtensionSuite(startRawServer);
const FRAMES = 100_000;
const ROW_HEIGHT = 21; // FramesView's fixed row height

test('100,000 frames: text and regex filters, scrolling and the details pane work', async () => {
  test.setTimeout(180_000);
  // One socket: a join, its reply, then 99,998 broadcasts numbered n = 0…
  const start = Date.now() / 1000;
  const messages = [
    { type: 'send', time: start, opcode: 1, data: '["1","1","realtime:volume","phx_join",{"config":{}}]' },
    { type: 'receive', time: start + 0.0005, opcode: 1, data: '["1","1","realtime:volume","phx_reply",{"status":"ok","response":{}}]' },
  ];
  for (let n = 0; messages.length < FRAMES; n++) {
    messages.push({ type: 'receive', time: start + 0.001 + n * 0.0001, opcode: 1, data: `[null,null,"realtime:volume","broadcast",{"event":"tick","payload":{"n":${n}}}]` });
  }
  const har = {
    log: {
      version: '1.2',
      creator: { name: 'WebInspector', version: '537.36' },
      entries: [
        {
          startedDateTime: new Date(start * 1000).toISOString(),
          time: 1,
          request: { method: 'GET', url: 'wss://abcdefghijklmnopqrst.supabase.co/realtime/v1/websocket?vsn=1.0.0', headers: [] },
          response: { status: 101, headers: [] },
          _resourceType: 'websocket',
          _webSocketMessages: messages,
        },
      ],
    },
  };
  const file = join(mkdtempSync(join(tmpdir(), 'claimscope-volume-')), 'volume.har');
  writeFileSync(file, JSON.stringify(har));

  const page = await suite.browser.context.newPage();
  await page.goto(`${suite.server.origin}/raw-socket.html`);
  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
  const panel = ui.root;
  await panel.evaluate(() => {
    const tasks: number[] = [];
    (window as unknown as { __longTasks: number[] }).__longTasks = tasks;
    new PerformanceObserver((list) => list.getEntries().forEach((e) => tasks.push(Math.round(e.duration)))).observe({ type: 'longtask' });
  });
  await panel.getByTestId('import-input').setInputFiles(file);
  await expect(panel.getByTestId('import-preview').getByTestId('import-preview-counts')).toHaveAttribute('data-frames', String(FRAMES), { timeout: 60_000 });
  await panel.getByTestId('import-open').click();
  await ui.view('frames');
  const count = panel.getByTestId('frames-count');
  await expect(count).toHaveText('100,000 frames', { timeout: 60_000 });

  // Text: one broadcast.
  await ui.filter('"n":4242}');
  await expect(count).toHaveText('Showing 1 of 100,000 frames');
  await expect(ui.frameRows({ event: 'broadcast' })).toHaveCount(1);
  // Regex: ten of them (42420…42429), and nothing else.
  await panel.getByTestId('filter-regex').check();
  await ui.filter('"n":4242\\d}');
  await expect(count).toHaveText('Showing 10 of 100,000 frames');
  await expect(ui.frameRows({ event: 'broadcast' })).toHaveCount(10);
  await expect(panel.getByTestId('filter-stopped')).toHaveCount(0);
  // A regex that matches nothing reads every frame, and says nothing stopped it.
  await ui.filter('"n":-\\d+');
  await expect(count).toHaveText('Showing 0 of 100,000 frames');
  await expect(panel.getByTestId('filter-stopped')).toHaveCount(0);
  await panel.getByTestId('filter-clear').click();
  await expect(count).toHaveText('100,000 frames');

  // Scrolling: the list follows the tail, then jumps to the middle and to the top; the rows in
  // view are the ones at those places (the list is virtual: only they exist).
  const list = panel.getByTestId('frames-list');
  const rowsShown = () => ui.frameRows().allTextContents();
  await expect.poll(async () => (await rowsShown()).some((t) => t.includes('"n":99997'))).toBe(true);
  await list.evaluate((el, top) => (el.scrollTop = top), 50_000 * ROW_HEIGHT);
  await expect.poll(async () => (await rowsShown()).some((t) => /"n":4999\d\b/.test(t))).toBe(true);
  expect(await ui.frameRows().count()).toBeLessThan(200);
  await list.evaluate((el) => (el.scrollTop = 0));
  await expect(ui.frameRows({ event: 'phx_join' })).toHaveCount(1);

  // The details pane opens on a frame from the middle, with its tree, and the join links to its reply.
  await list.evaluate((el, top) => (el.scrollTop = top), 50_000 * ROW_HEIGHT);
  const middle = ui.frameRows({ event: 'broadcast' }).filter({ hasText: /"n":4999\d\b/ }).first();
  const details = await ui.openFrame(middle);
  await expect(details.getByTestId('frame-tree')).toContainText(/n: 4999\d/);
  await list.evaluate((el) => (el.scrollTop = 0));
  const joinDetails = await ui.openFrame(ui.frameRows({ event: 'phx_join' }));
  await joinDetails.getByTestId('frame-link').click();
  await expect(panel.getByTestId('frame-details').locator('header')).toContainText('Received text frame');

  test.info().annotations.push({
    type: 'long tasks (ms)',
    description: JSON.stringify(await panel.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks)),
  });
  await ui.close();
  await page.close();
});
