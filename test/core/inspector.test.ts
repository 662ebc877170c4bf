// Inspector tokens and the revoked-inspectors list: each way verifyInspectorToken says no, in
// its order (a wrong key is a signature failure, never "expired"), and the list's own checks
// (active key only, no going back in version, no expired or future-dated list). Web APIs only:
// this file runs in Node and in workerd.
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildTrustContext,
  MAX_INSPECTOR_TOKEN_S,
  parseRevokedInspectors,
  REVOKED_INSPECTORS_LIFETIME_S,
  signInspectorToken,
  signJws,
  signKeyList,
  signRevokedInspectors,
  TYP,
  verifyInspectorToken,
  type InspectorClaims,
  type IssuingKey,
  type TrustedKeyList,
} from '../../src/core/index.ts';
import { newKey, newProgramme, T0, type Programme, type TestKey } from '../support/programme.ts';

const DAY_S = 24 * 60 * 60;
const iat = Math.floor(T0.getTime() / 1000);
const at = (seconds: number) => new Date((iat + seconds) * 1000);

let p: Programme;
let active: TestKey;
let retired: TestKey;
let compromised: TestKey;
let stranger: TestKey;
let keyList: TrustedKeyList;

const claims = (overrides: Partial<InspectorClaims> = {}): Omit<InspectorClaims, 'iss'> => ({
  jti: 'n3Xq5b0Vb7Zy2Jk8Qm1RfA',
  sub: 'K3M9QXA2BT',
  name: '王海 Wang Hai',
  iat,
  exp: iat + 30 * DAY_S,
  ...overrides,
});

async function trusted(keys: IssuingKey[], time = T0): Promise<TrustedKeyList> {
  const ctx = await buildTrustContext({ keyList: await signKeyList(keys, 1, time, p.rootSigner) }, { root: p.root });
  return ctx.keyList!;
}

beforeAll(async () => {
  p = await newProgramme();
  active = p.keys[0]!;
  retired = await newKey(new Date('2025-06-01T00:00:00Z'));
  retired.record.status = 'retired';
  compromised = await newKey();
  compromised.record.status = 'compromised';
  stranger = await newKey();
  keyList = await trusted([active.record, retired.record, compromised.record]);
});

describe('verifyInspectorToken', () => {
  it('accepts a token of the active key and returns exactly its claims', async () => {
    const token = await signInspectorToken(claims(), active.signer);
    const result = await verifyInspectorToken(token, { keyList }, at(60), null);
    expect(result).toEqual({ ok: true, claims: { iss: 'qdyp', ...claims() } });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', typ: 'qdyp-inspector+jwt', kid: active.signer.kid });
  });

  it('accepts a token of a key retired since (a rotation does not strand inspectors)', async () => {
    const token = await signInspectorToken(claims(), retired.signer);
    expect(await verifyInspectorToken(token, { keyList }, at(60), null)).toMatchObject({ ok: true });
  });

  it('a wrong key under a trusted kid is a bad signature, even when the token has also expired', async () => {
    const forged = await signInspectorToken(claims(), { kid: active.signer.kid, privateKey: stranger.signer.privateKey });
    expect(await verifyInspectorToken(forged, { keyList }, at(60), null)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await verifyInspectorToken(forged, { keyList }, at(60 * DAY_S), null)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('unknown_key: a key not in the list, an expired key list, a key not signing on the issue date', async () => {
    const foreign = await signInspectorToken(claims(), stranger.signer);
    expect(await verifyInspectorToken(foreign, { keyList }, at(60), null)).toEqual({ ok: false, reason: 'unknown_key' });
    const token = await signInspectorToken(claims(), active.signer);
    expect(await verifyInspectorToken(token, { keyList }, new Date(keyList.exp * 1000), null)).toEqual({ ok: false, reason: 'unknown_key' });
    // The active key signs from T0's date on: a token dated two days before is not its.
    const backdated = await signInspectorToken(claims({ iat: iat - 2 * DAY_S, exp: iat + DAY_S }), active.signer);
    expect(await verifyInspectorToken(backdated, { keyList }, at(60), null)).toEqual({ ok: false, reason: 'unknown_key' });
  });

  it('key_compromised: a good signature by a compromised key', async () => {
    const token = await signInspectorToken(claims(), compromised.signer);
    expect(await verifyInspectorToken(token, { keyList }, at(60), null)).toEqual({ ok: false, reason: 'key_compromised' });
  });

  it('expired from exp on, and when the key stops verifying; not_yet_valid past 5 minutes of skew', async () => {
    const token = await signInspectorToken(claims(), active.signer);
    expect(await verifyInspectorToken(token, { keyList }, at(30 * DAY_S - 1), null)).toMatchObject({ ok: true });
    expect(await verifyInspectorToken(token, { keyList }, at(30 * DAY_S), null)).toEqual({ ok: false, reason: 'expired' });
    expect(await verifyInspectorToken(token, { keyList }, at(-5 * 60), null)).toMatchObject({ ok: true });
    expect(await verifyInspectorToken(token, { keyList }, at(-5 * 60 - 1), null)).toEqual({ ok: false, reason: 'not_yet_valid' });
    const shortLived = { ...active.record, verifyUntil: '2026-11-27' };
    const closing = await trusted([shortLived], T0);
    expect(await verifyInspectorToken(token, { keyList: closing }, at(DAY_S), null)).toEqual({ ok: false, reason: 'expired' });
  });

  it('revoked when the list carries its jti; another jti does not touch it', async () => {
    const token = await signInspectorToken(claims(), active.signer);
    const list = await parseRevokedInspectors(await signRevokedInspectors({ version: 3, jtis: [claims().jti], time: T0 }, active.signer), keyList);
    expect(await verifyInspectorToken(token, { keyList }, at(60), list)).toEqual({ ok: false, reason: 'revoked' });
    const other = await parseRevokedInspectors(await signRevokedInspectors({ version: 3, jtis: ['AAAAAAAAAAAAAAAAAAAAAA'], time: T0 }, active.signer), keyList);
    expect(await verifyInspectorToken(token, { keyList }, at(60), other)).toMatchObject({ ok: true });
  });

  it('malformed: over 90 days, another typ, bad claims, not a JWS, too long', async () => {
    await expect(signInspectorToken(claims({ exp: iat + MAX_INSPECTOR_TOKEN_S + 1 }), active.signer)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    expect(await signInspectorToken(claims({ exp: iat + MAX_INSPECTOR_TOKEN_S }), active.signer)).toMatch(/^ey/);
    const verdict = async (token: string) => verifyInspectorToken(token, { keyList }, at(60), null);
    const long = await signJws({ iss: 'qdyp', ...claims({ exp: iat + MAX_INSPECTOR_TOKEN_S + 1 }) }, TYP.inspector, active.signer);
    expect(await verdict(long)).toEqual({ ok: false, reason: 'malformed' });
    // The same claims signed as another artifact are not a token (domain separation).
    const otherTyp = await signJws({ iss: 'qdyp', ...claims() }, TYP.licence, active.signer);
    expect(await verdict(otherTyp)).toEqual({ ok: false, reason: 'malformed' });
    for (const bad of [{ name: '' }, { name: 'a\u001bb' }, { name: 'x'.repeat(65) }, { jti: 'short' }, { sub: '' }, { exp: iat }]) {
      expect(await verdict(await signJws({ iss: 'qdyp', ...claims(), ...bad }, TYP.inspector, active.signer)), JSON.stringify(bad)).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(await verdict(await signJws({ ...claims() }, TYP.inspector, active.signer))).toEqual({ ok: false, reason: 'malformed' });
    for (const text of ['', 'not a token', 'a.b.c', `${'e'.repeat(3000)}.x.y`]) expect(await verdict(text)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('the revoked-inspectors list', () => {
  it('round-trips version, ids (deduplicated, sorted), iat and a 14-day exp', async () => {
    const jws = await signRevokedInspectors({ version: 2, jtis: ['bbbbbbbbbbbbbbbbbbbbbb', 'aaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbb'], time: T0 }, active.signer);
    const list = await parseRevokedInspectors(jws, keyList, { minVersion: 2, time: T0 });
    expect(list).toEqual({ version: 2, iat, exp: iat + REVOKED_INSPECTORS_LIFETIME_S, jtis: new Set(['aaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbb']) });
    expect(REVOKED_INSPECTORS_LIFETIME_S).toBe(14 * DAY_S);
    expect(decodeJwt(jws).jtis).toEqual(['aaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbb']);
  });

  it('refuses an older version, an expired list and one dated ahead of the clock', async () => {
    const jws = await signRevokedInspectors({ version: 4, jtis: [], time: T0 }, active.signer);
    await expect(parseRevokedInspectors(jws, keyList, { minVersion: 5 })).rejects.toMatchObject({ code: 'ERR_STATUS_ROLLBACK' });
    expect((await parseRevokedInspectors(jws, keyList, { minVersion: 4 })).version).toBe(4);
    await expect(parseRevokedInspectors(jws, keyList, { time: at(REVOKED_INSPECTORS_LIFETIME_S) })).rejects.toMatchObject({ code: 'ERR_ARTIFACT_EXPIRED' });
    expect((await parseRevokedInspectors(jws, keyList, { time: at(REVOKED_INSPECTORS_LIFETIME_S - 1) })).version).toBe(4);
    await expect(parseRevokedInspectors(jws, keyList, { time: at(-5 * 60 - 1) })).rejects.toMatchObject({ code: 'ERR_ARTIFACT_FUTURE' });
  });

  it('only the active key may sign it; other artifacts and the old unversioned shape are refused', async () => {
    const list = { version: 1, jtis: [], time: T0 };
    await expect(parseRevokedInspectors(await signRevokedInspectors(list, retired.signer), keyList)).rejects.toMatchObject({ code: 'ERR_KEY_NOT_SIGNING' });
    await expect(parseRevokedInspectors(await signRevokedInspectors(list, compromised.signer), keyList)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_KEY_COMPROMISED' });
    await expect(parseRevokedInspectors(await signRevokedInspectors(list, stranger.signer), keyList)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_UNKNOWN_KEY' });
    await expect(parseRevokedInspectors(await signRevokedInspectors(list, active.signer), null)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_UNKNOWN_KEY' });
    const forged = await signRevokedInspectors(list, { kid: active.signer.kid, privateKey: stranger.signer.privateKey });
    await expect(parseRevokedInspectors(forged, keyList)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_SIGNATURE' });
    const token = await signInspectorToken(claims(), active.signer);
    await expect(parseRevokedInspectors(token, keyList)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_TYPE' });
    await expect(parseRevokedInspectors(await signJws({ iat, jtis: [] }, TYP.revokedInspectors, active.signer), keyList)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    const badId = await signJws({ iss: 'qdyp', version: 1, iat, exp: iat + DAY_S, jtis: [7] }, TYP.revokedInspectors, active.signer);
    await expect(parseRevokedInspectors(badId, keyList)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    await expect(signRevokedInspectors({ version: -1, jtis: [], time: T0 }, active.signer)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
  });
});
