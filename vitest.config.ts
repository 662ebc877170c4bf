// Two projects: the Node suite, and the runtime-neutral core suite again inside workerd, so
// the core is proven to run in both runtimes in one `npm test`. The workerd project also runs
// the real Worker entry, pinned to a root key made here for this run: its public half is the
// QDYP_ROOT_JWK binding, its private half reaches the tests through `provide`; likewise the
// office's X25519 contact key (QDYP_REPORT_KEY_JWK, and `reportKey` for the tests to decrypt).
import { generateKeyPairSync } from 'node:crypto';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { loadVectors } from './test/support/vectors.ts';
import type { WorkerTestReportKey, WorkerTestRoot } from './test/worker/env.d.ts';

const vectors = loadVectors();

const { privateKey } = generateKeyPairSync('ed25519');
const { x, d } = privateKey.export({ format: 'jwk' });
const workerRoot: WorkerTestRoot = { kty: 'OKP', crv: 'Ed25519', x: x!, d: d! };
const contact = generateKeyPairSync('x25519').privateKey.export({ format: 'jwk' });
const reportKey: WorkerTestReportKey = { kty: 'OKP', crv: 'X25519', x: contact.x!, d: contact.d! };
const workerBindings = {
  QDYP_ROOT_JWK: JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x }),
  QDYP_REPORT_KEY_JWK: JSON.stringify({ kty: 'OKP', crv: 'X25519', x: reportKey.x }),
  QDYP_VERIFY_ORIGIN: 'https://verify.example.cn',
  // The reports inbox's D1 schema, applied by the tests (applyD1Migrations) as wrangler would.
  TEST_MIGRATIONS: await readD1Migrations('./src/worker/migrations'),
};

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
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' }, miniflare: { bindings: workerBindings } })],
        test: {
          name: 'workerd',
          include: ['test/core/**/*.test.ts', 'test/worker/**/*.test.ts'],
          provide: { vectors, workerRoot, reportKey },
          testTimeout: 60_000,
        },
      },
    ],
  },
});
