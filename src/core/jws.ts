// Compact JWS with EdDSA only. Each artifact has its own `typ`, so a signature made for one
// kind of document can never be passed off as another (domain separation).

import { CompactSign, decodeProtectedHeader } from 'jose';
import { base64urlDecode, base64urlEncode, decodeCanonicalBase64url, isCanonicalBase64url, type Base64Decode } from './base64url.ts';
import { RawVerifyKey, verifyEd25519, type VerifyKey } from './ed25519.ts';
import { QdypError } from './errors.ts';
import type { Signer } from './keys.ts';

export const TYP = {
  keyList: 'qdyp-key-list+jwt',
  licence: 'qdyp-licence+jwt',
  statusList: 'statuslist+jwt',
  revisionList: 'qdyp-revision-list+jwt',
  licenceEntry: 'qdyp-licence-entry+jwt',
  bundle: 'qdyp-bundle+jwt',
  revokedInspectors: 'qdyp-revoked-inspectors+jwt',
  inspector: 'qdyp-inspector+jwt',
  officeRequest: 'qdyp-office-request+jwt',
} as const;
export type JwsType = (typeof TYP)[keyof typeof TYP];

/** The one algorithm anything here accepts: the token never chooses its own. */
export const ALGORITHMS = ['EdDSA'];

export interface JwsHeader {
  alg: string;
  typ: string;
  kid: string;
  [name: string]: unknown;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export async function signJws(
  payload: unknown,
  typ: JwsType,
  signer: Pick<Signer, 'kid' | 'privateKey'>,
  extraHeader: Record<string, unknown> = {},
): Promise<string> {
  return new CompactSign(encoder.encode(JSON.stringify(payload)))
    .setProtectedHeader({ ...extraHeader, alg: 'EdDSA', typ, kid: signer.kid })
    .sign(signer.privateKey);
}

/**
 * What signJws signs: the ASCII `header.payload`, byte for byte as jose builds it. With
 * assembleJws, for signers other than WebCrypto (a batch import signs with node:crypto).
 */
export function jwsSigningInput(payload: unknown, typ: JwsType, kid: string, extraHeader: Record<string, unknown> = {}): string {
  const header = base64urlEncode(JSON.stringify({ ...extraHeader, alg: 'EdDSA', typ, kid }));
  return `${header}.${base64urlEncode(JSON.stringify(payload))}`;
}

/** The compact JWS from its signing input and the Ed25519 signature over its bytes. */
export function assembleJws(signingInput: string, signature: Uint8Array): string {
  if (signature.length !== 64) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'an Ed25519 signature is 64 bytes');
  return `${signingInput}.${base64urlEncode(signature)}`;
}

/** Reads the header without trusting it: only to choose which trusted key to try. */
export function peekHeader(jws: string, maxBytes: number): JwsHeader {
  if (typeof jws !== 'string' || jws.length > maxBytes) {
    throw new QdypError('ERR_ARTIFACT_TOO_LARGE', `signed document over ${maxBytes} bytes`);
  }
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jws) as Record<string, unknown>;
  } catch {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'not a compact JWS');
  }
  if (typeof header.alg !== 'string' || typeof header.typ !== 'string' || typeof header.kid !== 'string') {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'JWS header lacks alg, typ or kid');
  }
  return header as JwsHeader;
}

/**
 * Verifies signature, algorithm and `typ`, then parses the payload as JSON. Throws
 * QdypError: ERR_ARTIFACT_TYPE, ERR_ARTIFACT_SIGNATURE or ERR_ARTIFACT_MALFORMED.
 */
export async function verifyJws(
  jws: string,
  key: VerifyKey,
  typ: JwsType,
  maxBytes: number,
  options: JwsOptions = {},
): Promise<{ header: JwsHeader; payload: unknown }> {
  const peeked = peekHeader(jws, maxBytes);
  if (peeked.typ !== typ) throw new QdypError('ERR_ARTIFACT_TYPE', `expected typ ${typ}`);
  if (!ALGORITHMS.includes(peeked.alg)) throw new QdypError('ERR_ARTIFACT_TYPE', 'algorithm not allowed');
  // We never issue extensions; refusing them keeps both engines reading the same bytes.
  if ('crit' in peeked || 'b64' in peeked) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'JWS header extensions are not accepted');
  const bytes = await verifyCompactEdDSA(jws, key, options);
  try {
    return { header: peeked, payload: JSON.parse(decoder.decode(bytes)) };
  } catch {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'payload is not JSON');
  }
}

export interface JwsOptions {
  /** How the payload's base64url decodes (default: see decodeCanonicalBase64url). */
  base64?: Base64Decode;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ED25519 = { name: 'Ed25519' } as const;

/**
 * Checks a compact EdDSA JWS's signature over its ASCII `header.payload` and returns the
 * payload bytes, decoded once (with `options.base64` if given). The caller has checked `alg`
 * (and `typ`) already. A WebCrypto key verifies with WebCrypto itself, a noble key with
 * noble; nothing else reads the payload. The signature and the payload must be canonical
 * base64url (spare bits zero), so a signed document has one text. Throws QdypError:
 * ERR_ARTIFACT_SIGNATURE or ERR_ARTIFACT_MALFORMED.
 */
export async function verifyCompactEdDSA(jws: string, key: VerifyKey, options: JwsOptions = {}): Promise<Uint8Array> {
  const parts = jws.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'not a compact JWS');
  const [header, payload, encodedSignature] = parts as [string, string, string];
  // Base64url leaves spare bits in the last character: only zeros, so a signature has one text.
  const signature = isCanonicalBase64url(encodedSignature, true) ? base64urlDecode(encodedSignature) : null;
  if (!signature) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'JWS signature is not canonical base64url');
  const signed = encoder.encode(`${header}.${payload}`);
  if (key instanceof RawVerifyKey) {
    if (!(await verifyEd25519(key, signature, signed))) {
      throw new QdypError('ERR_ARTIFACT_SIGNATURE', 'signature does not verify');
    }
  } else {
    const k = key as Partial<CryptoKey> | null;
    if (k?.algorithm?.name !== 'Ed25519' || k.type !== 'public' || !k.usages?.includes('verify')) {
      throw new QdypError('ERR_ARTIFACT_MALFORMED', 'not an Ed25519 verification key');
    }
    let valid = false;
    try {
      valid = signature.length === 64 && (await crypto.subtle.verify(ED25519, key, signature, signed));
    } catch {
      // As jose: a signature WebCrypto cannot even check is one that does not verify.
    }
    if (!valid) throw new QdypError('ERR_ARTIFACT_SIGNATURE', 'signature does not verify');
  }
  const bytes = await decodeCanonicalBase64url(payload, options.base64, true);
  if (!bytes) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'JWS payload is not canonical base64url');
  return bytes;
}
