// A licence's published entry: its public details (what pages and offline inspectors show and
// the seal does not carry), one immutable JWS per revision, stored as `licence/{serial}/{r}`
// with r = revision mod 256. The revision list names the current r of every serial, so a
// verifier reads one small entry per scan whatever the programme's size, and an old entry
// replayed in place of the current one fails the revision check.

import { cstDate } from './dates.ts';
import { QdypError } from './errors.ts';
import { jwsSigningInput, peekHeader, signJws, TYP, verifyJws } from './jws.ts';
import type { Signer } from './keys.ts';
import { LICENCE_STATUSES, parseLicenceDetails, type Holder, type LicenceDetails, type LicenceStatus } from './licence.ts';
import type { EntryLookup, TrustedKeyList } from './trust-context.ts';

/** The published public details of one licence. */
export interface LicenceEntry extends LicenceDetails {
  holder: Holder & { address: string | null };
  /** The registry's view when signed; the status list is the authority on status. */
  status: LicenceStatus;
  statusReason: string | null;
  /** ISO-8601 UTC instant of the last status change. */
  statusChangedAt: string;
  /**
   * The transparency log entry of the licence's latest event, from the entry JWS's `log` claim
   * (absent for entries published before the log). Not one of the canonical members: bundles and
   * documents never carry it.
   */
  logIndex?: number;
}

/** What a licence entry JWS (typ qdyp-licence-entry+jwt) carries. */
export interface LicenceEntryClaims {
  iss: 'qdyp';
  iat: number;
  serial: number;
  /** The licence's full detail revision (≥ 1); the revision list carries it mod 256. */
  rev: number;
  /** The index of the licence's latest event in the transparency log (see log-entry.ts). */
  log?: number;
  licence: LicenceEntry;
}

/** Checked before anything is parsed. */
export const MAX_LICENCE_ENTRY_BYTES = 64 * 1024;

/** The store key of a licence's entry for revision-list value `value` (= revision mod 256). */
export function licenceEntryKey(serial: number, value: number): string {
  return `licence/${serial}/${value}`;
}

/** The entry's members in their one published order, and nothing else (no stray fields). */
export function canonicalLicenceEntry(e: LicenceEntry): LicenceEntry {
  return {
    number: e.number,
    holder: { name: e.holder.name, uscc: e.holder.uscc, address: e.holder.address ?? null },
    tier: e.tier,
    sector: e.sector,
    chain: e.chain,
    region: e.region,
    products: e.products,
    trademarks: e.trademarks,
    validFrom: e.validFrom,
    validUntil: e.validUntil,
    status: e.status,
    statusReason: e.statusReason,
    statusChangedAt: e.statusChangedAt,
  };
}

function entryClaims(entry: LicenceEntry, serial: number, rev: number, iat: number, log: number | null | undefined): LicenceEntryClaims {
  if (!Number.isSafeInteger(serial) || serial < 0) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'serial must be a non-negative integer');
  if (!Number.isSafeInteger(rev) || rev < 1) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'revision must be a positive integer');
  if (log !== null && log !== undefined && !(Number.isSafeInteger(log) && log >= 0)) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'a log index must be a non-negative integer');
  const claims: LicenceEntryClaims = { iss: 'qdyp', iat, serial, rev, licence: canonicalLicenceEntry(entry) };
  return log === null || log === undefined ? claims : { iss: 'qdyp', iat, serial, rev, log, licence: claims.licence };
}

export async function signLicenceEntry(
  entry: LicenceEntry,
  at: { serial: number; rev: number; time: Date; log?: number | null },
  signer: Pick<Signer, 'kid' | 'privateKey'>,
): Promise<string> {
  return signJws(entryClaims(entry, at.serial, at.rev, Math.floor(at.time.getTime() / 1000), at.log), TYP.licenceEntry, signer);
}

/**
 * What signLicenceEntry signs, byte for byte (see jwsSigningInput); finish it with
 * assembleJws. For signers other than WebCrypto (the Node publisher signs with node:crypto).
 */
export function licenceEntrySigningInput(entry: LicenceEntry, at: { serial: number; rev: number; iat: number; log?: number | null }, kid: string): string {
  return jwsSigningInput(entryClaims(entry, at.serial, at.rev, at.iat, at.log), TYP.licenceEntry, kid);
}

/** Checks the shape of a licence entry from any signed source; throws ERR_ARTIFACT_MALFORMED. */
export function parseLicenceEntry(value: unknown): LicenceEntry {
  const details = parseLicenceDetails(value);
  const v = value as Record<string, unknown>;
  const address = (v.holder as Record<string, unknown>).address;
  if (
    !(address === null || typeof address === 'string') ||
    !LICENCE_STATUSES.includes(v.status as LicenceStatus) ||
    !(v.statusReason === null || typeof v.statusReason === 'string') ||
    typeof v.statusChangedAt !== 'string'
  ) {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'licence entry is malformed');
  }
  return {
    ...details,
    holder: { ...details.holder, address },
    status: v.status as LicenceStatus,
    statusReason: v.statusReason as string | null,
    statusChangedAt: v.statusChangedAt,
  };
}

/**
 * Verifies a licence entry and returns its licence. Trusted only when signed by a listed key
 * that is not compromised (active or retired: a retired key still vouches for what it signed),
 * dated inside that key's signing window, the key's verification window still open at `time`,
 * for the serial asked for and at the revision the revision list names (`expected.value` =
 * rev mod 256). Throws QdypError: ERR_ARTIFACT_TOO_LARGE, ERR_ARTIFACT_MALFORMED,
 * ERR_ARTIFACT_UNKNOWN_KEY, ERR_ARTIFACT_KEY_COMPROMISED, ERR_ARTIFACT_TYPE,
 * ERR_ARTIFACT_SIGNATURE, ERR_KEY_NOT_SIGNING, ERR_ARTIFACT_EXPIRED, ERR_ENTRY_MISMATCH
 * (another serial) or ERR_ENTRY_STALE (another revision).
 */
export async function verifyLicenceEntry(
  text: string,
  keyList: TrustedKeyList,
  expected: { serial: number; value: number },
  time: Date,
): Promise<LicenceEntry> {
  const header = peekHeader(text, MAX_LICENCE_ENTRY_BYTES);
  const key = keyList.byKid.get(header.kid);
  if (!key) throw new QdypError('ERR_ARTIFACT_UNKNOWN_KEY', 'licence entry signed by a key not in the trusted key list');
  if (key.status === 'compromised') throw new QdypError('ERR_ARTIFACT_KEY_COMPROMISED', 'licence entry signed by a compromised key');
  const p = (await verifyJws(text, key.key, TYP.licenceEntry, MAX_LICENCE_ENTRY_BYTES)).payload as Record<string, unknown> | null;
  if (
    typeof p !== 'object' ||
    p === null ||
    p.iss !== 'qdyp' ||
    !Number.isSafeInteger(p.iat) ||
    !Number.isSafeInteger(p.serial) ||
    !Number.isSafeInteger(p.rev) ||
    (p.rev as number) < 1 ||
    (p.log !== undefined && !(Number.isSafeInteger(p.log) && (p.log as number) >= 0))
  ) {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'licence entry lacks iss, iat, serial or rev');
  }
  const issuedAt = new Date((p.iat as number) * 1000);
  if (Number.isNaN(issuedAt.getTime())) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'licence entry iat is out of range');
  const issued = cstDate(issuedAt);
  if (issued < key.signFrom || issued > key.signUntil) throw new QdypError('ERR_KEY_NOT_SIGNING', `entry issued ${issued}, outside key ${key.sid}'s signing window`);
  if (cstDate(time) > key.verifyUntil) throw new QdypError('ERR_ARTIFACT_EXPIRED', `key ${key.sid}'s verification window has closed`);
  if (p.serial !== expected.serial) throw new QdypError('ERR_ENTRY_MISMATCH', 'licence entry is for another serial');
  if ((p.rev as number) % 256 !== expected.value) throw new QdypError('ERR_ENTRY_STALE', 'licence entry is not the revision the revision list names');
  const licence = parseLicenceEntry(p.licence);
  return p.log === undefined ? licence : { ...licence, logIndex: p.log as number };
}

/**
 * An EntryLookup over published entry texts (`fetch(serial, value)` returns the text stored
 * as licenceEntryKey(serial, value), or null), each verified with verifyLicenceEntry on every
 * call: no caching (the web layer adds its own). A missing or refused entry is null;
 * `onProblem` hears why an entry was refused.
 */
export function entryLookupFromTexts(
  fetch: (serial: number, value: number) => Promise<string | null>,
  keyList: TrustedKeyList | null,
  clock: () => Date = () => new Date(),
  onProblem?: (serial: number, value: number, error: QdypError) => void,
): EntryLookup {
  return {
    async get(serial, value) {
      if (!keyList) return null;
      const text = await fetch(serial, value);
      if (text === null) return null;
      try {
        return await verifyLicenceEntry(text, keyList, { serial, value }, clock());
      } catch (error) {
        if (!(error instanceof QdypError)) throw error;
        onProblem?.(serial, value, error);
        return null;
      }
    },
  };
}
