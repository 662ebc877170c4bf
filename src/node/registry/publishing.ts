// What each publishing target still lacks. Every change records itself here in its own
// transaction (the registry functions that write licences and the key list call recordChange),
// so a crash between a change and its publication leaves it pending, never lost: the next
// publish (cron, `qdyp publish`, the next changing command) writes it.

import { statement, type Db } from './db.ts';

export const PUBLISH_TARGETS = ['local', 'cloudflare'] as const;
export type PublishTarget = (typeof PUBLISH_TARGETS)[number];

/** A licence whose published entry must be (re)written, at this revision or later. */
export interface PendingEntry {
  serial: number;
  revision: number;
}

/** Records a change for every target: lists to sign afresh, and these licences' entries. */
export function recordChange(db: Db, entries: readonly PendingEntry[] = []): void {
  statement(db, 'UPDATE publish_targets SET changed = changed + 1').run();
  const pend = statement(
    db,
    `INSERT INTO pending_entries (target, serial, revision) SELECT name, ?, ? FROM publish_targets WHERE true
     ON CONFLICT (target, serial) DO UPDATE SET revision = max(revision, excluded.revision)`,
  );
  for (const entry of entries) pend.run(entry.serial, entry.revision);
}

/** Makes `target` one to publish to; a new target needs everything (a full publication). */
export function ensureTarget(db: Db, target: PublishTarget): void {
  const made = statement(db, 'INSERT INTO publish_targets (name) VALUES (?) ON CONFLICT (name) DO NOTHING').run(target);
  if (made.changes === 1) statement(db, 'INSERT INTO pending_entries (target, serial, revision) SELECT ?, serial, revision FROM licences').run(target);
}

/**
 * Everything is to be written to `target` again (a restored registry's edge directory may hold
 * anything): with `log`, the transparency log's tiles too, from 0.
 */
export function resetTarget(db: Db, target: PublishTarget, log = true): void {
  ensureTarget(db, target);
  statement(db, `UPDATE publish_targets SET changed = changed + 1${log ? ', log_size = 0' : ''} WHERE name = ?`).run(target);
  statement(
    db,
    `INSERT INTO pending_entries (target, serial, revision) SELECT ?, serial, revision FROM licences WHERE true
     ON CONFLICT (target, serial) DO UPDATE SET revision = max(revision, excluded.revision)`,
  ).run(target);
}

/**
 * Every licence entry is to be written to every target again: after a key compromise, entries
 * the compromised key signed stop verifying until re-signed. (The log's tiles are hashes of
 * the entries, signed by no issuing key: they stay.)
 */
export function resetAllTargets(db: Db): void {
  for (const { target } of targetStates(db)) resetTarget(db, target, false);
}

export interface TargetState {
  target: PublishTarget;
  /** The change counter as read: passed back to markPublished. */
  changed: number;
  published: number;
  publishedAt: string | null;
  pendingEntries: number;
}

export function targetStates(db: Db): TargetState[] {
  return (
    statement(
      db,
      `SELECT t.name AS target, t.changed, t.published, t.published_at AS publishedAt,
         (SELECT count(*) FROM pending_entries p WHERE p.target = t.name) AS pendingEntries
       FROM publish_targets t ORDER BY t.name`,
    ).all() as TargetState[]
  );
}

export function targetState(db: Db, target: PublishTarget): TargetState | undefined {
  return targetStates(db).find((t) => t.target === target);
}

/**
 * The `iat` (seconds) for `target`'s next lists: now, or one past the last one signed for it,
 * whichever is later — the same as the last when nothing changed since (the lists say the same,
 * so a tie is harmless). Recorded at once (inside the publication's transaction), so two
 * publications never sign different lists with one time, and none goes back: a long import
 * publishing after a quick revocation still dates its lists after the revocation's.
 */
export function nextListIat(db: Db, target: PublishTarget, now: Date): number {
  const row = statement(db, 'SELECT list_iat, changed, published FROM publish_targets WHERE name = ?').get(target) as
    | { list_iat: number; changed: number; published: number }
    | undefined;
  const unchanged = row !== undefined && row.changed <= row.published && pendingEntryCount(db, target) === 0;
  const iat = Math.max(Math.floor(now.getTime() / 1000), (row?.list_iat ?? 0) + (unchanged ? 0 : 1));
  statement(db, 'UPDATE publish_targets SET list_iat = ? WHERE name = ?').run(iat, target);
  return iat;
}

/** Raises the floor of `target`'s list times (restore: past what the edge already has). */
export function raiseListIat(db: Db, target: PublishTarget, iat: number): void {
  ensureTarget(db, target);
  statement(db, 'UPDATE publish_targets SET list_iat = max(list_iat, ?) WHERE name = ?').run(iat, target);
}

/**
 * Takes `target`'s lease until `until` (ISO), or returns false when another process holds one
 * that has not run out. Released with releaseLease.
 */
export function takeLease(db: Db, target: PublishTarget, now: Date, until: Date): boolean {
  ensureTarget(db, target);
  const taken = statement(db, 'UPDATE publish_targets SET lease_until = ? WHERE name = ? AND (lease_until IS NULL OR lease_until < ?)').run(until.toISOString(), target, now.toISOString());
  return taken.changes === 1;
}

export function releaseLease(db: Db, target: PublishTarget): void {
  statement(db, 'UPDATE publish_targets SET lease_until = NULL WHERE name = ?').run(target);
}

function pendingEntryCount(db: Db, target: PublishTarget): number {
  return (statement(db, 'SELECT count(*) AS n FROM pending_entries WHERE target = ?').get(target) as { n: number }).n;
}

/** The licences whose entry `target` lacks. */
export function pendingEntries(db: Db, target: PublishTarget): PendingEntry[] {
  return statement(db, 'SELECT serial, revision FROM pending_entries WHERE target = ? ORDER BY serial').all(target) as PendingEntry[];
}

/**
 * After a publication of the registry as of `changed` that wrote `written` (serial → the
 * revision written): those entries are no longer pending unless a later change moved them
 * again, and the lists are current if nothing changed since.
 */
export function markPublished(db: Db, target: PublishTarget, changed: number, written: ReadonlyMap<number, number>, at: string): void {
  const done = statement(db, 'DELETE FROM pending_entries WHERE target = ? AND serial = ? AND revision <= ?');
  for (const [serial, revision] of written) done.run(target, serial, revision);
  statement(db, 'UPDATE publish_targets SET published = max(published, ?), published_at = ? WHERE name = ?').run(changed, at, target);
}

/** Every target with something unpublished: changes not yet in its lists, or entries. */
export function unpublished(db: Db): TargetState[] {
  return targetStates(db).filter((t) => t.changed > t.published || t.pendingEntries > 0);
}
