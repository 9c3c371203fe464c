// Driving the real Claimscope panel (dist/chrome/src/panel/panel.html) from Playwright, either as
// an ordinary extension tab given `?tabId=N`, or inside the real DevTools window (toolchain.md:
// PW_CHROMIUM_ATTACH_TO_OTHER makes DevTools a Playwright Page; the panel is one of its frames).
// Only the panel's documented data-testids (top of src/panel/main.tsx) are used.

import { expect, type BrowserContext, type Frame, type Locator, type Page } from '@playwright/test';
import type { LaunchedBrowser } from './launch';

export const PANEL_PAGE = 'src/panel/panel.html';

type Root = Page | Frame;

export interface FrameQuery {
  event?: string;
  dir?: 'sent' | 'received';
  topic?: string;
}

/** The panel UI, wherever it lives (a tab or the DevTools frame). */
export class PanelUi {
  constructor(
    readonly root: Root,
    /** The tab page, when the panel is a tab (closed by close()). */
    private readonly tab?: Page,
  ) {}

  status(): Locator {
    return this.root.getByTestId('capture-status');
  }

  async view(name: 'frames' | 'connections' | 'channels' | 'http' | 'findings'): Promise<void> {
    await this.root.getByTestId(`view-${name}`).click();
  }

  /** Narrow the (virtualised) frame list with the panel's own filter, so matching rows are rendered. */
  async filter(text: string): Promise<void> {
    await this.view('frames');
    await this.root.getByTestId('filter-input').fill(text);
  }

  frameRows(q: FrameQuery = {}): Locator {
    let sel = '[data-testid="frame-row"]';
    if (q.event !== undefined) sel += `[data-event="${q.event}"]`;
    if (q.dir) sel += `[data-dir="${q.dir}"]`;
    if (q.topic !== undefined) sel += `[data-topic="${q.topic}"]`;
    return this.root.locator(sel);
  }

  /** Selects a frame row and returns the details section. */
  async openFrame(row: Locator): Promise<Locator> {
    await row.click();
    const details = this.root.getByTestId('frame-details');
    await expect(details).toBeVisible();
    return details;
  }

  connections(): Locator {
    return this.root.getByTestId('connection-row');
  }

  channels(): Locator {
    return this.root.getByTestId('channel-row');
  }

  dropCounter(): Locator {
    return this.root.getByTestId('drop-counter');
  }

  async close(): Promise<void> {
    await this.tab?.close();
  }
}

/** The panel as a normal extension tab inspecting `tabId`. */
export async function openPanelTab(browser: LaunchedBrowser, tabId: number): Promise<PanelUi> {
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/${PANEL_PAGE}?tabId=${tabId}`);
  const ui = new PanelUi(page, page);
  // The panel must leave "Connecting…" on its own, even on a quiet tab (no click to re-render).
  await expect(ui.status()).not.toHaveAttribute('data-status', 'connecting');
  return ui;
}

/** Opens DevTools on `page` now (CDP Target.openDevTools from a browser session) and returns its Page. */
export async function openDevToolsFor(context: BrowserContext, page: Page): Promise<Page> {
  if (process.env.PW_CHROMIUM_ATTACH_TO_OTHER !== '1') throw new Error('launch with { devtools: true } or set PW_CHROMIUM_ATTACH_TO_OTHER=1 before launching');
  const browser = context.browser();
  if (!browser) throw new Error('no Browser object for this context: cannot open a browser-level CDP session');
  const pageCdp = await context.newCDPSession(page);
  const { targetInfo } = (await pageCdp.send('Target.getTargetInfo')) as { targetInfo: { targetId: string } };
  await pageCdp.detach();
  const devtoolsPage = context.waitForEvent('page', { predicate: (p) => p.url().startsWith('devtools://'), timeout: 30_000 });
  const browserCdp = await browser.newBrowserCDPSession();
  try {
    await browserCdp.send('Target.openDevTools', { targetId: targetInfo.targetId });
  } finally {
    await browserCdp.detach().catch(() => undefined);
  }
  return devtoolsPage;
}

/**
 * Selects the Claimscope panel in a DevTools window and returns it. DevTools' overflow menu does
 * not render headless, so step through panels with Ctrl+] until the panel's frame exists
 * (toolchain.md, measured 15/15).
 */
export async function selectClaimscopePanel(devtools: Page): Promise<PanelUi> {
  await devtools.waitForSelector('#tab-elements', { timeout: 30_000 });
  const find = () => devtools.frames().find((f) => f.url().includes(`/${PANEL_PAGE}`));
  // The extension's devtools_page registers the panel asynchronously after DevTools loads.
  for (let i = 0; i < 60 && !find(); i++) {
    await devtools.keyboard.press('Control+BracketRight');
    await devtools.waitForTimeout(250);
  }
  const frame = find();
  if (!frame) throw new Error(`Claimscope panel frame not found; frames: ${devtools.frames().map((f) => f.url()).join(', ')}`);
  await frame.waitForLoadState('domcontentloaded');
  const ui = new PanelUi(frame);
  await expect(ui.status()).toBeVisible();
  return ui;
}
