// Published artifacts on Cloudflare: texts (the lists, the licence entries and the log's
// checkpoint) and the log's tiles from the KV namespace bound as QDYP_KV, bundles from the R2
// bucket bound as QDYP_BUNDLES (at a million licences a bundle is far over KV's value limit).
// `qdyp publish --to cloudflare` writes all of them.

import type { KVNamespace, R2Bucket } from '@cloudflare/workers-types';
import { isStoreKey, type ArtifactSource } from '../web/index.ts';

/**
 * KV's edge cache comes on top of the app's own TTL (30 s): reading with KV's minimum cacheTtl
 * (30 s; its default is 60) keeps a published revocation's worst case near the 60 s bar (P6).
 * The log's checkpoint is read the same way: it moves with every publication.
 */
export const KV_CACHE_TTL_S = 30;
/**
 * A log tile or entry bundle never changes once written (each partial width has a path of its
 * own), and the verifier asks only for tiles its current checkpoint covers, all written before
 * that checkpoint: an hour of KV's edge cache serves nothing stale.
 */
export const KV_TILE_CACHE_TTL_S = 3600;

const BUNDLE_KEY = /^bundle(?:\/\d{6})?$/;
/** core's LOG_CHECKPOINT_KEY; every other store key under log/ is a tile or entry bundle (isStoreKey checks the path). */
const CHECKPOINT_KEY = 'log/checkpoint';
const isTileKey = (key: string) => key.startsWith('log/') && key !== CHECKPOINT_KEY;

export function workersSource(kv: KVNamespace, bundles: R2Bucket): ArtifactSource {
  return {
    getText(key) {
      if (!isStoreKey(key) || BUNDLE_KEY.test(key)) return Promise.resolve(null);
      // Tiles are bytes, never text: read them with getBytes.
      if (isTileKey(key)) return Promise.resolve(null);
      return kv.get(key, { type: 'text', cacheTtl: KV_CACHE_TTL_S });
    },
    async getBytes(key) {
      if (!isStoreKey(key)) return null;
      if (key.startsWith('log/')) {
        const tile = isTileKey(key);
        let value = await kv.get(key, { type: 'arrayBuffer', cacheTtl: tile ? KV_TILE_CACHE_TTL_S : KV_CACHE_TTL_S });
        // KV caches a miss for the cacheTtl too, and keys reach a location in no set order: a
        // tile asked for as its checkpoint arrives may not be there yet. Reading it again with
        // the short TTL cuts that miss's stay in the cache to KV_CACHE_TTL_S.
        if (value === null && tile) value = await kv.get(key, { type: 'arrayBuffer', cacheTtl: KV_CACHE_TTL_S });
        return value === null ? null : new Uint8Array(value);
      }
      if (!BUNDLE_KEY.test(key)) return null;
      const object = await bundles.get(key);
      return object ? (object.body as unknown as ReadableStream<Uint8Array>) : null;
    },
  };
}
