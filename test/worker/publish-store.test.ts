// The Workers store's reads of the transparency log (src/worker/store.ts), against the real KV
// binding in workerd: tiles as bytes under a long cacheTtl, the checkpoint as text under the
// short one, and nothing asked of KV for a key that is not one of ours.
import { env } from 'cloudflare:test';
import type { KVNamespace } from '@cloudflare/workers-types';
import { describe, expect, it } from 'vitest';
import { KV_CACHE_TTL_S, KV_TILE_CACHE_TTL_S, workersSource } from '../../src/worker/store.ts';

/** The test's KV binding, with every get recorded (key, type, cacheTtl). */
function recordingKv(): { kv: KVNamespace; gets: [string, string, number | undefined][] } {
  const gets: [string, string, number | undefined][] = [];
  const real = env.QDYP_KV as unknown as KVNamespace;
  const kv = {
    get: (key: string, options: { type: string; cacheTtl?: number }) => {
      gets.push([key, options.type, options.cacheTtl]);
      return real.get(key, options as never);
    },
  } as unknown as KVNamespace;
  return { kv, gets };
}

describe('the Workers store and the log', () => {
  it('reads tiles as bytes (long cacheTtl), the checkpoint as text (short), and never a tile as text', async () => {
    // Every byte value, as a tile's hashes may hold (not UTF-8: a text read would mangle it).
    const tile = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 200) % 256);
    const bundle = Uint8Array.from([0, 3, 0x7b, 0x7d, 0x0a]);
    await env.QDYP_KV.put('log/tile/0/000.p/2', tile);
    await env.QDYP_KV.put('log/tile/entries/000.p/1', bundle);
    await env.QDYP_KV.put('log/checkpoint', 'verify.example.cn/log\n2\nAAAA\n\n— sig\n');
    const { kv, gets } = recordingKv();
    const source = workersSource(kv, env.QDYP_BUNDLES as never);

    expect(await source.getBytes('log/tile/0/000.p/2')).toEqual(tile);
    expect(await source.getBytes('log/tile/entries/000.p/1')).toEqual(bundle);
    expect(await source.getText('log/checkpoint')).toBe('verify.example.cn/log\n2\nAAAA\n\n— sig\n');
    expect(gets).toEqual([
      ['log/tile/0/000.p/2', 'arrayBuffer', KV_TILE_CACHE_TTL_S],
      ['log/tile/entries/000.p/1', 'arrayBuffer', KV_TILE_CACHE_TTL_S],
      ['log/checkpoint', 'text', KV_CACHE_TTL_S],
    ]);
    expect(KV_TILE_CACHE_TTL_S).toBeGreaterThanOrEqual(3600);

    gets.length = 0;
    // A tile is never text; a path that is not canonical is no key (KV is not asked).
    expect(await source.getText('log/tile/0/000.p/2')).toBeNull();
    expect(await source.getBytes('log/tile/0/0.p/2')).toBeNull();
    expect(await source.getBytes('log/tile/0/000.p/256')).toBeNull();
    expect(await source.getBytes('log/other')).toBeNull();
    expect(gets).toEqual([]);

    // A tile not (yet) there: asked again with the short TTL, so the miss is not kept an hour.
    expect(await source.getBytes('log/tile/0/001')).toBeNull();
    expect(gets).toEqual([
      ['log/tile/0/001', 'arrayBuffer', KV_TILE_CACHE_TTL_S],
      ['log/tile/0/001', 'arrayBuffer', KV_CACHE_TTL_S],
    ]);
  });
});
