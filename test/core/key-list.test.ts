// Key list details beyond verify.test.ts (which covers a foreign signer, expiry against a seal,
// rollback and a missing key): exact round trip, boundaries, and entries that lie.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createSeal,
  describeIssuingKey,
  ED25519_ENGINES,
  KEY_LIST_LIFETIME_S,
  publicJwk,
  rootTrust,
  signJws,
  signKeyList,
  TYP,
  verifyKeyList,
  verifySeal,
  type IssuingKey,
  type RootTrust,
} from '../../src/core/index.ts';
import { issue, newKey, newProgramme, publish, T0, trustPublished, type Programme } from '../support/programme.ts';

let p: Programme;

beforeAll(async () => {
  p = await newProgramme();
  p.keys.push(await newKey(new Date('2025-06-01T00:00:00Z')));
  p.keys[1]!.record.status = 'retired';
});

describe.each(ED25519_ENGINES)('verifyKeyList with the %s engine', (engine) => {
  let root: RootTrust;
  beforeAll(async () => {
    root = await rootTrust(p.rootJwk, engine);
  });

  it('returns exactly the keys, statuses and windows that were signed', async () => {
    const jws = await signKeyList(p.keys.map((k) => k.record), 7, T0, p.rootSigner);
    const list = await verifyKeyList(jws, root, { time: T0, minVersion: 7 });
    const iat = T0.getTime() / 1000;
    expect(list).toEqual({ version: 7, iat, exp: iat + KEY_LIST_LIFETIME_S, keys: p.keys.map((k) => k.record) });
    expect(p.keys[0]!.record).toMatchObject({ status: 'active', signFrom: '2026-11-27', signUntil: '2028-11-27', verifyUntil: '2046-11-27' });
  });

  it('expires exactly one year after it was signed', async () => {
    const jws = await signKeyList([p.keys[0]!.record], 1, T0, p.rootSigner);
    const exp = T0.getTime() + KEY_LIST_LIFETIME_S * 1000;
    await expect(verifyKeyList(jws, root, { time: new Date(exp - 1000) })).resolves.toMatchObject({ version: 1 });
    await expect(verifyKeyList(jws, root, { time: new Date(exp) })).rejects.toMatchObject({ code: 'ERR_ARTIFACT_EXPIRED' });
  });

  it('refuses an entry whose kid or short id is not its thumbprint, even under the root signature', async () => {
    const [a, b] = p.keys.map((k) => k.record) as [IssuingKey, IssuingKey];
    const iat = T0.getTime() / 1000;
    const body = (entry: Record<string, unknown>) => ({ iss: 'qdyp', version: 1, iat, exp: iat + 1000, keys: [entry] });
    const swapped = { ...publicJwk(a.jwk), kid: b.kid, sid: b.sid, status: 'active', signFrom: a.signFrom, signUntil: a.signUntil, verifyUntil: a.verifyUntil };
    await expect(verifyKeyList(await signJws(body(swapped), TYP.keyList, p.rootSigner), root)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    const badSid = { ...swapped, kid: a.kid, sid: '00000000' };
    await expect(verifyKeyList(await signJws(body(badSid), TYP.keyList, p.rootSigner), root)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    const badStatus = { ...swapped, kid: a.kid, sid: a.sid, status: 'trusted' };
    await expect(verifyKeyList(await signJws(body(badStatus), TYP.keyList, p.rootSigner), root)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
  });

  it('refuses another artifact signed by the root, and a list naming another kid', async () => {
    const entryTyped = await signJws({ iss: 'qdyp', version: 1, iat: 0, exp: 1, keys: [] }, TYP.licenceEntry, p.rootSigner);
    await expect(verifyKeyList(entryTyped, root)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_TYPE' });
    // Signed by the root's private key but naming another kid: not the pinned root's list.
    const misnamed = await signJws({ iss: 'qdyp', version: 1, iat: 0, exp: 1, keys: [] }, TYP.keyList, { ...p.rootSigner, kid: p.keys[0]!.signer.kid });
    await expect(verifyKeyList(misnamed, root)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_UNKNOWN_KEY' });
  });
});

describe('key windows and signing', () => {
  it('refuses key list versions that are not positive integers', async () => {
    for (const version of [0, -1, 1.5, Number.NaN]) {
      await expect(signKeyList([], version, T0, p.rootSigner)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    }
  });

  it('describeIssuingKey takes DESIGN §3 defaults and explicit windows', async () => {
    const jwk = p.keys[0]!.record.jwk;
    expect(await describeIssuingKey(jwk, new Date('2028-02-28T16:30:00Z'))).toMatchObject({ signFrom: '2028-02-29', signUntil: '2030-02-28', verifyUntil: '2048-02-29' });
    expect(await describeIssuingKey(jwk, T0, { signing: 1, verification: 5 })).toMatchObject({ signUntil: '2027-11-27', verifyUntil: '2031-11-27' });
  });

  it('a seal stops verifying after its key verification window, whatever its horizon says', async () => {
    const q = await newProgramme();
    q.keys[0]!.record.verifyUntil = '2026-11-27';
    await issue(q, 1);
    const late = await createSeal({ serial: 1, horizon: '2040-01-01' }, q.keys[0]!.signer);
    const ctx = await trustPublished(q, await publish(q));
    expect((await verifySeal(late, T0, ctx)).code).toBe('authorized');
    const nextDay = new Date('2026-11-27T16:00:00Z');
    expect((await verifySeal(late, nextDay, ctx)).code).toBe('expired');
  });
});
