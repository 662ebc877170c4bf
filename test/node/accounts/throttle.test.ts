import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { THROTTLE_DEFAULTS, Throttle } from '../../../src/node/accounts/index.ts';
import { accountsDb, clock } from './support.ts';

const ACCOUNT = 'signin:holder:91370200163562681G:zhangsan';
const A = '198.51.100.7';
const B = '203.0.113.9';

function failTimes(throttle: Throttle, account: string, address: string, at: Date, times: number): void {
  for (let i = 0; i < times; i++) throttle.fail(account, address, at);
}

describe('throttle per (account, address)', () => {
  it('locks address A for the account after 5 failures in a minute, while B still signs in', () => {
    const throttle = new Throttle(accountsDb().db);
    const t = clock();
    for (let i = 0; i < 4; i++) {
      expect(throttle.check(ACCOUNT, A, t.now())).toEqual({ allowed: true });
      throttle.fail(ACCOUNT, A, t.advance(10));
    }
    throttle.fail(ACCOUNT, A, t.advance(10));
    // Even the right password is not tried from A now.
    expect(throttle.check(ACCOUNT, A, t.now())).toEqual({ allowed: false, retryAfterS: 60, scope: 'pair' });
    expect(throttle.check(ACCOUNT, B, t.now())).toEqual({ allowed: true });
    throttle.succeed(ACCOUNT, B, t.now());
    // B's success does not free A.
    expect(throttle.check(ACCOUNT, A, t.advance(30))).toEqual({ allowed: false, retryAfterS: 30, scope: 'pair' });
    expect(throttle.check(ACCOUNT, A, t.advance(30))).toEqual({ allowed: true });
  });

  it('doubles the wait with each further failure up to 15 minutes, and never beyond', () => {
    const throttle = new Throttle(accountsDb().db);
    const t = clock();
    failTimes(throttle, ACCOUNT, A, t.now(), 4);
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      throttle.fail(ACCOUNT, A, t.now());
      const verdict = throttle.check(ACCOUNT, A, t.now());
      expect(verdict.allowed).toBe(false);
      if (!verdict.allowed) waits.push(verdict.retryAfterS);
      t.advance(verdict.allowed ? 0 : verdict.retryAfterS);
      expect(throttle.check(ACCOUNT, A, t.now()).allowed).toBe(true);
    }
    expect(waits).toEqual([60, 120, 240, 480, 900, 900, 900, 900]);
  });

  it('starts again after a success from that address, or after a quiet day', () => {
    const throttle = new Throttle(accountsDb().db);
    const t = clock();
    failTimes(throttle, ACCOUNT, A, t.now(), 6);
    t.advance(120);
    throttle.succeed(ACCOUNT, A, t.now());
    failTimes(throttle, ACCOUNT, A, t.now(), 4);
    expect(throttle.check(ACCOUNT, A, t.now()).allowed).toBe(true);
    throttle.fail(ACCOUNT, A, t.now());
    expect(throttle.check(ACCOUNT, A, t.now())).toMatchObject({ allowed: false, retryAfterS: 60 });

    failTimes(throttle, ACCOUNT, B, t.now(), 4);
    t.advance(THROTTLE_DEFAULTS.pair.forgetAfterS);
    throttle.fail(ACCOUNT, B, t.now());
    expect(throttle.check(ACCOUNT, B, t.now()).allowed).toBe(true);
  });

  it('counts activation codes under their own key, apart from sign-in', () => {
    const throttle = new Throttle(accountsDb().db);
    const t = clock();
    failTimes(throttle, 'activate:91370200163562681G', A, t.now(), 5);
    expect(throttle.check('activate:91370200163562681G', A, t.now())).toMatchObject({ allowed: false, scope: 'pair' });
    expect(throttle.check(ACCOUNT, A, t.now())).toEqual({ allowed: true });
  });

  it('keeps its counters in the file across restarts', () => {
    const { db, file } = accountsDb();
    const t = clock();
    failTimes(new Throttle(db), ACCOUNT, A, t.now(), 5);
    db.close();
    const reopened = new Database(file);
    try {
      expect(new Throttle(reopened).check(ACCOUNT, A, t.advance(1))).toEqual({ allowed: false, retryAfterS: 59, scope: 'pair' });
    } finally {
      reopened.close();
    }
  });
});

describe('throttle per address', () => {
  it('holds back one address guessing across many accounts, and nobody else', () => {
    const throttle = new Throttle(accountsDb().db);
    const t = clock();
    const accounts = Array.from({ length: 21 }, (_, i) => `signin:holder:91370200163562681G:user${i}`);
    for (const account of accounts.slice(0, 19)) {
      expect(throttle.check(account, A, t.now()).allowed).toBe(true);
      throttle.fail(account, A, t.advance(1));
    }
    // A success on an account of its own does not clear the address's count.
    throttle.succeed(accounts[0]!, A, t.now());
    throttle.fail(accounts[19]!, A, t.advance(1));
    expect(throttle.check(accounts[20]!, A, t.now())).toEqual({ allowed: false, retryAfterS: 60, scope: 'address' });
    expect(throttle.check(accounts[20]!, B, t.now())).toEqual({ allowed: true });
    expect(throttle.check(accounts[20]!, A, t.advance(60))).toEqual({ allowed: true });
    throttle.fail(accounts[20]!, A, t.now());
    expect(throttle.check(accounts[0]!, A, t.now())).toEqual({ allowed: false, retryAfterS: 120, scope: 'address' });
  });

  it('groups IPv6 addresses by /64 and IPv4-mapped addresses with IPv4', () => {
    const throttle = new Throttle(accountsDb().db);
    const t = clock();
    for (let i = 1; i <= 5; i++) throttle.fail(ACCOUNT, `2001:db8:1:2::${i.toString(16)}`, t.now());
    expect(throttle.check(ACCOUNT, '2001:db8:1:2:abcd:ef01:2345:6789', t.now())).toMatchObject({ allowed: false, scope: 'pair' });
    expect(throttle.check(ACCOUNT, '2001:db8:1:3::1', t.now())).toEqual({ allowed: true });

    const other = 'signin:officer:wang';
    failTimes(throttle, other, '::ffff:192.0.2.7', t.now(), 5);
    expect(throttle.check(other, '192.0.2.7', t.now())).toMatchObject({ allowed: false, scope: 'pair' });
    expect(throttle.check(other, '192.0.2.8', t.now())).toEqual({ allowed: true });
  });
});

describe('throttle per account', () => {
  /** Guesses on one account from ever new addresses, each waiting only as long as told. */
  function spread(throttle: Throttle, t: ReturnType<typeof clock>, guesses: number, from = 0): number[] {
    const waits: number[] = [];
    for (let i = from; i < from + guesses; i++) {
      const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      const verdict = throttle.check(ACCOUNT, address, t.now());
      if (!verdict.allowed) {
        expect(verdict.scope).toBe('account');
        waits.push(verdict.retryAfterS);
        t.advance(verdict.retryAfterS);
        expect(throttle.check(ACCOUNT, address, t.now())).toEqual({ allowed: true });
      }
      throttle.fail(ACCOUNT, address, t.now());
    }
    return waits;
  }

  it('slows guessing from many addresses down without ever locking the account', () => {
    const throttle = new Throttle(accountsDb().db);
    const t = clock();
    const waits = spread(throttle, t, 300);
    expect(waits.slice(0, 7)).toEqual([2, 4, 8, 16, 32, 60, 60]);
    expect(waits).toHaveLength(300 - 10);
    expect(Math.max(...waits)).toBe(THROTTLE_DEFAULTS.account.maxDelayS);
    // Right after a failure a new address waits at most a minute, then is let in.
    const verdict = throttle.check(ACCOUNT, B, t.now());
    expect(verdict).toEqual({ allowed: false, retryAfterS: 60, scope: 'account' });
    expect(throttle.check(ACCOUNT, B, t.advance(60))).toEqual({ allowed: true });
  });

  it('does not slow an address that has signed in to the account before', () => {
    const throttle = new Throttle(accountsDb().db);
    const t = clock();
    throttle.succeed(ACCOUNT, A, t.now());
    t.advance(24 * 60 * 60);
    spread(throttle, t, 20);
    expect(throttle.check(ACCOUNT, B, t.now())).toMatchObject({ allowed: false, scope: 'account' });
    expect(throttle.check(ACCOUNT, A, t.now())).toEqual({ allowed: true });
    // Familiarity fades after 30 days without a sign-in.
    t.advance(THROTTLE_DEFAULTS.familiarForS);
    spread(throttle, t, 20, 1000);
    expect(throttle.check(ACCOUNT, A, t.now())).toMatchObject({ allowed: false, scope: 'account' });
  });

  it('flags a wide attack once, when failures come from 10 addresses, a /64 counting once', () => {
    const throttle = new Throttle(accountsDb().db);
    const t = clock();
    for (let i = 1; i <= 20; i++) {
      expect(throttle.fail(ACCOUNT, `2001:db8:1:2::${i.toString(16)}`, t.now()).underWideAttack).toBe(false);
    }
    const outcomes = Array.from({ length: 11 }, (_, i) => throttle.fail(ACCOUNT, `192.0.2.${i + 1}`, t.advance(1)));
    expect(outcomes.map((o) => o.addresses)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(outcomes.map((o) => o.underWideAttack)).toEqual([false, false, false, false, false, false, false, false, true, true, true]);
    expect(outcomes.map((o) => o.wideAttackBegan)).toEqual([false, false, false, false, false, false, false, false, true, false, false]);
    // Another account is not under attack.
    expect(throttle.fail('signin:officer:wang', A, t.now())).toEqual({ underWideAttack: false, wideAttackBegan: false, addresses: 1 });
    // After a quiet hour the attack is over; the next one is reported again.
    t.advance(THROTTLE_DEFAULTS.account.forgetAfterS);
    const next = Array.from({ length: 10 }, (_, i) => throttle.fail(ACCOUNT, `198.51.100.${i + 1}`, t.advance(1)));
    expect(next.filter((o) => o.wideAttackBegan)).toHaveLength(1);
    expect(next.at(-1)).toEqual({ underWideAttack: true, wideAttackBegan: true, addresses: 10 });
  });
});

describe('throttle housekeeping', () => {
  it('prunes forgotten counters but keeps familiar addresses', () => {
    const { db } = accountsDb();
    const throttle = new Throttle(db);
    const t = clock();
    throttle.succeed(ACCOUNT, A, t.now());
    failTimes(throttle, ACCOUNT, B, t.now(), 3);
    t.advance(THROTTLE_DEFAULTS.pair.forgetAfterS);
    expect(throttle.prune(t.now())).toBe(3);
    expect(db.prepare('SELECT scope, account, address, failures FROM account_throttles').all()).toEqual([{ scope: 'pair', account: ACCOUNT, address: A, failures: 0 }]);
  });

  it('refuses nonsense rules', () => {
    const { db } = accountsDb();
    expect(() => new Throttle(db, { pair: { freeFailures: -1, firstDelayS: 60, maxDelayS: 900, forgetAfterS: 60 } })).toThrow(/pair/);
    expect(() => new Throttle(db, { account: { freeFailures: 9, firstDelayS: 60, maxDelayS: 30, forgetAfterS: 60 } })).toThrow(/account/);
    expect(() => new Throttle(db, { wideAttack: { addresses: 0, windowS: 60 } })).toThrow(/wideAttack/);
  });
});
