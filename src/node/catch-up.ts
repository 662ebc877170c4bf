// Restoring an older backup must never lead to publishing something older than the edge
// already has: a revocation made after the backup would be undone, a licence's narrower scope
// widened again. Before a restore writes anything, the published state (an edge directory: the
// registry's own edge/, or a copy of production's given with --edge) is read, verified with the
// backup's root, and compared with the backup:
// - a newer key list, licences issued after the backup, or inspector tokens revoked after it
//   cannot be caught up (their keys, seals and token ids are not in the backup): the restore
//   is refused, naming what is newer;
// - a licence whose published revision differs from the backup's is caught up: its published
//   entry (verified) is adopted into the registry — scope, period, status with its reason, the
//   holder's name and address — its document re-signed, and its revision moved past the
//   published one, so the next publication supersedes what the edge shows and never goes back.

import {
  buildTrustContext,
  canonicalLicenceEntry,
  licenceEntryKey,
  parseRevokedInspectors,
  QdypError,
  verifyLicenceEntry,
  rootTrust,
  statusAt,
  STATUS_VALUE,
  type LicenceEntry,
  type LicenceStatus,
  type TrustedKeyList,
} from '../core/index.ts';
import { readEdgeText, readEdgeTextSync } from './edge-store.ts';
import { RefusedError } from './errors.ts';
import { at, signDocument, signingKey, type IssuerContext } from './issuer/index.ts';
import { appendAudit } from './registry/audit.ts';
import { readConfig } from './registry/config.ts';
import type { Db } from './registry/db.ts';
import { getHolder, updateHolderRow } from './registry/holders.ts';
import { revocationCount } from './registry/inspectors.ts';
import { getLicenceBySerial, listLicences, setRevision, updateLicenceRow, type LicenceRecord } from './registry/licences.ts';

export interface CatchUp {
  serial: number;
  number: string;
  /** The entry the edge shows, verified. */
  entry: LicenceEntry;
  /** The revision to move to: one past the published one. */
  revision: number;
}

export interface CatchUpPlan {
  /** Whether any published state was found to compare with. */
  published: boolean;
  keyListVersion: number | null;
  /** The newest list time the edge has (seconds): the restored registry signs after it. */
  listIat: number | null;
  licences: CatchUp[];
}

const STATUS_BY_VALUE: Record<number, LicenceStatus> = { [STATUS_VALUE.valid]: 'valid', [STATUS_VALUE.revoked]: 'revoked', [STATUS_VALUE.suspended]: 'suspended' };

/** Compares a backup's database (`db`, not yet restored) with what `edgeDir` publishes. */
export async function planCatchUp(db: Db, edgeDir: string, now: Date): Promise<CatchUpPlan> {
  const config = readConfig(db);
  const texts = { keyList: readEdgeTextSync(edgeDir, 'key-list'), statusList: readEdgeTextSync(edgeDir, 'status-list'), revisionList: readEdgeTextSync(edgeDir, 'revision-list') };
  if (!texts.keyList && !texts.statusList && !texts.revisionList) return { published: false, keyListVersion: null, listIat: null, licences: [] };
  const refuse = (detail: string) => new RefusedError('restore_behind', `the backup is older than what is published at ${edgeDir}: ${detail}; nothing was restored`);
  const root = await rootTrust(config.rootJwk);
  const ctx = await buildTrustContext(texts, { root, time: now });
  if (!ctx.keyList) throw new RefusedError('restore_behind', `the published key list at ${edgeDir} does not verify with this backup's root key; nothing was restored`);
  if (ctx.keyList.version > config.keyListVersion) {
    throw refuse(`the key list is version ${ctx.keyList.version}, the backup's ${config.keyListVersion} (a key ceremony happened after the backup: restore a newer backup)`);
  }
  const revocations = await revokedVersion(readEdgeTextSync(edgeDir, 'revoked-inspectors'), ctx.keyList);
  if (revocations !== null && revocations > revocationCount(db)) {
    throw refuse(`the revoked-inspectors list is version ${revocations}, the backup has ${revocationCount(db)} revocation(s) (inspector tokens were revoked after the backup: restore a newer backup)`);
  }
  const listIat = Math.max(ctx.statusList?.iat ?? 0, ctx.revisionList?.iat ?? 0) || null;
  if (!ctx.statusList || !ctx.revisionList) return { published: true, keyListVersion: ctx.keyList.version, listIat, licences: [] };
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
    if (value === null || value === licence.revision % 256) continue;
    // The revision differs: the edge is ahead (a change after the backup) or behind (a change
    // the backup has that was never published). Only the entry's signed revision tells which.
    const text = await readEdgeText(edgeDir, licenceEntryKey(licence.serial, value));
    let entry: LicenceEntry;
    let rev: number;
    try {
      if (text === null) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'it is not published');
      entry = await verifyLicenceEntry(text, ctx.keyList, { serial: licence.serial, value }, now);
      rev = signedRevision(text);
    } catch (error) {
      if (!(error instanceof QdypError)) throw error;
      throw refuse(`licence ${licence.number}'s published revision differs from the backup's, and its published entry cannot be read to tell which is newer (${error.message})`);
    }
    if (entry.number !== licence.number) throw refuse(`the published entry for serial ${licence.serial} is another licence's`);
    if (rev <= licence.revision) continue; // the backup is newer: the next publication supersedes the edge
    const status = statusAt(ctx.statusList, licence.serial);
    const published = status !== null ? (STATUS_BY_VALUE[status] ?? entry.status) : entry.status;
    plan.push({ serial: licence.serial, number: licence.number, entry: { ...entry, status: published }, revision: rev + 1 });
  }
  return { published: true, keyListVersion: ctx.keyList.version, listIat, licences: plan };
}

/** A published revoked-inspectors list's version; null if none verifies (or it predates versions). */
async function revokedVersion(text: string | null, keyList: TrustedKeyList): Promise<number | null> {
  if (text === null) return null;
  try {
    return (await parseRevokedInspectors(text, keyList)).version;
  } catch (error) {
    if (error instanceof QdypError) return null;
    throw error;
  }
}

/** The full revision an entry (already verified) was signed at. */
function signedRevision(text: string): number {
  const payload = JSON.parse(Buffer.from(text.split('.')[1]!, 'base64url').toString('utf8')) as { rev?: unknown };
  if (!Number.isSafeInteger(payload.rev)) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'licence entry lacks rev');
  return payload.rev as number;
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
