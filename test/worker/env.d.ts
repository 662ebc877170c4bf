// Types for the workerd tests: the Worker's bindings on `env` from cloudflare:test, and the
// root key vitest.config.ts makes for the run.
import type { PrivateJwk } from '../../src/core/index.ts';
import type { Env as WorkerEnv } from '../../src/worker/index.ts';

export type WorkerTestRoot = PrivateJwk;

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    workerRoot: WorkerTestRoot;
  }
}
