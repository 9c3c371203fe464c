// Issue 13, every export format from the real panel and HARs the browser itself wrote:
// - a HAR produced by Chromium's DevTools (chrome.devtools.network.getHAR() inside the real
//   DevTools panel) and one produced by Playwright's recordHar, for the real supabase-js app, are
//   imported into the panel (dropped on it, or picked) and analysed by `claimscope analyze` with the
//   live capture's finding codes;
// - canary secrets planted in the scenario (a token signature, a service-role key, an sb_secret_
//   key, a password, a refresh token, an e-mail) appear in none of the session file, the HAR and the
//   Markdown report the panel writes, in any encoding (canary-scan.ts shares no code with the
//   redactor), although the capture holds them;
// - a 50 MB HAR shows progress and a preview; corrupt files get one line and change nothing.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, expect, test, type Frame, type Locator, type Page } from '@playwright/test';
import { scanForCanaries } from '../src/core/export/canary-scan';
import { appUrl, scenarioDone, startAppServer } from './support/app-server';
import { chromiumPath, launchWithExtension, REPO_ROOT, type LaunchedBrowser } from './support/launch';
import { openDevToolsFor, openPanelTab, selectClaimscopePanel, type PanelUi } from './support/panel-ui';
import type { DemoServer } from '../scripts/start-server';

const run = promisify(execFile);
const CLI = join(REPO_ROOT, 'dist/cli/claimscope.js');

let server: DemoServer;
let browser: LaunchedBrowser;
let previousAttach: string | undefined;
const dir = mkdtempSync(join(tmpdir(), 'claimscope-formats-'));

test.beforeAll(async () => {
  server = await startAppServer();
  previousAttach = process.env.PW_CHROMIUM_ATTACH_TO_OTHER;
  process.env.PW_CHROMIUM_ATTACH_TO_OTHER = '1'; // DevTools windows become Playwright pages (toolchain.md)
  browser = await launchWithExtension();
});

test.afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true }); // the HARs, one of them 50 MB
  if (previousAttach === undefined) delete process.env.PW_CHROMIUM_ATTACH_TO_OTHER;
  else process.env.PW_CHROMIUM_ATTACH_TO_OTHER = previousAttach;
});

/**
 * A redacted text with its keyed parts written the same whatever the key: each Redactor has its own
 * random key (the panel's copies one, each export another), so signature placeholders and e-mail
 * pseudonyms — also those inside a JWT's re-encoded claims — differ between a copy and an export
 * while everything else is the same.
 */
function unkeyed(text: string): string {
  return text
    .replace(/(eyJ[\w-]+)\.([\w-]*)\.([\w-]*)/g, (_, header: string, claims: string, sig: string) => {
      const sigText = sig.startsWith('REDACTED') ? `REDACTED(${sig.length})` : sig;
      return `${header}.claims(${unkeyed(Buffer.from(claims, 'base64url').toString('utf8'))}).${sigText}`;
    })
    .replace(/redacted-[0-9a-f]{10}/g, 'redacted-(pseudonym)');
}

async function activeCodes(ui: PanelUi): Promise<string[]> {
  await ui.view('findings');
  const rows = ui.root.locator('[data-testid="finding-row"][data-state="active"]');
  await expect(rows.first()).toBeVisible({ timeout: 15_000 });
  return [...new Set(await rows.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.code ?? '')))].sort();
}

/** `claimscope analyze FILE --json` as a user runs it: exit status and finding codes. */
async function analyze(file: string): Promise<{ code: number; codes: string[]; producer: string }> {
  const result = await run(process.execPath, [CLI, 'analyze', file, '--json']).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (err: { code: number; stdout: string; stderr: string }) => {
      if (err.code !== 1) throw new Error(`claimscope analyze exited ${err.code}: ${err.stderr}`);
      return { code: 1, stdout: err.stdout };
    },
  );
  const parsed = JSON.parse(result.stdout) as { producer: string; findings: Array<{ code: string }> };
  return { code: result.code, codes: [...new Set(parsed.findings.map((f) => f.code))].sort(), producer: parsed.producer };
}

/** Drops a file on the panel as a user drags one from the file manager. */
async function dropFile(root: Page | Frame, name: string, text: string): Promise<void> {
  const dataTransfer = await root.evaluateHandle(
    ({ name, text }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], name, { type: 'application/json' }));
      return dt;
    },
    { name, text },
  );
  await root.locator('body').dispatchEvent('dragover', { dataTransfer });
  await root.locator('body').dispatchEvent('drop', { dataTransfer });
}

test('a HAR Chromium’s DevTools wrote (getHAR in the real panel), dropped on the panel and given to claimscope analyze: the live finding codes; Copy and Copy raw of a frame, a token and a finding', async () => {
  const page = await browser.context.newPage();
  // What the page really sent, as the browser's network saw it (not through the extension).
  const sent: string[] = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => void (typeof f.payload === 'string' && sent.push(f.payload))));
  const devtools = await openDevToolsFor(browser.context, page);
  const ui = await selectClaimscopePanel(devtools);
  await page.goto(appUrl(server, { scenario: 'expired-token' }));
  await scenarioDone(page, 'expired-token');
  await expect.poll(() => activeCodes(ui), { timeout: 20_000 }).toEqual(expect.arrayContaining(['server-join-rejected', 'token-expired']));
  const live = await activeCodes(ui);

  // The HAR DevTools itself holds for the tab, through the extension API the panel runs under.
  const frame = ui.root as Frame;
  const harText = await frame.evaluate(
    () =>
      new Promise<string>((resolve) =>
        (globalThis as unknown as { chrome: { devtools: { network: { getHAR(cb: (har: unknown) => void): void } } } }).chrome.devtools.network.getHAR((har) => resolve(JSON.stringify({ log: har }))),
      ),
  );
  const har = JSON.parse(harText) as { log: { entries: Array<{ _resourceType?: string; _webSocketMessages?: Array<{ time: number }> }> } };
  const sockets = har.log.entries.filter((e) => e._resourceType === 'websocket');
  expect(sockets.length).toBeGreaterThan(0);
  // DevTools writes frame times in seconds since the epoch.
  const firstFrame = sockets.flatMap((s) => s._webSocketMessages ?? [])[0];
  expect(firstFrame.time).toBeGreaterThan(1e9);
  expect(firstFrame.time).toBeLessThan(1e11);
  const file = join(dir, 'devtools.har');
  writeFileSync(file, harText);

  const cli = await analyze(file);
  expect(cli.code).toBe(1);
  expect(cli.codes).toEqual(live);

  // Copy report works inside real DevTools (the panel is a devtools:// iframe): the clipboard holds it.
  // No permission granted for the copy (a user's DevTools has none); only for the test to read it back.
  await frame.getByTestId('copy-report-button').click();
  const copied = frame.getByTestId('export-status');
  await expect(copied).toContainText('Bug report copied');
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.bringToFront();
  const report = await page.evaluate(() => navigator.clipboard.readText());
  expect(report).toMatch(/^# Claimscope report/);
  for (const c of live) expect(report).toContain(`\`${c}\``);

  // Copy and Copy raw (issue 11 item 4) in the real panel, each read back from the page. Copy is
  // the export's redaction (ARCHITECTURE.md: exports and copy buttons use the same): the expired
  // token's signature is in no masked copy, replaced by a placeholder of its length; raw has it.
  const clipboard = async () => {
    await page.bringToFront();
    return page.evaluate(() => navigator.clipboard.readText());
  };
  const copy = async (item: Locator, prefix: string, mode: 'masked' | 'raw') => {
    await item.getByTestId(mode === 'raw' ? `${prefix}-copy-raw` : `${prefix}-copy`).click();
    const status = item.getByTestId(`${prefix}-copy-status`);
    await expect(status).toHaveAttribute('data-mode', mode);
    await expect(status).toHaveAttribute('data-kind', 'ok');
    return clipboard();
  };
  const joinSent = sent.find((t) => t.includes('"phx_join"') && t.includes('"access_token":"eyJ'));
  expect(joinSent, 'the page sent a join with its token').toBeDefined();
  const token = /"access_token":"(eyJ[^"]+)"/.exec(joinSent!)![1];
  const [tokenHeader, , signature] = token.split('.');
  expect(signature.length).toBeGreaterThan(20);
  const placeholderOf = (text: string) => new RegExp(`${tokenHeader}\\.[\\w-]+\\.([\\w-]+)`).exec(text)?.[1];

  await ui.filter('phx_join');
  const details = await ui.openFrame(ui.frameRows({ event: 'phx_join', dir: 'sent' }).first());
  // Two buttons, named apart for assistive technology too.
  const copyButton = details.getByRole('button', { name: /^Copy: frame #\d+, secrets masked$/ });
  await expect(copyButton).toBeVisible();
  await expect(details.getByRole('button', { name: /^Copy raw: frame #\d+ with its JWT signatures and secret keys$/ })).toBeVisible();
  const frameMasked = await copy(details, 'frame', 'masked');
  const frameRaw = await copy(details, 'frame', 'raw');
  expect(sent).toContain(frameRaw);
  expect(frameRaw).toContain(signature);
  expect(scanForCanaries(frameMasked, [signature])).toEqual([]);
  expect(placeholderOf(frameMasked)).toMatch(/^(?:REDACTED[0-9a-f]*)+$/);
  expect(placeholderOf(frameMasked)).toHaveLength(signature.length);
  // The same text the session file Export writes for that frame, exported from this DevTools panel.
  const seq = Number(/frame #(\d+)/.exec((await copyButton.getAttribute('aria-label')) ?? '')![1]);
  const download = devtools.waitForEvent('download');
  await frame.getByTestId('export-button').click();
  await frame.getByTestId('export-save').click();
  const exported = JSON.parse(readFileSync(await (await download).path(), 'utf8')) as { events: Array<{ kind: string; seq: number; dir?: string; text?: string }> };
  const joinExported = exported.events.find((e) => e.kind === 'ws-frame' && e.seq === seq && e.dir === 'sent' && e.text?.includes('"phx_join"'));
  expect(joinExported, `frame #${seq} in the exported session file`).toBeDefined();
  expect(unkeyed(frameMasked)).toBe(unkeyed(joinExported!.text!));
  await ui.root.getByTestId('filter-input').fill('');

  // The token-expired finding: Copy puts the finding with its evidence (masked); its token link
  // leads to the Tokens view, where the token is copied masked and raw.
  await ui.view('findings');
  const finding = ui.root.locator('[data-testid="finding-row"][data-code="token-expired"]').first();
  await finding.getByTestId('finding-select').click();
  const findingText = await copy(finding, 'finding', 'masked');
  expect(findingText).toMatch(/^error token-expired: Token expired\n/);
  expect(findingText).toContain('Evidence, token:');
  expect(scanForCanaries(findingText, [signature])).toEqual([]);
  await finding.locator('[data-testid="finding-evidence"][data-kind="token"]').click();
  const tokenRow = ui.root.locator('[data-testid="token-row"][data-revealed="true"]');
  const tokenMasked = await copy(tokenRow, 'token', 'masked');
  // The panel's copies share one Redactor: the token gets the same placeholder as in the frame's copy.
  expect(placeholderOf(tokenMasked)).toBe(placeholderOf(frameMasked));
  expect(scanForCanaries(tokenMasked, [signature])).toEqual([]);
  expect(await copy(tokenRow, 'token', 'raw')).toBe(token);

  await dropFile(frame, 'devtools.har', harText);
  const preview = ui.root.getByTestId('import-preview');
  await expect(preview).toHaveAttribute('data-kind', 'har');
  await expect(preview).toHaveAttribute('data-redacted', 'false');
  await expect(preview.getByTestId('import-preview-redaction')).toContainText('Not redacted');
  await ui.root.getByTestId('import-open').click();
  await expect(ui.root.getByTestId('imported-banner')).toHaveAttribute('data-file', 'devtools.har');
  await expect.poll(() => activeCodes(ui)).toEqual(live);
  await ui.root.getByTestId('imported-back').click();

  // A frame holding a refresh token, a password and e-mails (the project's backend broadcasts them
  // to the joined channel): Copy has none of them, Copy raw all.
  const canary = { password: 'Canary-Copy-Passw0rd-41c7', refresh: 'canarycopyrefresh5e0d92', email: 'canary.copy.77@example.org' };
  await page.goto(appUrl(server, { scenario: 'subscribe' }));
  await scenarioDone(page, 'subscribe');
  const payload = JSON.stringify({ note: 'copy-canary', password: canary.password, refresh_token: canary.refresh, email: canary.email, user_metadata: { email: canary.email } });
  expect((await fetch(`${server.url}/__dev/broadcast?topic=room1&event=copy-canary&payload=${encodeURIComponent(payload)}`)).status).toBe(200);
  await ui.filter('copy-canary');
  const canaryRow = ui.frameRows({ event: 'broadcast', dir: 'received' }).first();
  await expect(canaryRow).toBeVisible({ timeout: 15_000 });
  const canaryDetails = await ui.openFrame(canaryRow);
  const canaryMasked = await copy(canaryDetails, 'frame', 'masked');
  expect(canaryMasked).toMatch(/"note":\s*"copy-canary"/);
  expect(canaryMasked).toMatch(/"refresh_token":\s*"\[redacted\]"/);
  expect(scanForCanaries(canaryMasked, Object.values(canary))).toEqual([]);
  const canaryRaw = await copy(canaryDetails, 'frame', 'raw');
  for (const value of Object.values(canary)) expect(canaryRaw).toContain(value);
  await devtools.close();
  await page.close();
});

test('a HAR Playwright’s recordHar wrote (frame times in ms; .har and .zip modes), imported into the panel and given to claimscope analyze: the live finding codes', async () => {
  const plain = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu'] });
  const file = join(dir, 'playwright.har');
  const zipFile = join(dir, 'playwright.zip'); // .zip mode: the frames go to a .jsonl beside har.har
  try {
    for (const path of [file, zipFile]) {
      const context = await plain.newContext({ recordHar: { path } });
      const page = await context.newPage();
      await page.goto(appUrl(server, { scenario: 'missing-role' }));
      await scenarioDone(page, 'missing-role');
      await context.close(); // the HAR is written on close
    }
  } finally {
    await plain.close();
  }
  const text = readFileSync(file, 'utf8');
  const frames = (JSON.parse(text) as { log: { entries: Array<{ _webSocketMessages?: Array<{ time: number }> }> } }).log.entries.flatMap((e) => e._webSocketMessages ?? []);
  expect(frames.length).toBeGreaterThan(0);
  expect(frames[0].time).toBeGreaterThan(1e11); // milliseconds

  // The same scenario captured live by the extension, for the codes to compare with.
  const page = await browser.context.newPage();
  await page.goto(appUrl(server, { scenario: 'missing-role' }));
  await scenarioDone(page, 'missing-role');
  const ui = await openPanelTab(browser, await browser.tabIdOf(page));
  await expect.poll(() => activeCodes(ui), { timeout: 20_000 }).toEqual(expect.arrayContaining(['server-join-rejected']));
  const live = await activeCodes(ui);

  const cli = await analyze(file);
  expect(cli.producer).toBe('Playwright HAR');
  expect(cli.codes).toEqual(live);
  const fromZip = await analyze(zipFile);
  expect(fromZip.producer).toBe('Playwright HAR (.zip)');
  expect(fromZip.codes).toEqual(live);

  await ui.root.getByTestId('import-input').setInputFiles(file);
  await expect(ui.root.getByTestId('import-preview')).toHaveAttribute('data-kind', 'har');
  await ui.root.getByTestId('import-open').click();
  await expect(ui.root.getByTestId('imported-banner')).toContainText('Playwright HAR');
  await expect.poll(() => activeCodes(ui)).toEqual(live);
  await ui.root.getByTestId('import-input').setInputFiles(zipFile);
  await expect(ui.root.getByTestId('import-preview').getByTestId('import-preview-counts')).not.toHaveAttribute('data-frames', '0');
  await ui.root.getByTestId('import-open').click();
  await expect(ui.root.getByTestId('imported-banner')).toContainText('Playwright HAR (.zip)');
  await expect.poll(() => activeCodes(ui)).toEqual(live);
  await ui.close();
  await page.close();
});

test('canaries planted in the capture appear in no export the panel writes: session file, HAR, Markdown report', async () => {
  const config = (await (await fetch(`${server.url}/__dev/config`)).json()) as { keys: { anon: string; service_role: string; secret: string } };
  const canary = {
    password: 'Canary-Passw0rd-7f3a9c',
    refresh: 'canaryrefreshtoken8d2e61b0',
    email: 'canary.user.5c1e@example.org',
  };
  const secrets = [
    config.keys.anon.split('.')[2], // a token signature (in every socket URL)
    config.keys.service_role, // a service-role key (the service-role scenario's apikey)
    config.keys.service_role.split('.')[2],
    config.keys.secret, // an sb_secret_ key used as the client key
    canary.password,
    canary.refresh,
    canary.email,
  ];

  const page = await browser.context.newPage();
  await page.goto(appUrl(server, { scenario: 'none' }));
  // The panel is open before the scenarios' page loads, so it keeps both captures (preserve log).
  const ui = await openPanelTab(browser, await browser.tabIdOf(page));
  await page.goto(appUrl(server, { scenario: 'service-role' }));
  await scenarioDone(page, 'service-role');
  await page.goto(appUrl(server, { scenario: 'subscribe', key: config.keys.secret }));
  await scenarioDone(page, 'subscribe');
  // The project's backend broadcasts secrets to the joined channel: they arrive as a binary frame.
  const payload = JSON.stringify({ note: 'canary', password: canary.password, refresh_token: canary.refresh, email: canary.email, user_metadata: { email: canary.email } });
  const sent = await fetch(`${server.url}/__dev/broadcast?topic=room1&event=canary-event&payload=${encodeURIComponent(payload)}`);
  expect(sent.status).toBe(200);

  const panel = ui.root as Page;
  // The capture does hold the planted values: the broadcast and the secret-keyed socket are there.
  await ui.filter('canary-event');
  await expect(ui.frameRows({ event: 'broadcast', dir: 'received' }).first()).toBeVisible({ timeout: 15_000 });
  await ui.filter('');
  await ui.view('connections');
  await expect(ui.connections().getByTestId('connection-url').filter({ hasText: 'sb_secret_' }).first()).toBeVisible();

  const outputs: Record<string, string> = {};
  for (const [name, button] of [['session file', 'export-button'], ['HAR', 'export-har-button']] as const) {
    const download = panel.waitForEvent('download');
    await panel.getByTestId(button).click();
    await panel.getByTestId('export-save').click();
    outputs[name] = readFileSync(await (await download).path(), 'utf8');
  }
  // (an extension origin cannot be named here: Chromium calls it opaque; granted for every origin)
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await panel.getByTestId('copy-report-button').click();
  await expect(panel.getByTestId('export-status')).toContainText('Bug report copied');
  outputs['Markdown report'] = await panel.evaluate(() => navigator.clipboard.readText());

  expect(outputs['session file']).toContain('"format": "claimscope-session"');
  expect(outputs.HAR).toContain('"_webSocketMessages"');
  expect(outputs['Markdown report']).toMatch(/^# Claimscope report/);
  expect(outputs['Markdown report']).toMatch(/`service-role-in-browser`/);
  expect(outputs['Markdown report']).toMatch(/`secret-key-in-browser`/);
  // The canary broadcast is in the files, redacted (its frame kept, the values gone): the password
  // and refresh token counted as removed secret values, the e-mails as pseudonymised.
  const removed = (JSON.parse(outputs['session file']) as { redaction: { removed: Record<string, number> } }).redaction.removed;
  expect(removed.secretValues).toBeGreaterThanOrEqual(2);
  expect(removed.personalData).toBeGreaterThanOrEqual(1);
  expect(removed.secretKeys).toBeGreaterThanOrEqual(1);
  expect(outputs.HAR).toMatch(/canary-event/);
  for (const [name, text] of Object.entries(outputs)) {
    expect(scanForCanaries(text, secrets), `${name} leaks a canary`).toEqual([]);
  }
  // The export option "also redact payload values": the broadcast's content goes, its event name stays.
  expect(scanForCanaries(outputs['session file'], ['"note":"canary"']).length).toBeGreaterThan(0);
  await panel.getByTestId('export-button').click();
  await panel.getByTestId('export-redact-payloads').check();
  await expect(panel.getByTestId('export-dialog-removed')).toContainText('replaced by placeholders of their type');
  expect(Number(await panel.getByTestId('export-dialog-removed').getAttribute('data-payload-values'))).toBeGreaterThan(0);
  const masked = panel.waitForEvent('download');
  await panel.getByTestId('export-save').click();
  const maskedText = readFileSync(await (await masked).path(), 'utf8');
  expect(maskedText).toContain('"payloadValues": "redacted"');
  expect(scanForCanaries(maskedText, ['"note":"canary"', ...secrets])).toEqual([]);
  await ui.close();
  await page.close();
});

test('a 50 MB HAR shows progress and a preview before it opens; corrupt files get one line and change nothing', async () => {
  const page = await browser.context.newPage();
  await page.goto(appUrl(server, { scenario: 'expired-token' }));
  await scenarioDone(page, 'expired-token');
  const ui = await openPanelTab(browser, await browser.tabIdOf(page));
  const panel = ui.root as Page;
  await expect.poll(() => activeCodes(ui), { timeout: 20_000 }).toEqual(expect.arrayContaining(['token-expired']));
  const live = await activeCodes(ui);

  const bad: Array<[string, string | Buffer, RegExp]> = [
    ['cut.json', '{"format":"claimscope-session","version":1,"events":[{"kind"', /cut short/],
    ['empty.har', '{"log":{"version":"1.2","entries":[]}}', /no entries/],
    ['junk.har', Buffer.from([0, 159, 146, 150, 0, 1, 2, 3, 255, 254]), /binary data/],
    ['future.json', '{"format":"claimscope-session","version":7}', /version 7; this Claimscope reads version 1/],
  ];
  for (const [name, content, message] of bad) {
    await panel.getByTestId('import-input').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(content) });
    const error = panel.getByTestId('import-error');
    await expect(error).toContainText(name);
    await expect(error).toContainText(message);
    await expect(error).toContainText('Nothing in the panel changed');
    await expect(panel.getByTestId('import-preview')).toHaveCount(0);
  }
  expect(await activeCodes(ui)).toEqual(live);
  await expect(panel.getByTestId('imported-banner')).toHaveCount(0);

  // 50 MB: one Realtime socket whose join is rejected, then a long flood of broadcasts.
  const start = Date.now() / 1000;
  const filler = 'x'.repeat(4000);
  const messages = [{ type: 'send', time: start, opcode: 1, data: '["1","1","realtime:big","phx_join",{"config":{}}]' }];
  for (let i = 0; messages.length * 4100 < 50 * 1024 * 1024; i++) messages.push({ type: 'receive', time: start + 0.001 * i, opcode: 1, data: `[null,null,"realtime:big","broadcast",{"event":"e","payload":{"n":${i},"f":"${filler}"}}]` });
  const big = JSON.stringify({
    log: {
      version: '1.2',
      creator: { name: 'WebInspector', version: '537.36' },
      entries: [
        {
          startedDateTime: new Date(start * 1000).toISOString(),
          time: 1,
          request: { method: 'GET', url: `${server.url.replace('http', 'ws')}/realtime/v1/websocket?vsn=1.0.0`, headers: [] },
          response: { status: 101, headers: [] },
          _resourceType: 'websocket',
          _webSocketMessages: messages,
        },
      ],
    },
  });
  expect(big.length).toBeGreaterThan(50 * 1024 * 1024);
  const bigFile = join(dir, 'big.har');
  writeFileSync(bigFile, big);
  // Progress is shown while the file is read: record every progress value the panel showed.
  await panel.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { __progress: number[] }).__progress = seen;
    new MutationObserver(() => {
      const bar = document.querySelector('[data-testid="import-progress"]') as HTMLProgressElement | null;
      if (bar && seen[seen.length - 1] !== bar.value) seen.push(bar.value);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    const tasks: number[] = [];
    (window as unknown as { __longTasks: number[] }).__longTasks = tasks;
    new PerformanceObserver((list) => list.getEntries().forEach((e) => tasks.push(Math.round(e.duration)))).observe({ type: 'longtask' });
  });
  await panel.getByTestId('import-input').setInputFiles(bigFile);
  const preview = panel.getByTestId('import-preview');
  await expect(preview).toBeVisible({ timeout: 60_000 });
  const progress = await panel.evaluate(() => (window as unknown as { __progress: number[] }).__progress);
  expect(progress.filter((p) => p > 0 && p < 1).length).toBeGreaterThan(2);
  await expect(preview.getByTestId('import-preview-counts')).toHaveAttribute('data-frames', String(messages.length));
  // For the record (not a timed assertion): the panel's longest blocking tasks while reading and checking.
  test.info().annotations.push({ type: 'long tasks (ms)', description: JSON.stringify(await panel.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks)) });
  // Cancel keeps the live capture as it was.
  await panel.getByTestId('import-cancel').click();
  expect(await activeCodes(ui)).toEqual(live);
  // Opened, it is shown with all its frames; back to live, the live findings are intact.
  await panel.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks.splice(0));
  await panel.getByTestId('import-input').setInputFiles(bigFile);
  await panel.getByTestId('import-open').click({ timeout: 60_000 });
  await expect(panel.getByTestId('imported-banner')).toHaveAttribute('data-file', 'big.har', { timeout: 60_000 });
  await ui.view('frames');
  await expect(panel.getByTestId('frames-count')).toContainText(messages.length.toLocaleString('en-US'), { timeout: 30_000 });
  test.info().annotations.push({ type: 'long tasks while reading and opening (ms)', description: JSON.stringify(await panel.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks)) });
  await panel.getByTestId('imported-back').click();
  expect(await activeCodes(ui)).toEqual(live);
  await ui.close();
  await page.close();
});
