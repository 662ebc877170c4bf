// The key list: the issuing keys as a JWKS, each with status and windows, signed by the
// root key. It is the only way a verifier comes to trust an issuing key.

import { isCalendarDate } from './dates.ts';
import { importVerifyKey, type Ed25519Engine, type VerifyKey } from './ed25519.ts';
import { QdypError } from './errors.ts';
import { signJws, TYP, verifyJws } from './jws.ts';
import { isPublicJwk, keyId, KEY_STATUSES, publicJwk, shortId, type IssuingKey, type KeyRole, type PublicJwk, type Signer } from './keys.ts';

export const KEY_LIST_LIFETIME_S = 365 * 24 * 60 * 60;
const MAX_KEY_LIST_BYTES = 64 * 1024;

export interface KeyList {
  version: number;
  iat: number;
  exp: number;
  keys: IssuingKey[];
}

/** One entry of the published JWKS: a public JWK plus qdyp's members. */
interface KeyListEntry extends PublicJwk {
  kid: string;
  sid: string;
  status: IssuingKey['status'];
  signFrom: string;
  signUntil: string;
  verifyUntil: string;
  /** Only on log keys: a key without it is an issuing key. */
  role?: KeyRole;
}

export interface RootTrust {
  kid: string;
  key: VerifyKey;
}

/** The pinned root, ready to verify key lists (engine: see ed25519.ts; default detected). */
export async function rootTrust(jwk: PublicJwk, engine?: Ed25519Engine): Promise<RootTrust> {
  return { kid: await keyId(jwk), key: await importVerifyKey(jwk, engine) };
}

export async function signKeyList(
  keys: IssuingKey[],
  version: number,
  time: Date,
  root: Pick<Signer, 'kid' | 'privateKey'>,
): Promise<string> {
  if (!Number.isSafeInteger(version) || version < 1) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'key list version must be a positive integer');
  const iat = Math.floor(time.getTime() / 1000);
  const entries: KeyListEntry[] = keys.map((k) => ({
    ...publicJwk(k.jwk),
    kid: k.kid,
    sid: k.sid,
    status: k.status,
    signFrom: k.signFrom,
    signUntil: k.signUntil,
    verifyUntil: k.verifyUntil,
    ...(k.role && k.role !== 'issue' ? { role: k.role } : {}),
  }));
  return signJws({ iss: 'qdyp', version, iat, exp: iat + KEY_LIST_LIFETIME_S, keys: entries }, TYP.keyList, root);
}

export interface KeyListCheck {
  /** Refuse versions below this (the highest version this verifier has seen). */
  minVersion?: number;
  /** Refuse the list if it has expired at this instant. */
  time?: Date;
}

/**
 * Verifies a key list against the pinned root. Throws QdypError when it is not signed by the
 * root, is malformed, lists a key whose kid is not its thumbprint, has expired (with `time`),
 * or goes back below `minVersion`.
 */
export async function verifyKeyList(jws: string, root: RootTrust, check: KeyListCheck = {}): Promise<KeyList> {
  const { header, payload } = await verifyJws(jws, root.key, TYP.keyList, MAX_KEY_LIST_BYTES);
  if (header.kid !== root.kid) throw new QdypError('ERR_ARTIFACT_UNKNOWN_KEY', 'key list not signed by the pinned root');
  const p = payload as Record<string, unknown>;
  if (!Number.isSafeInteger(p.version) || !Number.isSafeInteger(p.iat) || !Number.isSafeInteger(p.exp) || !Array.isArray(p.keys)) {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'key list lacks version, iat, exp or keys');
  }
  const list: KeyList = { version: p.version as number, iat: p.iat as number, exp: p.exp as number, keys: [] };
  if (check.minVersion !== undefined && list.version < check.minVersion) {
    throw new QdypError('ERR_KEY_LIST_ROLLBACK', `key list version ${list.version} is older than version ${check.minVersion} already seen`);
  }
  if (check.time && check.time.getTime() >= list.exp * 1000) throw new QdypError('ERR_ARTIFACT_EXPIRED', 'key list has expired');
  for (const raw of p.keys as unknown[]) {
    const key = await parseEntry(raw);
    if (key) list.keys.push(key);
  }
  return list;
}

/** A listed key, or null for one whose role this verifier does not know (trusted for nothing). */
async function parseEntry(raw: unknown): Promise<IssuingKey | null> {
  const e = raw as Record<string, unknown>;
  if (
    !isPublicJwk(e) ||
    typeof e.kid !== 'string' ||
    !KEY_STATUSES.includes(e.status as IssuingKey['status']) ||
    !isCalendarDate(e.signFrom) ||
    !isCalendarDate(e.signUntil) ||
    !isCalendarDate(e.verifyUntil)
  ) {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'key list entry is malformed');
  }
  const kid = await keyId(e);
  if (kid !== e.kid || shortId(kid) !== e.sid) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'key list entry kid is not its thumbprint');
  if (e.role !== undefined && e.role !== 'log') {
    if (typeof e.role !== 'string' || e.role === 'issue') throw new QdypError('ERR_ARTIFACT_MALFORMED', 'key list entry role is malformed');
    return null;
  }
  return {
    kid,
    sid: shortId(kid),
    jwk: publicJwk(e),
    status: e.status as IssuingKey['status'],
    signFrom: e.signFrom,
    signUntil: e.signUntil,
    verifyUntil: e.verifyUntil,
    ...(e.role === 'log' ? { role: 'log' as const } : {}),
  };
}
