// Split views on the Node verifier: it keeps the last checkpoint it accepted (in memory and in
// its data directory's log.json) and takes a new one only when the published tiles prove it
// consistent. A rollback, a fork, a larger forked tree and a tampered tile are refused (the old
// checkpoint stays in use), logged in one line, and shown on /log; a fork's warning stays,
// across a restart too. Real edge directory, real HTTP, real files.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeBase64, parseCheckpoint, parseNote } from '../../src/core/index.ts';
import { writeEdgeFile } from '../../src/node/edge-store.ts';
import { LOG_FILE, startServer, type RunningServer } from '../../src/node/server.ts';
import { createApp, DEFAULT_TTL_MS, keepLog, type KeptLog } from '../../src/web/index.ts';
import { edgeWithLog, licenceLogEntry, type EdgeWithLog, type TestLog } from '../support/log-fixture.ts';
import { writeEdgeDir } from './edge-dir.ts';
import { memorySource, T0 } from './fixtures.ts';

const ORIGIN = 'https://verify.example.cn';

let fx: EdgeWithLog;
/** The log at 12 entries, forked off before it grew (the same key, the same first 12 entries). */
let at12: TestLog;
let cp12: string;
let cp112: string;
let edgeDir: string;
let dataDir: string;
let server: RunningServer | null = null;
let logs: string[] = [];

const updates = (n: number, from: number, product: string) =>
  Array.from({ length: n }, (_, i) => {
    const e = licenceLogEntry(fx.edge.p, 1, 'licence.update', new Date(T0.getTime() + (from + i) * 1000));
    return { ...e, licence: { ...e.licence, products: [product] } };
  });

beforeEach(async () => {
  fx = await edgeWithLog(ORIGIN);
  cp12 = fx.log.checkpoint!;
  at12 = await fx.log.fork();
  await fx.log.append(updates(100, 0, '海参礼盒'));
  cp112 = await fx.log.sign();
  edgeDir = await writeEdgeDir({ texts: fx.artifacts.texts, bundles: { ...fx.artifacts.bundles, ...Object.fromEntries(fx.log.files) } });
  writeEdgeFile(edgeDir, 'log/checkpoint', cp112, false);
  dataDir = await mkdtemp(join(tmpdir(), 'qdyp-verifier-'));
  logs = [];
  await start();
  // The verifier accepts the log at 112 entries first: the floor for what follows.
  expect(await checkpointServed()).toBe(cp112);
});

afterEach(async () => {
  await server?.close();
  server = null;
  await rm(edgeDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<void> {
  await server?.close();
  server = await startServer({ port: 0, edgeDir, dataDir, rootJwk: fx.edge.rootJwk, clock: () => T0, verifyOrigin: ORIGIN, log: (line) => logs.push(line) });
}

const get = (path: string) => fetch(`${server!.url}${path}`);
const checkpointServed = async () => (await get('/log/checkpoint')).text();
const logPage = async () => (await get('/log')).text();

/** Publishes `note` (and `files`) into the edge directory, and has the verifier read it now. */
function publish(note: string, files: Iterable<[string, Uint8Array]> = []): void {
  for (const [key, bytes] of files) writeEdgeFile(edgeDir, key, bytes, false);
  writeEdgeFile(edgeDir, 'log/checkpoint', note, false);
  server!.refresh();
}

const head = (note: string) => {
  const c = parseCheckpoint(parseNote(note).text);
  return `size ${c.size}, root ${encodeBase64(c.root)}`;
};

describe('a rollback (an older checkpoint published again)', () => {
  it('is refused, logged once, shown on /log while it is offered; the floor survives a restart', async () => {
    publish(cp12);
    expect(await checkpointServed()).toBe(cp112);
    const page = await logPage();
    expect(page).toContain('data-refused="older"');
    expect(page).toContain('发布的检查点（12 条）比本站已接受的检查点（112 条）更旧，已拒绝');
    expect(page).toContain('<dt>条目总数</dt><dd>112</dd>');
    // A prefix of the tree in use: no evidence against the log, so no split-view warning.
    expect(page).not.toContain('data-split-view');
    server!.refresh();
    await checkpointServed();
    expect(logs.filter((l) => l.startsWith('published log checkpoint refused'))).toEqual([`published log checkpoint refused: older than the one in use (${head(cp12)} after ${head(cp112)})`]);

    // A fresh process over the same data directory: the floor is on disk.
    expect(JSON.parse(await readFile(join(dataDir, LOG_FILE), 'utf8'))).toEqual({ checkpoint: cp112 });
    await start();
    expect(await checkpointServed()).toBe(cp112);
    expect(await logPage()).toContain('data-refused="older"');

    // The store catches up: the notice goes.
    publish(cp112);
    expect(await logPage()).not.toContain('data-refused');
  });
});

describe('a fork: the same size, another root', () => {
  it('is refused, logged, and shown with both signed checkpoints, for good (a restart too)', async () => {
    await at12.append(updates(100, 0, '虾仁礼盒'));
    const forked = await at12.sign();
    expect(parseCheckpoint(parseNote(forked).text).size).toBe(112);

    publish(forked, at12.files);
    expect(await checkpointServed()).toBe(cp112);
    expect(logs).toContain(`SPLIT VIEW: log checkpoint refused, same size, another root (${head(forked)} after ${head(cp112)}); the checkpoint in use stays`);
    const page = await logPage();
    expect(page).toContain('data-split-view="fork"');
    expect(page).toContain('警告：公开日志出现不一致');
    expect(page).toContain('两个检查点条目数相同，树根却不同。');
    expect(page).toContain(`<pre>${cp112}</pre>`);
    expect(page).toContain(`<pre>${forked}</pre>`);
    const en = await (await get('/log?lang=en')).text();
    expect(en).toContain('Warning: the public log is inconsistent');

    // The store is put right: the checkpoint in use never moved, and the warning stays.
    publish(cp112, fx.log.files);
    expect(await logPage()).toContain('data-split-view="fork"');
    await start();
    expect(await checkpointServed()).toBe(cp112);
    expect(await logPage()).toContain('data-split-view="fork"');
    const kept = JSON.parse(await readFile(join(dataDir, LOG_FILE), 'utf8')) as { splitView: string };
    expect(JSON.parse(kept.splitView)).toMatchObject({ kind: 'fork', accepted: cp112, offered: forked });
  });
});

describe('a larger tree that does not extend the one in use', () => {
  it('is refused (its tiles give no consistency proof), logged and shown', async () => {
    await at12.append(updates(140, 0, '虾仁礼盒'));
    const forked = await at12.sign();
    publish(forked, at12.files);
    expect(await checkpointServed()).toBe(cp112);
    expect(logs).toContain(`SPLIT VIEW: log checkpoint refused, the consistency proof from the published tiles fails (${head(forked)} after ${head(cp112)}); the checkpoint in use stays`);
    const page = await logPage();
    expect(page).toContain('data-split-view="inconsistent"');
    expect(page).toContain('根据发布的日志分片，新的检查点无法证明包含此前的检查点。');
    // Entries are still proved against the checkpoint in use.
    expect(await (await get('/log/entry/111')).text()).toContain('data-proof="verified"');
    expect((await get('/log/entry/112')).status).toBe(404);
  });
});

describe('the genuine next checkpoint', () => {
  it('is accepted once its tiles are there, and not before (no warning for a slow store)', async () => {
    await fx.log.append(updates(40, 100, '海参礼盒'));
    const cp152 = await fx.log.sign();
    publish(cp152);
    expect(await checkpointServed()).toBe(cp112);
    expect(await logPage()).toContain('data-refused="unchecked"');
    publish(cp152, fx.log.files);
    expect(await checkpointServed()).toBe(cp152);
    const page = await logPage();
    expect(page).not.toContain('data-refused');
    expect(page).not.toContain('data-split-view');
    expect(JSON.parse(await readFile(join(dataDir, LOG_FILE), 'utf8'))).toEqual({ checkpoint: cp152 });
  });

  it('with a tampered tile: refused and shown; accepted once the tile is put right, the warning staying', async () => {
    await fx.log.append(updates(40, 100, '海参礼盒'));
    const cp152 = await fx.log.sign();
    const key = 'log/tile/0/000.p/152';
    const tile = fx.log.files.get(key)!;
    const tampered = tile.slice();
    tampered[5 * 32] = tampered[5 * 32]! ^ 0x80; // leaf 5's hash: one bit
    publish(cp152, [...fx.log.files, [key, tampered]]);
    expect(await checkpointServed()).toBe(cp112);
    expect(logs.some((l) => l.startsWith('SPLIT VIEW') && l.includes(head(cp152)))).toBe(true);
    expect(await logPage()).toContain('data-split-view="inconsistent"');

    publish(cp152, [[key, tile]]);
    expect(await checkpointServed()).toBe(cp152);
    const page = await logPage();
    expect(page).toContain('<dt>条目总数</dt><dd>152</dd>');
    expect(page).toContain('data-split-view="inconsistent"');
  });

  it('a checkpoint that does not verify is refused without a split-view warning', async () => {
    const note = fx.log.checkpoint!.replace('\n112\n', '\n113\n');
    publish(note);
    expect(await checkpointServed()).toBe(cp112);
    const page = await logPage();
    expect(page).toContain('data-refused="unverified"');
    expect(page).not.toContain('data-split-view');
  });
});

describe('a keeper that cannot be read', () => {
  /** A keeper in memory under the keepers' rules, whose next `failLoads` loads throw. */
  function memoryKeeper(held: KeptLog) {
    const keeper = {
      held,
      failLoads: 0,
      async load(): Promise<KeptLog> {
        if (keeper.failLoads > 0) {
          keeper.failLoads--;
          throw new Error('unreachable');
        }
        return { ...keeper.held };
      },
      async keep(offered: KeptLog): Promise<void> {
        keeper.held = keepLog(keeper.held, offered) ?? keeper.held;
      },
    };
    return keeper;
  }

  it('never loses its floor to a checkpoint taken while it could not be read: the split view is found once it can', async () => {
    await at12.append(updates(140, 0, '虾仁礼盒'));
    const forked = await at12.sign();
    const keeper = memoryKeeper({ checkpoint: cp112 });
    keeper.failLoads = 1;
    let now = T0.getTime();
    const lines: string[] = [];
    const app = createApp({
      source: memorySource({ texts: { ...fx.artifacts.texts, 'log/checkpoint': forked }, bundles: { ...fx.artifacts.bundles, ...Object.fromEntries(fx.log.files), ...Object.fromEntries(at12.files) } }),
      logKeeper: keeper,
      root: fx.edge.rootJwk,
      clock: () => new Date(now),
      verifyOrigin: ORIGIN,
      log: (l) => lines.push(l),
    });
    // Unable to read the floor, the verifier carries on with the store's checkpoint (for this TTL)…
    expect((await app.request(`${ORIGIN}/log/checkpoint`)).status).toBe(200);
    // …but never hands it on as the floor: it was checked against nothing.
    expect(keeper.held).toEqual({ checkpoint: cp112 });

    now += DEFAULT_TTL_MS;
    const page = await (await app.request(`${ORIGIN}/log`)).text();
    expect(page).toContain('data-split-view="inconsistent"');
    expect(lines.some((l) => l.startsWith('SPLIT VIEW'))).toBe(true);
    // The floor stays the one the keeper held; the split view is kept beside it.
    expect(keeper.held.checkpoint).toBe(cp112);
    expect(JSON.parse(keeper.held.splitView!)).toMatchObject({ kind: 'inconsistent' });
  });
});
