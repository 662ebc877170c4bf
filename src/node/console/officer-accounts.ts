// Sign-in and first set-up for officers, apart from HTTP, built from the same parts as the
// holder portal's (src/node/accounts: throttle asked before any secret is compared and told of
// every failure, one attempt at a time per address, scrypt hashes, server-side sessions). The
// accounts are in the registry (qdyp officer add / reset / disable); a session is good only
// while its officer is enabled, has a password, and has not been reset or disabled since the
// session began (the record's updatedAt), so `officer disable` at the CLI ends it at once.

import { checkNewPassword, hashPassword, needsRehash, oneAtATime, verifyPassword, type PasswordProblem, type Session } from '../accounts/index.ts';
import { completeOfficerSetup, officerActor, officerForSignIn, setOfficerPasswordHash } from '../issuer/index.ts';
import { RefusedError } from '../errors.ts';
import type { Registry } from '../registry/db.ts';
import { activationCodeHash } from '../registry/invitations.ts';
import { getOfficer, type OfficerRecord } from '../registry/officers.ts';
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
  const key = signInKey(a.name);
  const attempt = await oneAtATime(store, a.address, async (): Promise<Exclude<SignInResult, { ok: true }> | { ok: true; officer: OfficerRecord }> => {
    const verdict = store.throttle.check(key, a.address, a.now);
    if (!verdict.allowed) return { ok: false, reason: 'throttled', retryAfterS: verdict.retryAfterS };
    const officer = officerForSignIn(deps.registry.db, a.name);
    // An unknown name costs the same hash as a known one.
    const matches = await verifyPassword(a.password, officer?.passwordHash ?? null);
    if (!matches || !officer) {
      const outcome = store.throttle.fail(key, a.address, a.now);
      if (outcome.wideAttackBegan) {
        deps.log(`officer ${JSON.stringify(a.name)}: failed sign-ins from ${outcome.addresses} addresses within ${store.throttle.wideAttack.windowS / 60} minutes; sign-in is slowed for it`);
      }
      return { ok: false, reason: 'wrong' };
    }
    store.throttle.succeed(key, a.address, a.now);
    return { ok: true, officer };
  });
  if (!attempt.ok) return attempt;
  const { officer } = attempt;
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

function codeMatches(officer: OfficerRecord | undefined, code: string, now: Date): boolean {
  const hash = activationCodeHash(code);
  return (
    officer !== undefined &&
    hash !== null &&
    !officer.disabledAt &&
    officer.setupCodeHash === hash &&
    officer.setupExpiresAt !== null &&
    Date.parse(officer.setupExpiresAt) > now.getTime()
  );
}

/** The first password of an officer, set with the one-time code `qdyp officer add` printed. */
export async function setUpOfficer(deps: AccountDeps, a: { name: string; code: string; password: string; confirm: string; address: string; now: Date }): Promise<SetupResult> {
  const { store, registry } = deps;
  const key = setupKey(a.name);
  return oneAtATime(store, a.address, async (): Promise<SetupResult> => {
    const verdict = store.throttle.check(key, a.address, a.now);
    if (!verdict.allowed) return { ok: false, reason: 'throttled', retryAfterS: verdict.retryAfterS };
    const officer = getOfficer(registry.db, a.name);
    if (!codeMatches(officer, a.code, a.now)) {
      store.throttle.fail(key, a.address, a.now);
      return { ok: false, reason: 'code' };
    }
    if (a.password !== a.confirm) return { ok: false, reason: 'differ' };
    const problem = checkNewPassword(a.password, [officer!.name]);
    if (problem) return { ok: false, reason: 'password', problem };
    const passwordHash = await hashPassword(a.password);
    try {
      await completeOfficerSetup({ registry, now: a.now, actor: officerAccount(officer!.name) }, officer!.name, a.code, passwordHash);
    } catch (error) {
      if (error instanceof RefusedError) return { ok: false, reason: 'code' };
      throw error;
    }
    store.throttle.succeed(key, a.address, a.now);
    store.sessions.endAll(officerAccount(officer!.name));
    deps.log(`officer ${JSON.stringify(officer!.name)}: password set`);
    return { ok: true, name: officer!.name };
  });
}
