import { defineConfig } from 'vitest/config';

// Two projects: fast pure tests, and integration tests that start real PostgreSQL servers
// (one per file, so files run one at a time to keep a 2-core machine responsive).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'test/mutations/*.test.ts',
            'test/lint/*.test.ts',
            'shared/**/*.test.ts',
            'main/**/*.test.ts',
            'renderer/**/*.test.ts',
            'app/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', 'node_modules/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts', 'main/**/*.int.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
