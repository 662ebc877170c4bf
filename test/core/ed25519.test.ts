import { base64url } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultEngine, detectEngine, ED25519_ENGINES, importVerifyKey, RawVerifyKey, signEd25519, verifyEd25519, type PublicJwk } from '../../src/core/index.ts';
import { newKey, type TestKey } from '../support/programme.ts';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
let signer: TestKey;
const data = new TextEncoder().encode('青岛优品');
let signature: Uint8Array<ArrayBuffer>;

beforeAll(async () => {
  signer = await newKey();
  signature = new Uint8Array(await signEd25519(signer.signer.privateKey, data));
});

it('both runtimes we test in have native Ed25519, so WebCrypto is the default engine', async () => {
  expect(await defaultEngine()).toBe('webcrypto');
  expect(await importVerifyKey(signer.record.jwk)).not.toBeInstanceOf(RawVerifyKey);
});

describe('engine detection', () => {
  // Stand-ins for runtimes found in the field: older browsers throw NotSupportedError for
  // Ed25519; a broken one might answer wrongly.
  const withoutEd25519 = {
    importKey: () => Promise.reject(new DOMException('Algorithm: Unrecognized name', 'NotSupportedError')),
    verify: () => Promise.reject(new DOMException('Algorithm: Unrecognized name', 'NotSupportedError')),
  } as unknown as SubtleCrypto;
  const answersWrongly = {
    importKey: crypto.subtle.importKey.bind(crypto.subtle),
    verify: () => Promise.resolve(false),
  } as unknown as SubtleCrypto;

  it('uses WebCrypto where it verifies Ed25519, noble where there is no WebCrypto or no Ed25519 in it', async () => {
    expect(await detectEngine(crypto.subtle)).toBe('webcrypto');
    expect(await detectEngine(undefined)).toBe('noble');
    expect(await detectEngine(withoutEd25519)).toBe('noble');
    expect(await detectEngine(answersWrongly)).toBe('noble');
  });
});

describe.each(ED25519_ENGINES)('the %s engine', (engine) => {
  it('imports the key in its own form and verifies', async () => {
    const key = await importVerifyKey(signer.record.jwk, engine);
    expect(key instanceof RawVerifyKey).toBe(engine === 'noble');
    expect(await verifyEd25519(key, signature, data)).toBe(true);
    expect(await verifyEd25519(key, signature, new TextEncoder().encode('青岛优品.'))).toBe(false);
  });

  it('says false, never throws, for signatures of the wrong length', async () => {
    const key = await importVerifyKey(signer.record.jwk, engine);
    for (const length of [0, 32, 63, 65, 128]) {
      const wrong = new Uint8Array(length);
      wrong.set(signature.subarray(0, Math.min(length, 64)));
      expect(await verifyEd25519(key, wrong, data)).toBe(false);
    }
  });

  it('refuses keys that are not Ed25519 public JWKs with canonical x', async () => {
    const x = signer.record.jwk.x;
    const last = B64URL.indexOf(x.at(-1)!);
    expect(last & 0b11).toBe(0);
    const spareBits = { ...signer.record.jwk, x: `${x.slice(0, -1)}${B64URL[last | 1]}` };
    // The same 32 bytes: a lenient decoder would give the same key under another thumbprint.
    expect(base64url.decode(spareBits.x)).toEqual(base64url.decode(x));
    for (const bad of [spareBits, { ...signer.record.jwk, crv: 'X25519' }, { ...signer.record.jwk, x: `${x}A` }, { kty: 'EC' }]) {
      await expect(importVerifyKey(bad as PublicJwk, engine)).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' });
    }
  });
});
