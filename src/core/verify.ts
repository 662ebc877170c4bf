// The verification policy, in DESIGN §4's fixed order:
//   parse → key lookup (root-signed key list) → signature → key status and window
//   → seal horizon → status list → revision list → licence entry (looked up only now, after
//   the signature held) → validity period.
// A bad signature is reported as a bad signature, never as "expired"; data that cannot be
// stood behind gives cannot_confirm, never authorized. Revoked and suspended come from the
// status list alone: they stand even when the licence's entry is missing or refused.

import { cstDate, type CalendarDate } from './dates.ts';
import { verifyEd25519 } from './ed25519.ts';
import type { LicenceEntry } from './entry.ts';
import { QdypError } from './errors.ts';
import { peekHeader, TYP, verifyJws } from './jws.ts';
import { parseLicenceClaims, type LicenceClaims, type LicenceStatus } from './licence.ts';
import type { Outcome } from './outcomes.ts';
import { parseSeal } from './seal.ts';
import { statusAt } from './status-list.ts';
import type { TrustContext, TrustedKey } from './trust-context.ts';

/** DESIGN §4's JSON shape. */
export interface Verdict {
  code: Outcome;
  authorized: boolean;
  licence: LicenceEntry | null;
  /** When the status list used was issued (ISO-8601 UTC), or null if none was usable. */
  statusAsOf: string | null;
  checkedAt: string;
  /** The transparency log entry of the licence's latest event, when the licence shown names one. */
  logIndex: number | null;
}

const MAX_LICENCE_DOCUMENT_BYTES = 16 * 1024;
const STATUS_BY_VALUE: Record<number, Exclude<LicenceStatus, 'valid'> | undefined> = { 1: 'revoked', 2: 'suspended' };

export async function verifySeal(text: string, time: Date, ctx: TrustContext): Promise<Verdict> {
  const seal = parseSeal(text);
  if (!seal) return verdict('malformed', time, ctx);
  const key = trustedKey(ctx, time, (keys) => keys.bySid.get(seal.sid));
  if (!key) return verdict(key === null ? 'cannot_confirm' : 'unknown_key', time, ctx);
  if (!(await verifyEd25519(key.key, seal.signature, seal.signed))) return verdict('bad_signature', time, ctx);
  const today = cstDate(time);
  if (key.status === 'compromised') return verdict('key_compromised', time, ctx);
  if (today > key.verifyUntil || today > seal.horizon) return verdict('expired', time, ctx, await shownLicence(seal.serial, time, ctx));
  return judgeLicence(seal.serial, today, time, ctx);
}

export interface LicenceDocumentVerdict extends Verdict {
  /** The document's own signed claims, where its signature held under a trusted key. */
  document: LicenceClaims | null;
}

/** Verifies a licence document (JWS) by the same policy as a seal. */
export async function verifyLicenceDocument(jws: string, time: Date, ctx: TrustContext): Promise<LicenceDocumentVerdict> {
  let kid: string;
  try {
    const header = peekHeader(jws, MAX_LICENCE_DOCUMENT_BYTES);
    if (header.typ !== TYP.licence || header.alg !== 'EdDSA') return { ...verdict('malformed', time, ctx), document: null };
    kid = header.kid;
  } catch {
    return { ...verdict('malformed', time, ctx), document: null };
  }
  const key = trustedKey(ctx, time, (keys) => keys.byKid.get(kid));
  if (!key) return { ...verdict(key === null ? 'cannot_confirm' : 'unknown_key', time, ctx), document: null };
  let document: LicenceClaims;
  try {
    document = parseLicenceClaims((await verifyJws(jws, key.key, TYP.licence, MAX_LICENCE_DOCUMENT_BYTES)).payload);
  } catch (error) {
    const code = error instanceof QdypError && error.code === 'ERR_ARTIFACT_SIGNATURE' ? 'bad_signature' : 'malformed';
    return { ...verdict(code, time, ctx), document: null };
  }
  const today = cstDate(time);
  const serial = document.status.status_list.idx;
  if (key.status === 'compromised') return { ...verdict('key_compromised', time, ctx), document: null };
  if (today > key.verifyUntil) return { ...verdict('expired', time, ctx, await shownLicence(serial, time, ctx)), document };
  const result = await judgeLicence(serial, today, time, ctx);
  // An entry for this serial under another number cannot be this document's licence: it is
  // then a bad entry (revoked and suspended still stand, without it).
  if (result.licence && result.licence.number !== document.number) {
    return { ...verdict(result.code === 'revoked' || result.code === 'suspended' ? result.code : 'cannot_confirm', time, ctx), document };
  }
  return { ...result, document };
}

/** undefined: the key is not listed; null: there is no usable key list at all. */
function trustedKey(ctx: TrustContext, time: Date, find: (keys: NonNullable<TrustContext['keyList']>) => TrustedKey | undefined): TrustedKey | null | undefined {
  if (!ctx.keyList || time.getTime() >= ctx.keyList.exp * 1000) return null;
  return find(ctx.keyList);
}

/** Status list, revision list, then the licence entry: the licence's current standing. */
async function judgeLicence(serial: number, today: CalendarDate, time: Date, ctx: TrustContext): Promise<Verdict> {
  const statusList = current(ctx.statusList, time);
  if (!statusList) return verdict('cannot_confirm', time, ctx);
  const status = statusAt(statusList, serial);
  if (status === null || status > 2) return verdict('cannot_confirm', time, ctx);
  const listed = STATUS_BY_VALUE[status];
  const revisions = current(ctx.revisionList, time);
  const value = revisions && statusAt(revisions, serial);
  // Revoked and suspended need no entry: the status list alone says so.
  const entry = value === null ? null : await ctx.entries.get(serial, value);
  if (listed) return verdict(listed, time, ctx, entry && { ...entry, status: listed });
  if (!entry) return verdict('cannot_confirm', time, ctx);
  const licence: LicenceEntry = { ...entry, status: 'valid' };
  if (today < entry.validFrom) return verdict('not_yet_valid', time, ctx, licence);
  if (today > entry.validUntil) return verdict('expired', time, ctx, licence);
  return verdict('authorized', time, ctx, licence);
}

/** The licence a verdict that is not about its status (an expired seal) may still show. */
async function shownLicence(serial: number, time: Date, ctx: TrustContext): Promise<LicenceEntry | null> {
  const revisions = current(ctx.revisionList, time);
  const value = revisions && statusAt(revisions, serial);
  if (value === null) return null;
  const entry = await ctx.entries.get(serial, value);
  if (!entry) return null;
  const statusList = current(ctx.statusList, time);
  const status = statusList && statusAt(statusList, serial);
  return { ...entry, status: (status !== null && STATUS_BY_VALUE[status]) || (status === 0 ? 'valid' : entry.status) };
}

/** Clock skew tolerated before an artifact dated in the future is refused. */
const MAX_SKEW_MS = 5 * 60 * 1000;

/** The artifact if it is in force at `time`: not expired, and not dated in the future. */
function current<T extends { iat: number; exp: number }>(artifact: T | null, time: Date): T | null {
  const t = time.getTime();
  return artifact && t < artifact.exp * 1000 && artifact.iat * 1000 <= t + MAX_SKEW_MS ? artifact : null;
}

function verdict(code: Outcome, time: Date, ctx: TrustContext, shown: LicenceEntry | null = null): Verdict {
  const usable = current(ctx.statusList, time);
  // The log index is the verdict's (one place in pages and JSON), not a detail of the licence.
  const { logIndex = null, ...licence } = shown ?? {};
  return {
    code,
    authorized: code === 'authorized',
    licence: shown && (licence as LicenceEntry),
    statusAsOf: usable ? usable.asOf : null,
    checkedAt: time.toISOString(),
    logIndex,
  };
}
