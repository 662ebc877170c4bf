// The shopper's contact, encrypted at the edge to the office's X25519 key (ECDH-ES + A256GCM).
// Web APIs only: this file runs in Node and in workerd, proving both runtimes' WebCrypto do X25519.
import { decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  contactPublicJwk,
  decryptContact,
  encryptContact,
  isContactPrivateJwk,
  isContactPublicJwk,
  QdypError,
  type ContactPrivateJwk,
  type ContactPublicJwk,
} from '../../src/core/index.ts';

async function officeKey(): Promise<{ publicJwk: ContactPublicJwk; privateJwk: ContactPrivateJwk }> {
  const pair = await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true });
  const privateJwk = (await exportJWK(pair.privateKey)) as ContactPrivateJwk;
  return { privateJwk, publicJwk: contactPublicJwk(privateJwk) };
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof QdypError ? error.code : `not a QdypError: ${String(error)}`;
  }
  return 'no error';
}

let office: Awaited<ReturnType<typeof officeKey>>;
let other: Awaited<ReturnType<typeof officeKey>>;

beforeAll(async () => {
  [office, other] = await Promise.all([officeKey(), officeKey()]);
});

describe('encryptContact / decryptContact', () => {
  it('round-trips a contact, in a compact JWE with the fixed algorithms and a fresh ephemeral key', async () => {
    const contact = '微信 qd_shopper · 138 0000 0000';
    const jwe = await encryptContact(contact, office.publicJwk);
    expect(jwe.split('.')).toHaveLength(5);
    expect(jwe.split('.')[1]).toBe(''); // ECDH-ES direct: no encrypted key
    const header = decodeProtectedHeader(jwe);
    expect(header).toMatchObject({ alg: 'ECDH-ES', enc: 'A256GCM', epk: { kty: 'OKP', crv: 'X25519' } });
    expect(jwe).not.toContain(btoa('138'));
    await expect(decryptContact(jwe, office.privateJwk)).resolves.toBe(contact);
    const again = await encryptContact(contact, office.publicJwk);
    expect(decodeProtectedHeader(again).epk).not.toEqual(header.epk);
  });

  it('fails as unreadable with another office key, a tampered JWE or garbage', async () => {
    const jwe = await encryptContact('13800000000', office.publicJwk);
    expect(await code(decryptContact(jwe, other.privateJwk))).toBe('ERR_CONTACT_UNREADABLE');
    const parts = jwe.split('.');
    parts[3] = parts[3]!.slice(0, -2) + (parts[3]!.endsWith('AA') ? 'BB' : 'AA');
    expect(await code(decryptContact(parts.join('.'), office.privateJwk))).toBe('ERR_CONTACT_UNREADABLE');
    expect(await code(decryptContact('not.a.jwe..', office.privateJwk))).toBe('ERR_CONTACT_UNREADABLE');
    expect(await code(decryptContact('x'.repeat(5000), office.privateJwk))).toBe('ERR_CONTACT_UNREADABLE');
  });

  it('refuses a JWE under another algorithm (the JWE never chooses its own)', async () => {
    const jwe = await encryptContact('x', office.publicJwk);
    const [header, ...rest] = jwe.split('.');
    const swapped = JSON.parse(atob(header!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    swapped.enc = 'A128GCM';
    const forged = btoa(JSON.stringify(swapped)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(await code(decryptContact([forged, ...rest].join('.'), office.privateJwk))).toBe('ERR_CONTACT_UNREADABLE');
  });

  it('checks the key shapes: X25519 only, no private key for encrypting, a private one for decrypting', async () => {
    expect(isContactPublicJwk(office.publicJwk)).toBe(true);
    expect(isContactPublicJwk(office.privateJwk)).toBe(false);
    expect(isContactPrivateJwk(office.privateJwk)).toBe(true);
    expect(isContactPrivateJwk(office.publicJwk)).toBe(false);
    expect(isContactPublicJwk({ ...office.publicJwk, crv: 'Ed25519' })).toBe(false);
    expect(isContactPublicJwk({ ...office.publicJwk, kty: 'EC' })).toBe(false);
    expect(isContactPublicJwk({ kty: 'OKP', crv: 'X25519', x: 'short' })).toBe(false);
    expect(await code(encryptContact('x', office.privateJwk))).toBe('ERR_KEY_INVALID');
    expect(await code(encryptContact('x', { kty: 'OKP', crv: 'Ed25519', x: office.publicJwk.x } as unknown as ContactPublicJwk))).toBe('ERR_KEY_INVALID');
    const jwe = await encryptContact('x', office.publicJwk);
    expect(await code(decryptContact(jwe, office.publicJwk as ContactPrivateJwk))).toBe('ERR_KEY_INVALID');
  });
});
