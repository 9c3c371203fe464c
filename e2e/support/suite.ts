// The per-spec-file setup most specs share: one local server and one Chromium with the built
// extension, started in beforeAll and closed in afterAll (browser first, then the server). It is
// per file on purpose, not a worker-scoped fixture: with one worker, a worker fixture would share
// one browser across spec files, and a spec's tabs and capture state would leak into the next.

import { test } from '@playwright/test';
import { launchWithExtension, type LaunchedBrowser, type LaunchOptions } from './launch';

export interface ExtensionSuite<S> {
  /** The spec file's server (after beforeAll). */
  readonly server: S;
  /** The spec file's Chromium with the extension (after beforeAll). */
  readonly browser: LaunchedBrowser;
}

/**
 * Registers beforeAll/afterAll for the current spec file: `startServer()`, then
 * `launchWithExtension(launch)`; both closed after the file's tests. Read `server` and `browser`
 * inside tests or hooks only: before beforeAll has run they throw.
 */
export function useExtensionSuite<S extends { close(): Promise<void> }>(
  startServer: () => Promise<S>,
  launch: LaunchOptions = {},
): ExtensionSuite<S> {
  let server: S | undefined;
  let browser: LaunchedBrowser | undefined;
  test.beforeAll(async () => {
    server = await startServer();
    browser = await launchWithExtension(launch);
  });
  test.afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get server(): S {
      if (server === undefined) throw new Error('useExtensionSuite: server read before beforeAll started it');
      return server;
    },
    get browser(): LaunchedBrowser {
      if (browser === undefined) throw new Error('useExtensionSuite: browser read before beforeAll launched it');
      return browser;
    },
  };
}
