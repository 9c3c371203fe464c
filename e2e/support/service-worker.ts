// Stopping the extension's service worker for real, as Chromium does when it is idle.
//
// Measured (Chromium 156): CDP `ServiceWorker.stopAllWorkers` only reaches the workers of the
// session's own origin. From a session on a web page it is a silent no-op for the extension's
// worker; from a session on one of the extension's own pages it stops it (versions go
// running → stopping → stopped). Playwright's `Worker` does not emit 'close' for it, so the
// stop is confirmed through `ServiceWorker.workerVersionUpdated`.

import type { CDPSession, Page } from '@playwright/test';
import type { LaunchedBrowser } from './launch';

type RunningStatus = 'stopped' | 'starting' | 'running' | 'stopping';
interface VersionUpdate {
  versions: Array<{ versionId: string; scriptURL: string; runningStatus: RunningStatus }>;
}

export interface ServiceWorkerControl {
  /** Stops the extension's service worker and resolves once Chromium reports it stopped. */
  stop(timeoutMs?: number): Promise<void>;
  /** The last running status Chromium reported for the extension's worker. */
  status(): RunningStatus | undefined;
  /** Every status reported, in order (e.g. to see that it was restarted after a stop). */
  history(): RunningStatus[];
  close(): Promise<void>;
}

export async function controlServiceWorker(browser: LaunchedBrowser): Promise<ServiceWorkerControl> {
  const prefix = `chrome-extension://${browser.extensionId}/`;
  const page: Page = await browser.context.newPage();
  await page.goto(`${prefix}src/devtools/devtools.html`);
  const cdp: CDPSession = await browser.context.newCDPSession(page);
  const history: RunningStatus[] = [];
  const listeners: Array<() => void> = [];
  cdp.on('ServiceWorker.workerVersionUpdated', (e: VersionUpdate) => {
    for (const v of e.versions) {
      if (!v.scriptURL.startsWith(prefix)) continue;
      if (history[history.length - 1] !== v.runningStatus) history.push(v.runningStatus);
    }
    for (const l of [...listeners]) l();
  });
  await cdp.send('ServiceWorker.enable');
  return {
    async stop(timeoutMs = 10_000) {
      const mark = history.length;
      const stopped = new Promise<void>((resolve, reject) => {
        const check = () => {
          if (history.slice(mark).includes('stopped')) {
            listeners.splice(listeners.indexOf(check), 1);
            clearTimeout(t);
            resolve();
          }
        };
        const t = setTimeout(() => {
          listeners.splice(listeners.indexOf(check), 1);
          reject(new Error(`the extension's service worker was not reported stopped within ${timeoutMs} ms (statuses: ${history.join(' → ')})`));
        }, timeoutMs);
        listeners.push(check);
      });
      await cdp.send('ServiceWorker.stopAllWorkers');
      await stopped;
    },
    status: () => history[history.length - 1],
    history: () => [...history],
    async close() {
      await cdp.detach().catch(() => undefined);
      await page.close().catch(() => undefined);
    },
  };
}
