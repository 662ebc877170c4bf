// The read-only queries of the authority console: searching and counting licences, holders,
// audit events and reports, the values its filter drop-downs offer, and how far publication is
// behind. Everything filters and counts in SQL (a registry holds ~100,000 licences); a page's
// records are then read through the registry modules' own getters (licencesBySerial,
// getHolders, getReport), so a record looks the same here as everywhere else.
//
// Each function reads in one transaction: a page and its total (or the parts of the statistics)
// come from the same snapshot even while the office writes.
//
// Indexes: the schema (migrations.ts) has none on licences.status/tier/sector/region,
// audit_events.actor/action or reports.state, so those filters scan their table: cheap for
// holders and validity periods (small rows), up to ~250 ms for licences at 100,000. The note at
// the end of this file lists the indexes a later migration should add.

import {
  addDays,
  isCalendarDate,
  isRegionCode,
  LICENCE_STATUSES,
  SECTORS,
  TIERS,
  type CalendarDate,
  type LicenceStatus,
  type Sector,
  type Tier,
} from '../../core/index.ts';
import { RefusedError } from '../errors.ts';
import { auditEvent, type AuditEvent, type AuditRow } from './audit.ts';
import { statement, type Db } from './db.ts';
import { getHolders, type HolderRecord } from './holders.ts';
import { licencesBySerial, type LicenceRecord } from './licences.ts';
import { targetState, type PublishTarget } from './publishing.ts';
import { getReport, hasReports, TRIAGE_STATES, type StoredReport, type TriageState } from './reports.ts';

/** The most rows a CSV export returns (allLicencesMatching, allHoldersMatching). */
export const EXPORT_CAP = 200_000;
/** The largest page a search returns. */
export const MAX_PAGE = 1000;

export interface Page {
  limit: number;
  offset: number;
}

/** An export: `rows.length < total` (and `truncated`) when more than EXPORT_CAP matched. */
export interface Export<T> {
  total: number;
  truncated: boolean;
  rows: T[];
}

type Param = string | number;

interface Where {
  sql: string;
  params: Param[];
}

function where(clauses: string[]): string {
  return clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '';
}

function checkPage(page: Page): void {
  if (!Number.isSafeInteger(page.limit) || page.limit < 1 || page.limit > MAX_PAGE) throw new RangeError(`page limit must be a whole number from 1 to ${MAX_PAGE}`);
  if (!Number.isSafeInteger(page.offset) || page.offset < 0) throw new RangeError('page offset must be a whole number of at least 0');
}

/** Search text as typed: surrounding spaces dropped; empty means no text filter. */
function searchText(text: string | undefined): string | null {
  const trimmed = text?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/** A LIKE pattern (ESCAPE '\') matching `text` anywhere, its wildcards taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The range [low, high) of strings starting with `prefix` under SQLite's BINARY (UTF-8 byte)
 * order: a range the `number` column's unique index answers, where LIKE 'X%' would scan (the
 * LIKE optimisation needs NOCASE columns). U+10FFFF sorts after every other character.
 */
function prefixRange(prefix: string): [string, string] {
  return [prefix, `${prefix}\u{10FFFF}`];
}

/** An ISO instant as stored (Date#toISOString), so that text order is time order. */
function instant(field: string, value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new RefusedError('invalid_date', `${field} must be an ISO-8601 instant (e.g. 2026-11-27T04:00:00Z); "${value}" is not`);
  return new Date(time).toISOString();
}

function oneOf<T extends string>(field: string, values: readonly T[], value: T, code: 'invalid_tier' | 'invalid_sector' | 'invalid_text'): T {
  if (!values.includes(value)) throw new RefusedError(code, `${field} must be one of ${values.join(', ')}; "${String(value)}" is not`);
  return value;
}

function region(value: string): string {
  if (!isRegionCode(value)) throw new RefusedError('invalid_region', `region must be a GB/T 2260 code of Qingdao or its districts (370200, 370202, …); "${value}" is not`);
  return value;
}

function calendarDate(field: string, value: string): CalendarDate {
  if (!isCalendarDate(value)) throw new RefusedError('invalid_date', `${field} must be a date as YYYY-MM-DD; "${String(value)}" is not`);
  return value;
}

/**
 * The one column of every row. Not with .pluck() or .raw(): those change the mode of the cached
 * statement, which other callers of statement() with the same SQL would then share.
 */
function values<T>(db: Db, sql: string, ...params: Param[]): T[] {
  return (statement(db, sql).all(...params) as Record<string, T>[]).map((row) => Object.values(row)[0]!);
}

/** Runs `read` in one (deferred, read-only) transaction: one snapshot for all its queries. */
function snapshot<T>(db: Db, read: () => T): T {
  return db.transaction(read)();
}

// ---------------------------------------------------------------------------------------------
// Licences

export interface LicenceSearch {
  /**
   * A licence number, exactly or as a prefix ("QDYP-2026-00"); or a holder's USCC, exactly;
   * or part of a holder's name. Numbers and USCCs are matched upper-cased; the name part as
   * typed (SQLite's LIKE folds ASCII case only), its %, _ and \ literal.
   */
  text?: string;
  batch?: string;
  tier?: Tier;
  sector?: Sector;
  /**
   * A GB/T 2260 code, matched exactly against the licence's own region (what the licence
   * shows and what regional bundles select on), not the holder's: a licence issued without a
   * region matches no region, and 370200 (the city) does not include its districts.
   */
  region?: string;
  status?: LicenceStatus;
  /**
   * Valid licences (status 'valid') whose current period ends between `today` and
   * `today + days`, both included.
   */
  expiringWithinDays?: { today: CalendarDate; days: number };
}

/** The current validity period of licence `alias`.serial: the one with the highest id. */
const CURRENT_PERIOD = (alias: string) => `${alias}.id = (SELECT max(q.id) FROM validity_periods q WHERE q.serial = ${alias}.serial)`;

function licenceWhere(filter: LicenceSearch): Where {
  const clauses: string[] = [];
  const params: Param[] = [];
  const text = searchText(filter.text);
  if (text !== null) {
    // Each alternative through an index (number; holder_uscc after the small holders table):
    // an OR over the joined row would scan every licence.
    const upper = text.toUpperCase();
    clauses.push(`l.serial IN (
      SELECT serial FROM licences WHERE number >= ? AND number < ?
      UNION ALL
      SELECT serial FROM licences WHERE holder_uscc IN (SELECT uscc FROM holders WHERE uscc = ? OR name LIKE ? ESCAPE '\\'))`);
    params.push(...prefixRange(upper), upper, containsPattern(text));
  }
  if (filter.batch !== undefined) {
    clauses.push('l.batch = ?');
    params.push(filter.batch);
  }
  if (filter.tier !== undefined) {
    clauses.push('l.tier = ?');
    params.push(oneOf('tier', TIERS, filter.tier, 'invalid_tier'));
  }
  if (filter.sector !== undefined) {
    clauses.push('l.sector = ?');
    params.push(oneOf('sector', SECTORS, filter.sector, 'invalid_sector'));
  }
  if (filter.region !== undefined) {
    clauses.push('l.region = ?');
    params.push(region(filter.region));
  }
  if (filter.status !== undefined) {
    clauses.push('l.status = ?');
    params.push(oneOf('status', LICENCE_STATUSES, filter.status, 'invalid_text'));
  }
  if (filter.expiringWithinDays !== undefined) {
    const { today, days } = filter.expiringWithinDays;
    if (!Number.isSafeInteger(days) || days < 0 || days > 36_600) throw new RefusedError('invalid_period', 'the expiry window must be a whole number of days from 0 to 36600');
    const from = calendarDate('today', today);
    // Driven by validity_periods (small rows), not by the licences table.
    clauses.push(`l.status = 'valid' AND l.serial IN (SELECT p.serial FROM validity_periods p WHERE p.valid_until BETWEEN ? AND ? AND ${CURRENT_PERIOD('p')})`);
    params.push(from, addDays(from, days));
  }
  return { sql: where(clauses), params };
}

/** Licences matching `filter`, newest (highest serial) first, a page of them with the total. */
export function searchLicences(db: Db, filter: LicenceSearch, page: Page): { total: number; licences: LicenceRecord[] } {
  checkPage(page);
  const w = licenceWhere(filter);
  return snapshot(db, () => {
    const total = (statement(db, `SELECT count(*) AS n FROM licences l${w.sql}`).get(...w.params) as { n: number }).n;
    const serials = values<number>(db, `SELECT l.serial FROM licences l${w.sql} ORDER BY l.serial DESC LIMIT ? OFFSET ?`, ...w.params, page.limit, page.offset);
    return { total, licences: licencesBySerial(db, serials).reverse() };
  });
}

/** Every licence matching `filter` (for a CSV export), newest first, at most EXPORT_CAP. */
export function allLicencesMatching(db: Db, filter: LicenceSearch): Export<LicenceRecord> {
  const w = licenceWhere(filter);
  return snapshot(db, () => {
    const total = (statement(db, `SELECT count(*) AS n FROM licences l${w.sql}`).get(...w.params) as { n: number }).n;
    const serials = values<number>(db, `SELECT l.serial FROM licences l${w.sql} ORDER BY l.serial DESC LIMIT ?`, ...w.params, EXPORT_CAP);
    return { total, truncated: serials.length < total, rows: licencesBySerial(db, serials).reverse() };
  });
}

export interface LicenceStats {
  total: number;
  /** By the stored status: byStatus.valid includes the expired ones (see `expired`). */
  byStatus: Record<LicenceStatus, number>;
  /** Every tier, zero when none. */
  byTier: Record<string, number>;
  /** Every sector, zero when none. */
  bySector: Record<string, number>;
  /** The licence's own region (null: issued without one), by code, null last. */
  byRegion: { region: string | null; count: number }[];
  /**
   * Status 'valid' but the current period ended before `today`: a verifier shows these as
   * expired. Counted within byStatus.valid, not beside it; suspended and revoked licences are
   * never counted here, whatever their period.
   */
  expired: number;
  /** Status 'valid', the current period ending between today and today + 90 days, both included. */
  expiringWithin90: number;
}

/**
 * Counts for the console's dashboard: one GROUP BY pass over licences for status, tier,
 * sector and region, and one over the current validity periods ending by today + 90 days.
 */
export function licenceStats(db: Db, today: CalendarDate): LicenceStats {
  const from = calendarDate('today', today);
  const until = addDays(from, 90);
  return snapshot(db, () => {
    const groups = statement(db, 'SELECT status, tier, sector, region, count(*) AS n FROM licences GROUP BY status, tier, sector, region').all() as {
      status: LicenceStatus;
      tier: string;
      sector: string;
      region: string | null;
      n: number;
    }[];
    const stats: LicenceStats = {
      total: 0,
      byStatus: Object.fromEntries(LICENCE_STATUSES.map((s) => [s, 0])) as Record<LicenceStatus, number>,
      byTier: Object.fromEntries(TIERS.map((t) => [t, 0])),
      bySector: Object.fromEntries(SECTORS.map((s) => [s, 0])),
      byRegion: [],
      expired: 0,
      expiringWithin90: 0,
    };
    const regions = new Map<string | null, number>();
    for (const g of groups) {
      stats.total += g.n;
      stats.byStatus[g.status] = (stats.byStatus[g.status] ?? 0) + g.n;
      stats.byTier[g.tier] = (stats.byTier[g.tier] ?? 0) + g.n;
      stats.bySector[g.sector] = (stats.bySector[g.sector] ?? 0) + g.n;
      regions.set(g.region, (regions.get(g.region) ?? 0) + g.n);
    }
    stats.byRegion = sortRegions([...regions].map(([region, count]) => ({ region, count })));
    // CROSS JOIN keeps validity_periods (small rows) outside: SQLite would otherwise scan licences.
    const expiry = statement(
      db,
      `SELECT coalesce(sum(p.valid_until < ?), 0) AS expired, coalesce(sum(p.valid_until >= ?), 0) AS expiring
       FROM validity_periods p CROSS JOIN licences l ON l.serial = p.serial
       WHERE p.valid_until <= ? AND ${CURRENT_PERIOD('p')} AND l.status = 'valid'`,
    ).get(from, from, until) as { expired: number; expiring: number };
    stats.expired = expiry.expired;
    stats.expiringWithin90 = expiry.expiring;
    return stats;
  });
}

function sortRegions<T extends { region: string | null }>(rows: T[]): T[] {
  return rows.sort((a, b) => (a.region === b.region ? 0 : a.region === null ? 1 : b.region === null ? -1 : a.region < b.region ? -1 : 1));
}

/** The selection batches with their licence counts, by batch name (through the (batch, ref) index). */
export function listBatches(db: Db): { batch: string; count: number }[] {
  return statement(db, 'SELECT batch, count(*) AS count FROM licences WHERE batch IS NOT NULL GROUP BY batch ORDER BY batch').all() as { batch: string; count: number }[];
}

/** The licences' own regions with their counts, by code, null (no region) last. */
export function licenceRegions(db: Db): { region: string | null; count: number }[] {
  return statement(db, 'SELECT region, count(*) AS count FROM licences GROUP BY region ORDER BY region IS NULL, region').all() as { region: string | null; count: number }[];
}

// ---------------------------------------------------------------------------------------------
// Holders

export interface HolderSearch {
  /** A USCC, exactly (upper-cased); or part of the name, its %, _ and \ literal. */
  text?: string;
  /** The holder's own region, exactly. */
  region?: string;
}

export type HolderWithCount = HolderRecord & { licences: number };

function holderWhere(filter: HolderSearch): Where {
  const clauses: string[] = [];
  const params: Param[] = [];
  const text = searchText(filter.text);
  if (text !== null) {
    clauses.push(`(h.uscc = ? OR h.name LIKE ? ESCAPE '\\')`);
    params.push(text.toUpperCase(), containsPattern(text));
  }
  if (filter.region !== undefined) {
    clauses.push('h.region = ?');
    params.push(region(filter.region));
  }
  return { sql: where(clauses), params };
}

function holdersWithCounts(db: Db, rows: { uscc: string; licences: number }[]): HolderWithCount[] {
  const records = getHolders(db, rows.map((r) => r.uscc));
  return rows.map((r) => ({ ...records.get(r.uscc)!, licences: r.licences }));
}

const HOLDER_PAGE = (w: Where, tail: string) =>
  `SELECT h.uscc, (SELECT count(*) FROM licences WHERE holder_uscc = h.uscc) AS licences FROM holders h${w.sql} ORDER BY h.uscc ${tail}`;

/** Holders matching `filter` by USCC (as listHolders), each with its number of licences. */
export function searchHolders(db: Db, filter: HolderSearch, page: Page): { total: number; holders: HolderWithCount[] } {
  checkPage(page);
  const w = holderWhere(filter);
  return snapshot(db, () => {
    const total = (statement(db, `SELECT count(*) AS n FROM holders h${w.sql}`).get(...w.params) as { n: number }).n;
    const rows = statement(db, HOLDER_PAGE(w, 'LIMIT ? OFFSET ?')).all(...w.params, page.limit, page.offset) as { uscc: string; licences: number }[];
    return { total, holders: holdersWithCounts(db, rows) };
  });
}

/** Every holder matching `filter` (for a CSV export), by USCC, at most EXPORT_CAP. */
export function allHoldersMatching(db: Db, filter: HolderSearch): Export<HolderWithCount> {
  const w = holderWhere(filter);
  return snapshot(db, () => {
    const total = (statement(db, `SELECT count(*) AS n FROM holders h${w.sql}`).get(...w.params) as { n: number }).n;
    const rows = statement(db, HOLDER_PAGE(w, 'LIMIT ?')).all(...w.params, EXPORT_CAP) as { uscc: string; licences: number }[];
    return { total, truncated: rows.length < total, rows: holdersWithCounts(db, rows) };
  });
}

// ---------------------------------------------------------------------------------------------
// Audit

export interface AuditSearch {
  /** A licence number (upper-cased): events about that licence. */
  licence?: string;
  /** A USCC (upper-cased): events about the holder and about each of its licences. */
  holder?: string;
  actor?: string;
  action?: string;
  /** ISO instant, included. */
  from?: string;
  /** ISO instant, excluded. */
  to?: string;
}


function auditWhere(filter: AuditSearch): Where {
  const clauses: string[] = [];
  const params: Param[] = [];
  if (filter.licence !== undefined) {
    clauses.push('subject = ?');
    params.push(filter.licence.trim().toUpperCase());
  }
  if (filter.holder !== undefined) {
    // Through the subject index, once per subject: the USCC and each of its licence numbers.
    const uscc = filter.holder.trim().toUpperCase();
    clauses.push('subject IN (SELECT ? UNION ALL SELECT number FROM licences WHERE holder_uscc = ?)');
    params.push(uscc, uscc);
  }
  if (filter.actor !== undefined) {
    clauses.push('actor = ?');
    params.push(filter.actor);
  }
  if (filter.action !== undefined) {
    clauses.push('action = ?');
    params.push(filter.action);
  }
  if (filter.from !== undefined) {
    clauses.push('at >= ?');
    params.push(instant('from', filter.from));
  }
  if (filter.to !== undefined) {
    clauses.push('at < ?');
    params.push(instant('to', filter.to));
  }
  return { sql: where(clauses), params };
}

/** Audit events matching `filter`, newest recorded (highest id) first. */
export function searchAudit(db: Db, filter: AuditSearch, page: Page): { total: number; events: AuditEvent[] } {
  checkPage(page);
  const w = auditWhere(filter);
  return snapshot(db, () => {
    const total = (statement(db, `SELECT count(*) AS n FROM audit_events${w.sql}`).get(...w.params) as { n: number }).n;
    // Ids first (a date range sorts only the at index's ids, not whole events), then the page.
    const ids = values<number>(db, `SELECT id FROM audit_events${w.sql} ORDER BY id DESC LIMIT ? OFFSET ?`, ...w.params, page.limit, page.offset);
    const rows = statement(db, 'SELECT * FROM audit_events WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id DESC').all(JSON.stringify(ids)) as AuditRow[];
    return { total, events: rows.map(auditEvent) };
  });
}

/** Everyone who appears in the audit log, sorted. */
export function auditActors(db: Db): string[] {
  return values<string>(db, 'SELECT DISTINCT actor FROM audit_events ORDER BY actor');
}

/** Every action in the audit log, sorted. */
export function auditActions(db: Db): string[] {
  return values<string>(db, 'SELECT DISTINCT action FROM audit_events ORDER BY action');
}

// ---------------------------------------------------------------------------------------------
// Reports

export interface ReportSearch {
  /** A licence number (upper-cased). */
  licence?: string;
  /** ISO instant, received at or after. */
  from?: string;
  /** ISO instant, received before. */
  to?: string;
  state?: TriageState;
}

/** Reports waiting for triage (state 'new'); 0 on a registry from before reports. */
export function reportsWaiting(db: Db): number {
  if (!hasReports(db)) return 0;
  return (statement(db, `SELECT count(*) AS n FROM reports WHERE state = 'new'`).get() as { n: number }).n;
}

/**
 * Reports matching `filter`, newest received first (the console's list; `qdyp reports list`
 * shows oldest first). Each as registry/reports.ts reads it (getReport).
 */
export function searchReports(db: Db, filter: ReportSearch, page: Page): { total: number; reports: StoredReport[] } {
  checkPage(page);
  const clauses: string[] = [];
  const params: Param[] = [];
  if (filter.licence !== undefined) {
    clauses.push('licence = ?');
    params.push(filter.licence.trim().toUpperCase());
  }
  if (filter.from !== undefined) {
    clauses.push('received_at >= ?');
    params.push(instant('from', filter.from));
  }
  if (filter.to !== undefined) {
    clauses.push('received_at < ?');
    params.push(instant('to', filter.to));
  }
  if (filter.state !== undefined) {
    clauses.push('state = ?');
    params.push(oneOf('state', TRIAGE_STATES, filter.state, 'invalid_text'));
  }
  if (!hasReports(db)) return { total: 0, reports: [] };
  const w = where(clauses);
  return snapshot(db, () => {
    const total = (statement(db, `SELECT count(*) AS n FROM reports${w}`).get(...params) as { n: number }).n;
    const ids = values<number>(db, `SELECT id FROM reports${w} ORDER BY received_at DESC, id DESC LIMIT ? OFFSET ?`, ...params, page.limit, page.offset);
    return { total, reports: ids.map((id) => getReport(db, id)!) };
  });
}

// ---------------------------------------------------------------------------------------------
// Publication

/**
 * When `target` was last published to and how many licence entries it still lacks. A target
 * never published to (cloudflare before its first publish) lacks every licence's entry.
 */
export function lastPublication(db: Db, target: PublishTarget = 'local'): { publishedAt: string | null; pendingEntries: number } {
  return snapshot(db, () => {
    const state = targetState(db, target);
    if (state) return { publishedAt: state.publishedAt, pendingEntries: state.pendingEntries };
    return { publishedAt: null, pendingEntries: (statement(db, 'SELECT count(*) AS n FROM licences').get() as { n: number }).n };
  });
}

// Indexes (measured on 100,000 licences and 105,000 audit events, without → with). Registry v8
// adds only reports_state: state is stored after the photo BLOB, so without it counting the
// reports waiting reads every photo's overflow pages. The others speed the console's filters
// but cost every row of an import (bar P3), so they are left out:
//   licences (status): status filter 130 → 1 ms · (region): region filter 76 → 1 ms ·
//   (status, tier, sector, region): licenceStats 240 → 75 ms · audit_events (actor, id) and
//   (action, id): the audit log's officer and action filters ~45 → a few ms.
// An index on validity_periods (valid_until) gains nothing: the current-period check dominates.
