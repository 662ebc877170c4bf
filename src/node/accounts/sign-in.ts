// One attempt at a secret (a password, an activation or set-up code), the step the holder
// portal and the authority console share: one at a time per address (one-at-a-time.ts), the
// throttle asked BEFORE the secret is compared, every failure counted (an unknown account
// included: `verify` must cost the same for it), a wide attack on one account reported once
// for the office's log (never with what was typed). What follows a verified secret is the
// caller's: a sign-in tells the throttle of its success at once (signInStep); an activation
// first sets the password (attemptSecret, calling `throttle.succeed` itself).

import { oneAtATime } from './one-at-a-time.ts';
import type { Throttle } from './throttle.ts';

export interface SecretAttempt<T> {
  throttle: Throttle;
  /** Whose one-at-a-time lock: the portal's or the console's store. */
  lockOwner: object;
  /** The throttle's account key, one per purpose (`signin:…`, `activate:…`, `setup:…`). */
  key: string;
  address: string;
  now: Date;
  /** Compares the secret: what it opens, or null for a failure (counted). */
  verify: () => Promise<T | null>;
  /** Failures on `key` came from `addresses` addresses within `minutes`: told once per attack. */
  onWideAttack: (addresses: number, minutes: number) => void;
}

export type SecretRefused = { ok: false; reason: 'throttled'; retryAfterS: number } | { ok: false; reason: 'wrong' };

/**
 * Checks the throttle, verifies, and counts a failure; with what `verify` gave, runs `then`
 * within the same step (the lock still held), and returns what it returns. `then` tells the
 * throttle of the success when there is one (`throttle.succeed(key, address, now)`).
 */
export async function attemptSecret<T, R>(a: SecretAttempt<T>, then: (value: T) => Promise<R> | R): Promise<R | SecretRefused> {
  return oneAtATime(a.lockOwner, a.address, async (): Promise<R | SecretRefused> => {
    const verdict = a.throttle.check(a.key, a.address, a.now);
    if (!verdict.allowed) return { ok: false, reason: 'throttled', retryAfterS: verdict.retryAfterS };
    const value = await a.verify();
    if (value === null) {
      const outcome = a.throttle.fail(a.key, a.address, a.now);
      if (outcome.wideAttackBegan) a.onWideAttack(outcome.addresses, a.throttle.wideAttack.windowS / 60);
      return { ok: false, reason: 'wrong' };
    }
    return then(value);
  });
}

/** A sign-in's step: attemptSecret, the success told to the throttle as soon as the secret is right. */
export async function signInStep<T>(a: SecretAttempt<T>): Promise<{ ok: true; value: T } | SecretRefused> {
  return attemptSecret(a, (value) => {
    a.throttle.succeed(a.key, a.address, a.now);
    return { ok: true as const, value };
  });
}
