// Two rules of holder accounts that hold under pressure and over time. Parallel guesses from
// one address meet the throttle one at a time: of 40 wrong passwords sent at once, only 5 are
// compared before the address is made to wait. And a re-invite (the password reset) voids the
// old password and ends the old sessions as soon as its snapshot arrives, while an account
// whose own invitation merely expired stays as it was.
import { beforeAll, describe, expect, it } from 'vitest';
import { openPortalSnapshot } from '../../../src/node/portal/index.ts';
import { qdyp } from '../support.ts';
import { Client, NOW, PASSWORD, PASSWORD_B, portalFixture, startPortal, testClock, USCC, type Fixture } from './support.ts';

const problemOf = (html: string) => /data-problem="([^"]+)"/.exec(html)?.[1];

/** Sends every form at once from `client`, with one form token fetched first; the statuses and problems. */
async function inParallel(client: Client, path: string, forms: Record<string, string>[]): Promise<{ status: number; problem: string | undefined }[]> {
  const csrf = await client.csrf(path);
  return Promise.all(
    forms.map(async (fields) => {
      const res = await client.post(path, { csrf, ...fields });
      return { status: res.status, problem: problemOf(await res.text()) };
    }),
  );
}

const tally = (results: { status: number; problem: string | undefined }[]) => {
  const counts: Record<string, number> = {};
  for (const r of results) counts[`${r.status} ${r.problem ?? ''}`.trim()] = (counts[`${r.status} ${r.problem ?? ''}`.trim()] ?? 0) + 1;
  return counts;
};

async function writeSnapshot(fx: Fixture, at: string): Promise<void> {
  const r = await qdyp(['portal', 'snapshot', '--out', fx.snapshotFile, '--db', fx.db], { QDYP_NOW: at });
  expect(r.code, r.stderr).toBe(0);
}

describe('parallel attempts from one address', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await portalFixture();
  });

  it('40 wrong passwords at once: 5 are compared, the rest wait; then the right one is refused there and works elsewhere', async () => {
    const clock = testClock();
    const portal = startPortal(fx, { clock: clock.now });
    expect((await new Client(portal, '203.0.113.1').activate(USCC.a, fx.codes.a, PASSWORD)).status).toBe(303);

    const attacker = new Client(portal, '198.51.100.66');
    const results = await inParallel(
      attacker,
      '/portal/sign-in',
      Array.from({ length: 40 }, (_, i) => ({ uscc: USCC.a, user: 'admin', password: `wrong password number ${i}` })),
    );
    // Every "signInWrong" is one password compared; every "throttled" was stopped before.
    expect(tally(results)).toEqual({ '401 signInWrong': 5, '429 throttled': 35 });

    const refused = await attacker.signIn(USCC.a, 'admin', PASSWORD);
    expect(refused.status).toBe(429);
    expect(attacker.cookies.has('qdyp_portal_session')).toBe(false);
    const holder = new Client(portal, '203.0.113.1');
    expect((await holder.signIn(USCC.a, 'admin', PASSWORD)).status).toBe(303);
    expect((await holder.get('/portal/')).status).toBe(200);
  });

  it('spread over many user names at once, one address is still stopped after its 20 failures', async () => {
    const portal = startPortal(fx, { clock: testClock().now });
    const sprayer = new Client(portal, '198.51.100.67');
    const users = Array.from({ length: 8 }, (_, i) => `staff${i}`);
    const results = await inParallel(
      sprayer,
      '/portal/sign-in',
      Array.from({ length: 40 }, (_, i) => ({ uscc: USCC.a, user: users[i % users.length]!, password: `guess number ${i} here` })),
    );
    expect(tally(results)).toEqual({ '401 signInWrong': 20, '429 throttled': 20 });
  });

  it('40 wrong activation codes at once: 5 are tried, the rest wait; the right code then waits there too', async () => {
    const clock = testClock();
    const portal = startPortal(fx, { clock: clock.now });
    const guesser = new Client(portal, '198.51.100.90');
    const results = await inParallel(
      guesser,
      '/portal/activate',
      Array.from({ length: 40 }, (_, i) => ({ uscc: USCC.b, code: `${'A'.repeat(14)}${String(i).padStart(2, '0')}AAAA`, password: PASSWORD_B, confirm: PASSWORD_B })),
    );
    expect(tally(results)).toEqual({ '401 codeNotValid': 5, '429 throttled': 35 });
    expect((await guesser.activate(USCC.b, fx.codes.b, PASSWORD_B)).status).toBe(429);
    expect((await new Client(portal, '203.0.113.30').activate(USCC.b, fx.codes.b, PASSWORD_B)).status).toBe(303);
  });
});

describe('a re-invite voids the old password', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await portalFixture();
  });

  it('ends every old session at the next request, refuses the old password (telling to activate), and the new code sets the new one', async () => {
    const clock = testClock();
    const portal = startPortal(fx, { clock: clock.now });
    const holder = new Client(portal, '203.0.113.40');
    const colleague = new Client(portal, '203.0.113.44');
    expect((await holder.activate(USCC.a, fx.codes.a, PASSWORD)).status).toBe(303);
    expect((await holder.signIn(USCC.a, 'admin', PASSWORD)).status).toBe(303);
    expect((await colleague.signIn(USCC.a, 'admin', PASSWORD)).status).toBe(303);
    expect((await holder.get('/portal/')).status).toBe(200);

    // The office re-invites; the new snapshot arrives. Nothing was activated with it yet.
    const invited = await fx.run(['holder', 'invite', USCC.a, '--json']);
    expect(invited.code, invited.stderr).toBe(0);
    const code = invited.json().code as string;
    clock.advance(60);
    await writeSnapshot(fx, '2026-11-27T04:01:00Z');

    const gone = await holder.get('/portal/');
    expect(gone.status).toBe(303);
    expect(gone.headers.get('location')).toBe('/portal/sign-in');
    expect((await holder.get(`/portal/licences/${fx.numbers.a1}`)).status).toBe(303);
    expect(portal.store.sessions.endAll('holder:' + USCC.a + ':admin')).toBe(0); // the colleague's too
    expect((await colleague.get('/portal/')).status).toBe(303);

    // The old password, typed right: refused, with what to do now.
    const old = await new Client(portal, '203.0.113.45').signIn(USCC.a, 'admin', PASSWORD);
    expect(old.status).toBe(401);
    const html = await old.text();
    expect(html).toContain('重新发出邀请');
    expect(html).toContain('激活码');
    expect(html).not.toContain(PASSWORD);
    const en = await (async () => {
      const c = new Client(portal, '203.0.113.46');
      const csrf = await c.csrf('/portal/sign-in?lang=en');
      return (await c.post('/portal/sign-in?lang=en', { csrf, uscc: USCC.a, user: 'admin', password: PASSWORD })).text();
    })();
    expect(en).toContain('Activate the account with the code on the new invitation letter');
    // A wrong password hears nothing of the reset.
    const wrong = await new Client(portal, '203.0.113.47').signIn(USCC.a, 'admin', 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(problemOf(await wrong.text())).toBe('signInWrong');

    const newPassword = 'a brand new harbour phrase';
    expect((await new Client(portal, '203.0.113.41').activate(USCC.a, code, newPassword)).status).toBe(303);
    const fresh = new Client(portal, '203.0.113.42');
    expect((await fresh.signIn(USCC.a, 'admin', newPassword)).status).toBe(303);
    expect((await fresh.get('/portal/')).status).toBe(200);
    const oldAgain = await new Client(portal, '203.0.113.48').signIn(USCC.a, 'admin', PASSWORD);
    expect(oldAgain.status).toBe(401);
    expect(problemOf(await oldAgain.text())).toBe('signInWrong');
    expect((await holder.get('/portal/')).status).toBe(303);
    expect((await new Client(portal, '203.0.113.43').activate(USCC.a, fx.codes.a, PASSWORD)).status).toBe(401);
  });
});

describe('an expired own invitation', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await portalFixture();
  });

  it('is in the snapshot, cannot activate, and leaves the account it activated current', async () => {
    const clock = testClock();
    const portal = startPortal(fx, { clock: clock.now });
    const staff = new Client(portal, '203.0.113.60');
    expect((await staff.activate(USCC.a, fx.codes.aStaff, PASSWORD_B)).status).toBe(303);

    // Signed in ten minutes before the invitations (14 days) expire; the next snapshot comes after.
    clock.advance(14 * 24 * 3600 - 600);
    expect((await staff.signIn(USCC.a, 'zhang', PASSWORD_B)).status).toBe(303);
    clock.advance(660);
    const after = new Date(clock.now()).toISOString();
    await writeSnapshot(fx, after);
    const snap = openPortalSnapshot(fx.snapshotFile);
    try {
      const own = snap.invitation(USCC.a, 'zhang')!;
      expect(Date.parse(own.expiresAt)).toBeLessThan(Date.parse(after));
      expect(snap.invitation(USCC.b, 'admin')).toBeDefined(); // expired and never used
    } finally {
      snap.close();
    }

    expect((await staff.get('/portal/')).status).toBe(200);
    expect(portal.logs.some((l) => l.includes(`opened the portal snapshot of ${after}`))).toBe(true);
    expect((await new Client(portal, '203.0.113.61').signIn(USCC.a, 'zhang', PASSWORD_B)).status).toBe(303);
    const expired = await new Client(portal, '203.0.113.62').activate(USCC.b, fx.codes.b, PASSWORD);
    expect(expired.status).toBe(401);
    expect(problemOf(await expired.text())).toBe('codeNotValid');
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(NOW));
  });
});
