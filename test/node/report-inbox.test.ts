// The Node verifier's reports inbox through startServer over real HTTP: an edge directory and
// the verifier's own data directory in temp dirs, the SQLite file and photo folder checked
// directly. The essentials as on Workers, plus what a crash between the photo and the row
// leaves (no row; the orphan swept) and a storage failure (503, nothing kept half-way).
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEdgeFile } from '../../src/node/edge-store.ts';
import { startServer, type RunningServer } from '../../src/node/server.ts';
import { DEFAULT_TTL_MS } from '../../src/web/index.ts';
import { inspectorToken, officeAuth, png, reportInit, revokedList } from '../support/reports.ts';
import { writeEdgeDir } from '../web/edge-dir.ts';
import { edgeWithEveryOutcome, T0, type Edge } from '../web/fixtures.ts';

let edge: Edge;
let edgeDir: string;
let dataDir: string;
let server: RunningServer;
let now = T0.getTime();

const signer = () => edge.p.keys[0]!.signer;
const start = () => startServer({ port: 0, edgeDir, dataDir, rootJwk: edge.rootJwk, clock: () => new Date(now), log: () => {} });
const post = (init: RequestInit) => fetch(`${server.url}/api/v1/reports`, init);
const db = () => new Database(join(dataDir, 'reports.sqlite'), { readonly: true });
const row = (id: string) => {
  const d = db();
  try {
    return d.prepare('SELECT * FROM reports WHERE id = ?').get(id) as Record<string, unknown> | undefined;
  } finally {
    d.close();
  }
};
const rowCount = () => {
  const d = db();
  try {
    return (d.prepare('SELECT COUNT(*) AS n FROM reports').get() as { n: number }).n;
  } finally {
    d.close();
  }
};
const photoFiles = () => fs.readdirSync(join(dataDir, 'photos')).sort();

beforeAll(async () => {
  edge = await edgeWithEveryOutcome();
  edgeDir = await writeEdgeDir({ texts: edge.artifacts.texts, bundles: {} });
  writeEdgeFile(edgeDir, 'revoked-inspectors', await revokedList(signer(), 1, [], T0), false);
  dataDir = await mkdtemp(join(tmpdir(), 'qdyp-verifier-'));
  server = await start();
});

afterAll(async () => {
  await server?.close();
  await rm(edgeDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

describe('the Node inbox over HTTP', () => {
  it('a report with a photo lands in reports.sqlite and photos/; a retry is stored once', async () => {
    const { token, sub } = await inspectorToken(signer(), T0);
    const report = { seal: edge.seals.authorized, outcome: 'authorized', place: '台东三路', idempotencyKey: 'node-retry-1' };
    const first = await post(reportInit(token, report, png()));
    expect(first.status).toBe(201);
    expect(first.headers.get('set-cookie')).toBeNull();
    const { id } = (await first.json()) as { id: string };
    expect(row(id)).toMatchObject({ inspector_id: sub, seal: edge.seals.authorized, serial: 1, photo_key: id, photo_type: 'image/png' });
    expect(new Uint8Array(fs.readFileSync(join(dataDir, 'photos', id)))).toEqual(png());
    const rows = rowCount();
    const again = await post(reportInit(token, report, png()));
    expect([again.status, await again.json()]).toEqual([200, { id }]);
    expect(rowCount()).toBe(rows);
    expect(photoFiles()).toEqual([id].concat(photoFiles().filter((f) => f !== id)).sort());
  });

  it('bad input gets its code and stores nothing', async () => {
    const { token } = await inspectorToken(signer(), T0);
    const rows = rowCount();
    const files = photoFiles();
    expect((await post(reportInit(null, { seal: edge.seals.authorized, outcome: 'authorized' }))).status).toBe(401);
    expect((await post(reportInit(token, { outcome: 'authorized' }))).status).toBe(400);
    expect((await post({ ...reportInit(token, {}), headers: { authorization: `Bearer ${token}`, 'content-type': 'text/xml' } })).status).toBe(415);
    expect((await post(reportInit(token, { seal: edge.seals.authorized, outcome: 'authorized' }, png(10, 10, 6 * 1024 * 1024)))).status).toBe(413);
    expect(rowCount()).toBe(rows);
    expect(photoFiles()).toEqual(files);
  });

  it('a revoked token gets 403; an older list put back does not un-revoke it, not even after a restart', async () => {
    const { token, jti } = await inspectorToken(signer(), T0);
    const report = { seal: edge.seals.authorized, outcome: 'authorized' };
    writeEdgeFile(edgeDir, 'revoked-inspectors', await revokedList(signer(), 2, [jti], new Date(now)), false);
    now += DEFAULT_TTL_MS;
    expect((await post(reportInit(token, report))).status).toBe(403);

    writeEdgeFile(edgeDir, 'revoked-inspectors', await revokedList(signer(), 1, [], new Date(now)), false);
    now += DEFAULT_TTL_MS;
    expect((await post(reportInit(token, report))).status).toBe(403);
    await server.close();
    server = await start();
    expect((await post(reportInit(token, report))).status).toBe(403);
    expect(JSON.parse(fs.readFileSync(join(dataDir, 'trust.json'), 'utf8'))).toHaveProperty('revokedInspectors');
  });

  it('the office pulls with a signed request (a replay refused), fetches the photo, and its ack deletes it', async () => {
    const { token } = await inspectorToken(signer(), T0);
    const filed = await post(reportInit(token, { seal: edge.seals.suspended, outcome: 'suspended' }, png()));
    const { id } = (await filed.json()) as { id: string };
    const path = '/api/v1/reports?after=0&limit=500';
    const auth = await officeAuth(signer(), 'GET', path, new Date(now));
    const pulled = await fetch(`${server.url}${path}`, { headers: { authorization: auth } });
    expect(pulled.status).toBe(200);
    const mine = ((await pulled.json()) as { reports: { id: string; cursor: number }[] }).reports.find((r) => r.id === id)!;
    expect(mine).toMatchObject({ id, outcome: 'suspended', hasPhoto: true });
    expect((await fetch(`${server.url}${path}`, { headers: { authorization: auth } })).status).toBe(401);
    expect((await fetch(`${server.url}/api/v1/reports?after=5&limit=500`, { headers: { authorization: await officeAuth(signer(), 'GET', path, new Date(now)) } })).status).toBe(401);

    const photoPath = `/api/v1/reports/${id}/photo`;
    const photo = await fetch(`${server.url}${photoPath}`, { headers: { authorization: await officeAuth(signer(), 'GET', photoPath, new Date(now)) } });
    expect(new Uint8Array(await photo.arrayBuffer())).toEqual(png());
    const ack = await fetch(`${server.url}/api/v1/reports/ack?cursor=${mine.cursor}`, {
      method: 'POST',
      headers: { authorization: await officeAuth(signer(), 'POST', `/api/v1/reports/ack?cursor=${mine.cursor}`, new Date(now)), 'content-type': 'application/json' },
      body: JSON.stringify({ cursor: mine.cursor }),
    });
    expect([ack.status, await ack.json()]).toEqual([200, { cursor: mine.cursor }]);
    expect(fs.existsSync(join(dataDir, 'photos', id))).toBe(false);
    expect(row(id)).toMatchObject({ photo_key: null });
  });

  it('a storage failure after the photo answers 503 with Retry-After and keeps neither row nor photo', async () => {
    const writer = new Database(join(dataDir, 'reports.sqlite'));
    writer.exec("CREATE TRIGGER fail_insert BEFORE INSERT ON reports BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    try {
      const { token } = await inspectorToken(signer(), T0);
      const rows = rowCount();
      const files = photoFiles();
      const res = await post(reportInit(token, { seal: edge.seals.authorized, outcome: 'authorized' }, png()));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('30');
      expect(await res.json()).toMatchObject({ error: 'storage_unavailable' });
      expect(rowCount()).toBe(rows);
      expect(photoFiles()).toEqual(files);
    } finally {
      writer.exec('DROP TRIGGER fail_insert');
      writer.close();
    }
  });

  it('a crash between photo and row leaves no row, and the orphan is swept when the inbox opens', async () => {
    await server.close();
    // What a process killed between the two writes leaves: a photo (and a temp file) no row names.
    fs.writeFileSync(join(dataDir, 'photos', 'AAAAAAAAAAAAAAAAAAAAAA'), png());
    fs.writeFileSync(join(dataDir, 'photos', '.BBBBBBBBBBBBBBBBBBBBBB.1234.tmp'), png());
    const rows = rowCount();
    server = await start();
    expect(rowCount()).toBe(rows);
    expect(photoFiles()).not.toContain('AAAAAAAAAAAAAAAAAAAAAA');
    expect(photoFiles()).not.toContain('.BBBBBBBBBBBBBBBBBBBBBB.1234.tmp');
  });
});
