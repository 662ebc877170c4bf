// Officers: the accounts of the authority console, one row per name. A row holds the scrypt
// hash of the officer's password (null until the officer completes set-up, and again after a
// reset) and, while set-up is open, the SHA-256 of the one-time set-up code with its expiry
// (the code itself is shown once and stored nowhere). Rows are never deleted and a name never
// changes (the schema's triggers hold both): an officer leaving is disabled. Checking and
// auditing belong to the issuer (issuer/officers.ts); this is row access only.

import { statement, type Db } from './db.ts';

export type OfficerRoleName = 'clerk' | 'officer' | 'admin';

export interface OfficerRecord {
  name: string;
  role: OfficerRoleName;
  /** `scrypt$N$r$p$salt$hash` (accounts/passwords.ts), or null until set-up is complete. */
  passwordHash: string | null;
  /** activationCodeHash of the set-up code, while one is open. */
  setupCodeHash: string | null;
  /** ISO-8601 UTC instants. */
  setupExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  disabledAt: string | null;
}

interface OfficerRow {
  name: string;
  role: OfficerRoleName;
  password_hash: string | null;
  setup_code_hash: string | null;
  setup_expires_at: string | null;
  created_at: string;
  updated_at: string;
  disabled_at: string | null;
}

function fromRow(row: OfficerRow): OfficerRecord {
  return {
    name: row.name,
    role: row.role,
    passwordHash: row.password_hash,
    setupCodeHash: row.setup_code_hash,
    setupExpiresAt: row.setup_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    disabledAt: row.disabled_at,
  };
}

/** Whether the registry has the officers table (schema version 7; a read-only open of an older file does not migrate). */
export function hasOfficers(db: Db): boolean {
  return statement(db, `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'officers'`).get() !== undefined;
}

/** The officer of exactly this (already normalised) name. */
export function getOfficer(db: Db, name: string): OfficerRecord | undefined {
  const row = statement(db, 'SELECT * FROM officers WHERE name = ?').get(name) as OfficerRow | undefined;
  return row && fromRow(row);
}

/** Every officer, disabled ones included, in the order added. */
export function listOfficers(db: Db): OfficerRecord[] {
  return (statement(db, 'SELECT * FROM officers ORDER BY created_at, rowid').all() as OfficerRow[]).map(fromRow);
}

export function insertOfficer(db: Db, officer: OfficerRecord): void {
  statement(
    db,
    `INSERT INTO officers (name, role, password_hash, setup_code_hash, setup_expires_at, created_at, updated_at, disabled_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(officer.name, officer.role, officer.passwordHash, officer.setupCodeHash, officer.setupExpiresAt, officer.createdAt, officer.updatedAt, officer.disabledAt);
}

export type OfficerChanges = Partial<Pick<OfficerRecord, 'role' | 'passwordHash' | 'setupCodeHash' | 'setupExpiresAt' | 'disabledAt'>>;

const COLUMNS: Record<keyof OfficerChanges, string> = {
  role: 'role',
  passwordHash: 'password_hash',
  setupCodeHash: 'setup_code_hash',
  setupExpiresAt: 'setup_expires_at',
  disabledAt: 'disabled_at',
};

/**
 * Writes `changes` to officer `name` and sets updated_at, if the row still is as `expected`
 * says (each field given there must match: a compare-and-set, so that a set-up code is used
 * once even by two requests at the same moment). False when no row matched.
 */
export function updateOfficer(db: Db, name: string, changes: OfficerChanges, updatedAt: string, expected: OfficerChanges = {}): boolean {
  const set: string[] = ['updated_at = ?'];
  const params: (string | null)[] = [updatedAt];
  for (const [field, value] of Object.entries(changes) as [keyof OfficerChanges, string | null][]) {
    set.push(`${COLUMNS[field]} = ?`);
    params.push(value);
  }
  const where: string[] = ['name = ?'];
  params.push(name);
  for (const [field, value] of Object.entries(expected) as [keyof OfficerChanges, string | null][]) {
    if (value === null) where.push(`${COLUMNS[field]} IS NULL`);
    else {
      where.push(`${COLUMNS[field]} = ?`);
      params.push(value);
    }
  }
  return statement(db, `UPDATE officers SET ${set.join(', ')} WHERE ${where.join(' AND ')}`).run(...params).changes === 1;
}

/**
 * Replaces the password hash of an enabled officer whose hash is still `oldHash` (a rehash at
 * sign-in with today's scrypt parameters). updated_at is left alone: nothing about the account
 * changed. False when the hash had changed meanwhile or the officer is disabled.
 */
export function replacePasswordHash(db: Db, name: string, oldHash: string, newHash: string): boolean {
  return statement(db, 'UPDATE officers SET password_hash = ? WHERE name = ? AND password_hash = ? AND disabled_at IS NULL').run(newHash, name, oldHash).changes === 1;
}
