// Accounts in the portal: after 5 wrong passwords within a minute from one address even the
// right password is refused from there for a while, while the right password from another
// address still works; a wide attack on one account is logged for the office (never with a
// password or token); an activation code works once, only unexpired, only for its holder, and
// guessing codes is throttled too; a re-invite that arrives in a new snapshot (no key needed)
// resets the password and ends the old sessions.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dumpTables, qdyp } from '../support.ts';
import { Client, PASSWORD, portalFixture, startPortal, testClock, USCC, type Fixture, type TestPortal } from './support.ts';

let fx: Fixture;

beforeAll(async () => {
  fx = await portalFixture();
});

describe('sign-in throttling', () => {
  let portal: TestPortal;
  const clock = testClock();
  beforeAll(async () => {
    portal = startPortal(fx, { clock: clock.now });
    expect((await new Client(portal, '203.0.113.1').activate(USCC.a, fx.codes.a, PASSWORD)).status).toBe(303);
  });

  it('5 wrong passwords from one address: the right one is refused there for a while, and works from another', async () => {
    const attacker = new Client(portal, '198.51.100.66');
    for (let i = 0; i < 5; i++) {
      const res = await attacker.signIn(USCC.a, 'admin', `wrong password number ${i}`);
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('data-problem="signInWrong"');
      clock.advance(5);
    }
    const refused = await attacker.signIn(USCC.a, 'admin', PASSWORD);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toContain('data-problem="throttled"');
    expect(attacker.cookies.has('qdyp_portal_session')).toBe(false);

    const holder = new Client(portal, '203.0.113.1');
    const signedIn = await holder.signIn(USCC.a, 'admin', PASSWORD);
    expect(signedIn.status).toBe(303);
    expect((await holder.get('/portal/')).status).toBe(200);

    clock.advance(20);
    expect((await attacker.signIn(USCC.a, 'admin', PASSWORD)).status).toBe(429);
    clock.advance(60);
    expect((await attacker.signIn(USCC.a, 'admin', PASSWORD)).status).toBe(303);
  });

  it('an IPv6 /64 is one address', async () => {
    for (let i = 1; i <= 5; i++) expect((await new Client(portal, `2001:db8:7:7::${i}`).signIn(USCC.a, 'admin', 'not the password at all')).status).toBe(401);
    expect((await new Client(portal, '2001:db8:7:7::99').signIn(USCC.a, 'admin', PASSWORD)).status).toBe(429);
    // Another /64 waits only out the account's short slowdown (its failures, from anywhere, are past the free ones).
    clock.advance(5);
    expect((await new Client(portal, '2001:db8:7:8::1').signIn(USCC.a, 'admin', PASSWORD)).status).toBe(303);
  });

  it('logs a wide attack on one account for the office, naming the account, never a password or token', async () => {
    clock.advance(3600 * 2);
    const tokens: string[] = [];
    for (let i = 1; i <= 10; i++) {
      const c = new Client(portal, `192.0.2.${i}`);
      await c.signIn(USCC.a, 'admin', `guess ${i} of the wide attack`);
      tokens.push(...c.cookies.values());
    }
    const lines = portal.logs.filter((l) => l.includes('failed sign-ins from'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(USCC.a);
    expect(lines[0]).toContain('10 addresses');
    const all = portal.logs.join('\n');
    for (const secret of [PASSWORD, 'guess 1', ...tokens]) expect(all).not.toContain(secret);
    // Slowed, never locked: the holder's own (familiar) address still signs in.
    expect((await new Client(portal, '203.0.113.1').signIn(USCC.a, 'admin', PASSWORD)).status).toBe(303);
  });

  it('an unknown account is refused exactly like a wrong password, and throttled the same', async () => {
    clock.advance(3600 * 2);
    const c = new Client(portal, '198.51.100.77');
    const wrong = await (await c.signIn(USCC.a, 'admin', 'a wrong password here')).text();
    const unknown = await (await c.signIn(USCC.a, 'nobody', 'a wrong password here')).text();
    const noHolder = await (await c.signIn('91110000000000000X', 'admin', 'a wrong password here')).text();
    const problem = (html: string) => /<p class="problem"[^>]*>([^<]*)</.exec(html)![1];
    expect(problem(unknown)).toBe(problem(wrong));
    expect(problem(noHolder)).toBe(problem(wrong));
    for (let i = 0; i < 5; i++) await c.signIn(USCC.a, 'nobody', 'a wrong password here');
    expect((await c.signIn(USCC.a, 'nobody', 'a wrong password here')).status).toBe(429);
  });
});

describe('activation', () => {
  it('a code works once; the password must be long, uncommon and typed twice; the code is used only on success', async () => {
    const clock = testClock();
    const portal = startPortal(fx, { clock: clock.now });
    const c = new Client(portal, '203.0.113.20');
    const csrf = await c.csrf('/portal/activate');
    const tries: [Record<string, string>, string][] = [
      [{ password: 'short one', confirm: 'short one' }, 'too_short'],
      [{ password: 'password1234567890', confirm: 'password1234567890' }, 'common'],
      [{ password: PASSWORD, confirm: `${PASSWORD}!` }, 'passwordsDiffer'],
    ];
    for (const [fields, problem] of tries) {
      const res = await c.post('/portal/activate', { csrf, uscc: USCC.a, code: fx.codes.a, ...fields });
      expect(res.status).toBe(400);
      const html = await res.text();
      if (problem === 'passwordsDiffer') expect(html).toContain('data-problem="passwordsDiffer"');
      else expect(html).toContain(problem === 'too_short' ? '密码至少需要 15 个字符' : '这个密码太常见');
      expect(html).not.toContain(fields.password!);
    }
    expect((await c.activate(USCC.a, fx.codes.a, PASSWORD)).status).toBe(303);

    // Used: refused, and the password it set stays.
    const before = dumpTables(portal.store.file);
    const again = await c.activate(USCC.a, fx.codes.a, 'somebody else entirely now');
    expect(again.status).toBe(401);
    expect(await again.text()).toContain('data-problem="codeNotValid"');
    const after = dumpTables(portal.store.file) as Record<string, { rows: unknown[] }>;
    expect(after.portal_accounts).toEqual((before as typeof after).portal_accounts);
    expect((await c.signIn(USCC.a, 'admin', PASSWORD)).status).toBe(303);

    // Another holder's USCC with this holder's code: no such code.
    expect((await new Client(portal, '203.0.113.21').activate(USCC.b, fx.codes.aStaff, PASSWORD)).status).toBe(401);
  });

  it('an expired code is refused', async () => {
    const clock = testClock();
    const portal = startPortal(fx, { clock: clock.now });
    clock.advance(15 * 24 * 3600);
    const res = await new Client(portal).activate(USCC.a, fx.codes.aStaff, PASSWORD);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('data-problem="codeNotValid"');
  });

  it('guessing codes is throttled per address like passwords', async () => {
    const clock = testClock();
    const portal = startPortal(fx, { clock: clock.now });
    const guesser = new Client(portal, '198.51.100.90');
    for (let i = 0; i < 5; i++) expect((await guesser.activate(USCC.b, `${'A'.repeat(15)}${i}AAAA`, PASSWORD)).status).toBe(401);
    expect((await guesser.activate(USCC.b, fx.codes.b, PASSWORD)).status).toBe(429);
    expect((await new Client(portal, '203.0.113.30').activate(USCC.b, fx.codes.b, PASSWORD)).status).toBe(303);
  });

  it('a re-invite in the next snapshot resets the password and ends the old sessions; the portal reopens the file by itself', async () => {
    const clock = testClock();
    const portal = startPortal(fx, { clock: clock.now });
    const holder = new Client(portal, '203.0.113.40');
    expect((await holder.activate(USCC.a, fx.codes.a, PASSWORD)).status).toBe(303);
    expect((await holder.signIn(USCC.a, 'admin', PASSWORD)).status).toBe(303);

    // The office re-invites (no key needed) and copies a new snapshot over the old one.
    const invited = await fx.run(['holder', 'invite', USCC.a, '--json']);
    expect(invited.code, invited.stderr).toBe(0);
    const code = invited.json().code as string;
    expect(fs.existsSync(path.join(fx.dir, 'keys'))).toBe(false);
    const snapshot = await qdyp(['portal', 'snapshot', '--out', fx.snapshotFile, '--db', fx.db], { QDYP_NOW: '2026-11-27T05:00:00Z' });
    expect(snapshot.code, snapshot.stderr).toBe(0);

    // The re-invite ends the old session as soon as the new snapshot is there.
    expect((await holder.get('/portal/')).status).toBe(303);
    expect(portal.logs.some((l) => l.includes('opened the portal snapshot of 2026-11-27T05:00:00.000Z'))).toBe(true);
    expect(await (await holder.get('/portal/sign-in')).text()).toContain('本页信息截至 2026-11-27 13:00');

    const newPassword = 'a brand new harbour phrase';
    expect((await new Client(portal, '203.0.113.41').activate(USCC.a, code, newPassword)).status).toBe(303);
    expect((await holder.get('/portal/')).status).toBe(303); // the old session stays ended
    expect((await new Client(portal, '203.0.113.42').signIn(USCC.a, 'admin', PASSWORD)).status).toBe(401);
    expect((await new Client(portal, '203.0.113.42').signIn(USCC.a, 'admin', newPassword)).status).toBe(303);
    // The voided code stays void.
    expect((await new Client(portal, '203.0.113.43').activate(USCC.a, fx.codes.a, PASSWORD)).status).toBe(401);
  });

  it('a replacement that is not a snapshot leaves the last good one in service', async () => {
    const portal = startPortal(fx, { clock: testClock().now });
    const holder = new Client(portal, '203.0.113.50');
    const good = fs.readFileSync(fx.snapshotFile);
    const temp = `${fx.snapshotFile}.bad`;
    fs.writeFileSync(temp, 'not an sqlite file at all');
    fs.renameSync(temp, fx.snapshotFile);
    try {
      const res = await holder.get('/portal/sign-in');
      expect(res.status).toBe(200);
      expect(portal.logs.filter((l) => l.includes('could not be opened'))).toHaveLength(1);
      await holder.get('/portal/activate');
      expect(portal.logs.filter((l) => l.includes('could not be opened'))).toHaveLength(1);
    } finally {
      fs.writeFileSync(temp, good);
      fs.renameSync(temp, fx.snapshotFile);
    }
  });
});
