// Helpers for the registry and CLI tests: temp registries, in-process runs of `qdyp`, and a
// dump of every table to prove a refused command changed nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect } from 'vitest';
import { main } from '../../src/node/cli/main.ts';
import { initRegistry, type IssuerContext } from '../../src/node/issuer/index.ts';

export const NOW = '2026-11-27T04:00:00Z'; // 12:00 in Beijing
export const ORIGIN = 'https://v.qdyp.cn';
/** Real, valid 统一社会信用代码 check characters (GB 32100-2015). */
export const USCC = {
  a: '91370200163562681G',
  b: '91330100716105852F',
  c: '9144030071526726XG',
} as const;

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'qdyp-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json<T = any>(): T;
}

/** Runs `qdyp ARGV` in-process with a fixed clock and a clean environment. */
export async function qdyp(argv: string[], env: Record<string, string | undefined> = {}, cwd = os.tmpdir()): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: { QDYP_NOW: NOW, QDYP_ACTOR: 'test-officer', ...env },
    cwd,
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

/** A fresh registry made through the CLI; returns a runner bound to its --db. */
export async function cliRegistry(): Promise<{ dir: string; db: string; run: (argv: string[], env?: Record<string, string | undefined>) => Promise<Run> }> {
  const dir = tempDir();
  const db = path.join(dir, 'qdyp.sqlite');
  const init = await qdyp(['--db', db, 'init', '--origin', ORIGIN]);
  if (init.code !== 0) throw new Error(`init failed: ${init.stderr}`);
  return { dir, db, run: (argv, env) => qdyp([...argv, '--db', db], env) };
}

/** A fresh registry opened through the issuer API. */
export async function apiRegistry(now = new Date(NOW)): Promise<IssuerContext & { dir: string }> {
  const dir = tempDir();
  const { registry } = await initRegistry({ dbPath: path.join(dir, 'qdyp.sqlite'), origin: ORIGIN, now, actor: 'test-officer' });
  return { registry, now, actor: 'test-officer', dir };
}

/** Every table's schema and rows, in a stable order. */
export function dumpTables(dbFile: string): Record<string, unknown> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const out: Record<string, unknown> = {};
    const tables = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string; sql: string }[];
    for (const { name, sql } of tables) {
      // A WITHOUT ROWID table (log_tiles) is read in its primary key's order.
      const order = /WITHOUT ROWID\s*$/i.test(sql) ? '' : ' ORDER BY rowid';
      out[name] = { sql, rows: db.prepare(`SELECT * FROM "${name}"${order}`).all() };
    }
    out['(schema)'] = db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY type, name').all();
    return out;
  } finally {
    db.close();
  }
}

/**
 * Takes an open database (better-sqlite3, foreign keys off) made by the current code back to
 * schema version 8, before the transparency log: what the tests of older migrations start from.
 * The log key goes too (v8 knew one role); the key list text in config is left as it is.
 */
export function revertLogSchema(raw: Database.Database): void {
  const has = (table: string) => raw.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) !== undefined;
  raw.exec('DROP TABLE IF EXISTS log_entries; DROP TABLE IF EXISTS log_tiles');
  raw.exec(`DELETE FROM keys WHERE role = 'log'; DROP INDEX keys_one_active; ALTER TABLE keys DROP COLUMN role`);
  raw.exec(`CREATE UNIQUE INDEX keys_one_active ON keys (status) WHERE status = 'active'`);
  raw.exec('ALTER TABLE licences DROP COLUMN log_index');
  if (has('publish_targets')) raw.exec('ALTER TABLE publish_targets DROP COLUMN log_size');
  raw.exec('DELETE FROM schema_migrations WHERE version >= 9');
}

/**
 * A dump (dumpTables) with what migration 9 adds taken out: its tables, and its columns of keys,
 * licences and publish_targets (those three compared by rows only). Older migrations' tests
 * compare a registry before and after migrating with it.
 */
export function withoutLogSchema(dump: Record<string, unknown>): Record<string, unknown> {
  const added: Record<string, string> = { keys: 'role', licences: 'log_index', publish_targets: 'log_size' };
  const out: Record<string, unknown> = {};
  for (const [name, table] of Object.entries(dump)) {
    if (name === 'log_entries' || name === 'log_tiles' || name === '(schema)') continue;
    const column = added[name];
    if (!column) {
      out[name] = table;
      continue;
    }
    const rows = (table as { rows: Record<string, unknown>[] }).rows.map(({ [column]: _, ...rest }) => rest);
    out[name] = { rows };
  }
  return out;
}

/** The seal URL of a licence, through the CLI. */
export async function sealUrlOf(run: (argv: string[]) => Promise<Run>, number: string): Promise<string> {
  const shown = await run(['licence', 'show', number, '--json']);
  if (shown.code !== 0) throw new Error(shown.stderr);
  return shown.json().sealUrl as string;
}

/** Every file under `dir` (recursively), by relative path: to prove a refused command wrote nothing. */
export function filesUnder(dir: string, encoding: BufferEncoding = 'utf8'): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  const files: Record<string, string> = {};
  for (const name of (fs.readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const file = path.join(dir, name);
    if (fs.statSync(file).isFile()) files[name] = fs.readFileSync(file, encoding);
  }
  return files;
}

export interface TwoHolderRegistry {
  dir: string;
  db: string;
  run: (argv: string[], env?: Record<string, string | undefined>) => Promise<Run>;
  /** A's licences in every state (aEnding: 65 days after NOW, renewal due) and B's one. */
  numbers: { a1: string; aSuspended: string; aRevoked: string; aEnding: string; b1: string };
}

/** Runs a CLI command that must succeed; its stdout. */
export async function ok(run: TwoHolderRegistry['run'], argv: string[]): Promise<string> {
  const r = await run(argv);
  expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/**
 * A registry made through the CLI with holders A (青岛海滨食品有限公司, 黄岛区) and B (Hangzhou Tea
 * Co.), A's licences valid, suspended, revoked and ending soon, and B's one: what the portal's
 * and the console's tests start from.
 */
export async function twoHolderRegistry(): Promise<TwoHolderRegistry> {
  const reg = await cliRegistry();
  const run = reg.run;
  await ok(run, ['holder', 'add', '--uscc', USCC.a, '--name', '青岛海滨食品有限公司', '--address', '青岛市黄岛区长江中路 1 号', '--region', '370211']);
  await ok(run, ['holder', 'add', '--uscc', USCC.b, '--name', 'Hangzhou Tea Co.']);
  const issue = async (holder: string, product: string, until: string) =>
    (await ok(run, ['licence', 'issue', '--holder', holder, '--tier', 'product', '--sector', 'marine', '--chain', '海洋食品', '--product', product, '--trademark', '海滨', '--until', until])).split('\n')[0]!;
  const numbers = {
    a1: await issue(USCC.a, '即食海参', '2028-12-31'),
    aSuspended: await issue(USCC.a, '虾皮', '2028-12-31'),
    aRevoked: await issue(USCC.a, '鱿鱼丝', '2028-12-31'),
    aEnding: await issue(USCC.a, '海带', '2027-01-31'),
    b1: await issue(USCC.b, '龙井绿茶', '2028-12-31'),
  };
  await ok(run, ['licence', 'suspend', numbers.aSuspended, '--reason', '抽检不合格，整改期间暂停']);
  await ok(run, ['licence', 'revoke', numbers.aRevoked, '--reason', '超出授权范围使用标识']);
  return { ...reg, numbers };
}
