// The reports inbox on Node: a SQLite file (`reports.sqlite`, WAL) and a `photos/` folder in
// the verifier's own data directory — never the registry, which the edge never touches. The
// schema is the one wrangler applies to D1 (src/worker/migrations/0001_reports.sql). Every add writes in
// one fixed order — the photo to a temporary name, fsync'd, renamed to `photos/{id}` and the
// folder fsync'd, then the row that names it in one transaction — and removes the photo when
// the row fails. A crash between the two leaves only a photo no row names: opening the inbox
// and every ack sweep those.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { forgetBefore, InboxUnavailable, insertParams, mergeable, newReportId, ORPHAN_GRACE_MS, retentionCutoff, SQL, toRecord, type ReportInbox, type ReportInput, type ReportRow } from '../web/index.ts';

export const REPORTS_FILE = 'reports.sqlite';
export const PHOTOS_DIR = 'photos';
const MIGRATIONS = fileURLToPath(new URL('../worker/migrations/', import.meta.url));
const PHOTO_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export interface NodeInbox extends ReportInbox {
  close(): void;
}

/** Opens (and creates or migrates) the inbox in `dataDir`, sweeping photos no row names. */
export function openReportInbox(dataDir: string, options: { clock?: () => Date } = {}): NodeInbox {
  fs.mkdirSync(path.join(dataDir, PHOTOS_DIR), { recursive: true, mode: 0o700 });
  const db = new Database(path.join(dataDir, REPORTS_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  const photos = path.join(dataDir, PHOTOS_DIR);
  const clock = options.clock ?? (() => new Date());

  const stmt = Object.fromEntries(Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)])) as Record<keyof typeof SQL, Database.Statement>;
  const insertRow = db.transaction((params: (string | number | null)[]) => {
    stmt.nextCursor.run();
    stmt.insert.run(...params);
  });
  const mergeRow = db.transaction((id: string) => {
    stmt.nextCursor.run();
    stmt.merge.run(id);
  });
  const ackRows = db.transaction((cursor: number, cutoff: string) => {
    const keys = (stmt.ackedPhotos.all(cursor) as { photo_key: string }[]).map((r) => r.photo_key);
    stmt.clearPhotos.run(cursor);
    stmt.ack.run(cursor);
    stmt.retention.run(cutoff);
    return keys;
  });

  const guard = <T>(work: () => T): T => {
    try {
      return work();
    } catch (error) {
      if (error instanceof InboxUnavailable) throw error;
      throw new InboxUnavailable(`the reports store failed (${error instanceof Error ? error.name : 'error'})`);
    }
  };

  const retry = (report: ReportInput) =>
    report.inspectorId !== null && report.idempotencyKey !== null ? (stmt.findRetry.get(report.inspectorId, report.idempotencyKey) as { id: string } | undefined) : undefined;

  function writePhoto(name: string, bytes: Uint8Array): void {
    const temp = path.join(photos, `.${name}.${process.pid}.tmp`);
    const fd = fs.openSync(temp, 'wx', 0o600);
    try {
      fs.writeSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, path.join(photos, name));
    const dir = fs.openSync(photos, 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
  }

  function removePhoto(name: string): void {
    if (PHOTO_NAME.test(name)) fs.rmSync(path.join(photos, name), { force: true });
  }

  /** Photos (and temporary files) no row names, older than the grace period. */
  function sweep(now: Date, graceMs = ORPHAN_GRACE_MS): void {
    for (const name of fs.readdirSync(photos)) {
      const file = path.join(photos, name);
      const named = PHOTO_NAME.test(name) && stmt.named.get(name) !== undefined;
      if (named) continue;
      const stat = fs.statSync(file, { throwIfNoEntry: false });
      if (stat && now.getTime() - stat.mtimeMs >= graceMs) fs.rmSync(file, { force: true });
    }
  }

  // At open nothing can be between its writes in this process: sweep every orphan.
  guard(() => sweep(clock(), -Infinity));

  return {
    add: async (report) =>
      guard(() => {
        const first = retry(report);
        if (first) return { id: first.id, created: false };
        if (mergeable(report)) {
          const earlier = stmt.findMerge.get(report.seal, report.outcome) as { id: string } | undefined;
          if (earlier) {
            mergeRow(earlier.id);
            return { id: earlier.id, created: false };
          }
        }
        const id = newReportId();
        const photoKey = report.photo ? id : null;
        if (photoKey) writePhoto(photoKey, report.photo!.bytes);
        try {
          insertRow(insertParams(id, report, photoKey));
        } catch (error) {
          if (photoKey) removePhoto(photoKey);
          const raced = retry(report);
          if (raced) return { id: raced.id, created: false };
          throw error;
        }
        return { id, created: true };
      }),

    after: async (after, limit) => guard(() => (stmt.after.all(after, limit) as ReportRow[]).map(toRecord)),

    photo: async (id) =>
      guard(() => {
        const row = stmt.photo.get(id) as { photo_key: string; photo_type: string } | undefined;
        if (!row || !PHOTO_NAME.test(row.photo_key)) return null;
        try {
          return { bytes: new Uint8Array(fs.readFileSync(path.join(photos, row.photo_key))), type: row.photo_type };
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
          throw error;
        }
      }),

    ack: async (cursor, now, retentionDays) =>
      guard(() => {
        // Rows first: a crash before the deletes leaves only orphans, which the sweep takes.
        for (const key of ackRows(cursor, retentionCutoff(now, retentionDays))) removePhoto(key);
        sweep(now);
      }),

    useNonce: async (nonce, until) =>
      guard(() => {
        const untilS = Math.ceil(until.getTime() / 1000);
        stmt.forgetNonces.run(forgetBefore(untilS));
        return stmt.useNonce.run(nonce, untilS).changes === 1;
      }),

    close: () => db.close(),
  };
}

/** Applies migrations/*.sql not yet applied, in name order, each in one transaction. */
function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TEXT NOT NULL)');
  const applied = new Set((db.prepare('SELECT name FROM d1_migrations').all() as { name: string }[]).map((r) => r.name));
  for (const name of fs.readdirSync(MIGRATIONS).filter((n) => n.endsWith('.sql')).sort()) {
    if (applied.has(name)) continue;
    const sql = fs.readFileSync(path.join(MIGRATIONS, name), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO d1_migrations (name, applied_at) VALUES (?, ?)').run(name, new Date().toISOString());
    })();
  }
}
