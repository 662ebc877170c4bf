// The transparency log on the Node verifier: a real edge directory holding a log of 261 entries
// (a full level-0 tile and a partial one, so /log's newest entries span two bundles) under a
// checkpoint the key list's log key signed, served over real HTTP; and the same app over a
// counting in-memory store, to show that refused paths never reach the store.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTrustContext,
  decodeBase64,
  encodeBase64,
  generateKeyPair,
  leafHash,
  logOrigin,
  noteSigner,
  openLogEntryProof,
  rootTrust,
  type TrustedKeyList,
} from '../../src/core/index.ts';
import { startServer, type RunningServer } from '../../src/node/server.ts';
import { createApp } from '../../src/web/index.ts';
import { edgeWithLog, restoredBundle, servedLogFile, TestLog, type EdgeWithLog } from '../support/log-fixture.ts';
import { writeEdgeDir } from './edge-dir.ts';
import { memorySource, T0 } from './fixtures.ts';

const ORIGIN = 'https://verify.example.cn';
const SIZE = 261;
let fx: EdgeWithLog;
let dir: string;
let dataDir: string;
let server: RunningServer;
let keyList: TrustedKeyList;
const logs: string[] = [];
const encoder = new TextEncoder();

const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);

beforeAll(async () => {
  // key.init, 8 licences (two of them with a second event), a holder change: 12; then 249 more.
  fx = await edgeWithLog(ORIGIN, { extra: SIZE - 12 });
  expect(fx.log.size).toBe(SIZE);
  dir = await writeEdgeDir(fx.artifacts);
  dataDir = await mkdtemp(join(tmpdir(), 'qdyp-verifier-'));
  server = await startServer({ port: 0, edgeDir: dir, dataDir, rootJwk: fx.edge.rootJwk, clock: () => T0, verifyOrigin: ORIGIN, log: (line) => logs.push(line) });
  keyList = (await buildTrustContext({ keyList: fx.artifacts.texts['key-list'] }, { root: await rootTrust(fx.edge.rootJwk), time: T0 })).keyList!;
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

describe('GET /log/checkpoint', () => {
  it('serves the signed checkpoint as published, once it verified, cached for at most 30 s', async () => {
    const res = await get('/log/checkpoint');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=30');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.text()).toBe(fx.log.checkpoint);
  });
});

describe('GET /log/tile/…', () => {
  it('serves the tiles and entry bundles the checkpoint covers, byte for byte, as immutable', async () => {
    for (const key of ['log/tile/0/000', 'log/tile/0/001.p/5', 'log/tile/1/000.p/1', 'log/tile/entries/000', 'log/tile/entries/001.p/5']) {
      const res = await get(`/${key}`);
      expect(res.status, key).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-encoding')).toBe(key.includes('/entries/') ? 'gzip' : null);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(await servedLogFile(fx.log, key));
    }
  });

  it('404 for what is no tile, or a tile the checkpoint does not cover, without asking the store', async () => {
    const source = memorySource(fx.artifacts);
    const app = createApp({ source, root: fx.edge.rootJwk, clock: () => T0, verifyOrigin: ORIGIN, log: () => {} });
    expect((await app.request('http://localhost/log/checkpoint')).status).toBe(200);
    const refused = [
      '/log/tile/0/001', // full only at 512
      '/log/tile/0/002.p/1',
      '/log/tile/0/001.p/6',
      '/log/tile/1/000', // a full level-1 tile needs 65,536 entries
      '/log/tile/2/000.p/1',
      '/log/tile/entries/002.p/1',
      '/log/tile/0/1', // not canonical
      '/log/tile/0/x000/001',
      '/log/tile/0/000.p/256',
      '/log/tile/0/000.p/0',
      '/log/tile/0/000.p/05',
      '/log/tile/64/000',
      '/log/tile/0/000/',
      '/log/tile/',
      '/log/tile/entries/../../key-list',
      '/log/tile/%2e%2e/key-list',
      '/log/tile/0/000.p/5%00',
    ];
    const before = source.readsOf('log/');
    for (const path of refused) {
      const res = await app.request(`http://localhost${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
    // The refreshes of the checkpoint are all the log the store was asked for.
    expect([...source.reads.keys()].filter((k) => k.startsWith('log/') && k !== 'log/checkpoint')).toEqual([]);
    expect(source.readsOf('log/')).toBe(before);
  });

  it('an older partial tile the checkpoint covers is served (clients holding older checkpoints ask for it)', async () => {
    const source = memorySource({ texts: fx.artifacts.texts, bundles: { ...fx.artifacts.bundles, 'log/tile/0/001.p/3': fx.log.files.get('log/tile/0/001.p/5')!.slice(0, 96) } });
    const app = createApp({ source, root: fx.edge.rootJwk, clock: () => T0, verifyOrigin: ORIGIN, log: () => {} });
    expect((await app.request('http://localhost/log/tile/0/001.p/3')).status).toBe(200);
    expect((await app.request('http://localhost/log/tile/0/001.p/4')).status).toBe(404); // covered, never published
  });
});

describe('GET /log', () => {
  it('shows the checkpoint (size, root, the newest entry’s time) and the newest entries, linked', async () => {
    const res = await get('/log');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+='; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/);
    const html = await res.text();
    const root = /<dt>树根哈希<\/dt><dd class="hash">([^<]+)<\/dd>/.exec(html)![1]!;
    expect(`verify.example.cn/log\n${SIZE}\n${root}\n`).toBe(fx.log.checkpoint!.slice(0, fx.log.checkpoint!.indexOf('\n\n') + 1));
    expect(html).toContain(`<dt>条目总数</dt><dd>${SIZE}</dd>`);
    // The newest entry is entry 260; its time, in Beijing time.
    const newest = JSON.parse(fx.log.entries[SIZE - 1]!) as { time: string };
    expect(newest.time).toBe('2026-11-26T04:04:20.000Z');
    expect(html).toContain('<dt>最新条目时间</dt><dd>2026年11月26日 12:04（北京时间）</dd>');
    const links = [...html.matchAll(/<a href="\/log\/entry\/(\d+)\?lang=zh">/g)].map((m) => Number(m[1]));
    expect(links).toEqual(Array.from({ length: 20 }, (_, i) => SIZE - 1 - i));
    expect(html).toContain('条目 260 · 变更许可内容');
    expect(html).toContain('QDYP-2026-000001 · 青岛海滨食品有限公司');
    expect(html).not.toContain('data-split-view');
    expect(html).toContain('href="/log/checkpoint"');
    const en = await (await get('/log?lang=en')).text();
    expect(en).toContain('Entry 260 · Licence details changed');
    expect(en).toContain('<dt>Newest entry</dt><dd>26 November 2026, 12:04 Beijing time</dd>');
  });

  it('a short log: the newest entries of a partial bundle only', async () => {
    const short = await edgeWithLog(ORIGIN);
    const app = createApp({ source: memorySource(short.artifacts), root: short.edge.rootJwk, clock: () => T0, verifyOrigin: ORIGIN, log: () => {} });
    const html = await (await app.request('http://localhost/log')).text();
    expect([...html.matchAll(/<a href="\/log\/entry\/(\d+)\?lang=zh">/g)].map((m) => Number(m[1]))).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(html).toContain('条目 0 · 启用密钥');
    expect(html).toContain('条目 11 · 变更持证主体信息');
    expect(html).toContain('条目 5 · 撤销许可');
  });

  it('shows no entry when the bundles do not match the checkpoint’s tiles', async () => {
    const tampered = fx.log.files.get('log/tile/entries/001.p/5')!.slice();
    tampered[tampered.length - 3] = tampered[tampered.length - 3]! ^ 1;
    const source = memorySource({ texts: fx.artifacts.texts, bundles: { ...fx.artifacts.bundles, 'log/tile/entries/001.p/5': tampered } });
    const app = createApp({ source, root: fx.edge.rootJwk, clock: () => T0, verifyOrigin: ORIGIN, log: () => {} });
    const html = await (await app.request('http://localhost/log')).text();
    expect(html).toContain('data-newest="unverified"');
    expect(html).not.toContain('/log/entry/');
    expect(html).not.toContain('最新条目时间');
    // The store put right: the same checkpoint's entries are shown at once, not held as unverified.
    source.artifacts.bundles['log/tile/entries/001.p/5'] = fx.log.files.get('log/tile/entries/001.p/5')!;
    const repaired = await (await app.request('http://localhost/log')).text();
    expect(repaired).not.toContain('data-newest="unverified"');
    expect(repaired).toContain(`href="/log/entry/${SIZE - 1}?lang=zh"`);
  });
});

describe('GET /log/entry/N', () => {
  it('describes a licence entry in plain words, with its leaf hash and an inclusion proof verified here', async () => {
    const index = fx.logIndex.get(3)!; // the revocation of licence 3
    const res = await get(`/log/entry/${index}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<h1>日志条目 ${index}</h1>`);
    expect(html).toContain('data-proof="verified"');
    expect(html).toContain('<h2>已验证</h2>');
    expect(html).toContain('<dt>事件</dt><dd>撤销许可</dd>');
    expect(html).toContain('<dt>许可编号</dt><dd>QDYP-2026-000003</dd>');
    expect(html).toContain('<dt>持有人</dt><dd>青岛海滨食品有限公司</dd>');
    expect(html).toContain('<dt>许可状态</dt><dd>已撤销</dd>');
    expect(html).toContain('<dt>原因</dt><dd>冒用授权范围</dd>');
    const hash = encodeBase64(await leafHash(encoder.encode(fx.log.entries[index]!)));
    expect(html).toContain(`<dt>叶哈希</dt><dd class="hash">${hash}</dd>`);
    // A tree of 261: the proof runs up through both tiles, 9 hashes for this leaf.
    expect([...html.matchAll(/<li>([A-Za-z0-9+/]{43}=)<\/li>/g)]).toHaveLength(9);
    expect(html).toContain(`href="/log/entry/${index}.tlog-proof"`);
    const en = await (await get(`/log/entry/${index}?lang=en`)).text();
    expect(en).toContain('<dt>Event</dt><dd>Licence revoked</dd>');
    expect(en).toContain('<h2>Verified</h2>');
  });

  it('describes holder and key entries too', async () => {
    const key = await (await get('/log/entry/0')).text();
    expect(key).toContain('<dt>事件</dt><dd>启用密钥</dd>');
    expect(key).toContain(`${fx.log.key.record.kid} (日志密钥, 使用中)`);
    const holder = await (await get('/log/entry/11')).text();
    expect(holder).toContain('<dt>事件</dt><dd>变更持证主体信息</dd>');
    expect(holder).toContain('<dt>统一社会信用代码</dt><dd>91370200MA3C5X8Y1K</dd>');
  });

  it('escapes what the entry says (a hostile holder name)', async () => {
    const html = await (await get(`/log/entry/${fx.logIndex.get(8)!}`)).text();
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert');
  });

  it('the .tlog-proof download opens offline with the key list and carries the entry', async () => {
    const index = fx.logIndex.get(1)!;
    const res = await get(`/log/entry/${index}.tlog-proof`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="qdyp-log-${index}.tlog-proof"`);
    const opened = await openLogEntryProof(await res.text(), keyList, logOrigin(ORIGIN));
    expect(opened.index).toBe(index);
    expect(opened.entryText).toBe(fx.log.entries[index]);
    expect(opened.checkpointNote).toBe(fx.log.checkpoint);
  });

  it('N beyond the checkpoint: a 404 page saying it is not (yet) in the published log', async () => {
    for (const n of [SIZE, SIZE + 1, 9_007_199_254_740_991]) {
      const res = await get(`/log/entry/${n}`);
      expect(res.status).toBe(404);
      const html = await res.text();
      expect(html).toContain('此条目不在公开日志中');
      expect(html).toContain(`当前检查点只有 ${SIZE} 条`);
      expect((await get(`/log/entry/${n}.tlog-proof`)).status).toBe(404);
    }
  });

  it('garbage N: 400, never 5xx', async () => {
    for (const n of ['abc', '01', '-1', '1e3', '1.5', '0x10', '99999999999999999', '%00', '1%20', '1.tlog-proof.tlog-proof', '1.TLOG-PROOF', '']) {
      const res = await get(`/log/entry/${n}`);
      expect([400, 404], n).toContain(res.status);
    }
    expect((await get('/log/entry/abc')).status).toBe(400);
    expect((await get('/log/entry/9007199254740992')).status).toBe(400);
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 30 }), fc.constantFrom('', '.tlog-proof', '/x'), async (s, suffix) => {
        const res = await get(`/log/entry/${encodeURIComponent(s)}${suffix}`);
        expect(res.status).toBeGreaterThanOrEqual(200);
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });

  it('a tampered bundle: the entry page says it is not verified and shows none of it; no proof is handed out', async () => {
    const key = 'log/tile/entries/000';
    const bundle = fx.log.files.get(key)!;
    // The revocation's reason, changed in place (the same number of bytes: the bundle still parses).
    const tampered = await restoredBundle(bundle, (raw) => replaceBytes(raw, encoder.encode('冒用授权范围'), encoder.encode('依法撤销处理'), 2));
    const tamperedLogs: string[] = [];
    const app = createApp({ source: memorySource({ texts: fx.artifacts.texts, bundles: { ...fx.artifacts.bundles, [key]: tampered } }), root: fx.edge.rootJwk, clock: () => T0, verifyOrigin: ORIGIN, log: (l) => tamperedLogs.push(l) });
    const index = fx.logIndex.get(3)!;
    const res = await app.request(`http://localhost/log/entry/${index}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-proof="failed"');
    expect(html).toContain('<h2>未通过验证</h2>');
    expect(html).not.toContain('依法撤销处理');
    expect(html).not.toContain('.tlog-proof');
    expect((await app.request(`http://localhost/log/entry/${index}.tlog-proof`)).status).toBe(503);
    expect(tamperedLogs).toContain(`log entry ${index}: the inclusion proof from the published tiles fails`);
    // Entries in other bundles still verify.
    expect(await (await app.request(`http://localhost/log/entry/${SIZE - 1}`)).text()).toContain('data-proof="verified"');
  });

  it('a missing tile: 503 (the store’s fault), never a verified page', async () => {
    const bundles = { ...fx.artifacts.bundles };
    delete bundles['log/tile/0/001.p/5'];
    const app = createApp({ source: memorySource({ texts: fx.artifacts.texts, bundles }), root: fx.edge.rootJwk, clock: () => T0, verifyOrigin: ORIGIN, log: () => {} });
    const res = await app.request('http://localhost/log/entry/3');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('暂时无法读取公开日志');
    expect((await app.request('http://localhost/log/entry/3.tlog-proof')).status).toBe(503);
  });
});

describe('the log is served only from a checkpoint that verified', () => {
  const appFor = (texts: Record<string, string>, log: (line: string) => void = () => {}) =>
    createApp({ source: memorySource({ texts, bundles: fx.artifacts.bundles }), root: fx.edge.rootJwk, clock: () => T0, verifyOrigin: ORIGIN, log });

  async function nothingServed(app: ReturnType<typeof createApp>) {
    expect((await app.request('http://localhost/log/checkpoint')).status).toBe(404);
    expect((await app.request('http://localhost/log/tile/0/000')).status).toBe(404);
    expect((await app.request('http://localhost/log/entry/0')).status).toBe(404);
    const page = await app.request('http://localhost/log');
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('公开日志尚未发布');
  }

  it('none published', async () => {
    const { 'log/checkpoint': _cp, ...texts } = fx.artifacts.texts;
    await nothingServed(appFor(texts));
  });

  it('signed by a key not in the key list', async () => {
    const impostor = await noteSigner(logOrigin(ORIGIN), await generateKeyPair());
    const other = await fx.log.fork();
    const lines: string[] = [];
    await nothingServed(appFor({ ...fx.artifacts.texts, 'log/checkpoint': await other.sign(impostor) }, (l) => lines.push(l)));
    expect(lines).toContain('published log checkpoint refused: it does not verify under the key list’s log keys as this log’s');
  });

  it('of another log (another origin), though signed by the log key', async () => {
    const elsewhere = await TestLog.create('https://elsewhere.example', fx.log.key);
    await elsewhere.append(fx.log.entries);
    await nothingServed(appFor({ ...fx.artifacts.texts, 'log/checkpoint': await elsewhere.sign() }));
  });

  it('a tampered checkpoint (its root changed)', async () => {
    const note = fx.log.checkpoint!;
    const root = note.split('\n')[2]!;
    const bytes = decodeBase64(root)!;
    bytes[0] = bytes[0]! ^ 1;
    await nothingServed(appFor({ ...fx.artifacts.texts, 'log/checkpoint': note.replace(root, encodeBase64(bytes)) }));
    await nothingServed(appFor({ ...fx.artifacts.texts, 'log/checkpoint': 'garbage' }));
  });

  it('no pinned root: nothing is trusted, the log neither', async () => {
    const app = createApp({ source: memorySource(fx.artifacts), root: null, clock: () => T0, verifyOrigin: ORIGIN, log: () => {} });
    await nothingServed(app);
  });

  it('no verify origin configured: the request’s own origin names the log', async () => {
    const local = await edgeWithLog('http://localhost');
    const app = createApp({ source: memorySource(local.artifacts), root: local.edge.rootJwk, clock: () => T0, log: () => {} });
    expect(await (await app.request('http://localhost/log/checkpoint')).text()).toBe(local.log.checkpoint);
    expect((await app.request('http://127.0.0.1/log/checkpoint')).status).toBe(404);
  });

  it('the seal origins name it too (the demo serves on another address than its seals print)', async () => {
    const demo = await edgeWithLog('http://localhost:8080');
    const app = createApp({ source: memorySource(demo.artifacts), root: demo.edge.rootJwk, clock: () => T0, verifyOrigin: 'http://127.0.0.1:8080', sealOrigins: ['http://localhost:8080'], log: () => {} });
    expect(await (await app.request('http://127.0.0.1:8080/log/checkpoint')).text()).toBe(demo.log.checkpoint);
  });
});

describe('logIndex on the scan page and in /api/v1/verify', () => {
  it('JSON: the licence’s latest entry, the licence object in DESIGN §4’s shape', async () => {
    const body = (await (await get(`/api/v1/verify?seal=${fx.edge.seals.revoked}`)).json()) as { code: string; logIndex: number | null; licence: Record<string, unknown> };
    expect(body.code).toBe('revoked');
    expect(body.logIndex).toBe(fx.logIndex.get(3));
    expect(body.licence).not.toHaveProperty('logIndex');
    expect(Object.keys(body)).toEqual(['code', 'authorized', 'licence', 'statusAsOf', 'checkedAt', 'logIndex']);
    const none = (await (await get(`/api/v1/verify?seal=${fx.edge.seals.bad_signature}`)).json()) as { logIndex: number | null };
    expect(none.logIndex).toBeNull();
  });

  it('the page says where it is logged, linking /log/entry/N, and stays under 16 KB (P5)', async () => {
    const index = fx.logIndex.get(1)!;
    const res = await get(`/V/${fx.edge.seals.authorized}`);
    const html = await res.text();
    expect(html).toContain(`<a href="/log/entry/${index}?lang=zh" data-log-index="${index}">已记入公开日志：条目 ${index}</a>`);
    const en = await (await get(`/V/${fx.edge.seals.authorized}?lang=en`)).text();
    expect(en).toContain(`Recorded in the public log as entry ${index}</a>`);
    for (const seal of Object.values(fx.edge.seals)) {
      for (const query of ['', '?lang=en']) {
        expect((await (await get(`/V/${seal}${query}`)).arrayBuffer()).byteLength).toBeLessThan(16 * 1024);
      }
    }
    // The entry it links to is the licence's, and verifies.
    const entry = await (await get(`/log/entry/${index}`)).text();
    expect(entry).toContain('QDYP-2026-000001');
    expect(entry).toContain('data-proof="verified"');
  });
});

describe('methods', () => {
  it('only GET and HEAD', async () => {
    for (const path of ['/log', '/log/checkpoint', '/log/tile/0/000', '/log/entry/0']) {
      const res = await get(path, { method: 'POST' });
      expect(res.status, path).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    }
    const head = await get('/log/checkpoint', { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});

/** `bytes` with the `nth` (1-based) occurrence of `from` replaced by `to` (of the same length). */
function replaceBytes(bytes: Uint8Array, from: Uint8Array, to: Uint8Array, nth: number): Uint8Array {
  const out = bytes.slice();
  let seen = 0;
  for (let i = 0; i + from.length <= out.length; i++) {
    if (from.every((b, j) => out[i + j] === b) && ++seen === nth) {
      out.set(to, i);
      return out;
    }
  }
  throw new Error('not found');
}
