// The transparency log's part of a publication: the entry bundles and hash tiles a target has
// not yet got, and a checkpoint signed by the active log key, written after everything else.
//
// The tree is the registry's log_entries; the office keeps its own copy of the tiles in
// log_tiles (every full tile, and the partial tiles of the largest size it has built), so a
// publication hashes only the entries appended since, not the whole log. Tiles are immutable:
// a full tile is written once, and each partial width is a path of its own, so a target at an
// older size gets exactly tilesAddedBetween(its size, the new size) — all of them tiles of the
// new tree, read from the office's copy. A full publication (a wiped edge, --full) rebuilds
// the tree from the entries themselves and writes every tile again.
//
// The size a target's checkpoint has is publish_targets.log_size, set with the publication's
// mark (markLogPublished). A target whose log is ahead of the registry (a restored backup that
// has not yet recovered the published entries) gets no log at all: the office never signs a
// smaller tree than one it has published, which would be a fork.

import { gzipSync } from 'node:zlib';
import {
  cstDate,
  keyId,
  leafHashes,
  logEntriesKey,
  logOrigin,
  logTileKey,
  LOG_CHECKPOINT_KEY,
  noteSigner,
  signCheckpoint,
  TILE_WIDTH,
  TileBuilder,
  tilesAddedBetween,
  tilesForTree,
  tilePath,
  encodeEntryBundle,
  parseCheckpoint,
  parseNote,
  TlogError,
  type NoteSigner,
  type Sha256,
  type Tile,
  type TileRef,
} from '../core/index.ts';
import { readEdgeText } from './edge-store.ts';
import { nodeSha256 } from './codecs.ts';
import { RefusedError } from './errors.ts';
import { issuingKeyFile, readPrivateKey } from './key-files.ts';
import { statement, type Db, type Registry } from './registry/db.ts';
import { activeLogKey } from './registry/keys.ts';
import { logSize, readLogEntries } from './registry/log.ts';
import type { PublishTarget } from './registry/publishing.ts';

/** What the warning says when there is no log key (a registry made before the log). */
export const NO_LOG_KEY_WARNING = 'no log key: run qdyp keys rotate --log';

/** Entries read and hashed at once: a multiple of a bundle (256), bounded memory at a million. */
const ENTRIES_AT_ONCE = 256 * 256;

/** The log's state as of the publication's snapshot (read in its transaction: logSnapshot). */
export interface LogSnapshot {
  target: PublishTarget;
  /** Entries in the log: the new checkpoint's size. */
  size: number;
  /** The size of the checkpoint the target has. */
  targetSize: number;
  /** The active log key, or null (no log published). */
  logKey: { kid: string; signUntil: string } | null;
}

/** The log part of a publication: written after the licence entries, before the lists, the checkpoint last of all. */
export interface LogPublication {
  /** Entry bundles, then hash tiles level by level: [store key, bytes]. */
  tiles: [string, Uint8Array][];
  /** The signed checkpoint note, or null when no log is published. */
  checkpoint: string | null;
  /** The target's size before, and the checkpoint's. */
  fromSize: number;
  size: number;
  warnings: string[];
}

/** Reads the log's state for `target`; call it inside the snapshot's transaction. */
export function logSnapshot(db: Db, target: PublishTarget): LogSnapshot {
  const row = statement(db, 'SELECT log_size FROM publish_targets WHERE name = ?').get(target) as { log_size: number } | undefined;
  const key = activeLogKey(db);
  return { target, size: logSize(db), targetSize: row?.log_size ?? 0, logKey: key && { kid: key.kid, signUntil: key.signUntil } };
}

/**
 * Records that `target` now has the checkpoint of `size` entries, in the transaction that marks
 * the rest of the publication published. Only when its size is still what the publication was
 * built from: a target reset meanwhile (restore) keeps 0, and gets every tile next time.
 */
export function markLogPublished(db: Db, target: PublishTarget, sizes: { from: number; to: number; full: boolean }): void {
  if (sizes.full) statement(db, 'UPDATE publish_targets SET log_size = ? WHERE name = ?').run(sizes.to, target);
  else statement(db, 'UPDATE publish_targets SET log_size = ? WHERE name = ? AND log_size = ?').run(sizes.to, target, sizes.from);
}

/** Log signers already loaded from a registry's keys/, by kid. */
const signers = new WeakMap<Registry, Map<string, NoteSigner>>();

async function logSigner(registry: Registry, kid: string, origin: string): Promise<NoteSigner> {
  let loaded = signers.get(registry);
  if (!loaded) signers.set(registry, (loaded = new Map()));
  const cacheKey = `${kid} ${origin}`;
  const cached = loaded.get(cacheKey);
  if (cached) return cached;
  const file = issuingKeyFile(registry.keysDir, kid);
  const jwk = readPrivateKey(file);
  if ((await keyId(jwk)) !== kid) throw new RefusedError('invalid_private_key', `${file} does not hold the log key ${kid}`);
  const signer = await noteSigner(origin, jwk);
  loaded.set(cacheKey, signer);
  return signer;
}

const tileId = (t: TileRef) => `${t.level}/${t.index}/${t.width}`;

interface OfficeTiles {
  /** The size the office's copy describes. */
  size: number;
  /** Its partial tiles, by level (what TileBuilder resumes from). */
  partials: Uint8Array[];
}

/**
 * The office's copy: the largest size whose level-0 tiles it holds, and that size's partial
 * tiles. Null when a partial tile it needs is missing (the builder then starts from nothing).
 */
function officeTiles(db: Db): OfficeTiles | null {
  const top = statement(db, 'SELECT max(idx * 256 + width) AS size FROM log_tiles WHERE level = 0').get() as { size: number | null };
  const size = top.size ?? 0;
  const read = statement(db, 'SELECT hashes FROM log_tiles WHERE level = ? AND idx = ? AND width = ?');
  const partials: Uint8Array[] = [];
  for (const tile of tilesForTree(size)) {
    if (tile.width === TILE_WIDTH) continue;
    const row = read.get(tile.level, tile.index, tile.width) as { hashes: Buffer } | undefined;
    if (!row) return null;
    partials[tile.level] = new Uint8Array(row.hashes);
  }
  return { size, partials };
}

/**
 * Builds the log part of `target`'s publication as of `snapshot`, storing the new tiles in
 * the office's copy. `full`: every tile from 0, the tree rebuilt from the entries.
 * `publishedSize`: the size of the checkpoint the target holds now, when it can be read. No
 * checkpoint is signed smaller than that or than the target's record.
 */
export async function buildLogPublication(
  registry: Registry,
  snapshot: LogSnapshot,
  verifyOrigin: string,
  now: Date,
  full: boolean,
  publishedSize: number | null = null,
): Promise<LogPublication> {
  const db = registry.db;
  const fromSize = full ? 0 : snapshot.targetSize;
  const key = snapshot.logKey;
  if (key === null) return { tiles: [], checkpoint: null, fromSize, size: fromSize, warnings: [NO_LOG_KEY_WARNING] };
  // What the target holds, whether the publication is full or not, and whatever its record says
  // (a restore resets it): the checkpoint found there when it can be read (publishedSize).
  const ahead = Math.max(snapshot.targetSize, publishedSize ?? 0);
  if (ahead > snapshot.size) {
    return {
      tiles: [],
      checkpoint: null,
      fromSize,
      size: fromSize,
      warnings: [
        `the log published to ${snapshot.target} has ${ahead} entries but the registry only ${snapshot.size}: ` +
          'no checkpoint is published until the registry has them again (qdyp restore recovers them from the published tiles)',
      ],
    };
  }

  // One read of the office's copy (a second process may extend it meanwhile: its tiles are the
  // same tiles, since the entries are append-only).
  const start = (full ? null : db.transaction(() => officeTiles(db))()) ?? { size: 0, partials: [] };
  // Another process may have built past this snapshot's size: its tree is ours extended, so the
  // checkpoint takes that size (its entries are committed, and a checkpoint may cover more).
  const size = Math.max(snapshot.size, start.size);
  const builder = new TileBuilder(start.size, start.partials, nodeSha256);

  const wanted = tilesAddedBetween(fromSize, size);
  const bundles = new Map(wanted.filter((t) => t.level === 0).map((t) => [t.index, t.width]));
  const built = new Map<string, Tile>();
  const bundleBytes = new Map<number, Uint8Array>();
  const encoder = new TextEncoder();
  // Entries from the first bundle the target lacks (a partial bundle repeats the entries before
  // its old edge), or from where the office's copy ends, whichever is earlier.
  let at = Math.floor(Math.min(fromSize, start.size) / TILE_WIDTH) * TILE_WIDTH;
  while (at < size) {
    const to = Math.min(size, at + ENTRIES_AT_ONCE);
    const texts = readLogEntries(db, at, to);
    if (texts.length !== to - at) throw new RefusedError('publish_failed', `the registry's log is missing entries between ${at} and ${to}`);
    const bytes = texts.map((text) => encoder.encode(text));
    for (let index = at / TILE_WIDTH; index * TILE_WIDTH < to; index++) {
      const width = bundles.get(index);
      if (width === undefined) continue;
      const first = index * TILE_WIDTH - at;
      // Stored gzip-compressed, served as stored (core's transparency.ts): bar P7.
      bundleBytes.set(index, storedBundle(bytes.slice(first, first + width)));
    }
    const fresh = Math.max(0, start.size - at);
    if (fresh < bytes.length) {
      for (const tile of await builder.append(await leafHashes(bytes.slice(fresh), nodeSha256))) built.set(`${tile.level}/${tile.index}`, tile);
    }
    at = to;
  }
  const root = await builder.root();

  const tiles = db.transaction(() => storeTiles(db, [...built.values()], full, wanted)).immediate();
  const signer = await logSigner(registry, key.kid, logOrigin(verifyOrigin));
  const checkpoint = await signCheckpoint({ origin: logOrigin(verifyOrigin), size, root }, signer);
  const out: [string, Uint8Array][] = [];
  for (const [index, width] of bundles) out.push([logEntriesKey(index, width), bundleBytes.get(index)!]);
  for (const tile of wanted) out.push([logTileKey(tile.level, tile.index, tile.width), tiles.get(tileId(tile))!]);
  // Verifiers take a checkpoint by any log key of the key list not compromised; a key past its
  // window still signs (a revocation must go out), but is due for rotation.
  const warnings = cstDate(now) > key.signUntil ? [`the log key ${key.kid} stopped signing on ${key.signUntil}: run qdyp keys rotate --log`] : [];
  return { tiles: out, checkpoint, fromSize, size, warnings };
}

/**
 * Stores what was built in the office's copy and reads back every tile the target lacks. A
 * partial tile is dropped once a wider one (or the full one) of the same place is there: only
 * the largest size's right edge is ever resumed from.
 */
function storeTiles(db: Db, built: Tile[], full: boolean, wanted: TileRef[]): Map<string, Uint8Array> {
  if (full) statement(db, 'DELETE FROM log_tiles').run();
  const insert = statement(db, 'INSERT INTO log_tiles (level, idx, width, hashes) VALUES (?, ?, ?, ?) ON CONFLICT (level, idx, width) DO NOTHING');
  for (const tile of built) insert.run(tile.level, tile.index, tile.width, Buffer.from(tile.hashes.buffer, tile.hashes.byteOffset, tile.hashes.byteLength));
  statement(
    db,
    `DELETE FROM log_tiles WHERE width < 256 AND EXISTS (
       SELECT 1 FROM log_tiles AS wider WHERE wider.level = log_tiles.level AND wider.idx = log_tiles.idx AND wider.width > log_tiles.width)`,
  ).run();
  const read = statement(db, 'SELECT hashes FROM log_tiles WHERE level = ? AND idx = ? AND width = ?');
  const tiles = new Map<string, Uint8Array>();
  for (const tile of wanted) {
    const row = read.get(tile.level, tile.index, tile.width) as { hashes: Buffer } | undefined;
    if (!row) throw new RefusedError('publish_failed', `the office's copy of the log lacks ${tilePath(tile.level, tile.index, tile.width)}`);
    tiles.set(tileId(tile), new Uint8Array(row.hashes));
  }
  return tiles;
}

/**
 * The size of the checkpoint of the log of `verifyOrigin` an edge directory holds (its
 * signature unchecked: this is the office's own directory), or null when there is none.
 */
export async function edgeCheckpointSize(dir: string, verifyOrigin: string): Promise<number | null> {
  const note = await readEdgeText(dir, LOG_CHECKPOINT_KEY);
  if (note === null) return null;
  try {
    const checkpoint = parseCheckpoint(parseNote(note).text);
    return checkpoint.origin === logOrigin(verifyOrigin) ? checkpoint.size : null;
  } catch (error) {
    if (error instanceof TlogError) return null;
    throw error;
  }
}

/** The log's files in a publication: the tiles, then the checkpoint (the very last thing written). */
export function logFiles(log: LogPublication): [string, Uint8Array | string][] {
  return log.checkpoint === null ? [] : [...log.tiles, [LOG_CHECKPOINT_KEY, log.checkpoint]];
}

/** An entry bundle as the edge stores it: zlib's gzip at level 9 (what openStoredEntryBundle reads). */
function storedBundle(entries: readonly Uint8Array[]): Uint8Array {
  const gz = gzipSync(encodeEntryBundle(entries), { level: 9 });
  return new Uint8Array(gz.buffer, gz.byteOffset, gz.byteLength);
}
