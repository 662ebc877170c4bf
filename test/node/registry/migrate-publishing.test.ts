// A registry made before per-licence publishing (schema version 1) migrates in place: every
// licence becomes pending for the local edge, and the next publish writes their entries.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { rootTrust, verifySeal } from '../../../src/core/index.ts';
import { trustFromEdge } from '../../../src/node/edge-store.ts';
import { addHolder, issueLicence } from '../../../src/node/issuer/index.ts';
import { publishLocal } from '../../../src/node/publish.ts';
import { readConfig } from '../../../src/node/registry/config.ts';
import { openRegistry } from '../../../src/node/registry/db.ts';
import { targetStates } from '../../../src/node/registry/publishing.ts';
import { apiRegistry, revertLogSchema, USCC } from '../support.ts';

describe('migration 2: publishing targets', () => {
  it('a version-1 registry migrates in place and publishes every licence entry', async () => {
    const ctx = await apiRegistry();
    await addHolder(ctx, { uscc: USCC.a, name: '青岛海滨食品有限公司' });
    const licence = await issueLicence(ctx, { holder: USCC.a, tier: 'product', sector: 'marine', products: ['海参'], validUntil: '2028-12-31' });
    ctx.registry.close();
    // Back to what schema version 1 had.
    const raw = new Database(ctx.registry.dbPath);
    const v1 = new Set(['config', 'keys', 'holders', 'licences', 'validity_periods', 'audit_events', 'schema_migrations']);
    raw.pragma('foreign_keys = OFF');
    revertLogSchema(raw);
    const later = (raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[]).filter((t) => !v1.has(t.name));
    for (const { name } of later) raw.exec(`DROP TABLE "${name}"`);
    raw.exec('DELETE FROM schema_migrations WHERE version > 1');
    raw.close();

    const registry = openRegistry(ctx.registry.dbPath, { now: ctx.now });
    expect(targetStates(registry.db)).toMatchObject([{ target: 'local', pendingEntries: 1 }]);
    const publication = await publishLocal(registry, ctx.now);
    expect(publication.entries).toHaveLength(1);
    const root = await rootTrust(readConfig(registry.db).rootJwk);
    const trust = await trustFromEdge(registry.edgeDir, { root, clock: () => ctx.now });
    expect((await verifySeal(licence.seal, ctx.now, trust)).code).toBe('authorized');
    registry.close();
  });
});
