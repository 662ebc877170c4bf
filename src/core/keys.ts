// Ed25519 keys: the root key (signs only the key list) and issuing keys (sign seals, licence
// documents, status lists, licence entries). A key's id is its RFC 7638 thumbprint; seals carry a
// 4-byte short id taken from the front of that thumbprint.

import { base64url, calculateJwkThumbprint } from 'jose';
import { addYears, cstDate, type CalendarDate } from './dates.ts';
import { QdypError } from './errors.ts';

export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
}

export interface PrivateJwk extends PublicJwk {
  d: string;
}

export type KeyStatus = 'active' | 'retired' | 'compromised';
/**
 * What a listed key is for: `issue` (seals, licence documents, lists, licence entries) or `log`
 * (the transparency log's checkpoints, and nothing else). The key list names a log key's role;
 * a key without one is an issuing key (key lists signed before the log carry none).
 */
export type KeyRole = 'issue' | 'log';
export const KEY_ROLES: readonly KeyRole[] = ['issue', 'log'];
export const KEY_STATUSES: readonly KeyStatus[] = ['active', 'retired', 'compromised'];

/** An issuing key as the key list publishes it: public part, status and windows. */
export interface IssuingKey {
  kid: string;
  sid: string;
  jwk: PublicJwk;
  status: KeyStatus;
  /** First CST date the key may sign. */
  signFrom: CalendarDate;
  /** Last CST date the key may sign (default: two years on; rotate yearly). */
  signUntil: CalendarDate;
  /** Last CST date anything it signed verifies (default: twenty years: seals sit on shelves). */
  verifyUntil: CalendarDate;
  /** Absent: an issuing key. */
  role?: KeyRole;
}

/** A listed key's role (absent means `issue`). */
export function keyRole(key: Pick<IssuingKey, 'role'>): KeyRole {
  return key.role ?? 'issue';
}

/** What signs: the private key plus the ids a signature names. */
export interface Signer {
  kid: string;
  sid: string;
  privateKey: CryptoKey;
}

export const SIGNING_YEARS = 2;
export const VERIFICATION_YEARS = 20;
const ED25519 = { name: 'Ed25519' } as const;

export function publicJwk(jwk: PublicJwk | PrivateJwk): PublicJwk {
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
}

export function isPublicJwk(value: unknown): value is PublicJwk {
  const v = value as Record<string, unknown> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.kty === 'OKP' &&
    v.crv === 'Ed25519' &&
    typeof v.x === 'string' &&
    /^[A-Za-z0-9_-]{43}$/.test(v.x)
  );
}

export function isPrivateJwk(value: unknown): value is PrivateJwk {
  return isPublicJwk(value) && typeof (value as { d?: unknown }).d === 'string' && /^[A-Za-z0-9_-]{43}$/.test((value as PrivateJwk).d);
}

export async function keyId(jwk: PublicJwk): Promise<string> {
  return calculateJwkThumbprint(publicJwk(jwk), 'sha256');
}

/** The seal's short key id: the first four bytes of the thumbprint, as 8 hex digits. */
export function shortId(kid: string): string {
  const bytes = base64url.decode(kid).subarray(0, 4);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function generateKeyPair(): Promise<PrivateJwk> {
  const pair = (await crypto.subtle.generateKey(ED25519, true, ['sign', 'verify'])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey;
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x!, d: jwk.d! };
}

export async function importPrivateKey(jwk: PrivateJwk): Promise<CryptoKey> {
  if (!isPrivateJwk(jwk)) throw new QdypError('ERR_KEY_INVALID', 'not an Ed25519 private JWK');
  return crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d }, ED25519, false, ['sign']);
}

export async function signerFor(jwk: PrivateJwk): Promise<Signer> {
  const kid = await keyId(jwk);
  return { kid, sid: shortId(kid), privateKey: await importPrivateKey(jwk) };
}

/** A new issuing key's published record with DESIGN §3's default windows from `time`. */
export async function describeIssuingKey(
  jwk: PublicJwk,
  time: Date,
  years: { signing?: number; verification?: number } = {},
  role: KeyRole = 'issue',
): Promise<IssuingKey> {
  const kid = await keyId(jwk);
  const today = cstDate(time);
  return {
    kid,
    sid: shortId(kid),
    jwk: publicJwk(jwk),
    status: 'active',
    signFrom: today,
    signUntil: addYears(today, years.signing ?? SIGNING_YEARS),
    verifyUntil: addYears(today, years.verification ?? VERIFICATION_YEARS),
    ...(role === 'issue' ? {} : { role }),
  };
}

export async function signEd25519(key: CryptoKey, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign(ED25519, key, data));
}
