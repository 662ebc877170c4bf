import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SESSION_ABSOLUTE_TIMEOUT_S, SESSION_IDLE_TIMEOUT_S, SessionStore, checkCsrf, csrfToken } from '../../../src/node/accounts/index.ts';
import { accountsDb, clock } from './support.ts';

const HOLDER = 'holder:91370200163562681G:zhangsan';
const OFFICER = 'officer:wang';

describe('sessions', () => {
  it('signs in with a random token and stores only its SHA-256', () => {
    const { db } = accountsDb();
    const sessions = new SessionStore(db);
    const t = clock();
    const { token, expiresAt, session } = sessions.create(HOLDER, t.now());
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(expiresAt).toEqual(new Date(t.now().getTime() + SESSION_IDLE_TIMEOUT_S * 1000));
    expect(session).toMatchObject({ account: HOLDER, createdAt: t.now(), absoluteExpiresAt: new Date(t.now().getTime() + SESSION_ABSOLUTE_TIMEOUT_S * 1000) });
    const rows = db.prepare('SELECT * FROM account_sessions').all();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]).toMatchObject({ id: session.id, account: HOLDER });
    expect(session.id).toMatch(/^[0-9a-f]{64}$/);
    expect(sessions.validate(token, t.now())).toMatchObject({ id: session.id, account: HOLDER, csrf: session.csrf });
  });

  it('makes a new token and CSRF secret at every sign-in', () => {
    const sessions = new SessionStore(accountsDb().db);
    const t = clock();
    const a = sessions.create(HOLDER, t.now());
    const b = sessions.create(HOLDER, t.now());
    expect(a.token).not.toBe(b.token);
    expect(a.session.csrf).not.toBe(b.session.csrf);
    expect(sessions.validate(a.token, t.now())?.id).toBe(a.session.id);
    expect(sessions.validate(b.token, t.now())?.id).toBe(b.session.id);
  });

  it('refuses unknown, malformed and non-string tokens', () => {
    const sessions = new SessionStore(accountsDb().db);
    const t = clock();
    const { token } = sessions.create(HOLDER, t.now());
    for (const bad of [undefined, null, 42, '', 'x', token + 'A', token.slice(0, -1), token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), `${token}\n`]) {
      expect(sessions.validate(bad, t.now()), String(bad)).toBeNull();
    }
  });

  it('expires after 30 idle minutes, the expiry sliding with each use', () => {
    const sessions = new SessionStore(accountsDb().db);
    const t = clock();
    const { token } = sessions.create(HOLDER, t.now());
    t.advance(SESSION_IDLE_TIMEOUT_S - 1);
    const used = sessions.validate(token, t.now());
    expect(used?.expiresAt).toEqual(new Date(t.now().getTime() + SESSION_IDLE_TIMEOUT_S * 1000));
    t.advance(SESSION_IDLE_TIMEOUT_S - 1);
    expect(sessions.validate(token, t.now())).not.toBeNull();
    t.advance(SESSION_IDLE_TIMEOUT_S);
    expect(sessions.validate(token, t.now())).toBeNull();
    // Gone for good: going back in time does not revive it.
    expect(sessions.validate(token, new Date(t.now().getTime() - 60_000))).toBeNull();
  });

  it('expires 12 hours after sign-in however busy it is', () => {
    const sessions = new SessionStore(accountsDb().db);
    const t = clock();
    const start = t.now().getTime();
    const { token } = sessions.create(HOLDER, t.now());
    let last: Date | undefined;
    while (t.now().getTime() + 20 * 60_000 < start + SESSION_ABSOLUTE_TIMEOUT_S * 1000) {
      t.advance(20 * 60);
      const session = sessions.validate(token, t.now());
      expect(session).not.toBeNull();
      last = session!.expiresAt;
    }
    // Near the end the idle expiry is capped at the absolute one.
    expect(last).toEqual(new Date(start + SESSION_ABSOLUTE_TIMEOUT_S * 1000));
    t.advance(20 * 60);
    expect(sessions.validate(token, t.now())).toBeNull();
  });

  it('takes other timeouts and refuses nonsense ones', () => {
    const { db } = accountsDb();
    const sessions = new SessionStore(db, { idleTimeoutS: 60, absoluteTimeoutS: 120 });
    const t = clock();
    const { token, expiresAt } = sessions.create(OFFICER, t.now());
    expect(expiresAt).toEqual(new Date(t.now().getTime() + 60_000));
    t.advance(59);
    expect(sessions.validate(token, t.now())).not.toBeNull();
    t.advance(61);
    expect(sessions.validate(token, t.now())).toBeNull();
    expect(() => new SessionStore(db, { idleTimeoutS: 0 })).toThrow(/idleTimeoutS/);
    expect(() => new SessionStore(db, { absoluteTimeoutS: Number.NaN })).toThrow(/absoluteTimeoutS/);
  });

  it('ends one session at sign-out, and all of an account at a password change', () => {
    const sessions = new SessionStore(accountsDb().db);
    const t = clock();
    const phone = sessions.create(HOLDER, t.now());
    const laptop = sessions.create(HOLDER, t.now());
    const other = sessions.create(OFFICER, t.now());
    expect(sessions.end(phone.token)).toBe(true);
    expect(sessions.end(phone.token)).toBe(false);
    expect(sessions.end('not a token')).toBe(false);
    expect(sessions.validate(phone.token, t.now())).toBeNull();
    expect(sessions.validate(laptop.token, t.now())).not.toBeNull();
    const again = sessions.create(HOLDER, t.now());
    expect(sessions.endAll(HOLDER)).toBe(2);
    expect(sessions.validate(laptop.token, t.now())).toBeNull();
    expect(sessions.validate(again.token, t.now())).toBeNull();
    expect(sessions.validate(other.token, t.now())?.account).toBe(OFFICER);
  });

  it('keeps sessions in the file across restarts, and prunes the expired ones', () => {
    const { db, file } = accountsDb();
    const t = clock();
    const first = new SessionStore(db);
    const { token } = first.create(HOLDER, t.now());
    first.create(OFFICER, t.now());
    db.close();
    const reopened = new Database(file);
    try {
      const sessions = new SessionStore(reopened);
      new SessionStore(reopened); // creating the tables again is harmless
      expect(sessions.validate(token, t.now())?.account).toBe(HOLDER);
      t.advance(SESSION_IDLE_TIMEOUT_S + 1);
      expect(sessions.prune(t.now())).toBe(2);
      expect(reopened.prepare('SELECT COUNT(*) AS n FROM account_sessions').get()).toEqual({ n: 0 });
    } finally {
      reopened.close();
    }
  });
});

describe('CSRF tokens', () => {
  it('accepts the session’s own token only', () => {
    const sessions = new SessionStore(accountsDb().db);
    const t = clock();
    const a = sessions.create(HOLDER, t.now());
    const b = sessions.create(HOLDER, t.now());
    const session = sessions.validate(a.token, t.now())!;
    const token = csrfToken(session);
    expect(token).toBe(a.session.csrf);
    expect(token).not.toBe(a.token);
    expect(checkCsrf(session, token)).toBe(true);
    expect(checkCsrf(session, csrfToken(b.session))).toBe(false);
    for (const bad of [undefined, null, '', token.slice(1), `${token} `, token.toUpperCase(), ['x'], 'x'.repeat(10_000)]) {
      expect(checkCsrf(session, bad), String(bad)).toBe(false);
    }
  });
});
