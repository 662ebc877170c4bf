// The transparency log on Workers, inside workerd: the real Worker entry (SELF) over real KV
// (checkpoint as text, tiles and bundles as bytes, as `qdyp publish --to cloudflare` writes
// them) and the real Durable Object; then fresh apps over the same KV and a named instance of
// the object, standing for isolates: one that accepted a checkpoint hands it on, so another
// never takes an older or a forked one, and a split view any isolate saw is shown by all.
import { env, SELF } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { buildTrustContext, encodeBase64, leafHash, logOrigin, openLogEntryProof, rootTrust, publicJwk } from '../../src/core/index.ts';
import { createApp, DEFAULT_TTL_MS, parseRootJwk } from '../../src/web/index.ts';
import { workersSource } from '../../src/worker/store.ts';
import { durableKeeper, durableLogKeeper } from '../../src/worker/trust-keeper.ts';
import { edgeWithLog, licenceLogEntry, servedLogFile, type EdgeWithLog, type TestLog } from '../support/log-fixture.ts';
import { T0, type Artifacts } from '../web/fixtures.ts';

const ORIGIN = 'https://verify.example.cn';
const SIZE = 261;
const LISTS = new Set(['key-list', 'status-list', 'revision-list']);
const encoder = new TextEncoder();
let fx: EdgeWithLog;

/** As the publisher writes KV: licence entries, tiles and bundles, then the lists, the checkpoint last. */
async function putAll(artifacts: Artifacts): Promise<void> {
  for (const [key, bytes] of Object.entries(artifacts.bundles)) {
    if (key.startsWith('log/')) await env.QDYP_KV.put(key, bytes);
    else await env.QDYP_BUNDLES.put(key, bytes);
  }
  const texts = Object.entries(artifacts.texts);
  for (const [key, text] of texts) if (!LISTS.has(key) && key !== 'log/checkpoint') await env.QDYP_KV.put(key, text);
  for (const [key, text] of texts) if (LISTS.has(key)) await env.QDYP_KV.put(key, text);
  if (artifacts.texts['log/checkpoint']) await env.QDYP_KV.put('log/checkpoint', artifacts.texts['log/checkpoint']);
}

async function putLog(log: TestLog, note = log.checkpoint!): Promise<void> {
  for (const [key, bytes] of log.files) await env.QDYP_KV.put(key, bytes);
  await env.QDYP_KV.put('log/checkpoint', note);
}

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  fx = await edgeWithLog(ORIGIN, { root: inject('workerRoot'), extra: SIZE - 12 });
  await putAll(fx.artifacts);
});

afterAll(() => {
  vi.useRealTimers();
});

const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

describe('the Worker entry serves the log', () => {
  it('the checkpoint, verified against the key list in KV, for at most 30 s', async () => {
    const res = await SELF.fetch(`${ORIGIN}/log/checkpoint`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=30');
    expect(await res.text()).toBe(fx.log.checkpoint);
  });

  it('tiles and bundles from KV, byte for byte, immutable; others 404', async () => {
    for (const key of ['log/tile/0/000', 'log/tile/0/001.p/5', 'log/tile/1/000.p/1', 'log/tile/entries/000', 'log/tile/entries/001.p/5']) {
      const res = await SELF.fetch(`${ORIGIN}/${key}`);
      expect(res.status, key).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-encoding')).toBe(key.includes('/entries/') ? 'gzip' : null);
      expect(await bytesOf(res)).toEqual(await servedLogFile(fx.log, key));
    }
    for (const path of ['/log/tile/0/001', '/log/tile/0/002.p/1', '/log/tile/0/1', '/log/tile/x', '/log/checkpoint/x', '/log/tile/entries/000.p/256']) {
      const res = await SELF.fetch(`${ORIGIN}${path}`);
      expect(res.status, path).toBe(404);
      await res.arrayBuffer();
    }
  });

  it('/log and /log/entry/N, with the inclusion proof verified in the Worker', async () => {
    const page = await (await SELF.fetch(`${ORIGIN}/log`)).text();
    expect(page).toContain(`<dt>条目总数</dt><dd>${SIZE}</dd>`);
    expect(page).toContain(`href="/log/entry/${SIZE - 1}?lang=zh"`);
    const index = fx.logIndex.get(3)!;
    const entry = await (await SELF.fetch(`${ORIGIN}/log/entry/${index}`)).text();
    expect(entry).toContain('data-proof="verified"');
    expect(entry).toContain('<dt>事件</dt><dd>撤销许可</dd>');
    expect(entry).toContain(encodeBase64(await leafHash(encoder.encode(fx.log.entries[index]!))));
    const beyond = await SELF.fetch(`${ORIGIN}/log/entry/${SIZE}`);
    expect(beyond.status).toBe(404);
    expect(await beyond.text()).toContain('此条目不在公开日志中');
    for (const n of ['x', '01', '-1', '99999999999999999']) {
      const res = await SELF.fetch(`${ORIGIN}/log/entry/${n}`);
      expect(res.status, n).toBe(400);
      await res.arrayBuffer();
    }
  });

  it('the .tlog-proof download opens with the key list', async () => {
    const index = fx.logIndex.get(1)!;
    const res = await SELF.fetch(`${ORIGIN}/log/entry/${index}.tlog-proof`);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="qdyp-log-${index}.tlog-proof"`);
    const keyList = (await buildTrustContext({ keyList: fx.artifacts.texts['key-list'] }, { root: await rootTrust(publicJwk(inject('workerRoot'))), time: T0 })).keyList!;
    const opened = await openLogEntryProof(await res.text(), keyList, logOrigin(ORIGIN));
    expect(opened.entryText).toBe(fx.log.entries[index]);
  });

  it('the verdict says where the licence is logged (JSON and page)', async () => {
    const body = (await (await SELF.fetch(`${ORIGIN}/api/v1/verify?seal=${fx.edge.seals.suspended}`)).json()) as { code: string; logIndex: number };
    expect(body).toMatchObject({ code: 'suspended', logIndex: fx.logIndex.get(2) });
    const page = await (await SELF.fetch(`${ORIGIN}/V/${fx.edge.seals.suspended}`)).text();
    expect(page).toContain(`已记入公开日志：条目 ${fx.logIndex.get(2)}`);
  });
});

/** A fresh app over the real KV, with the lists' and the log's keepers in the named object. */
function isolate(keeperName: string) {
  let now = T0.getTime();
  const logs: string[] = [];
  const app = createApp({
    source: workersSource(env.QDYP_KV, env.QDYP_BUNDLES),
    keeper: durableKeeper(env.QDYP_TRUST, keeperName),
    logKeeper: durableLogKeeper(env.QDYP_TRUST, keeperName),
    root: parseRootJwk(env.QDYP_ROOT_JWK),
    verifyOrigin: ORIGIN,
    clock: () => new Date(now),
    log: (l) => logs.push(l),
  });
  return {
    logs,
    advance: () => {
      now += DEFAULT_TTL_MS;
    },
    checkpoint: async () => (await app.request(`${ORIGIN}/log/checkpoint`)).text(),
    page: async () => (await app.request(`${ORIGIN}/log`)).text(),
  };
}

describe('split views across isolates (the Durable Object keeps the floor and the warning)', () => {
  let base: TestLog;
  let cp12: string;
  let cp112: string;

  beforeAll(async () => {
    const small = await edgeWithLog(ORIGIN, { root: inject('workerRoot') });
    // The same programme's lists, with this log: KV now holds a log of 12, then of 112.
    fx = small;
    base = await small.log.fork();
    cp12 = small.log.checkpoint!;
    await small.log.append(Array.from({ length: 100 }, (_, i) => licenceLogEntry(small.edge.p, 1, 'licence.update', new Date(T0.getTime() + i * 1000))));
    cp112 = await small.log.sign();
    await putAll(small.artifacts);
    await putLog(small.log);
  });

  it('a fresh isolate whose KV serves an older checkpoint keeps the newer one another isolate accepted', async () => {
    const a = isolate('log-rollback');
    expect(await a.checkpoint()).toBe(cp112);
    await env.QDYP_KV.put('log/checkpoint', cp12);
    const b = isolate('log-rollback');
    expect(await b.checkpoint()).toBe(cp112);
    const page = await b.page();
    expect(page).toContain('data-refused="older"');
    expect(page).not.toContain('data-split-view');
    expect(b.logs.some((l) => l.startsWith('published log checkpoint refused: older than the one in use (size 12'))).toBe(true);
    await env.QDYP_KV.put('log/checkpoint', cp112);
  });

  it('a fork seen by one isolate is refused and shown by every isolate after it', async () => {
    const a = isolate('log-fork');
    expect(await a.checkpoint()).toBe(cp112);
    await base.append(Array.from({ length: 100 }, (_, i) => ({ ...licenceLogEntry(fx.edge.p, 1, 'licence.update', new Date(T0.getTime() + i * 1000)), event: 'licence.renew' as const })));
    const forked = await base.sign();
    await putLog(base);
    a.advance();
    expect(await a.checkpoint()).toBe(cp112);
    expect(a.logs.some((l) => l.startsWith('SPLIT VIEW: log checkpoint refused, same size, another root'))).toBe(true);
    expect(await a.page()).toContain('data-split-view="fork"');

    // KV put right; a new isolate still shows the warning (from the object) and serves the floor.
    await putLog(fx.log, cp112);
    const b = isolate('log-fork');
    expect(await b.checkpoint()).toBe(cp112);
    const page = await b.page();
    expect(page).toContain('data-split-view="fork"');
    expect(page).toContain(`<pre>${forked}</pre>`);
    // Another instance of the object has seen nothing of it.
    expect(await isolate('log-elsewhere').page()).not.toContain('data-split-view');
  });
});
