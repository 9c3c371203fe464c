import { defineConfig } from '@playwright/test';

// End-to-end specs on real Chromium with the built extension (run `npm run build` first).
// One worker: these machines have 2 cores and each spec drives a full browser (toolchain.md).
export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  workers: 1,
  fullyParallel: false,
  // On CI one retry absorbs a browser hiccup on a loaded 2-core machine; scripts/test.mjs reports
  // every test that needed it as flaky, so a retry never hides silently.
  retries: process.env.CI ? 1 : 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: { trace: 'off' },
});
