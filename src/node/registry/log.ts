// The transparency log's entries (core/log-entry.ts), as the registry keeps them: one row per
// entry, numbered densely from 0, appended in the same transaction as the change they record
// and never changed (the schema's triggers refuse UPDATE and DELETE). The hash tiles and the
// checkpoint are the publisher's: they follow from these rows.

import { encodeLogEntry, fitsLogEntry, MAX_LOG_ENTRY_BYTES, QdypError, type LicenceLogEvent } from '../../core/index.ts';
import { statement, type Db } from './db.ts';
import type { LicenceRecord } from './licences.ts';

/** How many entries the log holds: the index the next one gets. */
export function logSize(db: Db): number {
  return ((statement(db, 'SELECT max(idx) AS idx FROM log_entries').get() as { idx: number | null }).idx ?? -1) + 1;
}

/**
 * Appends entries from the log's current end, inside the caller's transaction: `append` numbers
 * them in turn from one logSize read when made (a batch appends thousands), `next` is the index
 * the next one gets (a licence records it before its row is written). Text from encodeLogEntry.
 */
export interface LogAppender {
  readonly next: number;
  append(text: string): number;
}

export function logAppender(db: Db): LogAppender {
  const insert = statement(db, 'INSERT INTO log_entries (idx, entry) VALUES (?, ?)');
  let next = logSize(db);
  return {
    get next() {
      return next;
    },
    append(text: string): number {
      if (!fitsLogEntry(text)) throw new QdypError('ERR_LOG_ENTRY_TOO_LARGE', `a log entry is at most ${MAX_LOG_ENTRY_BYTES} bytes`);
      insert.run(next, text);
      return next++;
    },
  };
}

/** Appends one entry (text from encodeLogEntry); returns its index. */
export function appendLogEntry(db: Db, text: string): number {
  return logAppender(db).append(text);
}

/** Appends entries in order; returns the first one's index (the log's size if there are none). */
export function appendLogEntries(db: Db, texts: readonly string[]): number {
  const appender = logAppender(db);
  const first = appender.next;
  for (const text of texts) appender.append(text);
  return first;
}

/** The entries [from, to), in order. */
export function readLogEntries(db: Db, from: number, to: number): string[] {
  return (statement(db, 'SELECT entry FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx').all(from, to) as { entry: string }[]).map((r) => r.entry);
}

export function logEntryAt(db: Db, idx: number): string | null {
  const row = statement(db, 'SELECT entry FROM log_entries WHERE idx = ?').get(idx) as { entry: string } | undefined;
  return row?.entry ?? null;
}

/**
 * Every licence.* entry of one licence, in order. The log has no index by licence (each would
 * cost every append): this reads the whole log, which the CLI's and the pages' look-ups afford.
 */
export function logEntriesOfLicence(db: Db, number: string): { idx: number; entry: string }[] {
  return statement(db, `SELECT idx, entry FROM log_entries WHERE json_extract(entry, '$.licence.number') = ? ORDER BY idx`).all(number) as { idx: number; entry: string }[];
}

/** Every entry about one holder: its holder.update entries and its licences' entries, in order. */
export function logEntriesOfHolder(db: Db, uscc: string): { idx: number; entry: string }[] {
  return statement(
    db,
    `SELECT idx, entry FROM log_entries
     WHERE json_extract(entry, '$.holder.uscc') = @uscc OR json_extract(entry, '$.licence.holder.uscc') = @uscc ORDER BY idx`,
  ).all({ uscc }) as { idx: number; entry: string }[];
}

/**
 * A licence.* entry's text for a licence as it stands after the event: `licence.revision` is
 * the revision the event gives it (what its published entry will be signed at).
 */
export function licenceLogText(event: LicenceLogEvent, time: string, licence: LicenceRecord): string {
  return encodeLogEntry({
    v: 1,
    event,
    time,
    licence: {
      number: licence.number,
      serial: licence.serial,
      rev: licence.revision,
      sealKid: licence.sealKid,
      holder: licence.holder,
      tier: licence.tier,
      sector: licence.sector,
      chain: licence.chain,
      region: licence.region,
      products: licence.products,
      trademarks: licence.trademarks,
      validFrom: licence.validFrom,
      validUntil: licence.validUntil,
      status: licence.status,
      statusReason: licence.statusReason,
      statusChangedAt: licence.statusChangedAt,
    },
  });
}
