// Ed25519 strictness against public vectors nobody here wrote (../shared/vectors): Wycheproof,
// RFC 8032 §7.1 and RFC 8037 A.4, through every verification path we ship.
import { base64url, CompactSign, compactVerify, importJWK } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import {
  ED25519_ENGINES,
  importPrivateKey,
  importVerifyKey,
  signEd25519,
  verifyCompactEdDSA,
  verifyEd25519,
  type Ed25519Engine,
  type PrivateJwk,
  type PublicJwk,
} from '../../src/core/index.ts';

const vectors = inject('vectors');
const bytes = (hex: string) => new Uint8Array(hex.match(/../g)?.map((b) => parseInt(b, 16)) ?? []);
const b64 = (hex: string) => base64url.encode(bytes(hex));

describe('public vectors', () => {
  it('are present (required when CI is set)', (context) => {
    if (vectors.present) return;
    if (vectors.required) expect.fail('../shared/vectors is missing, and CI requires the vector tests');
    context.skip('../shared/vectors not found beside the project: vector tests skipped');
  });
});

/** Every Wycheproof verdict through `engine`; returns the tcIds where it disagrees. */
async function wycheproofDisagreements(engine: Ed25519Engine): Promise<{ checked: number; valid: number; disagree: number[] }> {
  let checked = 0;
  let valid = 0;
  const disagree: number[] = [];
  for (const group of vectors.wycheproof) {
    expect(base64url.encode(bytes(group.publicKey.pk))).toBe(group.publicKeyJwk.x);
    const key = await importVerifyKey(group.publicKeyJwk as PublicJwk, engine);
    for (const test of group.tests) {
      const verdict = await verifyEd25519(key, bytes(test.sig), bytes(test.msg));
      checked++;
      if (verdict) valid++;
      if (verdict !== (test.result === 'valid')) disagree.push(test.tcId);
    }
  }
  return { checked, valid, disagree };
}

describe.skipIf(!vectors.present).each(ED25519_ENGINES)('Ed25519 vectors through the %s engine', (engine) => {
  it('agrees with all 151 Wycheproof verdicts', async () => {
    expect(await wycheproofDisagreements(engine)).toEqual({ checked: 151, valid: 88, disagree: [] });
  });

  it.each(vectors.rfc8032.map((v) => [v.name, v] as const))('verifies RFC 8032 %s, and rejects it with one bit flipped', async (_name, v) => {
    const key = await importVerifyKey({ kty: 'OKP', crv: 'Ed25519', x: b64(v.public_key) }, engine);
    expect(await verifyEd25519(key, bytes(v.signature), bytes(v.message))).toBe(true);
    const flipped = bytes(v.signature);
    flipped[7]! ^= 0x10;
    expect(await verifyEd25519(key, flipped, bytes(v.message))).toBe(false);
    const other = new Uint8Array([...bytes(v.message), 0]);
    expect(await verifyEd25519(key, bytes(v.signature), other)).toBe(false);
  });

  it('verifies the RFC 8037 A.4 JWS, and not a tampered one', async () => {
    const { jws, payload, jwk_public } = vectors.rfc8037!;
    const key = await importVerifyKey(jwk_public as unknown as PublicJwk, engine);
    expect(new TextDecoder().decode(await verifyCompactEdDSA(jws, key))).toBe(payload);
    const [h, , s] = jws.split('.');
    await expect(verifyCompactEdDSA(`${h}.${base64url.encode('Example of Ed25519 signinG')}.${s}`, key)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_SIGNATURE' });
  });
});

describe.skipIf(!vectors.present)('Ed25519 signing and jose', () => {
  it.each(vectors.rfc8032.map((v) => [v.name, v] as const))('signs RFC 8032 %s identically', async (_name, v) => {
    const jwk: PrivateJwk = { kty: 'OKP', crv: 'Ed25519', x: b64(v.public_key), d: b64(v.secret_key) };
    const signature = await signEd25519(await importPrivateKey(jwk), bytes(v.message));
    expect(base64url.encode(signature)).toBe(b64(v.signature));
  });

  it('jose verifies the RFC 8037 A.4 example and signs it identically', async () => {
    const { jws, payload, jwk_public, jwk_private } = vectors.rfc8037!;
    const verified = await compactVerify(jws, await importJWK(jwk_public, 'EdDSA'), { algorithms: ['EdDSA'] });
    expect(new TextDecoder().decode(verified.payload)).toBe(payload);
    expect(verified.protectedHeader).toEqual({ alg: 'EdDSA' });
    const signed = await new CompactSign(new TextEncoder().encode(payload))
      .setProtectedHeader({ alg: 'EdDSA' })
      .sign(await importPrivateKey(jwk_private as unknown as PrivateJwk));
    expect(signed).toBe(jws);
  });
});
