// Growing delays for guessed secrets (passwords, activation codes), persisted beside the
// sessions. Three counters take each failure (OWASP ASVS 2.2.1, NIST SP 800-63B §5.2.2):
//
//   pair     (account, address)  5 failures, then 1, 2, 4 … 15 min between tries. Cleared by a
//                                success from there, so it never touches other addresses:
//                                guessing from one place cannot lock the account out elsewhere.
//   address  (any account)       20 failures, then 1, 2, 4 … 15 min: one address spraying many
//                                accounts (USCCs are public).
//   account  (any address)       10 failures, then 2, 4 … 60 s: a slowdown for guessing spread
//                                over many addresses, never a lockout. An address that has
//                                signed in to the account before (familiar) is exempt.
//
// Counters are forgotten after a quiet spell (24 h for pairs, 1 h otherwise). When one
// account's failures come from many addresses (10 in an hour, an IPv6 /64 counting once),
// `fail` says so, so the caller can log it for the office.
//
// Call `check` before verifying anything, and `fail` for every failed attempt, also for an
// account that does not exist (the throttle must behave the same). An account is the caller's
// opaque key; give each purpose its own (`signin:holder:USCC:user`, `activate:USCC`), while
// the address counter is shared by all: an address guessing anything is one guesser.

import type Database from 'better-sqlite3';
import { addressKey } from './client-address.ts';

export interface ThrottleRule {
  /** Failures allowed before any wait. */
  freeFailures: number;
  /** The wait after the first failure beyond the free ones; it doubles with each further one. */
  firstDelayS: number;
  maxDelayS: number;
  /** The counter starts again after this long without a failure. */
  forgetAfterS: number;
}

export type ThrottleScope = 'pair' | 'address' | 'account';

export interface ThrottleOptions {
  pair?: ThrottleRule;
  address?: ThrottleRule;
  account?: ThrottleRule;
  /** How long a successful sign-in keeps an address exempt from the account's slowdown. */
  familiarForS?: number;
  /** Failures from this many distinct addresses within `windowS` make a wide attack. */
  wideAttack?: { addresses: number; windowS: number };
}

export const THROTTLE_DEFAULTS = {
  pair: { freeFailures: 4, firstDelayS: 60, maxDelayS: 15 * 60, forgetAfterS: 24 * 60 * 60 },
  address: { freeFailures: 19, firstDelayS: 60, maxDelayS: 15 * 60, forgetAfterS: 60 * 60 },
  account: { freeFailures: 9, firstDelayS: 2, maxDelayS: 60, forgetAfterS: 60 * 60 },
  familiarForS: 30 * 24 * 60 * 60,
  wideAttack: { addresses: 10, windowS: 60 * 60 },
} as const satisfies Required<ThrottleOptions>;

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterS: number; scope: ThrottleScope };

export interface FailOutcome {
  /** Failures on this account came from at least `wideAttack.addresses` addresses lately. */
  underWideAttack: boolean;
  /** True once per attack (until the account's counter is forgotten): the moment to log it. */
  wideAttackBegan: boolean;
  /** How many distinct addresses failed on this account within the wide-attack window. */
  addresses: number;
}

interface Row {
  scope: ThrottleScope;
  account: string;
  address: string;
  failures: number;
  last_failure_at: number | null;
  last_success_at: number | null;
  wide_attack_since: number | null;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS account_throttles (
    scope             TEXT NOT NULL CHECK (scope IN ('pair', 'address', 'account')),
    account           TEXT NOT NULL, -- '' for scope address
    address           TEXT NOT NULL, -- the address key (IPv6 by /64); '' for scope account
    failures          INTEGER NOT NULL,
    last_failure_at   INTEGER,
    last_success_at   INTEGER,       -- scope pair: the address is familiar to the account
    wide_attack_since INTEGER,       -- scope account: when the current wide attack was noticed
    PRIMARY KEY (scope, account, address)
  ) STRICT;
  CREATE INDEX IF NOT EXISTS account_throttles_failures ON account_throttles (scope, last_failure_at);
`;

const PRUNE_EVERY_MS = 10 * 60 * 1000;

function checkRule(name: string, rule: ThrottleRule): ThrottleRule {
  const { freeFailures, firstDelayS, maxDelayS, forgetAfterS } = rule;
  const ok =
    Number.isInteger(freeFailures) && freeFailures >= 0 && firstDelayS > 0 && maxDelayS >= firstDelayS && forgetAfterS > 0 && [firstDelayS, maxDelayS, forgetAfterS].every(Number.isFinite);
  if (!ok) throw new Error(`throttle rule ${name}: freeFailures must be a whole number ≥ 0 and 0 < firstDelayS ≤ maxDelayS, forgetAfterS > 0`);
  return { ...rule };
}

export class Throttle {
  readonly rules: Readonly<Record<ThrottleScope, ThrottleRule>>;
  readonly familiarForS: number;
  readonly wideAttack: { readonly addresses: number; readonly windowS: number };
  readonly #db: Database.Database;
  readonly #get: Database.Statement;
  readonly #put: Database.Statement;
  readonly #addresses: Database.Statement;
  readonly #prune: Database.Statement;
  #prunedAt = -Infinity;

  /** Over a database the caller opened (and closes); creates its table if missing. */
  constructor(db: Database.Database, options: ThrottleOptions = {}) {
    this.rules = Object.freeze({
      pair: checkRule('pair', options.pair ?? THROTTLE_DEFAULTS.pair),
      address: checkRule('address', options.address ?? THROTTLE_DEFAULTS.address),
      account: checkRule('account', options.account ?? THROTTLE_DEFAULTS.account),
    });
    this.familiarForS = options.familiarForS ?? THROTTLE_DEFAULTS.familiarForS;
    this.wideAttack = { ...(options.wideAttack ?? THROTTLE_DEFAULTS.wideAttack) };
    if (!(this.familiarForS >= 0) || !Number.isInteger(this.wideAttack.addresses) || this.wideAttack.addresses < 1 || !(this.wideAttack.windowS > 0)) {
      throw new Error('throttle: familiarForS must be ≥ 0, wideAttack.addresses a whole number ≥ 1 and wideAttack.windowS > 0');
    }
    this.#db = db;
    db.exec(SCHEMA);
    this.#get = db.prepare('SELECT * FROM account_throttles WHERE scope = ? AND account = ? AND address = ?');
    this.#put = db.prepare(
      `INSERT INTO account_throttles (scope, account, address, failures, last_failure_at, last_success_at, wide_attack_since)
       VALUES (@scope, @account, @address, @failures, @last_failure_at, @last_success_at, @wide_attack_since)
       ON CONFLICT (scope, account, address) DO UPDATE SET
         failures = excluded.failures, last_failure_at = excluded.last_failure_at,
         last_success_at = excluded.last_success_at, wide_attack_since = excluded.wide_attack_since`,
    );
    this.#addresses = db.prepare(
      `SELECT COUNT(*) AS n FROM account_throttles
       WHERE scope = 'pair' AND account = ? AND failures > 0 AND last_failure_at > ?`,
    );
    this.#prune = db.prepare(
      `DELETE FROM account_throttles
       WHERE scope = ? AND (last_failure_at IS NULL OR last_failure_at <= ?) AND (last_success_at IS NULL OR last_success_at <= ?)`,
    );
  }

  /** Whether an attempt on `account` from `address` may be verified now, else how long to wait. */
  check(account: string, address: string, now: Date): ThrottleVerdict {
    const at = now.getTime();
    const rows = this.#rows(account, addressKey(address), at);
    const familiar = rows.pair.last_success_at !== null && at - rows.pair.last_success_at < this.familiarForS * 1000;
    let worst: { waitMs: number; scope: ThrottleScope } = { waitMs: 0, scope: 'pair' };
    for (const scope of ['pair', 'address', 'account'] as const) {
      if (scope === 'account' && familiar) continue;
      const waitMs = this.#waitMs(rows[scope], this.rules[scope], at);
      if (waitMs > worst.waitMs) worst = { waitMs, scope };
    }
    if (worst.waitMs <= 0) return { allowed: true };
    return { allowed: false, retryAfterS: Math.ceil(worst.waitMs / 1000), scope: worst.scope };
  }

  /** Counts a failed attempt (a wrong password or code, or an unknown account). */
  fail(account: string, address: string, now: Date): FailOutcome {
    const at = now.getTime();
    const key = addressKey(address);
    return this.#db
      .transaction((): FailOutcome => {
        const rows = this.#rows(account, key, at);
        for (const scope of ['pair', 'address', 'account'] as const) {
          const row = rows[scope];
          row.failures += 1;
          row.last_failure_at = at;
          this.#put.run(row);
        }
        const { n: addresses } = this.#addresses.get(account, at - this.wideAttack.windowS * 1000) as { n: number };
        const underWideAttack = addresses >= this.wideAttack.addresses;
        const wideAttackBegan = underWideAttack && rows.account.wide_attack_since === null;
        if (wideAttackBegan) this.#put.run({ ...rows.account, wide_attack_since: at });
        if (at - this.#prunedAt >= PRUNE_EVERY_MS) this.#pruneAt(at);
        return { underWideAttack, wideAttackBegan, addresses };
      })
      .immediate();
  }

  /**
   * Counts a successful attempt: clears this address's failures for the account and makes the
   * address familiar to it. The address and account counters are left alone: a guesser with an
   * account of its own must not clear them by signing in to it.
   */
  succeed(account: string, address: string, now: Date): void {
    const at = now.getTime();
    this.#db
      .transaction(() => {
        const { pair } = this.#rows(account, addressKey(address), at);
        this.#put.run({ ...pair, failures: 0, last_success_at: at });
      })
      .immediate();
  }

  /** Deletes counters that are forgotten and not familiar (also done now and then by `fail`). */
  prune(now: Date): number {
    return this.#db.transaction(() => this.#pruneAt(now.getTime())).immediate();
  }

  #pruneAt(at: number): number {
    this.#prunedAt = at;
    let deleted = 0;
    for (const scope of ['pair', 'address', 'account'] as const) {
      deleted += this.#prune.run(scope, at - this.rules[scope].forgetAfterS * 1000, at - this.familiarForS * 1000).changes;
    }
    return deleted;
  }

  /** The three counters for an attempt, forgotten ones already reset to zero. */
  #rows(account: string, key: string, at: number): Record<ThrottleScope, Row> {
    const read = (scope: ThrottleScope, a: string, k: string): Row => {
      const row = (this.#get.get(scope, a, k) as Row | undefined) ?? {
        scope,
        account: a,
        address: k,
        failures: 0,
        last_failure_at: null,
        last_success_at: null,
        wide_attack_since: null,
      };
      if (row.last_failure_at !== null && at - row.last_failure_at >= this.rules[scope].forgetAfterS * 1000) {
        row.failures = 0;
        row.wide_attack_since = null;
      }
      return row;
    };
    return { pair: read('pair', account, key), address: read('address', '', key), account: read('account', account, '') };
  }

  #waitMs(row: Row, rule: ThrottleRule, at: number): number {
    if (row.failures <= rule.freeFailures || row.last_failure_at === null) return 0;
    const delayS = Math.min(rule.firstDelayS * 2 ** (row.failures - rule.freeFailures - 1), rule.maxDelayS);
    // A clock that went back never stretches the wait beyond the rule's.
    return Math.min(row.last_failure_at + delayS * 1000 - at, delayS * 1000);
  }
}
