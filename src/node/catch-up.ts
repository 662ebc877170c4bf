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
//   published one, so the next publication supersedes what the edge shows and never goes back;
// - the transparency log is recovered before anything is appended to it: the office never
//   forks its own log. The published checkpoint is verified (the key list's log key, the log's
//   name), the entry bundles past the backup's log are read, and the backup's own entries
//   followed by those must rebuild the checkpoint's root (else the published log is not an
//   extension of the backup's, and the restore is refused). The recovered entries are appended
//   as they are, and a caught-up licence points at its latest entry again where that entry
//   says what the licence now says.

import {
  buildTrustContext,
  canonicalLicenceEntry,
  decodeLogEntry,
  encodeLogEntry,
  equalBytes,
  leafHashes,
  licenceEntryKey,
  LOG_CHECKPOINT_KEY,
  logEntriesKey,
  logOrigin,
  logTileKey,
  logVerifiers,
  openCheckpoint,
  openStoredEntryBundle,
  parseRevokedInspectors,
  QdypError,
  readTileHash,
  verifyLicenceEntry,
  rootTrust,
  statusAt,
  STATUS_VALUE,
  TileBuilder,
  TILE_WIDTH,
  TlogError,
  type LicenceEntry,
  type LicenceLogEvent,
  type LicenceStatus,
  type TrustedKeyList,
} from '../core/index.ts';
import { nodeCodecs } from './codecs.ts';
import { readEdgeBytes, readEdgeText, readEdgeTextSync } from './edge-store.ts';
import { RefusedError } from './errors.ts';
import { at, signDocument, signingKey, type IssuerContext } from './issuer/index.ts';
import { appendAudit } from './registry/audit.ts';
import { readConfig } from './registry/config.ts';
import type { Db } from './registry/db.ts';
import { getHolder, updateHolderRow } from './registry/holders.ts';
import { revocationCount } from './registry/inspectors.ts';
import { getLicenceBySerial, listLicences, setRevision, updateLicenceRow, type LicenceRecord } from './registry/licences.ts';
import { nodeSha256 } from './codecs.ts';
import { appendLogEntries, licenceLogText, logAppender, logEntryAt, logSize, readLogEntries } from './registry/log.ts';

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
  /** The published log's entries the backup lacks; null when no log is published. */
  log: LogRecovery | null;
}

export interface LogRecovery {
  /** The published checkpoint's size. */
  publishedSize: number;
  /** The backup's own log size. */
  backupSize: number;
  /** Entries [backupSize, publishedSize) as published, to append before anything else is. */
  entries: string[];
}

const STATUS_BY_VALUE: Record<number, LicenceStatus> = { [STATUS_VALUE.valid]: 'valid', [STATUS_VALUE.revoked]: 'revoked', [STATUS_VALUE.suspended]: 'suspended' };

/** Compares a backup's database (`db`, not yet restored) with what `edgeDir` publishes. */
export async function planCatchUp(db: Db, edgeDir: string, now: Date): Promise<CatchUpPlan> {
  const config = readConfig(db);
  const texts = { keyList: readEdgeTextSync(edgeDir, 'key-list'), statusList: readEdgeTextSync(edgeDir, 'status-list'), revisionList: readEdgeTextSync(edgeDir, 'revision-list') };
  if (!texts.keyList && !texts.statusList && !texts.revisionList) return { published: false, keyListVersion: null, listIat: null, licences: [], log: null };
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
  const log = await planLogRecovery(db, edgeDir, ctx.keyList, config.origin);
  const listIat = Math.max(ctx.statusList?.iat ?? 0, ctx.revisionList?.iat ?? 0) || null;
  if (!ctx.statusList || !ctx.revisionList) return { published: true, keyListVersion: ctx.keyList.version, listIat, licences: [], log };
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
  return { published: true, keyListVersion: ctx.keyList.version, listIat, licences: plan, log };
}

/**
 * What the backup's log lacks of the log `edgeDir` publishes (see the top of this file), read
 * bundle by bundle: the backup's entries and the published ones after them are hashed as they
 * come, and only the right edge of the tree is kept.
 */
export async function planLogRecovery(db: Db, edgeDir: string, keyList: TrustedKeyList, origin: string): Promise<LogRecovery | null> {
  const note = await readEdgeText(edgeDir, LOG_CHECKPOINT_KEY);
  if (note === null) return null;
  const hasLog = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'log_entries'`).get() !== undefined;
  if (!hasLog) {
    throw new RefusedError('log_fork', `a transparency log is published at ${edgeDir}, but the backup predates the log: restoring it would start the log anew, a fork; restore a backup made since the log began; nothing was restored`);
  }
  const name = logOrigin(origin);
  const verifiers = await logVerifiers(keyList, name);
  if (verifiers.length === 0) throw new RefusedError('log_unverified', `a transparency log is published at ${edgeDir}, but its key list names no log key to verify it with; nothing was restored`);
  let size: number;
  let root: Uint8Array;
  try {
    ({ size, root } = (await openCheckpoint(note, verifiers, name)).checkpoint);
  } catch (error) {
    if (!(error instanceof TlogError)) throw error;
    throw new RefusedError('log_unverified', `the log checkpoint published at ${edgeDir} does not verify (${error.message}); nothing was restored`);
  }
  const backupSize = logSize(db);
  const fork = (detail: string) =>
    new RefusedError('log_fork', `the log published at ${edgeDir} (${size} entries) is not an extension of the backup's (${backupSize} entries): ${detail}; restoring it would fork the log, so nothing was restored`);
  const builder = new TileBuilder(0, [], nodeSha256);
  const encoder = new TextEncoder();
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const recovered: string[] = [];
  for (let k = 0; k * TILE_WIDTH < size; k++) {
    const first = k * TILE_WIDTH;
    const width = Math.min(TILE_WIDTH, size - first);
    const own = Math.max(0, Math.min(width, backupSize - first));
    const entries: Uint8Array[] = readLogEntries(db, first, first + own).map((text) => encoder.encode(text));
    if (entries.length < own) throw fork(`the backup's log lacks entries between ${first} and ${first + own}`);
    if (own < width) {
      const bundle = await readEdgeBytes(edgeDir, logEntriesKey(k, width));
      let published: Uint8Array[];
      try {
        if (bundle === null) throw new TlogError('ERR_TLOG_MALFORMED', 'it is not there');
        published = await openStoredEntryBundle(bundle, width, nodeCodecs.inflate);
      } catch (error) {
        if (!(error instanceof TlogError)) throw error;
        throw new RefusedError('log_unverified', `the published entry bundle ${logEntriesKey(k, width)} cannot be read (${error.message}); nothing was restored`);
      }
      for (let i = own; i < width; i++) {
        let text: string;
        try {
          text = utf8.decode(published[i]!);
          decodeLogEntry(text);
        } catch (error) {
          if (error instanceof QdypError || error instanceof TypeError) throw new RefusedError('log_unverified', `published log entry ${first + i} is not a log entry; nothing was restored`);
          throw error;
        }
        entries.push(published[i]!);
        recovered.push(text);
      }
    }
    const leaves = await leafHashes(entries, nodeSha256);
    if (own > 0) {
      // Where the backup's own entries part from the published ones, to say which.
      const tile = await readEdgeBytes(edgeDir, logTileKey(0, k, width));
      const at = tile && tile.length === width * 32 ? leaves.slice(0, own).findIndex((leaf, i) => !equalBytes(leaf, readTileHash(tile, i))) : -1;
      if (at >= 0) throw fork(`its entry ${first + at} is not the backup's`);
    }
    await builder.append(leaves);
  }
  if (!equalBytes(await builder.root(), root)) throw fork("the backup's entries and the published ones after them do not give the published checkpoint's root");
  return { publishedSize: size, backupSize, entries: recovered };
}

/** Appends the recovered entries to the restored log: in the restore's first transaction, before anything else is appended. */
export function applyLogRecovery(db: Db, recovery: LogRecovery | null): void {
  if (!recovery || recovery.entries.length === 0) return;
  if (logSize(db) !== recovery.backupSize) throw new RefusedError('log_fork', `the restored log has ${logSize(db)} entries, not the backup's ${recovery.backupSize}; nothing was restored`);
  appendLogEntries(db, recovery.entries);
}

/** The recovered entries, by what a caught-up licence's pointer needs of them. */
interface Recovered {
  /** The latest licence.* entry of each licence, by number. */
  latest: Map<string, number>;
  /** Each holder's holder.update entries, in order. */
  holderUpdates: Map<string, { idx: number; name: string; address: string | null }[]>;
}

function recoveredEntries(log: LogRecovery | null): Recovered {
  const recovered: Recovered = { latest: new Map(), holderUpdates: new Map() };
  log?.entries.forEach((text, i) => {
    const entry = decodeLogEntry(text);
    const idx = log.backupSize + i;
    if ('licence' in entry) recovered.latest.set(entry.licence.number, idx);
    else if ('holder' in entry) {
      const list = recovered.holderUpdates.get(entry.holder.uscc) ?? [];
      list.push({ idx, name: entry.holder.name, address: entry.holder.address });
      recovered.holderUpdates.set(entry.holder.uscc, list);
    }
  });
  return recovered;
}

/**
 * The log entry a caught-up licence points at: the one its published entry names (else its
 * latest recovered one), when that entry says what the licence now says — its revision apart
 * (the catch-up moves it past the published one), and its holder's name and address when a
 * later holder.update entry says them (the licence keeps pointing at its own latest entry
 * then, as the office's did). Null when no entry says so: the change was published without
 * the checkpoint that covers its entry (a publication cut short), so the catch-up logs it.
 */
function caughtUpLogIndex(db: Db, c: CatchUp, after: LicenceRecord, recovered: Recovered): number | null {
  const index = c.entry.logIndex ?? recovered.latest.get(after.number);
  if (index === undefined) return null;
  const text = logEntryAt(db, index);
  if (text === null) return null;
  const logged = decodeLogEntry(text);
  if (!('licence' in logged) || logged.licence.number !== after.number) return null;
  const update = recovered.holderUpdates.get(after.holder.uscc)?.filter((u) => u.idx > index).at(-1);
  const holder = update && update.name === after.holder.name && update.address === (after.holder.address ?? null) ? logged.licence.holder : after.holder;
  const expected = licenceLogText(logged.event as Parameters<typeof licenceLogText>[0], logged.time, { ...after, holder, revision: logged.licence.rev });
  return expected === text ? index : null;
}

/** The event an adopted change is logged as, when its own entry is not in the recovered log. */
function caughtUpEvent(before: LicenceRecord, after: LicenceRecord): LicenceLogEvent {
  if (after.status !== before.status) return after.status === 'revoked' ? 'licence.revoke' : after.status === 'suspended' ? 'licence.suspend' : 'licence.reinstate';
  if (after.validFrom !== before.validFrom || after.validUntil !== before.validUntil) return 'licence.renew';
  return 'licence.update';
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

/**
 * Adopts the published state into the restored registry: one transaction, an audit event each.
 * A change whose entry the recovered log holds points at it. One published without it (its
 * checkpoint never written: a publication cut short) gets its entry now, as every change does:
 * a holder's new name or address no recovered holder.update says is logged first (and counts
 * for its licences as the office's holder.update entries do), then each licence no entry
 * says as it now stands.
 */
export async function applyCatchUp(ctx: IssuerContext, plan: CatchUpPlan): Promise<void> {
  if (plan.licences.length === 0) return;
  const db = ctx.registry.db;
  const recovered = recoveredEntries(plan.log);
  const config = readConfig(db);
  const { key, signer } = await signingKey(ctx);
  const afters = plan.licences.map((c) => ({ c, before: getLicenceBySerial(db, c.serial)! }));
  // Holders whose name or address the catch-up changes, with no entry saying so yet.
  const holderEntries: string[] = [];
  const next = logSize(db);
  for (const { c } of afters) {
    const holder = getHolder(db, c.entry.holder.uscc);
    const shown = { name: c.entry.holder.name, address: c.entry.holder.address ?? null };
    if (!holder || (holder.name === shown.name && holder.address === shown.address)) continue;
    const said = recovered.holderUpdates.get(holder.uscc)?.at(-1);
    if (said && said.name === shown.name && said.address === shown.address) continue;
    const list = recovered.holderUpdates.get(holder.uscc) ?? [];
    list.push({ idx: next + holderEntries.length, ...shown });
    recovered.holderUpdates.set(holder.uscc, list);
    holderEntries.push(encodeLogEntry({ v: 1, event: 'holder.update', time: at(ctx), holder: { uscc: holder.uscc, ...shown } }));
  }
  const adopted: { before: LicenceRecord; after: LicenceRecord; revision: number; logged: boolean }[] = [];
  for (const { c, before } of afters) {
    const after: LicenceRecord = { ...before, ...canonicalLicenceEntry(c.entry), documentKid: key.kid };
    const logIndex = caughtUpLogIndex(db, c, after, recovered);
    if (logIndex !== null) after.logIndex = logIndex;
    after.document = signDocument(ctx, after, config, signer);
    adopted.push({ before, after, revision: c.revision, logged: logIndex !== null });
  }
  db.transaction(() => {
    const log = logAppender(db);
    if (log.next !== next) throw new RefusedError('log_fork', 'the restored log changed while it was being caught up; nothing was restored');
    for (const text of holderEntries) log.append(text);
    for (const { before, after, revision, logged } of adopted) {
      const holder = getHolder(db, after.holder.uscc);
      if (holder && (holder.name !== after.holder.name || holder.address !== after.holder.address)) {
        updateHolderRow(db, { ...holder, name: after.holder.name, address: after.holder.address, updatedAt: at(ctx) });
      }
      if (!logged) {
        after.logIndex = log.next;
        log.append(licenceLogText(caughtUpEvent(before, after), at(ctx), { ...after, revision }));
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
