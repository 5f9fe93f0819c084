import { defineConfig } from 'vitest/config';

export default defineConfig({
  // 'wsksim' (imported by scenarios/ and test/fixtures/) resolves through package.json "exports";
  // the 'wsksim-source' condition picks src/index.ts there, so the tests need no build (README,
  // "Using wsksim in your own repository"). The others are Vite's defaults, which a list replaces.
  ssr: { resolve: { conditions: ['wsksim-source', 'module', 'node', 'development|production'] } },
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the shipped C drivers (scenarios/c) that their scenarios load (README "Testing your
    // C driver").
    globalSetup: ['./test/support/c-drivers-setup.ts'],
    // Long property and integrity suites run many seeds; none of them time anything.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
