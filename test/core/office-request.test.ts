// Office requests: each way verifyOfficeRequest says no, in its order. Web APIs only: this file
// runs in Node and in workerd.
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildTrustContext,
  officeNonce,
  signJws,
  signKeyList,
  signOfficeRequest,
  TYP,
  verifyOfficeRequest,
  type IssuingKey,
  type TrustedKeyList,
} from '../../src/core/index.ts';
import { newKey, newProgramme, T0, type Programme, type TestKey } from '../support/programme.ts';

const iat = Math.floor(T0.getTime() / 1000);
const at = (seconds: number) => new Date((iat + seconds) * 1000);
const PATH = '/api/v1/reports?after=12&limit=100';
const NONCE = 'n3Xq5b0Vb7Zy2Jk8Qm1RfA';

let p: Programme;
let active: TestKey;
let retired: TestKey;
let compromised: TestKey;
let stranger: TestKey;
let keyList: TrustedKeyList;

async function trusted(keys: IssuingKey[], time = T0): Promise<TrustedKeyList> {
  const ctx = await buildTrustContext({ keyList: await signKeyList(keys, 1, time, p.rootSigner) }, { root: p.root });
  return ctx.keyList!;
}

const sign = (signer: TestKey['signer'], overrides: Partial<{ method: string; path: string; nonce: string; time: Date }> = {}) =>
  signOfficeRequest({ method: 'GET', path: PATH, nonce: NONCE, time: T0, ...overrides }, signer);

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

describe('signOfficeRequest', () => {
  it('signs exactly { iss, htm, htu, iat, nonce } under its own typ', async () => {
    const jws = await sign(active.signer, { method: 'get' });
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'EdDSA', typ: 'qdyp-office-request+jwt', kid: active.signer.kid });
    expect(decodeJwt(jws)).toEqual({ iss: 'qdyp', htm: 'GET', htu: PATH, iat, nonce: NONCE });
  });

  it('refuses a nonce that is not 128 bits of base64url, and a path that is not one', async () => {
    await expect(sign(active.signer, { nonce: 'short' })).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    await expect(sign(active.signer, { path: 'https://elsewhere/api' })).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
  });

  it('officeNonce gives 22 base64url characters, a new one each time', () => {
    const a = officeNonce();
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(officeNonce()).not.toBe(a);
  });
});

describe('verifyOfficeRequest', () => {
  it('accepts a request of the active key, bound to this method and path, and gives its nonce and iat', async () => {
    const jws = await sign(active.signer);
    expect(await verifyOfficeRequest(jws, { keyList }, { method: 'GET', path: PATH, time: at(30) })).toEqual({ ok: true, nonce: NONCE, iat });
  });

  it('iat within five minutes either way, and no further', async () => {
    const jws = await sign(active.signer);
    const check = (seconds: number) => verifyOfficeRequest(jws, { keyList }, { method: 'GET', path: PATH, time: at(seconds) });
    expect(await check(300)).toMatchObject({ ok: true });
    expect(await check(-300)).toMatchObject({ ok: true });
    expect(await check(301)).toEqual({ ok: false, reason: 'stale' });
    expect(await check(-301)).toEqual({ ok: false, reason: 'future' });
  });

  it('wrong_request: another method, another path, another query (the cursor is bound)', async () => {
    const jws = await sign(active.signer);
    const check = (method: string, path: string) => verifyOfficeRequest(jws, { keyList }, { method, path, time: T0 });
    expect(await check('POST', PATH)).toEqual({ ok: false, reason: 'wrong_request' });
    expect(await check('GET', '/api/v1/reports/ack')).toEqual({ ok: false, reason: 'wrong_request' });
    expect(await check('GET', '/api/v1/reports?after=0&limit=100')).toEqual({ ok: false, reason: 'wrong_request' });
  });

  it('a retired key is not signing; a compromised key is refused as such', async () => {
    expect(await verifyOfficeRequest(await sign(retired.signer), { keyList }, { method: 'GET', path: PATH, time: T0 })).toEqual({ ok: false, reason: 'key_not_signing' });
    expect(await verifyOfficeRequest(await sign(compromised.signer), { keyList }, { method: 'GET', path: PATH, time: T0 })).toEqual({ ok: false, reason: 'key_compromised' });
  });

  it('a key not in the list, and an expired key list, are unknown keys', async () => {
    expect(await verifyOfficeRequest(await sign(stranger.signer), { keyList }, { method: 'GET', path: PATH, time: T0 })).toEqual({ ok: false, reason: 'unknown_key' });
    const old = await sign(active.signer, { time: at(400 * 86400) });
    expect(await verifyOfficeRequest(old, { keyList }, { method: 'GET', path: PATH, time: at(400 * 86400) })).toEqual({ ok: false, reason: 'unknown_key' });
  });

  it('a wrong key under a trusted kid is a bad signature, even when it is also stale', async () => {
    const forged = await sign({ kid: active.signer.kid, privateKey: stranger.signer.privateKey } as TestKey['signer']);
    expect(await verifyOfficeRequest(forged, { keyList }, { method: 'GET', path: PATH, time: T0 })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await verifyOfficeRequest(forged, { keyList }, { method: 'GET', path: PATH, time: at(3600) })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('malformed: not a JWS, another typ (an inspector token), bad claims', async () => {
    const check = (jws: string) => verifyOfficeRequest(jws, { keyList }, { method: 'GET', path: PATH, time: T0 });
    expect(await check('not a jws')).toEqual({ ok: false, reason: 'malformed' });
    expect(await check('x'.repeat(5000))).toEqual({ ok: false, reason: 'malformed' });
    const otherTyp = await signJws({ iss: 'qdyp', htm: 'GET', htu: PATH, iat, nonce: NONCE }, TYP.inspector, active.signer);
    expect(await check(otherTyp)).toEqual({ ok: false, reason: 'malformed' });
    const noNonce = await signJws({ iss: 'qdyp', htm: 'GET', htu: PATH, iat }, TYP.officeRequest, active.signer);
    expect(await check(noNonce)).toEqual({ ok: false, reason: 'malformed' });
  });
});
