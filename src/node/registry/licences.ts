// Licences: public details, status with reason and time, the seal and licence document as
// signed, and the history of validity periods (the latest is current).

import { canonicalLicenceEntry, licenceDetails, type CalendarDate, type LicenceEntry, type LicenceStatus, type Sector, type Tier } from '../../core/index.ts';
import { statement, type Db } from './db.ts';
import { listKeys } from './keys.ts';
import { recordChange } from './publishing.ts';

export interface LicenceRecord extends LicenceEntry {
  serial: number;
  /** The key that signed the seal (what `keys compromise` looks at). */
  sealKid: string;
  seal: string;
  documentKid: string;
  /** The licence document (JWS) the holder downloads. */
  document: string;
  issuedAt: string;
  /** Bumped on every change: signing happens outside the transaction, so writes check it. */
  revision: number;
  batch: string | null;
  ref: string | null;
  /**
   * The licence's latest licence.* entry in the transparency log (as the core's LicenceEntry:
   * absent only for a licence written before it has one).
   */
  logIndex?: number;
}

export interface ValidityPeriod {
  validFrom: CalendarDate;
  validUntil: CalendarDate;
  recordedAt: string;
}

interface LicenceRow {
  serial: number;
  number: string;
  holder_uscc: string;
  holder_name: string;
  holder_address: string | null;
  tier: Tier;
  sector: Sector;
  chain: string | null;
  region: string | null;
  products: string;
  trademarks: string;
  status: LicenceStatus;
  status_reason: string | null;
  status_changed_at: string;
  seal_kid: string;
  seal: string;
  document_kid: string;
  document: string;
  issued_at: string;
  revision: number;
  batch: string | null;
  ref: string | null;
  log_index: number | null;
  valid_from: string;
  valid_until: string;
}

const SELECT = `
  SELECT l.*, h.name AS holder_name, h.address AS holder_address, p.valid_from, p.valid_until
  FROM licences l
  JOIN holders h ON h.uscc = l.holder_uscc
  JOIN validity_periods p ON p.id = (SELECT max(id) FROM validity_periods WHERE serial = l.serial)`;

function fromRow(row: LicenceRow): LicenceRecord {
  return {
    serial: row.serial,
    number: row.number,
    holder: { name: row.holder_name, uscc: row.holder_uscc, address: row.holder_address },
    tier: row.tier,
    sector: row.sector,
    chain: row.chain,
    region: row.region,
    products: JSON.parse(row.products) as string[],
    trademarks: JSON.parse(row.trademarks) as string[],
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    status: row.status,
    statusReason: row.status_reason,
    statusChangedAt: row.status_changed_at,
    sealKid: row.seal_kid,
    seal: row.seal,
    documentKid: row.document_kid,
    document: row.document,
    issuedAt: row.issued_at,
    revision: row.revision,
    batch: row.batch,
    ref: row.ref,
    ...(row.log_index === null ? {} : { logIndex: row.log_index }),
  };
}

/** The public part of a licence: its published entry (what pages and inspectors show). */
export function licenceEntry(licence: LicenceRecord): LicenceEntry {
  return canonicalLicenceEntry(licence);
}

/** The licences row's columns for a record, as named parameters: what insert and update write. */
function toRow(licence: LicenceRecord) {
  return {
    serial: licence.serial,
    number: licence.number,
    holder_uscc: licence.holder.uscc,
    tier: licence.tier,
    sector: licence.sector,
    chain: licence.chain,
    region: licence.region,
    products: JSON.stringify(licence.products),
    trademarks: JSON.stringify(licence.trademarks),
    status: licence.status,
    status_reason: licence.statusReason,
    status_changed_at: licence.statusChangedAt,
    seal_kid: licence.sealKid,
    seal: licence.seal,
    document_kid: licence.documentKid,
    document: licence.document,
    issued_at: licence.issuedAt,
    revision: licence.revision,
    batch: licence.batch,
    ref: licence.ref,
    log_index: licence.logIndex ?? null,
  };
}

export function getLicence(db: Db, number: string): LicenceRecord | undefined {
  const row = statement(db, `${SELECT} WHERE l.number = ?`).get(number) as LicenceRow | undefined;
  return row && fromRow(row);
}

export function getLicenceBySerial(db: Db, serial: number): LicenceRecord | undefined {
  const row = statement(db, `${SELECT} WHERE l.serial = ?`).get(serial) as LicenceRow | undefined;
  return row && fromRow(row);
}

/** Which of `refs` a selection batch already holds, with their serials: one query per chunk. */
export function issuedReferences(db: Db, batch: string, refs: string[]): Map<string, number> {
  const rows = statement(db, 'SELECT ref, serial FROM licences WHERE batch = ? AND ref IN (SELECT value FROM json_each(?))').all(batch, JSON.stringify(refs)) as {
    ref: string;
    serial: number;
  }[];
  return new Map(rows.map((row) => [row.ref, row.serial]));
}

export interface LicenceFilter {
  holder?: string;
  status?: LicenceStatus;
  batch?: string;
  /** Licences whose seal or document a key in this list signed. */
  signedBy?: string[];
}

export function listLicences(db: Db, filter: LicenceFilter = {}): LicenceRecord[] {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.holder !== undefined) {
    where.push('l.holder_uscc = ?');
    params.push(filter.holder);
  }
  if (filter.status !== undefined) {
    where.push('l.status = ?');
    params.push(filter.status);
  }
  if (filter.batch !== undefined) {
    where.push('l.batch = ?');
    params.push(filter.batch);
  }
  if (filter.signedBy !== undefined) {
    const marks = filter.signedBy.map(() => '?').join(', ') || 'NULL';
    where.push(`(l.seal_kid IN (${marks}) OR l.document_kid IN (${marks}))`);
    params.push(...filter.signedBy, ...filter.signedBy);
  }
  const sql = `${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY l.serial`;
  return (statement(db, sql).all(...params) as LicenceRow[]).map(fromRow);
}

/** Licences whose seal or document a compromised key signed, except revoked ones: to reseal. */
export function licencesToReseal(db: Db): LicenceRecord[] {
  const compromised = listKeys(db)
    .filter((k) => k.status === 'compromised')
    .map((k) => k.kid);
  if (compromised.length === 0) return [];
  return listLicences(db, { signedBy: compromised }).filter((l) => l.status !== 'revoked');
}

/** Every licence's status and revision by serial, for the status and revision lists. */
export function publishedState(db: Db): { serial: number; status: LicenceStatus; revision: number }[] {
  return statement(db, 'SELECT serial, status, revision FROM licences ORDER BY serial').all() as { serial: number; status: LicenceStatus; revision: number }[];
}

/** The licences with these serials, in serial order. */
export function licencesBySerial(db: Db, serials: readonly number[]): LicenceRecord[] {
  if (serials.length === 0) return [];
  return (statement(db, `${SELECT} WHERE l.serial IN (SELECT value FROM json_each(?)) ORDER BY l.serial`).all(JSON.stringify(serials)) as LicenceRow[]).map(fromRow);
}

export function nextSerial(db: Db): number {
  return ((statement(db, 'SELECT max(serial) AS serial FROM licences').get() as { serial: number | null }).serial ?? 0) + 1;
}

/** The next sequence number within `year` (QDYP-YYYY-NNNNNN). */
export function nextSequence(db: Db, year: string): number {
  const row = statement(db, `SELECT max(number) AS number FROM licences WHERE number LIKE ?`).get(`QDYP-${year}-%`) as { number: string | null };
  return row.number ? Number(row.number.slice(10)) + 1 : 1;
}

export function insertLicence(db: Db, licence: LicenceRecord, recordedAt: string): void {
  statement(
    db,
    `INSERT INTO licences (serial, number, holder_uscc, tier, sector, chain, region, products, trademarks, status,
       status_reason, status_changed_at, seal_kid, seal, document_kid, document, issued_at, revision, batch, ref, log_index)
     VALUES (@serial, @number, @holder_uscc, @tier, @sector, @chain, @region, @products, @trademarks, @status,
       @status_reason, @status_changed_at, @seal_kid, @seal, @document_kid, @document, @issued_at, @revision, @batch, @ref, @log_index)`,
  ).run(toRow(licence));
  insertPeriod(db, licence.serial, licence.validFrom, licence.validUntil, recordedAt);
  recordChange(db, [{ serial: licence.serial, revision: licence.revision }]);
}

/** Moves a licence's revision forward (restore catch-up: past what the edge already shows). */
export function setRevision(db: Db, serial: number, revision: number): void {
  statement(db, 'UPDATE licences SET revision = ? WHERE serial = ? AND revision < ?').run(revision, serial, revision);
  recordChange(db, [{ serial, revision }]);
}

/** A licence whose published entry changes without its row (its holder's name or address). */
export function bumpRevision(db: Db, serial: number): void {
  const row = statement(db, 'UPDATE licences SET revision = revision + 1 WHERE serial = ? RETURNING revision').get(serial) as { revision: number } | undefined;
  if (row) recordChange(db, [{ serial, revision: row.revision }]);
}

/**
 * Writes a changed licence if nobody changed it since `expectedRevision` was read. Returns
 * false (writing nothing) otherwise. The validity period is recorded only when it changed.
 */
export function updateLicenceRow(db: Db, licence: LicenceRecord, expectedRevision: number, recordedAt: string): boolean {
  const before = getLicenceBySerial(db, licence.serial);
  const result = statement(
    db,
    `UPDATE licences SET tier = @tier, sector = @sector, chain = @chain, region = @region, products = @products,
       trademarks = @trademarks, status = @status, status_reason = @status_reason, status_changed_at = @status_changed_at,
       seal_kid = @seal_kid, seal = @seal, document_kid = @document_kid, document = @document, log_index = @log_index,
       revision = revision + 1
     WHERE serial = @serial AND revision = @expected_revision`,
  ).run({ ...toRow(licence), expected_revision: expectedRevision });
  if (result.changes !== 1) return false;
  recordChange(db, [{ serial: licence.serial, revision: expectedRevision + 1 }]);
  if (before && (before.validFrom !== licence.validFrom || before.validUntil !== licence.validUntil)) {
    insertPeriod(db, licence.serial, licence.validFrom, licence.validUntil, recordedAt);
  }
  return true;
}

function insertPeriod(db: Db, serial: number, validFrom: string, validUntil: string, recordedAt: string): void {
  statement(db, 'INSERT INTO validity_periods (serial, valid_from, valid_until, recorded_at) VALUES (?, ?, ?, ?)').run(serial, validFrom, validUntil, recordedAt);
}

export function listPeriods(db: Db, serial: number): ValidityPeriod[] {
  return (
    statement(db, 'SELECT valid_from, valid_until, recorded_at FROM validity_periods WHERE serial = ? ORDER BY id').all(serial) as {
      valid_from: string;
      valid_until: string;
      recorded_at: string;
    }[]
  ).map((r) => ({ validFrom: r.valid_from, validUntil: r.valid_until, recordedAt: r.recorded_at }));
}
