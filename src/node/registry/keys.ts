// The issuing keys' public records: JWK, ids, status and windows. Private parts live in files
// under keys/ (see ../key-files.ts), never in the database.

import type { IssuingKey, KeyStatus, PublicJwk } from '../../core/index.ts';
import { statement, type Db } from './db.ts';

export interface KeyRecord extends IssuingKey {
  createdAt: string;
  statusChangedAt: string;
}

interface KeyRow {
  kid: string;
  sid: string;
  public_jwk: string;
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

export function activeKey(db: Db): KeyRecord | undefined {
  const row = statement(db, `SELECT * FROM keys WHERE status = 'active'`).get() as KeyRow | undefined;
  return row && fromRow(row);
}

export function insertKey(db: Db, key: IssuingKey, at: string): void {
  statement(db, 
    `INSERT INTO keys (kid, sid, public_jwk, status, sign_from, sign_until, verify_until, created_at, status_changed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(key.kid, key.sid, JSON.stringify(key.jwk), key.status, key.signFrom, key.signUntil, key.verifyUntil, at, at);
}

export function setKeyStatus(db: Db, kid: string, status: KeyStatus, at: string): void {
  statement(db, 'UPDATE keys SET status = ?, status_changed_at = ? WHERE kid = ?').run(status, at, kid);
}
