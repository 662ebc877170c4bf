// C2SP tlog-tiles: the Merkle tree served as tiles, and the entries as entry bundles.
//
// A tile holds up to 256 consecutive hashes of one tree level: tile level L holds tree level
// 8L, so the n-th tile of level L holds MTH(D[(256n + i)·256^L : (256n + i + 1)·256^L]) for i
// from 0 to 255, and each hash of a level L + 1 tile is the root of a *full* level L tile. The
// rightmost tile of a level may be partial (1 to 255 hashes, `.p/W` in its path): for a tree of
// size s, level L has floor(s / 256^L) hashes, so floor(s / 256^(L+1)) full tiles and a partial
// one of width floor(s / 256^L) mod 256 when that is not 0. A partial tile is never hashed into
// the level above. Entry bundles follow the level-0 tiles: bundle n holds entries 256n…256n+255,
// each prefixed by its length as a big-endian uint16.
//
// Sizes and indices are JavaScript numbers: exact up to 2^53, far beyond any log of ours; the
// arithmetic below uses division and remainders, never 32-bit bit operations.

import { TlogError } from './errors.ts';
import { HASH_SIZE, foldSubtrees, rootFrom, webSha256, type Sha256 } from './hash.ts';

/** Tree levels per tile level. */
export const TILE_HEIGHT = 8;
/** Hashes in a full tile (2^TILE_HEIGHT), entries in a full bundle. */
export const TILE_WIDTH = 256;
/** Bytes in a full tile: 8,192. */
export const FULL_TILE_BYTES = TILE_WIDTH * HASH_SIZE;
/** The highest tile level a path may name. */
export const MAX_TILE_LEVEL = 63;
/** The longest entry an entry bundle's uint16 length prefix can carry. */
export const MAX_ENTRY_BYTES = 65_535;

/** One tile (or entry bundle) of a tree: `width` is 256 for a full tile, 1…255 for a partial one. */
export interface TileRef {
  level: number;
  index: number;
  width: number;
}

/** A tile with its bytes: `width` hashes of 32 bytes, concatenated. */
export interface Tile extends TileRef {
  hashes: Uint8Array;
}

/**
 * Reads one tile of the tree: its `width` × 32 bytes (a reader that finds only the full tile
 * where a partial one was asked for may return the full tile's first `width` hashes).
 */
export type TileReader = (level: number, index: number, width: number) => Promise<Uint8Array>;

/** A complete subtree of the Merkle tree: `2^level` leaves from `index · 2^level`. */
export interface TreeNode {
  level: number;
  index: number;
}

const POW256 = Array.from({ length: 8 }, (_, i) => 256 ** i);

/** How many hashes tree level 8·`level` has in a tree of `size` leaves: floor(size / 256^level). */
export function levelHashes(level: number, size: number): number {
  return level < POW256.length ? Math.floor(size / POW256[level]!) : 0;
}

/** The width of tile (`level`, `index`) in a tree of `size` leaves: 256, 1…255, or 0 when it does not exist. */
export function tileWidth(level: number, index: number, size: number): number {
  return Math.max(0, Math.min(TILE_WIDTH, levelHashes(level, size) - index * TILE_WIDTH));
}

function assertIndex(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer`);
}

function assertWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) throw new RangeError('a tile is 1 to 256 hashes wide');
}

/** `N` as tlog-tiles writes it: zero-padded groups of three digits, all but the last after an `x`. */
function indexPath(index: number): string {
  assertIndex(index, 'a tile index');
  const groups: string[] = [];
  let rest = index;
  do {
    groups.unshift(String(rest % 1000).padStart(3, '0'));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

const suffix = (width: number) => {
  assertWidth(width);
  return width === TILE_WIDTH ? '' : `.p/${width}`;
};

/** `tile/L/N[.p/W]`, e.g. tilePath(0, 1234067) = 'tile/0/x001/x234/067'. */
export function tilePath(level: number, index: number, width: number = TILE_WIDTH): string {
  if (!Number.isInteger(level) || level < 0 || level > MAX_TILE_LEVEL) throw new RangeError('a tile level is 0 to 63');
  return `tile/${level}/${indexPath(index)}${suffix(width)}`;
}

/** `tile/entries/N[.p/W]`: the entries of level-0 tile N. */
export function entryBundlePath(index: number, width: number = TILE_WIDTH): string {
  return `tile/entries/${indexPath(index)}${suffix(width)}`;
}

export type TilePath = ({ kind: 'tile' } & TileRef) | { kind: 'entries'; index: number; width: number };

const TILE_PATH = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/){0,5}[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/;

/** What a tile or entry-bundle path names, or null unless it is exactly the canonical path. */
export function parseTilePath(path: string): TilePath | null {
  const match = TILE_PATH.exec(path);
  if (!match) return null;
  const index = Number(match[2]!.replace(/[x/]/g, ''));
  const width = match[3] === undefined ? TILE_WIDTH : Number(match[3]);
  // A partial tile is 1 to 255 wide: `.p/256` (or more) is no tile.
  if (!Number.isSafeInteger(index) || (match[3] !== undefined && width >= TILE_WIDTH)) return null;
  const parsed: TilePath = match[1] === 'entries' ? { kind: 'entries', index, width } : { kind: 'tile', level: Number(match[1]), index, width };
  if (parsed.kind === 'tile' && parsed.level > MAX_TILE_LEVEL) return null;
  // One path per tile: `x000/005` for 5 is refused, as is any other non-canonical spelling.
  const canonical = parsed.kind === 'entries' ? entryBundlePath(index, width) : tilePath(parsed.level, index, width);
  return canonical === path ? parsed : null;
}

/**
 * Every tile a tree of `size` leaves has, level by level and left to right: at each level its
 * full tiles, then the partial one if any. A tree of 70,000 leaves: 273 full level-0 tiles, a
 * level-0 tile of width 112, one full level-1 tile, a level-1 tile of width 17, a level-2 tile
 * of width 1.
 */
export function tilesForTree(size: number): TileRef[] {
  assertIndex(size, 'a tree size');
  const tiles: TileRef[] = [];
  for (let level = 0; levelHashes(level, size) > 0; level++) {
    const count = levelHashes(level, size);
    const full = Math.floor(count / TILE_WIDTH);
    for (let index = 0; index < full; index++) tiles.push({ level, index, width: TILE_WIDTH });
    if (count % TILE_WIDTH > 0) tiles.push({ level, index: full, width: count % TILE_WIDTH });
  }
  return tiles;
}

/**
 * The tiles a tree of `size` leaves has that a tree of `fromSize` leaves does not: what a
 * publish from `fromSize` to `size` must write (new full tiles, and the new partial tiles).
 */
export function tilesAddedBetween(fromSize: number, size: number): TileRef[] {
  assertIndex(fromSize, 'a tree size');
  if (fromSize > size) throw new RangeError('a tree only grows');
  const had = new Set(tilesForTree(fromSize).map((t) => `${t.level}/${t.index}/${t.width}`));
  return tilesForTree(size).filter((t) => !had.has(`${t.level}/${t.index}/${t.width}`));
}

/** The `i`-th hash of a tile's bytes (a view, not a copy). */
export function readTileHash(tile: Uint8Array, i: number): Uint8Array {
  if (!Number.isInteger(i) || i < 0 || (i + 1) * HASH_SIZE > tile.length) throw new RangeError('no such hash in this tile');
  return tile.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
}

/** The hash a full tile contributes to the level above: the root of its 256 hashes. */
export function tileRoot(tile: Uint8Array, sha256: Sha256 = webSha256): Promise<Uint8Array> {
  if (tile.length !== FULL_TILE_BYTES) return Promise.reject(new TlogError('ERR_TLOG_TILE', 'only a full tile is hashed into the level above'));
  return rootFrom(TILE_WIDTH, (i) => readTileHash(tile, i), sha256);
}

/**
 * The complete subtrees [start, end) splits into, left to right: each time the largest one
 * aligned at `start` that fits. For a range a Merkle proof names (aligned, or running to the
 * tree's right edge) they shrink left to right, and their fold is the range's MTH.
 */
export function subtreeNodes(start: number, end: number): TreeNode[] {
  assertIndex(start, 'a leaf index');
  assertIndex(end, 'a leaf index');
  const nodes: TreeNode[] = [];
  while (start < end) {
    let level = 0;
    let span = 1;
    while (start % (span * 2) === 0 && start + span * 2 <= end) {
      level++;
      span *= 2;
    }
    nodes.push({ level, index: start / span });
    start += span;
  }
  return nodes;
}

/** The tile that holds complete subtree `node`, and where: its hashes at tree level 8L. */
function locate(node: TreeNode): { level: number; index: number; first: number; count: number } {
  const level = Math.floor(node.level / TILE_HEIGHT);
  const count = 2 ** (node.level % TILE_HEIGHT);
  const start = node.index * count;
  return { level, index: Math.floor(start / TILE_WIDTH), first: start % TILE_WIDTH, count };
}

/**
 * The tiles that hold the hashes of `nodes` (complete subtrees of a tree of `size` leaves),
 * each once, in the order first needed: what a client fetches to compute a proof or a root.
 * Each node is read from the highest tile level that holds it.
 */
export function tileHashesNeededFor(nodes: readonly TreeNode[], size: number): TileRef[] {
  const seen = new Set<string>();
  const tiles: TileRef[] = [];
  for (const node of nodes) {
    if ((node.index + 1) * 2 ** node.level > size) throw new RangeError('not a complete subtree of a tree of this size');
    const at = locate(node);
    const key = `${at.level}/${at.index}`;
    if (seen.has(key)) continue;
    seen.add(key);
    tiles.push({ level: at.level, index: at.index, width: tileWidth(at.level, at.index, size) });
  }
  return tiles;
}

/**
 * Complete-subtree hashes of one tree size, read from its tiles: each tile fetched once, its
 * length checked, and kept in `fetched` (in fetch order) so callers can say what they read.
 */
export class TileHashes {
  readonly fetched: TileRef[] = [];
  private readonly cache = new Map<string, Promise<Uint8Array>>();

  constructor(
    readonly size: number,
    private readonly readTile: TileReader,
    private readonly sha256: Sha256 = webSha256,
  ) {
    assertIndex(size, 'a tree size');
  }

  private tile(level: number, index: number): Promise<Uint8Array> {
    const key = `${level}/${index}`;
    let tile = this.cache.get(key);
    if (!tile) {
      const width = tileWidth(level, index, this.size);
      if (width === 0) throw new TlogError('ERR_TLOG_TILE', `a tree of ${this.size} has no tile ${level}/${index}`);
      this.fetched.push({ level, index, width });
      tile = Promise.resolve()
        .then(() => this.readTile(level, index, width))
        .then((bytes) => {
          if (!(bytes instanceof Uint8Array) || bytes.length !== width * HASH_SIZE) {
            throw new TlogError('ERR_TLOG_TILE', `tile ${tilePath(level, index, width)} is not ${width * HASH_SIZE} bytes`);
          }
          return bytes;
        });
      this.cache.set(key, tile);
    }
    return tile;
  }

  /** The hash of complete subtree `node`. */
  async node(node: TreeNode): Promise<Uint8Array> {
    if (!Number.isInteger(node.level) || node.level < 0 || (node.index + 1) * 2 ** node.level > this.size) {
      throw new TlogError('ERR_TLOG_TILE', 'not a complete subtree of this tree');
    }
    const at = locate(node);
    const tile = await this.tile(at.level, at.index);
    return rootFrom(at.count, (i) => readTileHash(tile, at.first + i), this.sha256);
  }

  /** MTH(D[start:end]) for a range a proof names (see subtreeNodes). */
  async range(start: number, end: number): Promise<Uint8Array> {
    const nodes = subtreeNodes(start, end);
    const hashes = await Promise.all(nodes.map((n) => this.node(n)));
    return foldSubtrees(hashes, this.sha256);
  }
}

function concatHashes(hashes: readonly Uint8Array[], from: number, to: number): Uint8Array {
  const out = new Uint8Array((to - from) * HASH_SIZE);
  for (let i = from; i < to; i++) {
    const hash = hashes[i]!;
    if (hash.length !== HASH_SIZE) throw new RangeError('a tree hash is 32 bytes');
    out.set(hash, (i - from) * HASH_SIZE);
  }
  return out;
}

/** Full tiles hashed at once while building: enough digests in flight, bounded memory. */
const TILES_AT_ONCE = 32;

/**
 * Builds tiles incrementally. It keeps the tree's right edge — the partial tile of every level,
 * which is all that appending needs (full tiles never change) — and, given the leaf hashes
 * appended since, returns the tiles that changed: each new full tile, and each level's new
 * partial tile. Resume it from a published tree with `TileBuilder.resume(size, readTile)`,
 * which reads only those partial tiles.
 */
export class TileBuilder {
  private treeSize: number;
  /** edge[L]: the hashes of level L's partial tile (views; none when the level's count is a multiple of 256). */
  private readonly edge: Uint8Array[][] = [];

  /** `partialTiles[L]`: the bytes of level L's partial tile at `size` (an empty array or none where there is none). */
  constructor(
    size = 0,
    partialTiles: readonly (Uint8Array | undefined)[] = [],
    private readonly sha256: Sha256 = webSha256,
  ) {
    assertIndex(size, 'a tree size');
    this.treeSize = size;
    for (let level = 0; level < Math.max(partialTiles.length, 8); level++) {
      const width = levelHashes(level, size) % TILE_WIDTH;
      const bytes = partialTiles[level] ?? new Uint8Array(0);
      if (bytes.length !== width * HASH_SIZE) throw new TlogError('ERR_TLOG_TILE', `level ${level}'s partial tile at size ${size} is ${width} hashes`);
      this.edge[level] = Array.from({ length: width }, (_, i) => readTileHash(bytes, i));
    }
  }

  /** A builder for a published tree of `size` leaves, from its partial tiles. */
  static async resume(size: number, readTile: TileReader, sha256: Sha256 = webSha256): Promise<TileBuilder> {
    const partials: Uint8Array[] = [];
    for (const tile of tilesForTree(size)) {
      if (tile.width === TILE_WIDTH) continue;
      const bytes = await readTile(tile.level, tile.index, tile.width);
      partials[tile.level] = bytes;
    }
    return new TileBuilder(size, partials, sha256);
  }

  get size(): number {
    return this.treeSize;
  }

  /** The partial tile of every level at the current size (empty arrays where a level has none). */
  partialTiles(): Uint8Array[] {
    return this.edge.map((hashes) => concatHashes(hashes, 0, hashes.length));
  }

  /** Appends leaf hashes; returns the tiles that changed, level by level, left to right. */
  async append(leafHashes: readonly Uint8Array[]): Promise<Tile[]> {
    const changed: Tile[] = [];
    let incoming: readonly Uint8Array[] = leafHashes;
    const before = this.treeSize;
    for (let level = 0; incoming.length > 0; level++) {
      const partial = this.edge[level] ?? [];
      const all = partial.length === 0 ? incoming : [...partial, ...incoming];
      const first = Math.floor(levelHashes(level, before) / TILE_WIDTH);
      const full = Math.floor(all.length / TILE_WIDTH);
      const roots: Uint8Array[] = [];
      for (let t = 0; t < full; t += TILES_AT_ONCE) {
        const batch: Tile[] = [];
        for (let u = t; u < Math.min(full, t + TILES_AT_ONCE); u++) {
          batch.push({ level, index: first + u, width: TILE_WIDTH, hashes: concatHashes(all, u * TILE_WIDTH, (u + 1) * TILE_WIDTH) });
        }
        roots.push(...(await Promise.all(batch.map((tile) => tileRoot(tile.hashes, this.sha256)))));
        changed.push(...batch);
      }
      const rest = all.length - full * TILE_WIDTH;
      if (rest > 0) {
        const hashes = concatHashes(all, full * TILE_WIDTH, all.length);
        changed.push({ level, index: first + full, width: rest, hashes });
        this.edge[level] = Array.from({ length: rest }, (_, i) => readTileHash(hashes, i));
      } else {
        this.edge[level] = [];
      }
      incoming = roots;
    }
    this.treeSize = before + leafHashes.length;
    return changed;
  }

  /** The tree's root at the current size, from the right edge alone. */
  root(): Promise<Uint8Array> {
    const edge = this.edge;
    const reader = new TileHashes(this.treeSize, async (level, _index, width) => concatHashes(edge[level] ?? [], 0, width), this.sha256);
    return reader.range(0, this.treeSize);
  }
}

/** Every tile of a tree of these leaf hashes, built from nothing. */
export async function buildTiles(leafHashes: readonly Uint8Array[], sha256: Sha256 = webSha256): Promise<Tile[]> {
  return new TileBuilder(0, [], sha256).append(leafHashes);
}

/**
 * One entry bundle: each entry after its length as a big-endian uint16. Refuses an entry over
 * 65,535 bytes, and more than 256 entries or none (an empty bundle is never served).
 */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length === 0 || entries.length > TILE_WIDTH) throw new TlogError('ERR_TLOG_MALFORMED', 'an entry bundle holds 1 to 256 entries');
  let length = 0;
  for (const entry of entries) {
    if (entry.length > MAX_ENTRY_BYTES) throw new TlogError('ERR_TLOG_TOO_LARGE', `a log entry is at most ${MAX_ENTRY_BYTES} bytes`);
    length += 2 + entry.length;
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (const entry of entries) {
    out[at] = entry.length >>> 8;
    out[at + 1] = entry.length & 0xff;
    out.set(entry, at + 2);
    at += 2 + entry.length;
  }
  return out;
}

/**
 * The entries of a bundle (views into `bundle`). Refuses a truncated length or entry, bytes
 * after the last entry, more than 256 entries, and — with `width` — any other count.
 */
export function decodeEntryBundle(bundle: Uint8Array, width?: number): Uint8Array[] {
  const entries: Uint8Array[] = [];
  let at = 0;
  while (at < bundle.length) {
    if (entries.length === TILE_WIDTH) throw new TlogError('ERR_TLOG_MALFORMED', 'an entry bundle holds at most 256 entries');
    if (at + 2 > bundle.length) throw new TlogError('ERR_TLOG_MALFORMED', 'entry bundle truncated in a length prefix');
    const length = (bundle[at]! << 8) | bundle[at + 1]!;
    if (at + 2 + length > bundle.length) throw new TlogError('ERR_TLOG_MALFORMED', 'entry bundle truncated in an entry');
    entries.push(bundle.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  if (entries.length === 0) throw new TlogError('ERR_TLOG_MALFORMED', 'an entry bundle holds at least one entry');
  if (width !== undefined && entries.length !== width) throw new TlogError('ERR_TLOG_MALFORMED', `entry bundle holds ${entries.length} entries, not ${width}`);
  return entries;
}
