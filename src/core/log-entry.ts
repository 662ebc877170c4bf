// One entry of the transparency log (see tlog/): what the office appends, in the same
// transaction as the change, for every licence event, every holder change that alters what
// licences show, and every key event. The leaf is the entry's UTF-8 bytes, so the encoding is
// canonical: members in exactly the order below, no whitespace, JSON.stringify's escaping and
// nothing else. Two encoders of the same event give the same bytes, and a decoder refuses any
// other spelling of it (re-encoding must give the bytes back).
//
//   {"v":1,"event":"licence.…","time":ISO,"licence":{"number","serial","rev","sealKid",
//     "holder":{"name","uscc","address"},"tier","sector","chain","region","products",
//     "trademarks","validFrom","validUntil","status","statusReason","statusChangedAt"}}
//   {"v":1,"event":"holder.update","time":ISO,"holder":{"uscc","name","address"}}
//   {"v":1,"event":"key.…"|"key_list.sign","time":ISO,"keys":[{"kid","role","status"}…],
//     "keyList":{"version","iat","exp","sha256"}}
//
// Public data only: what the register, the key list and the status list already publish. Never
// who made a change, the audit log's reasons, contact data, seals or documents. An entry fits
// the entry bundle's 16-bit length prefix (≤ 65,535 bytes).

import { isCalendarDate } from './dates.ts';
import type { LicenceEntry } from './entry.ts';
import { QdypError } from './errors.ts';
import { KEY_ROLES, KEY_STATUSES, type KeyRole, type KeyStatus } from './keys.ts';
import { LICENCE_STATUSES, SECTORS, TIERS, type LicenceStatus, type Sector, type Tier } from './licence.ts';

export const MAX_LOG_ENTRY_BYTES = 65535;

/**
 * 'licence.existing' is appended once per licence when a registry that predates the log is
 * migrated: the log begins with the licences as they then stood.
 */
export type LicenceLogEvent =
  | 'licence.issue'
  | 'licence.update'
  | 'licence.renew'
  | 'licence.reseal'
  | 'licence.suspend'
  | 'licence.reinstate'
  | 'licence.revoke'
  | 'licence.existing';
export const LICENCE_LOG_EVENTS: readonly LicenceLogEvent[] = [
  'licence.issue',
  'licence.update',
  'licence.renew',
  'licence.reseal',
  'licence.suspend',
  'licence.reinstate',
  'licence.revoke',
  'licence.existing',
];

export type KeyLogEvent = 'key.init' | 'key.rotate' | 'key.compromise' | 'key_list.sign';
export const KEY_LOG_EVENTS: readonly KeyLogEvent[] = ['key.init', 'key.rotate', 'key.compromise', 'key_list.sign'];

/**
 * A licence as an entry shows it, after the event: its published entry's members (entry.ts)
 * plus what identifies the licence's state in the register (serial, revision, seal key).
 */
export interface LoggedLicence extends Omit<LicenceEntry, 'logIndex'> {
  serial: number;
  /** The licence's full detail revision after the event (what its published entry is signed at). */
  rev: number;
  /** The key its seal is signed by: a reseal moves it. */
  sealKid: string;
}

export interface LicenceLogEntry {
  v: 1;
  event: LicenceLogEvent;
  /** ISO-8601 UTC instant of the change. */
  time: string;
  licence: LoggedLicence;
}

/** A holder's name or address changed: every licence of theirs shows it. */
export interface HolderLogEntry {
  v: 1;
  event: 'holder.update';
  time: string;
  holder: { uscc: string; name: string; address: string | null };
}

export interface LoggedKey {
  kid: string;
  role: KeyRole;
  status: KeyStatus;
}

export interface KeyLogEntry {
  v: 1;
  event: KeyLogEvent;
  time: string;
  /** The keys the event concerns, as they stand after it (key_list.sign: every listed key). */
  keys: LoggedKey[];
  /** The key list signed with the event; sha256 is the base64url SHA-256 of its JWS text. */
  keyList: { version: number; iat: number; exp: number; sha256: string };
}

export type LogEntry = LicenceLogEntry | HolderLogEntry | KeyLogEntry;

/**
 * The entry's canonical text (its UTF-8 bytes are the leaf). Takes only the members above from
 * what it is given, so a registry record with more in it (seal, document, batch) encodes to the
 * public entry. Throws ERR_LOG_ENTRY_TOO_LARGE past MAX_LOG_ENTRY_BYTES, and
 * ERR_LOG_ENTRY_MALFORMED for a number that is not a non-negative integer (JSON would spell
 * NaN as null, and a decoder could not give it back).
 */
export function encodeLogEntry(e: LogEntry): string {
  // JSON.stringify of objects built member by member in the documented order: its output is
  // the canonical form by construction (and V8's fastest way to it; an import encodes one per
  // licence).
  let text: string;
  if (e.event === 'holder.update') {
    const h = e.holder;
    text = JSON.stringify({ v: 1, event: e.event, time: e.time, holder: { uscc: h.uscc, name: h.name, address: h.address ?? null } });
  } else if (e.event.startsWith('licence.')) {
    const l = (e as LicenceLogEntry).licence;
    if (!isIndex(l.serial) || !isIndex(l.rev)) throw malformed('serial and rev must be non-negative integers');
    const h = l.holder;
    text = JSON.stringify({
      v: 1,
      event: e.event,
      time: e.time,
      licence: {
        number: l.number,
        serial: l.serial,
        rev: l.rev,
        sealKid: l.sealKid,
        holder: { name: h.name, uscc: h.uscc, address: h.address ?? null },
        tier: l.tier,
        sector: l.sector,
        chain: l.chain ?? null,
        region: l.region ?? null,
        products: l.products,
        trademarks: l.trademarks,
        validFrom: l.validFrom,
        validUntil: l.validUntil,
        status: l.status,
        statusReason: l.statusReason ?? null,
        statusChangedAt: l.statusChangedAt,
      },
    });
  } else {
    const k = e as KeyLogEntry;
    const list = k.keyList;
    if (!isIndex(list.version) || !isIndex(list.iat) || !isIndex(list.exp)) throw malformed('the key list version, iat and exp must be non-negative integers');
    text = JSON.stringify({
      v: 1,
      event: k.event,
      time: k.time,
      keys: k.keys.map((key) => ({ kid: key.kid, role: key.role, status: key.status })),
      keyList: { version: list.version, iat: list.iat, exp: list.exp, sha256: list.sha256 },
    });
  }
  if (!fitsLogEntry(text)) throw new QdypError('ERR_LOG_ENTRY_TOO_LARGE', `a log entry is at most ${MAX_LOG_ENTRY_BYTES} bytes (this ${e.event} entry is ${utf8Length(text)})`);
  return text;
}

/** Whether an entry's text fits MAX_LOG_ENTRY_BYTES as UTF-8 (a UTF-16 unit is at most 3 bytes). */
export function fitsLogEntry(text: string): boolean {
  return text.length * 3 <= MAX_LOG_ENTRY_BYTES || utf8Length(text) <= MAX_LOG_ENTRY_BYTES;
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const KID = /^[A-Za-z0-9_-]{43}$/;

/**
 * An entry from its bytes (or text), strictly: valid UTF-8, well-formed JSON of one of the
 * shapes above, and canonical (re-encoding gives the very bytes). Throws QdypError
 * ERR_LOG_ENTRY_TOO_LARGE or ERR_LOG_ENTRY_MALFORMED; messages never echo the entry.
 */
export function decodeLogEntry(input: Uint8Array | string): LogEntry {
  let text: string;
  if (typeof input === 'string') {
    text = input;
    if (!fitsLogEntry(text)) throw new QdypError('ERR_LOG_ENTRY_TOO_LARGE', `a log entry is at most ${MAX_LOG_ENTRY_BYTES} bytes`);
  } else {
    if (input.length > MAX_LOG_ENTRY_BYTES) throw new QdypError('ERR_LOG_ENTRY_TOO_LARGE', `a log entry is at most ${MAX_LOG_ENTRY_BYTES} bytes`);
    try {
      text = decoder.decode(input);
    } catch {
      throw malformed('it is not UTF-8');
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed('it is not JSON');
  }
  const entry = entryFrom(value);
  if (encodeLogEntry(entry) !== text) throw malformed('it is not in the canonical encoding');
  return entry;
}

/** The licence a licence.* entry is about, or null for holder and key entries. */
export function logEntryLicenceNumber(e: LogEntry): string | null {
  return 'licence' in e ? e.licence.number : null;
}

function malformed(detail: string): QdypError {
  return new QdypError('ERR_LOG_ENTRY_MALFORMED', `log entry is malformed: ${detail}`);
}

function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isText(value: unknown): value is string {
  return typeof value === 'string';
}

function isOptionalText(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

function isTextList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(isText);
}

function isInstant(value: unknown): value is string {
  return isText(value) && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value));
}

/** The typed entry a parsed value stands for; the canonical check is the caller's. */
function entryFrom(value: unknown): LogEntry {
  if (!isObject(value) || value.v !== 1) throw malformed('it is not a version 1 entry');
  const { event, time } = value;
  if (!isInstant(time)) throw malformed('its time is not an ISO-8601 UTC instant');
  if (event === 'holder.update') {
    const h = value.holder;
    if (!isObject(h) || !isText(h.uscc) || !isText(h.name) || !isOptionalText(h.address)) throw malformed('its holder is malformed');
    return { v: 1, event, time, holder: { uscc: h.uscc, name: h.name, address: h.address } };
  }
  if (LICENCE_LOG_EVENTS.includes(event as LicenceLogEvent)) {
    const l = value.licence;
    const h = isObject(l) ? l.holder : undefined;
    if (
      !isObject(l) ||
      !isText(l.number) ||
      !isIndex(l.serial) ||
      !isIndex(l.rev) ||
      !isText(l.sealKid) ||
      !isObject(h) ||
      !isText(h.name) ||
      !isText(h.uscc) ||
      !isOptionalText(h.address) ||
      !TIERS.includes(l.tier as Tier) ||
      !SECTORS.includes(l.sector as Sector) ||
      !isOptionalText(l.chain) ||
      !isOptionalText(l.region) ||
      !isTextList(l.products) ||
      !isTextList(l.trademarks) ||
      !isCalendarDate(l.validFrom) ||
      !isCalendarDate(l.validUntil) ||
      !LICENCE_STATUSES.includes(l.status as LicenceStatus) ||
      !isOptionalText(l.statusReason) ||
      !isInstant(l.statusChangedAt)
    ) {
      throw malformed('its licence is malformed');
    }
    return {
      v: 1,
      event: event as LicenceLogEvent,
      time,
      licence: {
        number: l.number,
        serial: l.serial,
        rev: l.rev,
        sealKid: l.sealKid,
        holder: { name: h.name, uscc: h.uscc, address: h.address },
        tier: l.tier as Tier,
        sector: l.sector as Sector,
        chain: l.chain,
        region: l.region,
        products: l.products,
        trademarks: l.trademarks,
        validFrom: l.validFrom,
        validUntil: l.validUntil,
        status: l.status as LicenceStatus,
        statusReason: l.statusReason,
        statusChangedAt: l.statusChangedAt,
      },
    };
  }
  if (KEY_LOG_EVENTS.includes(event as KeyLogEvent)) {
    const { keys, keyList } = value;
    if (!Array.isArray(keys)) throw malformed('its keys are malformed');
    const logged: LoggedKey[] = keys.map((k: unknown) => {
      if (!isObject(k) || !isText(k.kid) || !KID.test(k.kid) || !KEY_ROLES.includes(k.role as KeyRole) || !KEY_STATUSES.includes(k.status as KeyStatus)) {
        throw malformed('its keys are malformed');
      }
      return { kid: k.kid, role: k.role as KeyRole, status: k.status as KeyStatus };
    });
    if (!isObject(keyList) || !isIndex(keyList.version) || !isIndex(keyList.iat) || !isIndex(keyList.exp) || !isText(keyList.sha256) || !KID.test(keyList.sha256)) {
      throw malformed('its key list is malformed');
    }
    return {
      v: 1,
      event: event as KeyLogEvent,
      time,
      keys: logged,
      keyList: { version: keyList.version, iat: keyList.iat, exp: keyList.exp, sha256: keyList.sha256 },
    };
  }
  throw malformed('its event is not one this version knows');
}
