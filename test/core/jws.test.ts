// Compact JWS verification is strict the same way under both Ed25519 engines.
import { base64url, CompactSign, UnsecuredJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ED25519_ENGINES, importVerifyKey, peekHeader, signJws, TYP, verifyJws, type VerifyKey } from '../../src/core/index.ts';
import { newKey, type TestKey } from '../support/programme.ts';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
let signer: TestKey;
let good: string;

beforeAll(async () => {
  signer = await newKey();
  good = await signJws({ hello: '青岛' }, TYP.licenceEntry, signer.signer);
});

const sign = (header: Record<string, unknown>, payload: Uint8Array) => new CompactSign(payload).setProtectedHeader({ alg: 'EdDSA', ...header }).sign(signer.signer.privateKey);

describe.each(ED25519_ENGINES)('verifyJws with the %s engine', (engine) => {
  let key: VerifyKey;
  beforeAll(async () => {
    key = await importVerifyKey(signer.record.jwk, engine);
  });
  const code = (jws: string, typ: (typeof TYP)[keyof typeof TYP] = TYP.licenceEntry) =>
    verifyJws(jws, key, typ, 4096).then(
      () => 'ok',
      (error: { code?: string }) => error.code ?? `threw ${String(error)}`,
    );

  it('verifies what signJws signed, returning header and payload', async () => {
    expect(await verifyJws(good, key, TYP.licenceEntry, 4096)).toEqual({
      header: { alg: 'EdDSA', typ: TYP.licenceEntry, kid: signer.signer.kid },
      payload: { hello: '青岛' },
    });
  });

  it('refuses another typ, another algorithm, and unsigned tokens', async () => {
    expect(await code(good, TYP.statusList)).toBe('ERR_ARTIFACT_TYPE');
    const none = new UnsecuredJWT({ hello: 1 }).encode();
    const [, payload] = none.split('.');
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: TYP.licenceEntry, kid: signer.signer.kid }));
    expect(await code(`${header}.${payload}.`)).toBe('ERR_ARTIFACT_TYPE');
    const [, p, s] = good.split('.');
    const es256 = base64url.encode(JSON.stringify({ alg: 'ES256', typ: TYP.licenceEntry, kid: signer.signer.kid }));
    expect(await code(`${es256}.${p}.${s}`)).toBe('ERR_ARTIFACT_TYPE');
  });

  it('refuses header extensions (crit, b64) even when signed', async () => {
    const kid = signer.signer.kid;
    const payload = new TextEncoder().encode('{}');
    expect(await code(await sign({ typ: TYP.licenceEntry, kid, crit: ['b64'], b64: true }, payload))).toBe('ERR_ARTIFACT_MALFORMED');
    expect(await code(await sign({ typ: TYP.licenceEntry, kid, b64: true }, payload))).toBe('ERR_ARTIFACT_MALFORMED');
  });

  it('a wrong key, a changed payload or a short signature is a signature failure', async () => {
    const other = await importVerifyKey((await newKey()).record.jwk, engine);
    await expect(verifyJws(good, other, TYP.licenceEntry, 4096)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_SIGNATURE' });
    const [h, , s] = good.split('.');
    expect(await code(`${h}.${base64url.encode('{"hello":"青岛!"}')}.${s}`)).toBe('ERR_ARTIFACT_SIGNATURE');
    expect(await code(`${h}.${good.split('.')[1]}.${base64url.encode(base64url.decode(s!).subarray(0, 63))}`)).toBe('ERR_ARTIFACT_SIGNATURE');
  });

  it('refuses non-canonical text: spare signature bits, padding, whitespace, extra parts', async () => {
    const [h, p, s] = good.split('.') as [string, string, string];
    const last = B64URL.indexOf(s.at(-1)!);
    expect(last & 0b1111).toBe(0);
    expect(await code(`${h}.${p}.${s.slice(0, -1)}${B64URL[last | 1]}`)).toBe('ERR_ARTIFACT_MALFORMED');
    expect(await code(`${h}.${p}.${s}==`)).toBe('ERR_ARTIFACT_MALFORMED');
    expect(await code(`${h}.${p}.${s.slice(0, 40)} ${s.slice(40)}`)).toBe('ERR_ARTIFACT_MALFORMED');
    expect(await code(`${good}.${s}`)).toBe('ERR_ARTIFACT_MALFORMED');
    expect(await code(`${h}.${p}.${s.slice(0, -1)}`)).toBe('ERR_ARTIFACT_MALFORMED');
  });

  it('decodes the payload once, with the base64 hook when given, and never a non-canonical one', async () => {
    const seen: string[] = [];
    const base64 = (text: string) => (seen.push(text), base64url.decode(text));
    expect((await verifyJws(good, key, TYP.licenceEntry, 4096, { base64 })).payload).toEqual({ hello: '青岛' });
    expect(seen).toEqual([good.split('.')[1]]);
    // Signed as it stands, a payload whose spare bits are set is still refused, undecoded.
    const [h] = good.split('.') as [string];
    const p = base64url.encode('{"a":1}');
    expect(p.length % 4).toBe(2);
    const odd = `${p.slice(0, -1)}${B64URL[B64URL.indexOf(p.at(-1)!) | 1]}`;
    const signature = new Uint8Array(await crypto.subtle.sign('Ed25519', signer.signer.privateKey, new TextEncoder().encode(`${h}.${odd}`)));
    const jws = `${h}.${odd}.${base64url.encode(signature)}`;
    expect(await code(`${h}.${p}.${base64url.encode(signature)}`)).toBe('ERR_ARTIFACT_SIGNATURE');
    await expect(verifyJws(jws, key, TYP.licenceEntry, 4096, { base64 })).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    expect(seen).toHaveLength(1);
    // A hook that fails or returns the wrong length is malformed, never trusted.
    await expect(verifyJws(good, key, TYP.licenceEntry, 4096, { base64: () => new Uint8Array(1) })).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    await expect(verifyJws(good, key, TYP.licenceEntry, 4096, { base64: () => { throw new Error('no'); } })).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
  });

  it('a signed payload that is not JSON is malformed', async () => {
    const jws = await sign({ typ: TYP.licenceEntry, kid: signer.signer.kid }, new Uint8Array([0xff, 0xfe]));
    expect(await code(jws)).toBe('ERR_ARTIFACT_MALFORMED');
  });
});

describe('verifyJws with a WebCrypto key', () => {
  it('refuses one that is not an Ed25519 public verification key', async () => {
    const hmac = await crypto.subtle.importKey('raw', new Uint8Array(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    await expect(verifyJws(good, hmac, TYP.licenceEntry, 4096)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    await expect(verifyJws(good, signer.signer.privateKey, TYP.licenceEntry, 4096)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
  });
});

describe('peekHeader', () => {
  it('refuses oversized input before parsing, and headers without alg, typ or kid', async () => {
    expect(() => peekHeader(good, good.length - 1)).toThrow(expect.objectContaining({ code: 'ERR_ARTIFACT_TOO_LARGE' }));
    expect(peekHeader(good, good.length).kid).toBe(signer.signer.kid);
    const noKid = await sign({ typ: TYP.licenceEntry }, new Uint8Array(0));
    expect(() => peekHeader(noKid, 4096)).toThrow(expect.objectContaining({ code: 'ERR_ARTIFACT_MALFORMED' }));
    expect(() => peekHeader('garbage', 4096)).toThrow(expect.objectContaining({ code: 'ERR_ARTIFACT_MALFORMED' }));
  });
});
