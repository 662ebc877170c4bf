// Publishing: signs what the edge serves and writes it to a target — the registry's edge/
// directory (`local`) or Cloudflare (`cloudflare`: KV through `wrangler kv bulk put`, bundles in
// R2). What a target still lacks is recorded in the registry with every change
// (registry/publishing.ts); a publication writes exactly that, in an order that never leaves a
// list pointing at nothing:
//   1. the licence entries that changed, each under a new immutable key licence/{serial}/{r};
//   2. the offline bundles, when asked for (cron, `qdyp publish`) or when there are none yet;
//   3. the transparency log's new entry bundles and hash tiles (log-publish.ts);
//   4. the revision list and status list, then the key list and revoked-inspectors list;
//   5. last of all, the log's checkpoint: it names a tree whose every tile is already there.
// Only then is the target marked published, in the registry, for what was written: a crash
// anywhere before leaves it pending, and the next publish writes it again (idempotently).
// The key list is the one the root last signed (the root key is usually offline); everything
// else is signed afresh by the active issuing key.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import {
  assembleJws,
  buildBundle,
  bundleKey,
  cstDate,
  licenceEntryKey,
  licenceEntrySigningInput,
  REGIONS,
  revisionListUri,
  signRevisionList,
  signRevokedInspectors,
  signStatusList,
  statusListUri,
  STATUS_VALUE,
  LOG_CHECKPOINT_KEY,
  type BundleRow,
} from '../core/index.ts';
import { edgeHas, kvBulkEntries, writeEdgeFile } from './edge-store.ts';
import { RefusedError } from './errors.ts';
import { syncFileSystem } from './files.ts';
import { ed25519 } from './issuer/signing.ts';
import { loadSigner } from './key-files.ts';
import { buildLogPublication, edgeCheckpointSize, logFiles, logSnapshot, markLogPublished } from './log-publish.ts';
import { readConfig } from './registry/config.ts';
import type { Registry } from './registry/db.ts';
import { revocationCount, revokedJtis } from './registry/inspectors.ts';
import { activeKey } from './registry/keys.ts';
import { licenceEntry, licencesBySerial, licencesToReseal, listLicences, publishedState } from './registry/licences.ts';
import { ensureTarget, markPublished, nextListIat, pendingEntries, releaseLease, takeLease, targetState, type PublishTarget } from './registry/publishing.ts';

/** Re-sign the key list when it has fewer days than this left (it lasts a year). */
export const KEY_LIST_RENEW_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
/** `wrangler kv bulk put` takes at most this many pairs a call. */
export const KV_BULK_MAX = 10_000;
/**
 * …and a request of at most 100 MB, which wrangler does not split: a batch carries at most
 * this many bytes of values (base64 counted as sent), leaving room for keys and JSON.
 */
export const KV_BULK_MAX_BYTES = 64 * 1024 * 1024;
/** Above this many entries, files are flushed together (syncfs) rather than one by one. */
const FLUSH_EACH_UP_TO = 200;
/**
 * A revoked token's id stays on the list this long past the token's own expiry (for verifiers
 * whose clocks run behind); after that every verifier refuses the token as expired anyway.
 */
const REVOKED_LISTED_PAST_EXPIRY_MS = DAY_MS;

/** Where a bundle is published, one per district plus `bundle` for the whole programme. */
export const BUNDLE_REGIONS: readonly (string | null)[] = [null, ...Object.keys(REGIONS).filter((code) => code !== '370200')];

export interface PublishOptions {
  /** Rewrite every licence entry, not only the pending ones (after a key compromise; idempotent). */
  full?: boolean;
  /** Rebuild the offline bundles (cron and `qdyp publish` do; a change alone does not). */
  bundles?: boolean;
}

/** What buildPublication takes beyond the options: the log in full alone (an edge that lost its checkpoint). */
interface BuildOptions extends PublishOptions {
  /** Every log tile from 0 (default: `full`). */
  fullLog?: boolean;
  /** The size of the checkpoint the target holds now, when it can be read: none smaller is signed. */
  publishedLogSize?: number | null;
}

/** Everything one publication writes, in the order it is written. */
export interface Publication {
  target: PublishTarget;
  /** Licence entries: [key, JWS]. */
  entries: [string, string][];
  bundles: [string, Uint8Array][];
  /**
   * The transparency log: new entry bundles and hash tiles (written before the lists), then
   * `log/checkpoint`, the very last thing written. Empty when no log is published.
   */
  log: [string, Uint8Array | string][];
  /** The lists: [key, text]. */
  lists: [string, string][];
  /** serial → revision of each entry written (what markPublished clears). */
  written: Map<number, number>;
  /** The change counter this publication covers. */
  changed: number;
  /** The log sizes: the target's before and the checkpoint's (what markLogPublished records); null: no log. */
  logSizes: { from: number; to: number; full: boolean } | null;
  /** Things the office must act on soon; publishing went ahead. */
  warnings: string[];
}

/** When the stored key list expires: the one place that reads it. */
export function keyListExpiry(registry: Registry): Date {
  return new Date(decodeJwt(readConfig(registry.db).keyList).exp! * 1000);
}

function renewSoon(expiry: Date, now: Date): boolean {
  return expiry.getTime() - now.getTime() < KEY_LIST_RENEW_DAYS * DAY_MS;
}

/** True when the key list should be re-signed by the root (refreshKeyList) soon. */
export function keyListDue(registry: Registry, now: Date): boolean {
  return renewSoon(keyListExpiry(registry), now);
}

/** Signs what `target` lacks (everything, with `full`), as of one moment of the registry. */
export async function buildPublication(registry: Registry, now: Date, target: PublishTarget, options: BuildOptions = {}): Promise<Publication> {
  const db = registry.db;
  // One read transaction: every artifact describes the same moment of the registry.
  const snapshot = db.transaction(() => {
    ensureTarget(db, target);
    const state = targetState(db, target)!;
    const listIat = nextListIat(db, target, now);
    const pending = options.full ? null : pendingEntries(db, target);
    // Every licence, read once, when a full publication or the bundles need them all.
    const all = options.full || options.bundles ? listLicences(db) : null;
    return {
      config: readConfig(db),
      key: activeKey(db),
      state,
      rows: publishedState(db),
      licences: pending === null ? all! : licencesBySerial(db, pending.map((p) => p.serial)),
      all: options.bundles ? all : null,
      reseal: licencesToReseal(db).length,
      listIat,
      revocations: revocationCount(db),
      revokedJtis: revokedJtis(db, new Date(listIat * 1000 - REVOKED_LISTED_PAST_EXPIRY_MS).toISOString()),
      // The log as of the same moment: every licence read here has its entries in it.
      log: logSnapshot(db, target),
    };
  }).immediate();
  const { config, key } = snapshot;
  if (!key) throw new RefusedError('publish_failed', 'the registry has no active issuing key: run qdyp keys rotate');
  // Verifiers refuse lists signed outside the key's window; publishing them would turn every
  // scan into cannot_confirm at once, while the last good artifacts still hold for days.
  if (cstDate(now) > key.signUntil) throw new RefusedError('key_not_signing', `the active issuing key ${key.kid} stopped signing on ${key.signUntil}: run qdyp keys rotate, then publish`);
  const signer = await loadSigner(registry, key.kid);

  const warnings: string[] = [];
  const expiry = keyListExpiry(registry);
  if (expiry <= now) warnings.push(`the key list expired at ${expiry.toISOString()}: verifiers cannot confirm anything until the root re-signs it (qdyp keys rotate, or publish with the root key at hand)`);
  else if (renewSoon(expiry, now)) warnings.push(`the key list expires at ${expiry.toISOString()}: publish with the root key at hand, or run qdyp keys rotate`);
  if (snapshot.reseal > 0) warnings.push(`${snapshot.reseal} licence(s) still carry a seal from a compromised key: run qdyp licence reseal on each (qdyp keys list shows them)`);

  // Entries and lists carry the target's next list time (never earlier than one already used).
  const iat = snapshot.listIat;
  const signedAt = new Date(iat * 1000);
  const encoder = new TextEncoder();
  const entries: [string, string][] = [];
  const written = new Map<number, number>();
  for (const licence of snapshot.licences) {
    const input = licenceEntrySigningInput(licenceEntry(licence), { serial: licence.serial, rev: licence.revision, iat, log: licence.logIndex }, key.kid);
    entries.push([licenceEntryKey(licence.serial, licence.revision % 256), assembleJws(input, ed25519(signer.keyObject, encoder.encode(input)))]);
    written.set(licence.serial, licence.revision);
  }

  const size = snapshot.rows.length ? snapshot.rows[snapshot.rows.length - 1]!.serial + 1 : 1;
  const statuses = new Uint8Array(size);
  const revisions = new Uint8Array(size);
  for (const { serial, status, revision } of snapshot.rows) {
    statuses[serial] = STATUS_VALUE[status];
    revisions[serial] = revision % 256;
  }
  const statusList = await signStatusList(statuses, { uri: statusListUri(config.origin), time: signedAt }, signer);
  const revisionList = await signRevisionList(revisions, { uri: revisionListUri(config.origin), time: signedAt }, signer);
  // Its version is the number of revocations ever made: it grows with each, never goes back.
  const revokedInspectors = await signRevokedInspectors({ version: snapshot.revocations, jtis: snapshot.revokedJtis, time: signedAt }, signer);

  const bundles: [string, Uint8Array][] = [];
  if (snapshot.all) {
    const rows: BundleRow[] = snapshot.all.map((l) => ({ serial: l.serial, rev: l.revision, entry: licenceEntry(l) }));
    for (const region of BUNDLE_REGIONS) {
      bundles.push([bundleKey(region), await buildBundle({ keyList: config.keyList, statusList, revisionList, rows, region, time: signedAt }, signer)]);
    }
  }
  const fullLog = options.fullLog ?? options.full ?? false;
  const log = await buildLogPublication(registry, snapshot.log, config.origin, now, fullLog, options.publishedLogSize ?? null);
  warnings.push(...log.warnings);
  return {
    target,
    entries,
    bundles,
    log: logFiles(log),
    lists: [
      ['revision-list', revisionList],
      ['status-list', statusList],
      ['key-list', config.keyList],
      ['revoked-inspectors', revokedInspectors],
    ],
    written,
    changed: snapshot.state.changed,
    logSizes: log.checkpoint === null ? null : { from: log.fromSize, to: log.size, full: fullLog },
    warnings,
  };
}

/** Marks `publication` published to its target: its entries, lists and log (inside the caller's transaction). */
function markDone(registry: Registry, publication: Publication, now: Date): void {
  markPublished(registry.db, publication.target, publication.changed, publication.written, now.toISOString());
  if (publication.logSizes) markLogPublished(registry.db, publication.target, publication.logSizes);
}

/** Bytes a publication writes (values only): what a KV bill and bar P7 count. */
export function publishedBytes(publication: Pick<Publication, 'entries' | 'bundles' | 'log' | 'lists'>): number {
  let bytes = 0;
  for (const [, text] of publication.entries) bytes += text.length;
  for (const [, data] of publication.bundles) bytes += data.length;
  for (const [, value] of publication.log) bytes += value.length;
  for (const [, text] of publication.lists) bytes += text.length;
  return bytes;
}

/** The log's tiles and its checkpoint, apart: the tiles go before the lists, the checkpoint after. */
function splitLog(log: Publication['log']): { tiles: [string, Uint8Array | string][]; checkpoint: [string, Uint8Array | string][] } {
  return { tiles: log.filter(([key]) => key !== LOG_CHECKPOINT_KEY), checkpoint: log.filter(([key]) => key === LOG_CHECKPOINT_KEY) };
}

/**
 * Writes a publication to an edge directory in its order; entries and log tiles flushed before
 * any list, and the checkpoint after the lists: a publication cut short anywhere leaves the old
 * checkpoint, whose tiles are all still there (they are never overwritten with other bytes).
 */
export function writeEdge(dir: string, publication: Pick<Publication, 'entries' | 'bundles' | 'log' | 'lists'>): void {
  fs.mkdirSync(dir, { recursive: true });
  const log = splitLog(publication.log);
  const flushEach = publication.entries.length + log.tiles.length <= FLUSH_EACH_UP_TO;
  for (const [key, text] of publication.entries) writeEdgeFile(dir, key, text, flushEach);
  for (const [key, bytes] of log.tiles) writeEdgeFile(dir, key, bytes, flushEach);
  if (!flushEach) syncFileSystem(dir);
  for (const [key, bytes] of publication.bundles) writeEdgeFile(dir, key, bytes);
  for (const [key, text] of publication.lists) writeEdgeFile(dir, key, text);
  for (const [key, text] of log.checkpoint) writeEdgeFile(dir, key, text);
}

/**
 * Publishes what the registry's edge/ directory lacks. The database's write lock is held from
 * the snapshot to the last file and the mark, so publications land in the order of the changes
 * they show: a slow publisher (cron) can never overwrite a newer one (a revocation).
 */
export async function publishLocal(registry: Registry, now: Date, options: PublishOptions = {}): Promise<Publication> {
  return registry.exclusive(async () => {
    const db = registry.db;
    db.exec('BEGIN IMMEDIATE');
    let committed = false;
    try {
      // An edge directory that lost its lists (wiped, or new) gets everything again.
      const bundles = options.bundles || !edgeHas(registry.edgeDir, 'bundle');
      const full = options.full || !edgeHas(registry.edgeDir, 'revision-list');
      // One that lost its checkpoint gets every log tile again (what else it lost is unknown).
      const fullLog = full || !edgeHas(registry.edgeDir, LOG_CHECKPOINT_KEY);
      const publishedLogSize = await edgeCheckpointSize(registry.edgeDir, readConfig(db).origin);
      const publication = await buildPublication(registry, now, 'local', { ...options, full, bundles, fullLog, publishedLogSize });
      writeEdge(registry.edgeDir, publication);
      markDone(registry, publication, now);
      db.exec('COMMIT');
      committed = true;
      return publication;
    } finally {
      if (!committed) db.exec('ROLLBACK');
    }
  });
}

/**
 * The command that writes a file of pairs to the KV namespace bound as QDYP_KV. `--remote`
 * matters: wrangler 4 writes to local storage unless told otherwise. Run from the project
 * directory (where wrangler.toml binds QDYP_KV), logged in (`wrangler login` or
 * CLOUDFLARE_API_TOKEN).
 */
export function wranglerBulkPutCommand(file: string): { command: string; args: string[] } {
  return { command: 'npx', args: ['wrangler', 'kv', 'bulk', 'put', '--remote', '--binding', 'QDYP_KV', file] };
}

/** The R2 bucket bound as QDYP_BUNDLES (wrangler.toml's bucket_name; QDYP_R2_BUNDLES overrides). */
export const DEFAULT_BUNDLE_BUCKET = 'qdyp-bundles';

export function wranglerR2PutCommand(bucket: string, key: string, file: string): { command: string; args: string[] } {
  return { command: 'npx', args: ['wrangler', 'r2', 'object', 'put', `${bucket}/${key}`, '--file', file, '--content-type', 'application/gzip', '--remote'] };
}

export interface CloudflareOptions extends PublishOptions {
  cwd?: string;
  bucket?: string;
  /** Runs the command; returns its exit status (tests never reach the network). */
  run?: (command: string, args: string[], cwd: string) => number | null;
}

function runInherit(command: string, args: string[], cwd: string): number | null {
  return spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] }).status;
}

/**
 * Publishes what Cloudflare lacks: entries and log tiles in batches of at most 10,000 pairs
 * (and 64 MB), then the bundles to R2, then the lists in one batch, and the log's checkpoint
 * last, alone. KV takes one write a second per key, so changes in quick succession are merged: each
 * run publishes everything pending at once.
 */
export async function publishToCloudflare(registry: Registry, now: Date, options: CloudflareOptions = {}): Promise<Publication> {
  return registry.exclusive(async () => {
    // Minutes of wrangler calls run outside any transaction: a lease keeps a second process
    // (cron beside an officer) from writing older lists over newer ones meanwhile.
    const db = registry.db;
    if (!db.transaction(() => takeLease(db, 'cloudflare', new Date(), new Date(Date.now() + CLOUDFLARE_LEASE_MS))).immediate()) {
      throw new RefusedError('publish_failed', 'another qdyp publish --to cloudflare is running; the changes stay pending and it, or the next run, publishes them');
    }
    try {
      return await publishToCloudflareLeased(registry, now, options);
    } finally {
      db.transaction(() => releaseLease(db, 'cloudflare'))();
    }
  });
}

/** Pairs in batches `wrangler kv bulk put` takes: at most KV_BULK_MAX pairs and KV_BULK_MAX_BYTES of values each. */
export function kvBatches<V extends string | Uint8Array>(pairs: readonly [string, V][]): [string, V][][] {
  const batches: [string, V][][] = [];
  let batch: [string, V][] = [];
  let bytes = 0;
  for (const pair of pairs) {
    // A binary value travels as base64: four characters for every three bytes.
    const size = typeof pair[1] === 'string' ? pair[1].length : Math.ceil(pair[1].length / 3) * 4;
    if (batch.length === KV_BULK_MAX || (batch.length > 0 && bytes + size > KV_BULK_MAX_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(pair);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** A lease outlives a crashed publisher by at most this long. */
const CLOUDFLARE_LEASE_MS = 30 * 60 * 1000;

async function publishToCloudflareLeased(registry: Registry, now: Date, options: CloudflareOptions): Promise<Publication> {
  {
    const publication = await buildPublication(registry, now, 'cloudflare', { ...options, bundles: options.bundles ?? true });
    const run = options.run ?? runInherit;
    const cwd = options.cwd ?? process.cwd();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qdyp-kv-'));
    const fail = (what: string, status: number | null) => {
      throw new RefusedError('publish_failed', `${what} failed (exit ${status ?? 'signal'}); Cloudflare is not up to date and the change stays pending: run qdyp publish --to cloudflare again`);
    };
    try {
      const log = splitLog(publication.log);
      const batches = kvBatches([...publication.entries, ...log.tiles]);
      for (const [n, batch] of batches.entries()) {
        const file = path.join(dir, `entries-${n}.json`);
        fs.writeFileSync(file, JSON.stringify(kvBulkEntries(batch)), { mode: 0o600 });
        const { command, args } = wranglerBulkPutCommand(file);
        const status = run(command, args, cwd);
        if (status !== 0) fail('wrangler kv bulk put (licence entries and log tiles)', status);
      }
      for (const [key, bytes] of publication.bundles) {
        const file = path.join(dir, key.replace('/', '-'));
        fs.writeFileSync(file, bytes, { mode: 0o600 });
        const { command, args } = wranglerR2PutCommand(options.bucket ?? DEFAULT_BUNDLE_BUCKET, key, file);
        const status = run(command, args, cwd);
        if (status !== 0) fail(`wrangler r2 object put (${key})`, status);
      }
      // A bulk put is neither ordered nor atomic: the checkpoint goes in a call of its own, once
      // the lists are in, so it is the last thing written here too.
      for (const [name, pairs] of [['lists', publication.lists], ['log checkpoint', log.checkpoint]] as const) {
        if (pairs.length === 0) continue;
        const file = path.join(dir, `${name.replace(' ', '-')}.json`);
        fs.writeFileSync(file, JSON.stringify(kvBulkEntries(pairs)), { mode: 0o600 });
        const { command, args } = wranglerBulkPutCommand(file);
        const status = run(command, args, cwd);
        if (status !== 0) fail(`wrangler kv bulk put (${name})`, status);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    registry.db.transaction(() => markDone(registry, publication, now))();
    return publication;
  }
}
