// The SQL both inbox stores run (D1 on Workers, better-sqlite3 on Node) over the schema in
// src/worker/migrations/0001_reports.sql, and the row → ReportRecord mapping: one text for both, so the
// two stores cannot drift apart. Positional parameters only.

import { base64urlEncode } from '../../core/base64url.ts';
import { OFFICE_NONCE_TTL_S } from '../../core/office-request.ts';
import type { ReportInput, ReportRecord } from './inbox.ts';

/** A photo not yet named by a row is left alone this long (an add may be between its writes). */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;

export const SQL = {
  findRetry: 'SELECT id FROM reports WHERE inspector_id = ? AND idempotency_key = ?',
  /** A shopper's plain report about the same seal and complaint, still waiting for the office. */
  findMerge: `SELECT id FROM reports WHERE source = 'shopper' AND seal IS ? AND outcome = ? AND photo_key IS NULL AND contact_jwe IS NULL AND note IS NULL
    AND cursor > (SELECT value FROM meta WHERE name = 'acked') ORDER BY cursor DESC LIMIT 1`,
  nextCursor: "UPDATE meta SET value = value + 1 WHERE name = 'cursor'",
  merge: "UPDATE reports SET count = count + 1, cursor = (SELECT value FROM meta WHERE name = 'cursor') WHERE id = ?",
  insert: `INSERT INTO reports (id, cursor, source, inspector_id, token_jti, seal, serial, outcome, place, note, observed_at, contact_jwe, idempotency_key, received_at, photo_key, photo_type)
    VALUES (?, (SELECT value FROM meta WHERE name = 'cursor'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  after: 'SELECT * FROM reports WHERE cursor > ? ORDER BY cursor LIMIT ?',
  photo: 'SELECT photo_key, photo_type FROM reports WHERE id = ? AND photo_key IS NOT NULL',
  /** An acknowledgement never reaches past the last cursor handed out. */
  ackedPhotos: "SELECT photo_key FROM reports WHERE cursor <= MIN(?, (SELECT value FROM meta WHERE name = 'cursor')) AND photo_key IS NOT NULL",
  clearPhotos: "UPDATE reports SET photo_key = NULL WHERE cursor <= MIN(?, (SELECT value FROM meta WHERE name = 'cursor')) AND photo_key IS NOT NULL",
  ack: "UPDATE meta SET value = MAX(value, MIN(?, (SELECT value FROM meta WHERE name = 'cursor'))) WHERE name = 'acked'",
  retention: "DELETE FROM reports WHERE cursor <= (SELECT value FROM meta WHERE name = 'acked') AND received_at < ?",
  named: 'SELECT 1 AS named FROM reports WHERE photo_key = ?',
  useNonce: 'INSERT OR IGNORE INTO office_nonces (nonce, until) VALUES (?, ?)',
  forgetNonces: 'DELETE FROM office_nonces WHERE until < ?',
} as const;

export interface ReportRow {
  id: string;
  cursor: number;
  source: 'inspector' | 'shopper';
  inspector_id: string | null;
  token_jti: string | null;
  seal: string | null;
  serial: number | null;
  outcome: string;
  place: string | null;
  note: string | null;
  observed_at: string | null;
  contact_jwe: string | null;
  idempotency_key: string | null;
  received_at: string;
  count: number;
  photo_key: string | null;
  photo_type: string | null;
}

export function toRecord(row: ReportRow): ReportRecord {
  return {
    id: row.id,
    cursor: row.cursor,
    source: row.source,
    inspectorId: row.inspector_id,
    seal: row.seal,
    serial: row.serial,
    outcome: row.outcome,
    place: row.place,
    note: row.note,
    observedAt: row.observed_at,
    contactJwe: row.contact_jwe,
    receivedAt: row.received_at,
    count: row.count,
    hasPhoto: row.photo_key !== null,
  };
}

/** The insert's parameters after the id, in SQL.insert's order. */
export function insertParams(id: string, report: ReportInput, photoKey: string | null): (string | number | null)[] {
  return [
    id,
    report.source,
    report.inspectorId,
    report.tokenJti,
    report.seal,
    report.serial,
    report.outcome,
    report.place,
    report.note,
    report.observedAt,
    report.contactJwe,
    report.idempotencyKey,
    report.receivedAt,
    photoKey,
    photoKey === null ? null : report.photo!.type,
  ];
}

/** Whether a shopper's report may be merged into an earlier one's count (it carries nothing of its own). */
export function mergeable(report: ReportInput): boolean {
  return report.source === 'shopper' && report.photo === null && report.contactJwe === null && report.note === null;
}

/**
 * Nonces remembered until before this can go when one remembered until `untilS` arrives: that
 * request's iat was within 5 minutes of the edge's clock, so any request whose nonce would be
 * remembered only until this is stale already (needs no clock of the store's own).
 */
export function forgetBefore(untilS: number): number {
  return untilS - 2 * OFFICE_NONCE_TTL_S;
}

/** A new report id: 128 random bits, base64url. */
export function newReportId(): string {
  return base64urlEncode(crypto.getRandomValues(new Uint8Array(16)));
}

/** The ISO instant before which acknowledged rows go. */
export function retentionCutoff(now: Date, retentionDays: number): string {
  return new Date(now.getTime() - retentionDays * 24 * 60 * 60 * 1000).toISOString();
}
