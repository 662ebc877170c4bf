// Officers of the authority console and bulk revocations (four eyes).
//
// An officer is added (or reset) by the office with a one-time set-up code, shown once and
// stored only as its hash (the same alphabet, normalisation and 100 bits as the portal's
// activation codes); the officer then chooses a password at /console/setup, which the console
// hashes (checkNewPassword + hashPassword, accounts/) before calling completeOfficerSetup. A
// reset clears the password: the console checks the record on every request, so the officer's
// sessions stop working with it. Officers are disabled, never deleted.
//
// Revoking more than BULK_REVOKE_LIMIT licences at once takes two officers: one requests it,
// another confirms it, and only then is each licence revoked (revokeLicence, one transaction
// and audit event per licence, with the confirmer as actor). Up to the limit, one officer
// revokes them at once (revokeLicences), which refuses more.
//
// Each change is one transaction with its audit event; the audit trail never holds a code, a
// code hash or a password hash. Refused input throws RefusedError and changes nothing.

import { timingSafeEqual } from 'node:crypto';
import { LICENCE_NUMBER_RE } from '../../core/index.ts';
import { needsRehash } from '../accounts/passwords.ts';
import { RefusedError, type RefusalCode } from '../errors.ts';
import { appendAudit } from '../registry/audit.ts';
import {
  cancelBulkRevocationRow,
  finishBulkRevocationRow,
  getBulkRevocation,
  insertBulkRevocation,
  startBulkRevocationRow,
  type BulkRevocationOutcome,
  type BulkRevocationRecord,
  type BulkRevocationResult,
} from '../registry/bulk.ts';
import { activationCodeHash, newActivationCode } from '../registry/invitations.ts';
import type { Db } from '../registry/db.ts';
import { getLicence } from '../registry/licences.ts';
import { getOfficer, hasOfficers, insertOfficer, replacePasswordHash, updateOfficer, type OfficerRecord } from '../registry/officers.ts';
import { revokeLicence } from './changes.ts';
import { checkReason, checkText } from './checks.ts';
import { at, type IssuerContext } from './context.ts';

export { getBulkRevocation, listBulkRevocations } from '../registry/bulk.ts';
export type { BulkRevocationOutcome, BulkRevocationRecord, BulkRevocationResult, BulkRevocationState } from '../registry/bulk.ts';
export { getOfficer, listOfficers } from '../registry/officers.ts';
export type { OfficerRecord } from '../registry/officers.ts';

export const OFFICER_ROLES = ['clerk', 'officer', 'admin'] as const;
export type OfficerRole = (typeof OFFICER_ROLES)[number];
export const DEFAULT_OFFICER_ROLE: OfficerRole = 'officer';
export const MAX_OFFICER_NAME = 64;
export const OFFICER_SETUP_DAYS = { default: 7, min: 1, max: 30 } as const;
/** Revoking more licences than this at once needs a second officer (requestBulkRevocation). */
export const BULK_REVOKE_LIMIT = 3;
/** A confirmation started longer ago than this was cut short (a crash): another officer may finish it. */
export const BULK_CONFIRM_STALE_MS = 10 * 60_000;
/** At most this many licences in one bulk revocation request. */
export const BULK_REVOKE_MAX = 1000;
const DAY_MS = 86_400_000;

/** The refusal codes of this module (all in errors.ts's RefusalCode). */
export type OfficerRefusalCode = Extract<RefusalCode, 'officer_exists' | 'unknown_officer' | 'invalid_role' | 'setup_code' | 'same_officer' | 'unknown_bulk_revocation'>;

function refused(code: RefusalCode, message: string): RefusedError {
  return new RefusedError(code, message);
}

// --- Officers --------------------------------------------------------------------------------

/**
 * An officer name as stored and compared: NFC, without surrounding spaces, inner runs of
 * spaces as one (as the console reads what is typed at sign-in).
 */
export function normaliseOfficerName(input: string): string {
  return input.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/** An officer name to store or look up: checked like any text, then normalised (normaliseOfficerName). */
export function checkOfficerName(value: unknown): string {
  // The raw text first, so an invisible character is named rather than trimmed away.
  const raw = checkText('officer name', value, MAX_OFFICER_NAME * 4);
  return checkText('officer name', normaliseOfficerName(raw), MAX_OFFICER_NAME);
}

export function checkOfficerRole(value: unknown): OfficerRole {
  if (value === undefined || value === null) return DEFAULT_OFFICER_ROLE;
  if (!OFFICER_ROLES.includes(value as OfficerRole)) throw refused('invalid_role', `an officer's role is one of ${OFFICER_ROLES.join(', ')}; "${String(value)}" is not`);
  return value as OfficerRole;
}

export function checkSetupDays(value: unknown): number {
  if (value === undefined || value === null) return OFFICER_SETUP_DAYS.default;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < OFFICER_SETUP_DAYS.min || value > OFFICER_SETUP_DAYS.max) {
    throw refused('invalid_period', `a set-up code lasts ${OFFICER_SETUP_DAYS.min} to ${OFFICER_SETUP_DAYS.max} days; ${String(value)} is not that`);
  }
  return value;
}

/** The audit actor (and subject) of an officer: `officer:NAME`, as the console acts. */
export function officerActor(name: string): string {
  return `officer:${name}`;
}

export type OfficerState = 'active' | 'disabled' | 'awaiting_setup';

export function officerState(officer: OfficerRecord): OfficerState {
  if (officer.disabledAt !== null) return 'disabled';
  return officer.passwordHash === null ? 'awaiting_setup' : 'active';
}

/** What may be shown of an officer (lists, --json, the console): no hash of anything. */
export interface OfficerSummary {
  name: string;
  role: OfficerRole;
  state: OfficerState;
  /** While set-up is open: until when its code works, and whether that has passed. */
  setupExpiresAt: string | null;
  setupExpired: boolean;
  createdAt: string;
  updatedAt: string;
  disabledAt: string | null;
}

export function officerSummary(officer: OfficerRecord, now: Date): OfficerSummary {
  return {
    name: officer.name,
    role: officer.role,
    state: officerState(officer),
    setupExpiresAt: officer.setupExpiresAt,
    setupExpired: officer.setupExpiresAt !== null && Date.parse(officer.setupExpiresAt) <= now.getTime(),
    createdAt: officer.createdAt,
    updatedAt: officer.updatedAt,
    disabledAt: officer.disabledAt,
  };
}

export interface OfficerSetup {
  officer: OfficerRecord;
  /** The one-time set-up code as shown (groups joined by dashes). Stored nowhere: hand it over now. */
  setupCode: string;
  /** ISO-8601 UTC instant. */
  expiresAt: string;
}

function newSetup(ctx: IssuerContext, days: number): { setupCode: string; setupCodeHash: string; expiresAt: string } {
  const setupCode = newActivationCode();
  return { setupCode, setupCodeHash: activationCodeHash(setupCode)!, expiresAt: new Date(ctx.now.getTime() + days * DAY_MS).toISOString() };
}

function requireOfficer(ctx: IssuerContext, name: string): OfficerRecord {
  const officer = getOfficer(ctx.registry.db, name);
  if (!officer) throw refused('unknown_officer', `no officer "${name}" in the registry (qdyp officer list shows them)`);
  return officer;
}

function stateOf(officer: OfficerRecord) {
  return { name: officer.name, role: officer.role, state: officerState(officer) };
}

/**
 * Adds officer `name` with `role` (default officer) and a one-time set-up code valid for
 * `days` (default 7, 1 to 30). One transaction with its audit event (`officer.add`, subject
 * `officer:NAME`, recording the name and role: never the code).
 */
export async function addOfficer(ctx: IssuerContext, name: unknown, role?: unknown, options: { days?: number } = {}): Promise<OfficerSetup> {
  const checked = checkOfficerName(name);
  const checkedRole = checkOfficerRole(role);
  const days = checkSetupDays(options.days);
  const db = ctx.registry.db;
  const setup = newSetup(ctx, days);
  return ctx.registry.exclusive(async () =>
    db.transaction(() => {
      const existing = getOfficer(db, checked);
      if (existing) {
        const how = existing.disabledAt === null ? 'qdyp officer reset gives a new set-up code' : `it was disabled at ${existing.disabledAt}; choose another name`;
        throw refused('officer_exists', `there is already an officer "${checked}" (${how})`);
      }
      const officer: OfficerRecord = {
        name: checked,
        role: checkedRole,
        passwordHash: null,
        setupCodeHash: setup.setupCodeHash,
        setupExpiresAt: setup.expiresAt,
        createdAt: at(ctx),
        updatedAt: at(ctx),
        disabledAt: null,
      };
      insertOfficer(db, officer);
      appendAudit(db, { at: at(ctx), actor: ctx.actor, action: 'officer.add', subject: officerActor(checked), after: { name: checked, role: checkedRole } });
      return { officer, setupCode: setup.setupCode, expiresAt: setup.expiresAt };
    }).immediate(),
  );
}

/**
 * A new set-up code for officer `name` (a forgotten password, or a code that expired): the
 * password is cleared, so the officer's console sessions stop working, and any earlier code is
 * void. Refused for a disabled officer. Audit `officer.reset`.
 */
export async function resetOfficer(ctx: IssuerContext, name: unknown, options: { days?: number } = {}): Promise<OfficerSetup> {
  const checked = checkOfficerName(name);
  const days = checkSetupDays(options.days);
  const db = ctx.registry.db;
  const setup = newSetup(ctx, days);
  return ctx.registry.exclusive(async () =>
    db.transaction(() => {
      const current = requireOfficer(ctx, checked);
      if (current.disabledAt !== null) throw refused('invalid_transition', `officer "${checked}" was disabled at ${current.disabledAt}: a disabled officer cannot be reset`);
      updateOfficer(db, checked, { passwordHash: null, setupCodeHash: setup.setupCodeHash, setupExpiresAt: setup.expiresAt }, at(ctx));
      const officer = getOfficer(db, checked)!;
      appendAudit(db, { at: at(ctx), actor: ctx.actor, action: 'officer.reset', subject: officerActor(checked), before: stateOf(current), after: stateOf(officer) });
      return { officer, setupCode: setup.setupCode, expiresAt: setup.expiresAt };
    }).immediate(),
  );
}

/**
 * Disables officer `name`: no sign-in, no set-up (an open set-up code is voided). The record
 * stays, so the audit trail's actors stay named. Audit `officer.disable` with the reason.
 */
export async function disableOfficer(ctx: IssuerContext, name: unknown, reason?: unknown): Promise<OfficerRecord> {
  const checked = checkOfficerName(name);
  const why = checkReason(reason, false);
  const db = ctx.registry.db;
  return ctx.registry.exclusive(async () =>
    db.transaction(() => {
      const current = requireOfficer(ctx, checked);
      if (current.disabledAt !== null) throw refused('invalid_transition', `officer "${checked}" was already disabled at ${current.disabledAt}`);
      updateOfficer(db, checked, { disabledAt: at(ctx), setupCodeHash: null, setupExpiresAt: null }, at(ctx));
      const officer = getOfficer(db, checked)!;
      appendAudit(db, {
        at: at(ctx),
        actor: ctx.actor,
        action: 'officer.disable',
        subject: officerActor(checked),
        reason: why,
        before: stateOf(current),
        after: { ...stateOf(officer), disabledAt: officer.disabledAt },
      });
      return officer;
    }).immediate(),
  );
}

const SETUP_REFUSED =
  'this officer name and set-up code do not match an open set-up (mistyped, already used, or replaced by a newer code?); an administrator can give a new code with qdyp officer reset NAME';

function checkPasswordHash(hash: unknown): string {
  // The console's own output, never typed: a malformed one is a bug, not a refusal.
  if (typeof hash !== 'string') throw new TypeError('expected a password hash from hashPassword');
  needsRehash(hash); // throws on anything but scrypt$N$r$p$salt$hash within the limits
  return hash;
}

/** Why `codeHash` (of the code as typed) does not open `officer`'s set-up at `now`, or null when it does. */
function setupCodeRefusal(officer: OfficerRecord | undefined, codeHash: string | null, now: Date): RefusedError | null {
  if (!officer || codeHash === null || officer.disabledAt !== null || officer.setupCodeHash === null || officer.setupExpiresAt === null) return refused('setup_code', SETUP_REFUSED);
  const typed = Buffer.from(codeHash, 'hex');
  const open = Buffer.from(officer.setupCodeHash, 'hex');
  // Compared in constant time: how far a guess matched never shows in the time taken.
  if (typed.length !== open.length || !timingSafeEqual(typed, open)) return refused('setup_code', SETUP_REFUSED);
  if (Date.parse(officer.setupExpiresAt) <= now.getTime()) {
    return refused('setup_code', `this set-up code expired at ${officer.setupExpiresAt}; an administrator can give a new one with qdyp officer reset ${officer.name}`);
  }
  return null;
}

function setupCodeHash(code: unknown): string | null {
  return typeof code === 'string' ? activationCodeHash(code) : null;
}

/**
 * Whether `code` (as typed) opens officer `name`'s set-up at `now`: the officer enabled, the
 * code the open one (compared in constant time) and unexpired — what completeOfficerSetup
 * requires. The console asks this (throttled) before it checks and hashes a new password.
 */
export function officerSetupCodeValid(db: Db, name: unknown, code: unknown, now: Date): boolean {
  let checked: string;
  try {
    checked = checkOfficerName(name);
  } catch {
    return false;
  }
  return hasOfficers(db) && setupCodeRefusal(getOfficer(db, checked), setupCodeHash(code), now) === null;
}

/**
 * Completes officer `name`'s set-up with the one-time `code` (as typed: case, dashes and
 * spaces do not matter) and `passwordHash` (the console's hashPassword of the new password,
 * checked with checkNewPassword first). The code must open the set-up (officerSetupCodeValid);
 * it then stops working. Audit `officer.setup`, with the officer as actor.
 * Anything else throws RefusedError('setup_code'), saying no more than that name and code do
 * not match (the console throttles attempts), or that the code expired.
 */
export async function completeOfficerSetup(ctx: IssuerContext, name: unknown, code: unknown, passwordHash: string): Promise<OfficerRecord> {
  const hash = checkPasswordHash(passwordHash);
  let checked: string;
  try {
    checked = checkOfficerName(name);
  } catch {
    throw refused('setup_code', SETUP_REFUSED);
  }
  const codeHash = setupCodeHash(code);
  if (codeHash === null) throw refused('setup_code', SETUP_REFUSED);
  const db = ctx.registry.db;
  return ctx.registry.exclusive(async () =>
    db.transaction(() => {
      const current = getOfficer(db, checked);
      const refusal = setupCodeRefusal(current, codeHash, ctx.now);
      if (refusal) throw refusal;
      const done = updateOfficer(db, checked, { passwordHash: hash, setupCodeHash: null, setupExpiresAt: null }, at(ctx), { setupCodeHash: current!.setupCodeHash, disabledAt: null });
      if (!done) throw refused('setup_code', SETUP_REFUSED);
      const officer = getOfficer(db, checked)!;
      const actor = officerActor(checked);
      appendAudit(db, { at: at(ctx), actor, action: 'officer.setup', subject: actor, before: stateOf(current!), after: stateOf(officer) });
      return officer;
    }).immediate(),
  );
}

/**
 * The officer who may sign in as `name` (as typed: see normaliseOfficerName): enabled and
 * with a password set; otherwise undefined. The console verifies the password against its
 * hash (verifyPassword, passing null when this is undefined), and checks the record again on
 * every request, so a reset or a disable ends the officer's sessions.
 */
export function officerForSignIn(db: Db, name: unknown): OfficerRecord | undefined {
  if (typeof name !== 'string' || name.length > MAX_OFFICER_NAME * 4 || !hasOfficers(db)) return undefined;
  const officer = getOfficer(db, normaliseOfficerName(name));
  return officer && officer.disabledAt === null && officer.passwordHash !== null ? officer : undefined;
}

/**
 * Replaces an enabled officer's password hash `oldHash` by `newHash` (the same password
 * hashed with today's parameters, when needsRehash says so at sign-in). Not an audited change.
 * False if the hash had changed meanwhile (a reset) or the officer is disabled.
 */
export function setOfficerPasswordHash(db: Db, name: string, oldHash: string, newHash: string): boolean {
  return replacePasswordHash(db, name, oldHash, checkPasswordHash(newHash));
}

// --- Bulk revocations ------------------------------------------------------------------------

/** Whether revoking `count` licences at once needs a second officer (a bulk revocation). */
export function needsSecondOfficer(count: number): boolean {
  return count > BULK_REVOKE_LIMIT;
}

export interface LicencesRevoked {
  /** The numbers revoked, in the order given. */
  revoked: string[];
  /** Those not revoked, each with the refusal's message (revoked meanwhile, say). */
  refused: { number: string; message: string }[];
}

/**
 * Revokes the licences `numbers` (repeats counted once) for `reason`, as ctx.actor: each by
 * revokeLicence (its own transaction and `licence.revoke` event), one refused not stopping the
 * others. At most BULK_REVOKE_LIMIT at once: more is refused ('invalid_list'), changing
 * nothing, as it takes a second officer (requestBulkRevocation, confirmBulkRevocation).
 */
export async function revokeLicences(ctx: IssuerContext, numbers: readonly string[], reason: unknown): Promise<LicencesRevoked> {
  const why = checkReason(reason, true)!;
  const unique = [...new Set(numbers)];
  if (unique.length === 0) throw refused('invalid_list', 'give at least one licence number to revoke');
  if (needsSecondOfficer(unique.length)) {
    throw refused(
      'invalid_list',
      `at most ${BULK_REVOKE_LIMIT} licences can be revoked at once; ${unique.length} were given: request a bulk revocation instead, which a second officer confirms`,
    );
  }
  const outcome: LicencesRevoked = { revoked: [], refused: [] };
  for (const number of unique) {
    try {
      await revokeLicence(ctx, number, why);
      outcome.revoked.push(number);
    } catch (error) {
      if (!(error instanceof RefusedError)) throw error;
      outcome.refused.push({ number, message: error.message });
    }
  }
  return outcome;
}

export function bulkSubject(id: number): string {
  return `bulk:${id}`;
}

/** A bulk revocation id: a whole number, or its digits (as a form or URL gives it), or "bulk:N". */
export function checkBulkId(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().replace(/^bulk:/i, '') : '';
  if (!/^[1-9]\d{0,14}$/.test(text)) throw refused('unknown_bulk_revocation', `"${String(value).slice(0, 40)}" is not a bulk revocation id`);
  return Number(text);
}

function requireBulk(ctx: IssuerContext, id: number): BulkRevocationRecord {
  const bulk = getBulkRevocation(ctx.registry.db, id);
  if (!bulk) throw refused('unknown_bulk_revocation', `no bulk revocation ${id} in the registry`);
  return bulk;
}

function requirePending(bulk: BulkRevocationRecord): void {
  if (bulk.state === 'pending') return;
  const what = bulk.state === 'done' ? 'confirmed' : 'cancelled';
  throw refused('invalid_transition', `bulk revocation ${bulk.id} is not pending: it was ${what} by ${bulk.decidedBy} at ${bulk.decidedAt}`);
}

/** Up to 20 items, then how many more. */
function some(items: string[]): string {
  const shown = items.slice(0, 20).join(', ');
  return items.length > 20 ? `${shown} and ${items.length - 20} more` : shown;
}

/**
 * Records a request (by ctx.actor) to revoke the licences `numbers` (repeats counted once) for
 * `reason`. Every number must name a licence that is not revoked: otherwise the request is
 * refused, listing which. Nothing is revoked until another officer confirms it
 * (confirmBulkRevocation). Audit `bulk_revoke.request`, subject `bulk:ID`.
 */
export async function requestBulkRevocation(ctx: IssuerContext, numbers: unknown[], reason: unknown): Promise<BulkRevocationRecord> {
  const why = checkReason(reason, true)!;
  if (!Array.isArray(numbers) || numbers.length === 0) throw refused('invalid_list', 'a bulk revocation needs at least one licence number');
  if (numbers.length > BULK_REVOKE_MAX) throw refused('invalid_list', `at most ${BULK_REVOKE_MAX} licences in one bulk revocation; ${numbers.length} were given: split the list`);
  const malformed: string[] = [];
  const unique = new Set<string>();
  for (const value of numbers) {
    const number = typeof value === 'string' ? value.trim().toUpperCase() : '';
    if (LICENCE_NUMBER_RE.test(number)) unique.add(number);
    else malformed.push(JSON.stringify(String(value).slice(0, 40)));
  }
  const db = ctx.registry.db;
  return ctx.registry.exclusive(async () =>
    db.transaction(() => {
      const unknown: string[] = [];
      const revoked: string[] = [];
      for (const number of unique) {
        const licence = getLicence(db, number);
        if (!licence) unknown.push(number);
        else if (licence.status === 'revoked') revoked.push(number);
      }
      if (malformed.length + unknown.length + revoked.length > 0) {
        const problems = [
          malformed.length ? `not licence numbers (QDYP-YYYY-NNNNNN): ${some(malformed)}` : '',
          unknown.length ? `no such licence in the registry: ${some(unknown)}` : '',
          revoked.length ? `already revoked: ${some(revoked)}` : '',
        ].filter(Boolean);
        const code = malformed.length + unknown.length > 0 ? 'unknown_licence' : 'invalid_transition';
        throw refused(code, `the bulk revocation was not requested; ${problems.join('; ')}. Take these out of the list and request it again`);
      }
      const request = { requestedBy: ctx.actor, requestedAt: at(ctx), reason: why, numbers: [...unique] };
      const id = insertBulkRevocation(db, request);
      appendAudit(db, { at: at(ctx), actor: ctx.actor, action: 'bulk_revoke.request', subject: bulkSubject(id), reason: why, after: { id, numbers: request.numbers } });
      return getBulkRevocation(db, id)!;
    }).immediate(),
  );
}

/**
 * Carries out pending bulk revocation `id`, as ctx.actor, who must not be its requester. The
 * request is marked as being confirmed first (audit `bulk_revoke.start`; from then on it can
 * no longer be cancelled), then each licence is revoked with the request's reason by
 * revokeLicence (its own transaction and `licence.revoke` event, with the confirmer as actor);
 * those revoked meanwhile are skipped. Last the request is marked done with the outcome per
 * licence (audit `bulk_revoke.confirm`). Cut short (a crash), the request stays pending with
 * its confirmer: confirming it again finishes it. The changes are to be published as any
 * revocation is (the CLI and console publish after a change).
 */
export async function confirmBulkRevocation(ctx: IssuerContext, id: unknown): Promise<BulkRevocationRecord> {
  const bulkId = checkBulkId(id);
  const db = ctx.registry.db;
  const request = await ctx.registry.exclusive(async () =>
    db.transaction(() => {
      const current = requireBulk(ctx, bulkId);
      requirePending(current);
      if (current.requestedBy === ctx.actor) throw refused('same_officer', 'a second officer must confirm a bulk revocation; it was requested by you');
      const staleBefore = new Date(ctx.now.getTime() - BULK_CONFIRM_STALE_MS).toISOString();
      if (!startBulkRevocationRow(db, bulkId, ctx.actor, at(ctx), staleBefore)) {
        // Another officer's confirmation is under way: two must never run the same list at once.
        throw refused('conflict', `bulk revocation ${bulkId} is being confirmed by ${current.decidedBy ?? 'another officer'} since ${current.decidedAt ?? 'a moment ago'}; nothing was changed (a confirmation cut short can be taken over after ${BULK_CONFIRM_STALE_MS / 60_000} minutes)`);
      }
      appendAudit(db, {
        at: at(ctx),
        actor: ctx.actor,
        action: 'bulk_revoke.start',
        subject: bulkSubject(bulkId),
        reason: current.reason,
        before: current.decidedBy === null ? null : { confirmingBy: current.decidedBy, since: current.decidedAt },
        after: { confirmingBy: ctx.actor, requestedBy: current.requestedBy, count: current.numbers.length },
      });
      return current;
    }).immediate(),
  );

  const licences: BulkRevocationResult[] = [];
  for (const number of request.numbers) {
    if (getLicence(db, number)?.status === 'revoked') {
      licences.push({ number, result: 'already_revoked' });
      continue;
    }
    try {
      await revokeLicence(ctx, number, request.reason);
      licences.push({ number, result: 'revoked' });
    } catch (error) {
      if (!(error instanceof RefusedError)) throw error;
      // Revoked by someone else between the look and the change: the same as skipped.
      if (getLicence(db, number)?.status === 'revoked') licences.push({ number, result: 'already_revoked' });
      else licences.push({ number, result: 'refused', message: error.message });
    }
  }
  const count = (result: BulkRevocationResult['result']) => licences.filter((l) => l.result === result).length;
  const outcome: BulkRevocationOutcome = { revoked: count('revoked'), alreadyRevoked: count('already_revoked'), refused: count('refused'), licences };

  return ctx.registry.exclusive(async () =>
    db.transaction(() => {
      const current = requireBulk(ctx, bulkId);
      requirePending(current);
      finishBulkRevocationRow(db, bulkId, ctx.actor, at(ctx), outcome);
      appendAudit(db, {
        at: at(ctx),
        actor: ctx.actor,
        action: 'bulk_revoke.confirm',
        subject: bulkSubject(bulkId),
        reason: current.reason,
        before: { state: 'pending', requestedBy: current.requestedBy },
        after: { state: 'done', outcome },
      });
      return getBulkRevocation(db, bulkId)!;
    }).immediate(),
  );
}

/**
 * Cancels pending bulk revocation `id` (the requester or another officer may), unless its
 * confirmation has started. Audit `bulk_revoke.cancel`.
 */
export async function cancelBulkRevocation(ctx: IssuerContext, id: unknown, reason?: unknown): Promise<BulkRevocationRecord> {
  const bulkId = checkBulkId(id);
  const why = checkReason(reason, false);
  const db = ctx.registry.db;
  return ctx.registry.exclusive(async () =>
    db.transaction(() => {
      const current = requireBulk(ctx, bulkId);
      requirePending(current);
      if (current.decidedBy !== null) {
        throw refused('invalid_transition', `bulk revocation ${bulkId} is being confirmed by ${current.decidedBy} (since ${current.decidedAt}) and cannot be cancelled: confirm it again to finish it`);
      }
      cancelBulkRevocationRow(db, bulkId, ctx.actor, at(ctx));
      appendAudit(db, {
        at: at(ctx),
        actor: ctx.actor,
        action: 'bulk_revoke.cancel',
        subject: bulkSubject(bulkId),
        reason: why,
        before: { state: 'pending', requestedBy: current.requestedBy },
        after: { state: 'cancelled' },
      });
      return getBulkRevocation(db, bulkId)!;
    }).immediate(),
  );
}
