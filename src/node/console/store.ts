// The console's own database (console/console.sqlite beside the registry): officers' sessions
// and sign-in throttles (src/node/accounts), the forms already submitted (so a form sent twice
// — Back, a double click — changes nothing twice) and the imports uploaded through the page.
// The officer accounts themselves are in the registry (qdyp officer add); nothing here is a
// record of the programme: losing this file signs officers out and forgets half-done uploads.

import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { openAccountsDatabase, type AccountsDatabaseOptions, type SessionStore, type Throttle } from '../accounts/index.ts';

export const CONSOLE_DB_FILE = 'console.sqlite';
/** A form's once-token is remembered this long: longer than any session that could send it. */
const FORMS_KEPT_MS = 24 * 60 * 60 * 1000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS console_forms (
    once       TEXT PRIMARY KEY,
    account    TEXT NOT NULL,
    used_at    INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS console_forms_used ON console_forms (used_at);
  CREATE TABLE IF NOT EXISTS console_imports (
    id          INTEGER PRIMARY KEY,
    file        TEXT NOT NULL,        -- the upload, under uploads/ (mode 0600)
    name        TEXT NOT NULL,        -- the file name the officer uploaded
    sha256      TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('refused', 'checked', 'running', 'done', 'failed')),
    report      TEXT,                 -- JSON: the check's summary or refusal (problems by line)
    started_by  TEXT,
    started_at  TEXT,
    finished_at TEXT,
    done_rows   INTEGER NOT NULL DEFAULT 0,
    total_rows  INTEGER NOT NULL DEFAULT 0
  ) STRICT;
`;

export type ImportState = 'refused' | 'checked' | 'running' | 'done' | 'failed';

export interface ConsoleImport {
  id: number;
  file: string;
  name: string;
  sha256: string;
  bytes: number;
  uploadedBy: string;
  uploadedAt: string;
  state: ImportState;
  report: unknown;
  startedBy: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  doneRows: number;
  totalRows: number;
}

interface ImportRow {
  id: number;
  file: string;
  name: string;
  sha256: string;
  bytes: number;
  uploaded_by: string;
  uploaded_at: string;
  state: ImportState;
  report: string | null;
  started_by: string | null;
  started_at: string | null;
  finished_at: string | null;
  done_rows: number;
  total_rows: number;
}

function fromRow(row: ImportRow): ConsoleImport {
  return {
    id: row.id,
    file: row.file,
    name: row.name,
    sha256: row.sha256,
    bytes: row.bytes,
    uploadedBy: row.uploaded_by,
    uploadedAt: row.uploaded_at,
    state: row.state,
    report: row.report === null ? null : (JSON.parse(row.report) as unknown),
    startedBy: row.started_by,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    doneRows: row.done_rows,
    totalRows: row.total_rows,
  };
}

export type ConsoleStoreOptions = AccountsDatabaseOptions;

export class ConsoleStore {
  readonly dir: string;
  readonly uploadsDir: string;
  readonly sessions: SessionStore;
  readonly throttle: Throttle;
  readonly #db: Database.Database;

  /** Opens (creating if need be) the database in `dir`, a directory of mode 0700. */
  constructor(dir: string, options: ConsoleStoreOptions = {}) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.dir = dir;
    this.uploadsDir = path.join(dir, 'uploads');
    fs.mkdirSync(this.uploadsDir, { recursive: true, mode: 0o700 });
    const { db, sessions, throttle } = openAccountsDatabase(dir, CONSOLE_DB_FILE, SCHEMA, options);
    this.sessions = sessions;
    this.throttle = throttle;
    this.#db = db;
  }

  /**
   * Marks a form's once-token used: true the first time, false when it was sent before (the
   * second click, or Back and send again), so the action runs once.
   */
  useForm(once: string, account: string, now: Date): boolean {
    const at = now.getTime();
    return this.#db
      .transaction(() => {
        this.#db.prepare('DELETE FROM console_forms WHERE used_at <= ?').run(at - FORMS_KEPT_MS);
        return this.#db.prepare('INSERT INTO console_forms (once, account, used_at) VALUES (?, ?, ?) ON CONFLICT (once) DO NOTHING').run(once, account, at).changes === 1;
      })
      .immediate();
  }

  addImport(a: { file: string; name: string; sha256: string; bytes: number; uploadedBy: string; uploadedAt: string; state: ImportState; report: unknown; totalRows: number }): ConsoleImport {
    const id = this.#db
      .prepare(
        `INSERT INTO console_imports (file, name, sha256, bytes, uploaded_by, uploaded_at, state, report, total_rows)
         VALUES (@file, @name, @sha256, @bytes, @uploadedBy, @uploadedAt, @state, @report, @totalRows)`,
      )
      .run({ ...a, report: JSON.stringify(a.report) }).lastInsertRowid;
    return this.import(Number(id))!;
  }

  import(id: number): ConsoleImport | undefined {
    const row = this.#db.prepare('SELECT * FROM console_imports WHERE id = ?').get(id) as ImportRow | undefined;
    return row && fromRow(row);
  }

  imports(limit = 20): ConsoleImport[] {
    return (this.#db.prepare('SELECT * FROM console_imports ORDER BY id DESC LIMIT ?').all(limit) as ImportRow[]).map(fromRow);
  }

  /**
   * Claims a checked (or failed, interrupted) import for running, if no import is running:
   * 'started', or why not ('busy': another import is running; 'state': this one is not
   * waiting to run). One statement, so two requests cannot both start one.
   */
  startImport(id: number, by: string, at: string): 'started' | 'busy' | 'state' {
    return this.#db
      .transaction(() => {
        if (this.runningImport() !== undefined) return 'busy';
        const started = this.#db
          .prepare(`UPDATE console_imports SET state = 'running', started_by = ?, started_at = ?, finished_at = NULL WHERE id = ? AND state IN ('checked', 'failed')`)
          .run(by, at, id).changes;
        return started === 1 ? 'started' : 'state';
      })
      .immediate();
  }

  /** The import running now, if any. */
  runningImport(): ConsoleImport | undefined {
    const row = this.#db.prepare(`SELECT * FROM console_imports WHERE state = 'running' ORDER BY id LIMIT 1`).get() as ImportRow | undefined;
    return row && fromRow(row);
  }

  importProgress(id: number, done: number, total: number): void {
    this.#db.prepare('UPDATE console_imports SET done_rows = ?, total_rows = ? WHERE id = ?').run(done, total, id);
  }

  /** The end of a run: done, failed (to be run again) or refused (the file is bad: nothing was imported). */
  finishImport(id: number, state: 'done' | 'failed' | 'refused', report: unknown, at: string): void {
    this.#db.prepare(`UPDATE console_imports SET state = ?, report = ?, finished_at = ? WHERE id = ? AND state = 'running'`).run(state, JSON.stringify(report), at, id);
  }

  /**
   * Imports left 'running' by a process that stopped: failed, to be resumed (the import skips
   * what it committed). The report keeps the check's summary and says it was interrupted.
   */
  interruptedImports(at: string): number {
    return this.#db
      .prepare(`UPDATE console_imports SET state = 'failed', finished_at = ?, report = json_set(coalesce(report, '{}'), '$.kind', 'failed', '$.interrupted', json('true')) WHERE state = 'running'`)
      .run(at).changes;
  }

  close(): void {
    this.#db.close();
  }
}
