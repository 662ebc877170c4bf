import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { RefusedError } from '../../../src/node/errors.ts';
import { openDatabase, openRegistry } from '../../../src/node/registry/db.ts';
import { readConfig } from '../../../src/node/registry/config.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src/node/registry/migrations.ts';
import { apiRegistry, tempDir } from '../support.ts';

describe('the registry database', () => {
  it('opens with WAL, synchronous=FULL, foreign keys and a busy timeout', async () => {
    const { registry } = await apiRegistry();
    const db = registry.db;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    registry.close();
  });

  it('opens read-only beside a writer (the portal), and refuses writes there', async () => {
    const { registry } = await apiRegistry();
    const reader = openRegistry(registry.dbPath, { readonly: true });
    expect(readConfig(reader.db).origin).toBe('HTTPS://V.QDYP.CN');
    expect(() => reader.db.prepare(`INSERT INTO config (name, value) VALUES ('x', 'y')`).run()).toThrow(/readonly/);
    reader.close();
    registry.close();
  });

  it('records each numbered migration once', () => {
    const file = path.join(tempDir(), 'db.sqlite');
    openDatabase(file, { create: true }).close();
    const db = openDatabase(file);
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    db.close();
  });

  it('refuses a database from a newer qdyp, and a missing one', () => {
    const file = path.join(tempDir(), 'db.sqlite');
    openDatabase(file, { create: true }).close();
    const raw = new Database(file);
    raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(SCHEMA_VERSION + 1, 'future', 'x');
    raw.close();
    expect(() => openDatabase(file)).toThrow(expect.objectContaining({ code: 'registry_too_new' }));
    expect(() => openDatabase(path.join(tempDir(), 'missing.sqlite'))).toThrow(RefusedError);
    expect(fs.existsSync(path.join(path.dirname(file), 'missing.sqlite'))).toBe(false);
  });

  it('keeps the audit log append-only', async () => {
    const { registry } = await apiRegistry();
    const db = registry.db;
    expect(() => db.prepare(`UPDATE audit_events SET actor = 'someone else'`).run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    expect((db.prepare('SELECT count(*) AS n FROM audit_events').get() as { n: number }).n).toBe(1);
    registry.close();
  });

  it('enforces the schema: one active key, known statuses, periods in order, licences need holders', async () => {
    const { registry } = await apiRegistry();
    const db = registry.db;
    const key = db.prepare('SELECT * FROM keys').get() as Record<string, unknown>;
    expect(() =>
      db.prepare('INSERT INTO keys (kid, sid, public_jwk, status, sign_from, sign_until, verify_until, created_at, status_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run('other', '00000000', '{}', 'active', 'a', 'b', 'c', 'd', 'e'),
    ).toThrow(/UNIQUE/);
    expect(() => db.prepare(`UPDATE keys SET status = 'lost'`).run()).toThrow(/CHECK/);
    expect(() =>
      db.prepare(`INSERT INTO licences (serial, number, holder_uscc, tier, sector, products, trademarks, status, status_changed_at, seal_kid, seal, document_kid, document, issued_at)
        VALUES (1, 'QDYP-2026-000001', '91370200163562681G', 'product', 'services', '[]', '[]', 'valid', 'x', ?, 's', ?, 'd', 'x')`).run(key.kid, key.kid),
    ).toThrow(/FOREIGN KEY/);
    registry.close();
  });
});
