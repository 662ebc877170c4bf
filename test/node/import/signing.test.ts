// The import signs with node:crypto, on a worker thread, from the core's signing inputs. Ed25519
// is deterministic, so the seals and licence documents must be byte for byte what the core's
// WebCrypto functions (createSeal, signJws through jose) make with the same key.
import { createPrivateKey, sign } from 'node:crypto';
import fc from 'fast-check';
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { base64urlEncode } from '../../../src/core/base64url.ts';
import {
  addDays,
  assembleJws,
  assembleSeal,
  createSeal,
  generateKeyPair,
  jwsSigningInput,
  MAX_SERIAL,
  sealSigningInput,
  signerFor,
  signJws,
  TYP,
  type JwsType,
} from '../../../src/core/index.ts';
import { BatchSigner } from '../../../src/node/import/batch-signer.ts';

async function keys() {
  const jwk = await generateKeyPair();
  return { signer: await signerFor(jwk), keyObject: createPrivateKey({ key: { ...jwk }, format: 'jwk' }) };
}

const TYPES = Object.values(TYP) as JwsType[];

describe('signing outside WebCrypto', () => {
  it('a seal from sealSigningInput + node:crypto + assembleSeal is createSeal, byte for byte', async () => {
    const { signer, keyObject } = await keys();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: MAX_SERIAL }), fc.integer({ min: 0, max: 0xffff }), async (serial, days) => {
        const fields = { serial, horizon: addDays('2020-01-01', days) };
        const input = sealSigningInput({ ...fields, sid: signer.sid });
        expect(assembleSeal(input, sign(null, input, keyObject))).toBe(await createSeal(fields, signer));
      }),
      { numRuns: 200 },
    );
  });

  it('a JWS from jwsSigningInput + node:crypto + assembleJws is jose CompactSign, byte for byte', async () => {
    const { signer, keyObject } = await keys();
    const text = fc.string({ unit: 'binary', maxLength: 40 }); // any code points, emoji and CJK included
    const payload = fc.dictionary(text, fc.oneof(text, fc.integer(), fc.array(text, { maxLength: 4 }), fc.constant(null)), { maxKeys: 8 });
    await fc.assert(
      fc.asyncProperty(payload, fc.constantFrom(...TYPES), fc.dictionary(fc.constantFrom('cty', 'x5u', 'jku'), text), async (claims, typ, extra) => {
        const input = jwsSigningInput(claims, typ, signer.kid, extra);
        const made = assembleJws(input, sign(null, new TextEncoder().encode(input), keyObject));
        expect(made).toBe(await signJws(claims, typ, signer, extra));
      }),
      { numRuns: 200 },
    );
  });

  it('base64urlEncode is jose base64url.encode, for bytes and for text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 60 }), (bytes, text) => {
        expect(base64urlEncode(bytes)).toBe(base64url.encode(bytes));
        expect(base64urlEncode(text)).toBe(base64url.encode(text));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses to assemble a signature that is not 64 bytes', async () => {
    const { signer } = await keys();
    const input = sealSigningInput({ sid: signer.sid, serial: 1, horizon: '2040-01-01' });
    expect(() => assembleSeal(input, new Uint8Array(63))).toThrow(/64 bytes/);
    expect(() => assembleJws('a.b', new Uint8Array(65))).toThrow(/64 bytes/);
  });
});

describe('BatchSigner', () => {
  it('returns node:crypto signatures for every message, batch after batch, in order', async () => {
    const { keyObject } = await keys();
    const signing = new BatchSigner(keyObject);
    try {
      const batches = [0, 1, 2].map((b) => Array.from({ length: 50 + b }, (_, i) => new TextEncoder().encode(`${b}/${i}/${'青'.repeat(i)}`)));
      const results = await Promise.all(batches.map((messages) => signing.sign(messages)));
      results.forEach((signatures, b) => {
        expect(signatures.map((s) => Buffer.from(s).toString('hex'))).toEqual(batches[b]!.map((m) => sign(null, m, keyObject).toString('hex')));
      });
      expect(await signing.sign([])).toEqual([]);
    } finally {
      await signing.close();
    }
    await expect(signing.sign([new Uint8Array(1)])).rejects.toThrow(/signing thread stopped/);
  });
});
