// The Workers entry: the only file that sees Env. Env → KV + R2 artifact source, the
// Durable Object trust keeper (lists and the log's checkpoint), the D1 + R2 reports inbox and the Durable Object report throttle → createApp; the app (and with it the trust cache) lives as long
// as the isolate.
//
// Env is generated from wrangler.toml by `npm run types` (worker-configuration.d.ts, in the
// repository root); `npm test` fails while it is stale.

import type {
  D1Database as WorkersD1Database,
  DurableObjectNamespace as WorkersDurableObjectNamespace,
  KVNamespace as WorkersKVNamespace,
  R2Bucket as WorkersR2Bucket,
  Rpc,
} from '@cloudflare/workers-types';
import { createApp, parseVerifierConfig } from '../web/index.ts';
import { workersAssets } from './assets.ts';
import { workersInbox } from './report-inbox.ts';
import { workersSource } from './store.ts';
import { durableRates, ReportThrottle } from './throttle.ts';
import { durableKeeper, durableLogKeeper, TrustKeeper } from './trust-keeper.ts';

export { ReportThrottle, TrustKeeper };

// The generated Env names the runtime's binding types as globals. They come from
// @cloudflare/workers-types as a module, so its globals never clash with the DOM and Node
// types the rest of the project is checked against: add each new binding type here.
declare global {
  type KVNamespace<Key extends string = string> = WorkersKVNamespace<Key>;
  type R2Bucket = WorkersR2Bucket;
  type D1Database = WorkersD1Database;
  type DurableObjectNamespace<T extends Rpc.DurableObjectBranded | undefined = undefined> = WorkersDurableObjectNamespace<T>;
}

type App = ReturnType<typeof createApp>;

let cached: { config: string; app: App } | null = null;

function appFor(env: Env): App {
  // Keyed by the vars, not by the env object, so the cache survives whatever env identity a
  // runtime hands each request; the vars themselves only change with a new deployment.
  const config = `${env.QDYP_ROOT_JWK}\n${env.QDYP_VERIFY_ORIGIN ?? ''}\n${env.QDYP_MIN_KEY_LIST_VERSION ?? ''}\n${env.QDYP_REPORT_KEY_JWK ?? ''}`;
  if (cached?.config !== config) {
    const { root, verifyOrigin, minKeyListVersion, contactKey, problems } = parseVerifierConfig({
      rootJwk: env.QDYP_ROOT_JWK,
      verifyOrigin: env.QDYP_VERIFY_ORIGIN,
      minKeyListVersion: env.QDYP_MIN_KEY_LIST_VERSION,
      reportKeyJwk: env.QDYP_REPORT_KEY_JWK,
    });
    // A bad var is logged and left out (pages then name no official site), never a crash.
    for (const problem of problems) console.log(`qdyp verifier: ${problem}; it is ignored`);
    if (!root) console.log('qdyp verifier: no pinned root key (QDYP_ROOT_JWK); every verdict will be cannot_confirm');
    cached = {
      config,
      app: createApp({
        source: workersSource(env.QDYP_KV, env.QDYP_BUNDLES),
        keeper: durableKeeper(env.QDYP_TRUST),
        logKeeper: durableLogKeeper(env.QDYP_TRUST),
        root,
        verifyOrigin,
        minKeyListVersion,
        assets: workersAssets(env.ASSETS),
        contactKey,
        // Cloudflare's own view of the client; only counts report-form posts, in the throttle
        // object's memory under a salted hash (src/worker/throttle.ts), never stored.
        clientAddress: (c) => c.req.header('cf-connecting-ip') ?? null,
        rateLimit: durableRates(env.QDYP_THROTTLE),
        inbox: workersInbox(env.QDYP_REPORTS, env.QDYP_PHOTOS),
      }),
    };
  }
  return cached.app;
}

export default {
  fetch(request: Request, env: Env): Response | Promise<Response> {
    return appFor(env).fetch(request);
  },
};
