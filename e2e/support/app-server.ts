// The local Realtime/Auth server with the test app (dist/app) and its /__dev/ routes, as the specs
// use it: one per spec file, short error backoffs so failure scenarios end quickly.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { startDemoServer, type DemoServer } from '../../scripts/start-server';
import type { Observation } from '../app/observe';
import { REPO_ROOT } from './launch';

export const APP_DIR = join(REPO_ROOT, 'dist/app');

export async function startAppServer(): Promise<DemoServer> {
  if (!existsSync(join(APP_DIR, 'index.html'))) {
    throw new Error(`${APP_DIR} is missing: run \`npx vite build --config e2e/app.vite.config.ts\` first.`);
  }
  return startDemoServer({ port: 0, appDir: APP_DIR, knobs: { connectBackoffMs: 100, channelBackoffMs: 100 } });
}

/** URL of the test app running `scenario` (the app reads its config from the query string). */
export function appUrl(server: DemoServer, params: Record<string, string | number>): string {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  return `${server.appUrl}index.html?${q}`;
}

/** Waits until the app says `scenario` is done, and returns what it observed. */
export async function scenarioDone(page: Page, scenario: string, timeoutMs = 60_000): Promise<Observation[]> {
  await expect
    .poll(() => page.evaluate((n) => (window.__scenariosDone ?? []).includes(n), scenario), { timeout: timeoutMs, message: `scenario ${scenario} done` })
    .toBe(true);
  return page.evaluate(() => window.__observations ?? []);
}

/** The server pushes a broadcast to `topic` through the REST httpSend route: it reaches sockets as a binary kind-4 frame (§1.4). */
export async function restBinaryBroadcast(server: DemoServer, topic: string, event: string, payload: unknown): Promise<void> {
  const key = server.server.defaultProject.serviceRoleKey;
  const res = await fetch(`${server.url}/realtime/v1/api/broadcast/${encodeURIComponent(topic)}/events/${encodeURIComponent(event)}`, {
    method: 'POST',
    headers: { apikey: key, Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
  expect(res.status, 'REST broadcast accepted').toBe(202);
}
