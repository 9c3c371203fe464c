// Issue 11 items 2, 3 and 7 through the real DevTools panel, with the real supabase-js and the local
// server: the Channels view (what the app was told, the effective token, its live countdown to the
// server's close, the client, the last server error), the Frames timeline (details pane with a
// JSON tree and hex, push ↔ reply links, filters incl. an invalid and a catastrophic regex), the
// keyboard path, and DevTools' dark theme followed by the panel.

import { expect, test, type Frame, type Page } from '@playwright/test';
import type { DemoServer } from '../scripts/start-server';
import { appUrl, scenarioDone, startAppServer } from './support/app-server';
import { launchWithExtension, type LaunchedBrowser } from './support/launch';
import { openDevToolsFor, selectClaimscopePanel, type PanelUi } from './support/panel-ui';

let server: DemoServer;
test.beforeAll(async () => {
  server = await startAppServer();
});
test.afterAll(async () => {
  await server?.close();
});

/** A browser whose DevTools windows are Playwright pages (toolchain.md), for one test. */
async function withDevtools(run: (browser: LaunchedBrowser) => Promise<void>): Promise<void> {
  const previous = process.env.PW_CHROMIUM_ATTACH_TO_OTHER;
  process.env.PW_CHROMIUM_ATTACH_TO_OTHER = '1';
  const browser = await launchWithExtension();
  try {
    await run(browser);
  } finally {
    await browser.close();
    if (previous === undefined) delete process.env.PW_CHROMIUM_ATTACH_TO_OTHER;
    else process.env.PW_CHROMIUM_ATTACH_TO_OTHER = previous;
  }
}

/** DevTools' own theme setting (Settings > Preferences > Theme), set inside the DevTools page. */
async function setDevtoolsTheme(devtools: Page, theme: 'dark' | 'default'): Promise<void> {
  await devtools.waitForSelector('#tab-elements', { timeout: 30_000 });
  await devtools.evaluate(async (name) => {
    const common = await import('devtools://devtools/bundled/core/common/common.js' as string);
    // Chromium 156's DevTools names it 'ui-theme' (older ones 'uiTheme').
    const settings = common.Settings.Settings.instance();
    const setting = settings.moduleSetting(settings.hasSetting?.('ui-theme') === false ? 'uiTheme' : 'ui-theme');
    setting.set(name);
  }, theme);
  // DevTools applies its theme asynchronously: wait until its own document wears it.
  await expect
    .poll(() => devtools.evaluate(() => document.documentElement.classList.contains('theme-with-dark-background')), { message: `DevTools theme ${theme}` })
    .toBe(theme === 'dark');
}

const room = (ui: PanelUi) => ui.root.locator('[data-testid="channel-row"][data-topic="realtime:room1"]').first();

test('subscribe: channels, frame details with JSON tree, hex and push↔reply, filters, keyboard, dark theme — in the real DevTools panel', async () => {
  await withDevtools(async (browser) => {
    const page = await browser.context.newPage();
    await page.goto(appUrl(server, { scenario: 'subscribe', heartbeat: 1000 }));
    await scenarioDone(page, 'subscribe');
    // DevTools' theme is a persisted preference: set it dark, then open DevTools again, as a user
    // who prefers it dark always finds it (the panel reads the theme DevTools starts with).
    const first = await openDevToolsFor(browser.context, page);
    await setDevtoolsTheme(first, 'dark');
    await first.close();
    const devtools = await openDevToolsFor(browser.context, page);
    await expect.poll(() => devtools.evaluate(() => document.documentElement.classList.contains('theme-with-dark-background'))).toBe(true);
    const ui = await selectClaimscopePanel(devtools);
    const panel = ui.root as Frame;

    // DevTools is dark (whatever the system's preference): the panel is too.
    await expect(panel.locator('html')).toHaveAttribute('data-theme', 'dark');
    const background = await panel.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(32, 33, 36)');

    // Channels: told SUBSCRIBED, the token judged (no access_token in the join: the socket's
    // apikey, the anon key) with a live countdown, public, and the client.
    await ui.view('channels');
    const channel = room(ui);
    await expect(channel.getByTestId('app-status')).toHaveAttribute('data-status', 'SUBSCRIBED');
    const token = channel.getByTestId('effective-token');
    await expect(token).toHaveAttribute('data-source', 'apikey');
    await expect(token).toContainText('the server closes the channel at exp');
    const left = Number(await token.getAttribute('data-seconds-left'));
    expect(left).toBeGreaterThan(0);
    await expect.poll(async () => Number(await token.getAttribute('data-seconds-left')), { timeout: 5_000 }).toBeLessThan(left);
    await expect(channel.getByTestId('channel-privacy')).toHaveText('public');
    // The page made no REST call, so no X-Client-Info names the library: the panel says so and
    // shows what the socket itself tells (the serializer).
    await expect(channel.getByTestId('channel-client')).toContainText('serializer vsn 2.0.0');
    await expect(channel.getByTestId('channel-server-error')).toHaveCount(0);

    // Frames: open the join; its JSON tree shows the config; the link leads to the server's reply and back.
    await ui.view('frames');
    await ui.root.getByTestId('filter-topic').selectOption('realtime:room1');
    await ui.root.getByTestId('filter-event').selectOption('phx_join');
    const join = ui.frameRows({ event: 'phx_join', dir: 'sent' });
    await expect(join).toHaveCount(1);
    let details = await ui.openFrame(join);
    const tree = details.getByTestId('frame-tree');
    await expect(tree).toHaveAttribute('role', 'tree');
    await expect(tree.locator('[data-testid="json-node"][data-path="$/config"]')).toContainText('config: {');
    // A short payload opens whole; by keyboard, Down to "config", Left closes it, Right opens it.
    const config = tree.locator('[data-testid="json-node"][data-path="$/config"]');
    const presence = tree.locator('[data-testid="json-node"][data-path="$/config/presence"]');
    await expect(presence).toBeVisible();
    await tree.focus();
    await devtools.keyboard.press('ArrowDown');
    await expect(config).toHaveAttribute('aria-selected', 'true');
    await devtools.keyboard.press('ArrowLeft');
    await expect(config).toHaveAttribute('aria-expanded', 'false');
    await expect(presence).toHaveCount(0);
    await devtools.keyboard.press('ArrowRight');
    await expect(config).toHaveAttribute('aria-expanded', 'true');
    await expect(presence).toContainText('presence: {');
    const toReply = details.getByTestId('frame-link');
    await expect(toReply).toHaveAttribute('data-role', 'reply');
    await expect(toReply).toContainText('phx_reply ok');
    // The reply is hidden by the event filter: the pane says so, and follows the link anyway.
    await expect(details).toContainText('hidden by the current filter');
    await toReply.click();
    await expect(details.locator('header')).toContainText('Received text frame');
    await expect(details.getByTestId('frame-tree')).toContainText('status: "ok"');
    await expect(details.getByTestId('frame-link')).toHaveAttribute('data-role', 'push');
    await expect(details.getByTestId('frame-link')).toContainText('Reply to phx_join');
    await expect(ui.root.getByTestId('selected-hidden')).toBeVisible();
    await ui.root.getByTestId('filter-clear').click();
    await expect(ui.frameRows({ event: 'phx_reply', dir: 'received', topic: 'realtime:room1' }).first()).toHaveAttribute('aria-selected', 'true');

    // The page's broadcast is a binary kind-3 frame: hex next to the decoded tree.
    await ui.root.getByTestId('filter-dir').selectOption('sent');
    await ui.filter('hello');
    details = await ui.openFrame(ui.frameRows({ event: 'broadcast', dir: 'sent' }));
    await details.getByTestId('payload-tab-hex').click();
    const hex = details.getByTestId('frame-hex');
    await expect(hex).toBeVisible();
    await expect(hex).toContainText('00000000  03 ');
    // The ASCII column: the topic and user event as sent, then the JSON payload.
    await expect(hex).toContainText('e:room1hello{"fr');
    await details.getByTestId('payload-tab-tree').click();
    await expect(details.getByTestId('frame-tree')).toContainText('from: "A"');

    // Filters: an invalid regex says so and lists nothing; a catastrophic one is refused and the
    // panel stays responsive; a good one matches; errors only finds nothing on a healthy session.
    await ui.root.getByTestId('filter-clear').click();
    await ui.root.getByTestId('filter-regex').check();
    await ui.filter('room1 (');
    await expect(ui.root.getByTestId('filter-error')).toContainText('Not a valid regular expression');
    await expect(ui.frameRows()).toHaveCount(0);
    await ui.filter('(a+)+$');
    await expect(ui.root.getByTestId('filter-error')).toContainText('exponential time');
    await ui.filter('^realtime:room1\\nphx_(join|reply)\\n');
    await expect(ui.root.getByTestId('filter-error')).toHaveCount(0);
    await expect(ui.frameRows({ event: 'phx_join' })).toHaveCount(1);
    await expect(ui.frameRows({ event: 'broadcast' })).toHaveCount(0);
    expect(await ui.frameRows({ event: 'phx_reply' }).count()).toBeGreaterThanOrEqual(1);
    await ui.root.getByTestId('filter-clear').click();
    await ui.root.getByTestId('filter-errors').check();
    await expect(ui.root.getByTestId('frames-count')).toContainText('Showing 0 of');
    await ui.root.getByTestId('filter-clear').click();
    await expect(ui.root.getByTestId('filter-regex')).not.toBeChecked();

    // Keyboard: / focuses the filter (from another view), Esc clears it; arrows move through the
    // list, Enter opens, Esc closes; arrows move between the view tabs.
    await ui.view('channels');
    await ui.root.getByTestId('channels-view').click();
    await devtools.keyboard.press('/');
    await expect(ui.root.getByTestId('filter-input')).toBeFocused();
    await expect(ui.root.getByTestId('view-frames')).toHaveAttribute('aria-selected', 'true');
    await devtools.keyboard.type('phx_');
    await expect(ui.frameRows().first()).toBeVisible();
    expect(await ui.frameRows({ event: 'broadcast' }).count()).toBe(0);
    await devtools.keyboard.press('Escape');
    await expect(ui.root.getByTestId('filter-input')).toHaveValue('');
    await ui.root.getByTestId('frames-listbox').focus();
    // Home: the socket's first line; three rows down is a frame whatever the timing (the join or its reply).
    await devtools.keyboard.press('Home');
    for (let i = 0; i < 3; i++) await devtools.keyboard.press('ArrowDown');
    await devtools.keyboard.press('Enter');
    await expect(ui.root.getByTestId('frame-details')).toBeVisible();
    const opened = ui.root.locator('[data-testid="frame-row"][aria-selected="true"]');
    await expect(opened).toHaveCount(1);
    await expect(ui.root.getByTestId('frames-listbox')).toHaveAttribute('aria-activedescendant', (await opened.getAttribute('id'))!);
    await devtools.keyboard.press('Escape');
    await expect(ui.root.getByTestId('frame-details')).toHaveCount(0);
    await expect(ui.root.getByTestId('frames-listbox')).toBeFocused();
    await ui.root.getByTestId('view-frames').focus();
    await devtools.keyboard.press('ArrowRight');
    await expect(ui.root.getByTestId('view-connections')).toBeFocused();
    await expect(ui.root.getByTestId('view-connections')).toHaveAttribute('aria-selected', 'true');
    await expect(ui.root.getByRole('tabpanel')).toHaveAttribute('aria-labelledby', 'tab-connections');

    // DevTools switched back to light while the panel is open: the panel follows.
    await setDevtoolsTheme(devtools, 'default');
    await expect(panel.locator('html')).toHaveAttribute('data-theme', 'light');
    await expect.poll(() => panel.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(255, 255, 255)');
  });
});

test('expiring-mid-channel: the countdown runs to the server’s close, then the last server error and CLOSED — in the real DevTools panel', async () => {
  test.setTimeout(90_000);
  await withDevtools(async (browser) => {
    const page = await browser.context.newPage();
    await page.goto(appUrl(server, { scenario: 'expiring-mid-channel', lifetime: 20 }));
    await expect.poll(() => page.evaluate(() => window.__observations.map((o) => o.text)), { timeout: 30_000 }).toContain('room1 SUBSCRIBED');
    const devtools = await openDevToolsFor(browser.context, page);
    const ui = await selectClaimscopePanel(devtools);
    await ui.view('channels');
    const channel = room(ui);
    await expect(channel.getByTestId('app-status')).toHaveAttribute('data-status', 'SUBSCRIBED');
    // The token judged is the join's access_token (set with realtime.setAuth), counting down live.
    const token = channel.getByTestId('effective-token');
    await expect(token).toHaveAttribute('data-source', 'join-access-token');
    const left = Number(await token.getAttribute('data-seconds-left'));
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(20);
    await expect(token).toContainText('the server closes the channel at exp');
    await expect.poll(async () => Number(await token.getAttribute('data-seconds-left')), { timeout: 5_000 }).toBeLessThan(left);
    await expect(channel.getByTestId('channel-client')).toContainText('serializer vsn 2.0.0');
    await expect(channel.getByTestId('channel-privacy')).toHaveAttribute('data-private', 'false');

    // At exp the server sends `system` "Token has expired" and closes: the panel, still open, says so.
    await scenarioDone(page, 'expiring-mid-channel', 40_000);
    const error = channel.getByTestId('channel-server-error');
    await expect(error).toHaveAttribute('data-source', 'system', { timeout: 15_000 });
    await expect(error).toHaveAttribute('data-said', 'expired');
    await expect(error).toContainText('Token has expired');
    await expect(channel.getByTestId('app-status')).toHaveAttribute('data-status', 'CLOSED');
    await expect(token).toContainText('the channel has ended');

    // The same moment in the frames: errors only shows the system error, and its tree the message.
    await ui.view('frames');
    await ui.root.getByTestId('filter-errors').check();
    const system = ui.frameRows({ event: 'system', dir: 'received', topic: 'realtime:room1' });
    await expect(system).toHaveCount(1);
    const details = await ui.openFrame(system);
    await expect(details.getByTestId('frame-tree')).toContainText('message: "Token has expired');
  });
});

test('headers-only-token: Postgres Changes confirmed by the server, and the client named by its REST calls — in the real DevTools panel', async () => {
  await withDevtools(async (browser) => {
    const page = await browser.context.newPage();
    await page.goto(appUrl(server, { scenario: 'headers-only-token' }));
    await scenarioDone(page, 'headers-only-token');
    const devtools = await openDevToolsFor(browser.context, page);
    const ui = await selectClaimscopePanel(devtools);
    await ui.view('channels');
    const channel = room(ui);
    await expect(channel.getByTestId('app-status')).toHaveAttribute('data-status', 'SUBSCRIBED');
    const postgres = channel.getByTestId('postgres-changes');
    await expect(postgres).toHaveAttribute('data-state', 'subscribed');
    await expect(postgres).toContainText('Subscribed to PostgreSQL');
    await expect(channel.getByTestId('channel-client')).toContainText(/^Client: supabase-js 2\.\d+\.\d+ \(platform=browser\), serializer vsn 2\.0\.0/);
    // The join carried the anon key as access_token (§2.5), the socket's apikey: that is the token judged.
    await expect(channel.getByTestId('effective-token')).toHaveAttribute('data-label', /anon key/);
  });
});
