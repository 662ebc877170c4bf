// Inspector tokens (typ qdyp-inspector+jwt) and the revoked-inspectors list (typ
// qdyp-revoked-inspectors+jwt). A token is a bearer credential a market inspector's device
// presents when it files a report: signed by the active issuing key, lasting at most 90 days,
// naming the inspector (an id, unique, and a name, not) and carrying a random `jti`. A leaked
// token is revoked by that `jti`: the office publishes the ids, never the tokens, in a signed
// list whose `version` only grows, so a verifier never goes back to an older one.

import { cstDate } from './dates.ts';
import { QdypError } from './errors.ts';
import { peekHeader, signJws, TYP, verifyJws } from './jws.ts';
import type { Signer } from './keys.ts';
import { STATUS_LIFETIME_S } from './status-list.ts';
import { MAX_FUTURE_SKEW_MS, verifyIssued, type TrustedKeyList } from './trust-context.ts';

/** A token lasts at most this long: a leaked one stops working by itself. */
export const MAX_INSPECTOR_TOKEN_DAYS = 90;
export const MAX_INSPECTOR_TOKEN_S = MAX_INSPECTOR_TOKEN_DAYS * 24 * 60 * 60;
/** An inspector's name, in characters (a person's name; the QR code stays small). */
export const MAX_INSPECTOR_NAME = 64;
/** Checked before anything is parsed. */
export const MAX_INSPECTOR_TOKEN_BYTES = 2048;
/** As long as a status list lasts: the office republishes both daily. */
export const REVOKED_INSPECTORS_LIFETIME_S = STATUS_LIFETIME_S;
/** Room for tens of thousands of ids (revoked tokens leave the list once expired). */
export const MAX_REVOKED_INSPECTORS_BYTES = 1024 * 1024;

/** What an inspector token carries. */
export interface InspectorClaims {
  iss: 'qdyp';
  /** The token's own random id: what a revocation lists. */
  jti: string;
  /** The inspector's id, unique in the registry (two inspectors may share a name). */
  sub: string;
  name: string;
  iat: number;
  exp: number;
}

export type InspectorTokenProblem = 'malformed' | 'bad_signature' | 'unknown_key' | 'key_compromised' | 'expired' | 'not_yet_valid' | 'revoked';

export type InspectorTokenResult = { ok: true; claims: InspectorClaims } | { ok: false; reason: InspectorTokenProblem };

/** A verified revoked-inspectors list. */
export interface RevokedInspectors {
  /** The number of revocations the office had made when it signed the list: it only grows. */
  version: number;
  iat: number;
  exp: number;
  jtis: ReadonlySet<string>;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const JTI = /^[A-Za-z0-9_-]{16,64}$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** The last second a Date can hold. */
const MAX_DATE_S = 8_640_000_000_000;

function validClaims(value: unknown): value is InspectorClaims {
  const v = value as Partial<InspectorClaims> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.iss === 'qdyp' &&
    typeof v.jti === 'string' &&
    JTI.test(v.jti) &&
    typeof v.sub === 'string' &&
    ID.test(v.sub) &&
    typeof v.name === 'string' &&
    v.name.trim() !== '' &&
    !CONTROL.test(v.name) &&
    [...v.name].length <= MAX_INSPECTOR_NAME &&
    Number.isSafeInteger(v.iat) &&
    Number.isSafeInteger(v.exp) &&
    v.iat! >= 0 &&
    v.exp! > v.iat! &&
    v.exp! <= MAX_DATE_S &&
    v.exp! - v.iat! <= MAX_INSPECTOR_TOKEN_S
  );
}

/** Signs an inspector token. Throws ERR_ARTIFACT_MALFORMED for claims a verifier would refuse. */
export async function signInspectorToken(claims: Omit<InspectorClaims, 'iss'>, signer: Pick<Signer, 'kid' | 'privateKey'>): Promise<string> {
  const payload: InspectorClaims = { iss: 'qdyp', jti: claims.jti, sub: claims.sub, name: claims.name, iat: claims.iat, exp: claims.exp };
  if (!validClaims(payload)) throw new QdypError('ERR_ARTIFACT_MALFORMED', `inspector token claims are malformed (a lifetime over ${MAX_INSPECTOR_TOKEN_DAYS} days, a bad id or name?)`);
  const token = await signJws(payload, TYP.inspector, signer);
  if (token.length > MAX_INSPECTOR_TOKEN_BYTES) throw new QdypError('ERR_ARTIFACT_TOO_LARGE', `inspector token over ${MAX_INSPECTOR_TOKEN_BYTES} bytes`);
  return token;
}

/**
 * The whole policy for an inspector token, in order: parse → key lookup (a key of the trusted
 * key list, which must not have expired at `time`) → signature → claims → key status (not
 * compromised; active or retired, since a rotation must not strand the inspectors) and windows
 * (issued inside the key's signing window, `time` inside its verification window) → the token's
 * own time → the revoked list. A wrong key fails as a signature failure, never as "expired".
 * `revoked` null means no list was at hand: the caller decides whether that may pass.
 */
export async function verifyInspectorToken(
  token: string,
  ctx: { keyList: TrustedKeyList },
  time: Date,
  revoked: RevokedInspectors | null,
): Promise<InspectorTokenResult> {
  const no = (reason: InspectorTokenProblem): InspectorTokenResult => ({ ok: false, reason });
  let kid: string;
  try {
    const header = peekHeader(token, MAX_INSPECTOR_TOKEN_BYTES);
    if (header.typ !== TYP.inspector || header.alg !== 'EdDSA') return no('malformed');
    kid = header.kid;
  } catch {
    return no('malformed');
  }
  const keyList = ctx.keyList;
  if (time.getTime() >= keyList.exp * 1000) return no('unknown_key');
  const key = keyList.byKid.get(kid);
  if (!key) return no('unknown_key');
  let payload: unknown;
  try {
    payload = (await verifyJws(token, key.key, TYP.inspector, MAX_INSPECTOR_TOKEN_BYTES)).payload;
  } catch (error) {
    return no(error instanceof QdypError && error.code === 'ERR_ARTIFACT_SIGNATURE' ? 'bad_signature' : 'malformed');
  }
  if (!validClaims(payload)) return no('malformed');
  if (key.status === 'compromised') return no('key_compromised');
  const issued = cstDate(new Date(payload.iat * 1000));
  // Not a key trusted to sign on that date.
  if (issued < key.signFrom || issued > key.signUntil) return no('unknown_key');
  if (cstDate(time) > key.verifyUntil) return no('expired');
  if (payload.iat * 1000 > time.getTime() + MAX_FUTURE_SKEW_MS) return no('not_yet_valid');
  if (time.getTime() >= payload.exp * 1000) return no('expired');
  if (revoked?.jtis.has(payload.jti)) return no('revoked');
  return { ok: true, claims: { iss: 'qdyp', jti: payload.jti, sub: payload.sub, name: payload.name, iat: payload.iat, exp: payload.exp } };
}

/** Signs the revoked-inspectors list: `version` the office's revocation count, `jtis` the ids. */
export async function signRevokedInspectors(
  list: { version: number; jtis: Iterable<string>; time: Date },
  signer: Pick<Signer, 'kid' | 'privateKey'>,
): Promise<string> {
  if (!Number.isSafeInteger(list.version) || list.version < 0) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'revoked-inspectors version must be a whole number');
  const jtis = [...new Set(list.jtis)].sort();
  if (!jtis.every((jti) => JTI.test(jti))) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'revoked-inspectors list holds something that is not a token id');
  const iat = Math.floor(list.time.getTime() / 1000);
  return signJws({ iss: 'qdyp', version: list.version, iat, exp: iat + REVOKED_INSPECTORS_LIFETIME_S, jtis }, TYP.revokedInspectors, signer);
}

/**
 * Verifies and parses a revoked-inspectors list. Like the status list it must be signed by the
 * key active in `keyList` (a retired key's private half, kept in backups, cannot re-sign an
 * older list) inside its signing window. Refuses a version below `minVersion` (the highest this
 * verifier has accepted: ERR_STATUS_ROLLBACK) and, with `time`, a list that has expired
 * (ERR_ARTIFACT_EXPIRED) or is dated more than 5 minutes ahead (ERR_ARTIFACT_FUTURE). Throws
 * QdypError, also ERR_ARTIFACT_MALFORMED, _TOO_LARGE, _TYPE, _SIGNATURE, _UNKNOWN_KEY,
 * _KEY_COMPROMISED and ERR_KEY_NOT_SIGNING.
 */
export async function parseRevokedInspectors(
  jws: string,
  keyList: TrustedKeyList | null,
  options: { minVersion?: number; time?: Date } = {},
): Promise<RevokedInspectors> {
  const list = await verifyIssued(jws, keyList, TYP.revokedInspectors, MAX_REVOKED_INSPECTORS_BYTES, decodeRevokedInspectors);
  if (options.minVersion !== undefined && list.version < options.minVersion) {
    throw new QdypError('ERR_STATUS_ROLLBACK', `revoked-inspectors list version ${list.version} is older than version ${options.minVersion} already accepted`);
  }
  if (options.time) {
    if (options.time.getTime() >= list.exp * 1000) throw new QdypError('ERR_ARTIFACT_EXPIRED', 'revoked-inspectors list has expired');
    if (list.iat * 1000 > options.time.getTime() + MAX_FUTURE_SKEW_MS) throw new QdypError('ERR_ARTIFACT_FUTURE', "revoked-inspectors list is dated ahead of this verifier's clock");
  }
  return list;
}

function decodeRevokedInspectors(value: unknown): RevokedInspectors {
  const v = value as Record<string, unknown> | null;
  if (
    typeof v !== 'object' ||
    v === null ||
    v.iss !== 'qdyp' ||
    !Number.isSafeInteger(v.version) ||
    (v.version as number) < 0 ||
    !Number.isSafeInteger(v.iat) ||
    !Number.isSafeInteger(v.exp) ||
    (v.iat as number) < 0 ||
    (v.exp as number) <= (v.iat as number) ||
    (v.exp as number) > MAX_DATE_S ||
    !Array.isArray(v.jtis) ||
    !v.jtis.every((jti) => typeof jti === 'string' && JTI.test(jti))
  ) {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'revoked-inspectors list lacks iss, version, iat, exp or jtis');
  }
  return { version: v.version as number, iat: v.iat as number, exp: v.exp as number, jtis: new Set(v.jtis as string[]) };
}
