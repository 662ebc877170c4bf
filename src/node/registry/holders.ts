// Brand holders (品牌主体), keyed by their 统一社会信用代码 (USCC).

import { statement, type Db } from './db.ts';

export interface HolderRecord {
  uscc: string;
  name: string;
  address: string | null;
  region: string | null;
  createdAt: string;
  updatedAt: string;
}

interface HolderRow {
  uscc: string;
  name: string;
  address: string | null;
  region: string | null;
  created_at: string;
  updated_at: string;
}

function fromRow(row: HolderRow): HolderRecord {
  return { uscc: row.uscc, name: row.name, address: row.address, region: row.region, createdAt: row.created_at, updatedAt: row.updated_at };
}

export function getHolder(db: Db, uscc: string): HolderRecord | undefined {
  const row = statement(db, 'SELECT * FROM holders WHERE uscc = ?').get(uscc) as HolderRow | undefined;
  return row && fromRow(row);
}

/** The registered holders among `usccs`, by USCC: one query for a whole chunk. */
export function getHolders(db: Db, usccs: Iterable<string>): Map<string, HolderRecord> {
  const rows = statement(db, 'SELECT * FROM holders WHERE uscc IN (SELECT value FROM json_each(?))').all(JSON.stringify([...usccs])) as HolderRow[];
  return new Map(rows.map((row) => [row.uscc, fromRow(row)]));
}

export function listHolders(db: Db, filter: { region?: string } = {}): HolderRecord[] {
  const rows = filter.region
    ? (statement(db, 'SELECT * FROM holders WHERE region = ? ORDER BY uscc').all(filter.region) as HolderRow[])
    : (statement(db, 'SELECT * FROM holders ORDER BY uscc').all() as HolderRow[]);
  return rows.map(fromRow);
}

export function insertHolder(db: Db, holder: HolderRecord): void {
  statement(db, 'INSERT INTO holders (uscc, name, address, region, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    holder.uscc,
    holder.name,
    holder.address,
    holder.region,
    holder.createdAt,
    holder.updatedAt,
  );
}

export function updateHolderRow(db: Db, holder: HolderRecord): void {
  statement(db, 'UPDATE holders SET name = ?, address = ?, region = ?, updated_at = ? WHERE uscc = ?').run(
    holder.name,
    holder.address,
    holder.region,
    holder.updatedAt,
    holder.uscc,
  );
}
