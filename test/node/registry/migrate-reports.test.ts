// A registry made before reports (schema version 5) migrates in place to version 6: its data
// untouched, empty reports and report_cursors tables. The schema holds a report's photo and its
// type together, one row per edge report id, and a known triage state.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { addHolder, addInspector, issueLicence } from '../../../src/node/issuer/index.ts';
import { openRegistry } from '../../../src/node/registry/db.ts';
import { SCHEMA_VERSION, schemaVersion } from '../../../src/node/registry/migrations.ts';
import { insertReport, reportCursor, type NewReport } from '../../../src/node/registry/reports.ts';
import { apiRegistry, dumpTables, revertLogSchema, USCC, withoutLogSchema } from '../support.ts';

const report = (overrides: Partial<NewReport> = {}): NewReport => ({
  sourceUrl: 'https://v.qdyp.cn',
  edgeId: 'r1',
  cursor: 1,
  source: 'inspector',
  inspectorId: 'ABCDEFGH12',
  seal: null,
  serial: null,
  licence: null,
  outcome: 'no_seal',
  place: '即墨路小商品市场',
  note: null,
  observedAt: null,
  contactJwe: null,
  receivedAt: '2026-11-27T04:00:00.000Z',
  count: 1,
  pulledAt: '2026-11-27T04:00:00.000Z',
  photo: null,
  ...overrides,
});

describe('migration 6: reports', () => {
  it('a version-5 registry migrates in place, its data untouched', async () => {
    const ctx = await apiRegistry();
    await addHolder(ctx, { uscc: USCC.a, name: '青岛海滨食品有限公司' });
    await issueLicence(ctx, { holder: USCC.a, tier: 'product', sector: 'marine', products: ['海参'], validUntil: '2028-12-31' });
    await addInspector(ctx, '王海');
    ctx.registry.close();
    const raw = new Database(ctx.registry.dbPath);
    revertLogSchema(raw);
    raw.exec('DROP TABLE reports; DROP TABLE report_cursors; DROP TABLE officers; DROP TABLE bulk_revocations');
    raw.exec('DELETE FROM schema_migrations WHERE version > 5');
    raw.close();
    const v5 = withoutLogSchema(dumpTables(ctx.registry.dbPath));

    const registry = openRegistry(ctx.registry.dbPath, { now: ctx.now });
    expect(schemaVersion(registry.db)).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(6);
    const migrated = withoutLogSchema(dumpTables(ctx.registry.dbPath)) as Record<string, { rows: unknown[] }>;
    for (const table of ['config', 'keys', 'holders', 'licences', 'validity_periods', 'audit_events', 'publish_targets', 'pending_entries', 'invitations', 'inspectors']) {
      expect(migrated[table], table).toEqual(v5[table]);
    }
    expect(migrated.reports!.rows).toEqual([]);
    expect(migrated.report_cursors!.rows).toEqual([]);
    expect(reportCursor(registry.db, 'https://v.qdyp.cn')).toEqual({ cursor: 0, acked: 0 });
    registry.close();
  });

  it('one row per edge report id, a photo with its type, a known triage state', async () => {
    const ctx = await apiRegistry();
    const db = ctx.registry.db;
    insertReport(db, report());
    expect(() => insertReport(db, report({ cursor: 2 }))).toThrow(/UNIQUE/);
    // The same id from another edge is another report.
    insertReport(db, report({ sourceUrl: 'http://127.0.0.1:8080' }));
    expect(() => db.prepare(`UPDATE reports SET state = 'done'`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE reports SET photo = x'ffd8ff'`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE reports SET count = 0`).run()).toThrow(/CHECK/);
    ctx.registry.close();
  });
});
