// A service's own database (the portal's, the console's): in a directory of mode 0700, the file
// of mode 0600 — it holds password hashes or session secrets, readable by the service's account
// only (SQLite gives -wal and -shm the same mode) — WAL and synchronous FULL, the service's
// schema, and the sessions and throttles (sessions.ts, throttle.ts) kept in it.

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SessionStore, type SessionOptions } from './sessions.ts';
import { Throttle, type ThrottleOptions } from './throttle.ts';

export interface AccountsDatabaseOptions {
  sessions?: SessionOptions;
  throttle?: ThrottleOptions;
}

export interface AccountsDatabase {
  db: Database.Database;
  /** The database's path: `name` in `dir`. */
  file: string;
  sessions: SessionStore;
  throttle: Throttle;
}

/**
 * Opens (creating if need be) the database `name` in `dir` and applies `schema` (statements
 * that create what is missing). Closed again if any of it fails.
 */
export function openAccountsDatabase(dir: string, name: string, schema: string, options: AccountsDatabaseOptions = {}): AccountsDatabase {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, name);
  const db = new Database(file, { timeout: 5000 });
  try {
    fs.chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(schema);
    return { db, file, sessions: new SessionStore(db, options.sessions), throttle: new Throttle(db, options.throttle) };
  } catch (error) {
    db.close();
    throw error;
  }
}
