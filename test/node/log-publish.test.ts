// The transparency log as `qdyp publish` writes it: real registries in temp directories, the
// real edge directory read back file by file, checkpoints opened with the log keys of the key
// list published beside them, trees recomputed from the registry's own entries.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  buildTiles,
  consistencyProofFromTiles,
  openStoredEntryBundle,
  decodeLogEntry,
  leafHashes,
  licenceEntryKey,
  logEntriesKey,
  logOrigin,
  logTileKey,
  logVerifiers,
  LOG_CHECKPOINT_KEY,
  noteSigner,
  signCheckpoint,
  openCheckpoint,
  rootFromLeafHashes,
  rootTrust,
  tilesAddedBetween,
  tilesForTree,
  treeRootFromTiles,
  verifyConsistency,
  type Checkpoint,
  type TileReader,
  type TileRef,
} from '../../src/core/index.ts';
import { listEdgeKeys, readEdgeBytes, readEdgeText, trustFromEdge } from '../../src/node/edge-store.ts';
import { addHolder, issueLicence, revokeLicence, rotateKey, suspendLicence, type IssuerContext } from '../../src/node/issuer/index.ts';
import { issuingKeyFile, readPrivateKey } from '../../src/node/key-files.ts';
import { NO_LOG_KEY_WARNING } from '../../src/node/log-publish.ts';
import { KV_BULK_MAX_BYTES, kvBatches, publishedBytes, publishLocal, publishToCloudflare, type Publication } from '../../src/node/publish.ts';
import { readConfig } from '../../src/node/registry/config.ts';
import { openRegistry, registryPaths, type Registry } from '../../src/node/registry/db.ts';
import { activeLogKey } from '../../src/node/registry/keys.ts';
import { getLicence } from '../../src/node/registry/licences.ts';
import { logSize, readLogEntries } from '../../src/node/registry/log.ts';
import { generatedCsv } from './import/batch-files.ts';
import { apiRegistry, cliRegistry, NOW, ORIGIN, revertLogSchema, USCC, type Run } from './support.ts';

const ORIGIN_NAME = logOrigin(ORIGIN);
const BIN = fileURLToPath(new URL('../../bin/qdyp.js', import.meta.url));
const PRELOAD = new URL('./support/kill-at-edge-write.mjs', import.meta.url).href;
const encoder = new TextEncoder();

async function programme(ctx?: IssuerContext & { dir: string }) {
  ctx ??= await apiRegistry();
  await addHolder(ctx, { uscc: USCC.a, name: '青岛海滨食品有限公司', address: '青岛市黄岛区', region: '370211' });
  const input = { holder: USCC.a, tier: 'product', sector: 'marine', products: ['海参'], validUntil: '2028-12-31' };
  const licences = [await issueLicence(ctx, input), await issueLicence(ctx, input), await issueLicence(ctx, input)];
  await suspendLicence(ctx, licences[1]!.number, '抽检');
  await revokeLicence(ctx, licences[2]!.number, '冒用');
  return { ctx, licences };
}

/** Reads tiles from an edge directory, as a verifier would (null: a tile not there). */
function edgeTiles(dir: string): TileReader {
  return async (level, index, width) => {
    const bytes = await readEdgeBytes(dir, logTileKey(level, index, width));
    if (!bytes) throw new Error(`no tile ${logTileKey(level, index, width)} in the edge`);
    return bytes;
  };
}

/** The edge's checkpoint, opened with the log keys of the key list published beside it. */
async function edgeCheckpoint(registry: Registry, now: Date): Promise<Checkpoint> {
  const root = await rootTrust(readConfig(registry.db).rootJwk);
  const trust = await trustFromEdge(registry.edgeDir, { root, clock: () => now });
  expect(trust.problems).toEqual([]);
  const note = await readEdgeText(registry.edgeDir, LOG_CHECKPOINT_KEY);
  expect(note).not.toBeNull();
  return (await openCheckpoint(note!, await logVerifiers(trust.keyList!, ORIGIN_NAME), ORIGIN_NAME)).checkpoint;
}

/** The registry's own entries [0, size) as leaf hashes. */
async function registryLeaves(registry: Registry, size = logSize(registry.db)): Promise<Uint8Array[]> {
  return leafHashes(readLogEntries(registry.db, 0, size).map((text) => encoder.encode(text)));
}

const tileKeys = (tiles: readonly TileRef[]) => tiles.flatMap((t) => (t.level === 0 ? [logEntriesKey(t.index, t.width), logTileKey(0, t.index, t.width)] : [logTileKey(t.level, t.index, t.width)]));
const logKeysOf = (keys: string[]) => keys.filter((key) => key.startsWith('log/'));
const logSizeOf = (registry: Registry, target: string) => (registry.db.prepare('SELECT log_size FROM publish_targets WHERE name = ?').get(target) as { log_size: number }).log_size;

/** Asserts the edge's log is the registry's: checkpoint verified, root recomputed, every tile and bundle the tree's. */
async function expectEdgeIsRegistryLog(registry: Registry, now: Date): Promise<Checkpoint> {
  const checkpoint = await edgeCheckpoint(registry, now);
  expect(checkpoint.size).toBe(logSize(registry.db));
  const leaves = await registryLeaves(registry);
  expect(Buffer.from(checkpoint.root).toString('hex')).toBe(Buffer.from(await rootFromLeafHashes(leaves)).toString('hex'));
  expect(Buffer.from(await treeRootFromTiles(checkpoint.size, edgeTiles(registry.edgeDir))).toString('hex')).toBe(Buffer.from(checkpoint.root).toString('hex'));
  const entries = readLogEntries(registry.db, 0, checkpoint.size);
  for (const tile of await buildTiles(leaves)) {
    expect(Buffer.from((await readEdgeBytes(registry.edgeDir, logTileKey(tile.level, tile.index, tile.width)))!).equals(Buffer.from(tile.hashes)), `tile ${tile.level}/${tile.index}/${tile.width}`).toBe(true);
    if (tile.level > 0) continue;
    const bundle = await openStoredEntryBundle((await readEdgeBytes(registry.edgeDir, logEntriesKey(tile.index, tile.width)))!, tile.width);
    expect(bundle.map((e) => new TextDecoder().decode(e))).toEqual(entries.slice(tile.index * 256, tile.index * 256 + tile.width));
  }
  return checkpoint;
}

async function expectConsistent(dir: string, older: Checkpoint, newer: Checkpoint): Promise<void> {
  const { proof } = await consistencyProofFromTiles(older.size, newer.size, edgeTiles(dir));
  expect(await verifyConsistency(older.size, newer.size, proof, older.root, newer.root)).toBe(true);
}

describe('the log in a publication', () => {
  it('publishes a checkpoint the key list vouches for, over the registry entries, its tiles and bundles the tree’s; entries name their log index', async () => {
    const { ctx, licences } = await programme();
    const publication = await publishLocal(ctx.registry, ctx.now);
    expect(publication.warnings).toEqual([]);
    const checkpoint = await expectEdgeIsRegistryLog(ctx.registry, ctx.now);
    // key.init (and the key list it signed), three issues, a suspension, a revocation.
    expect(checkpoint.size).toBeGreaterThanOrEqual(6);

    // From nothing: exactly the tree's tiles and bundles, the checkpoint the very last.
    expect(publication.log.map(([key]) => key)).toEqual([...tileKeys(tilesForTree(checkpoint.size)).filter((k) => k.includes('entries')), ...tileKeys(tilesForTree(checkpoint.size)).filter((k) => !k.includes('entries')), LOG_CHECKPOINT_KEY]);
    expect(logKeysOf(listEdgeKeys(ctx.registry.edgeDir)).sort()).toEqual(publication.log.map(([key]) => key).sort());
    expect(fs.readFileSync(path.join(ctx.registry.edgeDir, 'log', 'checkpoint'), 'utf8')).toBe(publication.log.at(-1)![1]);
    expect(fs.existsSync(path.join(ctx.registry.edgeDir, 'log', 'tile', '0', `000.p`, String(checkpoint.size)))).toBe(true);
    expect(logSizeOf(ctx.registry, 'local')).toBe(checkpoint.size);
    expect(publishedBytes(publication)).toBe(
      [...publication.entries, ...publication.bundles, ...publication.log, ...publication.lists].reduce((n, [, v]) => n + v.length, 0),
    );

    // Each licence entry carries its licence's latest log entry, which is about that licence.
    for (const licence of licences) {
      const record = getLicence(ctx.registry.db, licence.number)!;
      const jws = await readEdgeText(ctx.registry.edgeDir, licenceEntryKey(record.serial, record.revision % 256));
      const claims = decodeJwt(jws!) as { log?: number };
      expect(claims.log).toBe(record.logIndex);
      const entry = decodeLogEntry(readLogEntries(ctx.registry.db, claims.log!, claims.log! + 1)[0]!);
      expect(entry).toMatchObject({ licence: { number: licence.number, rev: record.revision, status: record.status } });
    }
    const revoked = getLicence(ctx.registry.db, licences[2]!.number)!;
    expect(decodeLogEntry(readLogEntries(ctx.registry.db, revoked.logIndex!, revoked.logIndex! + 1)[0]!)).toMatchObject({ event: 'licence.revoke' });
  });

  it('a registry without a log key publishes no log and says so; its first log key then publishes the log from 0', async () => {
    const ctx = await apiRegistry();
    ctx.registry.close();
    // A registry as it stood before the log: migrating it (v9) starts the log, with no log key.
    const raw = new Database(registryPaths(path.join(ctx.dir, 'qdyp.sqlite')).dbPath);
    raw.pragma('foreign_keys = OFF');
    revertLogSchema(raw);
    raw.close();
    const registry = openRegistry(path.join(ctx.dir, 'qdyp.sqlite'), { now: ctx.now });
    try {
      const old = { ...ctx, registry };
      await programme(old);
      const publication = await publishLocal(registry, ctx.now);
      expect(publication.warnings).toContain(NO_LOG_KEY_WARNING);
      expect(publication.log).toEqual([]);
      expect(logKeysOf(listEdgeKeys(registry.edgeDir))).toEqual([]);
      expect(logSizeOf(registry, 'local')).toBe(0);
      // …the lists and entries went out all the same.
      expect(await readEdgeText(registry.edgeDir, 'status-list')).not.toBeNull();

      await rotateKey(old, readPrivateKey(path.join(registry.keysDir, 'root.jwk')), null, { role: 'log' });
      const next = await publishLocal(registry, ctx.now);
      expect(next.warnings).toEqual([]);
      const checkpoint = await expectEdgeIsRegistryLog(registry, ctx.now);
      expect(next.log.map(([key]) => key).slice(0, -1).sort()).toEqual(tileKeys(tilesForTree(checkpoint.size)).sort());
    } finally {
      registry.close();
    }
  });

  it('a full publication, and an edge that lost its log, get every tile again from the entries', async () => {
    const { ctx } = await programme();
    await publishLocal(ctx.registry, ctx.now);
    const before = await edgeCheckpoint(ctx.registry, ctx.now);
    const all = [...tileKeys(tilesForTree(before.size)), LOG_CHECKPOINT_KEY].sort();

    const full = await publishLocal(ctx.registry, ctx.now, { full: true });
    expect(full.log.map(([key]) => key).sort()).toEqual(all);

    fs.rmSync(path.join(ctx.registry.edgeDir, 'log'), { recursive: true });
    const again = await publishLocal(ctx.registry, ctx.now);
    expect(again.log.map(([key]) => key).sort()).toEqual(all);
    expect(await expectEdgeIsRegistryLog(ctx.registry, ctx.now)).toEqual(before);

    // The office's copy of the tiles lost (or never made): rebuilt from the entries, same tree.
    ctx.registry.db.exec('DELETE FROM log_tiles');
    await suspendLicence(ctx, (await issueLicence(ctx, { holder: USCC.a, tier: 'product', sector: 'marine', products: ['海带'], validUntil: '2028-12-31' })).number, '抽检');
    const rebuilt = await publishLocal(ctx.registry, ctx.now);
    expect(rebuilt.log.map(([key]) => key).slice(0, -1).sort()).toEqual(tileKeys(tilesAddedBetween(before.size, before.size + 2)).sort());
    await expectConsistent(ctx.registry.edgeDir, before, await expectEdgeIsRegistryLog(ctx.registry, ctx.now));
  });

  it('a target whose log is ahead of the registry gets no checkpoint: the office never signs a smaller tree', async () => {
    const { ctx } = await programme();
    await publishLocal(ctx.registry, ctx.now);
    const note = await readEdgeText(ctx.registry.edgeDir, LOG_CHECKPOINT_KEY);
    const size = logSize(ctx.registry.db);
    ctx.registry.db.prepare(`UPDATE publish_targets SET log_size = ? WHERE name = 'local'`).run(size + 100);
    await suspendLicence(ctx, (await issueLicence(ctx, { holder: USCC.a, tier: 'product', sector: 'marine', products: ['海带'], validUntil: '2028-12-31' })).number, '抽检');
    const publication = await publishLocal(ctx.registry, ctx.now);
    expect(publication.log).toEqual([]);
    expect(publication.warnings.join('\n')).toMatch(new RegExp(`log published to local has ${size + 100} entries but the registry only ${size + 2}`));
    expect(publication.entries.length).toBe(1); // the change itself is published
    expect(await readEdgeText(ctx.registry.edgeDir, LOG_CHECKPOINT_KEY)).toBe(note);
    expect(logSizeOf(ctx.registry, 'local')).toBe(size + 100);
  });

  it('nor with --full, nor when the edge holds a bigger checkpoint than the registry has entries', async () => {
    const { ctx } = await programme();
    await publishLocal(ctx.registry, ctx.now);
    const note = await readEdgeText(ctx.registry.edgeDir, LOG_CHECKPOINT_KEY);
    const size = logSize(ctx.registry.db);
    ctx.registry.db.prepare(`UPDATE publish_targets SET log_size = ? WHERE name = 'local'`).run(size + 100);
    const full = await publishLocal(ctx.registry, ctx.now, { full: true });
    expect(full.log).toEqual([]);
    expect(await readEdgeText(ctx.registry.edgeDir, LOG_CHECKPOINT_KEY)).toBe(note);

    // The target's record lost (a restore resets it), but the edge's checkpoint is bigger.
    ctx.registry.db.prepare(`UPDATE publish_targets SET log_size = 0 WHERE name = 'local'`).run();
    const key = activeLogKey(ctx.registry.db)!;
    const signer = await noteSigner(ORIGIN_NAME, readPrivateKey(issuingKeyFile(ctx.registry.keysDir, key.kid)));
    const bigger = await signCheckpoint({ origin: ORIGIN_NAME, size: size + 5, root: new Uint8Array(32) }, signer);
    fs.writeFileSync(path.join(ctx.registry.edgeDir, 'log', 'checkpoint'), bigger);
    for (const options of [{}, { full: true }]) {
      const publication = await publishLocal(ctx.registry, ctx.now, options);
      expect(publication.log).toEqual([]);
      expect(publication.warnings.join('\n')).toMatch(new RegExp(`log published to local has ${size + 5} entries but the registry only ${size}`));
      expect(await readEdgeText(ctx.registry.edgeDir, LOG_CHECKPOINT_KEY)).toBe(bigger);
    }
  });
});

describe('a log past its first tile (300 licences imported)', () => {
  it('one more change writes only the new partial tiles and a checkpoint consistent with the last; old tiles stay byte for byte', async () => {
    const reg = await cliRegistry();
    const file = path.join(reg.dir, 'batch.csv');
    fs.writeFileSync(file, generatedCsv(300));
    const imported = await reg.run(['import', file, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    const now = new Date(NOW);
    const registry = openRegistry(reg.db, { now });
    try {
      const before = await expectEdgeIsRegistryLog(registry, now);
      expect(before.size).toBeGreaterThan(300);
      expect(before.size).toBeLessThan(512);
      const edgeBefore = new Map(await Promise.all(logKeysOf(listEdgeKeys(registry.edgeDir)).map(async (key) => [key, Buffer.from((await readEdgeBytes(registry.edgeDir, key))!)] as const)));
      // A full level-0 tile and bundle, the partial ones, and level 1's partial of width 1.
      expect(edgeBefore.has(logTileKey(0, 0))).toBe(true);
      expect(edgeBefore.has(logEntriesKey(0))).toBe(true);
      expect(edgeBefore.has(logTileKey(1, 0, 1))).toBe(true);

      const ctx = { registry, now, actor: 'test-officer' };
      const number = (registry.db.prepare(`SELECT number FROM licences WHERE status = 'valid' ORDER BY serial LIMIT 1`).get() as { number: string }).number;
      await revokeLicence(ctx, number, '超出授权范围使用标识');
      const change = await publishLocal(registry, now);
      const width = (before.size + 1) % 256;
      expect(change.log.map(([key]) => key)).toEqual([logEntriesKey(1, width), logTileKey(0, 1, width), LOG_CHECKPOINT_KEY]);
      expect(change.log.map(([key]) => key).slice(0, -1).sort()).toEqual(tileKeys(tilesAddedBetween(before.size, before.size + 1)).sort());

      const after = await expectEdgeIsRegistryLog(registry, now);
      expect(after.size).toBe(before.size + 1);
      await expectConsistent(registry.edgeDir, before, after);
      for (const [key, bytes] of edgeBefore) {
        if (key === LOG_CHECKPOINT_KEY) continue;
        expect(Buffer.from((await readEdgeBytes(registry.edgeDir, key))!).equals(bytes), key).toBe(true);
      }
      // The published entry names the revocation's log entry.
      const record = getLicence(registry.db, number)!;
      expect(record.logIndex).toBe(before.size);
      expect((decodeJwt(change.entries[0]![1]) as { log?: number }).log).toBe(before.size);
      // The office keeps one partial tile per place: the widest.
      const partials = registry.db.prepare('SELECT level, idx, width FROM log_tiles WHERE width < 256 ORDER BY level').all();
      expect(partials).toEqual([
        { level: 0, idx: 1, width },
        { level: 1, idx: 0, width: 1 },
      ]);
      // What one revocation adds for the log (bar P7 counts it): two partial tiles' worth and the checkpoint.
      const logBytes = change.log.reduce((n, [, v]) => n + v.length, 0);
      expect(logBytes).toBe(change.log[0]![1].length + width * 32 + change.log[2]![1].length);
    } finally {
      registry.close();
    }
  });
});

interface Killed {
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `qdyp ARGS --db DB` in a child that SIGKILLs itself just before the checkpoint lands in the edge. */
function runKilledBeforeCheckpoint(db: string, args: string[]): Promise<Killed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PRELOAD, BIN, ...args, '--db', db], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        QDYP_NOW: NOW,
        QDYP_ACTOR: 'crash-test',
        QDYP_KILL_EDGE_DIR: registryPaths(db).edgeDir,
        QDYP_KILL_AT_WRITE: '1',
        QDYP_KILL_MATCH: '^checkpoint$',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ signal, stdout, stderr }));
  });
}

function ok(run: Run): Run {
  expect(run.code, run.stderr).toBe(0);
  return run;
}

describe('a publication killed between the tiles and the checkpoint', () => {
  it('leaves the old checkpoint, a log that still verifies, and the next publish completes it', async () => {
    const reg = await cliRegistry();
    ok(await reg.run(['holder', 'add', '--uscc', USCC.a, '--name', '青岛海滨食品有限公司', '--address', '青岛市黄岛区', '--region', '370211']));
    const issue = ['licence', 'issue', '--holder', USCC.a, '--tier', 'product', '--sector', 'marine', '--product', '海参', '--until', '2028-12-31', '--json'];
    const a = ok(await reg.run(issue)).json<{ number: string }>();
    ok(await reg.run(issue));
    const now = new Date(NOW);
    const { edgeDir } = registryPaths(reg.db);
    const note = fs.readFileSync(path.join(edgeDir, 'log', 'checkpoint'), 'utf8');
    let registry = openRegistry(reg.db, { now });
    const before = await expectEdgeIsRegistryLog(registry, now);
    registry.close();

    const killed = await runKilledBeforeCheckpoint(reg.db, ['licence', 'revoke', a.number, '--reason', '冒用标识']);
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(killed.stderr).toMatch(/^qdyp-kill: 1 log\/checkpoint$/m);
    expect(killed.stdout).toMatch(/is revoked/); // committed: the change and its entry

    // The tiles and the bundle of the next size are there; the checkpoint is the old one, and
    // everything it names still verifies.
    expect(fs.existsSync(path.join(edgeDir, 'log', 'tile', '0', '000.p', String(before.size + 1)))).toBe(true);
    expect(fs.readFileSync(path.join(edgeDir, 'log', 'checkpoint'), 'utf8')).toBe(note);
    registry = openRegistry(reg.db, { now });
    try {
      expect(logSize(registry.db)).toBe(before.size + 1);
      expect(logSizeOf(registry, 'local')).toBe(before.size);
      expect(await edgeCheckpoint(registry, now)).toEqual(before);
      expect(Buffer.from(await treeRootFromTiles(before.size, edgeTiles(edgeDir))).equals(Buffer.from(before.root))).toBe(true);
      expect(Buffer.from(await rootFromLeafHashes(await registryLeaves(registry, before.size))).equals(Buffer.from(before.root))).toBe(true);
    } finally {
      registry.close();
    }

    expect(ok(await reg.run(['publish', '--json'])).json()).toMatchObject({ local: { logSize: before.size + 1 }, warnings: [] });
    registry = openRegistry(reg.db, { now });
    try {
      const after = await expectEdgeIsRegistryLog(registry, now);
      expect(after.size).toBe(before.size + 1);
      await expectConsistent(edgeDir, before, after);
      expect(logSizeOf(registry, 'local')).toBe(after.size);
    } finally {
      registry.close();
    }
  });
});

interface Call {
  args: string[];
  /** A bulk file's pairs, or the R2 object's key. */
  pairs: { key: string; value: string; base64?: boolean }[] | null;
}

function recorder(calls: Call[], fail?: (call: Call) => boolean) {
  return (_command: string, args: string[]) => {
    const bulk = args.includes('bulk');
    const call = { args, pairs: bulk ? JSON.parse(fs.readFileSync(args.at(-1)!, 'utf8')) : null };
    calls.push(call);
    return fail?.(call) ? 1 : 0;
  };
}

describe('--to cloudflare', () => {
  it('sends the tiles base64 in the entry batches and the checkpoint after the lists; a failed run publishes them again', async () => {
    const { ctx } = await programme();
    await publishLocal(ctx.registry, ctx.now);
    const checkpoint = await edgeCheckpoint(ctx.registry, ctx.now);

    const calls: Call[] = [];
    const publication = await publishToCloudflare(ctx.registry, ctx.now, { run: recorder(calls) });
    const bulks = calls.filter((c) => c.pairs);
    const tilePairs = bulks.slice(0, -1).flatMap((c) => c.pairs!.filter((p) => p.key.startsWith('log/')));
    expect(tilePairs.map((p) => p.key).sort()).toEqual(tileKeys(tilesForTree(checkpoint.size)).sort());
    for (const pair of tilePairs) {
      expect(pair.base64).toBe(true);
      // The same bytes as the local edge's (the same tree, built once for the office).
      expect(Buffer.from(pair.value, 'base64').equals(Buffer.from((await readEdgeBytes(ctx.registry.edgeDir, pair.key))!)), pair.key).toBe(true);
    }
    // The lists batch comes after every R2 upload; the checkpoint, as text, alone in the last
    // call (a bulk put is neither ordered nor atomic).
    expect(calls.at(-1)).toBe(bulks.at(-1));
    expect(calls.at(-2)).toBe(bulks.at(-2));
    expect(calls.findIndex((c) => c.args.includes('r2'))).toBeLessThan(calls.length - 2);
    expect(bulks.at(-2)!.pairs!.map((p) => p.key)).toEqual(['revision-list', 'status-list', 'key-list', 'revoked-inspectors']);
    expect(bulks.at(-1)!.pairs!.map((p) => p.key)).toEqual([LOG_CHECKPOINT_KEY]);
    const sent = bulks.at(-1)!.pairs!.at(-1)!;
    expect(sent.base64).toBeUndefined();
    expect(sent.value).toBe(await readEdgeText(ctx.registry.edgeDir, LOG_CHECKPOINT_KEY));
    expect(publication.log.at(-1)).toEqual([LOG_CHECKPOINT_KEY, sent.value]);
    expect(logSizeOf(ctx.registry, 'cloudflare')).toBe(checkpoint.size);

    // One more change; the run fails at the lists: nothing recorded, the tiles go again next time.
    await suspendLicence(ctx, (await issueLicence(ctx, { holder: USCC.a, tier: 'product', sector: 'marine', products: ['海带'], validUntil: '2028-12-31' })).number, '抽检');
    const expected = tileKeys(tilesAddedBetween(checkpoint.size, checkpoint.size + 2)).sort();
    const failed: Call[] = [];
    await expect(publishToCloudflare(ctx.registry, ctx.now, { run: recorder(failed, (c) => c.pairs?.some((p) => p.key === LOG_CHECKPOINT_KEY) ?? false), bundles: false })).rejects.toMatchObject({ code: 'publish_failed' });
    expect(failed.flatMap((c) => c.pairs ?? []).filter((p) => p.key.startsWith('log/tile/')).map((p) => p.key).sort()).toEqual(expected);
    expect(logSizeOf(ctx.registry, 'cloudflare')).toBe(checkpoint.size);

    const retried: Call[] = [];
    await publishToCloudflare(ctx.registry, ctx.now, { run: recorder(retried), bundles: false });
    expect(retried.flatMap((c) => c.pairs ?? []).filter((p) => p.key.startsWith('log/tile/')).map((p) => p.key).sort()).toEqual(expected);
    expect(logSizeOf(ctx.registry, 'cloudflare')).toBe(checkpoint.size + 2);
  });
});

describe('publishedBytes', () => {
  it('counts the log', () => {
    const publication: Pick<Publication, 'entries' | 'bundles' | 'log' | 'lists'> = {
      entries: [['licence/1/1', 'abc']],
      bundles: [],
      log: [
        ['log/tile/0/000.p/1', new Uint8Array(32)],
        [LOG_CHECKPOINT_KEY, 'x'.repeat(10)],
      ],
      lists: [['status-list', 'defg']],
    };
    expect(publishedBytes(publication)).toBe(3 + 32 + 10 + 4);
  });
});

describe('kvBatches', () => {
  it('splits at 10,000 pairs and before a batch would pass 64 MB of values (binary ones counted as base64)', () => {
    const big = new Uint8Array(30 * 1024 * 1024); // 40 MB as base64
    const batches = kvBatches<string | Uint8Array>([
      ['log/tile/entries/000', big],
      ['log/tile/entries/001', big],
      ...Array.from({ length: 10_001 }, (_, i): [string, string] => [`licence/${i}/1`, 'x']),
    ]);
    expect(batches.map((b) => b.length)).toEqual([1, 10_000, 2]);
    expect(KV_BULK_MAX_BYTES).toBeLessThan(100 * 1000 * 1000);
  });
});
