// Two projects: the Node suite, and the runtime-neutral core suite again inside workerd, so
// the core is proven to run in both runtimes in one `npm test`.
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { loadVectors } from './test/support/vectors.ts';

const vectors = loadVectors();

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/worker/**'],
          provide: { vectors },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
        test: {
          name: 'workerd',
          include: ['test/core/**/*.test.ts', 'test/worker/**/*.test.ts'],
          provide: { vectors },
          testTimeout: 60_000,
        },
      },
    ],
  },
});
