// A shopper's contact (phone, e-mail, WeChat id) is personal data held on a cloud service: the
// edge encrypts it to the programme office's X25519 public key the moment it arrives, so only
// the office, holding the private half, can read it (a compact JWE, ECDH-ES + A256GCM). The
// algorithms are fixed here; the JWE never chooses its own.

import { compactDecrypt, CompactEncrypt, importJWK } from 'jose';
import { QdypError } from './errors.ts';

/** The office's contact key, public half (QDYP_REPORT_KEY_JWK). */
export interface ContactPublicJwk {
  kty: 'OKP';
  crv: 'X25519';
  x: string;
}

export interface ContactPrivateJwk extends ContactPublicJwk {
  d: string;
}

const ALG = 'ECDH-ES';
const ENC = 'A256GCM';
const B64_32 = /^[A-Za-z0-9_-]{43}$/;
/** A contact is at most a few hundred bytes; a JWE far larger is not one of ours. */
const MAX_JWE_CHARS = 4096;

function okpX25519(value: unknown): value is ContactPublicJwk {
  const v = value as Record<string, unknown> | null;
  return typeof v === 'object' && v !== null && v.kty === 'OKP' && v.crv === 'X25519' && typeof v.x === 'string' && B64_32.test(v.x);
}

/** An X25519 public JWK, and not a private one (a `d` must never reach the edge). */
export function isContactPublicJwk(value: unknown): value is ContactPublicJwk {
  return okpX25519(value) && !('d' in (value as object));
}

export function isContactPrivateJwk(value: unknown): value is ContactPrivateJwk {
  return okpX25519(value) && typeof (value as { d?: unknown }).d === 'string' && B64_32.test((value as ContactPrivateJwk).d);
}

/** The public half only, with no other members (what a verifier keeps). */
export function contactPublicJwk(jwk: ContactPublicJwk): ContactPublicJwk {
  return { kty: 'OKP', crv: 'X25519', x: jwk.x };
}

/** Encrypts `text` to the office's public key: a compact JWE only that key's private half opens. */
export async function encryptContact(text: string, officePublicJwk: ContactPublicJwk): Promise<string> {
  if (!isContactPublicJwk(officePublicJwk)) throw new QdypError('ERR_KEY_INVALID', 'the contact key must be an X25519 public JWK (kty OKP, crv X25519, no "d")');
  const key = await importJWK(contactPublicJwk(officePublicJwk), ALG);
  return new CompactEncrypt(new TextEncoder().encode(text)).setProtectedHeader({ alg: ALG, enc: ENC }).encrypt(key);
}

/** The office opens a contact with its private key; any failure is one code, with no detail of the JWE. */
export async function decryptContact(jwe: string, officePrivateJwk: ContactPrivateJwk): Promise<string> {
  if (!isContactPrivateJwk(officePrivateJwk)) throw new QdypError('ERR_KEY_INVALID', 'the contact key must be an X25519 private JWK (kty OKP, crv X25519, with "d")');
  if (typeof jwe !== 'string' || jwe.length > MAX_JWE_CHARS) throw new QdypError('ERR_CONTACT_UNREADABLE', 'the contact is not a JWE this office can open');
  const { kty, crv, x, d } = officePrivateJwk;
  const key = await importJWK({ kty, crv, x, d }, ALG);
  try {
    const { plaintext } = await compactDecrypt(jwe, key, { keyManagementAlgorithms: [ALG], contentEncryptionAlgorithms: [ENC] });
    return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
  } catch {
    throw new QdypError('ERR_CONTACT_UNREADABLE', 'the contact is not a JWE this office can open');
  }
}
