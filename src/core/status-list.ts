// The programme's status list: an IETF Token Status List JWT with 2 bits per licence
// (0 valid, 1 revoked, 2 suspended). @sd-jwt/jwt-status-list does the encoding.

import { createHeaderAndPayload, StatusList } from '@sd-jwt/jwt-status-list';
import { QdypError } from './errors.ts';
import { signJws, TYP } from './jws.ts';
import type { Signer } from './keys.ts';
import type { LicenceStatus } from './licence.ts';

export const STATUS_BITS = 2;
export const STATUS_VALUE: Record<LicenceStatus, number> = { valid: 0, revoked: 1, suspended: 2 };
/** Verifiers may cache the list this long (seconds). */
export const STATUS_TTL_S = 60;
/** Two weeks of slack: a long holiday without a publish still verifies. */
export const STATUS_LIFETIME_S = 14 * 24 * 60 * 60;

export interface StatusListClaims {
  sub: string;
  iat: number;
  exp: number;
  ttl: number;
  status_list: { bits: number; lst: string };
}

/**
 * Signs the status list. `statuses[i]` is the status of serial i; the list is as long as the
 * highest serial + 1 (at least one entry).
 */
export async function signStatusList(
  statuses: ArrayLike<number>,
  options: { uri: string; time: Date },
  signer: Pick<Signer, 'kid' | 'privateKey'>,
): Promise<string> {
  const values = Array.from({ length: Math.max(1, statuses.length) }, (_, i) => statuses[i] ?? 0);
  const iat = Math.floor(options.time.getTime() / 1000);
  const { payload } = createHeaderAndPayload(
    new StatusList(values, STATUS_BITS),
    { sub: options.uri, iat, exp: iat + STATUS_LIFETIME_S, ttl: STATUS_TTL_S },
    { alg: 'EdDSA', typ: TYP.statusList },
  );
  return signJws(payload, TYP.statusList, signer);
}

export interface DecodedStatusList {
  iat: number;
  /** `iat` as ISO-8601 UTC: what verdicts report as "status as of". */
  asOf: string;
  exp: number;
  ttl: number;
  list: StatusList;
}

export function decodeStatusListClaims(value: unknown): DecodedStatusList {
  const v = value as Partial<StatusListClaims> | null;
  if (
    typeof v !== 'object' ||
    v === null ||
    !Number.isSafeInteger(v.iat) ||
    !Number.isSafeInteger(v.exp) ||
    v.status_list?.bits !== STATUS_BITS ||
    typeof v.status_list.lst !== 'string'
  ) {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'status list lacks iat, exp or a 2-bit list');
  }
  let list: StatusList;
  try {
    list = StatusList.decompressStatusList(v.status_list.lst, STATUS_BITS);
  } catch {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'status list does not decompress');
  }
  const ttl = Number.isSafeInteger(v.ttl) && (v.ttl as number) > 0 ? (v.ttl as number) : STATUS_TTL_S;
  const asOf = new Date((v.iat as number) * 1000);
  if (Number.isNaN(asOf.getTime())) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'status list iat is out of range');
  return { iat: v.iat as number, asOf: asOf.toISOString(), exp: v.exp as number, ttl, list };
}

/** The status at `index`, or null when the list does not cover it. */
export function statusAt(decoded: DecodedStatusList, index: number): number | null {
  return index < decoded.list.statusList.length ? decoded.list.getStatus(index) : null;
}
