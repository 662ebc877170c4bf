// Inspectors (市场监管) and the tokens issued to them: one row per token, keyed by the
// inspector id the token names. The token itself is stored nowhere (it is shown once, when
// made); its `jti` is kept so that a revocation can publish it. Revocations are final and rows
// are never deleted (the schema's triggers hold both), so the count of revoked rows is a
// version that only grows: the revoked-inspectors list carries it.

import { statement, type Db } from './db.ts';

export interface InspectorRecord {
  id: string;
  name: string;
  jti: string;
  /** ISO-8601 UTC instants. */
  issuedAt: string;
  expiresAt: string;
  /** The issuing key that signed the token. */
  kid: string;
  revokedAt: string | null;
  revokeReason: string | null;
}

interface InspectorRow {
  id: string;
  name: string;
  jti: string;
  issued_at: string;
  expires_at: string;
  kid: string;
  revoked_at: string | null;
  revoke_reason: string | null;
}

function fromRow(row: InspectorRow): InspectorRecord {
  return {
    id: row.id,
    name: row.name,
    jti: row.jti,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    kid: row.kid,
    revokedAt: row.revoked_at,
    revokeReason: row.revoke_reason,
  };
}

/** Whether the registry has the inspectors table (schema version 5; an unmigrated backup has not). */
export function hasInspectors(db: Db): boolean {
  return statement(db, `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'inspectors'`).get() !== undefined;
}

export function getInspector(db: Db, id: string): InspectorRecord | undefined {
  const row = statement(db, 'SELECT * FROM inspectors WHERE id = ?').get(id) as InspectorRow | undefined;
  return row && fromRow(row);
}

/** Every inspector token issued, oldest first. */
export function listInspectors(db: Db): InspectorRecord[] {
  return (statement(db, 'SELECT * FROM inspectors ORDER BY issued_at, id').all() as InspectorRow[]).map(fromRow);
}

export function insertInspector(db: Db, inspector: InspectorRecord): void {
  statement(db, 'INSERT INTO inspectors (id, name, jti, issued_at, expires_at, kid, revoked_at, revoke_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
    inspector.id,
    inspector.name,
    inspector.jti,
    inspector.issuedAt,
    inspector.expiresAt,
    inspector.kid,
    inspector.revokedAt,
    inspector.revokeReason,
  );
}

/** Marks the token revoked; false if there is no such inspector or it was revoked already. */
export function revokeInspectorRow(db: Db, id: string, at: string, reason: string | null): boolean {
  return statement(db, 'UPDATE inspectors SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL').run(at, reason, id).changes === 1;
}

/** How many tokens have ever been revoked: the revoked-inspectors list's version. */
export function revocationCount(db: Db): number {
  if (!hasInspectors(db)) return 0;
  return (statement(db, 'SELECT count(*) AS n FROM inspectors WHERE revoked_at IS NOT NULL').get() as { n: number }).n;
}

/**
 * The ids of revoked tokens still worth listing: those not expired by `after` (ISO). A token
 * past its `exp` is refused by every verifier anyway, so the list stays small.
 */
export function revokedJtis(db: Db, after: string): string[] {
  return (statement(db, 'SELECT jti FROM inspectors WHERE revoked_at IS NOT NULL AND expires_at > ? ORDER BY jti').all(after) as { jti: string }[]).map((r) => r.jti);
}
