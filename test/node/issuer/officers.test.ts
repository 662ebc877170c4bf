// Officers of the authority console and bulk revocations, through the issuer API on real
// registries: a set-up code shown once and stored only as its hash, a set-up that works once,
// within its time, for an enabled officer; resets and disables that end sign-in; audit events
// that never hold a secret; and bulk revocations that take a second officer, revoke each
// licence as that officer, and are final once done or cancelled. Every refusal changes nothing.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../../src/node/accounts/index.ts';
import { RefusedError } from '../../../src/node/errors.ts';
import {
  activationCodeHash,
  addHolder,
  addOfficer,
  BULK_CONFIRM_STALE_MS,
  BULK_REVOKE_LIMIT,
  cancelBulkRevocation,
  completeOfficerSetup,
  confirmBulkRevocation,
  disableOfficer,
  getBulkRevocation,
  getOfficer,
  issueLicence,
  listBulkRevocations,
  listOfficers,
  needsSecondOfficer,
  OFFICER_ROLES,
  officerForSignIn,
  officerSetupCodeValid,
  officerSummary,
  requestBulkRevocation,
  resetOfficer,
  revokeLicence,
  revokeLicences,
  setOfficerPasswordHash,
  suspendLicence,
  type IssuerContext,
} from '../../../src/node/issuer/index.ts';
import { listAudit } from '../../../src/node/registry/audit.ts';
import { startBulkRevocationRow } from '../../../src/node/registry/bulk.ts';
import { openRegistry } from '../../../src/node/registry/db.ts';
import { getLicence } from '../../../src/node/registry/licences.ts';
import { SCHEMA_VERSION, schemaVersion } from '../../../src/node/registry/migrations.ts';
import { apiRegistry, dumpTables, NOW, revertLogSchema, USCC, withoutLogSchema } from '../support.ts';

const DAY_MS = 86_400_000;
const CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/;
const now = new Date(NOW);

/** Every byte of the registry's database files (the WAL included). */
function registryBytes(ctx: IssuerContext): string {
  const dir = path.dirname(ctx.registry.dbPath);
  return fs
    .readdirSync(dir)
    .filter((name) => name.startsWith(path.basename(ctx.registry.dbPath)))
    .map((name) => fs.readFileSync(path.join(dir, name)).toString('latin1'))
    .join('\n');
}

/** Runs `action`, expects a RefusedError with `code` (and message), and that no table changed. */
async function refusedUnchanged(ctx: IssuerContext, action: () => Promise<unknown>, code: string, message?: RegExp | string): Promise<RefusedError> {
  const before = dumpTables(ctx.registry.dbPath);
  const error = await action().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RefusedError);
  expect((error as RefusedError).code).toBe(code);
  if (message !== undefined) expect((error as RefusedError).message).toMatch(message);
  expect(dumpTables(ctx.registry.dbPath)).toEqual(before);
  return error as RefusedError;
}

function as(ctx: IssuerContext, actor: string, at = ctx.now): IssuerContext {
  return { registry: ctx.registry, now: at, actor };
}

let passwordHash: string;
beforeAll(async () => {
  passwordHash = await hashPassword('correct horse battery staple 青岛');
});

describe('addOfficer', () => {
  it('stores the name (normalised), role and the hash of a one-time code valid 7 days; the audit has name and role only', async () => {
    const ctx = await apiRegistry();
    // A decomposed é (NFD), surrounding and doubled spaces: stored as typed at the console.
    const { officer, setupCode, expiresAt } = await addOfficer(ctx, '  Zhang  Wei\u0301 ', 'admin');
    expect(officer.name).toBe('Zhang Weí');
    expect(setupCode).toMatch(CODE);
    expect(expiresAt).toBe(new Date(now.getTime() + 7 * DAY_MS).toISOString());
    expect(getOfficer(ctx.registry.db, 'Zhang Weí')).toEqual({
      name: 'Zhang Weí',
      role: 'admin',
      passwordHash: null,
      setupCodeHash: activationCodeHash(setupCode),
      setupExpiresAt: expiresAt,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      disabledAt: null,
    });
    expect(officerSummary(officer, now)).toMatchObject({ state: 'awaiting_setup', setupExpired: false });

    const second = await addOfficer(ctx, '李娜', undefined, { days: 30 });
    expect(second.officer.role).toBe('officer');
    expect(second.expiresAt).toBe(new Date(now.getTime() + 30 * DAY_MS).toISOString());
    expect(second.setupCode).not.toBe(setupCode);
    expect(listOfficers(ctx.registry.db).map((o) => [o.name, o.role])).toEqual([
      ['Zhang Weí', 'admin'],
      ['李娜', 'officer'],
    ]);
    expect((await addOfficer(ctx, '王芳', 'clerk')).officer.role).toBe('clerk');
    expect(OFFICER_ROLES).toEqual(['clerk', 'officer', 'admin']);

    const audit = listAudit(ctx.registry.db, { subject: 'officer:Zhang Weí' });
    expect(audit).toEqual([
      { id: expect.any(Number), at: now.toISOString(), actor: 'test-officer', action: 'officer.add', subject: 'officer:Zhang Weí', reason: null, before: null, after: { name: 'Zhang Weí', role: 'admin' } },
    ]);
    // The code is nowhere in the database, in any form; its hash only in the officers row.
    const bytes = registryBytes(ctx);
    for (const form of [setupCode, setupCode.replace(/-/g, ''), second.setupCode.replace(/-/g, '')]) expect(bytes).not.toContain(form);
    const auditText = JSON.stringify(listAudit(ctx.registry.db));
    expect(auditText).not.toContain(activationCodeHash(setupCode)!);
    expect(auditText).not.toContain(activationCodeHash(second.setupCode)!);
    ctx.registry.close();
  });

  it('refuses an existing name (however spelt), bad names, roles and periods, changing nothing', async () => {
    const ctx = await apiRegistry();
    await addOfficer(ctx, 'Li Na');
    await refusedUnchanged(ctx, () => addOfficer(ctx, 'Li Na', 'admin'), 'officer_exists', /already an officer "Li Na".*qdyp officer reset/);
    await refusedUnchanged(ctx, () => addOfficer(ctx, ' Li   Na '), 'officer_exists');
    const cases: [unknown, RegExp][] = [
      ['tab\there', /control characters/],
      ['\u001b[31mred', /control characters/],
      ['line\nbreak', /control characters/],
      ['x\u0085', /control characters/],
      ['Evil\u202eoc dooG', /U\+202E \(RIGHT-TO-LEFT OVERRIDE\)/],
      ['a\u200bb', /U\+200B/],
      ['   ', /must not be empty/],
      ['', /must not be empty/],
      ['x'.repeat(65), /longer than 64 characters/],
      [42, /officer name must not be empty/],
      [undefined, /officer name must not be empty/],
    ];
    for (const [name, message] of cases) await refusedUnchanged(ctx, () => addOfficer(ctx, name), 'invalid_text', message);
    expect((await addOfficer(ctx, 'x'.repeat(64))).officer.name).toHaveLength(64);
    await refusedUnchanged(ctx, () => addOfficer(ctx, '赵强', 'root'), 'invalid_role', /clerk, officer, admin; "root" is not/);
    await refusedUnchanged(ctx, () => addOfficer(ctx, '赵强', 'Admin'), 'invalid_role');
    await refusedUnchanged(ctx, () => addOfficer(ctx, '赵强', 'officer', { days: 0 }), 'invalid_period', /1 to 30 days; 0 is not/);
    await refusedUnchanged(ctx, () => addOfficer(ctx, '赵强', 'officer', { days: 31 }), 'invalid_period', /1 to 30 days; 31 is not/);
    await refusedUnchanged(ctx, () => addOfficer(ctx, '赵强', 'officer', { days: 1.5 }), 'invalid_period');
    // A disabled officer's name stays taken.
    await disableOfficer(ctx, 'Li Na');
    await refusedUnchanged(ctx, () => addOfficer(ctx, 'Li Na'), 'officer_exists', /disabled at .*choose another name/);
    ctx.registry.close();
  });
});

describe('completeOfficerSetup', () => {
  it('the right code, as typed, sets the password once; the officer then signs in; the audit names the officer as actor', async () => {
    const ctx = await apiRegistry();
    const { setupCode } = await addOfficer(ctx, '王海');
    expect(officerForSignIn(ctx.registry.db, '王海')).toBeUndefined();
    const later = new Date(now.getTime() + 3_600_000);
    // Lower case, spaces for dashes, O for 0: as read off a screen.
    const typed = setupCode.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o');
    const officer = await completeOfficerSetup(as(ctx, 'anyone', later), ' 王海 ', typed, passwordHash);
    expect(officer).toMatchObject({ name: '王海', passwordHash, setupCodeHash: null, setupExpiresAt: null, updatedAt: later.toISOString() });
    expect(officerSummary(officer, later).state).toBe('active');

    const signIn = officerForSignIn(ctx.registry.db, '王海 ');
    expect(signIn?.name).toBe('王海');
    expect(await verifyPassword('correct horse battery staple 青岛', signIn!.passwordHash)).toBe(true);
    expect(officerForSignIn(ctx.registry.db, '王')).toBeUndefined();
    expect(officerForSignIn(ctx.registry.db, 42)).toBeUndefined();

    const audit = listAudit(ctx.registry.db, { subject: 'officer:王海' });
    expect(audit.map((e) => [e.actor, e.action])).toEqual([
      ['test-officer', 'officer.add'],
      ['officer:王海', 'officer.setup'],
    ]);
    expect(audit[1]).toMatchObject({ at: later.toISOString(), after: { name: '王海', role: 'officer', state: 'active' } });
    expect(JSON.stringify(audit)).not.toContain(passwordHash.split('$')[5]);
    expect(JSON.stringify(audit)).not.toContain(activationCodeHash(setupCode)!);

    // Used: the same code no longer works.
    await refusedUnchanged(ctx, () => completeOfficerSetup(as(ctx, 'anyone', later), '王海', setupCode, passwordHash), 'setup_code', /do not match an open set-up/);
    ctx.registry.close();
  });

  it('refuses a wrong, malformed or expired code, an unknown or disabled officer, changing nothing', async () => {
    const ctx = await apiRegistry();
    const { setupCode } = await addOfficer(ctx, '孙丽', 'officer', { days: 2 });
    const other = await addOfficer(ctx, '周平');
    const cases: [unknown, unknown][] = [
      ['孙丽', other.setupCode], // another officer's code
      ['孙丽', '0000-0000-0000-0000-0000'],
      ['孙丽', 'not a code'],
      ['孙丽', setupCode.slice(0, -1)],
      ['孙丽', 12345],
      ['孙丽', ''],
      ['nobody', setupCode],
      ['\u202e孙丽', setupCode],
      [undefined, setupCode],
    ];
    for (const [name, code] of cases) await refusedUnchanged(ctx, () => completeOfficerSetup(ctx, name, code, passwordHash), 'setup_code', /do not match an open set-up/);

    // Expired: just at the expiry instant, and after it.
    const expiry = now.getTime() + 2 * DAY_MS;
    for (const t of [expiry, expiry + 60_000]) {
      await refusedUnchanged(ctx, () => completeOfficerSetup(as(ctx, 'x', new Date(t)), '孙丽', setupCode, passwordHash), 'setup_code', /expired at .*qdyp officer reset 孙丽/);
    }
    expect(officerSummary(getOfficer(ctx.registry.db, '孙丽')!, new Date(expiry)).setupExpired).toBe(true);
    // A minute before, it works.
    expect((await completeOfficerSetup(as(ctx, 'x', new Date(expiry - 60_000)), '孙丽', setupCode, passwordHash)).passwordHash).toBe(passwordHash);

    await disableOfficer(ctx, '周平', '调岗');
    await refusedUnchanged(ctx, () => completeOfficerSetup(ctx, '周平', other.setupCode, passwordHash), 'setup_code');

    // The console asks the same before it hashes a password: true only where set-up would work.
    const fourth = await addOfficer(ctx, '郑敏', 'officer', { days: 1 });
    expect(officerSetupCodeValid(ctx.registry.db, '郑敏', fourth.setupCode.toLowerCase(), now)).toBe(true);
    for (const [name, code] of [...cases, ['周平', other.setupCode], ['孙丽', setupCode]] as [unknown, unknown][]) {
      expect(officerSetupCodeValid(ctx.registry.db, name, code, now), `${String(name)} ${String(code)}`).toBe(false);
    }
    expect(officerSetupCodeValid(ctx.registry.db, '郑敏', fourth.setupCode, new Date(now.getTime() + DAY_MS))).toBe(false);

    // The console's hash, never typed: anything else is a bug, not a refusal.
    const third = await addOfficer(ctx, '吴军');
    await expect(completeOfficerSetup(ctx, '吴军', third.setupCode, 'hunter2')).rejects.toThrow(/unrecognised password hash/);
    expect(getOfficer(ctx.registry.db, '吴军')!.passwordHash).toBeNull();
    ctx.registry.close();
  });
});

describe('resetOfficer, disableOfficer and sign-in', () => {
  it('a reset voids the password and the old code and gives a new one; a disable ends sign-in and set-up', async () => {
    const ctx = await apiRegistry();
    const first = await addOfficer(ctx, '钱伟', 'admin');
    await completeOfficerSetup(ctx, '钱伟', first.setupCode, passwordHash);
    expect(officerForSignIn(ctx.registry.db, '钱伟')).toBeDefined();

    const later = new Date(now.getTime() + DAY_MS);
    const reset = await resetOfficer(as(ctx, 'admin-li', later), '钱伟', { days: 3 });
    expect(reset.setupCode).toMatch(CODE);
    expect(reset.setupCode).not.toBe(first.setupCode);
    expect(reset.expiresAt).toBe(new Date(later.getTime() + 3 * DAY_MS).toISOString());
    expect(reset.officer).toMatchObject({ name: '钱伟', role: 'admin', passwordHash: null, setupCodeHash: activationCodeHash(reset.setupCode), updatedAt: later.toISOString() });
    expect(officerForSignIn(ctx.registry.db, '钱伟')).toBeUndefined();
    // The password hash a session was made with is gone: a rehash cannot bring it back.
    expect(setOfficerPasswordHash(ctx.registry.db, '钱伟', passwordHash, await hashPassword('another long password 2026'))).toBe(false);
    await refusedUnchanged(ctx, () => completeOfficerSetup(as(ctx, 'x', later), '钱伟', first.setupCode, passwordHash), 'setup_code');
    await completeOfficerSetup(as(ctx, 'x', later), '钱伟', reset.setupCode, passwordHash);
    expect(officerForSignIn(ctx.registry.db, '钱伟')).toBeDefined();

    const disabled = await disableOfficer(as(ctx, 'admin-li', later), '钱伟', '离职');
    expect(disabled).toMatchObject({ disabledAt: later.toISOString(), setupCodeHash: null });
    expect(officerSummary(disabled, later).state).toBe('disabled');
    expect(officerForSignIn(ctx.registry.db, '钱伟')).toBeUndefined();
    expect(setOfficerPasswordHash(ctx.registry.db, '钱伟', passwordHash, await hashPassword('another long password 2026'))).toBe(false);

    await refusedUnchanged(ctx, () => disableOfficer(ctx, '钱伟'), 'invalid_transition', /already disabled at/);
    await refusedUnchanged(ctx, () => resetOfficer(ctx, '钱伟'), 'invalid_transition', /disabled .*cannot be reset/);
    await refusedUnchanged(ctx, () => disableOfficer(ctx, 'nobody'), 'unknown_officer', /no officer "nobody"/);
    await refusedUnchanged(ctx, () => resetOfficer(ctx, 'nobody'), 'unknown_officer');
    await refusedUnchanged(ctx, () => disableOfficer(ctx, '钱伟\u200b'), 'invalid_text', /U\+200B/);
    await refusedUnchanged(ctx, () => resetOfficer(ctx, '钱伟', { days: 31 }), 'invalid_period');

    const audit = listAudit(ctx.registry.db, { subject: 'officer:钱伟' });
    expect(audit.map((e) => [e.actor, e.action, e.reason])).toEqual([
      ['test-officer', 'officer.add', null],
      ['officer:钱伟', 'officer.setup', null],
      ['admin-li', 'officer.reset', null],
      ['officer:钱伟', 'officer.setup', null],
      ['admin-li', 'officer.disable', '离职'],
    ]);
    expect(audit[2]).toMatchObject({ before: { state: 'active' }, after: { state: 'awaiting_setup' } });
    expect(audit[4]).toMatchObject({ before: { state: 'active' }, after: { state: 'disabled', disabledAt: later.toISOString() } });
    const bytes = registryBytes(ctx);
    for (const code of [first.setupCode, reset.setupCode]) expect(bytes).not.toContain(code.replace(/-/g, ''));
    const auditText = JSON.stringify(listAudit(ctx.registry.db));
    for (const secret of [activationCodeHash(first.setupCode)!, activationCodeHash(reset.setupCode)!, passwordHash.split('$')[4]!, passwordHash.split('$')[5]!]) {
      expect(auditText).not.toContain(secret);
    }
    ctx.registry.close();
  });

  it('a rehash replaces the hash it was given, without an audit event or a new updatedAt', async () => {
    const ctx = await apiRegistry();
    const { setupCode } = await addOfficer(ctx, '赵强');
    await completeOfficerSetup(ctx, '赵强', setupCode, passwordHash);
    const events = listAudit(ctx.registry.db).length;
    const updatedAt = getOfficer(ctx.registry.db, '赵强')!.updatedAt;
    const rehashed = await hashPassword('correct horse battery staple 青岛');
    expect(setOfficerPasswordHash(ctx.registry.db, '赵强', 'scrypt$1$1$1$x$y', rehashed)).toBe(false);
    expect(setOfficerPasswordHash(ctx.registry.db, '赵强', passwordHash, rehashed)).toBe(true);
    expect(getOfficer(ctx.registry.db, '赵强')).toMatchObject({ passwordHash: rehashed, updatedAt });
    expect(() => setOfficerPasswordHash(ctx.registry.db, '赵强', rehashed, 'plain text')).toThrow(/unrecognised password hash/);
    expect(listAudit(ctx.registry.db)).toHaveLength(events);
    ctx.registry.close();
  });

  it('the schema keeps every officer row, fixes the name, knows the roles and takes only hashes', async () => {
    const ctx = await apiRegistry();
    await addOfficer(ctx, '王芳');
    const db = ctx.registry.db;
    expect(() => db.prepare('DELETE FROM officers').run()).toThrow(/disable instead/);
    expect(() => db.prepare(`UPDATE officers SET name = 'someone else'`).run()).toThrow(/does not change/);
    expect(() => db.prepare(`UPDATE officers SET role = 'root'`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE officers SET password_hash = 'hunter2'`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE officers SET setup_code_hash = 'ABCD-EFGH'`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE officers SET setup_expires_at = NULL`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`INSERT INTO officers (name, role, created_at, updated_at) VALUES (' x', 'clerk', 'a', 'a')`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`INSERT INTO officers (name, role, created_at, updated_at) VALUES (?, 'clerk', 'a', 'a')`).run('x'.repeat(65))).toThrow(/CHECK/);
    ctx.registry.close();
  });
});

describe('bulk revocations', () => {
  async function withLicences(count: number): Promise<{ ctx: IssuerContext; numbers: string[] }> {
    const ctx = await apiRegistry();
    await addHolder(ctx, { uscc: USCC.a, name: '青岛海滨食品有限公司' });
    const numbers: string[] = [];
    for (let i = 0; i < count; i++) {
      numbers.push((await issueLicence(ctx, { holder: USCC.a, tier: 'product', sector: 'marine', products: [`海参${i}`], validUntil: '2028-12-31' })).number);
    }
    return { ctx, numbers };
  }

  it('more than three at once takes a second officer', () => {
    expect(BULK_REVOKE_LIMIT).toBe(3);
    expect([1, 2, 3, 4, 100].map(needsSecondOfficer)).toEqual([false, false, false, true, true]);
  });

  it('a request stores the numbers once each and revokes nothing; the requester cannot confirm it; another officer does, as actor of every revocation', async () => {
    const { ctx, numbers } = await withLicences(6);
    const zhang = as(ctx, 'officer:张伟');
    const li = as(ctx, 'officer:李娜', new Date(now.getTime() + 3_600_000));
    await suspendLicence(ctx, numbers[1]!, '整改中');
    const requested = await requestBulkRevocation(zhang, [numbers[0], numbers[1]!.toLowerCase(), ` ${numbers[2]} `, numbers[3], numbers[0], numbers[4]], '企业注销，授权一并撤销');
    expect(requested).toEqual({
      id: expect.any(Number),
      requestedBy: 'officer:张伟',
      requestedAt: now.toISOString(),
      reason: '企业注销，授权一并撤销',
      numbers: numbers.slice(0, 5),
      state: 'pending',
      decidedBy: null,
      decidedAt: null,
      outcome: null,
    });
    for (const n of numbers.slice(0, 5)) expect(getLicence(ctx.registry.db, n)!.status).not.toBe('revoked');
    const subject = `bulk:${requested.id}`;
    expect(listAudit(ctx.registry.db, { subject })).toMatchObject([
      { actor: 'officer:张伟', action: 'bulk_revoke.request', reason: '企业注销，授权一并撤销', after: { id: requested.id, numbers: numbers.slice(0, 5) } },
    ]);
    expect(listBulkRevocations(ctx.registry.db, { state: 'pending' }).map((b) => b.id)).toEqual([requested.id]);

    const same = await refusedUnchanged(ctx, () => confirmBulkRevocation(zhang, requested.id), 'same_officer');
    expect(same.message).toBe('a second officer must confirm a bulk revocation; it was requested by you');

    // Revoked meanwhile, on its own: skipped.
    await revokeLicence(ctx, numbers[3]!, '单独撤销');
    const done = await confirmBulkRevocation(li, String(requested.id));
    expect(done).toMatchObject({ id: requested.id, state: 'done', decidedBy: 'officer:李娜', decidedAt: li.now.toISOString() });
    expect(done.outcome).toEqual({
      revoked: 4,
      alreadyRevoked: 1,
      refused: 0,
      licences: [
        { number: numbers[0], result: 'revoked' },
        { number: numbers[1], result: 'revoked' },
        { number: numbers[2], result: 'revoked' },
        { number: numbers[3], result: 'already_revoked' },
        { number: numbers[4], result: 'revoked' },
      ],
    });
    expect(getBulkRevocation(ctx.registry.db, requested.id)).toEqual(done);
    for (const n of [numbers[0], numbers[1], numbers[2], numbers[4]]) {
      expect(getLicence(ctx.registry.db, n!)).toMatchObject({ status: 'revoked', statusReason: '企业注销，授权一并撤销', statusChangedAt: li.now.toISOString() });
      expect(listAudit(ctx.registry.db, { subject: n! }).filter((e) => e.action === 'licence.revoke')).toMatchObject([{ actor: 'officer:李娜', reason: '企业注销，授权一并撤销' }]);
    }
    expect(getLicence(ctx.registry.db, numbers[3]!)).toMatchObject({ status: 'revoked', statusReason: '单独撤销' });
    expect(getLicence(ctx.registry.db, numbers[5]!)!.status).toBe('valid');
    expect(listAudit(ctx.registry.db, { subject }).map((e) => [e.actor, e.action])).toEqual([
      ['officer:张伟', 'bulk_revoke.request'],
      ['officer:李娜', 'bulk_revoke.start'],
      ['officer:李娜', 'bulk_revoke.confirm'],
    ]);
    expect(listAudit(ctx.registry.db, { subject }).at(-1)).toMatchObject({ after: { state: 'done', outcome: done.outcome } });

    // Done is final: not again, not cancelled, not by anyone.
    await refusedUnchanged(ctx, () => confirmBulkRevocation(as(ctx, 'officer:王芳'), requested.id), 'invalid_transition', /not pending: it was confirmed by officer:李娜/);
    await refusedUnchanged(ctx, () => cancelBulkRevocation(zhang, requested.id), 'invalid_transition', /not pending/);
    expect(() => ctx.registry.db.prepare(`UPDATE bulk_revocations SET state = 'pending'`).run()).toThrow(/final/);
    expect(() => ctx.registry.db.prepare('DELETE FROM bulk_revocations').run()).toThrow(/kept/);
    ctx.registry.close();
  });

  it('refuses a request naming unknown, malformed or revoked licences (listing which), or without a reason, changing nothing', async () => {
    const { ctx, numbers } = await withLicences(4);
    await revokeLicence(ctx, numbers[2]!, '冒用标识');
    const unknown = await refusedUnchanged(ctx, () => requestBulkRevocation(ctx, [numbers[0], 'QDYP-2026-999999', 'nonsense', numbers[2]], '注销'), 'unknown_licence');
    expect(unknown.message).toContain('not licence numbers (QDYP-YYYY-NNNNNN): "nonsense"');
    expect(unknown.message).toContain('no such licence in the registry: QDYP-2026-999999');
    expect(unknown.message).toContain(`already revoked: ${numbers[2]}`);
    expect(unknown.message).not.toContain(numbers[0]);
    const revoked = await refusedUnchanged(ctx, () => requestBulkRevocation(ctx, [numbers[0], numbers[2], numbers[1]], '注销'), 'invalid_transition');
    expect(revoked.message).toMatch(new RegExp(`^the bulk revocation was not requested; already revoked: ${numbers[2]}\\.`));
    await refusedUnchanged(ctx, () => requestBulkRevocation(ctx, [numbers[0]], ''), 'invalid_text', /a reason is required/);
    await refusedUnchanged(ctx, () => requestBulkRevocation(ctx, [numbers[0]], undefined), 'invalid_text', /a reason is required/);
    await refusedUnchanged(ctx, () => requestBulkRevocation(ctx, [numbers[0]], 'a\u202eb'), 'invalid_text', /U\+202E/);
    await refusedUnchanged(ctx, () => requestBulkRevocation(ctx, [], '注销'), 'invalid_list');
    await refusedUnchanged(ctx, () => requestBulkRevocation(ctx, 'QDYP' as unknown as unknown[], '注销'), 'invalid_list');
    await refusedUnchanged(ctx, () => requestBulkRevocation(ctx, Array(1001).fill(numbers[0]), '注销'), 'invalid_list', /at most 1000/);
    ctx.registry.close();
  });

  it('cancel: pending to cancelled, final; unknown ids and ids that are not ids refused', async () => {
    const { ctx, numbers } = await withLicences(4);
    const bulk = await requestBulkRevocation(as(ctx, 'officer:张伟'), numbers, '批次有误');
    const cancelled = await cancelBulkRevocation(as(ctx, 'officer:张伟'), `bulk:${bulk.id}`, '名单有误');
    expect(cancelled).toMatchObject({ state: 'cancelled', decidedBy: 'officer:张伟', decidedAt: now.toISOString(), outcome: null });
    for (const n of numbers) expect(getLicence(ctx.registry.db, n)!.status).toBe('valid');
    expect(listAudit(ctx.registry.db, { subject: `bulk:${bulk.id}` }).map((e) => [e.actor, e.action, e.reason])).toEqual([
      ['officer:张伟', 'bulk_revoke.request', '批次有误'],
      ['officer:张伟', 'bulk_revoke.cancel', '名单有误'],
    ]);
    expect(listBulkRevocations(ctx.registry.db, { state: 'pending' })).toEqual([]);
    expect(listBulkRevocations(ctx.registry.db, { state: 'cancelled' }).map((b) => b.id)).toEqual([bulk.id]);
    await refusedUnchanged(ctx, () => confirmBulkRevocation(as(ctx, 'officer:李娜'), bulk.id), 'invalid_transition', /not pending: it was cancelled by officer:张伟/);
    await refusedUnchanged(ctx, () => cancelBulkRevocation(ctx, bulk.id), 'invalid_transition', /not pending/);
    await refusedUnchanged(ctx, () => confirmBulkRevocation(ctx, 999), 'unknown_bulk_revocation', /no bulk revocation 999/);
    await refusedUnchanged(ctx, () => cancelBulkRevocation(ctx, 999), 'unknown_bulk_revocation');
    for (const id of [0, -1, 1.5, 'one', '', null]) await refusedUnchanged(ctx, () => confirmBulkRevocation(ctx, id), 'unknown_bulk_revocation', /is not a bulk revocation id/);
    ctx.registry.close();
  });

  it('a confirmation cut short cannot be cancelled and is finished by confirming again', async () => {
    const { ctx, numbers } = await withLicences(5);
    const bulk = await requestBulkRevocation(as(ctx, 'officer:张伟'), numbers, '企业注销');
    // As a crash after the first revocation would leave it.
    startBulkRevocationRow(ctx.registry.db, bulk.id, 'officer:李娜', now.toISOString());
    await revokeLicence(as(ctx, 'officer:李娜'), numbers[0]!, '企业注销');
    await refusedUnchanged(ctx, () => cancelBulkRevocation(as(ctx, 'officer:张伟'), bulk.id), 'invalid_transition', /being confirmed by officer:李娜.*confirm it again/);
    await refusedUnchanged(ctx, () => confirmBulkRevocation(as(ctx, 'officer:张伟'), bulk.id), 'same_officer');
    // While it may still be running, nobody else starts it a second time …
    await refusedUnchanged(ctx, () => confirmBulkRevocation(as(ctx, 'officer:王芳'), bulk.id), 'conflict', /being confirmed by officer:李娜/);
    // … and once it has been still for longer than a confirmation takes, another officer finishes it.
    const done = await confirmBulkRevocation({ ...as(ctx, 'officer:王芳'), now: new Date(now.getTime() + BULK_CONFIRM_STALE_MS) }, bulk.id);
    expect(done).toMatchObject({ state: 'done', decidedBy: 'officer:王芳', outcome: { revoked: 4, alreadyRevoked: 1, refused: 0 } });
    for (const n of numbers) expect(getLicence(ctx.registry.db, n)!.status).toBe('revoked');
    ctx.registry.close();
  });

  it('revokeLicences revokes up to three at once, each as the officer, reporting any refused; more takes a second officer', async () => {
    const { ctx, numbers } = await withLicences(5);
    const zhang = as(ctx, 'officer:张伟');
    await revokeLicence(ctx, numbers[1]!, '冒用标识');
    const outcome = await revokeLicences(zhang, [numbers[0]!, numbers[1]!, numbers[2]!, numbers[0]!], '企业注销');
    expect(outcome.revoked).toEqual([numbers[0], numbers[2]]);
    expect(outcome.refused).toEqual([{ number: numbers[1], message: expect.stringMatching(/cannot be revoked: it is already revoked/) }]);
    for (const n of [numbers[0]!, numbers[2]!]) {
      expect(getLicence(ctx.registry.db, n)).toMatchObject({ status: 'revoked', statusReason: '企业注销' });
      expect(listAudit(ctx.registry.db, { subject: n }).filter((e) => e.action === 'licence.revoke')).toMatchObject([{ actor: 'officer:张伟', reason: '企业注销' }]);
    }

    // Four at once is a bulk revocation: refused whole, nothing revoked.
    const four = [numbers[2]!, numbers[3]!, numbers[4]!, 'QDYP-2026-999999'];
    await refusedUnchanged(ctx, () => revokeLicences(zhang, four, '企业注销'), 'invalid_list', /at most 3 licences can be revoked at once; 4 were given: request a bulk revocation .*second officer/);
    await refusedUnchanged(ctx, () => revokeLicences(zhang, [], '企业注销'), 'invalid_list');
    await refusedUnchanged(ctx, () => revokeLicences(zhang, [numbers[3]!], ''), 'invalid_text', /a reason is required/);
    ctx.registry.close();
  });

  it('the schema never lets the requester be the one who confirms', async () => {
    const { ctx, numbers } = await withLicences(1);
    const bulk = await requestBulkRevocation(as(ctx, 'officer:张伟'), numbers, '注销');
    const db = ctx.registry.db;
    expect(() => db.prepare(`UPDATE bulk_revocations SET state = 'done', decided_by = requested_by, decided_at = 'x', outcome = '{}'`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE bulk_revocations SET decided_by = requested_by, decided_at = 'x'`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE bulk_revocations SET state = 'done'`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE bulk_revocations SET numbers = '[]'`).run()).toThrow(/does not change/);
    expect(() => db.prepare(`INSERT INTO bulk_revocations (requested_by, requested_at, reason, numbers) VALUES ('a', 'b', 'c', '[]')`).run()).toThrow(/CHECK/);
    expect(getBulkRevocation(db, bulk.id)!.state).toBe('pending');
    ctx.registry.close();
  });
});

describe('migration 7: officers and bulk revocations', () => {
  it('a version-6 registry migrates in place, its data untouched, with empty tables', async () => {
    const ctx = await apiRegistry();
    await addHolder(ctx, { uscc: USCC.a, name: '青岛海滨食品有限公司' });
    await issueLicence(ctx, { holder: USCC.a, tier: 'product', sector: 'marine', products: ['海参'], validUntil: '2028-12-31' });
    ctx.registry.close();
    const raw = new Database(ctx.registry.dbPath);
    revertLogSchema(raw);
    raw.exec('DROP TABLE officers; DROP TABLE bulk_revocations');
    raw.exec('DELETE FROM schema_migrations WHERE version > 6');
    raw.close();
    const v6 = withoutLogSchema(dumpTables(ctx.registry.dbPath));
    const registry = openRegistry(ctx.registry.dbPath, { now: ctx.now });
    expect(schemaVersion(registry.db)).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(7);
    const migrated = withoutLogSchema(dumpTables(ctx.registry.dbPath)) as Record<string, { rows: unknown[] }>;
    for (const table of Object.keys(v6).filter((t) => t !== 'schema_migrations' && t !== '(schema)')) expect(migrated[table], table).toEqual(v6[table]);
    expect(migrated.officers!.rows).toEqual([]);
    expect(migrated.bulk_revocations!.rows).toEqual([]);
    const next = { registry, now: ctx.now, actor: 'test-officer' };
    expect((await addOfficer(next, '王海')).officer.name).toBe('王海');
    registry.close();
  });
});

