// The `cloudflare:workers` module, typed from @cloudflare/workers-types' module build (whose
// global build would clash with the DOM and Node types the project is checked against). Only
// what src/worker uses.
declare module 'cloudflare:workers' {
  import type { CloudflareWorkersModule } from '@cloudflare/workers-types';
  export const DurableObject: typeof CloudflareWorkersModule.DurableObject;
  export type DurableObject<Env = unknown, Props = unknown> = CloudflareWorkersModule.DurableObject<Env, Props>;
}
