// Compact JWS with EdDSA only. Each artifact has its own `typ`, so a signature made for one
// kind of document can never be passed off as another (domain separation).

import { base64url, CompactSign, compactVerify, decodeProtectedHeader, errors } from 'jose';
import { base64urlEncode } from './base64url.ts';
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
): Promise<{ header: JwsHeader; payload: unknown }> {
  const peeked = peekHeader(jws, maxBytes);
  if (peeked.typ !== typ) throw new QdypError('ERR_ARTIFACT_TYPE', `expected typ ${typ}`);
  if (!ALGORITHMS.includes(peeked.alg)) throw new QdypError('ERR_ARTIFACT_TYPE', 'algorithm not allowed');
  // We never issue extensions; refusing them keeps both engines reading the same bytes.
  if ('crit' in peeked || 'b64' in peeked) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'JWS header extensions are not accepted');
  const bytes = await verifyCompactEdDSA(jws, key);
  try {
    return { header: peeked, payload: JSON.parse(decoder.decode(bytes)) };
  } catch {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'payload is not JSON');
  }
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Checks a compact EdDSA JWS's signature over its ASCII `header.payload` and returns the
 * payload bytes. The caller has checked `alg` (and `typ`) already. With a WebCrypto key this is
 * jose's compactVerify; with a noble key the same check by hand. Throws QdypError:
 * ERR_ARTIFACT_SIGNATURE or ERR_ARTIFACT_MALFORMED.
 */
export async function verifyCompactEdDSA(jws: string, key: VerifyKey): Promise<Uint8Array> {
  const parts = jws.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'not a compact JWS');
  const [header, payload, encodedSignature] = parts as [string, string, string];
  const signature = decodeCanonical(encodedSignature);
  // Base64url leaves spare bits in the last character: only zeros, so a signature has one text.
  if (!signature) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'JWS signature is not canonical base64url');
  if (key instanceof RawVerifyKey) {
    if (!(await verifyEd25519(key, signature, encoder.encode(`${header}.${payload}`)))) {
      throw new QdypError('ERR_ARTIFACT_SIGNATURE', 'signature does not verify');
    }
  } else {
    try {
      await compactVerify(jws, key, { algorithms: ALGORITHMS });
    } catch (error) {
      if (error instanceof errors.JWSSignatureVerificationFailed) {
        throw new QdypError('ERR_ARTIFACT_SIGNATURE', 'signature does not verify');
      }
      throw new QdypError('ERR_ARTIFACT_MALFORMED', 'not a valid JWS');
    }
  }
  const bytes = decodeCanonical(payload);
  if (!bytes) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'JWS payload is not canonical base64url');
  return bytes;
}

function decodeCanonical(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    const bytes = new Uint8Array(base64url.decode(text));
    return base64url.encode(bytes) === text ? bytes : null;
  } catch {
    return null;
  }
}
