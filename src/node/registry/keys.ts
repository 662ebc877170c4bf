// The keys' public records: JWK, ids, role, status and windows. Issuing keys sign seals,
// documents, lists and entries; the log key signs the transparency log's checkpoints. Private
// parts live in files under keys/ (see ../key-files.ts), never in the database.

import { keyRole, type IssuingKey, type KeyRole, type KeyStatus, type PublicJwk } from '../../core/index.ts';
import { statement, type Db } from './db.ts';

export interface KeyRecord extends IssuingKey {
  createdAt: string;
  statusChangedAt: string;
}

interface KeyRow {
  kid: string;
  sid: string;
  public_jwk: string;
  role: KeyRole;
  status: KeyStatus;
  sign_from: string;
  sign_until: string;
  verify_until: string;
  created_at: string;
  status_changed_at: string;
}

function fromRow(row: KeyRow): KeyRecord {
  return {
    kid: row.kid,
    sid: row.sid,
    jwk: JSON.parse(row.public_jwk) as PublicJwk,
    status: row.status,
    signFrom: row.sign_from,
    signUntil: row.sign_until,
    verifyUntil: row.verify_until,
    createdAt: row.created_at,
    statusChangedAt: row.status_changed_at,
    // As the core's IssuingKey: an issuing key carries no role.
    ...(row.role === 'log' ? { role: 'log' as const } : {}),
  };
}

export function listKeys(db: Db): KeyRecord[] {
  return (statement(db, 'SELECT * FROM keys ORDER BY created_at, kid').all() as KeyRow[]).map(fromRow);
}

/** A key by its kid, or by its 8-hex-digit short id (what a seal carries). */
export function findKey(db: Db, kidOrSid: string): KeyRecord | undefined {
  const row = statement(db, 'SELECT * FROM keys WHERE kid = ? OR sid = ?').get(kidOrSid, kidOrSid.toLowerCase()) as KeyRow | undefined;
  return row && fromRow(row);
}

/** The active issuing key: what signs seals, documents, lists and entries. */
export function activeKey(db: Db): KeyRecord | undefined {
  const row = statement(db, `SELECT * FROM keys WHERE status = 'active' AND role = 'issue'`).get() as KeyRow | undefined;
  return row && fromRow(row);
}

/** The active log key (signs checkpoints), or null in a registry that predates the log and has not made one. */
export function activeLogKey(db: Db): KeyRecord | null {
  const row = statement(db, `SELECT * FROM keys WHERE status = 'active' AND role = 'log'`).get() as KeyRow | undefined;
  return row ? fromRow(row) : null;
}

export function insertKey(db: Db, key: IssuingKey, at: string): void {
  statement(
    db,
    `INSERT INTO keys (kid, sid, public_jwk, role, status, sign_from, sign_until, verify_until, created_at, status_changed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(key.kid, key.sid, JSON.stringify(key.jwk), keyRole(key), key.status, key.signFrom, key.signUntil, key.verifyUntil, at, at);
}

export function setKeyStatus(db: Db, kid: string, status: KeyStatus, at: string): void {
  statement(db, 'UPDATE keys SET status = ?, status_changed_at = ? WHERE kid = ?').run(status, at, kid);
}
