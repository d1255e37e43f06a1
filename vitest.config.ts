import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure, fast, next to the code) and `integration`
// (real processes in network namespaces: gobgpd, our speaker, the proxy,
// the control plane; needs root). Conformance suites run through
// `vipcheck run`, which drives vitest itself.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['lib/**/*.test.ts', 'harness/**/*.test.ts', 'impl/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['lib/**/*.integration.test.ts', 'harness/**/*.integration.test.ts', 'impl/**/*.integration.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
