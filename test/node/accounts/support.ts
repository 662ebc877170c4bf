// A throttle or session database of its own in a temp directory, opened like the portal would.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';
import { tempDir } from '../support.ts';

const open: Database.Database[] = [];
afterAll(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});

export function accountsDb(file = path.join(tempDir('qdyp-accounts-'), 'portal.sqlite')): { db: Database.Database; file: string } {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  open.push(db);
  return { db, file };
}

/** A clock that starts at `start` and moves only when told. */
export function clock(start = '2026-11-27T04:00:00Z'): { now: () => Date; advance: (seconds: number) => Date } {
  let at = new Date(start).getTime();
  return {
    now: () => new Date(at),
    advance: (seconds) => new Date((at += seconds * 1000)),
  };
}
