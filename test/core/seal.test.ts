import { beforeAll, describe, expect, it } from 'vitest';
import {
  addDays,
  base32Decode,
  base32Encode,
  createSeal,
  MAX_HORIZON,
  MAX_ORIGIN_LENGTH,
  MAX_SERIAL,
  normaliseOrigin,
  parseSeal,
  SEAL_CONTEXT,
  SEAL_TEXT_LENGTH,
  sealFromInput,
  sealUrl,
} from '../../src/core/index.ts';
import { newKey, type TestKey } from '../support/programme.ts';

let key: TestKey;
let publicKey: CryptoKey;

beforeAll(async () => {
  key = await newKey();
  publicKey = await crypto.subtle.importKey('jwk', key.record.jwk, { name: 'Ed25519' }, false, ['verify']);
});

describe('seal layout (see the table in src/core/seal.ts)', () => {
  it('is version, short key id, serial, horizon and a signature over the context string and those bytes', async () => {
    const seal = await createSeal({ serial: 0x01020304, horizon: '2020-01-11' }, key.signer);
    expect(seal).toMatch(/^[A-Z2-7]{120}$/);
    const bytes = base32Decode(seal)!;
    expect(bytes.length).toBe(75);
    expect(bytes[0]).toBe(1);
    expect(Array.from(bytes.subarray(1, 5), (b) => b.toString(16).padStart(2, '0')).join('')).toBe(key.signer.sid);
    expect(Array.from(bytes.subarray(5, 9))).toEqual([1, 2, 3, 4]);
    expect(Array.from(bytes.subarray(9, 11))).toEqual([0, 10]); // ten days after 2020-01-01
    expect(new TextDecoder().decode(SEAL_CONTEXT)).toBe('qdyp/seal/v1\0');
    const signed = new Uint8Array([...SEAL_CONTEXT, ...bytes.subarray(0, 11)]);
    expect(await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, bytes.subarray(11), signed)).toBe(true);
    // Without the context string the same signature must not verify: it is domain-separated.
    expect(await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, bytes.subarray(11), bytes.subarray(0, 11))).toBe(false);
  });

  it('round-trips through parseSeal, in any letter case', async () => {
    for (const [serial, horizon] of [
      [0, '2020-01-01'],
      [1, '2046-11-27'],
      [MAX_SERIAL, MAX_HORIZON],
    ] as const) {
      const seal = await createSeal({ serial, horizon }, key.signer);
      const parsed = parseSeal(seal)!;
      expect(parsed).toMatchObject({ sid: key.signer.sid, serial, horizon });
      expect(parseSeal(seal.toLowerCase())).toEqual(parsed);
      expect(base32Encode(new Uint8Array([...parsed.signed.subarray(SEAL_CONTEXT.length), ...parsed.signature]))).toBe(seal);
    }
  });

  it('covers horizons from 2020-01-01 for 65,535 days, and refuses others', async () => {
    expect(MAX_HORIZON).toBe(addDays('2020-01-01', 0xffff));
    expect(MAX_HORIZON).toBe('2199-06-06');
    for (const horizon of ['2019-12-31', addDays(MAX_HORIZON, 1), '2026-02-30', '20260101', '']) {
      await expect(createSeal({ serial: 1, horizon }, key.signer), horizon).rejects.toMatchObject({ code: 'ERR_SEAL_FIELD' });
    }
  });

  it('refuses serials outside 0..2^32-1 and short ids that are not 8 hex digits', async () => {
    for (const serial of [-1, MAX_SERIAL + 1, 1.5, Number.NaN]) {
      await expect(createSeal({ serial, horizon: '2030-01-01' }, key.signer)).rejects.toMatchObject({ code: 'ERR_SEAL_FIELD' });
    }
    for (const sid of ['1234567', '123456789', 'ABCDEF01', 'zzzzzzzz']) {
      await expect(createSeal({ serial: 1, horizon: '2030-01-01' }, { ...key.signer, sid })).rejects.toMatchObject({ code: 'ERR_SEAL_FIELD' });
    }
  });

  it('parses nothing that is not a canonical version-1 seal', async () => {
    const seal = await createSeal({ serial: 7, horizon: '2030-01-01' }, key.signer);
    const bytes = base32Decode(seal)!;
    bytes[0] = 2;
    expect(parseSeal(base32Encode(bytes))).toBeNull();
    expect(parseSeal(seal.slice(0, 119))).toBeNull();
    expect(parseSeal(`${seal}A`)).toBeNull();
    expect(parseSeal(`${seal.slice(0, 112)}========`)).toBeNull();
    expect(parseSeal(`${seal.slice(0, 119)}1`)).toBeNull();
    expect(parseSeal(undefined as unknown as string)).toBeNull();
    expect(SEAL_TEXT_LENGTH).toBe(120);
  });
});

describe('origin and URL', () => {
  it('normalises the origin to upper case without a trailing slash', () => {
    expect(normaliseOrigin(' https://verify.qdyp.example/ ')).toBe('HTTPS://VERIFY.QDYP.EXAMPLE');
    expect(normaliseOrigin('http://localhost:8080')).toBe('HTTP://LOCALHOST:8080');
  });

  it('refuses paths, queries, other schemes and non-ASCII hosts', () => {
    for (const bad of ['https://verify.example/v', 'https://verify.example?x=1', 'ftp://verify.example', 'verify.example', 'https://验证.example', 'https://user@verify.example', '']) {
      expect(() => normaliseOrigin(bad), bad).toThrow(expect.objectContaining({ code: 'ERR_SEAL_FIELD' }));
    }
  });

  it('caps the origin at 28 characters, the QR budget', () => {
    const at = `HTTPS://${'A'.repeat(MAX_ORIGIN_LENGTH - 8)}`;
    expect(at.length).toBe(28);
    expect(normaliseOrigin(at.toLowerCase())).toBe(at);
    expect(() => normaliseOrigin(`${at}B`)).toThrow(/29 characters; at most 28/);
  });

  it('builds an uppercase QR-alphanumeric URL of at most 157 characters (version 8 at ECC Q)', async () => {
    const seal = await createSeal({ serial: MAX_SERIAL, horizon: MAX_HORIZON }, key.signer);
    const url = sealUrl(`https://${'q'.repeat(20)}`, seal);
    expect(url).toBe(`HTTPS://${'Q'.repeat(20)}/V/${seal}`);
    expect(url).toMatch(/^[0-9A-Z $%*+\-./:]+$/);
    expect(url.length).toBe(151);
  });

  it('takes the seal out of a scanned URL or bare text', () => {
    expect(sealFromInput('HTTPS://VERIFY.QDYP.EXAMPLE/V/ABC')).toBe('ABC');
    expect(sealFromInput('https://verify.qdyp.example/v/abc?from=wechat#top')).toBe('abc');
    expect(sealFromInput('https://verify.qdyp.example/V/ABC/')).toBe('ABC');
    expect(sealFromInput('  ABC \n')).toBe('ABC');
  });
});
