// Bulk revocations: a request by one officer to revoke several licences at once, carried out
// only when a second officer confirms it (four eyes). The request (who, when, why, which
// licences) never changes once made; a confirmation marks the row with its confirmer when it
// starts (the row still pending, so a confirmation cut short by a crash can be resumed and is
// never cancelled half-done), then done with the outcome per licence; a request may instead be
// cancelled. Done and cancelled are final, and rows are never deleted (the schema's triggers
// hold all three). Checking and auditing belong to the issuer (issuer/officers.ts).

import { statement, type Db } from './db.ts';

export type BulkRevocationState = 'pending' | 'done' | 'cancelled';

/** What became of one licence of a confirmed bulk revocation. */
export interface BulkRevocationResult {
  number: string;
  /** revoked: by this confirmation; already_revoked: revoked meanwhile (skipped); refused: see message. */
  result: 'revoked' | 'already_revoked' | 'refused';
  message?: string;
}

export interface BulkRevocationOutcome {
  revoked: number;
  alreadyRevoked: number;
  refused: number;
  licences: BulkRevocationResult[];
}

export interface BulkRevocationRecord {
  id: number;
  requestedBy: string;
  /** ISO-8601 UTC instants. */
  requestedAt: string;
  reason: string;
  /** Licence numbers, each once, in the order requested. */
  numbers: string[];
  state: BulkRevocationState;
  /**
   * The confirmer (set when a confirmation starts: a pending row with one is being, or was
   * being, confirmed) or, for a cancelled row, who cancelled it.
   */
  decidedBy: string | null;
  decidedAt: string | null;
  outcome: BulkRevocationOutcome | null;
}

interface BulkRevocationRow {
  id: number;
  requested_by: string;
  requested_at: string;
  reason: string;
  numbers: string;
  state: BulkRevocationState;
  decided_by: string | null;
  decided_at: string | null;
  outcome: string | null;
}

function fromRow(row: BulkRevocationRow): BulkRevocationRecord {
  return {
    id: row.id,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    reason: row.reason,
    numbers: JSON.parse(row.numbers) as string[],
    state: row.state,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    outcome: row.outcome === null ? null : (JSON.parse(row.outcome) as BulkRevocationOutcome),
  };
}

/** Whether the registry has the bulk_revocations table (schema version 7). */
export function hasBulkRevocations(db: Db): boolean {
  return statement(db, `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'bulk_revocations'`).get() !== undefined;
}

export function getBulkRevocation(db: Db, id: number): BulkRevocationRecord | undefined {
  const row = statement(db, 'SELECT * FROM bulk_revocations WHERE id = ?').get(id) as BulkRevocationRow | undefined;
  return row && fromRow(row);
}

/** Bulk revocations, newest first; `state` filters. */
export function listBulkRevocations(db: Db, filter: { state?: BulkRevocationState } = {}): BulkRevocationRecord[] {
  const rows =
    filter.state === undefined
      ? (statement(db, 'SELECT * FROM bulk_revocations ORDER BY id DESC').all() as BulkRevocationRow[])
      : (statement(db, 'SELECT * FROM bulk_revocations WHERE state = ? ORDER BY id DESC').all(filter.state) as BulkRevocationRow[]);
  return rows.map(fromRow);
}

/** Stores a pending request; returns its id. */
export function insertBulkRevocation(db: Db, request: { requestedBy: string; requestedAt: string; reason: string; numbers: readonly string[] }): number {
  const result = statement(db, `INSERT INTO bulk_revocations (requested_by, requested_at, reason, numbers, state) VALUES (?, ?, ?, ?, 'pending')`).run(
    request.requestedBy,
    request.requestedAt,
    request.reason,
    JSON.stringify(request.numbers),
  );
  return Number(result.lastInsertRowid);
}

/**
 * Marks a pending request as being confirmed by `by`; false if it is not pending, or another
 * officer's confirmation started after `staleBefore` (it may still be running: two must never
 * revoke the same list at once; one older than that was cut short and may be taken over).
 */
export function startBulkRevocationRow(db: Db, id: number, by: string, at: string, staleBefore = at): boolean {
  return (
    statement(db, `UPDATE bulk_revocations SET decided_by = ?, decided_at = ? WHERE id = ? AND state = 'pending' AND (decided_by IS NULL OR decided_by = ? OR decided_at <= ?)`).run(
      by,
      at,
      id,
      by,
      staleBefore,
    ).changes === 1
  );
}

/** Marks a pending request done by `by`, with its outcome; false if it is not pending. */
export function finishBulkRevocationRow(db: Db, id: number, by: string, at: string, outcome: BulkRevocationOutcome): boolean {
  return (
    statement(db, `UPDATE bulk_revocations SET state = 'done', decided_by = ?, decided_at = ?, outcome = ? WHERE id = ? AND state = 'pending'`).run(by, at, JSON.stringify(outcome), id)
      .changes === 1
  );
}

/** Cancels a pending request whose confirmation has not started; false otherwise. */
export function cancelBulkRevocationRow(db: Db, id: number, by: string, at: string): boolean {
  return (
    statement(db, `UPDATE bulk_revocations SET state = 'cancelled', decided_by = ?, decided_at = ? WHERE id = ? AND state = 'pending' AND decided_by IS NULL`).run(by, at, id)
      .changes === 1
  );
}
