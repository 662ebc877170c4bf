// The log's place in qdyp's trust: the key list's log keys (role `log`) sign checkpoints and
// nothing else; issuing keys never sign checkpoints; the licence entry names its log entry.
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildTrustContext,
  createSeal,
  describeIssuingKey,
  generateKeyPair,
  isStoreKey,
  LOG_CHECKPOINT_KEY,
  logEntriesKey,
  logOrigin,
  logTileKey,
  logVerifiers,
  noteSigner,
  openCheckpoint,
  parseLogKey,
  publicJwk,
  signCheckpoint,
  signerFor,
  signJws,
  signKeyList,
  signLicenceEntry,
  TYP,
  verifyKeyList,
  verifyLicenceEntry,
  verifySeal,
  type PrivateJwk,
} from '../../src/core/index.ts';
import { entry, newProgramme, T0, type Programme } from '../support/programme.ts';

const ORIGIN = logOrigin('HTTPS://VERIFY.EXAMPLE');
let p: Programme;
let logJwk: PrivateJwk;

beforeAll(async () => {
  p = await newProgramme();
  logJwk = await generateKeyPair();
});

describe('log store keys and the log name', () => {
  it('names the log by the verify host in lower case, port kept', () => {
    expect(logOrigin('HTTPS://V.QDYP.CN')).toBe('v.qdyp.cn/log');
    expect(logOrigin('HTTP://LOCALHOST:8080')).toBe('localhost:8080/log');
  });

  it('accepts exactly the canonical log keys as store keys', () => {
    expect(logTileKey(0, 1234067)).toBe('log/tile/0/x001/x234/067');
    expect(logTileKey(1, 3, 17)).toBe('log/tile/1/003.p/17');
    expect(logEntriesKey(2, 5)).toBe('log/tile/entries/002.p/5');
    for (const key of [LOG_CHECKPOINT_KEY, logTileKey(0, 0), logTileKey(2, 0, 1), logEntriesKey(273, 112)]) {
      expect(isStoreKey(key), key).toBe(true);
      expect(parseLogKey(key)).not.toBeNull();
    }
    for (const key of ['log/', 'log/checkpoint/', 'log/tile/0/5', 'log/tile/0/x000/005', 'log/tile/0/000.p/256', 'log/../key-list', 'log/tile/entries/000.p/0']) {
      expect(isStoreKey(key), key).toBe(false);
    }
  });
});

describe('the log key in the key list', () => {
  it('carries role "log" on the log key only, and keeps it apart from the issuing keys', async () => {
    const logKey = await describeIssuingKey(publicJwk(logJwk), T0, {}, 'log');
    const jws = await signKeyList([p.keys[0]!.record, logKey], 2, T0, p.rootSigner);
    const listed = (decodeJwt(jws).keys as Record<string, unknown>[]).map((k) => k.role);
    expect(listed).toEqual([undefined, 'log']);
    expect((await verifyKeyList(jws, p.root)).keys[1]).toEqual(logKey);

    const ctx = await buildTrustContext({ keyList: jws }, { root: p.root });
    expect(ctx.keyList!.logKeys.map((k) => k.kid)).toEqual([logKey.kid]);
    expect(ctx.keyList!.byKid.has(logKey.kid)).toBe(false);
    expect(ctx.keyList!.bySid.has(logKey.sid)).toBe(false);
  });

  it('never trusts a seal signed by the log key', async () => {
    const logKey = await describeIssuingKey(publicJwk(logJwk), T0, {}, 'log');
    const jws = await signKeyList([p.keys[0]!.record, logKey], 2, T0, p.rootSigner);
    const ctx = await buildTrustContext({ keyList: jws }, { root: p.root });
    const seal = await createSeal({ serial: 1, horizon: '2030-01-01' }, await signerFor(logJwk));
    expect((await verifySeal(seal, T0, ctx)).code).toBe('unknown_key');
  });

  it('verifies checkpoints by the log key only; a compromised log key vouches for none', async () => {
    const logKey = await describeIssuingKey(publicJwk(logJwk), T0, {}, 'log');
    const list = async (status: 'active' | 'compromised') =>
      (await buildTrustContext({ keyList: await signKeyList([p.keys[0]!.record, { ...logKey, status }], 2, T0, p.rootSigner) }, { root: p.root })).keyList!;
    const checkpoint = await signCheckpoint({ origin: ORIGIN, size: 1, root: new Uint8Array(32) }, await noteSigner(ORIGIN, logJwk));
    const opened = await openCheckpoint(checkpoint, await logVerifiers(await list('active'), ORIGIN), ORIGIN);
    expect(opened.checkpoint.size).toBe(1);
    await expect(openCheckpoint(checkpoint, await logVerifiers(await list('compromised'), ORIGIN), ORIGIN)).rejects.toThrow();
    // A checkpoint signed by an issuing key under the log's name is no checkpoint of ours.
    const issuingJwk = await generateKeyPair();
    const forged = await signCheckpoint({ origin: ORIGIN, size: 1, root: new Uint8Array(32) }, await noteSigner(ORIGIN, issuingJwk));
    await expect(openCheckpoint(forged, await logVerifiers(await list('active'), ORIGIN), ORIGIN)).rejects.toThrow();
  });

  it('skips a key of a role it does not know, and refuses a malformed role', async () => {
    const signed = (role: unknown) =>
      signJws(
        {
          iss: 'qdyp',
          version: 1,
          iat: T0.getTime() / 1000,
          exp: T0.getTime() / 1000 + 1000,
          keys: [{ ...publicJwk(logJwk), ...Object.fromEntries(Object.entries(p.keys[0]!.record).filter(([k]) => k !== 'jwk')), ...publicJwk(p.keys[0]!.record.jwk), role }],
        },
        TYP.keyList,
        p.rootSigner,
      );
    expect((await verifyKeyList(await signed('witness'), p.root)).keys).toEqual([]);
    await expect(verifyKeyList(await signed(7), p.root)).rejects.toThrow(/role/);
    await expect(verifyKeyList(await signed('issue'), p.root)).rejects.toThrow(/role/);
  });
});

describe("the licence entry's log claim", () => {
  it('carries the log index through to the verified entry, and only when given', async () => {
    const jws = await signKeyList([p.keys[0]!.record], 1, T0, p.rootSigner);
    const keyList = (await buildTrustContext({ keyList: jws }, { root: p.root })).keyList!;
    const e = entry(7);
    const logged = await signLicenceEntry(e, { serial: 7, rev: 2, time: T0, log: 41 }, p.keys[0]!.signer);
    expect(decodeJwt(logged).log).toBe(41);
    expect(await verifyLicenceEntry(logged, keyList, { serial: 7, value: 2 }, T0)).toEqual({ ...e, logIndex: 41 });
    const plain = await signLicenceEntry(e, { serial: 7, rev: 2, time: T0 }, p.keys[0]!.signer);
    expect('log' in decodeJwt(plain)).toBe(false);
    expect(await verifyLicenceEntry(plain, keyList, { serial: 7, value: 2 }, T0)).toEqual(e);
    await expect(signLicenceEntry(e, { serial: 7, rev: 2, time: T0, log: -1 }, p.keys[0]!.signer)).rejects.toThrow(/log index/);
  });
});
