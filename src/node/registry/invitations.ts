// Invitations to the holder portal: one row per (holder, user name), holding only the SHA-256
// of the activation code (the code itself is shown once, to the office, and stored nowhere).
// A re-invite replaces the row, which voids the old code. Whether a code has been used is the
// portal's business (its own database): the registry never hears back from the portal.
//
// The code's alphabet and normalisation live here, in the one place both the office (which
// makes codes) and the portal (which checks what a holder types) import them from.

import { createHash, randomBytes } from 'node:crypto';
import { statement, type Db } from './db.ts';

/**
 * Crockford's Base32 alphabet: digits and capitals without I, L, O and U, so that what is
 * read aloud or copied from paper has one spelling (I and L read as 1, O as 0).
 */
export const ACTIVATION_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Characters in a code: 20 × 5 bits = 100 bits of randomness (the snapshot carries its hash). */
export const ACTIVATION_CODE_LENGTH = 20;
export const ACTIVATION_CODE_BITS = ACTIVATION_CODE_LENGTH * 5;
/** Shown in groups of this many, joined by dashes: ABCD-EFGH-JKMN-PQRS-TVWX. */
const GROUP = 4;
/** Longer input is not a code however it is spaced (checked before any other work). */
const MAX_CODE_INPUT = 100;
/** A user name (within one holder) is at most this many characters. */
export const MAX_USER_NAME = 64;
export const DEFAULT_USER_NAME = 'admin';

/** A fresh activation code, as shown: five groups of four Crockford Base32 characters. */
export function newActivationCode(): string {
  // 256 is a multiple of 32: each byte's low five bits are uniform.
  const bytes = randomBytes(ACTIVATION_CODE_LENGTH);
  let code = '';
  for (let i = 0; i < ACTIVATION_CODE_LENGTH; i++) {
    if (i > 0 && i % GROUP === 0) code += '-';
    code += ACTIVATION_ALPHABET[bytes[i]! & 31];
  }
  return code;
}

/** Dashes of every kind and whitespace (a code copied from a letter, a PDF or a chat). */
const SEPARATORS = /[\s\-_\u2010-\u2015\u2212\u30fc\u00b7\u30fb]/g;
const CANONICAL = new RegExp(`^[${ACTIVATION_ALPHABET}]{${ACTIVATION_CODE_LENGTH}}$`);

/**
 * The canonical form of an activation code as someone typed it, or null if it cannot be one:
 * full-width characters (a Chinese input method) folded (NFKC), case ignored, dashes and
 * spaces ignored, O read as 0 and I or L as 1 (Crockford). The office and the portal both
 * check codes only through this function.
 */
export function normaliseActivationCode(input: string): string | null {
  if (typeof input !== 'string' || input.length > MAX_CODE_INPUT) return null;
  const folded = input.normalize('NFKC').toUpperCase().replace(SEPARATORS, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return CANONICAL.test(folded) ? folded : null;
}

/** SHA-256 (lower-case hex) of the code's canonical form; null if `code` cannot be a code. */
export function activationCodeHash(code: string): string | null {
  const canonical = normaliseActivationCode(code);
  return canonical === null ? null : createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * A user name as stored and compared: NFC, without surrounding spaces, lower-cased (phone
 * keyboards capitalise the first letter; "Admin" and "admin" are one account). The portal
 * passes what is typed at sign-in through this too. Checking it is the issuer's (checkUserName).
 */
export function normaliseUserName(input: string): string {
  return input.normalize('NFC').trim().toLowerCase();
}

export interface InvitationRecord {
  uscc: string;
  /** As normaliseUserName leaves it. */
  user: string;
  /** activationCodeHash of the code. */
  codeHash: string;
  createdAt: string;
  expiresAt: string;
}

interface InvitationRow {
  uscc: string;
  user: string;
  code_hash: string;
  created_at: string;
  expires_at: string;
}

function fromRow(row: InvitationRow): InvitationRecord {
  return { uscc: row.uscc, user: row.user, codeHash: row.code_hash, createdAt: row.created_at, expiresAt: row.expires_at };
}

/** Whether the registry has the invitations table (schema version 3; a read-only open of an older file does not migrate). */
export function hasInvitations(db: Db): boolean {
  return statement(db, `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'invitations'`).get() !== undefined;
}

export function getInvitation(db: Db, uscc: string, user: string): InvitationRecord | undefined {
  const row = statement(db, 'SELECT * FROM invitations WHERE uscc = ? AND user = ?').get(uscc, user) as InvitationRow | undefined;
  return row && fromRow(row);
}

export function listInvitations(db: Db, filter: { uscc?: string } = {}): InvitationRecord[] {
  const rows =
    filter.uscc === undefined
      ? (statement(db, 'SELECT * FROM invitations ORDER BY uscc, user').all() as InvitationRow[])
      : (statement(db, 'SELECT * FROM invitations WHERE uscc = ? ORDER BY user').all(filter.uscc) as InvitationRow[]);
  return rows.map(fromRow);
}

/** Writes the invitation of (uscc, user), replacing (and so voiding) any earlier one. */
export function putInvitation(db: Db, invitation: InvitationRecord): void {
  statement(
    db,
    `INSERT INTO invitations (uscc, user, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (uscc, user) DO UPDATE SET code_hash = excluded.code_hash, created_at = excluded.created_at, expires_at = excluded.expires_at`,
  ).run(invitation.uscc, invitation.user, invitation.codeHash, invitation.createdAt, invitation.expiresAt);
}
