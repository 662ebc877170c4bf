// Sign-in sessions, the way the Lucia guide keeps them: the cookie carries a random token
// (32 bytes, base64url), the database only its SHA-256, so a leaked database or backup signs
// nobody in. Each session expires when idle (sliding) and at an absolute limit, whichever comes
// first, and carries its own CSRF secret for the forms it renders. Accounts are opaque keys
// the caller builds (`holder:USCC:user`, `officer:NAME`). Tokens are never logged or thrown.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';

/** Idle (sliding) expiry: 30 minutes, OWASP ASVS 3.3.2 for a portal with no high-value writes. */
export const SESSION_IDLE_TIMEOUT_S = 30 * 60;
/** Absolute expiry: 12 hours after sign-in, however active (ASVS 3.3.2). */
export const SESSION_ABSOLUTE_TIMEOUT_S = 12 * 60 * 60;

const TOKEN_BYTES = 32;
/** 32 bytes in unpadded base64url; anything else is refused before touching the database. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface Session {
  /** The SHA-256 of the token (hex): safe to log and to show, since it cannot sign anyone in. */
  id: string;
  account: string;
  /** The CSRF token for this session's forms (see `csrfToken`, `checkCsrf`). */
  csrf: string;
  createdAt: Date;
  lastUsedAt: Date;
  /** When the session ends unless used again: the earlier of the idle and absolute limits. */
  expiresAt: Date;
  /** When it ends however much it is used. */
  absoluteExpiresAt: Date;
}

export interface NewSession {
  /** For the cookie, and nowhere else: the database keeps only its hash. */
  token: string;
  expiresAt: Date;
  session: Session;
}

export interface SessionOptions {
  idleTimeoutS?: number;
  absoluteTimeoutS?: number;
}

interface Row {
  id: string;
  account: string;
  csrf: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  absolute_expires_at: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS account_sessions (
    id                  TEXT PRIMARY KEY,
    account             TEXT NOT NULL,
    csrf                TEXT NOT NULL,
    created_at          INTEGER NOT NULL,
    last_used_at        INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,
    absolute_expires_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS account_sessions_account ON account_sessions (account);
  CREATE INDEX IF NOT EXISTS account_sessions_expires ON account_sessions (expires_at);
`;

function sessionId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function toSession(row: Row): Session {
  return {
    id: row.id,
    account: row.account,
    csrf: row.csrf,
    createdAt: new Date(row.created_at),
    lastUsedAt: new Date(row.last_used_at),
    expiresAt: new Date(row.expires_at),
    absoluteExpiresAt: new Date(row.absolute_expires_at),
  };
}

function positiveSeconds(value: number | undefined, fallback: number, name: string): number {
  const s = value ?? fallback;
  if (!Number.isFinite(s) || s <= 0) throw new Error(`${name} must be a positive number of seconds`);
  return s;
}

export class SessionStore {
  readonly idleTimeoutS: number;
  readonly absoluteTimeoutS: number;
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #select: Database.Statement;
  readonly #touch: Database.Statement;
  readonly #delete: Database.Statement;
  readonly #deleteAccount: Database.Statement;
  readonly #deleteExpired: Database.Statement;

  /** Over a database the caller opened (and closes); creates its table if missing. */
  constructor(db: Database.Database, options: SessionOptions = {}) {
    this.idleTimeoutS = positiveSeconds(options.idleTimeoutS, SESSION_IDLE_TIMEOUT_S, 'idleTimeoutS');
    this.absoluteTimeoutS = positiveSeconds(options.absoluteTimeoutS, SESSION_ABSOLUTE_TIMEOUT_S, 'absoluteTimeoutS');
    this.#db = db;
    db.exec(SCHEMA);
    this.#insert = db.prepare(
      `INSERT INTO account_sessions (id, account, csrf, created_at, last_used_at, expires_at, absolute_expires_at)
       VALUES (@id, @account, @csrf, @created_at, @last_used_at, @expires_at, @absolute_expires_at)`,
    );
    this.#select = db.prepare('SELECT * FROM account_sessions WHERE id = ?');
    this.#touch = db.prepare('UPDATE account_sessions SET last_used_at = ?, expires_at = ? WHERE id = ?');
    this.#delete = db.prepare('DELETE FROM account_sessions WHERE id = ?');
    this.#deleteAccount = db.prepare('DELETE FROM account_sessions WHERE account = ?');
    this.#deleteExpired = db.prepare('DELETE FROM account_sessions WHERE expires_at <= ?');
  }

  /** A new session with a new token: call at every sign-in (and end the one it replaces). */
  create(account: string, now: Date): NewSession {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const at = now.getTime();
    const absolute = at + this.absoluteTimeoutS * 1000;
    const row: Row = {
      id: sessionId(token),
      account,
      csrf: randomBytes(TOKEN_BYTES).toString('base64url'),
      created_at: at,
      last_used_at: at,
      expires_at: Math.min(at + this.idleTimeoutS * 1000, absolute),
      absolute_expires_at: absolute,
    };
    this.#db.transaction(() => {
      this.#deleteExpired.run(at);
      this.#insert.run(row);
    })();
    const session = toSession(row);
    return { token, expiresAt: session.expiresAt, session };
  }

  /**
   * The live session for a cookie's token, its idle expiry pushed forward; null for a missing,
   * malformed, unknown or expired token (an expired one is deleted).
   */
  validate(token: unknown, now: Date): Session | null {
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return null;
    const id = sessionId(token);
    const row = this.#select.get(id) as Row | undefined;
    if (!row) return null;
    const at = now.getTime();
    if (at >= row.expires_at || at >= row.absolute_expires_at) {
      this.#delete.run(id);
      return null;
    }
    row.last_used_at = at;
    row.expires_at = Math.min(at + this.idleTimeoutS * 1000, row.absolute_expires_at);
    this.#touch.run(row.last_used_at, row.expires_at, id);
    return toSession(row);
  }

  /** Ends the session of this token (sign-out); false when there was none. */
  end(token: unknown): boolean {
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return false;
    return this.#delete.run(sessionId(token)).changes > 0;
  }

  /** Ends every session of the account (password change, reset, removal); how many ended. */
  endAll(account: string): number {
    return this.#deleteAccount.run(account).changes;
  }

  /** Deletes the sessions that have expired by `now` (also done at every `create`). */
  prune(now: Date): number {
    return this.#deleteExpired.run(now.getTime()).changes;
  }
}

/** The token to put in a hidden field of every form the session renders. */
export function csrfToken(session: Session): string {
  return session.csrf;
}

/** Whether a submitted form's token is this session's, compared in constant time. */
export function checkCsrf(session: Session, submitted: unknown): boolean {
  if (typeof submitted !== 'string' || submitted.length > 256) return false;
  // Hash both so the comparison has equal lengths and takes the same time whatever was sent.
  const expected = createHash('sha256').update(session.csrf).digest();
  const actual = createHash('sha256').update(submitted).digest();
  return timingSafeEqual(expected, actual);
}
