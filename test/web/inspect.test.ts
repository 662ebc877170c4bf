// /inspect on the Node verifier over real HTTP: the shell (root and seal hosts built in),
// the built files compressed with ETags, the service worker's scope header, and a missing build
// or an unknown name as a 404 page (never a 5xx, never a file off the list).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryAssets, startServer, type RunningServer } from '../../src/node/server.ts';
import { INSPECT_FILES } from '../../src/web/index.ts';
import { writeEdgeDir } from './edge-dir.ts';
import { edgeWithEveryOutcome, T0, type Edge } from './fixtures.ts';

let edge: Edge;
let edgeDir: string;
let built: string;
let server: RunningServer;
let unbuilt: RunningServer;

beforeAll(async () => {
  edge = await edgeWithEveryOutcome();
  edgeDir = await writeEdgeDir(edge.artifacts);
  // A build of our own, so the test knows every byte served.
  built = await mkdtemp(join(tmpdir(), 'qdyp-inspect-build-'));
  for (const name of INSPECT_FILES) await writeFile(join(built, name), `/* ${name} */ ${'x'.repeat(4000)}`);
  await writeFile(join(built, 'build.json'), JSON.stringify({ version: 'v1', files: { 'app.js': { bytes: 4010, sha256: 'abc' } } }));
  const options = { port: 0, edgeDir, rootJwk: edge.rootJwk, clock: () => T0, verifyOrigin: 'https://verify.example.cn', sealOrigins: ['http://localhost:8080'], log: () => {} };
  server = await startServer({ ...options, inspectAssets: directoryAssets(built) });
  unbuilt = await startServer({ ...options, inspectAssets: directoryAssets(join(built, 'missing')) });
});

afterAll(async () => {
  await server?.close();
  await unbuilt?.close();
  await rm(edgeDir, { recursive: true, force: true });
  await rm(built, { recursive: true, force: true });
});

describe('/inspect on Node', () => {
  it('builds the pinned root and the programme’s seal hosts into the shell', async () => {
    const response = await fetch(`${server.url}/inspect`);
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toBeNull();
    const html = await response.text();
    const config = JSON.parse(/id="qdyp-config">([^<]*)</.exec(html)![1]!);
    expect(config).toEqual({ root: edge.rootJwk, hosts: ['verify.example.cn', 'localhost:8080'] });
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; style-src 'sha256-/);
  });

  it('serves built files gzip-compressed to a browser, with ETags and 304s', async () => {
    // node:http, not fetch: fetch would inflate the body before the test could weigh it.
    const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      get(`${server.url}/inspect/app.js`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject);
    });
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(raw.body.length).toBeLessThan(200);
    expect(gunzipSync(raw.body).toString()).toBe(`/* app.js */ ${'x'.repeat(4000)}`);
    expect(raw.headers.etag).toBe('W/"abc"');
    for (const tag of ['"abc"', 'W/"abc"', '"zzz", W/"abc"']) {
      expect((await fetch(`${server.url}/inspect/app.js`, { headers: { 'if-none-match': tag } })).status).toBe(304);
    }
    expect((await fetch(`${server.url}/inspect/app.js`, { headers: { 'if-none-match': '"old"' } })).status).toBe(200);
    const sw = await fetch(`${server.url}/inspect/sw.js`);
    expect(sw.headers.get('service-worker-allowed')).toBe('/inspect');
    expect((await fetch(`${server.url}/inspect/zxing_reader.wasm`)).headers.get('content-type')).toBe('application/wasm');
  });

  it('an unknown name, build.json or a path trick is a 404 page; an unbuilt page says not found, never 5xx', async () => {
    for (const path of ['/inspect/build.json', '/inspect/nope.js', '/inspect/..%2F..%2Fpackage.json', '/inspect/app.js%00']) {
      const response = await fetch(`${server.url}${path}`);
      expect([path, response.status]).toEqual([path, 404]);
    }
    expect((await fetch(`${server.url}/inspect/`, { redirect: 'manual' })).headers.get('location')).toBe('/inspect');
    expect((await fetch(`${unbuilt.url}/inspect/app.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/inspect`, { method: 'DELETE' })).status).toBe(405);
  });
});
