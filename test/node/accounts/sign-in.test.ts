// The attempt at a secret the portal and the console share (accounts/sign-in.ts): the
// throttle asked before `verify` runs, every failure counted, a wide attack told once, a
// sign-in's success told to the throttle at once, and parallel attempts from one address one
// at a time.
import { describe, expect, it } from 'vitest';
import { attemptSecret, signInStep, Throttle, type SecretAttempt } from '../../../src/node/accounts/index.ts';
import { accountsDb, clock } from './support.ts';

const KEY = 'signin:officer:王芳';
const A = '198.51.100.7';

function attempt<T>(throttle: Throttle, now: Date, verify: () => Promise<T | null>, address = A, wide: number[] = []): SecretAttempt<T> {
  return { throttle, lockOwner: throttle, key: KEY, address, now, verify, onWideAttack: (addresses) => wide.push(addresses) };
}

describe('signInStep and attemptSecret', () => {
  it('counts each failure, asks the throttle before verifying, and clears the pair on a success', async () => {
    const throttle = new Throttle(accountsDb().db);
    const t = clock();
    let verified = 0;
    const wrong = async () => (verified++, null);
    for (let i = 0; i < 5; i++) expect(await signInStep(attempt(throttle, t.advance(1), wrong))).toEqual({ ok: false, reason: 'wrong' });
    expect(verified).toBe(5);
    // Throttled: the secret is not even compared.
    expect(await signInStep(attempt(throttle, t.advance(1), async () => (verified++, 'officer')))).toEqual({ ok: false, reason: 'throttled', retryAfterS: 59 });
    expect(verified).toBe(5);
    expect(await signInStep(attempt(throttle, t.advance(60), async () => 'officer'))).toEqual({ ok: true, value: 'officer' });
    expect(throttle.check(KEY, A, t.now())).toEqual({ allowed: true });
  });

  it('tells of a wide attack once; attemptSecret leaves the success to its caller', async () => {
    const throttle = new Throttle(accountsDb().db);
    const t = clock();
    const wide: number[] = [];
    for (let i = 1; i <= 12; i++) await signInStep(attempt(throttle, t.advance(1), async () => null, `198.51.100.${i}`, wide));
    expect(wide).toEqual([10]);

    const pair = new Throttle(accountsDb().db);
    for (let i = 0; i < 5; i++) await attemptSecret(attempt(pair, t.now(), async () => null), () => 'unused');
    const later = t.advance(60);
    expect(await attemptSecret(attempt(pair, later, async () => 'code'), (value) => ({ ok: true, value }))).toEqual({ ok: true, value: 'code' });
    // Not told of a success: the next failure waits again.
    pair.fail(KEY, A, later);
    expect(pair.check(KEY, A, later).allowed).toBe(false);
  });

  it('runs parallel attempts from one address one at a time, so none passes the check on stale counters', async () => {
    const throttle = new Throttle(accountsDb().db);
    const now = clock().now();
    let verified = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        signInStep(
          attempt(throttle, now, async () => {
            verified++;
            await new Promise((resolve) => setTimeout(resolve, 1));
            return null;
          }),
        ),
      ),
    );
    expect(verified).toBe(5);
    expect(results.filter((r) => !r.ok && r.reason === 'throttled')).toHaveLength(15);
  });
});
