// Tiles and proofs (C2SP tlog-tiles, RFC 6962): the tile layout and paths, entry bundles, the
// incremental tile builder, and proofs and roots read from tiles, each checked against a plain
// reference written here from RFC 6962 §2.1 (recursive MTH, PATH and PROOF over leaf hashes).
import { describe, expect, it } from 'vitest';
import {
  buildTiles,
  consistencyProofFromTiles,
  decodeEntryBundle,
  emptyRoot,
  encodeEntryBundle,
  entryBundlePath,
  inclusionProofFromTiles,
  leafHash,
  leafHashes,
  nodeHash,
  parseTilePath,
  rootFromLeafHashes,
  TileBuilder,
  tileHashesNeededFor,
  tilePath,
  tilesAddedBetween,
  tilesForConsistencyProof,
  tilesForInclusionProof,
  tilesForTree,
  treeRootFromTiles,
  subtreeNodes,
  verifyConsistency,
  verifyInclusion,
  type Tile,
  type TileReader,
} from '../../src/core/index.ts';

const encoder = new TextEncoder();
const hex = (data: Uint8Array) => Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');
const hexes = (list: readonly Uint8Array[]) => list.map(hex);

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const input = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    input.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', input));
}

/** RFC 6962 §2.1 as written, over leaf hashes, its MTH memoized by range (ranges recur across sizes). */
class Reference {
  private readonly memo = new Map<string, Promise<Uint8Array>>();
  constructor(readonly leaves: Uint8Array[]) {}

  static split(n: number): number {
    let k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }

  mth(lo: number, hi: number): Promise<Uint8Array> {
    if (hi - lo === 1) return Promise.resolve(this.leaves[lo]!);
    const key = `${lo}:${hi}`;
    let hash = this.memo.get(key);
    if (!hash) {
      const k = Reference.split(hi - lo);
      hash = Promise.all([this.mth(lo, lo + k), this.mth(lo + k, hi)]).then(([l, r]) => sha256(Uint8Array.of(1), l, r));
      this.memo.set(key, hash);
    }
    return hash;
  }

  async root(n: number): Promise<Uint8Array> {
    return n === 0 ? sha256() : this.mth(0, n);
  }

  /** PATH(m, D[lo:hi]). */
  async path(m: number, lo: number, hi: number): Promise<Uint8Array[]> {
    if (hi - lo === 1) return [];
    const k = Reference.split(hi - lo);
    return m < lo + k ? [...(await this.path(m, lo, lo + k)), await this.mth(lo + k, hi)] : [...(await this.path(m, lo + k, hi)), await this.mth(lo, lo + k)];
  }

  /** SUBPROOF(m, D[lo:hi], b). */
  async subproof(m: number, lo: number, hi: number, b: boolean): Promise<Uint8Array[]> {
    const n = hi - lo;
    if (m === n) return b ? [] : [await this.mth(lo, hi)];
    const k = Reference.split(n);
    return m <= k
      ? [...(await this.subproof(m, lo, lo + k, b)), await this.mth(lo + k, hi)]
      : [...(await this.subproof(m - k, lo + k, hi, false)), await this.mth(lo, lo + k)];
  }
}

/** A published tile store: every tile ever written, partial tiles of old sizes included. */
class Store {
  readonly tiles = new Map<string, Uint8Array>();
  reads = 0;
  put(tiles: readonly Tile[]): void {
    for (const t of tiles) this.tiles.set(tilePath(t.level, t.index, t.width), t.hashes);
  }
  readonly read: TileReader = async (level, index, width) => {
    this.reads++;
    const tile = this.tiles.get(tilePath(level, index, width));
    if (!tile) throw new Error(`no tile ${tilePath(level, index, width)}`);
    return tile;
  };
}

/** Deterministic pseudo-random numbers (xorshift), so a failure replays. */
function random(seed: number): (below: number) => number {
  let x = seed >>> 0 || 1;
  return (below) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % below;
  };
}

const entry = (i: number) => encoder.encode(`{"n":${i},"event":"issue"}`);

describe('tile layout', () => {
  it('matches tlog-tiles: a tree of 70,000 is 273 full level-0 tiles, level-0 of 112, one full level-1, level-1 of 17, level-2 of 1', () => {
    const tiles = tilesForTree(70_000);
    const summary = (level: number) => {
      const at = tiles.filter((t) => t.level === level);
      return { full: at.filter((t) => t.width === 256).length, partial: at.filter((t) => t.width < 256).map((t) => [t.index, t.width]) };
    };
    expect(tiles).toHaveLength(277);
    expect(summary(0)).toEqual({ full: 273, partial: [[273, 112]] });
    expect(summary(1)).toEqual({ full: 1, partial: [[1, 17]] });
    expect(summary(2)).toEqual({ full: 0, partial: [[0, 1]] });
    expect(Math.max(...tiles.map((t) => t.level))).toBe(2);
    expect(tiles.filter((t) => t.level === 0 && t.width === 256).map((t) => t.index)).toEqual(Array.from({ length: 273 }, (_, i) => i));
  });

  it('matches tlog-tiles for 256 (a full level-0 tile and a level-1 tile of width 1) and the small cases', () => {
    expect(tilesForTree(0)).toEqual([]);
    expect(tilesForTree(1)).toEqual([{ level: 0, index: 0, width: 1 }]);
    expect(tilesForTree(255)).toEqual([{ level: 0, index: 0, width: 255 }]);
    expect(tilesForTree(256)).toEqual([
      { level: 0, index: 0, width: 256 },
      { level: 1, index: 0, width: 1 },
    ]);
    expect(tilesForTree(257)).toEqual([
      { level: 0, index: 0, width: 256 },
      { level: 0, index: 1, width: 1 },
      { level: 1, index: 0, width: 1 },
    ]);
    expect(tilesForTree(65_536).filter((t) => t.level > 0)).toEqual([
      { level: 1, index: 0, width: 256 },
      { level: 2, index: 0, width: 1 },
    ]);
  });

  it('lists what a publish adds between two sizes', () => {
    expect(tilesAddedBetween(255, 257)).toEqual([
      { level: 0, index: 0, width: 256 },
      { level: 0, index: 1, width: 1 },
      { level: 1, index: 0, width: 1 },
    ]);
    expect(tilesAddedBetween(300, 300)).toEqual([]);
    expect(() => tilesAddedBetween(301, 300)).toThrow(RangeError);
  });

  it('writes and reads tile paths', () => {
    expect(tilePath(0, 1_234_067)).toBe('tile/0/x001/x234/067');
    expect(tilePath(0, 0)).toBe('tile/0/000');
    expect(tilePath(1, 5, 17)).toBe('tile/1/005.p/17');
    expect(tilePath(2, 1000, 1)).toBe('tile/2/x001/000.p/1');
    expect(tilePath(63, 999)).toBe('tile/63/999');
    expect(entryBundlePath(273, 112)).toBe('tile/entries/273.p/112');
    expect(entryBundlePath(1_234_067)).toBe('tile/entries/x001/x234/067');
    expect(parseTilePath('tile/0/x001/x234/067')).toEqual({ kind: 'tile', level: 0, index: 1_234_067, width: 256 });
    expect(parseTilePath('tile/1/005.p/17')).toEqual({ kind: 'tile', level: 1, index: 5, width: 17 });
    expect(parseTilePath('tile/entries/x001/000.p/255')).toEqual({ kind: 'entries', index: 1000, width: 255 });
    expect(() => tilePath(64, 0)).toThrow(RangeError);
    expect(() => tilePath(0, 0, 0)).toThrow(RangeError);
    expect(() => tilePath(0, 0, 257)).toThrow(RangeError);
    expect(() => tilePath(0, -1)).toThrow(RangeError);
  });

  it.each([
    'tile/0/5',
    'tile/0/05',
    'tile/0/0005',
    'tile/00/000',
    'tile/01/000',
    'tile/64/000',
    'tile/0/x000/005',
    'tile/0/x1/000',
    'tile/0/001/234',
    'tile/0/x001/x234',
    'tile/0/000.p/0',
    'tile/0/000.p/256',
    'tile/0/000.p/017',
    'tile/0/000.p/',
    'tile/0/000/',
    '/tile/0/000',
    'tile/entries/000.p/300',
    'tile/entry/000',
    'tile/-1/000',
    'tile/0/00a',
  ])('refuses the path %s', (path) => {
    expect(parseTilePath(path)).toBeNull();
  });
});

describe('entry bundles', () => {
  it('round-trips entries of every length the uint16 prefix carries, and one of 65,535 bytes', () => {
    const entries = [new Uint8Array(0), Uint8Array.of(7), new Uint8Array(255).fill(1), new Uint8Array(256).fill(2), new Uint8Array(65_535).fill(3)];
    const bundle = encodeEntryBundle(entries);
    expect(Array.from(bundle.subarray(0, 5))).toEqual([0, 0, 0, 1, 7]);
    expect(bundle.length).toBe(entries.reduce((n, e) => n + 2 + e.length, 0));
    expect(decodeEntryBundle(bundle, 5).map(hex)).toEqual(entries.map(hex));
    const full = Array.from({ length: 256 }, (_, i) => entry(i));
    expect(decodeEntryBundle(encodeEntryBundle(full), 256).map(hex)).toEqual(full.map(hex));
  });

  it('refuses to encode an entry over 65,535 bytes, no entries, or more than 256', () => {
    expect(() => encodeEntryBundle([new Uint8Array(65_536)])).toThrow(expect.objectContaining({ code: 'ERR_TLOG_TOO_LARGE' }));
    expect(() => encodeEntryBundle([])).toThrow(expect.objectContaining({ code: 'ERR_TLOG_MALFORMED' }));
    expect(() => encodeEntryBundle(Array.from({ length: 257 }, () => Uint8Array.of(1)))).toThrow(expect.objectContaining({ code: 'ERR_TLOG_MALFORMED' }));
  });

  it('refuses truncated and trailing bytes, and a count other than the width', () => {
    const bundle = encodeEntryBundle([entry(1), entry(2)]);
    const refuse = (bytes: Uint8Array, width?: number) => expect(() => decodeEntryBundle(bytes, width)).toThrow(expect.objectContaining({ code: 'ERR_TLOG_MALFORMED' }));
    refuse(bundle.subarray(0, bundle.length - 1));
    refuse(bundle.subarray(0, 1));
    refuse(Uint8Array.of(...bundle, 0));
    refuse(Uint8Array.of(...bundle, 0, 5, 1));
    refuse(new Uint8Array(0));
    refuse(bundle, 3);
    refuse(bundle, 1);
    refuse(new Uint8Array(257 * 2));
    expect(decodeEntryBundle(bundle, 2)).toHaveLength(2);
  });
});

describe('hashing', () => {
  it('is RFC 6962: 0x00 before a leaf, 0x01 between two children, SHA-256 of nothing for the empty tree', async () => {
    const data = encoder.encode('青岛优品');
    expect(hex(await leafHash(data))).toBe(hex(await sha256(Uint8Array.of(0), data)));
    const [a, b] = [await leafHash(Uint8Array.of(1)), await leafHash(Uint8Array.of(2))];
    expect(hex(await nodeHash(a, b))).toBe(hex(await sha256(Uint8Array.of(1), a, b)));
    expect(hex(emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(await rootFromLeafHashes([]))).toBe(hex(emptyRoot()));
    await expect(nodeHash(a, b.subarray(1))).rejects.toThrow(RangeError);
  });

  it('computes the same root as the recursive definition for every size up to 300', async () => {
    const leaves = await leafHashes(Array.from({ length: 300 }, (_, i) => entry(i)));
    const ref = new Reference(leaves);
    for (let n = 1; n <= 300; n++) expect(hex(await rootFromLeafHashes(leaves.slice(0, n))), `size ${n}`).toBe(hex(await ref.root(n)));
  });
});

describe('tiles and proofs, sizes 1 to 600, one leaf at a time', async () => {
  const N = 600;
  const leaves = await leafHashes(Array.from({ length: N }, (_, i) => entry(i)));
  const ref = new Reference(leaves);
  const store = new Store();
  const builder = new TileBuilder();
  const next = random(15);

  it('has, after each append, every tile of the tree, the right root, and proofs equal to the reference that verify', async () => {
    for (let n = 1; n <= N; n++) {
      const changed = await builder.append([leaves[n - 1]!]);
      store.put(changed);
      const at = `size ${n}`;
      expect(changed.every((t) => t.hashes.length === t.width * 32), at).toBe(true);
      for (const t of tilesForTree(n)) expect(store.tiles.has(tilePath(t.level, t.index, t.width)), `${at}: ${tilePath(t.level, t.index, t.width)}`).toBe(true);
      const root = await ref.root(n);
      // (Digests dominate here: every check reads up to a tile's worth, so some are sampled.)
      if (n % 16 === 0 || n % 256 < 3) expect(hex(await builder.root()), at).toBe(hex(root));
      expect(hex(await treeRootFromTiles(n, store.read)), at).toBe(hex(root));

      for (const index of new Set(n % 5 === 0 ? [next(n), n - 1] : [next(n)])) {
        const { proof, tiles } = await inclusionProofFromTiles(index, n, store.read);
        expect(hexes(proof), `${at}, leaf ${index}`).toEqual(hexes(await ref.path(index, 0, n)));
        expect(await verifyInclusion(leaves[index]!, index, n, proof, root), `${at}, leaf ${index}`).toBe(true);
        expect(tiles.length, `${at}, leaf ${index}`).toBeLessThanOrEqual(3);
        expect(tilesForInclusionProof(index, n), `${at}, leaf ${index}`).toEqual(tiles);
      }
      const m = 1 + next(n);
      const { proof, tiles } = await consistencyProofFromTiles(m, n, store.read);
      expect(tilesForConsistencyProof(m, n), `${at}, from ${m}`).toEqual(tiles);
      expect(hexes(proof), `${at}, from ${m}`).toEqual(hexes(m === n ? [] : await ref.subproof(m, 0, n, true)));
      expect(await verifyConsistency(m, n, proof, await ref.root(m), root), `${at}, from ${m}`).toBe(true);
    }
  });

  it('proves every leaf and every older size of some small trees', async () => {
    for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33]) {
      const root = await ref.root(n);
      for (let index = 0; index < n; index++) {
        const { proof } = await inclusionProofFromTiles(index, n, store.read);
        expect(hexes(proof), `leaf ${index} of ${n}`).toEqual(hexes(await ref.path(index, 0, n)));
        expect(await verifyInclusion(leaves[index]!, index, n, proof, root)).toBe(true);
        // The same proof for another leaf, or for this leaf at another index, is refused.
        if (n > 1) expect(await verifyInclusion(leaves[(index + 1) % n]!, index, n, proof, root)).toBe(false);
        if (n > 1) expect(await verifyInclusion(leaves[index]!, (index + 1) % n, n, proof, root)).toBe(false);
      }
      for (let m = 1; m <= n; m++) {
        const { proof } = await consistencyProofFromTiles(m, n, store.read);
        expect(await verifyConsistency(m, n, proof, await ref.root(m), root), `${m} → ${n}`).toBe(true);
        if (m < n) expect(await verifyConsistency(m, n, proof, await ref.root(m), await ref.root(n - 1 || 1))).toBe(false);
      }
    }
  });

  it('builds the same tiles in one go, in random chunks, and resumed from published tiles', async () => {
    const final = new Map([...store.tiles].filter(([path]) => tilesForTree(N).some((t) => tilePath(t.level, t.index, t.width) === path)));
    const once = new Store();
    once.put(await buildTiles(leaves));
    expect([...once.tiles.keys()].sort()).toEqual([...final.keys()].sort());
    for (const [path, bytes] of final) expect(hex(once.tiles.get(path)!), path).toBe(hex(bytes));

    const chunked = new Store();
    let b = new TileBuilder();
    for (let n = 0; n < N; ) {
      const take = Math.min(N - n, 1 + next(300));
      chunked.put(await b.append(leaves.slice(n, n + take)));
      n += take;
      if (next(3) === 0) b = await TileBuilder.resume(n, chunked.read);
      expect(b.size).toBe(n);
      expect(hex(await b.root())).toBe(hex(await ref.root(n)));
    }
    for (const [path, bytes] of final) expect(hex(chunked.tiles.get(path)!), path).toBe(hex(bytes));
  });

  it('returns only the tiles that changed', async () => {
    const b = new TileBuilder();
    await b.append(leaves.slice(0, 300));
    const changed = await b.append(leaves.slice(300, 301));
    expect(changed.map((t) => tilePath(t.level, t.index, t.width))).toEqual(['tile/0/001.p/45']);
    const filling = await b.append(leaves.slice(301, 512));
    expect(filling.map((t) => tilePath(t.level, t.index, t.width))).toEqual(['tile/0/001', 'tile/1/000.p/2']);
    expect(await b.append([])).toEqual([]);
    expect(b.partialTiles().map((t) => t.length)).toEqual([0, 64, 0, 0, 0, 0, 0, 0]);
  });

  it('refuses a resumed edge of the wrong width', () => {
    expect(() => new TileBuilder(300, [new Uint8Array(32 * 43)])).toThrow(expect.objectContaining({ code: 'ERR_TLOG_TILE' }));
    expect(() => new TileBuilder(300, [new Uint8Array(32 * 44), new Uint8Array(0)])).toThrow(expect.objectContaining({ code: 'ERR_TLOG_TILE' }));
    expect(() => new TileBuilder(300, [new Uint8Array(32 * 44), new Uint8Array(32)])).not.toThrow();
  });

  it('refuses a tile of the wrong length, and a tampered tile gives a proof that does not verify', async () => {
    const n = 600;
    const root = await ref.root(n);
    const short: TileReader = async (level, index, width) => (await store.read(level, index, width)).subarray(32);
    await expect(inclusionProofFromTiles(5, n, short)).rejects.toMatchObject({ code: 'ERR_TLOG_TILE' });
    await expect(treeRootFromTiles(n, short)).rejects.toMatchObject({ code: 'ERR_TLOG_TILE' });
    // Leaf 3's proof reads its own tile/0/000 and the right edge (tile/0/002.p/88); leaf 300's
    // reads the hash of leaves 0–255 from tile/1/000.p/2. The root reads only the partial tiles.
    for (const [victim, index] of [['tile/0/000', 3], ['tile/0/002.p/88', 3], ['tile/1/000.p/2', 300]] as const) {
      const tampered: TileReader = async (level, index, width) => {
        const bytes = (await store.read(level, index, width)).slice();
        if (tilePath(level, index, width) === victim) bytes[8]! ^= 1;
        return bytes;
      };
      const { proof, tiles } = await inclusionProofFromTiles(index, n, tampered);
      expect(tiles.map((t) => tilePath(t.level, t.index, t.width))).toContain(victim);
      expect(await verifyInclusion(leaves[index]!, index, n, proof, root), victim).toBe(false);
      expect(hex(await treeRootFromTiles(n, tampered)) === hex(root), victim).toBe(victim === 'tile/0/000');
    }
  });

  it('says which tiles a proof needs before reading any', async () => {
    const nodes = subtreeNodes(0, 600);
    expect(nodes).toEqual([
      { level: 9, index: 0 },
      { level: 6, index: 8 },
      { level: 4, index: 36 },
      { level: 3, index: 74 },
    ]);
    expect(tileHashesNeededFor(nodes, 600)).toEqual([
      { level: 1, index: 0, width: 2 },
      { level: 0, index: 2, width: 88 },
    ]);
  });
});

describe('large trees', async () => {
  // 65,537 then 70,000 leaves (three tile levels), appended in two chunks.
  const N = 70_000;
  const leaves = await leafHashes(Array.from({ length: N }, (_, i) => entry(i)));
  const ref = new Reference(leaves);
  const store = new Store();
  const builder = new TileBuilder();
  store.put(await builder.append(leaves.slice(0, 65_537)));
  const root65537 = await builder.root();
  store.put(await builder.append(leaves.slice(65_537)));

  it('has the tlog-tiles layout at 70,000, and every tile', async () => {
    const tiles = tilesForTree(N);
    for (const t of tiles) expect(store.tiles.has(tilePath(t.level, t.index, t.width))).toBe(true);
    expect(store.tiles.get('tile/0/273.p/112')?.length).toBe(112 * 32);
    expect(store.tiles.get('tile/1/001.p/17')?.length).toBe(17 * 32);
    expect(store.tiles.get('tile/2/000.p/1')?.length).toBe(32);
  });

  it('has the reference root, and proofs from tiles equal the reference and verify', async () => {
    const root = await ref.root(N);
    expect(hex(await builder.root())).toBe(hex(root));
    expect(hex(root65537)).toBe(hex(await ref.root(65_537)));
    expect(hex(await treeRootFromTiles(N, store.read))).toBe(hex(root));
    expect(hex(await treeRootFromTiles(65_537, store.read))).toBe(hex(root65537));
    const next = random(70);
    for (const index of [0, 65_535, 65_536, 69_887, 69_999, next(N), next(N)]) {
      const { proof, tiles } = await inclusionProofFromTiles(index, N, store.read);
      expect(hexes(proof), `leaf ${index}`).toEqual(hexes(await ref.path(index, 0, N)));
      expect(await verifyInclusion(leaves[index]!, index, N, proof, root)).toBe(true);
      expect(tiles.length, `leaf ${index}`).toBeLessThanOrEqual(5);
      expect(tilesForInclusionProof(index, N)).toEqual(tiles);
    }
    for (const m of [1, 256, 65_536, 65_537, 69_999, next(N)]) {
      const { proof } = await consistencyProofFromTiles(m, N, store.read);
      expect(hexes(proof), `from ${m}`).toEqual(hexes(await ref.subproof(m, 0, N, true)));
      expect(await verifyConsistency(m, N, proof, await ref.root(m), root)).toBe(true);
    }
    const { proof } = await consistencyProofFromTiles(100, 65_537, store.read);
    expect(await verifyConsistency(100, 65_537, proof, await ref.root(100), root65537)).toBe(true);
  });
});
