// Licence entries: one signed JWS per licence revision, verified on its own.
import { base64url, decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assembleJws,
  buildTrustContext,
  ED25519_ENGINES,
  entryLookupFromTexts,
  licenceEntryKey,
  licenceEntrySigningInput,
  MAX_LICENCE_ENTRY_BYTES,
  rootTrust,
  signEd25519,
  signJws,
  signKeyList,
  signLicenceEntry,
  TYP,
  verifyLicenceEntry,
  type QdypError,
  type TrustedKeyList,
} from '../../src/core/index.ts';
import { entry, newKey, newProgramme, T0, type Programme, type TestKey } from '../support/programme.ts';

const DAY = 24 * 60 * 60 * 1000;
let p: Programme;
let retired: TestKey;
let compromised: TestKey;
let stranger: TestKey;

beforeAll(async () => {
  p = await newProgramme();
  retired = await newKey();
  compromised = await newKey();
  stranger = await newKey();
});

describe('signing', () => {
  it('signs { iss, iat, serial, rev, licence } under its own typ, with the holder address', async () => {
    const e = entry(7);
    const jws = await signLicenceEntry(e, { serial: 7, rev: 3, time: T0 }, p.keys[0]!.signer);
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'EdDSA', typ: 'qdyp-licence-entry+jwt', kid: p.keys[0]!.signer.kid });
    expect(decodeJwt(jws)).toEqual({ iss: 'qdyp', iat: T0.getTime() / 1000, serial: 7, rev: 3, licence: e });
    expect(licenceEntryKey(7, 3)).toBe('licence/7/3');
  });

  it('publishes only the entry’s own members, in one order', async () => {
    const e = entry(7);
    const shuffled = { ...Object.fromEntries(Object.entries(e).reverse()), serial: 7, revision: 9, secret: 'x' } as unknown as typeof e;
    const a = await signLicenceEntry(e, { serial: 7, rev: 1, time: T0 }, p.keys[0]!.signer);
    const b = await signLicenceEntry(shuffled, { serial: 7, rev: 1, time: T0 }, p.keys[0]!.signer);
    expect(b).toBe(a);
  });

  it('licenceEntrySigningInput + assembleJws give the same bytes as signLicenceEntry', async () => {
    const e = entry(42, { holder: { name: '青岛“优品”有限公司', uscc: '91370200MA3C5X8Y1K', address: null }, products: ['啤酒 🍺'] });
    const input = licenceEntrySigningInput(e, { serial: 42, rev: 300, iat: T0.getTime() / 1000 }, p.keys[0]!.signer.kid);
    const signature = await signEd25519(p.keys[0]!.signer.privateKey, new TextEncoder().encode(input));
    expect(assembleJws(input, signature)).toBe(await signLicenceEntry(e, { serial: 42, rev: 300, time: T0 }, p.keys[0]!.signer));
  });

  it('refuses a revision below 1 or a serial that is not an integer', async () => {
    await expect(signLicenceEntry(entry(1), { serial: 1, rev: 0, time: T0 }, p.keys[0]!.signer)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    await expect(signLicenceEntry(entry(1), { serial: 1.5, rev: 1, time: T0 }, p.keys[0]!.signer)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
  });
});

describe.each(ED25519_ENGINES)('verifyLicenceEntry with the %s engine', (engine) => {
  let keys: TrustedKeyList;
  beforeAll(async () => {
    const root = await rootTrust(p.rootJwk, engine);
    const records = [p.keys[0]!.record, { ...retired.record, status: 'retired' as const }, { ...compromised.record, status: 'compromised' as const }];
    const ctx = await buildTrustContext({ keyList: await signKeyList(records, 1, T0, p.rootSigner) }, { root, engine });
    keys = ctx.keyList!;
  });

  const sign = (serial: number, rev: number, key = p.keys[0]!, time = T0, e = entry(serial)) => signLicenceEntry(e, { serial, rev, time }, key.signer);
  const code = (text: string, serial: number, value: number, time = T0) =>
    verifyLicenceEntry(text, keys, { serial, value }, time).then(
      () => 'ok',
      (error: QdypError) => error.code,
    );

  it('returns the licence for the serial and revision the lists name', async () => {
    expect(await verifyLicenceEntry(await sign(5, 2), keys, { serial: 5, value: 2 }, T0)).toEqual(entry(5));
    // The revision list carries rev mod 256.
    expect(await code(await sign(5, 258), 5, 2)).toBe('ok');
  });

  it('a retired key still vouches for its entries; a compromised one never', async () => {
    expect(await code(await sign(5, 1, retired), 5, 1)).toBe('ok');
    expect(await code(await sign(5, 1, compromised), 5, 1)).toBe('ERR_ARTIFACT_KEY_COMPROMISED');
    expect(await code(await sign(5, 1, stranger), 5, 1)).toBe('ERR_ARTIFACT_UNKNOWN_KEY');
  });

  it('refuses another revision, another serial, another typ, a forged signature', async () => {
    expect(await code(await sign(5, 1), 5, 2)).toBe('ERR_ENTRY_STALE');
    expect(await code(await sign(6, 1), 5, 1)).toBe('ERR_ENTRY_MISMATCH');
    const claims = decodeJwt(await sign(5, 1));
    expect(await code(await signJws(claims, TYP.licence, p.keys[0]!.signer), 5, 1)).toBe('ERR_ARTIFACT_TYPE');
    const [h, , s] = (await sign(5, 1)).split('.');
    const changed = base64url.encode(JSON.stringify({ ...claims, licence: entry(5, { validUntil: '2099-12-31' }) }));
    expect(await code(`${h}.${changed}.${s}`, 5, 1)).toBe('ERR_ARTIFACT_SIGNATURE');
    expect(await code('not a jws', 5, 1)).toBe('ERR_ARTIFACT_MALFORMED');
  });

  it('refuses malformed claims even when signed', async () => {
    const claims = decodeJwt(await sign(5, 1)) as Record<string, unknown>;
    for (const bad of [
      { ...claims, rev: 0 },
      { ...claims, iss: 'other' },
      { ...claims, serial: '5' },
      { ...claims, licence: { ...(claims.licence as object), holder: { name: 'x', uscc: 'y' } } },
      { ...claims, licence: { ...(claims.licence as object), status: 'gone' } },
      { ...claims, iat: 9e15 },
    ]) {
      expect(await code(await signJws(bad, TYP.licenceEntry, p.keys[0]!.signer), 5, 1)).toBe('ERR_ARTIFACT_MALFORMED');
    }
  });

  it('refuses entries dated outside the key’s signing window, or once its verification window closed', async () => {
    expect(await code(await sign(5, 1, p.keys[0]!, new Date(T0.getTime() - DAY)), 5, 1)).toBe('ERR_KEY_NOT_SIGNING');
    expect(await code(await sign(5, 1, p.keys[0]!, new Date('2029-01-01T00:00:00Z')), 5, 1)).toBe('ERR_KEY_NOT_SIGNING');
    expect(await code(await sign(5, 1), 5, 1, new Date('2047-01-01T00:00:00Z'))).toBe('ERR_ARTIFACT_EXPIRED');
  });

  it('refuses an entry over 64 KiB before parsing it', async () => {
    const big = await sign(5, 1, p.keys[0]!, T0, entry(5, { products: Array.from({ length: 4000 }, (_, i) => `产品${i}`) }));
    expect(big.length).toBeGreaterThan(MAX_LICENCE_ENTRY_BYTES);
    expect(await code(big, 5, 1)).toBe('ERR_ARTIFACT_TOO_LARGE');
  });

  it('entryLookupFromTexts verifies on every call, says null for missing or refused, and tells why', async () => {
    const texts = new Map([
      [licenceEntryKey(1, 1), await sign(1, 1)],
      [licenceEntryKey(2, 1), await sign(2, 1, compromised)],
    ]);
    const fetched: string[] = [];
    const problems: [number, number, string][] = [];
    const lookup = entryLookupFromTexts(
      (serial, value) => (fetched.push(licenceEntryKey(serial, value)), Promise.resolve(texts.get(licenceEntryKey(serial, value)) ?? null)),
      keys,
      () => T0,
      (serial, value, error) => problems.push([serial, value, error.code]),
    );
    expect(await lookup.get(1, 1)).toEqual(entry(1));
    expect(await lookup.get(1, 1)).toEqual(entry(1));
    expect(await lookup.get(2, 1)).toBeNull();
    expect(await lookup.get(3, 1)).toBeNull();
    expect(fetched).toEqual(['licence/1/1', 'licence/1/1', 'licence/2/1', 'licence/3/1']);
    expect(problems).toEqual([[2, 1, 'ERR_ARTIFACT_KEY_COMPROMISED']]);
    expect(await entryLookupFromTexts(() => Promise.resolve(texts.get('licence/1/1')!), null).get(1, 1)).toBeNull();
  });
});
