// Launching Chromium with the built extension (dist/chrome), for every Playwright spec.
// Facts this relies on are in ../shared/toolchain.md: a persistent context is required for
// extensions, `--disable-extensions-except` must accompany `--load-extension` (Playwright passes
// `--disable-extensions`), the service worker appears 0.4–0.7 s after launch, and the extension id
// is the host of its URL. Debian's Chromium is at /usr/bin/chromium; CHROME_PATH overrides it.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { controlServiceWorker } from './service-worker';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const CHROME_EXTENSION_DIR = join(REPO_ROOT, 'dist/chrome');

export interface LaunchOptions {
  /** Load the extension (default true). `false` gives the same browser without it, for A/B checks. */
  withExtension?: boolean;
  /**
   * Start without the extension and install it later with `installExtension()` (CDP
   * Extensions.loadUnpacked), as a user does while tabs are already open.
   */
  installLater?: boolean;
  /** Unpacked extension folder (default dist/chrome). */
  extensionDir?: string;
  headless?: boolean;
  /** Open docked DevTools on every tab (loads the extension's devtools_page). */
  devtools?: boolean;
  /** Extra Chromium switches, e.g. `--host-resolver-rules=MAP *.supabase.co 127.0.0.1`. */
  args?: string[];
  /** Chromium binary (default $CHROME_PATH, then /usr/bin/chromium). */
  executablePath?: string;
  /**
   * A profile directory to use and keep (close() leaves it): launching again on it is a browser
   * restart — extension storage survives. Default: a fresh temporary profile, removed on close.
   */
  profileDir?: string;
  /**
   * Let tabs really be hidden and frozen. Playwright's launch turns on focus emulation for every
   * page it drives, which keeps each one `visible` (a tab behind another one, a minimized window:
   * still visible) and makes `Page.setWebLifecycleState frozen` a silent no-op
   * (e2e/app/SCENARIOS.md). With this, Chromium is started here with --remote-debugging-port and
   * Playwright attaches over CDP with `noDefaults` (no focus emulation): a tab behind another is
   * hidden, as in a user's browser, and CDP can freeze it.
   */
  letPagesHide?: boolean;
}

export interface LaunchedBrowser {
  context: BrowserContext;
  /** Empty string when launched without the extension. */
  extensionId: string;
  /** The extension's service worker (undefined without the extension). */
  serviceWorker: Worker | undefined;
  /** The current service worker: after a stop, Chromium starts a new one on the next event. */
  currentServiceWorker(): Promise<Worker>;
  /** Stops every service worker (CDP ServiceWorker.stopAllWorkers), as Chromium does when idle. */
  stopServiceWorker(): Promise<void>;
  /** The browser tab id of a page, as the extension sees it (`sender.tab.id`). */
  tabIdOf(page: Page): Promise<number>;
  /** With `installLater`: installs the unpacked extension now; fills extensionId and serviceWorker. */
  installExtension(): Promise<void>;
  close(): Promise<void>;
}

export function chromiumPath(explicit?: string): string {
  const candidate = explicit ?? process.env.CHROME_PATH ?? '/usr/bin/chromium';
  if (!existsSync(candidate)) {
    throw new Error(`Chromium not found at ${candidate}: install it (apt-get install -y chromium) or set CHROME_PATH.`);
  }
  return candidate;
}

export async function launchWithExtension(opts: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const installLater = opts.installLater ?? false;
  const withExtension = (opts.withExtension ?? true) && !installLater;
  const extensionDir = opts.extensionDir ?? CHROME_EXTENSION_DIR;
  if ((withExtension || installLater) && !existsSync(join(extensionDir, 'manifest.json'))) {
    throw new Error(`No built extension in ${extensionDir}: run \`npm run build\` first.`);
  }
  if (opts.devtools) process.env.PW_CHROMIUM_ATTACH_TO_OTHER = '1'; // DevTools windows become Pages (toolchain.md)
  const userDataDir = opts.profileDir ?? mkdtempSync(join(tmpdir(), 'claimscope-chromium-'));
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    ...(withExtension ? [`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`] : []),
    // Extensions.loadUnpacked needs this switch, and Playwright's default --disable-extensions off.
    ...(installLater ? ['--enable-unsafe-extension-debugging'] : []),
    ...(opts.devtools ? ['--auto-open-devtools-for-tabs'] : []),
    ...(opts.args ?? []),
  ];
  let own: ChildProcess | undefined;
  let context: BrowserContext;
  if (opts.letPagesHide) {
    if (installLater) throw new Error('letPagesHide and installLater cannot be combined');
    ({ context, process: own } = await attachToOwnChromium(chromiumPath(opts.executablePath), userDataDir, opts.headless ?? true, args));
  } else {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath(opts.executablePath),
      headless: opts.headless ?? true,
      args,
      ...(installLater ? { ignoreDefaultArgs: ['--disable-extensions'] } : {}),
    });
  }
  const cleanup = async () => {
    if (own) {
      await context.browser()?.close().catch(() => undefined);
      await stopProcess(own);
    } else {
      await context.close().catch(() => undefined);
    }
    // Chromium's helper processes can still be writing to the profile for a moment after the
    // browser exits (seen in CI: ENOTEMPTY on Default/ after a test that started its own Chromium):
    // Node retries the removal on ENOTEMPTY/EBUSY.
    if (!opts.profileDir) rmSync(userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  };

  let serviceWorker: Worker | undefined;
  let extensionId = '';
  try {
    if (withExtension) {
      serviceWorker = await findServiceWorker(context);
      extensionId = new URL(serviceWorker.url()).host;
    }
  } catch (e) {
    await cleanup();
    throw e;
  }

  let installed = withExtension;
  const currentServiceWorker = async (): Promise<Worker> => {
    if (!installed) throw new Error('launched without the extension');
    return findServiceWorker(context);
  };

  const launched: LaunchedBrowser = {
    context,
    extensionId,
    serviceWorker,
    currentServiceWorker,
    async stopServiceWorker() {
      // A CDP session on a web page cannot reach the extension's worker (stopAllWorkers is then a
      // silent no-op); controlServiceWorker opens one on an extension page and waits for Chromium
      // to report the worker stopped.
      const control = await controlServiceWorker(launched);
      try {
        await control.stop();
      } finally {
        await control.close();
      }
      // Wait until Playwright has seen the worker go, so currentServiceWorker() returns the next one.
      const deadline = Date.now() + 5_000;
      while (context.serviceWorkers().some((w) => w.url().startsWith(`chrome-extension://${extensionId}/`)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async tabIdOf(page: Page) {
      const sw = await currentServiceWorker();
      const url = page.url();
      const id = await sw.evaluate(async (u: string) => {
        const tabs = await chrome.tabs.query({});
        return tabs.find((t) => t.url === u || t.pendingUrl === u)?.id ?? -1;
      }, url);
      if (id < 0) throw new Error(`no tab found for ${url}`);
      return id;
    },
    async installExtension() {
      if (!installLater) throw new Error('installExtension() needs launchWithExtension({ installLater: true })');
      const browserCdp = await context.browser()!.newBrowserCDPSession();
      try {
        const { id } = (await browserCdp.send('Extensions.loadUnpacked' as never, { path: extensionDir } as never)) as { id: string };
        launched.extensionId = id;
      } finally {
        await browserCdp.detach().catch(() => undefined);
      }
      installed = true;
      launched.serviceWorker = await findServiceWorker(context);
    },
    close: cleanup,
  };
  return launched;
}

/** Starts Chromium with a DevTools port and attaches Playwright over CDP without its default overrides. */
async function attachToOwnChromium(executablePath: string, userDataDir: string, headless: boolean, args: string[]): Promise<{ context: BrowserContext; process: ChildProcess }> {
  // Its own process group (detached): stopping it stops its helper processes too (stopProcess).
  const proc = spawn(executablePath, [...(headless ? ['--headless'] : []), '--remote-debugging-port=0', `--user-data-dir=${userDataDir}`, ...args, 'about:blank'], { stdio: 'ignore', detached: true });
  let exited: string | undefined;
  proc.once('exit', (code, signal) => (exited = `Chromium exited (${signal ?? code}) before its DevTools port was ready`));
  proc.once('error', (e) => (exited = `Chromium did not start: ${e.message}`));
  try {
    // Chromium writes the port it chose, and the browser target's path, once it listens.
    const portFile = join(userDataDir, 'DevToolsActivePort');
    const deadline = Date.now() + 30_000;
    while (!existsSync(portFile) || readFileSync(portFile, 'utf8').split('\n').length < 2) {
      if (exited) throw new Error(exited);
      if (Date.now() > deadline) throw new Error(`Chromium wrote no ${portFile} within 30 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const [port, path] = readFileSync(portFile, 'utf8').split('\n');
    const browser = await chromium.connectOverCDP(`ws://127.0.0.1:${port}${path}`, { noDefaults: true, isLocal: true });
    return { context: browser.contexts()[0], process: proc };
  } catch (e) {
    await stopProcess(proc);
    throw e;
  }
}

/**
 * Stops a Chromium started by attachToOwnChromium and every process of its group: /usr/bin/chromium
 * is a wrapper script, and the browser's helper processes outlived it and kept writing to the
 * profile, whose removal then failed (ENOTEMPTY, seen in CI).
 */
async function stopProcess(proc: ChildProcess): Promise<void> {
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid!, signal);
    } catch {
      /* the group is gone */
    }
  };
  if (proc.exitCode === null && proc.signalCode === null) {
    const gone = new Promise<void>((r) => proc.once('exit', () => r()));
    group('SIGTERM');
    const timer = setTimeout(() => group('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  }
  group('SIGKILL');
}

async function findServiceWorker(context: BrowserContext): Promise<Worker> {
  const isOurs = (w: Worker) => w.url().startsWith('chrome-extension://');
  const existing = context.serviceWorkers().find(isOurs);
  if (existing) return existing;
  return context.waitForEvent('serviceworker', { predicate: isOurs, timeout: 30_000 });
}

// `chrome` inside sw.evaluate callbacks is the service worker's global, not Node's.
declare const chrome: {
  tabs: { query(q: object): Promise<{ id?: number; url?: string; pendingUrl?: string }[]> };
};
