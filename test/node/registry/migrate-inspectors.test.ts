// A registry made before inspector tokens (schema version 4) migrates in place to version 5:
// its data untouched, an empty inspectors table, and a revoked-inspectors list of version 0
// until the first revocation. The schema holds a revocation final and keeps every row.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseRevokedInspectors, rootTrust } from '../../../src/core/index.ts';
import { readEdgeTextSync, trustFromEdge } from '../../../src/node/edge-store.ts';
import { addHolder, addInspector, issueLicence, revokeInspector } from '../../../src/node/issuer/index.ts';
import { publishLocal } from '../../../src/node/publish.ts';
import { readConfig } from '../../../src/node/registry/config.ts';
import { openRegistry } from '../../../src/node/registry/db.ts';
import { listInspectors } from '../../../src/node/registry/inspectors.ts';
import { SCHEMA_VERSION, schemaVersion } from '../../../src/node/registry/migrations.ts';
import { apiRegistry, dumpTables, revertLogSchema, USCC, withoutLogSchema } from '../support.ts';

describe('migration 5: inspectors', () => {
  it('a version-4 registry migrates in place; its first revocation publishes version 1', async () => {
    const ctx = await apiRegistry();
    await addHolder(ctx, { uscc: USCC.a, name: '青岛海滨食品有限公司' });
    await issueLicence(ctx, { holder: USCC.a, tier: 'product', sector: 'marine', products: ['海参'], validUntil: '2028-12-31' });
    ctx.registry.close();
    // Back to what schema version 4 had.
    const raw = new Database(ctx.registry.dbPath);
    revertLogSchema(raw);
    raw.exec('DROP TABLE inspectors; DROP TABLE reports; DROP TABLE report_cursors; DROP TABLE officers; DROP TABLE bulk_revocations');
    raw.exec('DELETE FROM schema_migrations WHERE version > 4');
    raw.close();
    const v4 = withoutLogSchema(dumpTables(ctx.registry.dbPath));

    const registry = openRegistry(ctx.registry.dbPath, { now: ctx.now });
    expect(schemaVersion(registry.db)).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(5);
    const migrated = withoutLogSchema(dumpTables(ctx.registry.dbPath)) as Record<string, { rows: unknown[] }>;
    for (const table of ['config', 'keys', 'holders', 'licences', 'validity_periods', 'audit_events', 'publish_targets', 'pending_entries', 'invitations']) {
      expect(migrated[table], table).toEqual(v4[table]);
    }
    expect(migrated.inspectors!.rows).toEqual([]);

    const next = { ...ctx, registry };
    await publishLocal(registry, ctx.now);
    const root = await rootTrust(readConfig(registry.db).rootJwk);
    const keyList = (await trustFromEdge(registry.edgeDir, { root })).keyList!;
    const published = () => parseRevokedInspectors(readEdgeTextSync(registry.edgeDir, 'revoked-inspectors')!, keyList, { time: ctx.now });
    expect(await published()).toMatchObject({ version: 0, jtis: new Set() });
    const { inspector } = await addInspector(next, '王海', { days: 10 });
    await revokeInspector(next, inspector.id, '离职');
    await publishLocal(registry, ctx.now);
    expect(await published()).toMatchObject({ version: 1, jtis: new Set([inspector.jti]) });
    registry.close();
  });

  it('keeps every inspector row, never un-revokes one, never changes what a token said', async () => {
    const ctx = await apiRegistry();
    const { inspector } = await addInspector(ctx, '王海');
    const db = ctx.registry.db;
    expect(() => db.prepare(`UPDATE inspectors SET name = 'someone else'`).run()).toThrow(/does not change/);
    expect(() => db.prepare(`UPDATE inspectors SET expires_at = '2099-01-01T00:00:00.000Z'`).run()).toThrow(/does not change/);
    await revokeInspector(ctx, inspector.id);
    expect(() => db.prepare('UPDATE inspectors SET revoked_at = NULL').run()).toThrow(/final/);
    expect(() => db.prepare(`UPDATE inspectors SET revoke_reason = 'changed my mind'`).run()).toThrow(/final/);
    expect(() => db.prepare('DELETE FROM inspectors').run()).toThrow(/revoke instead/);
    expect(listInspectors(db)).toMatchObject([{ id: inspector.id, revokedAt: ctx.now.toISOString() }]);
    ctx.registry.close();
  });
});
