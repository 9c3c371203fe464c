import { defineConfig } from 'vitest/config';

// Unit tests live beside the code (`*.test.ts`); Playwright specs (`*.spec.ts`) are not vitest's.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'e2e/server/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    pool: 'forks',
  },
});
