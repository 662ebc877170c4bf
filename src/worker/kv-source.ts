// Published artifacts from the Workers KV namespace bound as QDYP_KV (`qdyp publish --to
// cloudflare` writes them under their fixed names).

import type { KVNamespace } from '@cloudflare/workers-types';
import type { ArtifactName, ArtifactSource } from '../web/index.ts';

/**
 * KV's edge cache comes on top of the app's own TTL (30 s): reading with KV's minimum cacheTtl
 * (30 s; its default is 60) keeps a published revocation's worst case near the 60 s bar (P6).
 */
export const KV_CACHE_TTL_S = 30;

export function kvSource(kv: KVNamespace): ArtifactSource {
  return {
    get: (name: ArtifactName) => kv.get(name, { type: 'text', cacheTtl: KV_CACHE_TTL_S }),
  };
}
