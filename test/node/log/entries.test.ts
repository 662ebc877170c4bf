// The registry's side of the transparency log: every licence, holder and key change appends
// exactly one entry in the same transaction as the change and its audit event (a refused or
// rolled-back change leaves none; no entry without its change), entries are dense, canonical,
// public and append-only, a registry of schema 8 starts its log with its licences as they stood,
// and the log key is made at init (and by `keys rotate --log`) and listed with its role.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { decodeLogEntry, encodeLogEntry, rootTrust, verifyKeyList, type KeyLogEntry, type LicenceLogEntry, type LogEntry } from '../../../src/core/index.ts';
import { createBackup, openBackup } from '../../../src/node/backup.ts';
import {
  addHolder,
  compromiseKey,
  issueLicence,
  issueLicences,
  refreshKeyList,
  reinstateLicence,
  renewLicence,
  resealLicence,
  revokeLicence,
  rotateKey,
  suspendLicence,
  updateHolder,
  updateLicence,
  type IssueInput,
  type IssuerContext,
} from '../../../src/node/issuer/index.ts';
import { issuingKeyFile, readPrivateKey } from '../../../src/node/key-files.ts';
import { listAudit } from '../../../src/node/registry/audit.ts';
import { readConfig } from '../../../src/node/registry/config.ts';
import { openRegistry, registryPaths } from '../../../src/node/registry/db.ts';
import { activeKey, activeLogKey, listKeys } from '../../../src/node/registry/keys.ts';
import { getLicence, licenceEntry, listLicences } from '../../../src/node/registry/licences.ts';
import { appendLogEntries, appendLogEntry, logEntriesOfHolder, logEntriesOfLicence, logEntryAt, logSize, readLogEntries } from '../../../src/node/registry/log.ts';
import { MIGRATIONS, SCHEMA_VERSION, schemaVersion } from '../../../src/node/registry/migrations.ts';
import { apiRegistry, cliRegistry, dumpTables, qdyp, revertLogSchema, tempDir, USCC } from '../support.ts';
import { generatedCsv } from '../import/batch-files.ts';

const base: IssueInput = { holder: USCC.a, tier: 'product', sector: 'marine', chain: '海洋食品', products: ['即食海参'], trademarks: ['海滨'], validUntil: '2028-12-31' };
const ACTOR = 'officer 王海';

async function withHolder(): Promise<IssuerContext & { dir: string }> {
  const ctx = { ...(await apiRegistry()), actor: ACTOR };
  await addHolder(ctx, { uscc: USCC.a, name: '青岛海滨食品有限公司', address: '青岛市黄岛区长江中路 1 号', region: '370211' });
  return ctx;
}

function rootKey(ctx: IssuerContext) {
  return readPrivateKey(registryPaths(ctx.registry.dbPath).defaultRootKey);
}

/** Every entry, decoded (strictly), after checking the indices run 0, 1, 2, … with no gap. */
function entries(ctx: IssuerContext): LogEntry[] {
  const db = ctx.registry.db;
  const rows = db.prepare('SELECT idx FROM log_entries ORDER BY idx').all() as { idx: number }[];
  expect(rows.map((r) => r.idx)).toEqual(rows.map((_, i) => i));
  expect(logSize(db)).toBe(rows.length);
  return readLogEntries(db, 0, rows.length).map((text) => decodeLogEntry(text));
}

function last(ctx: IssuerContext): LogEntry {
  return entries(ctx).at(-1)!;
}

/** Runs a change and returns what it appended: exactly one entry, also one audit event. */
async function appendsOne(ctx: IssuerContext, change: () => Promise<unknown>): Promise<LogEntry> {
  const size = logSize(ctx.registry.db);
  const audits = listAudit(ctx.registry.db).length;
  await change();
  expect(logSize(ctx.registry.db)).toBe(size + 1);
  expect(listAudit(ctx.registry.db).length).toBe(audits + 1);
  return decodeLogEntry(logEntryAt(ctx.registry.db, size)!);
}

/** A licence's log index points at its latest licence.* entry, which shows the licence as it is. */
function pointsAtItsEntry(ctx: IssuerContext, number: string): LicenceLogEntry {
  const licence = getLicence(ctx.registry.db, number)!;
  const own = logEntriesOfLicence(ctx.registry.db, number);
  expect(licence.logIndex).toBe(own.at(-1)!.idx);
  const entry = decodeLogEntry(own.at(-1)!.entry) as LicenceLogEntry;
  expect(entry.licence).toEqual({
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
  });
  return entry;
}

describe('the log key and key events', () => {
  it('init makes a log key beside the issuing key, lists it with role log, and logs key.init', async () => {
    const ctx = await apiRegistry();
    const db = ctx.registry.db;
    const log = activeLogKey(db)!;
    const issuing = activeKey(db)!;
    expect(log.role).toBe('log');
    expect(issuing.role).toBeUndefined();
    expect(log.kid).not.toBe(issuing.kid);
    const file = issuingKeyFile(ctx.registry.keysDir, log.kid);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(readPrivateKey(file).x).toBe(log.jwk.x);

    const config = readConfig(db);
    const list = await verifyKeyList(config.keyList, await rootTrust(config.rootJwk), {});
    expect(list.keys.map((k) => [k.kid, k.role ?? null]).sort()).toEqual([[issuing.kid, null], [log.kid, 'log']].sort());
    // The JWS itself names the log key's role and nothing on the issuing key (old verifiers).
    const payload = JSON.parse(Buffer.from(config.keyList.split('.')[1]!, 'base64url').toString()) as { keys: { kid: string; role?: string }[] };
    expect(payload.keys.find((k) => k.kid === log.kid)!.role).toBe('log');
    expect('role' in payload.keys.find((k) => k.kid === issuing.kid)!).toBe(false);

    const [init, ...rest] = entries(ctx) as KeyLogEntry[];
    expect(rest).toEqual([]);
    expect(init).toEqual({
      v: 1,
      event: 'key.init',
      time: ctx.now.toISOString(),
      keys: [
        { kid: issuing.kid, role: 'issue', status: 'active' },
        { kid: log.kid, role: 'log', status: 'active' },
      ],
      keyList: { version: 1, iat: list.iat, exp: list.exp, sha256: createHashB64(config.keyList) },
    });
  });

  it('rotate, rotate --log, compromise and a re-signed list each log one entry naming the keys and the list', async () => {
    const ctx = await withHolder();
    const db = ctx.registry.db;
    const root = rootKey(ctx);
    const firstIssuing = activeKey(db)!;
    const firstLog = activeLogKey(db)!;

    const rotated = (await appendsOne(ctx, () => rotateKey(ctx, root, '年度轮换'))) as KeyLogEntry;
    const secondIssuing = activeKey(db)!;
    expect(rotated.event).toBe('key.rotate');
    expect(rotated.keys).toEqual([
      { kid: firstIssuing.kid, role: 'issue', status: 'retired' },
      { kid: secondIssuing.kid, role: 'issue', status: 'active' },
    ]);
    expect(rotated.keyList).toMatchObject({ version: 2, sha256: createHashB64(readConfig(db).keyList) });
    expect(activeLogKey(db)!.kid).toBe(firstLog.kid);

    const logRotated = (await appendsOne(ctx, () => rotateKey(ctx, root, null, { role: 'log' }))) as KeyLogEntry;
    const secondLog = activeLogKey(db)!;
    expect(secondLog.kid).not.toBe(firstLog.kid);
    expect(logRotated.keys).toEqual([
      { kid: firstLog.kid, role: 'log', status: 'retired' },
      { kid: secondLog.kid, role: 'log', status: 'active' },
    ]);
    expect(activeKey(db)!.kid).toBe(secondIssuing.kid);
    expect(fs.statSync(issuingKeyFile(ctx.registry.keysDir, secondLog.kid)).mode & 0o777).toBe(0o600);

    const compromised = (await appendsOne(ctx, () => compromiseKey(ctx, secondIssuing.kid, root, '私钥外泄'))) as KeyLogEntry;
    const thirdIssuing = activeKey(db)!;
    expect(compromised.keys).toEqual([
      { kid: secondIssuing.kid, role: 'issue', status: 'compromised' },
      { kid: thirdIssuing.kid, role: 'issue', status: 'active' },
    ]);

    // A compromised log key is replaced by a new one; no licence is to be resealed for it.
    const pending = ctx.registry.db.prepare('SELECT count(*) AS n FROM pending_entries').get();
    const logCompromised = (await appendsOne(ctx, () => compromiseKey(ctx, secondLog.sid, root, '日志私钥外泄'))) as KeyLogEntry;
    const thirdLog = activeLogKey(db)!;
    expect(logCompromised.keys).toEqual([
      { kid: secondLog.kid, role: 'log', status: 'compromised' },
      { kid: thirdLog.kid, role: 'log', status: 'active' },
    ]);
    expect(activeKey(db)!.kid).toBe(thirdIssuing.kid);
    expect(ctx.registry.db.prepare('SELECT count(*) AS n FROM pending_entries').get()).toEqual(pending);

    const relisted = (await appendsOne(ctx, () => refreshKeyList(ctx, root))) as KeyLogEntry;
    expect(relisted.event).toBe('key_list.sign');
    expect(relisted.keys.map((k) => k.kid).sort()).toEqual(listKeys(db).map((k) => k.kid).sort());
    expect(relisted.keyList.version).toBe(readConfig(db).keyListVersion);
    for (const e of entries(ctx)) expect(JSON.stringify(e)).not.toMatch(/年度轮换|私钥外泄|王海/);
    // One active key per role, whatever writes the table.
    const extra = { ...thirdIssuing, kid: 'x'.repeat(43), sid: 'ffffffff' };
    expect(() => db.prepare(`INSERT INTO keys (kid, sid, public_jwk, role, status, sign_from, sign_until, verify_until, created_at, status_changed_at) VALUES (?, ?, '{}', 'issue', 'active', ?, ?, ?, ?, ?)`).run(extra.kid, extra.sid, extra.signFrom, extra.signUntil, extra.verifyUntil, extra.createdAt, extra.createdAt)).toThrow(/UNIQUE/);
  });
});

describe('licence and holder changes', () => {
  it('every change path appends exactly one entry; the licence points at its latest', async () => {
    const ctx = await withHolder();
    const db = ctx.registry.db;
    let number = '';
    const issued = (await appendsOne(ctx, async () => (number = (await issueLicence(ctx, { ...base, reason: '首次授权：内部审批单 7' })).number))) as LicenceLogEntry;
    expect(issued).toMatchObject({ event: 'licence.issue', licence: { number, serial: 1, rev: 1, status: 'valid', statusReason: null } });
    pointsAtItsEntry(ctx, number);

    const steps: [string, () => Promise<unknown>][] = [
      ['licence.update', () => updateLicence(ctx, number, { products: ['即食海参', '海参礼盒'] }, '扩项：内部备注')],
      ['licence.renew', () => renewLicence(ctx, number, { validUntil: '2029-12-31' }, '续期：内部备注')],
      ['licence.suspend', () => suspendLicence(ctx, number, '抽检不合格，整改期间暂停')],
      ['licence.reinstate', () => reinstateLicence(ctx, number, '整改完成')],
    ];
    for (const [event, change] of steps) {
      const entry = (await appendsOne(ctx, change)) as LicenceLogEntry;
      expect(entry.event).toBe(event);
      pointsAtItsEntry(ctx, number);
    }
    expect(getLicence(db, number)!.revision).toBe(5);

    // A reseal needs a key the licence is not sealed under.
    await rotateKey(ctx, rootKey(ctx));
    const resealed = (await appendsOne(ctx, () => resealLicence(ctx, number, '换钥'))) as LicenceLogEntry;
    expect(resealed).toMatchObject({ event: 'licence.reseal', licence: { sealKid: activeKey(db)!.kid, rev: 6 } });
    pointsAtItsEntry(ctx, number);

    const revoked = (await appendsOne(ctx, () => revokeLicence(ctx, number, '超出授权范围使用标识'))) as LicenceLogEntry;
    expect(revoked.licence).toMatchObject({ status: 'revoked', statusReason: '超出授权范围使用标识', rev: 7 });
    pointsAtItsEntry(ctx, number);

    // Public data only: no actor, no audit reason, no seal or document.
    const licence = getLicence(db, number)!;
    const all = readLogEntries(db, 0, logSize(db)).join('\n');
    for (const secret of ['王海', 'officer', '内部', '首次授权', '换钥', licence.seal, licence.document, licence.document.split('.')[2]!]) expect(all).not.toContain(secret);
    expect(logEntriesOfLicence(db, number).map((e) => (decodeLogEntry(e.entry) as LicenceLogEntry).event)).toEqual([
      'licence.issue',
      'licence.update',
      'licence.renew',
      'licence.suspend',
      'licence.reinstate',
      'licence.reseal',
      'licence.revoke',
    ]);
  });

  it('several licences issued at once: one entry each, in serial order, one transaction', async () => {
    const ctx = await withHolder();
    const size = logSize(ctx.registry.db);
    const results = await issueLicences(ctx, [base, { ...base, products: ['虾皮'] }, { ...base, products: ['鱿鱼丝'] }]);
    expect(logSize(ctx.registry.db)).toBe(size + 3);
    for (const [i, r] of results.entries()) {
      expect(r.licence.logIndex).toBe(size + i);
      expect(pointsAtItsEntry(ctx, r.licence.number).event).toBe('licence.issue');
    }
  });

  it("an issue's audit snapshot, cut from its entry, is the licence's public details and serial byte for byte", async () => {
    const ctx = await withHolder();
    await addHolder(ctx, { uscc: USCC.b, name: 'Hangzhou "Tea" \\ Co. 🍵' });
    const tricky = await issueLicence(ctx, { ...base, holder: USCC.b, chain: null, region: null, products: ['含"引号"的\\产品', '鱼 🐟'], trademarks: [] });
    const plain = await issueLicence(ctx, base);
    for (const licence of [tricky, plain]) {
      const row = ctx.registry.db.prepare(`SELECT after FROM audit_events WHERE action = 'licence.issue' AND subject = ?`).get(licence.number) as { after: string };
      expect(row.after).toBe(JSON.stringify({ ...licenceEntry(licence), serial: licence.serial }));
    }
  });

  it('a holder change logs holder.update only when a name or address changes; licences keep pointing at their licence entries', async () => {
    const ctx = await withHolder();
    const db = ctx.registry.db;
    const a = await issueLicence(ctx, base);
    const b = await issueLicence(ctx, { ...base, products: ['虾皮'] });
    await revokeLicence(ctx, b.number, '停产');
    const before = { a: getLicence(db, a.number)!, b: getLicence(db, b.number)! };

    const renamed = await appendsOne(ctx, () => updateHolder(ctx, USCC.a, { name: '青岛海滨食品集团有限公司' }, '更名：营业执照变更'));
    expect(renamed).toEqual({ v: 1, event: 'holder.update', time: ctx.now.toISOString(), holder: { uscc: USCC.a, name: '青岛海滨食品集团有限公司', address: '青岛市黄岛区长江中路 1 号' } });
    const moved = await appendsOne(ctx, () => updateHolder(ctx, USCC.a, { address: null }));
    expect(moved).toMatchObject({ event: 'holder.update', holder: { address: null } });
    for (const l of [a, b]) {
      const now = getLicence(db, l.number)!;
      expect(now.revision).toBe(before[l === a ? 'a' : 'b'].revision + 2);
      expect(now.logIndex).toBe(before[l === a ? 'a' : 'b'].logIndex);
    }
    // The region is not shown on the holder's licences: no entry.
    const size = logSize(db);
    await updateHolder(ctx, USCC.a, { region: '370202' });
    expect(logSize(db)).toBe(size);
    expect(logEntriesOfHolder(db, USCC.a).map((e) => (decodeLogEntry(e.entry) as LogEntry).event)).toEqual([
      'licence.issue',
      'licence.issue',
      'licence.revoke',
      'holder.update',
      'holder.update',
    ]);
    expect(readLogEntries(db, 0, logSize(db)).join('\n')).not.toContain('营业执照变更');
  });

  it('a refused change leaves no entry', async () => {
    const ctx = await withHolder();
    const licence = await issueLicence(ctx, base);
    await suspendLicence(ctx, licence.number, '暂停');
    const before = dumpTables(ctx.registry.dbPath);
    await expect(suspendLicence(ctx, licence.number, '再暂停')).rejects.toMatchObject({ code: 'invalid_transition' });
    await expect(updateLicence(ctx, licence.number, { products: ['即食海参'] })).rejects.toMatchObject({ code: 'nothing_to_change' });
    await expect(updateHolder(ctx, USCC.a, { name: '青岛海滨食品有限公司' })).rejects.toMatchObject({ code: 'nothing_to_change' });
    await expect(issueLicence(ctx, { ...base, validUntil: '2026-01-01' })).rejects.toMatchObject({ name: 'RefusedError' });
    expect(dumpTables(ctx.registry.dbPath)).toEqual(before);
  });

  it('the audit event failing rolls back the change and its entry; the entry failing rolls back the change and its audit event', async () => {
    const ctx = await withHolder();
    const db = ctx.registry.db;
    const licence = await issueLicence(ctx, base);
    const root = rootKey(ctx);
    const changes: [string, () => Promise<unknown>][] = [
      ['issue', () => issueLicence(ctx, { ...base, products: ['虾皮'] })],
      ['suspend', () => suspendLicence(ctx, licence.number, '暂停')],
      ['update', () => updateLicence(ctx, licence.number, { products: ['海带'] })],
      ['holder', () => updateHolder(ctx, USCC.a, { name: '新名' })],
      ['rotate', () => rotateKey(ctx, root)],
      ['rotate --log', () => rotateKey(ctx, root, null, { role: 'log' })],
      ['relist', () => refreshKeyList(ctx, root)],
    ];
    for (const table of ['audit_events', 'log_entries']) {
      db.exec(`CREATE TEMP TRIGGER fail_insert BEFORE INSERT ON main.${table} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
      const before = dumpTables(ctx.registry.dbPath);
      const keyFiles = fs.readdirSync(ctx.registry.keysDir).sort();
      for (const [name, change] of changes) {
        await expect(change(), `${name} with ${table} failing`).rejects.toThrow(/refused by the test/);
        expect(dumpTables(ctx.registry.dbPath), `${name} with ${table} failing`).toEqual(before);
      }
      expect(fs.readdirSync(ctx.registry.keysDir).sort()).toEqual(keyFiles);
      db.exec('DROP TRIGGER temp.fail_insert');
    }
    await appendsOne(ctx, () => suspendLicence(ctx, licence.number, '暂停'));
  });

  it('the log is append-only: UPDATE and DELETE are refused, indices are dense', async () => {
    const ctx = await withHolder();
    const db = ctx.registry.db;
    await issueLicence(ctx, base);
    expect(() => db.prepare(`UPDATE log_entries SET entry = '{}' WHERE idx = 0`).run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM log_entries WHERE idx = 1').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM log_entries').run()).toThrow(/append-only/);
    expect(entries(ctx)).toHaveLength(2);
    // The API numbers from the end, whatever it is given to append.
    const text = encodeLogEntry({ v: 1, event: 'holder.update', time: ctx.now.toISOString(), holder: { uscc: USCC.a, name: 'x', address: null } });
    expect(appendLogEntry(db, text)).toBe(2);
    expect(appendLogEntries(db, [text, text])).toBe(3);
    expect(appendLogEntries(db, [])).toBe(5);
    expect(readLogEntries(db, 2, 5)).toEqual([text, text, text]);
    expect(logEntryAt(db, 5)).toBeNull();
    expect(() => appendLogEntry(db, `{"pad":"${'x'.repeat(65535)}"}`)).toThrow(expect.objectContaining({ code: 'ERR_LOG_ENTRY_TOO_LARGE' }));
    expect(logSize(db)).toBe(5);
    expect(() => db.prepare('INSERT INTO log_entries (idx, entry) VALUES (-1, ?)').run(text)).toThrow();
  });

  it('an import appends one licence.issue per licence in its chunks, each licence pointing at its own', async () => {
    const reg = await cliRegistry();
    const csv = path.join(reg.dir, 'batch.csv');
    fs.writeFileSync(csv, generatedCsv(1200));
    const imported = await reg.run(['import', csv]);
    expect(imported.code, imported.stderr).toBe(0);
    const registry = openRegistry(reg.db);
    const ctx = { registry, now: new Date(), actor: 'test' };
    try {
      const all = entries(ctx);
      expect(all[0]!.event).toBe('key.init');
      const licences = listLicences(registry.db);
      expect(licences).toHaveLength(1200);
      expect(all.slice(1).map((e) => (e as LicenceLogEntry).licence.number)).toEqual(licences.map((l) => l.number));
      for (const [i, l] of licences.entries()) expect(l.logIndex).toBe(i + 1);
      for (const number of [licences[0]!.number, licences[777]!.number]) expect(pointsAtItsEntry(ctx, number).event).toBe('licence.issue');
      // Re-importing the same file changes nothing, the log included.
      expect((await reg.run(['import', csv])).code).toBe(0);
      expect(logSize(registry.db)).toBe(1201);
    } finally {
      registry.close();
    }
  });
});

describe('a registry of schema 8', () => {
  it('starts its log with one licence.existing per licence as it stood, then gets a log key from keys rotate --log', async () => {
    const ctx = await withHolder();
    const a = await issueLicence(ctx, base);
    const b = await issueLicence(ctx, { ...base, products: ['虾皮'] });
    await suspendLicence(ctx, b.number, '抽检不合格');
    await updateHolder(ctx, USCC.a, { address: '青岛市市南区' });
    ctx.registry.close();
    const raw = new Database(ctx.registry.dbPath);
    raw.pragma('foreign_keys = OFF');
    revertLogSchema(raw);
    raw.close();
    // The fixture is a faithful v8 database: the same schema as v8's migrations make.
    expect(schemaOf(ctx.registry.dbPath)).toEqual(schemaOf(v8Database()));
    const v8 = dumpTables(ctx.registry.dbPath) as Record<string, { rows: Record<string, unknown>[] }>;

    const later = new Date(ctx.now.getTime() + 86_400_000);
    const registry = openRegistry(ctx.registry.dbPath, { now: later });
    const next = { registry, now: later, actor: ACTOR };
    expect(schemaVersion(registry.db)).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(9);
    const logged = entries(next) as LicenceLogEntry[];
    expect(logged.map((e) => [e.event, e.time, e.licence.number])).toEqual([
      ['licence.existing', later.toISOString(), a.number],
      ['licence.existing', later.toISOString(), b.number],
    ]);
    expect(logged[1]!.licence).toMatchObject({ status: 'suspended', statusReason: '抽检不合格', rev: 3, holder: { address: '青岛市市南区' } });
    for (const number of [a.number, b.number]) pointsAtItsEntry(next, number);
    // The rest is as it was: keys all issuing, the audit log untouched.
    const migrated = dumpTables(ctx.registry.dbPath) as Record<string, { rows: Record<string, unknown>[] }>;
    expect(migrated.audit_events!.rows).toEqual(v8.audit_events!.rows);
    expect(migrated.keys!.rows.map(({ role, ...rest }) => [role, rest])).toEqual(v8.keys!.rows.map((k) => ['issue', k]));
    expect(migrated.publish_targets!.rows.map((t) => t.log_size)).toEqual([0]);
    expect(activeLogKey(registry.db)).toBeNull();
    registry.close();

    // Opening again migrates nothing more.
    const again = openRegistry(ctx.registry.dbPath, { now: later });
    expect(logSize(again.db)).toBe(2);
    again.close();

    const run = (argv: string[]) => qdypAt(ctx.registry.dbPath, argv);
    const listed = await run(['keys', 'list']);
    expect(listed.stdout).toContain('No active log key');
    const rotated = await run(['keys', 'rotate', '--log', '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const result = rotated.json() as { role: string; active: { kid: string; role: string }; retired: null };
    expect(result).toMatchObject({ role: 'log', active: { role: 'log' }, retired: null });
    const shown = (await run(['keys', 'list', '--json'])).json() as { keys: { kid: string; role: string; status: string }[] };
    expect(shown.keys.filter((k) => k.status === 'active').map((k) => k.role).sort()).toEqual(['issue', 'log']);
    const text = (await run(['keys', 'list'])).stdout;
    expect(text).toMatch(new RegExp(`${result.active.kid}  \\w{8}  log    active`));
    expect(text).not.toContain('No active log key');

    const after = openRegistry(ctx.registry.dbPath);
    try {
      const all = readLogEntries(after.db, 0, logSize(after.db)).map((t) => decodeLogEntry(t));
      expect(all.map((e) => e.event)).toEqual(['licence.existing', 'licence.existing', 'key.rotate']);
      expect((all[2] as KeyLogEntry).keys).toEqual([{ kid: result.active.kid, role: 'log', status: 'active' }]);
      const config = readConfig(after.db);
      const list = await verifyKeyList(config.keyList, await rootTrust(config.rootJwk), {});
      expect(list.keys.find((k) => k.kid === result.active.kid)).toMatchObject({ role: 'log', status: 'active' });
    } finally {
      after.close();
    }
  });
});

describe('backup', () => {
  it('carries the log private key with the issuing keys', async () => {
    const ctx = await withHolder();
    const { text } = createBackup(ctx.registry, 'a long enough passphrase', ctx.now);
    const opened = await openBackup(text, 'a long enough passphrase');
    expect(opened.keys.has(activeLogKey(ctx.registry.db)!.kid)).toBe(true);
    expect(opened.keys.has(activeKey(ctx.registry.db)!.kid)).toBe(true);
  });
});

function createHashB64(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

async function qdypAt(db: string, argv: string[]) {
  return qdyp([...argv, '--db', db]);
}

/** A database made by migrations 1 to 8 alone. */
function v8Database(): string {
  const file = path.join(tempDir(), 'v8.sqlite');
  const db = new Database(file);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT');
  for (const m of MIGRATIONS.filter((m) => m.version <= 8)) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 'x');
  }
  db.close();
  return file;
}

function schemaOf(file: string): { type: string; name: string; sql: string | null }[] {
  const db = new Database(file, { readonly: true });
  try {
    const normal = (sql: string | null) => sql?.replace(/\s+/g, ' ').replace(/ ?, ?/g, ',').replace(/\( /g, '(').replace(/ \)/g, ')').trim() ?? null;
    return (db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`).all() as { type: string; name: string; sql: string | null }[]).map((r) => ({ ...r, sql: normal(r.sql) }));
  } finally {
    db.close();
  }
}
