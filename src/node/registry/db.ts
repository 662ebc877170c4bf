// Opening the registry's SQLite database: WAL so readers (the portal) never block the office,
// synchronous=FULL so a committed change survives a power cut, foreign keys enforced, and a
// busy timeout so the CLI and the console can share the file.

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { RefusedError } from '../errors.ts';
import { migrate, SCHEMA_VERSION, schemaVersion } from './migrations.ts';

export type Db = Database.Database;

export const BUSY_TIMEOUT_MS = 5000;

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/** A prepared statement, compiled once per connection (a batch import runs each many times). */
export function statement(db: Db, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let prepared = cache.get(sql);
  if (!prepared) cache.set(sql, (prepared = db.prepare(sql)));
  return prepared;
}

export function openDatabase(file: string, options: { create?: boolean; readonly?: boolean; now?: Date } = {}): Db {
  if (!options.create && !fs.existsSync(file)) {
    throw new RefusedError('no_registry', `no registry database at ${file} (run qdyp init, or give --db)`);
  }
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: !options.create, timeout: BUSY_TIMEOUT_MS });
  try {
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    const version = schemaVersion(db);
    if (version > SCHEMA_VERSION) {
      throw new RefusedError('registry_too_new', `the registry's schema is version ${version}; this qdyp knows up to ${SCHEMA_VERSION}: upgrade qdyp`);
    }
    if (!options.readonly) migrate(db, options.now ?? new Date());
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** The registry directory: the database, keys/ (private keys) and edge/ (published artifacts). */
export interface Registry {
  db: Db;
  dbPath: string;
  dir: string;
  keysDir: string;
  edgeDir: string;
  /**
   * Runs changes of this process one at a time. Signing happens between reading and writing,
   * so concurrent changes (a console serving several officers) would otherwise keep
   * invalidating each other; other processes are caught by the writes' own re-checks.
   */
  exclusive<T>(run: () => Promise<T>): Promise<T>;
  close(): void;
}

export interface RegistryPaths {
  dbPath: string;
  dir: string;
  keysDir: string;
  edgeDir: string;
  rootPublicJwk: string;
  defaultRootKey: string;
}

export function registryPaths(dbPath: string): RegistryPaths {
  const absolute = path.resolve(dbPath);
  const dir = path.dirname(absolute);
  return {
    dbPath: absolute,
    dir,
    keysDir: path.join(dir, 'keys'),
    edgeDir: path.join(dir, 'edge'),
    rootPublicJwk: path.join(dir, 'root.public.jwk'),
    defaultRootKey: path.join(dir, 'keys', 'root.jwk'),
  };
}

export function openRegistry(dbPath: string, options: { create?: boolean; readonly?: boolean; now?: Date } = {}): Registry {
  const paths = registryPaths(dbPath);
  const db = openDatabase(paths.dbPath, options);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    db,
    dbPath: paths.dbPath,
    dir: paths.dir,
    keysDir: paths.keysDir,
    edgeDir: paths.edgeDir,
    exclusive<T>(run: () => Promise<T>): Promise<T> {
      const result = queue.then(run);
      queue = result.catch(() => undefined);
      return result;
    },
    close: () => db.close(),
  };
}
