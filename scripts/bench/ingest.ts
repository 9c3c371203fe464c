// Ingest: do the frames the page sent and received reach the store of record and the panel?
// Claimscope (dist/chrome) in a fresh browser; the flood page counts every frame on its socket; the
// real panel page, opened as an extension tab (`chrome-extension://<id>/src/panel/panel.html?tabId=N`,
// as the e2e tests do), shows how many frames it holds and the drops counted by the store and by
// the panel (data-testids frames-count and drop-counter, documented in src/panel/main.tsx).
//   below the store's cap, panel opened after the flood: every frame is there, 0 dropped;
//   above the cap, panel opened after the flood: frames held + frames dropped = frames on the socket;
//   panel open during a flood above the store's cap (live stream): every frame reaches the panel.

import { STORE_LIMITS } from '../../src/messages';
import type { Cdp } from './cdp';
import { extensionId, launch, sleep } from './chromium';
import type { FloodServer } from './flood-server';
import { openFloodPage } from './page-cost';

export interface IngestCase {
  name: string;
  panelDuringFlood: boolean;
  inbound: number;
  outbound: number;
}

export interface IngestResult extends IngestCase {
  /** Frames the page counted on its socket (both directions, join and control frames included). */
  pageFrames: number;
  panelFrames: number;
  storeDropped: number;
  panelDropped: number;
  /**
   * Panel opened after the flood: pageFrames − panelFrames − storeDropped − panelDropped. Panel open
   * during the flood (it got the live stream, so the store's own evictions cost it nothing):
   * pageFrames − panelFrames − panelDropped. 0 when every frame is held or counted.
   */
  unaccounted: number;
  /** Frames lost below the cap (must be 0), or counted drops that do not add up. */
  ok: boolean;
  detail: string;
}

export function ingestCases(quick: boolean): IngestCase[] {
  const cap = STORE_LIMITS.maxEvents;
  return quick
    ? [
        { name: 'below the store cap, panel opened after', panelDuringFlood: false, inbound: 4_000, outbound: 1_000 },
        { name: 'above the store cap, panel opened after', panelDuringFlood: false, inbound: cap + 5_000, outbound: 1_000 },
        { name: 'panel open during the flood (above the store cap)', panelDuringFlood: true, inbound: cap + 5_000, outbound: 1_000 },
      ]
    : [
        { name: 'below the store cap, panel opened after', panelDuringFlood: false, inbound: Math.round(cap * 0.6), outbound: Math.round(cap * 0.15) },
        { name: 'above the store cap, panel opened after', panelDuringFlood: false, inbound: cap * 2, outbound: 5_000 },
        { name: 'panel open during the flood (above the store cap)', panelDuringFlood: true, inbound: cap * 2, outbound: 5_000 },
      ];
}

/** The browser's tab id for a page URL, asked of the extension's service worker. */
export async function tabIdOf(cdp: Cdp, extId: string, url: string): Promise<number> {
  // The worker may be starting again (MV3 stops an idle one): its target can be there before its
  // global scope is ("chrome is not defined", seen once in a full run). Asked again a few times.
  for (let attempt = 1; ; attempt++) {
    try {
      return await askTabId(cdp, extId, url);
    } catch (e) {
      if (attempt >= 5) throw e;
      await sleep(500);
    }
  }
}

async function askTabId(cdp: Cdp, extId: string, url: string): Promise<number> {
  const { targetInfos } = await cdp.send('Target.getTargets');
  const sw = (targetInfos as Array<{ targetId: string; type: string; url: string }>).find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${extId}/`));
  if (!sw) throw new Error('no extension service worker target');
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: sw.targetId, flatten: true });
  try {
    const id = await cdp.evaluate<number>(sessionId, `chrome.tabs.query({}).then((ts) => (ts.find((t) => t.url === ${JSON.stringify(url)}) || { id: -1 }).id)`, 15_000);
    if (typeof id !== 'number' || id < 0) throw new Error(`no tab found for ${url}`);
    return id;
  } finally {
    await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
  }
}

/** Opens the panel page as a tab in its own window (the flood tab stays visible) and returns its session. */
export async function openPanelTab(cdp: Cdp, extId: string, tabId: number): Promise<string> {
  const url = `chrome-extension://${extId}/src/panel/panel.html?tabId=${tabId}`;
  const { targetId } = await cdp.send('Target.createTarget', { url, newWindow: true });
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await cdp
      .evaluate<string>(sessionId, `document.querySelector('[data-testid="capture-status"]')?.getAttribute('data-status') ?? ''`, 10_000)
      .catch(() => '');
    if (status && status !== 'connecting') return sessionId;
    if (Date.now() > deadline) throw new Error(`panel did not leave "connecting" (status "${status}")`);
    await sleep(200);
  }
}

export interface PanelCounts {
  frames: number;
  storeDropped: number;
  panelDropped: number;
  text: string;
}

export async function readPanel(cdp: Cdp, sessionId: string): Promise<PanelCounts> {
  return cdp.evaluate<PanelCounts>(
    sessionId,
    `(async () => {
      // The panel opens on Findings: the frame count is in the Frames view.
      if (!document.querySelector('[data-testid="frames-count"]')) {
        document.querySelector('[data-testid="view-frames"]')?.click();
        await new Promise((r) => setTimeout(r, 100));
      }
      const t = document.querySelector('[data-testid="frames-count"]')?.textContent ?? '';
      const m = /(?:of\\s+)?([\\d,]+)\\s+frames/.exec(t);
      const d = document.querySelector('[data-testid="drop-counter"]');
      const num = (v) => Number(String(v ?? '0').replace(/,/g, '')) || 0;
      return { frames: m ? num(m[1]) : -1, storeDropped: num(d?.getAttribute('data-store-dropped')), panelDropped: num(d?.getAttribute('data-panel-dropped')), text: t };
    })()`,
    15_000,
  );
}

/** Polls the panel until its counts stop changing (bounded), returning the last reading. */
export async function settledPanel(cdp: Cdp, sessionId: string, expectAtLeast: number, timeoutMs = 90_000): Promise<PanelCounts> {
  const deadline = Date.now() + timeoutMs;
  let last = await readPanel(cdp, sessionId);
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    await sleep(250);
    const now = await readPanel(cdp, sessionId);
    if (now.frames !== last.frames || now.storeDropped !== last.storeDropped || now.panelDropped !== last.panelDropped) stableSince = Date.now();
    last = now;
    const total = now.frames + now.storeDropped + now.panelDropped;
    if (Date.now() - stableSince > (total >= expectAtLeast ? 1_500 : 5_000)) break;
  }
  return last;
}

export async function runIngestCase(c: IngestCase, server: FloodServer, extensionDir: string): Promise<IngestResult> {
  const browser = await launch({ extensions: [extensionDir] });
  try {
    const { cdp } = browser;
    const extId = await extensionId(cdp);
    const url = server.pageUrl();
    const { sessionId } = await openFloodPage(cdp, url);
    const tabId = await tabIdOf(cdp, extId, url);
    let panel = c.panelDuringFlood ? await openPanelTab(cdp, extId, tabId) : '';
    if (c.panelDuringFlood) await sleep(500);
    await cdp.evaluate(sessionId, `window.bench.inbound(${c.inbound})`);
    await cdp.evaluate(sessionId, `window.bench.outbound(${c.outbound})`);
    const counts = await cdp.evaluate<{ sent: number; received: number }>(sessionId, 'window.bench.counts()');
    const pageFrames = counts.sent + counts.received;
    if (!panel) {
      await sleep(500);
      panel = await openPanelTab(cdp, extId, tabId);
    }
    const p = await settledPanel(cdp, panel, pageFrames);
    const unaccounted = pageFrames - p.frames - p.panelDropped - (c.panelDuringFlood ? 0 : p.storeDropped);
    const belowCap = pageFrames < STORE_LIMITS.maxEvents;
    let ok: boolean;
    let detail: string;
    if (p.frames < 0) {
      ok = false;
      detail = `could not read the panel's frame count ("${p.text}")`;
    } else if (c.panelDuringFlood) {
      ok = p.frames === pageFrames && p.panelDropped === 0;
      detail = `${p.frames.toLocaleString('en')} of ${pageFrames.toLocaleString('en')} frames in the panel (live stream), ${p.panelDropped} dropped by the panel; the store itself evicted ${p.storeDropped.toLocaleString('en')} (counted)`;
    } else if (belowCap) {
      ok = p.frames === pageFrames && p.storeDropped + p.panelDropped === 0;
      detail = `${p.frames.toLocaleString('en')} of ${pageFrames.toLocaleString('en')} frames in the panel, ${(pageFrames - p.frames).toLocaleString('en')} lost, dropped ${p.storeDropped}/${p.panelDropped} (store/panel)`;
    } else {
      ok = unaccounted === 0 && p.storeDropped > 0;
      detail = `${p.frames.toLocaleString('en')} held + ${p.storeDropped.toLocaleString('en')} dropped by the store + ${p.panelDropped} by the panel = ${(p.frames + p.storeDropped + p.panelDropped).toLocaleString('en')} of ${pageFrames.toLocaleString('en')} frames (unaccounted ${unaccounted})`;
    }
    return { ...c, pageFrames, panelFrames: p.frames, storeDropped: p.storeDropped, panelDropped: p.panelDropped, unaccounted, ok, detail };
  } finally {
    await browser.close();
  }
}
