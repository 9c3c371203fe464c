/**
 * Run demo scenarios in headless Chromium WITHOUT the extension and print what the app observed
 * (the material of SCENARIOS.md, and a quick check that the app and the server agree).
 *
 *   npx tsx e2e/app/observe-scenarios.ts [--vsn 1.0.0] [--fast] [--param k=v]… [scenario …]
 *
 * --fast sets the server's connect/channel error backoffs to 200 ms (production: 2000/5000 ms).
 * --compare runs every scenario twice, without and then with the built extension (dist/chrome,
 * DevTools closed), and reports any difference in the `stable` observations.
 * Needs dist/app (vite build --config e2e/app.vite.config.ts) and a Chromium (CHROME_PATH or
 * /usr/bin/chromium).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { launchWithExtension } from '../support/launch';
import { startDemoServer } from '../../scripts/start-server';
import { SCENARIO_NAMES, isScenarioName } from './config';
import type { Observation } from './observe';

const here = fileURLToPath(new URL('.', import.meta.url));
const appDir = resolve(here, '../../dist/app');

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const vsnIdx = argv.indexOf('--vsn');
  const vsn = vsnIdx >= 0 ? argv[vsnIdx + 1] : '2.0.0';
  const fast = argv.includes('--fast');
  // --param k=v adds a query parameter to every scenario page (e.g. --param frame=cross).
  const extra = argv.flatMap((a, i) => (a === '--param' && argv[i + 1]?.includes('=') ? [argv[i + 1].split('=', 2) as [string, string]] : []));
  const names = argv.filter((a, i) => !a.startsWith('--') && !['--vsn', '--param'].includes(argv[i - 1] ?? ''));
  const chosen = names.length ? names : [...SCENARIO_NAMES];
  for (const n of chosen) if (!isScenarioName(n)) throw new Error(`unknown scenario ${n}`);
  if (!existsSync(join(appDir, 'index.html'))) throw new Error(`${appDir} missing: run vite build --config e2e/app.vite.config.ts`);

  const demo = await startDemoServer({
    port: 0,
    appDir,
    knobs: fast ? { connectBackoffMs: 200, channelBackoffMs: 200 } : {},
  });
  const hostRule = '--host-resolver-rules=MAP *.supabase.co 127.0.0.1';
  const runAll = async (context: BrowserContext, label: string): Promise<Map<string, Observation[]>> => {
    const results = new Map<string, Observation[]>();
    for (const name of chosen) {
      const page = await context.newPage();
      const q = new URLSearchParams({ scenario: name, vsn, ...Object.fromEntries(extra) });
      const started = Date.now();
      await page.goto(`${demo.realisticAppUrl}?${q}`);
      const obs = await waitDone(page, name, 240_000);
      results.set(name, obs);
      console.log(`\n### ${name} (vsn ${vsn}${label}, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
      for (const o of obs) console.log(`${o.source.padEnd(7)} ${o.kind.padEnd(9)} ${o.text}`);
      await page.close();
    }
    return results;
  };

  try {
    const profile = mkdtempSync(join(tmpdir(), 'claimscope-observe-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', hostRule],
    });
    let without: Map<string, Observation[]>;
    try {
      without = await runAll(context, '');
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
    if (argv.includes('--compare')) {
      const launched = await launchWithExtension({ args: [hostRule] });
      let withExt: Map<string, Observation[]>;
      try {
        withExt = await runAll(launched.context, ', WITH the extension');
      } finally {
        await launched.close();
      }
      let differences = 0;
      for (const name of chosen) {
        const a = (without.get(name) ?? []).map((o) => `${o.source} ${o.kind} ${o.stable}`);
        const b = (withExt.get(name) ?? []).map((o) => `${o.source} ${o.kind} ${o.stable}`);
        if (JSON.stringify(a) === JSON.stringify(b)) continue;
        differences++;
        console.log(`\n!! ${name} differs with the extension:\n  without: ${a.join(' | ')}\n  with:    ${b.join(' | ')}`);
      }
      console.log(`\ncompare: ${chosen.length - differences}/${chosen.length} scenarios observe the same with and without the extension`);
      if (differences) process.exitCode = 1;
    }
  } finally {
    await demo.close();
  }
}

async function waitDone(page: Page, name: string, timeoutMs: number): Promise<Observation[]> {
  try {
    await page.waitForFunction((n) => (window.__scenariosDone ?? []).includes(n), name, { timeout: timeoutMs, polling: 200 });
  } catch {
    console.log(`!! ${name}: not done within ${timeoutMs / 1000} s`);
  }
  return page.evaluate(() => window.__observations ?? []);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
