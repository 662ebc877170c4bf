// Compact JWS with EdDSA only. Each artifact has its own `typ`, so a signature made for one
// kind of document can never be passed off as another (domain separation).

import { CompactSign, compactVerify, decodeProtectedHeader, errors } from 'jose';
import { QdypError } from './errors.ts';
import type { Signer } from './keys.ts';

export const TYP = {
  keyList: 'qdyp-key-list+jwt',
  licence: 'qdyp-licence+jwt',
  statusList: 'statuslist+jwt',
  register: 'qdyp-register+jwt',
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
  key: CryptoKey,
  typ: JwsType,
  maxBytes: number,
): Promise<{ header: JwsHeader; payload: unknown }> {
  const peeked = peekHeader(jws, maxBytes);
  if (peeked.typ !== typ) throw new QdypError('ERR_ARTIFACT_TYPE', `expected typ ${typ}`);
  if (!ALGORITHMS.includes(peeked.alg)) throw new QdypError('ERR_ARTIFACT_TYPE', 'algorithm not allowed');
  let bytes: Uint8Array;
  try {
    ({ payload: bytes } = await compactVerify(jws, key, { algorithms: ALGORITHMS }));
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      throw new QdypError('ERR_ARTIFACT_SIGNATURE', 'signature does not verify');
    }
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'not a valid JWS');
  }
  try {
    return { header: peeked, payload: JSON.parse(decoder.decode(bytes)) };
  } catch {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'payload is not JSON');
  }
}
