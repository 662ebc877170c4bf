// Activation and sign-in for holder staff, apart from HTTP: what is checked, in which order,
// and what is written. The throttle is asked BEFORE any secret is compared and told of every
// failure (an unknown account included, which costs the same hash as a known one); a wide
// attack on one account is logged for the office by USCC and user name, never with what was
// typed. Everything needed from the snapshot is taken before the first await: the snapshot
// may be replaced (and closed) while a password is being hashed.
//
// Check, verify and record are one step per address (accounts/sign-in.ts): parallel
// requests cannot all pass `check` before the first `fail` is written. The account counter (any
// address) is deliberately not serialised: queueing every attempt on one account would let a
// wide attack hold up the holder's own sign-in, and that counter only slows, never locks.
// A password reset is a re-invite: an account stays current only while the snapshot holds no
// other invitation for its (uscc, user) than the one it was activated with (accountIsCurrent).

import { attemptSecret, checkNewPassword, hashPassword, needsRehash, signInStep, verifyPassword, type PasswordProblem, type Session } from '../accounts/index.ts';
import type { PortalInvitation, PortalSnapshot } from './snapshot.ts';
import { accountKey, type PortalAccount, type PortalStore } from './store.ts';

export interface AccountDeps {
  store: PortalStore;
  log: (line: string) => void;
}

/** Throttle keys: one purpose each, so guessing codes never slows a holder's sign-in. */
const signInKey = (uscc: string, user: string) => `signin:${accountKey(uscc, user)}`;
const activationKey = (uscc: string) => `activate:holder:${uscc}`;

/**
 * Whether `account` is still the one the office meant: false once the snapshot holds an
 * invitation for its (uscc, user) other than the one that set its password, i.e. a re-invite
 * (the password reset) that has not been activated yet. The registry keeps one invitation per
 * (uscc, user) and a re-invite replaces it, so any other code hash is a newer invitation. The
 * snapshot carries expired invitations too, so an own invitation that merely expired (or no
 * invitation at all) leaves the account current. `invitation` is snapshot.invitation(uscc, user).
 */
export function accountIsCurrent(account: PortalAccount, invitation: PortalInvitation | undefined): boolean {
  return invitation === undefined || invitation.codeHash === account.activatedCodeHash;
}

export type SignInResult =
  | { ok: true; token: string; session: Session }
  | { ok: false; reason: 'throttled'; retryAfterS: number }
  | { ok: false; reason: 'wrong' }
  /** The password was right, but the office has re-invited the user since: activate with the new code. */
  | { ok: false; reason: 'reset' };

/**
 * Signs (uscc, user) in with `password` from `address`: a new session (and token) on success.
 * `uscc` and `user` come already normalised (shape checked, user name through
 * normaliseUserName); the password as typed. The old password of a reset account (see
 * accountIsCurrent) signs nobody in: it is counted as a failure like a wrong one, and only
 * who typed it right is told to activate with the new code.
 */
export async function signIn(
  deps: AccountDeps,
  snapshot: PortalSnapshot,
  a: { uscc: string; user: string; password: string; address: string; now: Date },
): Promise<SignInResult> {
  const { store } = deps;
  const key = signInKey(a.uscc, a.user);
  const holderKnown = snapshot.holder(a.uscc) !== undefined;
  const invitation = snapshot.invitation(a.uscc, a.user);
  // The right password of an account that is no longer current (re-invited) fails all the same.
  let rightButReset = false;
  const attempt = await signInStep({
    throttle: store.throttle,
    lockOwner: store,
    key,
    address: a.address,
    now: a.now,
    verify: async () => {
      const account = store.account(a.uscc, a.user);
      const matches = await verifyPassword(a.password, account?.passwordHash ?? null);
      if (matches && account && holderKnown && accountIsCurrent(account, invitation)) return account;
      rightButReset = matches && account !== undefined && holderKnown;
      return null;
    },
    onWideAttack: (addresses, minutes) =>
      deps.log(
        `holder account ${a.uscc} user ${JSON.stringify(a.user)}: failed sign-ins from ${addresses} addresses within ${minutes} minutes; ` +
          'sign-in is slowed for it (never locked); addresses that signed in before are not affected',
      ),
  });
  if (!attempt.ok) return attempt.reason === 'wrong' && rightButReset ? { ok: false, reason: 'reset' } : attempt;
  const account = attempt.value;
  if (needsRehash(account.passwordHash)) store.rehash(a.uscc, a.user, account.passwordHash, await hashPassword(a.password));
  const { token, session } = store.sessions.create(accountKey(a.uscc, a.user), a.now);
  return { ok: true, token, session };
}

export type ActivationResult =
  | { ok: true; user: string }
  | { ok: false; reason: 'throttled'; retryAfterS: number }
  | { ok: false; reason: 'code' }
  | { ok: false; reason: 'differ' }
  | { ok: false; reason: 'password'; problem: PasswordProblem };

/**
 * Activates the account an invitation code names: the code must be in the snapshot for this
 * holder, unexpired and not used here before; then the password (typed twice) must pass the
 * new-password rules. A code is used up only when the password is set.
 */
export async function activateAccount(
  deps: AccountDeps,
  snapshot: PortalSnapshot,
  a: { uscc: string; code: string; password: string; confirm: string; address: string; now: Date },
): Promise<ActivationResult> {
  const { store } = deps;
  const key = activationKey(a.uscc);
  const invitation = snapshot.invitationByCode(a.uscc, a.code);
  const holder = snapshot.holder(a.uscc);
  // The snapshot holds expired invitations too (for accountIsCurrent): refused here.
  const usable = async () =>
    invitation !== undefined && holder !== undefined && Date.parse(invitation.expiresAt) > a.now.getTime() && !store.isCodeUsed(invitation.codeHash) ? { invitation, holder } : null;
  const result = await attemptSecret(
    {
      throttle: store.throttle,
      lockOwner: store,
      key,
      address: a.address,
      now: a.now,
      verify: usable,
      onWideAttack: (addresses, minutes) => deps.log(`holder ${a.uscc}: wrong activation codes from ${addresses} addresses within ${minutes} minutes; activation is slowed for it`),
    },
    async ({ invitation, holder }): Promise<ActivationResult> => {
      if (a.password !== a.confirm) return { ok: false, reason: 'differ' };
      const problem = checkNewPassword(a.password, [invitation.user, a.uscc, holder.name]);
      if (problem) return { ok: false, reason: 'password', problem };
      const passwordHash = await hashPassword(a.password);
      // Marked used under the hash the snapshot holds, whatever spelling of the code was typed.
      if (!store.activate({ uscc: a.uscc, user: invitation.user, codeHash: invitation.codeHash, passwordHash, now: a.now })) return { ok: false, reason: 'code' };
      store.throttle.succeed(key, a.address, a.now);
      deps.log(`holder ${a.uscc} user ${JSON.stringify(invitation.user)}: account activated`);
      return { ok: true, user: invitation.user };
    },
  );
  return result.ok || result.reason !== 'wrong' ? result : { ok: false, reason: 'code' };
}
