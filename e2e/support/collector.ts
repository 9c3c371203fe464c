// A stand-in panel for end-to-end checks of the capture pipeline: an extension page that connects
// to the service worker with PORT_PANEL and records every BackgroundToPanel message, exactly as
// the real panel receives them. It exercises the real router; it is not a mock of it.

import type { Page } from '@playwright/test';
import type { CapturedEvent } from '../../src/core/model';
import { PORT_PANEL, PROTOCOL_VERSION, type BackgroundToPanel } from '../../src/messages';
import type { LaunchedBrowser } from './launch';

export interface PanelCollector {
  page: Page;
  /** Every message received so far, in order. */
  messages(): Promise<BackgroundToPanel[]>;
  /** Captured events from snapshots and live batches, deduplicated by (docId, seq), ordered by docId then seq. */
  events(): Promise<CapturedEvent[]>;
  /** Polls `events()` until `predicate` holds (throws with the last events on timeout). */
  waitForEvents(predicate: (events: CapturedEvent[]) => boolean, timeoutMs?: number): Promise<CapturedEvent[]>;
  send(message: object): Promise<void>;
  close(): Promise<void>;
}

/** Any page of the extension gives `chrome.runtime`; the devtools page is always built. */
const EXTENSION_PAGE = 'src/devtools/devtools.html';

export async function openPanelCollector(browser: LaunchedBrowser, tabId: number): Promise<PanelCollector> {
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/${EXTENSION_PAGE}`);
  await page.evaluate(
    ({ portName, v, tabId }) => {
      const w = window as unknown as { __claimscope: { messages: unknown[]; port: chrome.runtime.Port } };
      const port = chrome.runtime.connect({ name: portName });
      w.__claimscope = { messages: [], port };
      port.onMessage.addListener((m: unknown) => w.__claimscope.messages.push(m));
      port.onDisconnect.addListener(() => w.__claimscope.messages.push({ type: 'collector-disconnected' }));
      port.postMessage({ type: 'subscribe', v, tabId });
    },
    { portName: PORT_PANEL, v: PROTOCOL_VERSION, tabId },
  );

  const messages = () => page.evaluate(() => (window as unknown as { __claimscope: { messages: BackgroundToPanel[] } }).__claimscope.messages);
  const events = async () => {
    const seen = new Map<string, CapturedEvent>();
    for (const m of await messages()) {
      const list = m.type === 'snapshot' ? m.snapshot.events : m.type === 'events' ? m.events : [];
      for (const e of list) seen.set(`${e.docId}#${e.seq}`, e);
    }
    // A consistent order: by document, then by store sequence (times across documents may interleave).
    return [...seen.values()].sort((a, b) => (a.docId === b.docId ? a.seq - b.seq : a.docId < b.docId ? -1 : 1));
  };
  return {
    page,
    messages,
    events,
    async waitForEvents(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      let last: CapturedEvent[] = [];
      while (Date.now() < deadline) {
        last = await events();
        if (predicate(last)) return last;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`captured events never matched; last ${last.length} events:\n${JSON.stringify(last.slice(-30), null, 1).slice(0, 6_000)}`);
    },
    async send(message) {
      await page.evaluate((m) => (window as unknown as { __claimscope: { port: chrome.runtime.Port } }).__claimscope.port.postMessage(m), message);
    },
    close: () => page.close(),
  };
}

declare namespace chrome.runtime {
  interface Port {
    postMessage(m: unknown): void;
    onMessage: { addListener(f: (m: unknown) => void): void };
    onDisconnect: { addListener(f: () => void): void };
  }
  function connect(o: { name: string }): Port;
}
