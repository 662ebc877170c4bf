// Types for the workerd tests. `env` from cloudflare:test is Cloudflare.Env: the Worker's
// bindings as `wrangler types` generated them from wrangler.toml (worker-configuration.d.ts;
// `npm run types` after changing wrangler.toml). A binding only the tests have would extend it
// here (`declare global { namespace Cloudflare { interface Env { … } } }`). The root key that
// vitest.config.ts makes for the run reaches the tests through inject('workerRoot'), the office's contact key through inject('reportKey').
/// <reference path="../../worker-configuration.d.ts" />
import type { ContactPrivateJwk, PrivateJwk } from '../../src/core/index.ts';

export type WorkerTestRoot = PrivateJwk;
/** The office's contact key (its public half is the Worker's QDYP_REPORT_KEY_JWK). */
export type WorkerTestReportKey = ContactPrivateJwk;

declare global {
  namespace Cloudflare {
    interface Env {
      /** migrations/ as readD1Migrations read it (vitest.config.ts): for applyD1Migrations. */
      TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
    }
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    workerRoot: WorkerTestRoot;
    reportKey: WorkerTestReportKey;
  }
}
