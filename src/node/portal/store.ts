// The portal's own database, the only thing the portal writes: holder staff accounts (a
// password hash each, and the invitation code that set it), the codes already used (so a code
// works once), sessions and throttles (src/node/accounts). It lives in the portal's data
// directory, never beside the registry, and holds nothing the snapshot could not rebuild
// except the passwords people chose.

import type Database from 'better-sqlite3';
import { openAccountsDatabase, type AccountsDatabaseOptions, type SessionStore, type Throttle } from '../accounts/index.ts';

export const PORTAL_DB_FILE = 'portal.sqlite';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS portal_accounts (
    uscc                TEXT NOT NULL,
    user                TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    activated_code_hash TEXT NOT NULL, -- the invitation code (its SHA-256) that set the password
    activated_at        TEXT NOT NULL,
    PRIMARY KEY (uscc, user)
  ) STRICT;
  CREATE TABLE IF NOT EXISTS portal_used_codes (
    code_hash TEXT PRIMARY KEY,
    uscc      TEXT NOT NULL,
    user      TEXT NOT NULL,
    used_at   TEXT NOT NULL
  ) STRICT;
`;

export interface PortalAccount {
  uscc: string;
  user: string;
  passwordHash: string;
  activatedCodeHash: string;
  activatedAt: string;
}

interface AccountRow {
  uscc: string;
  user: string;
  password_hash: string;
  activated_code_hash: string;
  activated_at: string;
}

/** The opaque account key the sessions and throttles are kept under. */
export function accountKey(uscc: string, user: string): string {
  return `holder:${uscc}:${user}`;
}

/** (uscc, user) back from an account key; null for a key that is not a holder's. */
export function parseAccountKey(key: string): { uscc: string; user: string } | null {
  const m = /^holder:([0-9A-Z]{18}):(.+)$/s.exec(key);
  return m ? { uscc: m[1]!, user: m[2]! } : null;
}

export type PortalStoreOptions = AccountsDatabaseOptions;

export class PortalStore {
  readonly file: string;
  readonly sessions: SessionStore;
  readonly throttle: Throttle;
  readonly #db: Database.Database;
  readonly #account: Database.Statement;
  readonly #codeUsed: Database.Statement;
  readonly #useCode: Database.Statement;
  readonly #putAccount: Database.Statement;
  readonly #rehash: Database.Statement;

  /** Opens (creating if need be) the database in `dataDir`, a directory of mode 0700. */
  constructor(dataDir: string, options: PortalStoreOptions = {}) {
    const { db, file, sessions, throttle } = openAccountsDatabase(dataDir, PORTAL_DB_FILE, SCHEMA, options);
    this.file = file;
    this.sessions = sessions;
    this.throttle = throttle;
    this.#db = db;
    this.#account = db.prepare('SELECT * FROM portal_accounts WHERE uscc = ? AND user = ?');
    this.#codeUsed = db.prepare('SELECT 1 FROM portal_used_codes WHERE code_hash = ?');
    this.#useCode = db.prepare('INSERT INTO portal_used_codes (code_hash, uscc, user, used_at) VALUES (?, ?, ?, ?) ON CONFLICT (code_hash) DO NOTHING');
    this.#putAccount = db.prepare(
      `INSERT INTO portal_accounts (uscc, user, password_hash, activated_code_hash, activated_at) VALUES (@uscc, @user, @password_hash, @activated_code_hash, @activated_at)
       ON CONFLICT (uscc, user) DO UPDATE SET password_hash = excluded.password_hash, activated_code_hash = excluded.activated_code_hash, activated_at = excluded.activated_at`,
    );
    this.#rehash = db.prepare('UPDATE portal_accounts SET password_hash = ? WHERE uscc = ? AND user = ? AND password_hash = ?');
  }

  account(uscc: string, user: string): PortalAccount | undefined {
    const row = this.#account.get(uscc, user) as AccountRow | undefined;
    return (
      row && { uscc: row.uscc, user: row.user, passwordHash: row.password_hash, activatedCodeHash: row.activated_code_hash, activatedAt: row.activated_at }
    );
  }

  isCodeUsed(codeHash: string): boolean {
    return this.#codeUsed.get(codeHash) !== undefined;
  }

  /**
   * Sets the account's password from an invitation code, in one transaction: the code is
   * marked used, the account created or its password replaced (a re-invite is the reset), and
   * every session of the account ended. False, with nothing written, when the code was used
   * meanwhile.
   */
  activate(a: { uscc: string; user: string; codeHash: string; passwordHash: string; now: Date }): boolean {
    const at = a.now.toISOString();
    return this.#db
      .transaction((): boolean => {
        if (this.#useCode.run(a.codeHash, a.uscc, a.user, at).changes === 0) return false;
        this.#putAccount.run({ uscc: a.uscc, user: a.user, password_hash: a.passwordHash, activated_code_hash: a.codeHash, activated_at: at });
        this.sessions.endAll(accountKey(a.uscc, a.user));
        return true;
      })
      .immediate();
  }

  /** Replaces a hash made with older parameters, unless the password changed meanwhile. */
  rehash(uscc: string, user: string, oldHash: string, newHash: string): void {
    this.#rehash.run(newHash, uscc, user, oldHash);
  }

  close(): void {
    this.#db.close();
  }
}
