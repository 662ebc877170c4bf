// Reading the published transparency log under a checkpoint the verifier has accepted: hash
// tiles (immutable, so kept in a small LRU), entry bundles, the newest entries for /log and
// one entry with its inclusion proof for /log/entry/N. Whatever is shown is first tied to the
// checkpoint's root: an entry by its inclusion proof, the newest entries by the tiles on the
// tree's right edge (which give the root), so a store that serves other bytes is caught, never
// shown as the log.
//
// Each operation reads each tile once (a memo over the LRU): a tile is never checked in one
// read and used from another.

import {
  decodeLogEntry,
  equalBytes,
  inclusionProofFromTiles,
  leafHash,
  leafHashes,
  logEntriesKey,
  logEntryProof,
  logTileKey,
  openStoredEntryBundle,
  readTileHash,
  tileRoot,
  tileWidth,
  TILE_WIDTH,
  TlogError,
  treeRootFromTiles,
  verifyInclusion,
  webSha256,
  type Checkpoint,
  type LogEntry,
  type Sha256,
  type TileReader,
} from '../core/index.ts';
import type { ArtifactSource } from './artifact-source.ts';

/** Hash tiles kept in memory: 256 full tiles are 2 MiB. */
const TILE_CACHE_ENTRIES = 256;
/** Newest entries a /log page lists. */
export const NEWEST_ENTRIES = 20;

/** A tile or bundle the store does not have (yet): a fault of the store, not of the log. */
export class MissingLogFile extends Error {
  override readonly name = 'MissingLogFile';
  constructor(readonly key: string) {
    super(`${key} is not published`);
  }
}

export interface ShownEntry {
  index: number;
  bytes: Uint8Array;
  /** Decoded, or null when the logged bytes are not an entry this verifier can read. */
  entry: LogEntry | null;
}

export interface NewestEntries {
  /** Newest first; empty when they could not be tied to the checkpoint's root. */
  entries: ShownEntry[];
  /** Whether the entries (and so the log's time) are the ones the checkpoint's root commits to. */
  verified: boolean;
}

export interface EntryWithProof extends ShownEntry {
  leafHash: Uint8Array;
  proof: Uint8Array[];
  /** Whether the inclusion proof from the tiles held against the checkpoint's root. */
  verified: boolean;
}

export class LogReader {
  readonly #source: ArtifactSource;
  readonly #sha256: Sha256;
  /** Insertion order is recency order. */
  readonly #tiles = new Map<string, Uint8Array>();
  #newest: { note: string; result: Promise<NewestEntries> } | null = null;

  constructor(source: ArtifactSource, sha256: Sha256 = webSha256) {
    this.#source = source;
    this.#sha256 = sha256;
  }

  get sha256(): Sha256 {
    return this.#sha256;
  }

  /** A file of the log as stored, passed on as the store gives it (bytes, or R2's stream). */
  stored(key: string): ReturnType<ArtifactSource['getBytes']> {
    return this.#source.getBytes(key);
  }

  /** A file of the log as stored, whole (a stream from R2 is read out), or null. */
  async bytes(key: string): Promise<Uint8Array | null> {
    const body = await this.#source.getBytes(key);
    if (body === null || body instanceof Uint8Array) return body;
    return new Uint8Array(await new Response(body).arrayBuffer());
  }

  /** Reads hash tiles through the LRU; a missing one throws MissingLogFile. */
  readonly readTile: TileReader = async (level, index, width) => {
    const key = logTileKey(level, index, width);
    const cached = this.#tiles.get(key);
    if (cached) {
      this.#tiles.delete(key);
      this.#tiles.set(key, cached);
      return cached;
    }
    const bytes = await this.bytes(key);
    if (bytes === null) throw new MissingLogFile(key);
    // Only a tile of the right length is kept; another fails the proof that reads it.
    if (bytes.length === width * 32) {
      this.#tiles.set(key, bytes);
      if (this.#tiles.size > TILE_CACHE_ENTRIES) this.#tiles.delete(this.#tiles.keys().next().value!);
    }
    return bytes;
  };

  /**
   * Drops the cached tiles: after a proof from them failed, a tampered tile (of the right
   * length) must not outlive the store's repair.
   */
  forget(): void {
    this.#tiles.clear();
  }

  /** One operation's reader: each tile read once, the same bytes every time it is asked for. */
  memo(): TileReader {
    const seen = new Map<string, Promise<Uint8Array>>();
    return (level, index, width) => {
      const key = `${level}/${index}/${width}`;
      let tile = seen.get(key);
      if (!tile) {
        tile = this.readTile(level, index, width);
        seen.set(key, tile);
      }
      return tile;
    };
  }

  /** The entries of level-0 tile `index` in a tree of `size` (TlogError if the bundle is malformed). */
  async #bundle(index: number, size: number): Promise<Uint8Array[]> {
    const width = tileWidth(0, index, size);
    const key = logEntriesKey(index, width);
    const bytes = await this.bytes(key);
    if (bytes === null) throw new MissingLogFile(key);
    return openStoredEntryBundle(bytes, width);
  }

  /**
   * The newest entries under `checkpoint` (about NEWEST_ENTRIES: the last bundle, and the one
   * before when the last is short), tied to its root; worked out once per checkpoint.
   */
  newest(note: string, checkpoint: Checkpoint): Promise<NewestEntries> {
    if (this.#newest?.note !== note) {
      const result = this.#readNewest(checkpoint);
      this.#newest = { note, result };
      // Neither a store fault nor files that do not match is remembered: the next request reads
      // again, so a store put right is shown as the log at once (entry() re-checks likewise).
      const drop = () => {
        if (this.#newest?.result === result) this.#newest = null;
      };
      result.then((r) => r.verified || drop(), drop);
    }
    return this.#newest!.result;
  }

  async #readNewest(checkpoint: Checkpoint): Promise<NewestEntries> {
    const { size, root } = checkpoint;
    if (size === 0) return { entries: [], verified: true };
    const readTile = this.memo();
    const last = Math.floor((size - 1) / TILE_WIDTH);
    const indices = size - last * TILE_WIDTH < NEWEST_ENTRIES && last > 0 ? [last - 1, last] : [last];
    const shown: ShownEntry[] = [];
    try {
      if (!equalBytes(await treeRootFromTiles(size, readTile, this.#sha256), root)) return this.#failed();
      for (const index of indices) {
        const entries = await this.#bundle(index, size);
        const hashes = await leafHashes(entries, this.#sha256);
        if (!(await this.#tileHolds(0, index, hashes, size, readTile))) return this.#failed();
        entries.forEach((bytes, i) => shown.push({ index: index * TILE_WIDTH + i, bytes, entry: decoded(bytes) }));
      }
    } catch (error) {
      if (error instanceof TlogError) return this.#failed();
      throw error;
    }
    return { entries: shown.reverse().slice(0, NEWEST_ENTRIES), verified: true };
  }

  #failed(): NewestEntries {
    this.forget();
    return { entries: [], verified: false };
  }

  /**
   * Whether `hashes` are the hashes of tile (`level`, `index`) of the tree of `size` whose root
   * treeRootFromTiles has just checked with `readTile`: a partial tile was read by that check
   * itself (each level's partial tile goes into the root whole); a full one is found in its
   * parent tile, and that one in the same way, up to a partial tile.
   */
  async #tileHolds(level: number, index: number, hashes: Uint8Array[], size: number, readTile: TileReader): Promise<boolean> {
    const width = tileWidth(level, index, size);
    if (hashes.length !== width) return false;
    const bytes = concat(hashes);
    if (width < TILE_WIDTH) return equalBytes(await readTile(level, index, width), bytes);
    const parent = Math.floor(index / TILE_WIDTH);
    const parentWidth = tileWidth(level + 1, parent, size);
    const parentTile = await readTile(level + 1, parent, parentWidth);
    if (parentTile.length !== parentWidth * 32) return false;
    if (!equalBytes(readTileHash(parentTile, index % TILE_WIDTH), await tileRoot(bytes, this.#sha256))) return false;
    if (parentWidth < TILE_WIDTH) return true;
    const siblings = Array.from({ length: TILE_WIDTH }, (_, i) => readTileHash(parentTile, i));
    return this.#tileHolds(level + 1, parent, siblings, size, readTile);
  }

  /** Entry `index` (< the checkpoint's size) with its inclusion proof, checked against the root. */
  async entry(checkpoint: Checkpoint, index: number): Promise<EntryWithProof> {
    const { size, root } = checkpoint;
    const readTile = this.memo();
    const bytes = (await this.#bundle(Math.floor(index / TILE_WIDTH), size))[index % TILE_WIDTH]!;
    const hash = await leafHash(bytes, this.#sha256);
    const { proof } = await inclusionProofFromTiles(index, size, readTile, this.#sha256);
    const verified = await verifyInclusion(hash, index, size, proof, root, this.#sha256);
    if (!verified) this.forget();
    return { index, bytes, entry: verified ? decoded(bytes) : null, leafHash: hash, proof, verified };
  }

  /** The entry's `.tlog-proof` (c2sp.org/tlog-proof@v1, the entry as extra), checked before it is handed out. */
  async proofFile(note: string, checkpoint: Checkpoint, index: number): Promise<string> {
    const bytes = (await this.#bundle(Math.floor(index / TILE_WIDTH), checkpoint.size))[index % TILE_WIDTH]!;
    return logEntryProof(index, utf8(bytes), note, this.memo(), this.#sha256);
  }
}

function decoded(bytes: Uint8Array): LogEntry | null {
  try {
    return decodeLogEntry(bytes);
  } catch {
    return null;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Logged bytes as text; bytes that are not UTF-8 cannot be proved as text (the proof then fails). */
function utf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new TlogError('ERR_TLOG_PROOF', 'the logged entry is not UTF-8 text');
  }
}

function concat(hashes: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(hashes.length * 32);
  hashes.forEach((h, i) => out.set(h, i * 32));
  return out;
}
