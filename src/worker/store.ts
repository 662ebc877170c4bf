// Published artifacts on Cloudflare: texts (the lists and the licence entries) from the KV
// namespace bound as QDYP_KV, bundles from the R2 bucket bound as QDYP_BUNDLES (at a million
// licences a bundle is far over KV's value limit). `qdyp publish --to cloudflare` writes both.

import type { KVNamespace, R2Bucket } from '@cloudflare/workers-types';
import { isStoreKey, type ArtifactSource } from '../web/index.ts';

/**
 * KV's edge cache comes on top of the app's own TTL (30 s): reading with KV's minimum cacheTtl
 * (30 s; its default is 60) keeps a published revocation's worst case near the 60 s bar (P6).
 */
export const KV_CACHE_TTL_S = 30;

const BUNDLE_KEY = /^bundle(?:\/\d{6})?$/;

export function workersSource(kv: KVNamespace, bundles: R2Bucket): ArtifactSource {
  return {
    getText: (key) => (isStoreKey(key) && !BUNDLE_KEY.test(key) ? kv.get(key, { type: 'text', cacheTtl: KV_CACHE_TTL_S }) : Promise.resolve(null)),
    async getBytes(key) {
      if (!isStoreKey(key) || !BUNDLE_KEY.test(key)) return null;
      const object = await bundles.get(key);
      return object ? (object.body as unknown as ReadableStream<Uint8Array>) : null;
    },
  };
}
