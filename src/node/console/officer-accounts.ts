// Sign-in and first set-up for officers, apart from HTTP, built from the same parts as the
// holder portal's (src/node/accounts: the attempt at a secret of sign-in.ts — throttle asked
// before any secret is compared and told of every failure, one attempt at a time per address —
// scrypt hashes, server-side sessions). The accounts are in the registry (qdyp officer add /
// reset / disable); a session is good only while its officer is enabled, has a password, and
// has not been reset or disabled since the session began (the record's updatedAt), so
// `officer disable` at the CLI ends it at once.

import { attemptSecret, checkNewPassword, hashPassword, needsRehash, signInStep, verifyPassword, type PasswordProblem, type Session } from '../accounts/index.ts';
import { completeOfficerSetup, officerActor, officerForSignIn, officerSetupCodeValid, setOfficerPasswordHash } from '../issuer/index.ts';
import { RefusedError } from '../errors.ts';
import type { Registry } from '../registry/db.ts';
import { getOfficer } from '../registry/officers.ts';
import type { ConsoleStore } from './store.ts';
import type { OfficerRoleName } from './views/layout.tsx';

/** The session account key: the same text as the audit actor. */
export const officerAccount = officerActor;
const signInKey = (name: string) => `signin:${officerAccount(name)}`;
const setupKey = (name: string) => `setup:${officerAccount(name)}`;

export interface AccountDeps {
  registry: Registry;
  store: ConsoleStore;
  log: (line: string) => void;
}

/** The officer a session belongs to, if the session is still good for them (see above). */
export function sessionOfficer(registry: Registry, session: Session): { name: string; role: OfficerRoleName } | null {
  const m = /^officer:(.+)$/s.exec(session.account);
  if (!m) return null;
  const officer = getOfficer(registry.db, m[1]!);
  if (!officer || officer.disabledAt || !officer.passwordHash) return null;
  if (session.createdAt.getTime() < Date.parse(officer.updatedAt)) return null;
  return { name: officer.name, role: officer.role as OfficerRoleName };
}

export type SignInResult = { ok: true; token: string; session: Session; role: OfficerRoleName } | { ok: false; reason: 'throttled'; retryAfterS: number } | { ok: false; reason: 'wrong' };

export async function signInOfficer(deps: AccountDeps, a: { name: string; password: string; address: string; now: Date }): Promise<SignInResult> {
  const { store } = deps;
  const attempt = await signInStep({
    throttle: store.throttle,
    lockOwner: store,
    key: signInKey(a.name),
    address: a.address,
    now: a.now,
    verify: async () => {
      const officer = officerForSignIn(deps.registry.db, a.name);
      // An unknown name costs the same hash as a known one.
      const matches = await verifyPassword(a.password, officer?.passwordHash ?? null);
      return matches && officer ? officer : null;
    },
    onWideAttack: (addresses, minutes) => deps.log(`officer ${JSON.stringify(a.name)}: failed sign-ins from ${addresses} addresses within ${minutes} minutes; sign-in is slowed for it`),
  });
  if (!attempt.ok) return attempt;
  const officer = attempt.value;
  if (needsRehash(officer.passwordHash!)) setOfficerPasswordHash(deps.registry.db, officer.name, officer.passwordHash!, await hashPassword(a.password));
  const { token, session } = store.sessions.create(officerAccount(officer.name), a.now);
  deps.log(`officer ${JSON.stringify(officer.name)} signed in`);
  return { ok: true, token, session, role: officer.role as OfficerRoleName };
}

export type SetupResult =
  | { ok: true; name: string }
  | { ok: false; reason: 'throttled'; retryAfterS: number }
  | { ok: false; reason: 'code' }
  | { ok: false; reason: 'differ' }
  | { ok: false; reason: 'password'; problem: PasswordProblem };

/**
 * The first password of an officer, set with the one-time code `qdyp officer add` printed.
 * `name` comes normalised (typedOfficerName), as the registry stores it.
 */
export async function setUpOfficer(deps: AccountDeps, a: { name: string; code: string; password: string; confirm: string; address: string; now: Date }): Promise<SetupResult> {
  const { store, registry } = deps;
  const key = setupKey(a.name);
  const result = await attemptSecret(
    {
      throttle: store.throttle,
      lockOwner: store,
      key,
      address: a.address,
      now: a.now,
      verify: async () => (officerSetupCodeValid(registry.db, a.name, a.code, a.now) ? a.name : null),
      onWideAttack: (addresses, minutes) => deps.log(`officer ${JSON.stringify(a.name)}: wrong set-up codes from ${addresses} addresses within ${minutes} minutes; set-up is slowed for it`),
    },
    async (name): Promise<SetupResult> => {
      if (a.password !== a.confirm) return { ok: false, reason: 'differ' };
      const problem = checkNewPassword(a.password, [name]);
      if (problem) return { ok: false, reason: 'password', problem };
      const passwordHash = await hashPassword(a.password);
      try {
        await completeOfficerSetup({ registry, now: a.now, actor: officerAccount(name) }, name, a.code, passwordHash);
      } catch (error) {
        if (error instanceof RefusedError) return { ok: false, reason: 'code' };
        throw error;
      }
      store.throttle.succeed(key, a.address, a.now);
      store.sessions.endAll(officerAccount(name));
      deps.log(`officer ${JSON.stringify(name)}: password set`);
      return { ok: true, name };
    },
  );
  return result.ok || result.reason !== 'wrong' ? result : { ok: false, reason: 'code' };
}
