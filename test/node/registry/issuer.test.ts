import fs from 'node:fs';
import path from 'node:path';
import { compactVerify, decodeJwt, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { buildTrustContext, generateKeyPair, parseSeal, publicJwk, rootTrust, verifySeal, type Outcome } from '../../../src/core/index.ts';
import { trustFromEdge } from '../../../src/node/edge-store.ts';
import {
  addHolder,
  compromiseKey,
  issueLicence,
  issueLicences,
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
import { readPrivateKey } from '../../../src/node/key-files.ts';
import { publishLocal } from '../../../src/node/publish.ts';
import { listAudit } from '../../../src/node/registry/audit.ts';
import { readConfig } from '../../../src/node/registry/config.ts';
import { findKey, listKeys } from '../../../src/node/registry/keys.ts';
import { getLicence, listPeriods } from '../../../src/node/registry/licences.ts';
import { apiRegistry, dumpTables, USCC } from '../support.ts';

const base: IssueInput = { holder: USCC.a, tier: 'product', sector: 'agriculture', chain: '食品饮料', products: ['海参礼盒'], trademarks: ['海滨'], validUntil: '2028-12-31' };

async function withHolder(): Promise<IssuerContext & { dir: string }> {
  const ctx = await apiRegistry();
  await addHolder(ctx, { uscc: USCC.a, name: '青岛海滨食品有限公司', address: '青岛市黄岛区', region: '370211' });
  return ctx;
}

async function verdict(ctx: IssuerContext, seal: string, at = ctx.now): Promise<Outcome> {
  await publishLocal(ctx.registry, ctx.now);
  const root = await rootTrust(readConfig(ctx.registry.db).rootJwk);
  const trust = await trustFromEdge(ctx.registry.edgeDir, { root, clock: () => at });
  return (await verifySeal(seal, at, trust)).code;
}

async function refusedUnchanged(ctx: IssuerContext, action: () => Promise<unknown>, code: string): Promise<void> {
  const before = dumpTables(ctx.registry.dbPath);
  await expect(action()).rejects.toMatchObject({ name: 'RefusedError', code });
  expect(dumpTables(ctx.registry.dbPath)).toEqual(before);
}

describe('issuing', () => {
  it('gives a number, serial, seal and signed licence document, with an audit event', async () => {
    const ctx = await withHolder();
    const licence = await issueLicence(ctx, base);
    expect(licence).toMatchObject({ number: 'QDYP-2026-000001', serial: 1, status: 'valid', validFrom: '2026-11-27', validUntil: '2028-12-31', region: '370211' });
    const key = findKey(ctx.registry.db, licence.sealKid)!;
    expect(parseSeal(licence.seal)).toMatchObject({ serial: 1, sid: key.sid, horizon: key.verifyUntil });

    const { payload, protectedHeader } = await compactVerify(licence.document, await importJWK(key.jwk, 'EdDSA'));
    expect(protectedHeader).toMatchObject({ typ: 'qdyp-licence+jwt', kid: key.kid });
    const claims = JSON.parse(new TextDecoder().decode(payload));
    expect(claims).toMatchObject({
      number: 'QDYP-2026-000001',
      holder: { name: '青岛海滨食品有限公司', uscc: USCC.a },
      products: ['海参礼盒'],
      status: { status_list: { idx: 1, uri: 'https://v.qdyp.cn/api/v1/status-list' } },
    });
    expect(listAudit(ctx.registry.db, { subject: licence.number })).toMatchObject([{ action: 'licence.issue', actor: 'test-officer' }]);
    expect(await verdict(ctx, licence.seal)).toBe('authorized');
  });

  it('numbers licences by the year of issue in Beijing, serials across years', async () => {
    const ctx = await withHolder();
    await issueLicence(ctx, base);
    // 2026-12-31T16:30Z is already 2027-01-01 in Beijing.
    const next = await issueLicence({ ...ctx, now: new Date('2026-12-31T16:30:00Z') }, base);
    expect(next).toMatchObject({ number: 'QDYP-2027-000001', serial: 2, validFrom: '2027-01-01' });
  });

  it('gives concurrent issues distinct serials and numbers', async () => {
    const ctx = await withHolder();
    const issued = await Promise.all(Array.from({ length: 6 }, (_, i) => issueLicence(ctx, { ...base, products: [`产品${i}`] })));
    expect(issued.map((l) => l.serial).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(issued.map((l) => l.number)).size).toBe(6);
    for (const l of issued) expect(parseSeal(l.seal)!.serial).toBe(l.serial);
  });

  it('computes --valid-days from the first day and refuses a period that ends before it starts', async () => {
    const ctx = await withHolder();
    const licence = await issueLicence(ctx, { ...base, validUntil: undefined, validFrom: '2027-01-01', validDays: 365 });
    expect([licence.validFrom, licence.validUntil]).toEqual(['2027-01-01', '2027-12-31']);
    await refusedUnchanged(ctx, () => issueLicence(ctx, { ...base, validFrom: '2027-01-02', validUntil: '2027-01-01' }), 'invalid_period');
    await refusedUnchanged(ctx, () => issueLicence(ctx, { ...base, validUntil: '2070-01-01' }), 'invalid_period');
    await refusedUnchanged(ctx, () => issueLicence(ctx, { ...base, validUntil: '2027-02-30' }), 'invalid_date');
  });

  it('issues a chunk all or nothing, and a (batch, ref) only once', async () => {
    const ctx = await withHolder();
    const row = (ref: string, extra: Partial<IssueInput> = {}): IssueInput => ({ ...base, batch: '2024', ref, ...extra });
    await refusedUnchanged(ctx, () => issueLicences(ctx, [row('1'), row('2', { tier: 'brand' })]), 'invalid_tier');
    await refusedUnchanged(ctx, () => issueLicences(ctx, [row('1'), row('1')]), 'duplicate_reference');
    const first = await issueLicences(ctx, [row('1'), row('2')]);
    expect(first.map((r) => [r.licence.serial, r.created])).toEqual([[1, true], [2, true]]);
    const before = dumpTables(ctx.registry.dbPath);
    const again = await issueLicences(ctx, [row('1'), row('2', { products: ['changed'] })]);
    expect(again.map((r) => [r.licence.number, r.created])).toEqual([[first[0]!.licence.number, false], [first[1]!.licence.number, false]]);
    expect(dumpTables(ctx.registry.dbPath)).toEqual(before);
    const third = await issueLicences(ctx, [row('2'), row('3')]);
    expect(third.map((r) => [r.licence.serial, r.created])).toEqual([[2, false], [3, true]]);
  });

  it('refuses when the active key may no longer sign', async () => {
    const ctx = await withHolder();
    const late = { ...ctx, now: new Date('2029-01-01T04:00:00Z') };
    await refusedUnchanged(late, () => issueLicence(late, { ...base, validUntil: '2030-12-31' }), 'key_not_signing');
  });
});

describe('the lifecycle', () => {
  it('issue → suspend ⇄ reinstate → revoke, final; each refused step changes nothing', async () => {
    const ctx = await withHolder();
    const { number, seal } = await issueLicence(ctx, base);
    await refusedUnchanged(ctx, () => reinstateLicence(ctx, number, 'not suspended'), 'invalid_transition');
    await refusedUnchanged(ctx, () => suspendLicence(ctx, number, ''), 'invalid_text');
    expect(await suspendLicence(ctx, number, '抽检不合格')).toMatchObject({ status: 'suspended', statusReason: '抽检不合格' });
    expect(await verdict(ctx, seal)).toBe('suspended');
    await refusedUnchanged(ctx, () => suspendLicence(ctx, number, 'twice'), 'invalid_transition');
    await reinstateLicence(ctx, number, '整改完成');
    expect(await verdict(ctx, seal)).toBe('authorized');
    await revokeLicence(ctx, number, '冒用');
    expect(await verdict(ctx, seal)).toBe('revoked');
    await refusedUnchanged(ctx, () => revokeLicence(ctx, number, 'again'), 'invalid_transition');
    await refusedUnchanged(ctx, () => reinstateLicence(ctx, number, 'undo'), 'invalid_transition');
    await refusedUnchanged(ctx, () => renewLicence(ctx, number, { validUntil: '2030-01-01' }), 'invalid_transition');
    await refusedUnchanged(ctx, () => updateLicence(ctx, number, { products: ['x'] }), 'invalid_transition');
    await refusedUnchanged(ctx, () => suspendLicence(ctx, 'QDYP-2026-999999', 'none'), 'unknown_licence');
    expect(listAudit(ctx.registry.db, { subject: number }).map((e) => e.action)).toEqual(['licence.issue', 'licence.suspend', 'licence.reinstate', 'licence.revoke']);
  });

  it('renew keeps serial and seal, records the period history and re-signs the document', async () => {
    const ctx = await withHolder();
    const issued = await issueLicence(ctx, { ...base, validUntil: '2027-03-31' });
    const june = { ...ctx, now: new Date('2027-06-01T04:00:00Z') };
    expect(await verdict(june, issued.seal)).toBe('expired');
    const renewed = await renewLicence({ ...ctx, now: new Date('2026-12-01T00:00:00Z') }, issued.number, { validUntil: '2027-12-31' }, '续期');
    expect(renewed).toMatchObject({ serial: issued.serial, seal: issued.seal, validFrom: '2026-11-27', validUntil: '2027-12-31' });
    expect(decodeJwt(renewed.document)).toMatchObject({ validUntil: '2027-12-31' });
    expect(listPeriods(ctx.registry.db, issued.serial)).toEqual([
      { validFrom: '2026-11-27', validUntil: '2027-03-31', recordedAt: '2026-11-27T04:00:00.000Z' },
      { validFrom: '2026-11-27', validUntil: '2027-12-31', recordedAt: '2026-12-01T00:00:00.000Z' },
    ]);
    // Past the old end, the same seal is authorized under the new period.
    expect(await verdict(june, issued.seal)).toBe('authorized');
    await refusedUnchanged(ctx, () => renewLicence(ctx, issued.number, { validUntil: '2027-12-31' }), 'nothing_to_change');
    await refusedUnchanged(ctx, () => renewLicence(ctx, issued.number, { validUntil: '2026-01-01' }), 'invalid_period');
  });

  it('update replaces the lists it names and keeps the seal', async () => {
    const ctx = await withHolder();
    const issued = await issueLicence(ctx, { ...base, products: ['a', 'b'], trademarks: ['t'] });
    const updated = await updateLicence(ctx, issued.number, { products: ['c'], chain: '' });
    expect(updated).toMatchObject({ seal: issued.seal, products: ['c'], trademarks: ['t'], chain: null });
    expect(decodeJwt(updated.document)).toMatchObject({ products: ['c'], chain: null });
    expect(await verdict(ctx, issued.seal)).toBe('authorized');
    await refusedUnchanged(ctx, () => updateLicence(ctx, issued.number, { products: ['c'] }), 'nothing_to_change');
    await refusedUnchanged(ctx, () => updateLicence(ctx, issued.number, { region: '999999' }), 'invalid_region');
    await refusedUnchanged(ctx, () => updateLicence(ctx, issued.number, { products: [] }), 'invalid_list');
  });

  it("a holder's new name reaches the register and re-signs its licence documents", async () => {
    const ctx = await withHolder();
    const issued = await issueLicence(ctx, base);
    await updateHolder(ctx, USCC.a, { name: '青岛海滨食品集团有限公司' });
    const after = getLicence(ctx.registry.db, issued.number)!;
    expect(after.holder.name).toBe('青岛海滨食品集团有限公司');
    expect(after.seal).toBe(issued.seal);
    expect(decodeJwt(after.document)).toMatchObject({ holder: { name: '青岛海滨食品集团有限公司' } });
    await refusedUnchanged(ctx, () => updateHolder(ctx, USCC.a, { name: '青岛海滨食品集团有限公司' }), 'nothing_to_change');
    await refusedUnchanged(ctx, () => updateHolder(ctx, USCC.b, { name: 'x' }), 'unknown_holder');
  });
});

describe('keys', () => {
  it('rotate: the new key signs, the retired key signs nothing new, its seals keep verifying', async () => {
    const ctx = await withHolder();
    const old = await issueLicence(ctx, base);
    const root = readPrivateKey(path.join(ctx.registry.keysDir, 'root.jwk'));
    const { active, retired, keyListVersion } = await rotateKey(ctx, root, '年度轮换');
    expect(keyListVersion).toBe(2);
    expect(retired).toMatchObject({ kid: old.sealKid, status: 'retired' });
    expect(fs.statSync(path.join(ctx.registry.keysDir, `${active.kid}.jwk`)).mode & 0o777).toBe(0o600);
    const fresh = await issueLicence(ctx, base);
    expect(fresh.sealKid).toBe(active.kid);
    expect(await verdict(ctx, old.seal)).toBe('authorized');
    expect(await verdict(ctx, fresh.seal)).toBe('authorized');
  });

  it('compromise: its seals fail, a new active key is made, reseal gives a seal that verifies', async () => {
    const ctx = await withHolder();
    const a = await issueLicence(ctx, base);
    const b = await issueLicence(ctx, base);
    await revokeLicence(ctx, b.number, '冒用');
    const root = readPrivateKey(path.join(ctx.registry.keysDir, 'root.jwk'));
    const result = await compromiseKey(ctx, a.sealKid, root, '泄露');
    expect(result.compromised.status).toBe('compromised');
    expect(result.active!.status).toBe('active');
    expect(result.toReseal.map((l) => l.number)).toEqual([a.number]); // revoked b needs no reseal
    expect(await verdict(ctx, a.seal)).toBe('key_compromised');
    const resealed = await resealLicence(ctx, a.number);
    expect(resealed.seal).not.toBe(a.seal);
    expect(resealed.sealKid).toBe(result.active!.kid);
    expect(await verdict(ctx, resealed.seal)).toBe('authorized');
    await refusedUnchanged(ctx, () => resealLicence(ctx, a.number), 'nothing_to_change');
    await refusedUnchanged(ctx, () => compromiseKey(ctx, a.sealKid, root), 'invalid_transition');
    await refusedUnchanged(ctx, () => compromiseKey(ctx, 'no-such-key', root), 'unknown_key');
  });

  it('refuses a root key that is not the registry’s, leaving no key file behind', async () => {
    const ctx = await withHolder();
    const files = fs.readdirSync(ctx.registry.keysDir).sort();
    const stranger = await generateKeyPair();
    await refusedUnchanged(ctx, () => rotateKey(ctx, stranger), 'wrong_root_key');
    expect(fs.readdirSync(ctx.registry.keysDir).sort()).toEqual(files);
    expect(listKeys(ctx.registry.db).map((k) => k.role ?? 'issue').sort()).toEqual(['issue', 'log']);
    expect(readConfig(ctx.registry.db).rootJwk).not.toEqual(publicJwk(stranger));
  });
});
