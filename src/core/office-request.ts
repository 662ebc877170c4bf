// Office requests (typ qdyp-office-request+jwt): how the office authenticates itself to the
// edge's reports inbox (GET /api/v1/reports, the photo, POST /api/v1/reports/ack) with no
// shared secret anywhere. Each request carries a short-lived JWS signed by the office's active
// issuing key and bound to the request's method, path (with its query, so the cursor) and a
// random nonce; the edge verifies it under the key list it already trusts and remembers the
// nonce, so a request seen once cannot be replayed.

import { base64urlEncode } from './base64url.ts';
import { cstDate } from './dates.ts';
import { QdypError } from './errors.ts';
import { peekHeader, signJws, TYP, verifyJws } from './jws.ts';
import type { Signer } from './keys.ts';
import type { TrustedKeyList } from './trust-context.ts';

/** How far a request's `iat` may be from the edge's clock, either way. */
export const OFFICE_REQUEST_SKEW_S = 5 * 60;
/** How long the edge must remember a nonce: past any `iat` it would still accept. */
export const OFFICE_NONCE_TTL_S = 10 * 60;
export const MAX_OFFICE_REQUEST_BYTES = 4096;
export const MAX_OFFICE_PATH = 1024;

/** 128 random bits, base64url (22 characters). */
const NONCE = /^[A-Za-z0-9_-]{22}$/;
const METHOD = /^[A-Z]{1,16}$/;

export interface OfficeRequestClaims {
  iss: 'qdyp';
  htm: string;
  htu: string;
  iat: number;
  nonce: string;
}

export interface OfficeRequest {
  method: string;
  /** The path with its query, exactly as sent: `/api/v1/reports?after=12&limit=100`. */
  path: string;
}

export type OfficeRequestProblem = 'malformed' | 'bad_signature' | 'unknown_key' | 'key_compromised' | 'key_not_signing' | 'wrong_request' | 'stale' | 'future';

export type OfficeRequestResult = { ok: true; nonce: string; iat: number } | { ok: false; reason: OfficeRequestProblem };

function validClaims(value: unknown): value is OfficeRequestClaims {
  const v = value as Partial<OfficeRequestClaims> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.iss === 'qdyp' &&
    typeof v.htm === 'string' &&
    METHOD.test(v.htm) &&
    typeof v.htu === 'string' &&
    validPath(v.htu) &&
    Number.isSafeInteger(v.iat) &&
    v.iat! >= 0 &&
    typeof v.nonce === 'string' &&
    NONCE.test(v.nonce)
  );
}

function validPath(path: string): boolean {
  return path.startsWith('/') && path.length <= MAX_OFFICE_PATH && /^[\x21-\x7e]+$/.test(path);
}

/** A fresh nonce: 128 random bits, base64url. */
export function officeNonce(): string {
  return base64urlEncode(crypto.getRandomValues(new Uint8Array(16)));
}

/** Signs an office request. Throws ERR_ARTIFACT_MALFORMED for a request no edge would accept. */
export async function signOfficeRequest(
  request: OfficeRequest & { nonce: string; time: Date },
  signer: Pick<Signer, 'kid' | 'privateKey'>,
): Promise<string> {
  const payload: OfficeRequestClaims = {
    iss: 'qdyp',
    htm: request.method.toUpperCase(),
    htu: request.path,
    iat: Math.floor(request.time.getTime() / 1000),
    nonce: request.nonce,
  };
  if (!validClaims(payload)) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'office request is malformed (a path not starting with /, a nonce not 128 bits of base64url?)');
  return signJws(payload, TYP.officeRequest, signer);
}

/**
 * The whole policy for an office request, in order: parse → key lookup (a key of the trusted
 * key list, which must not have expired) → signature → claims → key status (active only: a
 * retired key's private half sits in backups, a compromised one anywhere) and its signing
 * window → bound to this request (method, path with query) → `iat` within five minutes of
 * `time`. The caller then uses the nonce once (until iat + OFFICE_NONCE_TTL_S).
 */
export async function verifyOfficeRequest(jws: string, ctx: { keyList: TrustedKeyList }, request: OfficeRequest & { time: Date }): Promise<OfficeRequestResult> {
  const no = (reason: OfficeRequestProblem): OfficeRequestResult => ({ ok: false, reason });
  let kid: string;
  try {
    const header = peekHeader(jws, MAX_OFFICE_REQUEST_BYTES);
    if (header.typ !== TYP.officeRequest || header.alg !== 'EdDSA') return no('malformed');
    kid = header.kid;
  } catch {
    return no('malformed');
  }
  const now = request.time.getTime();
  if (now >= ctx.keyList.exp * 1000) return no('unknown_key');
  const key = ctx.keyList.byKid.get(kid);
  if (!key) return no('unknown_key');
  let payload: unknown;
  try {
    payload = (await verifyJws(jws, key.key, TYP.officeRequest, MAX_OFFICE_REQUEST_BYTES)).payload;
  } catch (error) {
    return no(error instanceof QdypError && error.code === 'ERR_ARTIFACT_SIGNATURE' ? 'bad_signature' : 'malformed');
  }
  if (!validClaims(payload)) return no('malformed');
  if (key.status === 'compromised') return no('key_compromised');
  if (key.status !== 'active') return no('key_not_signing');
  const issued = cstDate(new Date(payload.iat * 1000));
  if (issued < key.signFrom || issued > key.signUntil) return no('key_not_signing');
  if (payload.htm !== request.method.toUpperCase() || payload.htu !== request.path) return no('wrong_request');
  if (payload.iat * 1000 < now - OFFICE_REQUEST_SKEW_S * 1000) return no('stale');
  if (payload.iat * 1000 > now + OFFICE_REQUEST_SKEW_S * 1000) return no('future');
  return { ok: true, nonce: payload.nonce, iat: payload.iat };
}
