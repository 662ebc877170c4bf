// Auditing the transparency log as anyone outside the office can: from what a verifier serves
// (or a published edge directory), with nothing but the pinned root key. `qdyp log verify` and
// the tests share it. The policy, in order:
//
//   1. the key list verifies under the pinned root (and is current): it names the log keys;
//   2. the checkpoint is signed by one of them (not compromised) and names this log;
//   3. against the checkpoint last seen (--state): never smaller (a rollback), never the same
//      size with another root (a fork), and a bigger one must prove it extends it (RFC 6962
//      consistency proof, from the published tiles);
//   4. every entry bundle is read, every entry decoded (log-entry.ts, strictly) and hashed, and
//      the whole tree is rebuilt from the entries: each leaf hash is compared with its level-0
//      tile, each tile above with the published one, the root with the checkpoint's, and the
//      prefix the last checkpoint covered with that checkpoint's root.
//
// The first entry that does not match is reported by its index. Whether a mismatch is a
// tampered tile or a tampered entry is told by the tree the entries give: when it has the
// signed root, the entries are the log and the tile is wrong; when not, the entry is.
//
// Memory stays bounded at any size: bundles and tiles are read a few at a time, in order, and
// only the tree's right edge is kept (TileBuilder).

import fs from 'node:fs';
import {
  buildTrustContext,
  consistencyProofFromTiles,
  decodeBase64,
  decodeEntryBundle,
  decodeLogEntry,
  encodeBase64,
  entryBundlePath,
  equalBytes,
  leafHashes,
  LOG_CHECKPOINT_KEY,
  logEntriesKey,
  MAX_ENTRY_BUNDLE_BYTES,
  openStoredEntryBundle,
  logTileKey,
  logVerifiers,
  openCheckpoint,
  parseCheckpoint,
  parseNote,
  QdypError,
  readTileHash,
  TileBuilder,
  tilePath,
  tilesForTree,
  TILE_WIDTH,
  TlogError,
  verifyConsistency,
  type Checkpoint,
  type RootTrust,
  type Sha256,
  type TrustedKeyList,
} from '../core/index.ts';
import { nodeCodecs } from './codecs.ts';
import { readEdgeBytes, readEdgeText } from './edge-store.ts';
import { RefusedError } from './errors.ts';
import { writeFileAtomic } from './files.ts';
import { edgeUrl, exchange, HttpFailure } from './http-client.ts';
import { nodeSha256 } from './codecs.ts';

/** Where the published log is read from: a verifier over HTTP, or an edge directory. */
export interface LogSource {
  /** The URL or directory, for messages. */
  readonly name: string;
  keyList(): Promise<string | null>;
  checkpoint(): Promise<string | null>;
  /** A hash tile of `width` hashes; null when it is not published. */
  tile(level: number, index: number, width: number): Promise<Uint8Array | null>;
  /** The entries of an entry bundle of `width` entries; null when it is not published; TlogError when it is no such bundle. */
  entries(index: number, width: number): Promise<Uint8Array[] | null>;
}

/** A source that could not be read at all (the network, a server error): the audit stops. */
export class LogSourceError extends Error {
  override readonly name = 'LogSourceError';
}

/** The log as an edge directory publishes it (the registry's edge/, or a copy). */
export function edgeLogSource(dir: string): LogSource {
  return {
    name: dir,
    keyList: () => readEdgeText(dir, 'key-list'),
    checkpoint: () => readEdgeText(dir, LOG_CHECKPOINT_KEY),
    tile: (level, index, width) => readEdgeBytes(dir, logTileKey(level, index, width)),
    // Stored gzip-compressed (transparency.ts).
    entries: async (index, width) => {
      const stored = await readEdgeBytes(dir, logEntriesKey(index, width));
      return stored === null ? null : openStoredEntryBundle(stored, width, nodeCodecs.inflate);
    },
  };
}

const MAX_KEY_LIST_BYTES = 64 * 1024;
const MAX_CHECKPOINT_BYTES = 64 * 1024;

/** The log a verifier serves: /api/v1/key-list, /log/checkpoint, /log/tile/…. */
export function httpLogSource(base: URL, timeoutS: number): LogSource {
  const get = async (path: string, max: number): Promise<Uint8Array | null> => {
    const url = edgeUrl(base, path);
    let answer;
    try {
      answer = await exchange(url, { headers: { 'accept-encoding': 'identity' } }, { max, timeoutS, errorMax: 1024 });
    } catch (error) {
      if (error instanceof HttpFailure) throw new LogSourceError(error.message);
      throw error;
    }
    if (answer.status === 404) return null;
    if (answer.status !== 200) throw new LogSourceError(`${url.href} answered ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`);
    return answer.bytes;
  };
  const text = async (path: string, max: number) => {
    const bytes = await get(path, max);
    if (bytes === null) return null;
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new LogSourceError(`${edgeUrl(base, path).href} is not UTF-8 text`);
    }
  };
  return {
    name: base.href.replace(/\/+$/, ''),
    keyList: () => text('/api/v1/key-list', MAX_KEY_LIST_BYTES),
    checkpoint: () => text('/log/checkpoint', MAX_CHECKPOINT_BYTES),
    tile: (level, index, width) => get(`/log/${tilePath(level, index, width)}`, width * 32),
    // Served with Content-Encoding: gzip, which fetch takes off: the bundle itself.
    entries: async (index, width) => {
      const bundle = await get(`/log/${entryBundlePath(index, width)}`, MAX_ENTRY_BUNDLE_BYTES);
      return bundle === null ? null : decodeEntryBundle(bundle, width);
    },
  };
}

/** The checkpoint an auditor saw last, kept in its --state file. */
export interface LogState {
  /** The log's name (its checkpoint's origin line). */
  log: string;
  size: number;
  /** The root, base64 as in the checkpoint. */
  root: string;
  /** The signed checkpoint, verbatim: with a later one of the same size and another root, proof of a fork. */
  checkpoint: string;
}

const STATE_FORMAT = 'qdyp-log-state';

/** The state file's last checkpoint, or null when there is no such file yet (a first audit). */
export function readLogState(file: string): LogState | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RefusedError('invalid_log_state', `cannot read the state file ${file}`);
  }
  const invalid = () => new RefusedError('invalid_log_state', `${file} is not a qdyp log state file (it is written by qdyp log verify --state); nothing was checked`);
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw invalid();
  }
  if (value?.format !== STATE_FORMAT || typeof value.log !== 'string' || !Number.isSafeInteger(value.size) || (value.size as number) < 0) throw invalid();
  if (typeof value.root !== 'string' || decodeBase64(value.root)?.length !== 32 || typeof value.checkpoint !== 'string') throw invalid();
  return { log: value.log, size: value.size as number, root: value.root, checkpoint: value.checkpoint };
}

/** Writes the state atomically: a crash leaves the previous state, never half of one. */
export function writeLogState(file: string, state: LogState): void {
  writeFileAtomic(file, `${JSON.stringify({ format: STATE_FORMAT, ...state }, null, 2)}\n`, 0o644);
}

export type LogProblemCode =
  | 'source_unreachable'
  | 'key_list_missing'
  | 'key_list_invalid'
  | 'no_log_key'
  | 'checkpoint_missing'
  | 'checkpoint_malformed'
  | 'checkpoint_signature'
  | 'checkpoint_origin'
  | 'state_other_log'
  | 'rollback'
  | 'fork'
  | 'inconsistent'
  | 'entry_bundle_missing'
  | 'entry_bundle_malformed'
  | 'entry_malformed'
  | 'entry_mismatch'
  | 'tile_missing'
  | 'tile_mismatch'
  | 'root_mismatch';

export interface LogProblem {
  code: LogProblemCode;
  message: string;
  /** The first entry the problem concerns. */
  index?: number;
  /** The tile or bundle path (tlog-tiles) it concerns. */
  tile?: string;
  /** For a fork of the same size: the two signed checkpoints, which together prove it to anyone. */
  evidence?: [string, string];
}

export interface LogAuditReport {
  ok: boolean;
  source: string;
  log: string;
  keyListVersion: number | null;
  checkpoint: { size: number; root: string } | null;
  /** The checkpoint seen before (the state given), and how the new one relates to it. */
  previous: { size: number; root: string } | null;
  consistency: 'first' | 'same' | 'extends' | null;
  entriesChecked: number;
  tilesChecked: number;
  problems: LogProblem[];
  /** Problems past the first MAX_PROBLEMS, counted only. */
  moreProblems: number;
  /** The first entry that does not match (or cannot be read), if any. */
  firstBadIndex: number | null;
  /** What to keep as the new state: only when everything held. */
  state: LogState | null;
}

export interface LogAuditOptions {
  root: RootTrust;
  /** The log's name: logOrigin(the verify origin). */
  log: string;
  previous?: LogState | null;
  now: Date;
  minKeyListVersion?: number;
  sha256?: Sha256;
  /** Bundles (and their tiles) read ahead at once. */
  readAhead?: number;
}

const MAX_PROBLEMS = 50;

class Problems {
  readonly list: LogProblem[] = [];
  more = 0;
  add(problem: LogProblem): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push(problem);
    else this.more++;
  }
}

/** The first leaf of hash `i` of tile (level, index). */
const firstLeaf = (level: number, index: number, i: number) => (index * TILE_WIDTH + i) * TILE_WIDTH ** level;

/** Audits the log `source` publishes (see the policy at the top of this file). */
export async function auditLog(source: LogSource, options: LogAuditOptions): Promise<LogAuditReport> {
  const sha256 = options.sha256 ?? nodeSha256;
  const problems = new Problems();
  const report: LogAuditReport = {
    ok: false,
    source: source.name,
    log: options.log,
    keyListVersion: null,
    checkpoint: null,
    previous: options.previous ? { size: options.previous.size, root: options.previous.root } : null,
    consistency: null,
    entriesChecked: 0,
    tilesChecked: 0,
    problems: problems.list,
    moreProblems: 0,
    firstBadIndex: null,
    state: null,
  };
  const finish = (): LogAuditReport => {
    report.moreProblems = problems.more;
    const indices = problems.list.map((p) => p.index).filter((i): i is number => i !== undefined);
    report.firstBadIndex = indices.length > 0 ? Math.min(...indices) : null;
    report.ok = problems.list.length === 0 && problems.more === 0;
    return report;
  };
  try {
    const keyList = await verifiedKeyList(source, options, problems);
    if (!keyList) return finish();
    report.keyListVersion = keyList.version;
    const opened = await verifiedCheckpoint(source, keyList, options.log, problems);
    if (!opened) return finish();
    const { checkpoint, note } = opened;
    report.checkpoint = { size: checkpoint.size, root: encodeBase64(checkpoint.root) };
    const previous = options.previous ?? null;
    const prefix = await compareWithPrevious(source, { ...checkpoint, note }, previous, options.log, problems, sha256);
    report.consistency = prefix.consistency;
    const tree = await rebuildTree(source, checkpoint, prefix.checkAt, problems, sha256, options.readAhead ?? 8);
    report.entriesChecked = tree.entries;
    report.tilesChecked = tree.tiles;
    if (previous && prefix.checkAt !== null && tree.prefixRoot && !equalBytes(tree.prefixRoot, decodeBase64(previous.root)!)) {
      problems.add({
        code: 'fork',
        message: `the first ${previous.size} entries no longer give the root of the checkpoint seen before (${previous.root}): the log was rewritten`,
      });
    }
    if (problems.list.length === 0 && problems.more === 0) report.state = { log: options.log, size: checkpoint.size, root: encodeBase64(checkpoint.root), checkpoint: note };
    return finish();
  } catch (error) {
    if (!(error instanceof LogSourceError)) throw error;
    problems.add({ code: 'source_unreachable', message: `${error.message}: the audit could not finish` });
    return finish();
  }
}

async function verifiedKeyList(source: LogSource, options: LogAuditOptions, problems: Problems): Promise<TrustedKeyList | null> {
  const text = await source.keyList();
  if (text === null) {
    problems.add({ code: 'key_list_missing', message: `${source.name} publishes no key list` });
    return null;
  }
  const ctx = await buildTrustContext({ keyList: text }, { root: options.root, time: options.now, minKeyListVersion: options.minKeyListVersion });
  if (!ctx.keyList) {
    const why = ctx.problems.map((p) => p.message).join('; ') || 'it does not verify';
    problems.add({ code: 'key_list_invalid', message: `the key list is refused under the pinned root: ${why}` });
    return null;
  }
  if (ctx.keyList.logKeys.every((k) => k.status === 'compromised')) {
    problems.add({ code: 'no_log_key', message: `the key list (version ${ctx.keyList.version}) names no log key that is not compromised: no checkpoint can be trusted` });
    return null;
  }
  return ctx.keyList;
}

async function verifiedCheckpoint(source: LogSource, keyList: TrustedKeyList, log: string, problems: Problems): Promise<{ checkpoint: Checkpoint; note: string } | null> {
  const note = await source.checkpoint();
  if (note === null) {
    problems.add({ code: 'checkpoint_missing', message: `${source.name} publishes no log checkpoint` });
    return null;
  }
  // Named first when it is another log's: its signature would only say "unknown key".
  let claimed: string | null = null;
  try {
    claimed = parseCheckpoint(parseNote(note).text).origin;
  } catch (error) {
    if (!(error instanceof TlogError)) throw error;
    problems.add({ code: 'checkpoint_malformed', message: `the checkpoint is not a signed tlog checkpoint: ${error.message}` });
    return null;
  }
  if (claimed !== log) {
    problems.add({ code: 'checkpoint_origin', message: `the checkpoint is of another log (${JSON.stringify(claimed)}), not ${log}` });
    return null;
  }
  try {
    const { checkpoint } = await openCheckpoint(note, await logVerifiers(keyList, log), log);
    return { checkpoint, note };
  } catch (error) {
    if (!(error instanceof TlogError)) throw error;
    const why = error.code === 'ERR_TLOG_UNKNOWN_KEY' ? 'no log key of the key list signed it' : error.message;
    problems.add({ code: 'checkpoint_signature', message: `the checkpoint's signature does not verify: ${why}` });
    return null;
  }
}

/**
 * Step 3. Returns where the rebuilt tree's prefix is to be compared with the previous root
 * (its size), or null when there is nothing to compare.
 */
async function compareWithPrevious(
  source: LogSource,
  checkpoint: Checkpoint & { note: string },
  previous: LogState | null,
  log: string,
  problems: Problems,
  sha256: Sha256,
): Promise<{ consistency: LogAuditReport['consistency']; checkAt: number | null }> {
  if (!previous) return { consistency: 'first', checkAt: null };
  if (previous.log !== log) {
    problems.add({ code: 'state_other_log', message: `the state file is of another log (${previous.log}), not ${log}` });
    return { consistency: null, checkAt: null };
  }
  const root = encodeBase64(checkpoint.root);
  if (checkpoint.size < previous.size) {
    problems.add({ code: 'rollback', message: `the checkpoint has ${checkpoint.size} entries, fewer than the ${previous.size} of the checkpoint seen before: a rollback` });
    return { consistency: null, checkAt: null };
  }
  if (checkpoint.size === previous.size) {
    if (root !== previous.root) {
      problems.add({
        code: 'fork',
        message: `the checkpoint has the size of the one seen before (${previous.size}) but another root (${root}, not ${previous.root}): a fork`,
        evidence: [previous.checkpoint, checkpoint.note],
      });
      return { consistency: null, checkAt: null };
    }
    return { consistency: 'same', checkAt: null };
  }
  if (previous.size === 0) return { consistency: 'extends', checkAt: null };
  try {
    const { proof } = await consistencyProofFromTiles(previous.size, checkpoint.size, tileReader(source), sha256);
    if (!(await verifyConsistency(previous.size, checkpoint.size, proof, decodeBase64(previous.root)!, checkpoint.root, sha256))) {
      problems.add({ code: 'inconsistent', message: `the checkpoint of ${checkpoint.size} entries does not prove it extends the one of ${previous.size} seen before (its consistency proof fails)` });
      return { consistency: null, checkAt: previous.size };
    }
  } catch (error) {
    if (!(error instanceof TlogError)) throw error;
    problems.add({ code: 'inconsistent', message: `no consistency proof from ${previous.size} to ${checkpoint.size} entries could be read from the tiles: ${error.message}` });
    return { consistency: null, checkAt: previous.size };
  }
  return { consistency: 'extends', checkAt: previous.size };
}

/** The source's tiles as a TileReader: a missing one is an error that names it. */
function tileReader(source: LogSource) {
  return async (level: number, index: number, width: number): Promise<Uint8Array> => {
    const tile = await source.tile(level, index, width);
    if (tile === null) throw new TlogError('ERR_TLOG_TILE', `tile ${tilePath(level, index, width)} is not published`);
    return tile;
  };
}

interface Rebuilt {
  entries: number;
  tiles: number;
  /** The root of the first `checkAt` entries, when asked for. */
  prefixRoot: Uint8Array | null;
}

type Fetched = { bundle: Uint8Array[] | null | TlogError; tile: Uint8Array | null };

/** Step 4: the whole tree from the entries, compared with the tiles and the checkpoint. */
async function rebuildTree(source: LogSource, checkpoint: Checkpoint, checkAt: number | null, problems: Problems, sha256: Sha256, readAhead: number): Promise<Rebuilt> {
  const size = checkpoint.size;
  const bundles = Math.ceil(size / TILE_WIDTH);
  const builder = new TileBuilder(0, [], sha256);
  let tiles = 0;
  let entries = 0;
  let prefixRoot: Uint8Array | null = null;
  // Mismatches are judged once the tree's root is known (see the top of this file); past the
  // first few, only counted (a log rewritten throughout must not fill memory).
  const leafMismatches: { index: number; tile: string; hash: number }[] = [];
  const upperMismatches: { index: number; tile: string; hash: number }[] = [];
  let uncounted = 0;
  const mismatch = (list: typeof leafMismatches, m: (typeof leafMismatches)[number]) => {
    if (leafMismatches.length + upperMismatches.length < MAX_PROBLEMS) list.push(m);
    else uncounted++;
  };
  let unreadable = false;

  const fetchBundle = (k: number): Promise<Fetched> => {
    const width = Math.min(TILE_WIDTH, size - k * TILE_WIDTH);
    const bundle = source.entries(k, width).catch((error: unknown) => {
      if (error instanceof TlogError) return error;
      throw error;
    });
    return Promise.all([bundle, source.tile(0, k, width)]).then(([bundle, tile]) => ({ bundle, tile }));
  };
  const window: Promise<Fetched>[] = [];
  // A rejected read ahead is awaited in turn; until then it must not count as unhandled.
  const ahead = (k: number) => {
    const p = fetchBundle(k);
    p.catch(() => {});
    window.push(p);
  };
  for (let k = 0; k < Math.min(bundles, readAhead); k++) ahead(k);

  const compareUpper = async (level: number, index: number, hashes: Uint8Array): Promise<void> => {
    const width = hashes.length / 32;
    const published = await source.tile(level, index, width);
    tiles++;
    const path = tilePath(level, index, width);
    if (published === null) {
      problems.add({ code: 'tile_missing', message: `tile ${path} is not published`, tile: path, index: firstLeaf(level, index, 0) });
      return;
    }
    if (published.length !== hashes.length) {
      problems.add({ code: 'tile_mismatch', message: `tile ${path} is ${published.length} bytes, not ${hashes.length}`, tile: path, index: firstLeaf(level, index, 0) });
      return;
    }
    for (let i = 0; i < width; i++) {
      if (!equalBytes(readTileHash(published, i), readTileHash(hashes, i))) {
        mismatch(upperMismatches, { index: firstLeaf(level, index, i), tile: path, hash: i });
        return;
      }
    }
  };

  for (let k = 0; k < bundles; k++) {
    const { bundle, tile } = await window.shift()!;
    if (k + readAhead < bundles) ahead(k + readAhead);
    const first = k * TILE_WIDTH;
    const width = Math.min(TILE_WIDTH, size - first);
    const bundlePath = entryBundlePath(k, width);
    const path = tilePath(0, k, width);
    if (tile !== null) tiles++;
    if (tile === null) problems.add({ code: 'tile_missing', message: `tile ${path} is not published`, tile: path, index: first });
    else if (tile.length !== width * 32) {
      problems.add({ code: 'tile_mismatch', message: `tile ${path} is ${tile.length} bytes, not ${width * 32}`, tile: path, index: first });
    }
    let leaves: Uint8Array[] | null = null;
    if (bundle === null) {
      problems.add({ code: 'entry_bundle_missing', message: `entry bundle ${bundlePath} (entries ${first}–${first + width - 1}) is not published`, tile: bundlePath, index: first });
    } else {
      const texts = bundle instanceof TlogError ? null : bundle;
      if (bundle instanceof TlogError) {
        problems.add({ code: 'entry_bundle_malformed', message: `entry bundle ${bundlePath} cannot be read: ${bundle.message}`, tile: bundlePath, index: first });
      }
      if (texts) {
        texts.forEach((entry, i) => {
          try {
            decodeLogEntry(entry);
          } catch (error) {
            if (!(error instanceof QdypError)) throw error;
            problems.add({ code: 'entry_malformed', message: `entry ${first + i} is not a log entry of the documented encoding: ${error.message}`, tile: bundlePath, index: first + i });
          }
        });
        leaves = await leafHashes(texts, sha256);
        entries += texts.length;
      }
    }
    // Without the entries the tree can be carried on only through the published tile.
    if (leaves === null) {
      if (tile === null || tile.length !== width * 32) {
        unreadable = true;
        break;
      }
      leaves = Array.from({ length: width }, (_, i) => readTileHash(tile, i));
    } else if (tile !== null && tile.length === width * 32) {
      const i = leaves.findIndex((leaf, i) => !equalBytes(leaf, readTileHash(tile, i)));
      if (i >= 0) mismatch(leafMismatches, { index: first + i, tile: path, hash: i });
    }
    const split = checkAt !== null && checkAt > first && checkAt <= first + width ? checkAt - first : null;
    const parts = split === null ? [leaves] : [leaves.slice(0, split), leaves.slice(split)];
    for (const [n, part] of parts.entries()) {
      for (const t of await builder.append(part)) {
        if (t.level > 0 && t.width === TILE_WIDTH) await compareUpper(t.level, t.index, t.hashes);
      }
      if (split !== null && n === 0) prefixRoot = await builder.root();
    }
  }
  if (unreadable) {
    problems.add({ code: 'root_mismatch', message: `the tree cannot be rebuilt past entry ${builder.size}: neither its entries nor its tile can be read`, index: builder.size });
    return { entries, tiles, prefixRoot };
  }
  // The right edge above level 0: the partial tiles of the final tree.
  const partials = builder.partialTiles();
  for (const t of tilesForTree(size)) {
    if (t.level > 0 && t.width < TILE_WIDTH) await compareUpper(t.level, t.index, partials[t.level]!);
  }

  const rootHolds = equalBytes(await builder.root(), checkpoint.root);
  problems.more += uncounted;
  if (rootHolds) {
    // The entries are the log: whatever differs from them is a wrong tile.
    for (const m of leafMismatches) {
      problems.add({ code: 'tile_mismatch', message: `tile ${m.tile} is wrong: its hash ${m.hash} is not the leaf hash of entry ${m.index}, and the entries give the checkpoint's root`, tile: m.tile, index: m.index });
    }
    for (const m of upperMismatches) {
      problems.add({ code: 'tile_mismatch', message: `tile ${m.tile} is wrong: its hash ${m.hash} (entries from ${m.index}) is not what the entries give, and the entries give the checkpoint's root`, tile: m.tile, index: m.index });
    }
  } else if (leafMismatches.length > 0) {
    // The entries are not the log. (The tiles above then differ from the rebuilt ones too, as
    // a consequence: they are not named.)
    for (const m of leafMismatches) {
      const k = Math.floor(m.index / TILE_WIDTH);
      const bundle = entryBundlePath(k, Math.min(TILE_WIDTH, size - k * TILE_WIDTH));
      problems.add({ code: 'entry_mismatch', message: `entry ${m.index} (in ${bundle}) does not match the log: its leaf hash is not hash ${m.hash} of tile ${m.tile}, and the entries do not give the checkpoint's root`, tile: bundle, index: m.index });
    }
  } else if (upperMismatches.length > 0) {
    const m = upperMismatches[0]!;
    problems.add({ code: 'root_mismatch', message: `the entries and their level-0 tiles agree but do not give the checkpoint's root; they first part from the published tiles at entries from ${m.index} (tile ${m.tile}, hash ${m.hash})`, tile: m.tile, index: m.index });
  } else {
    problems.add({ code: 'root_mismatch', message: `the checkpoint's root is not the root of its ${size} entries (and every tile agrees with the entries): the checkpoint is wrong` });
  }
  return { entries, tiles, prefixRoot };
}
