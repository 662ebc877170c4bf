// Published artifacts from the Workers KV namespace bound as QDYP_KV (`qdyp publish --to
// cloudflare` writes them under their fixed names).

import type { KVNamespace } from '@cloudflare/workers-types';
import type { ArtifactName, ArtifactSource } from '../web/index.ts';

export function kvSource(kv: KVNamespace): ArtifactSource {
  return {
    // KV's own edge cache (cacheTtl, default and minimum 60 s) comes on top of the app's TTL.
    get: (name: ArtifactName) => kv.get(name, 'text'),
  };
}
