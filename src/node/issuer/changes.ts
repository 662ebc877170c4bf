// Changes to an issued licence: update its scope, renew its period, reseal it, and suspend,
// reinstate or revoke it. Each reads the licence, derives the next record (signing if needed)
// and writes it with its audit event and its transparency log entry if nobody changed the
// licence meanwhile.

import type { LicenceLogEvent, LicenceStatus } from '../../core/index.ts';
import { RefusedError } from '../errors.ts';
import { appendAudit } from '../registry/audit.ts';
import { readConfig } from '../registry/config.ts';
import { findKey } from '../registry/keys.ts';
import { getLicence, licenceEntry, updateLicenceRow, type LicenceRecord } from '../registry/licences.ts';
import { licenceLogText, logAppender } from '../registry/log.ts';
import { checkDate, checkList, checkNumber, checkPeriod, checkReason, checkRegion, LIMITS, optionalText, warnUndrawable } from './checks.ts';
import { at, Conflict, withRetry, type IssuerContext } from './context.ts';
import { signDocument, signingKey, signSeal } from './signing.ts';

function licenceSnapshot(licence: LicenceRecord) {
  return { ...licenceEntry(licence), serial: licence.serial, sealKid: licence.sealKid, seal: licence.seal, documentKid: licence.documentKid };
}

function requireLicence(ctx: IssuerContext, number: unknown): LicenceRecord {
  const checked = checkNumber(number);
  const licence = getLicence(ctx.registry.db, checked);
  if (!licence) throw new RefusedError('unknown_licence', `no licence ${checked} in the registry`);
  return licence;
}

function requireNotRevoked(licence: LicenceRecord, action: string): void {
  if (licence.status === 'revoked') throw new RefusedError('invalid_transition', `licence ${licence.number} is revoked (final): it cannot be ${action}`);
}

/**
 * Reads the licence, derives the next record from it (`derive` refuses or signs as
 * needed), then writes it with its audit event and its log entry (the event's name is both)
 * if nobody changed the licence meanwhile.
 */
async function changeLicence(
  ctx: IssuerContext,
  number: unknown,
  action: LicenceLogEvent,
  reason: string | null,
  derive: (current: LicenceRecord) => Promise<LicenceRecord>,
): Promise<LicenceRecord> {
  const db = ctx.registry.db;
  return withRetry(ctx, async () => {
    const current = requireLicence(ctx, number);
    const next = await derive(current);
    db.transaction(() => {
      const log = logAppender(db);
      const logged: LicenceRecord = { ...next, revision: current.revision + 1, logIndex: log.next };
      if (!updateLicenceRow(db, logged, current.revision, at(ctx))) throw new Conflict();
      appendAudit(db, { at: at(ctx), actor: ctx.actor, action, subject: current.number, reason, before: licenceSnapshot(current), after: licenceSnapshot(next) });
      log.append(licenceLogText(action, at(ctx), logged));
    })();
    return getLicence(db, current.number)!;
  });
}

async function resignDocument(ctx: IssuerContext, licence: LicenceRecord): Promise<LicenceRecord> {
  const { key, signer } = await signingKey(ctx);
  const next = { ...licence, documentKid: key.kid };
  next.document = signDocument(ctx, next, readConfig(ctx.registry.db), signer);
  return next;
}

export interface LicenceChanges {
  products?: string[];
  trademarks?: string[];
  /** null or '' clears it. */
  chain?: string | null;
  /** null or '' clears it. */
  region?: string | null;
}

/** Changes what the register shows (a list given replaces that list); the seal stays. */
export async function updateLicence(ctx: IssuerContext, number: string, changes: LicenceChanges, reason?: string | null): Promise<LicenceRecord> {
  const why = checkReason(reason, false);
  return changeLicence(ctx, number, 'licence.update', why, async (current) => {
    requireNotRevoked(current, 'updated');
    const next: LicenceRecord = {
      ...current,
      products: changes.products === undefined ? current.products : checkList('product', changes.products, LIMITS.product, true),
      trademarks: changes.trademarks === undefined ? current.trademarks : checkList('trademark', changes.trademarks, LIMITS.trademark, false),
      chain: changes.chain === undefined ? current.chain : optionalText('chain', changes.chain, LIMITS.chain),
      region: changes.region === undefined ? current.region : checkRegion(changes.region),
    };
    if (JSON.stringify(licenceEntry(next)) === JSON.stringify(licenceEntry(current))) {
      throw new RefusedError('nothing_to_change', `licence ${current.number} already has these details`);
    }
    warnUndrawable(ctx, [['chain', next.chain], ['product', next.products], ['trademark', next.trademarks]]);
    return resignDocument(ctx, next);
  });
}

/** A new validity period (default: from the current start) for the same serial and seal. */
export async function renewLicence(ctx: IssuerContext, number: string, period: { validUntil: string; validFrom?: string }, reason?: string | null): Promise<LicenceRecord> {
  const why = checkReason(reason, false);
  const until = checkDate('valid until', period.validUntil, ctx);
  const from = period.validFrom === undefined ? undefined : checkDate('valid from', period.validFrom, ctx);
  return changeLicence(ctx, number, 'licence.renew', why, async (current) => {
    requireNotRevoked(current, 'renewed');
    const validFrom = from ?? current.validFrom;
    const sealKey = findKey(ctx.registry.db, current.sealKid)!;
    checkPeriod(validFrom, until, sealKey.verifyUntil);
    if (validFrom === current.validFrom && until === current.validUntil) {
      throw new RefusedError('nothing_to_change', `licence ${current.number} is already valid from ${validFrom} to ${until}`);
    }
    return resignDocument(ctx, { ...current, validFrom, validUntil: until });
  });
}

/** A new seal (and document) under the active key: after a key compromise. Needs new artwork. */
export async function resealLicence(ctx: IssuerContext, number: string, reason?: string | null): Promise<LicenceRecord> {
  const why = checkReason(reason, false);
  return changeLicence(ctx, number, 'licence.reseal', why, async (current) => {
    requireNotRevoked(current, 'resealed');
    const { key, signer } = await signingKey(ctx);
    if (current.sealKid === key.kid && current.documentKid === key.kid) {
      throw new RefusedError('nothing_to_change', `licence ${current.number} is already sealed under the active key ${key.kid}`);
    }
    checkPeriod(current.validFrom, current.validUntil, key.verifyUntil);
    const next: LicenceRecord = { ...current, sealKid: key.kid, documentKid: key.kid };
    next.seal = signSeal(key, signer, current.serial);
    next.document = signDocument(ctx, next, readConfig(ctx.registry.db), signer);
    return next;
  });
}

const TRANSITIONS: Record<'suspend' | 'reinstate' | 'revoke', { from: LicenceStatus[]; to: LicenceStatus; past: string }> = {
  suspend: { from: ['valid'], to: 'suspended', past: 'suspended' },
  reinstate: { from: ['suspended'], to: 'valid', past: 'reinstated' },
  revoke: { from: ['valid', 'suspended'], to: 'revoked', past: 'revoked' },
};

async function changeStatus(ctx: IssuerContext, number: string, transition: keyof typeof TRANSITIONS, reason: string): Promise<LicenceRecord> {
  const why = checkReason(reason, true)!;
  const rule = TRANSITIONS[transition];
  return changeLicence(ctx, number, `licence.${transition}` as const, why, async (current) => {
    if (!rule.from.includes(current.status)) {
      const detail =
        current.status === rule.to ? `it is already ${current.status}` : current.status === 'revoked' ? 'it is revoked, and revocation is final' : `it is ${current.status}`;
      throw new RefusedError('invalid_transition', `licence ${current.number} cannot be ${rule.past}: ${detail}`);
    }
    return { ...current, status: rule.to, statusReason: why, statusChangedAt: at(ctx) };
  });
}

export function suspendLicence(ctx: IssuerContext, number: string, reason: string): Promise<LicenceRecord> {
  return changeStatus(ctx, number, 'suspend', reason);
}

export function reinstateLicence(ctx: IssuerContext, number: string, reason: string): Promise<LicenceRecord> {
  return changeStatus(ctx, number, 'reinstate', reason);
}

export function revokeLicence(ctx: IssuerContext, number: string, reason: string): Promise<LicenceRecord> {
  return changeStatus(ctx, number, 'revoke', reason);
}
