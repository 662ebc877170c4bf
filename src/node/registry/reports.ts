// Reports of misuse pulled from an edge's inbox: one row per (edge, edge report id), the photo
// kept here once the edge has been told it may delete its copy, and the office's triage state.
// The shopper's contact stays encrypted (a JWE to the office's contact key) and is read only by
// `qdyp reports show`. The pull cursor per edge lives in report_cursors, written in the same
// transaction as the reports it stands for, so a crash never skips a page nor stores one twice.

import { statement, type Db } from './db.ts';

export const TRIAGE_STATES = ['new', 'checking', 'closed'] as const;
export type TriageState = (typeof TRIAGE_STATES)[number];

export interface StoredReport {
  /** The registry's own id (what `reports show ID` takes). */
  id: number;
  sourceUrl: string;
  edgeId: string;
  cursor: number;
  source: 'inspector' | 'shopper';
  inspectorId: string | null;
  seal: string | null;
  serial: number | null;
  /** The licence number, when the seal's serial is one of this registry's licences. */
  licence: string | null;
  outcome: string;
  place: string | null;
  note: string | null;
  observedAt: string | null;
  contactJwe: string | null;
  receivedAt: string;
  count: number;
  photoType: string | null;
  state: TriageState;
  stateNote: string | null;
  stateChangedAt: string | null;
  pulledAt: string;
}

export type NewReport = Omit<StoredReport, 'id' | 'photoType' | 'state' | 'stateNote' | 'stateChangedAt'> & {
  photo: { bytes: Uint8Array; type: string } | null;
};

interface ReportRow {
  id: number;
  source_url: string;
  edge_id: string;
  cursor: number;
  source: 'inspector' | 'shopper';
  inspector_id: string | null;
  seal: string | null;
  serial: number | null;
  licence: string | null;
  outcome: string;
  place: string | null;
  note: string | null;
  observed_at: string | null;
  contact_jwe: string | null;
  received_at: string;
  count: number;
  photo_type: string | null;
  state: TriageState;
  state_note: string | null;
  state_changed_at: string | null;
  pulled_at: string;
}

const COLUMNS = 'id, source_url, edge_id, cursor, source, inspector_id, seal, serial, licence, outcome, place, note, observed_at, contact_jwe, received_at, count, photo_type, state, state_note, state_changed_at, pulled_at';

function fromRow(row: ReportRow): StoredReport {
  return {
    id: row.id,
    sourceUrl: row.source_url,
    edgeId: row.edge_id,
    cursor: row.cursor,
    source: row.source,
    inspectorId: row.inspector_id,
    seal: row.seal,
    serial: row.serial,
    licence: row.licence,
    outcome: row.outcome,
    place: row.place,
    note: row.note,
    observedAt: row.observed_at,
    contactJwe: row.contact_jwe,
    receivedAt: row.received_at,
    count: row.count,
    photoType: row.photo_type,
    state: row.state,
    stateNote: row.state_note,
    stateChangedAt: row.state_changed_at,
    pulledAt: row.pulled_at,
  };
}

/** Whether the registry has the reports tables (schema version 6; an unmigrated backup has not). */
export function hasReports(db: Db): boolean {
  return statement(db, `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reports'`).get() !== undefined;
}

export function getReport(db: Db, id: number): StoredReport | undefined {
  const row = statement(db, `SELECT ${COLUMNS} FROM reports WHERE id = ?`).get(id) as ReportRow | undefined;
  return row && fromRow(row);
}

export function getReportByEdgeId(db: Db, sourceUrl: string, edgeId: string): StoredReport | undefined {
  const row = statement(db, `SELECT ${COLUMNS} FROM reports WHERE source_url = ? AND edge_id = ?`).get(sourceUrl, edgeId) as ReportRow | undefined;
  return row && fromRow(row);
}

export function reportPhoto(db: Db, id: number): { bytes: Uint8Array; type: string } | null {
  const row = statement(db, 'SELECT photo, photo_type FROM reports WHERE id = ?').get(id) as { photo: Buffer | null; photo_type: string | null } | undefined;
  return row?.photo && row.photo_type ? { bytes: new Uint8Array(row.photo), type: row.photo_type } : null;
}

export interface ReportFilter {
  licence?: string;
  /** ISO instant: received at or after. */
  since?: string;
  state?: TriageState;
}

/** Reports, oldest received first. */
export function listReports(db: Db, filter: ReportFilter = {}): StoredReport[] {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.licence !== undefined) {
    where.push('licence = ?');
    params.push(filter.licence);
  }
  if (filter.since !== undefined) {
    where.push('received_at >= ?');
    params.push(filter.since);
  }
  if (filter.state !== undefined) {
    where.push('state = ?');
    params.push(filter.state);
  }
  const sql = `SELECT ${COLUMNS} FROM reports${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY received_at, id`;
  return (statement(db, sql).all(...params) as ReportRow[]).map(fromRow);
}

export function insertReport(db: Db, r: NewReport): number {
  const result = statement(
    db,
    `INSERT INTO reports (source_url, edge_id, cursor, source, inspector_id, seal, serial, licence, outcome, place, note, observed_at, contact_jwe, received_at, count, photo, photo_type, pulled_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    r.sourceUrl,
    r.edgeId,
    r.cursor,
    r.source,
    r.inspectorId,
    r.seal,
    r.serial,
    r.licence,
    r.outcome,
    r.place,
    r.note,
    r.observedAt,
    r.contactJwe,
    r.receivedAt,
    r.count,
    r.photo ? Buffer.from(r.photo.bytes) : null,
    r.photo ? r.photo.type : null,
    r.pulledAt,
  );
  return Number(result.lastInsertRowid);
}

/** A merged repeat at the edge: the count grew, the cursor moved on. */
export function updateReportCount(db: Db, id: number, count: number, cursor: number): void {
  statement(db, 'UPDATE reports SET count = ?, cursor = ? WHERE id = ?').run(count, cursor, id);
}

export function setReportState(db: Db, id: number, state: TriageState, note: string | null, at: string): void {
  statement(db, 'UPDATE reports SET state = ?, state_note = ?, state_changed_at = ? WHERE id = ?').run(state, note, at, id);
}

/** The last cursor stored from the edge at `sourceUrl` and the last it acknowledged (0, 0: nothing pulled yet). */
export function reportCursor(db: Db, sourceUrl: string): { cursor: number; acked: number } {
  if (!hasReports(db)) return { cursor: 0, acked: 0 };
  const row = statement(db, 'SELECT cursor, acked FROM report_cursors WHERE source_url = ?').get(sourceUrl) as { cursor: number; acked: number } | undefined;
  return row ?? { cursor: 0, acked: 0 };
}

export function setReportAcked(db: Db, sourceUrl: string, acked: number): void {
  statement(db, 'UPDATE report_cursors SET acked = max(acked, ?) WHERE source_url = ? AND cursor >= ?').run(acked, sourceUrl, acked);
}

export function setReportCursor(db: Db, sourceUrl: string, cursor: number, at: string): void {
  statement(db, 'INSERT INTO report_cursors (source_url, cursor, updated_at) VALUES (?, ?, ?) ON CONFLICT (source_url) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at').run(
    sourceUrl,
    cursor,
    at,
  );
}
