// Holders (品牌主体): registering and changing them. A new name re-signs the holder's licence
// documents, which carry it.

import { encodeLogEntry } from '../../core/index.ts';
import { RefusedError } from '../errors.ts';
import { appendAudit } from '../registry/audit.ts';
import { readConfig } from '../registry/config.ts';
import { getHolder, getHolders, insertHolder, updateHolderRow, type HolderRecord } from '../registry/holders.ts';
import { bumpRevision, listLicences, updateLicenceRow, type LicenceRecord } from '../registry/licences.ts';
import { appendLogEntry } from '../registry/log.ts';
import { checkReason, checkRegion, checkText, checkUscc, LIMITS, optionalText, warnUndrawable } from './checks.ts';
import { at, Conflict, withRetry, type IssuerContext } from './context.ts';
import { signDocument, signingKey } from './signing.ts';

/** The registered holders among `usccs`, in one query (a batch names many). */
export function registeredHolders(ctx: IssuerContext, usccs: ReadonlySet<string>): Map<string, HolderRecord> {
  return getHolders(ctx.registry.db, usccs);
}

export function holderSnapshot(holder: HolderRecord) {
  return { uscc: holder.uscc, name: holder.name, address: holder.address, region: holder.region };
}

export interface HolderInput {
  uscc: string;
  name: string;
  address?: string | null;
  region?: string | null;
}

/** Checks a new holder's details; throws RefusedError naming the problem. */
export function checkHolderInput(ctx: IssuerContext, input: HolderInput): HolderRecord {
  return {
    uscc: checkUscc(input.uscc),
    name: checkText('name', input.name, LIMITS.name),
    address: optionalText('address', input.address, LIMITS.address),
    region: checkRegion(input.region),
    createdAt: at(ctx),
    updatedAt: at(ctx),
  };
}

export function insertHolderAudited(ctx: IssuerContext, holder: HolderRecord, when = at(ctx)): void {
  insertHolder(ctx.registry.db, holder);
  appendAudit(ctx.registry.db, { at: when, actor: ctx.actor, action: 'holder.add', subject: holder.uscc, after: holderSnapshot(holder) });
}

export async function addHolder(ctx: IssuerContext, input: HolderInput): Promise<HolderRecord> {
  const holder = checkHolderInput(ctx, input);
  const db = ctx.registry.db;
  db.transaction(() => {
    const existing = getHolder(db, holder.uscc);
    if (existing) throw new RefusedError('duplicate_holder', `holder ${holder.uscc} is already registered (as ${existing.name}); use qdyp holder update`);
    insertHolderAudited(ctx, holder);
  })();
  warnUndrawable(ctx, [['name', holder.name], ['address', holder.address]]);
  return holder;
}

export interface HolderChanges {
  name?: string;
  /** null or '' clears it. */
  address?: string | null;
  region?: string | null;
}

/**
 * Changes a holder's details; a new name re-signs the holder's licence documents. A new name or
 * address (what the holder's licences show) is one holder.update log entry; the licences keep
 * their log index on their latest licence.* entry.
 */
export async function updateHolder(ctx: IssuerContext, uscc: string, changes: HolderChanges, reason?: string | null): Promise<HolderRecord> {
  const code = checkUscc(uscc);
  const why = checkReason(reason, false);
  const db = ctx.registry.db;
  return withRetry(ctx, async () => {
    const current = getHolder(db, code);
    if (!current) throw new RefusedError('unknown_holder', `no holder ${code} in the registry (add it with qdyp holder add)`);
    const next: HolderRecord = {
      ...current,
      name: changes.name === undefined ? current.name : checkText('name', changes.name, LIMITS.name),
      address: changes.address === undefined ? current.address : optionalText('address', changes.address, LIMITS.address),
      region: changes.region === undefined ? current.region : checkRegion(changes.region),
      updatedAt: at(ctx),
    };
    if (JSON.stringify(holderSnapshot(next)) === JSON.stringify(holderSnapshot(current))) {
      throw new RefusedError('nothing_to_change', `holder ${code} already has these details`);
    }
    // The licence documents carry the holder's name: re-sign those still in force.
    const resigned: { licence: LicenceRecord; revision: number }[] = [];
    if (next.name !== current.name) {
      const affected = listLicences(db, { holder: code }).filter((l) => l.status !== 'revoked');
      if (affected.length > 0) {
        const config = readConfig(db);
        const { key, signer } = await signingKey(ctx);
        for (const licence of affected) {
          const renamed: LicenceRecord = { ...licence, holder: { uscc: code, name: next.name, address: next.address }, documentKid: key.kid };
          renamed.document = signDocument(ctx, renamed, config, signer);
          resigned.push({ licence: renamed, revision: licence.revision });
        }
      }
    }
    warnUndrawable(ctx, [['name', next.name !== current.name ? next.name : null], ['address', next.address !== current.address ? next.address : null]]);
    db.transaction(() => {
      if (getHolder(db, code)?.updatedAt !== current.updatedAt) throw new Conflict();
      updateHolderRow(db, next);
      for (const { licence, revision } of resigned) {
        if (!updateLicenceRow(db, licence, revision, at(ctx))) throw new Conflict();
      }
      // Every licence of the holder shows its name and address: the rest are republished too.
      const shown = next.name !== current.name || next.address !== current.address;
      if (shown) {
        const done = new Set(resigned.map((r) => r.licence.serial));
        for (const licence of listLicences(db, { holder: code })) if (!done.has(licence.serial)) bumpRevision(db, licence.serial);
      }
      appendAudit(db, {
        at: at(ctx),
        actor: ctx.actor,
        action: 'holder.update',
        subject: code,
        reason: why,
        before: holderSnapshot(current),
        after: { ...holderSnapshot(next), ...(resigned.length ? { documentsResigned: resigned.map((r) => r.licence.number) } : {}) },
      });
      if (shown) appendLogEntry(db, encodeLogEntry({ v: 1, event: 'holder.update', time: at(ctx), holder: { uscc: code, name: next.name, address: next.address } }));
    })();
    return next;
  });
}
