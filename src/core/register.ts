// The register: the public details of every licence, keyed by serial, signed by an issuing
// key. Pages and offline inspectors show what the seal itself does not carry.

import { QdypError } from './errors.ts';
import { signJws, TYP } from './jws.ts';
import type { Signer } from './keys.ts';
import { LICENCE_STATUSES, parseLicenceDetails, type LicenceDetails, type LicenceStatus } from './licence.ts';
import { STATUS_LIFETIME_S } from './status-list.ts';

export interface RegisterEntry extends LicenceDetails {
  status: LicenceStatus;
  statusReason: string | null;
  /** ISO-8601 UTC instant of the last status change. */
  statusChangedAt: string;
}

export interface Register {
  iat: number;
  exp: number;
  entries: Map<number, RegisterEntry>;
}

export async function signRegister(
  entries: Iterable<[number, RegisterEntry]>,
  time: Date,
  signer: Pick<Signer, 'kid' | 'privateKey'>,
): Promise<string> {
  const iat = Math.floor(time.getTime() / 1000);
  const licences: Record<string, RegisterEntry> = {};
  for (const [serial, entry] of entries) licences[String(serial)] = entry;
  return signJws({ iss: 'qdyp', iat, exp: iat + STATUS_LIFETIME_S, licences }, TYP.register, signer);
}

export function decodeRegisterClaims(value: unknown): Register {
  const v = value as { iat?: unknown; exp?: unknown; licences?: unknown } | null;
  if (typeof v !== 'object' || v === null || !Number.isSafeInteger(v.iat) || !Number.isSafeInteger(v.exp) || typeof v.licences !== 'object' || v.licences === null) {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'register lacks iat, exp or licences');
  }
  const entries = new Map<number, RegisterEntry>();
  for (const [key, raw] of Object.entries(v.licences as Record<string, unknown>)) {
    const serial = Number(key);
    const r = raw as Record<string, unknown>;
    if (
      !/^(0|[1-9]\d{0,9})$/.test(key) ||
      !LICENCE_STATUSES.includes(r?.status as LicenceStatus) ||
      !(r.statusReason === null || typeof r.statusReason === 'string') ||
      typeof r.statusChangedAt !== 'string'
    ) {
      throw new QdypError('ERR_ARTIFACT_MALFORMED', 'register entry is malformed');
    }
    entries.set(serial, {
      ...parseLicenceDetails(r),
      status: r.status as LicenceStatus,
      statusReason: r.statusReason as string | null,
      statusChangedAt: r.statusChangedAt,
    });
  }
  return { iat: v.iat as number, exp: v.exp as number, entries };
}
