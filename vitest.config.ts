import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{api,catalog,chaos,cli,jobs,model,runtime,state,bench}/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{api,catalog,chaos,cli,jobs,model,runtime,state,bench,test}/**/*.int.test.ts'],
          exclude: ['node_modules/**'],
          // Integration tests share one broker, Redis and PostgreSQL; run files one after another so
          // their timings and rebalances do not interfere.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
