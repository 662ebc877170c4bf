// The append-only audit log: who did what, when, why, and the record before and after.
// Triggers in the schema refuse UPDATE and DELETE on it.

import { statement, type Db } from './db.ts';

export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  /** What the event is about: a licence number, a USCC, a key id, or "registry". */
  subject: string;
  reason?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditEvent extends Required<AuditEntry> {
  id: number;
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  reason: string | null;
  before: string | null;
  after: string | null;
}

export function appendAudit(db: Db, entry: AuditEntry): void {
  statement(db, 'INSERT INTO audit_events (at, actor, action, subject, reason, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    entry.at,
    entry.actor,
    entry.action,
    entry.subject,
    entry.reason ?? null,
    entry.before === undefined || entry.before === null ? null : JSON.stringify(entry.before),
    entry.after === undefined || entry.after === null ? null : JSON.stringify(entry.after),
  );
}

/** appendAudit with `before` and `after` already as JSON text (a batch import writes many). */
export function appendAuditJson(db: Db, at: string, actor: string, action: string, subject: string, reason: string | null, before: string | null, after: string | null): void {
  statement(db, 'INSERT INTO audit_events (at, actor, action, subject, reason, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)').run(at, actor, action, subject, reason, before, after);
}

export function listAudit(db: Db, filter: { subject?: string; since?: Date } = {}): AuditEvent[] {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.subject !== undefined) {
    where.push('subject = ?');
    params.push(filter.subject);
  }
  if (filter.since !== undefined) {
    where.push('at >= ?');
    params.push(filter.since.toISOString());
  }
  const sql = `SELECT * FROM audit_events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
  return (statement(db, sql).all(...params) as AuditRow[]).map(auditEvent);
}

/** An audit_events row as an event, its before/after JSON parsed. */
export function auditEvent(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    reason: row.reason,
    before: row.before === null ? null : (JSON.parse(row.before) as unknown),
    after: row.after === null ? null : (JSON.parse(row.after) as unknown),
  };
}
