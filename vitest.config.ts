import { defineConfig } from 'vitest/config';

/** Two projects: fast tests beside the code (unit + integration against real local servers), and browser end-to-end. */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'lib/**/*.test.ts', 'bin/**/*.test.ts', 'scripts/**/*.test.ts'],
          // The browser harness's plain helpers (e.g. wait.ts) have unit tests too; its browser tests are *.e2e.ts.
          exclude: ['packages/e2e/**/*.e2e.ts', '**/node_modules/**'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['packages/e2e/src/**/*.e2e.ts'],
          globalSetup: ['packages/e2e/src/global-setup.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Each file starts its own runtime and browsers; two cores cannot run two calls at once reliably.
          fileParallelism: false,
        },
      },
    ],
  },
});
