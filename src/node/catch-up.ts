// Restoring an older backup must never lead to publishing something older than the edge
// already has: a revocation made after the backup would be undone, a licence's narrower scope
// widened again. Before a restore writes anything, the published state (an edge directory: the
// registry's own edge/, or a copy of production's given with --edge) is read, verified with the
// backup's root, and compared with the backup:
// - a newer key list, or licences issued after the backup, cannot be caught up (their keys and
//   seals are not in the backup): the restore is refused, naming what is newer;
// - a licence whose published revision differs from the backup's is caught up: its published
//   entry (verified) is adopted into the registry — scope, period, status with its reason, the
//   holder's name and address — its document re-signed, and its revision moved past the
//   published one, so the next publication supersedes what the edge shows and never goes back.

import {
  buildTrustContext,
  canonicalLicenceEntry,
  entryLookupFromTexts,
  licenceEntryKey,
  rootTrust,
  statusAt,
  STATUS_VALUE,
  type LicenceEntry,
  type LicenceStatus,
} from '../core/index.ts';
import { readEdgeText, readEdgeTextSync } from './edge-store.ts';
import { RefusedError } from './errors.ts';
import { at, signDocument, signingKey, type IssuerContext } from './issuer/index.ts';
import { appendAudit } from './registry/audit.ts';
import { readConfig } from './registry/config.ts';
import type { Db } from './registry/db.ts';
import { getHolder, updateHolderRow } from './registry/holders.ts';
import { getLicenceBySerial, listLicences, setRevision, updateLicenceRow, type LicenceRecord } from './registry/licences.ts';

export interface CatchUp {
  serial: number;
  number: string;
  /** The entry the edge shows, verified. */
  entry: LicenceEntry;
  /** The revision to move to: past the backup's, and ≠ the published one mod 256. */
  revision: number;
}

export interface CatchUpPlan {
  /** Whether any published state was found to compare with. */
  published: boolean;
  keyListVersion: number | null;
  licences: CatchUp[];
}

const STATUS_BY_VALUE: Record<number, LicenceStatus> = { [STATUS_VALUE.valid]: 'valid', [STATUS_VALUE.revoked]: 'revoked', [STATUS_VALUE.suspended]: 'suspended' };

/** Compares a backup's database (`db`, not yet restored) with what `edgeDir` publishes. */
export async function planCatchUp(db: Db, edgeDir: string, now: Date): Promise<CatchUpPlan> {
  const config = readConfig(db);
  const texts = { keyList: readEdgeTextSync(edgeDir, 'key-list'), statusList: readEdgeTextSync(edgeDir, 'status-list'), revisionList: readEdgeTextSync(edgeDir, 'revision-list') };
  if (!texts.keyList && !texts.statusList && !texts.revisionList) return { published: false, keyListVersion: null, licences: [] };
  const refuse = (detail: string) => new RefusedError('restore_behind', `the backup is older than what is published at ${edgeDir}: ${detail}; nothing was restored`);
  const root = await rootTrust(config.rootJwk);
  const ctx = await buildTrustContext(texts, { root, entries: (c) => entryLookupFromTexts((s, v) => readEdgeText(edgeDir, licenceEntryKey(s, v)), c.keyList, () => now) });
  if (!ctx.keyList) throw new RefusedError('restore_behind', `the published key list at ${edgeDir} does not verify with this backup's root key; nothing was restored`);
  if (ctx.keyList.version > config.keyListVersion) {
    throw refuse(`the key list is version ${ctx.keyList.version}, the backup's ${config.keyListVersion} (a key ceremony happened after the backup: restore a newer backup)`);
  }
  if (!ctx.statusList || !ctx.revisionList) return { published: true, keyListVersion: ctx.keyList.version, licences: [] };
  const licences = new Map(listLicences(db).map((l) => [l.serial, l]));
  const newest = Math.max(0, ...licences.keys());
  const later: number[] = [];
  for (let serial = newest + 1; serial < ctx.statusList.size || serial < ctx.revisionList.size; serial++) {
    if ((statusAt(ctx.revisionList, serial) ?? 0) !== 0) later.push(serial);
  }
  if (later.length > 0) throw refuse(`${later.length} licence(s) were issued after it (serials ${later[0]}–${later.at(-1)}): restore a newer backup`);
  const plan: CatchUp[] = [];
  for (const licence of licences.values()) {
    const value = statusAt(ctx.revisionList, licence.serial);
    const status = statusAt(ctx.statusList, licence.serial);
    const statusMoved = status !== null && STATUS_BY_VALUE[status] !== licence.status;
    if (value === null || (value === licence.revision % 256 && !statusMoved)) continue;
    const entry = await ctx.entries.get(licence.serial, value);
    if (!entry || entry.number !== licence.number) throw refuse(`licence ${licence.number} changed after it, and its published entry cannot be read to catch up`);
    const published = status !== null ? (STATUS_BY_VALUE[status] ?? entry.status) : entry.status;
    plan.push({ serial: licence.serial, number: licence.number, entry: { ...entry, status: published }, revision: licence.revision + ((value - (licence.revision % 256) + 256) % 256) + 1 });
  }
  return { published: true, keyListVersion: ctx.keyList.version, licences: plan };
}

/** Adopts the published state into the restored registry: one transaction, an audit event each. */
export async function applyCatchUp(ctx: IssuerContext, plan: CatchUpPlan): Promise<void> {
  if (plan.licences.length === 0) return;
  const db = ctx.registry.db;
  const config = readConfig(db);
  const { key, signer } = await signingKey(ctx);
  const adopted: { before: LicenceRecord; after: LicenceRecord; revision: number }[] = [];
  for (const c of plan.licences) {
    const before = getLicenceBySerial(db, c.serial)!;
    const after: LicenceRecord = { ...before, ...canonicalLicenceEntry(c.entry), documentKid: key.kid };
    after.document = signDocument(ctx, after, config, signer);
    adopted.push({ before, after, revision: c.revision });
  }
  db.transaction(() => {
    for (const { before, after, revision } of adopted) {
      const holder = getHolder(db, after.holder.uscc);
      if (holder && (holder.name !== after.holder.name || holder.address !== after.holder.address)) {
        updateHolderRow(db, { ...holder, name: after.holder.name, address: after.holder.address, updatedAt: at(ctx) });
      }
      updateLicenceRow(db, after, before.revision, at(ctx));
      setRevision(db, after.serial, revision);
      appendAudit(db, {
        at: at(ctx),
        actor: ctx.actor,
        action: 'registry.catch_up',
        subject: after.number,
        reason: 'restored from an older backup: adopted what the edge already published',
        before: { revision: before.revision, status: before.status, products: before.products, validUntil: before.validUntil },
        after: { revision, status: after.status, products: after.products, validUntil: after.validUntil },
      });
    }
  })();
}
