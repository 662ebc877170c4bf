// Auditing the published log (log-audit.ts, `qdyp log verify`): a real registry in a temp
// directory, a batch imported and changed, published to its edge/; then every file of the log
// tampered with in a copy of that directory, one at a time, and each fault reported for what it
// is, with the first entry that does not match. Checkpoints signed with the registry's own log
// key make the faults a dishonest office could commit: a wrong root, a fork, a rollback.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeBase64,
  generateKeyPair,
  LOG_CHECKPOINT_KEY,
  logEntriesKey,
  logTileKey,
  noteSigner,
  openStoredEntryBundle,
  parseCheckpoint,
  parseNote,
  publicJwk,
  rootTrust,
  signCheckpoint,
  storedEntryBundle,
  type RootTrust,
} from '../../src/core/index.ts';
import { edgeFile, readEdgeBytes } from '../../src/node/edge-store.ts';
import { issuingKeyFile, readPrivateKey } from '../../src/node/key-files.ts';
import { startServer } from '../../src/node/server.ts';
import { auditLog, edgeLogSource, httpLogSource, readLogState, type LogAuditReport, type LogState } from '../../src/node/log-audit.ts';
import { generatedCsv, query } from './import/batch-files.ts';
import { cliRegistry, NOW, tempDir } from './support.ts';

const LOG = 'v.qdyp.cn/log';
const BIN = fileURLToPath(new URL('../../bin/qdyp.js', import.meta.url));

type Reg = Awaited<ReturnType<typeof cliRegistry>>;
let reg: Reg;
let root: RootTrust;
let edge: string;
/** The checkpoint after the import, and after the changes that followed it. */
let older: { note: string; size: number; state: LogState };
let newer: { note: string; size: number; state: LogState };

const stateOf = (note: string): LogState => {
  const cp = parseCheckpoint(parseNote(note).text);
  return { log: cp.origin, size: cp.size, root: encodeBase64(cp.root), checkpoint: note };
};
const checkpointFile = (dir: string) => edgeFile(dir, LOG_CHECKPOINT_KEY)!;

/** A copy of the published edge/ to tamper with. */
function edgeCopy(): string {
  const dir = path.join(tempDir('qdyp-log-audit-'), 'edge');
  fs.cpSync(edge, dir, { recursive: true });
  return dir;
}

function audit(dir: string, previous: LogState | null = null, log = LOG): Promise<LogAuditReport> {
  return auditLog(edgeLogSource(dir), { root, log, previous, now: new Date(NOW) });
}

async function logSigner() {
  const [row] = query<{ kid: string }>(reg.db, `SELECT kid FROM keys WHERE role = 'log' AND status = 'active'`);
  return noteSigner(LOG, readPrivateKey(issuingKeyFile(path.join(reg.dir, 'keys'), row!.kid)));
}

/** Rewrites one entry of a stored (gzip) entry bundle, as someone tampering with the edge would. */
async function rewriteEntry(file: string, width: number, i: number, change: (text: string) => string): Promise<string> {
  const entries = (await openStoredEntryBundle(new Uint8Array(fs.readFileSync(file)), width)).map((e) => new TextDecoder().decode(e));
  const before = entries[i]!;
  entries[i] = change(before);
  fs.writeFileSync(file, await storedEntryBundle(entries.map((e) => new TextEncoder().encode(e))));
  return before;
}

/** Serves an edge directory as a verifier does: entry bundles as stored, with Content-Encoding: gzip. */
function edgeServer(dir: string): http.Server {
  return http.createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    const key = url.pathname === '/api/v1/key-list' ? 'key-list' : url.pathname.slice(1);
    const bytes = url.pathname.startsWith('/log/') || key === 'key-list' ? await readEdgeBytes(dir, key) : null;
    const headers = key.startsWith('log/tile/entries/') ? { 'content-encoding': 'gzip' } : {};
    res.writeHead(bytes ? 200 : 404, headers).end(bytes ?? undefined);
  });
}

function flipByte(file: string, at: number): void {
  const bytes = fs.readFileSync(file);
  bytes[at]! ^= 0x01;
  fs.writeFileSync(file, bytes);
}

beforeAll(async () => {
  reg = await cliRegistry();
  root = await rootTrust(JSON.parse(fs.readFileSync(path.join(reg.dir, 'root.public.jwk'), 'utf8')));
  edge = path.join(reg.dir, 'edge');
  const csv = path.join(reg.dir, 'batch.csv');
  fs.writeFileSync(csv, generatedCsv(300));
  const imported = await reg.run(['import', csv]);
  expect(imported.code, imported.stderr).toBe(0);
  const note = fs.readFileSync(checkpointFile(edge), 'utf8');
  older = { note, size: stateOf(note).size, state: stateOf(note) };
  expect(older.size).toBeGreaterThan(256);
  for (const argv of [
    ['licence', 'suspend', 'QDYP-2026-000007', '--reason', '抽检不合格'],
    ['licence', 'update', 'QDYP-2026-000008', '--product', '冰箱'],
    ['licence', 'revoke', 'QDYP-2026-000009', '--reason', '转让'],
  ]) {
    const run = await reg.run(argv);
    expect(run.code, run.stderr).toBe(0);
  }
  const now = fs.readFileSync(checkpointFile(edge), 'utf8');
  newer = { note: now, size: stateOf(now).size, state: stateOf(now) };
  expect(newer.size).toBe(older.size + 3);
}, 120_000);

describe('an honest log', () => {
  it('verifies: every entry decoded and hashed, every tile and the root compared', async () => {
    const report = await audit(edge);
    expect(report).toMatchObject({ ok: true, log: LOG, keyListVersion: 1, checkpoint: { size: newer.size, root: newer.state.root }, consistency: 'first', problems: [], firstBadIndex: null });
    expect(report.entriesChecked).toBe(newer.size);
    // Two level-0 tiles and the level-1 tile of width 1.
    expect(report.tilesChecked).toBe(3);
    expect(report.state).toEqual(newer.state);
  });

  it('extends the checkpoint seen before, and is the same as itself', async () => {
    expect(await audit(edge, older.state)).toMatchObject({ ok: true, consistency: 'extends', previous: { size: older.size, root: older.state.root } });
    expect(await audit(edge, newer.state)).toMatchObject({ ok: true, consistency: 'same' });
  });

  it('reads it over HTTP from what a verifier serves', async () => {
    const server = edgeServer(edge);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const report = await auditLog(httpLogSource(base, 10), { root, log: LOG, previous: older.state, now: new Date(NOW) });
      expect(report).toMatchObject({ ok: true, consistency: 'extends', entriesChecked: newer.size });
    } finally {
      server.close();
    }
  });
});

describe('the log a real verifier serves', () => {
  it('verifies over HTTP from the Node verifier, as an auditor outside the office would', async () => {
    const server = await startServer({ port: 0, edgeDir: edge, rootJwk: JSON.parse(fs.readFileSync(path.join(reg.dir, 'root.public.jwk'), 'utf8')), verifyOrigin: 'https://v.qdyp.cn', clock: () => new Date(NOW), log: () => {} });
    try {
      const report = await auditLog(httpLogSource(new URL(server.url), 10), { root, log: LOG, previous: older.state, now: new Date(NOW) });
      expect(report).toMatchObject({ ok: true, consistency: 'extends', entriesChecked: newer.size, checkpoint: { size: newer.size } });
    } finally {
      await server.close();
    }
  });
});

describe('a tampered log is reported for what is wrong, with the first entry that does not match', () => {
  it('a level-0 tile: the entries still give the root, so the tile is wrong', async () => {
    const dir = edgeCopy();
    flipByte(edgeFile(dir, logTileKey(0, 0))!, 7 * 32 + 5);
    const report = await audit(dir);
    expect(report).toMatchObject({ ok: false, firstBadIndex: 7, state: null });
    expect(report.problems).toEqual([expect.objectContaining({ code: 'tile_mismatch', index: 7, tile: 'tile/0/000' })]);
  });

  it('a tile above level 0', async () => {
    const dir = edgeCopy();
    flipByte(edgeFile(dir, logTileKey(1, 0, 1))!, 0);
    const report = await audit(dir);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'tile_mismatch', index: 0, tile: 'tile/1/000.p/1' })]);
  });

  it('an entry changed in its bundle (still well-formed): the entry does not match', async () => {
    const dir = edgeCopy();
    const width = newer.size - 256;
    const before = await rewriteEntry(edgeFile(dir, logEntriesKey(1, width))!, width, 4, (e) => e.replace('"冰箱","洗衣机"', '"冰箱","洗衣机","空调"'));
    expect(before).toContain('"number":"QDYP-2026-');
    const report = await audit(dir);
    expect(report).toMatchObject({ ok: false, firstBadIndex: 260 });
    expect(report.problems).toEqual([expect.objectContaining({ code: 'entry_mismatch', index: 260, tile: `tile/entries/001.p/${width}` })]);
  });

  it('an entry that is not of the documented encoding, and a bundle cut short', async () => {
    const dir = edgeCopy();
    await rewriteEntry(edgeFile(dir, logEntriesKey(0))!, 256, 3, (e) => e.replace('{"v":1,', '{"v":1, '));
    const report = await audit(dir);
    expect(report.firstBadIndex).toBe(3);
    expect(report.problems.map((p) => [p.code, p.index])).toEqual([
      ['entry_malformed', 3],
      ['entry_mismatch', 3],
    ]);

    const cut = edgeCopy();
    const bundle = edgeFile(cut, logEntriesKey(0))!;
    fs.writeFileSync(bundle, fs.readFileSync(bundle).subarray(0, 100));
    expect((await audit(cut)).problems).toEqual([expect.objectContaining({ code: 'entry_bundle_malformed', index: 0, tile: 'tile/entries/000' })]);
  });

  it('a missing entry bundle or tile', async () => {
    const dir = edgeCopy();
    fs.rmSync(edgeFile(dir, logEntriesKey(0))!);
    expect((await audit(dir)).problems).toEqual([expect.objectContaining({ code: 'entry_bundle_missing', index: 0 })]);
    const other = edgeCopy();
    fs.rmSync(edgeFile(other, logTileKey(0, 0))!);
    expect((await audit(other)).problems).toEqual([expect.objectContaining({ code: 'tile_missing', index: 0, tile: 'tile/0/000' })]);
  });

  it("a checkpoint whose text was changed after signing, and another log's", async () => {
    const dir = edgeCopy();
    const note = fs.readFileSync(checkpointFile(dir), 'utf8');
    fs.writeFileSync(checkpointFile(dir), note.replace(`\n${newer.size}\n`, `\n${newer.size - 1}\n`));
    expect((await audit(dir)).problems).toEqual([expect.objectContaining({ code: 'checkpoint_signature' })]);
    expect((await audit(edge, null, 'verify.example/log')).problems).toEqual([expect.objectContaining({ code: 'checkpoint_origin' })]);
  });

  it('a key list not under the pinned root, and a checkpoint signed by a key no list of ours names', async () => {
    // Another root: the key list (and so every log key in it) is not ours.
    const other = await rootTrust(publicJwk(await generateKeyPair()));
    const foreign = await auditLog(edgeLogSource(edge), { root: other, log: LOG, previous: null, now: new Date(NOW) });
    expect(foreign.problems).toEqual([expect.objectContaining({ code: 'key_list_invalid' })]);
    expect(foreign).toMatchObject({ ok: false, state: null, checkpoint: null });

    const dir = edgeCopy();
    const stranger = await noteSigner(LOG, await generateKeyPair());
    const note = fs.readFileSync(checkpointFile(dir), 'utf8');
    fs.writeFileSync(checkpointFile(dir), await signCheckpoint(parseCheckpoint(parseNote(note).text), stranger));
    const report = await audit(dir);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'checkpoint_signature' })]);
    expect(report.state).toBeNull();
  });

  it('a checkpoint the log key signed with a wrong root', async () => {
    const dir = edgeCopy();
    const wrong = await signCheckpoint({ origin: LOG, size: newer.size, root: new Uint8Array(32).fill(7) }, await logSigner());
    fs.writeFileSync(checkpointFile(dir), wrong);
    const report = await audit(dir);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'root_mismatch' })]);
    expect(report.firstBadIndex).toBeNull();
  });

  it('an older checkpoint swapped in: a rollback against the state', async () => {
    const dir = edgeCopy();
    fs.writeFileSync(checkpointFile(dir), older.note);
    // On its own the older checkpoint is a good one (its tiles are still published)...
    expect((await audit(dir)).ok).toBe(true);
    // ...but not after the newer one has been seen.
    const report = await audit(dir, newer.state);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'rollback' })]);
    expect(report.state).toBeNull();
  });

  it('a fork: the same size with another root, or a prefix that no longer gives the root seen', async () => {
    const dir = edgeCopy();
    const forked = await signCheckpoint({ origin: LOG, size: newer.size, root: new Uint8Array(32).fill(9) }, await logSigner());
    fs.writeFileSync(checkpointFile(dir), forked);
    const report = await audit(dir, newer.state);
    expect(report.problems.map((p) => p.code)).toEqual(['fork', 'root_mismatch']);
    // Both signed checkpoints: proof of the split view for anyone.
    expect(report.problems[0]!.evidence).toEqual([newer.note, forked]);

    const seen: LogState = { ...older.state, root: encodeBase64(new Uint8Array(32).fill(3)) };
    expect((await audit(edge, seen)).problems.map((p) => p.code)).toEqual(['inconsistent', 'fork']);
    expect((await audit(edge, { ...older.state, log: 'other.example/log' })).problems.map((p) => p.code)).toEqual(['state_other_log']);
  });
});

describe('qdyp log (the executable)', () => {
  const ENV = { PATH: process.env.PATH, HOME: process.env.HOME, QDYP_NOW: NOW, QDYP_ACTOR: 'log-test' };
  const qdyp = (args: string[]) => {
    const result = spawnSync(process.execPath, [BIN, '--db', reg.db, ...args], { env: ENV, encoding: 'utf8' });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  let servers: http.Server[] = [];
  afterAll(() => {
    for (const s of servers) s.close();
    servers = [];
  });

  it('log verify --state: exit 0 and the state kept; a tampered tile: exit 1, the state left as it was', () => {
    const state = path.join(tempDir(), 'log-state.json');
    const first = qdyp(['log', 'verify', '--state', state]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^OK: the log verifies/m);
    expect(readLogState(state)).toEqual(newer.state);
    const kept = fs.readFileSync(state, 'utf8');

    const dir = edgeCopy();
    flipByte(edgeFile(dir, logTileKey(0, 0))!, 42 * 32);
    // The registry's edge/ is the default source: a directory beside the copy stands for another
    // registry's (its root public key copied there, the log named by --origin).
    const other = path.dirname(dir);
    fs.copyFileSync(path.join(reg.dir, 'root.public.jwk'), path.join(other, 'root.public.jwk'));
    const bad = spawnSync(process.execPath, [BIN, '--db', path.join(other, 'qdyp.sqlite'), 'log', 'verify', '--state', state, '--origin', 'https://v.qdyp.cn', '--json'], { env: ENV, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    const report = JSON.parse(bad.stdout);
    expect(report).toMatchObject({ ok: false, firstBadIndex: 42, stateWritten: false, problems: [{ code: 'tile_mismatch', index: 42, tile: 'tile/0/000' }] });
    expect(fs.readFileSync(state, 'utf8')).toBe(kept);
  });

  it('log verify reports a rollback in words, and --from fetches over HTTP', async () => {
    const dir = edgeCopy();
    fs.writeFileSync(checkpointFile(dir), older.note);
    const server = edgeServer(dir);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const from = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const state = path.join(tempDir(), 'state.json');
    fs.writeFileSync(state, JSON.stringify({ format: 'qdyp-log-state', ...newer.state }));
    const run = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      // Asynchronously: this process serves the requests.
      const child = spawn(process.execPath, [BIN, '--db', reg.db, 'log', 'verify', '--from', from, '--origin', 'https://v.qdyp.cn', '--state', state], { env: ENV });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.on('exit', (code: number | null) => resolve({ code, stdout }));
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`rollback: the checkpoint has ${older.size} entries, fewer than the ${newer.size} of the checkpoint seen before`);
    expect(run.stdout).toContain(`source       ${from}`);
  });

  it('log verify refuses a state file that is not one, checking nothing', () => {
    const state = path.join(tempDir(), 'state.json');
    fs.writeFileSync(state, '{"format":"something else"}');
    const run = qdyp(['log', 'verify', '--state', state]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${state} is not a qdyp log state file`);
    expect(fs.readFileSync(state, 'utf8')).toBe('{"format":"something else"}');
    expect(qdyp(['log', 'verify', '--from', 'ftp://example.org']).code).toBe(2);
  });

  it('log show N and log search --licence', () => {
    const shown = qdyp(['log', 'show', '9', '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const { index, entry, text, leafHash } = JSON.parse(shown.stdout);
    expect(index).toBe(9);
    expect(entry.event).toBe('licence.issue');
    expect(JSON.stringify(entry)).toBe(text);
    expect(leafHash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(qdyp(['log', 'show', '9']).stdout).toMatch(/^event +licence\.issue$/m);
    expect(qdyp(['log', 'show', String(newer.size)])).toMatchObject({ code: 1, stderr: expect.stringContaining(`the log has no entry ${newer.size}`) });
    expect(qdyp(['log', 'show', 'x']).code).toBe(2);

    const found = qdyp(['log', 'search', '--licence', 'qdyp-2026-000007', '--json']);
    expect(found.code, found.stderr).toBe(0);
    expect(JSON.parse(found.stdout).map((r: { entry: { event: string } }) => r.entry.event)).toEqual(['licence.issue', 'licence.suspend']);
    expect(qdyp(['log', 'search', '--licence', 'QDYP-2026-000007']).stdout).toMatch(/licence\.suspend +QDYP-2026-000007 rev \d+ +suspended \(抽检不合格\)/);
    expect(qdyp(['log', 'search', '--licence', 'QDYP-2099-000001']).code).toBe(1);
  });
});
