// The inspector device and the transparency log: each sync verifies the log's checkpoint with
// the key list's log keys and checks it is consistent with the last one the device accepted,
// from the tiles it fetches. A fork, or tiles that prove no consistency, fail the sync (saying
// the public log is inconsistent) and save nothing; a log that is not there, not this
// programme's, older or not yet provable is left for the next sync. No browser: the page keeps
// the same records in IndexedDB.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildBundle, LOG_CHECKPOINT_KEY } from '../../src/core/index.ts';
import { Device, LOG_CHECKPOINT, type DeviceStore } from '../../src/inspect/device.ts';
import { edgeWithLog, licenceLogEntry, TestLog, type EdgeWithLog } from '../support/log-fixture.ts';
import { bundleRows, T0 } from '../support/programme.ts';

const ORIGIN = 'https://verify.example.cn';
const NAMES = ['verify.example.cn/log'];
const HOUR = 60 * 60 * 1000;

class MemoryStore implements DeviceStore {
  readonly data = new Map<string, unknown>();
  async get<T>(key: string): Promise<T | undefined> {
    return structuredClone(this.data.get(key)) as T | undefined;
  }
  async put(entries: Record<string, unknown>): Promise<void> {
    for (const [k, v] of Object.entries(entries)) this.data.set(k, structuredClone(v));
  }
}

let fx: EdgeWithLog;
let bundle: Uint8Array;
let store: MemoryStore;
let device: Device;

beforeAll(async () => {
  fx = await edgeWithLog(ORIGIN);
  const texts = fx.artifacts.texts;
  bundle = await buildBundle({ keyList: texts['key-list']!, statusList: texts['status-list']!, revisionList: texts['revision-list']!, rows: bundleRows(fx.edge.p), region: null, time: T0 }, fx.edge.p.keys[0]!.signer);
});

beforeEach(() => {
  store = new MemoryStore();
  device = new Device(store, fx.edge.p.root, () => T0.getTime() + HOUR, {}, NAMES);
});

/** The verifier's paths the device syncs from, the log's as `log` has them (null: none published). */
function server(log: { checkpoint: string | null; files: Map<string, Uint8Array> } | null) {
  const requested: string[] = [];
  const fetcher = async (path: string): Promise<Response> => {
    requested.push(path);
    const texts: Record<string, string | undefined> = {
      '/api/v1/key-list': fx.artifacts.texts['key-list'],
      '/api/v1/status-list': fx.artifacts.texts['status-list'],
      '/api/v1/revision-list': fx.artifacts.texts['revision-list'],
      [`/${LOG_CHECKPOINT_KEY}`]: log?.checkpoint ?? undefined,
    };
    if (path === '/api/v1/bundle') return new Response(bundle as BodyInit);
    const text = texts[path];
    if (text !== undefined) return new Response(text);
    const tile = log?.files.get(path.slice(1));
    return tile ? new Response(tile as BodyInit) : new Response('not found', { status: 404 });
  };
  return { fetcher, requested };
}

/** Appends `n` updates of licence 1 (listing `product`) and signs the log. */
const grow = async (log: TestLog, n: number, product = '海参礼盒') => {
  const e = licenceLogEntry(fx.edge.p, 1, 'licence.update', T0);
  await log.append(Array.from({ length: n }, (_, i) => ({ ...e, time: new Date(T0.getTime() + i * 1000).toISOString(), licence: { ...e.licence, products: [product] } })));
  return log.sign();
};

describe('the device and the public log', () => {
  it('saves the first checkpoint that verifies, then each one the tiles prove consistent with it', async () => {
    const log = await fx.log.fork();
    const cp12 = await log.sign();
    expect(await device.sync(server(log).fetcher, null)).toMatchObject({ ok: true });
    expect(store.data.get(LOG_CHECKPOINT)).toBe(cp12);

    const cp40 = await grow(log, 28);
    const second = server(log);
    expect(await device.sync(second.fetcher, null, { full: true })).toMatchObject({ ok: true });
    expect(store.data.get(LOG_CHECKPOINT)).toBe(cp40);
    // The consistency proof from 12 to 40 came from the tree's tiles, fetched from the server.
    expect(second.requested).toContain('/log/tile/0/000.p/40');
  });

  it('a fork (same size, another root) fails the sync as an inconsistent log and saves nothing', async () => {
    const log = await fx.log.fork();
    await grow(log, 28);
    expect((await device.sync(server(log).fetcher, null)).ok).toBe(true);
    const saved = structuredClone(store.data.get('trust'));
    const twin = await fx.log.fork();
    await grow(twin, 28, '虾仁礼盒');
    const result = await device.sync(server(twin).fetcher, null, { full: true });
    expect(result).toMatchObject({ ok: false, error: 'log_inconsistent' });
    expect(store.data.get(LOG_CHECKPOINT)).toBe(log.checkpoint);
    expect(store.data.get('trust')).toEqual(saved);
    expect(store.data.get('lastAttempt')).toMatchObject({ ok: false, error: 'log_inconsistent' });
    expect((await device.load()).lastAttempt).toMatchObject({ ok: false, error: 'log_inconsistent' });
    // Put right, the next sync succeeds.
    expect((await device.sync(server(log).fetcher, null)).ok).toBe(true);
  });

  it('a larger tree that does not extend it, or a tampered tile, fails the sync likewise', async () => {
    const log = await fx.log.fork();
    const cp12 = await log.sign();
    expect((await device.sync(server(log).fetcher, null)).ok).toBe(true);
    const other = await TestLog.create(ORIGIN, fx.log.key);
    await other.append(fx.log.entries.slice(1));
    await grow(other, 30, '虾仁礼盒');
    expect(await device.sync(server(other).fetcher, null)).toMatchObject({ ok: false, error: 'log_inconsistent' });

    await grow(log, 28);
    const tile = log.files.get('log/tile/0/000.p/40')!.slice();
    tile[3 * 32] = tile[3 * 32]! ^ 1;
    const files = new Map(log.files).set('log/tile/0/000.p/40', tile);
    expect(await device.sync(server({ checkpoint: log.checkpoint, files }).fetcher, null)).toMatchObject({ ok: false, error: 'log_inconsistent' });
    expect(store.data.get(LOG_CHECKPOINT)).toBe(cp12);
    expect((await device.sync(server(log).fetcher, null)).ok).toBe(true);
    expect(store.data.get(LOG_CHECKPOINT)).toBe(log.checkpoint);
  });

  it('a saved checkpoint that cannot be read is no floor to start again from: the log waits, the one saved stays', async () => {
    const log = await fx.log.fork();
    const cp12 = await log.sign();
    expect((await device.sync(server(log).fetcher, null)).ok).toBe(true);
    // A larger tree that does not extend the saved one, offered while the saved one cannot be read.
    const other = await TestLog.create(ORIGIN, fx.log.key);
    await other.append(fx.log.entries.slice(1));
    await grow(other, 30, '虾仁礼盒');
    const get = store.get.bind(store);
    store.get = async <T,>(key: string) => {
      if (key === LOG_CHECKPOINT) throw new Error('storage');
      return get<T>(key);
    };
    expect((await device.sync(server(other).fetcher, null)).ok).toBe(true);
    expect(store.data.get(LOG_CHECKPOINT)).toBe(cp12);
    store.get = get;
    expect(await device.sync(server(other).fetcher, null)).toMatchObject({ ok: false, error: 'log_inconsistent' });
  });

  it('no log, another log, a forged checkpoint, an older one or one whose tiles are missing: the sync succeeds, the log waits', async () => {
    const log = await fx.log.fork();
    await grow(log, 28);
    const cp40 = log.checkpoint!;
    expect((await device.sync(server(null).fetcher, null)).ok).toBe(true);
    expect(store.data.has(LOG_CHECKPOINT)).toBe(false);
    const elsewhere = await TestLog.create('https://elsewhere.example', fx.log.key);
    await elsewhere.append(log.entries);
    expect((await device.sync(server({ checkpoint: await elsewhere.sign(), files: elsewhere.files }).fetcher, null)).ok).toBe(true);
    expect(store.data.has(LOG_CHECKPOINT)).toBe(false);
    expect((await device.sync(server({ checkpoint: cp40.replace('\n40\n', '\n41\n'), files: log.files }).fetcher, null)).ok).toBe(true);
    expect(store.data.has(LOG_CHECKPOINT)).toBe(false);

    expect((await device.sync(server(log).fetcher, null)).ok).toBe(true);
    expect(store.data.get(LOG_CHECKPOINT)).toBe(cp40);
    expect((await device.sync(server({ checkpoint: fx.log.checkpoint, files: log.files }).fetcher, null)).ok).toBe(true);
    expect(store.data.get(LOG_CHECKPOINT)).toBe(cp40);

    const cp60 = await grow(log, 20);
    expect((await device.sync(server({ checkpoint: cp60, files: new Map() }).fetcher, null)).ok).toBe(true);
    expect(store.data.get(LOG_CHECKPOINT)).toBe(cp40);
    expect((await device.sync(server(log).fetcher, null)).ok).toBe(true);
    expect(store.data.get(LOG_CHECKPOINT)).toBe(cp60);
  });
});
