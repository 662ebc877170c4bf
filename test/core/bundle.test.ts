// The offline trust bundle: build, open, verify from its rows; refuse anything tampered.
import { base64url, decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildBundle,
  bundleKey,
  bundleRegionIncludes,
  compressBytes,
  ED25519_ENGINES,
  inflateCapped,
  MAX_BUNDLE_BYTES,
  openBundle,
  RawVerifyKey,
  rootTrust,
  signJws,
  signKeyList,
  signRevisionList,
  signStatusList,
  TYP,
  verifySeal,
  type Outcome,
  type Signer,
} from '../../src/core/index.ts';
import { bundleRows, entry, issue, newKey, newProgramme, publish, REVISION_URI, revise, STATUS_URI, T0, type Programme, type Published } from '../support/programme.ts';
import { syntheticLicences } from '../support/synthetic.ts';

const LATER = new Date(T0.getTime() + 60 * 60 * 1000);
let p: Programme;
let published: Published;
let all: Uint8Array;

const build = (region: string | null = null, programme = p, lists = published, signer: Pick<Signer, 'kid' | 'privateKey'> = programme.keys[0]!.signer, time = T0) =>
  buildBundle({ keyList: lists.keyList, statusList: lists.statusList, revisionList: lists.revisionList, rows: bundleRows(programme), region, time }, signer);

const text = async (bytes: Uint8Array) => new TextDecoder().decode(await inflateCapped(bytes, 'gzip', MAX_BUNDLE_BYTES));
const gzip = (s: string) => compressBytes([new TextEncoder().encode(s)], 'gzip');

/** A bundle from lines 3… as given, under a manifest signed here (fields overridable). */
async function assemble(body: string, signer: Pick<Signer, 'kid' | 'privateKey'>, manifest: Record<string, unknown> = {}): Promise<Uint8Array> {
  const sha256 = base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body))));
  const rows = body.split('\n').length - 4;
  const jws = await signJws({ iss: 'qdyp', iat: T0.getTime() / 1000, region: null, count: rows, sha256, ...manifest }, TYP.bundle, signer);
  return gzip(`qdyp-bundle/1\n${jws}\n${body}`);
}

async function codes(context: Parameters<typeof verifySeal>[2], time = T0, programme = p): Promise<Record<number, Outcome>> {
  const out: Record<number, Outcome> = {};
  for (const [serial, seal] of programme.seals) out[serial] = (await verifySeal(seal, time, context)).code;
  return out;
}

beforeAll(async () => {
  p = await newProgramme();
  await issue(p, 1, { region: '370211' });
  await issue(p, 2, { region: '370212', status: 'suspended', statusReason: '整改' });
  await issue(p, 3, { region: '370211', status: 'revoked', statusReason: '冒用' });
  await issue(p, 4, { region: null, validFrom: '2020-01-01', validUntil: '2025-12-31' });
  await issue(p, 5, { region: '370200', holder: { name: '青岛全市有限公司', uscc: '91370200AAAAAAAAA0', address: null } });
  await issue(p, 7, { region: '370212' });
  published = await publish(p);
  all = await build();
});

describe('bundle format', () => {
  it('is gzip of qdyp-bundle/1, the manifest, the three lists and one row a licence, by serial', async () => {
    expect([all[0], all[1]]).toEqual([0x1f, 0x8b]);
    const lines = (await text(all)).split('\n');
    expect(lines[0]).toBe('qdyp-bundle/1');
    expect(decodeProtectedHeader(lines[1]!)).toEqual({ alg: 'EdDSA', typ: 'qdyp-bundle+jwt', kid: p.keys[0]!.signer.kid });
    const manifest = decodeJwt(lines[1]!);
    expect(manifest).toMatchObject({ iss: 'qdyp', iat: T0.getTime() / 1000, region: null, count: 6 });
    expect(lines.slice(2, 5)).toEqual([published.keyList, published.statusList, published.revisionList]);
    expect(lines.at(-1)).toBe(''); // every line ends with "\n"
    const rows = lines.slice(5, -1).map((l) => JSON.parse(l) as unknown[]);
    expect(rows.map((r) => r[0])).toEqual([1, 2, 3, 4, 5, 7]);
    const e = entry(2, { region: '370212', statusReason: '整改' });
    expect(rows[1]).toEqual([2, 1, e.number, e.holder.name, e.holder.uscc, e.holder.address, e.tier, e.sector, e.chain, e.region, e.products, e.trademarks, e.validFrom, e.validUntil, '整改', e.statusChangedAt]);
    const body = new TextEncoder().encode(lines.slice(2).join('\n'));
    expect(manifest.sha256).toBe(base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', body))));
    expect([bundleKey(null), bundleKey('370211')]).toEqual(['bundle', 'bundle/370211']);
  });

  it('region bundles carry the district’s licences plus city-wide and regionless ones', async () => {
    expect(bundleRegionIncludes(null, '370211')).toBe(true);
    expect(bundleRegionIncludes('370211', '370211')).toBe(true);
    expect(bundleRegionIncludes('370211', '370212')).toBe(false);
    expect(bundleRegionIncludes('370211', null)).toBe(true);
    expect(bundleRegionIncludes('370211', '370200')).toBe(true);
    const lines = (await text(await build('370212'))).split('\n');
    expect(decodeJwt(lines[1]!)).toMatchObject({ region: '370212', count: 4 });
    expect(lines.slice(5, -1).map((l) => (JSON.parse(l) as unknown[])[0])).toEqual([2, 4, 5, 7]);
  });

  it('refuses rows it cannot write', async () => {
    const rows = [...bundleRows(p), bundleRows(p)[0]!];
    const input = { keyList: published.keyList, statusList: published.statusList, revisionList: published.revisionList, region: null, time: T0 };
    await expect(buildBundle({ ...input, rows }, p.keys[0]!.signer)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    await expect(buildBundle({ ...input, rows: [{ serial: 1, rev: 0, entry: entry(1) }] }, p.keys[0]!.signer)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    const huge = entry(1, { products: Array.from({ length: 8000 }, (_, i) => `产品${i}`) });
    await expect(buildBundle({ ...input, rows: [{ serial: 1, rev: 1, entry: huge }] }, p.keys[0]!.signer)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_TOO_LARGE' });
    await expect(buildBundle({ ...input, keyList: `${published.keyList}\n`, rows: [] }, p.keys[0]!.signer)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
  });
});

describe.each(ED25519_ENGINES)('openBundle with the %s engine', (engine) => {
  let root: Awaited<ReturnType<typeof rootTrust>>;
  beforeAll(async () => {
    root = await rootTrust(p.rootJwk, engine);
  });

  it('verifies every licence offline as the edge would', async () => {
    const opened = await openBundle(all, root, { engine });
    expect(opened).toMatchObject({ asOf: T0.toISOString(), region: null, count: 6 });
    expect(opened.context.problems).toEqual([]);
    expect(opened.context.keyList!.byKid.get(p.keys[0]!.signer.kid)!.key instanceof RawVerifyKey).toBe(engine === 'noble');
    expect(await codes(opened.context)).toEqual({ 1: 'authorized', 2: 'suspended', 3: 'revoked', 4: 'expired', 5: 'authorized', 7: 'authorized' });
    const v = await verifySeal(p.seals.get(2)!, T0, opened.context);
    expect(v.licence).toEqual(entry(2, { region: '370212', status: 'suspended', statusReason: '整改' }));
    expect((await verifySeal(p.seals.get(5)!, T0, opened.context)).licence?.holder).toEqual({ name: '青岛全市有限公司', uscc: '91370200AAAAAAAAA0', address: null });
  });

  it('a district bundle confirms only what it carries (revoked still shows)', async () => {
    const opened = await openBundle(await build('370212'), root, { engine });
    expect(opened).toMatchObject({ region: '370212', count: 4 });
    expect(await codes(opened.context)).toEqual({ 1: 'cannot_confirm', 2: 'suspended', 3: 'revoked', 4: 'expired', 5: 'authorized', 7: 'authorized' });
    // What the device can tell an inspector: licence 1 is another district's, not a stale row.
    expect([1, 2, 5, 99].map((s) => opened.includes(s))).toEqual([false, true, true, false]);
    expect(opened.iat).toBe(T0.getTime() / 1000);
  });

  it('uses newer lists fetched since: a stale row cannot be confirmed, a new revocation shows', async () => {
    const q = await newProgramme();
    for (const serial of [1, 2, 3]) await issue(q, serial);
    const old = await publish(q);
    const bundle = await build(null, q, old);
    revise(q, 1, { products: ['改了'] });
    revise(q, 2, { status: 'revoked', statusReason: '新撤销' });
    const fresh = await publish(q, { time: LATER });
    const qRoot = await rootTrust(q.rootJwk, engine);
    const opened = await openBundle(bundle, qRoot, { engine, statusList: fresh.statusList, revisionList: fresh.revisionList });
    expect(opened.context.statusList?.iat).toBe(LATER.getTime() / 1000);
    expect(opened.context.revisionList?.iat).toBe(LATER.getTime() / 1000);
    expect(await codes(opened.context, LATER, q)).toEqual({ 1: 'cannot_confirm', 2: 'revoked', 3: 'authorized' });
    // The row for 2 is stale too, so the revocation shows without details.
    expect(await verifySeal(q.seals.get(2)!, LATER, opened.context)).toMatchObject({ code: 'revoked', licence: null, statusAsOf: LATER.toISOString() });
    // Older lists given separately lose to the bundle's own.
    const reversed = await openBundle(await build(null, q, fresh, q.keys[0]!.signer, LATER), qRoot, { engine, statusList: old.statusList, revisionList: old.revisionList });
    expect(reversed.context.statusList?.iat).toBe(LATER.getTime() / 1000);
    expect(await codes(reversed.context, LATER, q)).toEqual({ 1: 'authorized', 2: 'revoked', 3: 'authorized' });
    // A list this device has seen newer than the bundle's: the bundle's is refused.
    const rolled = await openBundle(bundle, qRoot, { engine, minStatusIat: LATER.getTime() / 1000 });
    expect(rolled.context.problems).toEqual([expect.objectContaining({ artifact: 'statusList', code: 'ERR_STATUS_ROLLBACK' })]);
    expect(await codes(rolled.context, LATER, q)).toEqual({ 1: 'cannot_confirm', 2: 'cannot_confirm', 3: 'cannot_confirm' });
  });

  it('a newer key list that rotated keys takes over; a key compromised since refuses the bundle', async () => {
    const next = await newKey();
    const rotated = await signKeyList([{ ...p.keys[0]!.record, status: 'retired' }, next.record], 2, LATER, p.rootSigner);
    const opened = await openBundle(all, root, { engine, keyList: rotated });
    expect(opened.context.keyList?.version).toBe(2);
    // The bundle's lists were signed by the key now retired: no longer trusted for status.
    expect(opened.context.statusList).toBeNull();
    const statusList = await signStatusList([0, 0, 2, 1, 0, 0, 0, 0], { uri: STATUS_URI, time: LATER }, next.signer);
    const revisionList = await signRevisionList([0, 1, 1, 1, 1, 1, 0, 1], { uri: REVISION_URI, time: LATER }, next.signer);
    const renewed = await openBundle(all, root, { engine, keyList: rotated, statusList, revisionList });
    expect(await codes(renewed.context, LATER)).toMatchObject({ 1: 'authorized', 2: 'suspended', 3: 'revoked' });
    const compromised = await signKeyList([{ ...p.keys[0]!.record, status: 'compromised' }, next.record], 3, LATER, p.rootSigner);
    await expect(openBundle(all, root, { engine, keyList: compromised })).rejects.toMatchObject({ code: 'ERR_ARTIFACT_KEY_COMPROMISED' });
  });
});

describe('openBundle refuses', () => {
  it('a tampered row, a tampered manifest, or rows that do not match the count', async () => {
    const lines = (await text(all)).split('\n');
    const tampered = [...lines];
    tampered[5] = tampered[5]!.replace('2028-12-31', '2099-12-31');
    await expect(openBundle(await gzip(tampered.join('\n')), p.root)).rejects.toMatchObject({ code: 'ERR_BUNDLE_DIGEST' });
    const dropped = [...lines.slice(0, 5), ...lines.slice(6)];
    await expect(openBundle(await gzip(dropped.join('\n')), p.root)).rejects.toMatchObject({ code: 'ERR_BUNDLE_DIGEST' });
    const [h, , s] = lines[1]!.split('.');
    const forged = base64url.encode(JSON.stringify({ ...decodeJwt(lines[1]!), sha256: 'x' }));
    await expect(openBundle(await gzip([lines[0], `${h}.${forged}.${s}`, ...lines.slice(2)].join('\n')), p.root)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_SIGNATURE' });
    const body = lines.slice(2).join('\n');
    await expect(openBundle(await assemble(body, p.keys[0]!.signer, { count: 5 }), p.root)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    await expect(openBundle(await assemble(body, p.keys[0]!.signer, { count: 7 }), p.root)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    // Correctly signed and counted, but rows out of order.
    const swapped = [...lines.slice(2, 5), lines[6], lines[5], ...lines.slice(7)].join('\n');
    await expect(openBundle(await assemble(swapped, p.keys[0]!.signer), p.root)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    expect((await openBundle(await assemble(body, p.keys[0]!.signer), p.root)).count).toBe(6);
  });

  it('a manifest by a key that was not active, of another typ, or under another root', async () => {
    const body = (await text(all)).split('\n').slice(2).join('\n');
    await expect(openBundle(await assemble(body, (await newKey()).signer), p.root)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_UNKNOWN_KEY' });
    const other = await newProgramme();
    await expect(openBundle(all, other.root)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_SIGNATURE' });
    const lines = (await text(all)).split('\n');
    const wrongTyp = await signJws(decodeJwt(lines[1]!), TYP.statusList, p.keys[0]!.signer);
    await expect(openBundle(await gzip([lines[0], wrongTyp, ...lines.slice(2)].join('\n')), p.root)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_TYPE' });
    // Signed by the key the bundle's own key list names retired.
    const next = await newKey();
    const keyList = await signKeyList([{ ...p.keys[0]!.record, status: 'retired' }, next.record], 2, T0, p.rootSigner);
    await expect(openBundle(await assemble([keyList, ...lines.slice(3)].join('\n'), p.keys[0]!.signer), p.root)).rejects.toMatchObject({ code: 'ERR_KEY_NOT_SIGNING' });
  });

  it('what is not a bundle, a truncated one, an overlong line, a zip bomb', async () => {
    await expect(openBundle(new TextEncoder().encode('{"keyList":"x"}'), p.root)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    await expect(openBundle(await gzip('qdyp-bundle/2\nx\n'), p.root)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    await expect(openBundle(all.subarray(0, all.length - 20), p.root)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    const lines = (await text(all)).split('\n');
    const longRow = JSON.stringify([9, 1, 'QDYP-2026-000009', 'x'.repeat(70_000)]);
    await expect(openBundle(await assemble([...lines.slice(2, -1), longRow, ''].join('\n'), p.keys[0]!.signer), p.root)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_TOO_LARGE' });
    const zeros = new Uint8Array(16 * 1024 * 1024);
    const bomb = await compressBytes(Array.from({ length: 17 }, () => zeros), 'gzip');
    await expect(openBundle(bomb, p.root)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_TOO_LARGE' });
  });

  it('a signed row that does not parse only loses that licence', async () => {
    const lines = (await text(all)).split('\n');
    const bad = [...lines];
    bad[5] = '[1,1,"QDYP-2026-000001"]';
    const opened = await openBundle(await assemble(bad.slice(2).join('\n'), p.keys[0]!.signer), p.root);
    expect(await codes(opened.context)).toEqual({ 1: 'cannot_confirm', 2: 'suspended', 3: 'revoked', 4: 'expired', 5: 'authorized', 7: 'authorized' });
  });
});

describe('bundle size (P8: at most 100 bytes a licence, on varied data)', () => {
  it('20,000 varied licences', async () => {
    const licences = syntheticLicences(20_000);
    const q = await newProgramme();
    const bytes = await buildBundle(
      { keyList: published.keyList, statusList: published.statusList, revisionList: published.revisionList, rows: licences, region: null, time: T0 },
      q.keys[0]!.signer,
    );
    expect(new Set(licences.map((l) => l.entry.holder.uscc)).size).toBe(licences.length);
    expect(bytes.length / licences.length).toBeLessThanOrEqual(100);
  });
});
