// The programme's two IETF Token Status Lists, both indexed by licence serial:
//   status list   (typ statuslist+jwt, 2 bits):        0 valid, 1 revoked, 2 suspended
//   revision list (typ qdyp-revision-list+jwt, 8 bits): the licence's detail revision mod 256,
//                 naming the entry `licence/{serial}/{value}` that is current.
// @sd-jwt/jwt-status-list encodes them (so they parse with the library); reading is ours: the
// inflated bytes are kept as they are and values read in place, so a million entries decode
// in a few milliseconds and take a megabyte at most, with no array of numbers per entry.

import { createHeaderAndPayload, StatusList, type BitsPerStatus } from '@sd-jwt/jwt-status-list';
import { decodeCanonicalBase64url } from './base64url.ts';
import { inflateWith, type Codecs } from './compression.ts';
import { QdypError } from './errors.ts';
import { signJws, TYP } from './jws.ts';
import type { Signer } from './keys.ts';
import type { LicenceStatus } from './licence.ts';

export const STATUS_BITS = 2;
export const REVISION_BITS = 8;
export const STATUS_VALUE: Record<LicenceStatus, number> = { valid: 0, revoked: 1, suspended: 2 };
/** Verifiers may cache the lists this long (seconds). */
export const STATUS_TTL_S = 60;
/** Two weeks of slack: a long holiday without a publish still verifies. */
export const STATUS_LIFETIME_S = 14 * 24 * 60 * 60;
/** A list never inflates past this (a zip bomb is refused, not expanded): 16 MiB. */
export const MAX_INFLATED_LIST_BYTES = 16 * 1024 * 1024;

export interface StatusListClaims {
  sub: string;
  iat: number;
  exp: number;
  ttl: number;
  status_list: { bits: number; lst: string };
}

/** Where the status list is served: `{origin lowercased}/api/v1/status-list`. */
export function statusListUri(origin: string): string {
  return `${origin.toLowerCase()}/api/v1/status-list`;
}

/** Where the revision list is served: `{origin lowercased}/api/v1/revision-list`. */
export function revisionListUri(origin: string): string {
  return `${origin.toLowerCase()}/api/v1/revision-list`;
}

/**
 * Signs the status list. `statuses[i]` is the status of serial i; the list is as long as the
 * highest serial + 1 (at least one entry).
 */
export function signStatusList(
  statuses: ArrayLike<number>,
  options: { uri: string; time: Date },
  signer: Pick<Signer, 'kid' | 'privateKey'>,
): Promise<string> {
  return signList(statuses, STATUS_BITS, TYP.statusList, options, signer);
}

/**
 * Signs the revision list. `revisions[i]` is serial i's detail revision mod 256 (0…255);
 * serials with no licence are 0.
 */
export function signRevisionList(
  revisions: ArrayLike<number>,
  options: { uri: string; time: Date },
  signer: Pick<Signer, 'kid' | 'privateKey'>,
): Promise<string> {
  return signList(revisions, REVISION_BITS, TYP.revisionList, options, signer);
}

async function signList(
  source: ArrayLike<number>,
  bits: BitsPerStatus,
  typ: typeof TYP.statusList | typeof TYP.revisionList,
  options: { uri: string; time: Date },
  signer: Pick<Signer, 'kid' | 'privateKey'>,
): Promise<string> {
  const iat = Math.floor(options.time.getTime() / 1000);
  const { payload } = createHeaderAndPayload(
    new PackedStatusList(packList(source, bits), bits),
    { sub: options.uri, iat, exp: iat + STATUS_LIFETIME_S, ttl: STATUS_TTL_S },
    { alg: 'EdDSA', typ: TYP.statusList },
  );
  return signJws(payload, typ, signer);
}

/**
 * Packs values as a Token Status List does: `bits` per entry, least significant bits first
 * within each byte (at least one entry). Throws ERR_ARTIFACT_MALFORMED for a value that does
 * not fit.
 */
export function packList(values: ArrayLike<number>, bits: BitsPerStatus): Uint8Array {
  const max = (1 << bits) - 1;
  const perByte = 8 / bits;
  const count = Math.max(1, values.length);
  const bytes = new Uint8Array(Math.ceil(count / perByte));
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= 0 && v <= max && Number.isInteger(v))) throw new QdypError('ERR_ARTIFACT_MALFORMED', `list value at ${i} is not an integer 0…${max}`);
    bytes[Math.floor(i / perByte)]! |= v << ((i % perByte) * bits);
  }
  return bytes;
}

/**
 * The library's StatusList over bytes already packed: compressStatusList then deflates them
 * exactly as the library does (zlib, level 9), without its per-entry string encoding.
 */
class PackedStatusList extends StatusList {
  constructor(
    private readonly packed: Uint8Array,
    bits: BitsPerStatus,
  ) {
    super([], bits);
  }
  override encodeStatusList(): Uint8Array {
    return this.packed;
  }
}

/** A list's values packed as published: `bits` per entry, least significant bits first. */
export interface PackedList {
  bits: 1 | 2 | 4 | 8;
  /** How many entries the bytes hold (bytes × 8 ÷ bits). */
  size: number;
  bytes: Uint8Array;
}

export interface DecodedStatusList extends PackedList {
  iat: number;
  /** `iat` as ISO-8601 UTC: what verdicts report as "status as of". */
  asOf: string;
  exp: number;
  ttl: number;
}

/** Decodes verified status-list claims (2 bits). Throws QdypError ERR_ARTIFACT_MALFORMED / _TOO_LARGE. */
export function decodeStatusListClaims(value: unknown, codecs: Codecs = {}): Promise<DecodedStatusList> {
  return decodeListClaims(value, STATUS_BITS, 'status list', codecs);
}

/** Decodes verified revision-list claims (8 bits). Throws as decodeStatusListClaims. */
export function decodeRevisionListClaims(value: unknown, codecs: Codecs = {}): Promise<DecodedStatusList> {
  return decodeListClaims(value, REVISION_BITS, 'revision list', codecs);
}

async function decodeListClaims(value: unknown, bits: 2 | 8, what: string, codecs: Codecs): Promise<DecodedStatusList> {
  const v = value as Partial<StatusListClaims> | null;
  if (
    typeof v !== 'object' ||
    v === null ||
    !Number.isSafeInteger(v.iat) ||
    !Number.isSafeInteger(v.exp) ||
    v.status_list?.bits !== bits ||
    typeof v.status_list.lst !== 'string'
  ) {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', `${what} lacks iat, exp or a ${bits}-bit list`);
  }
  const asOf = new Date((v.iat as number) * 1000);
  if (Number.isNaN(asOf.getTime())) throw new QdypError('ERR_ARTIFACT_MALFORMED', `${what} iat is out of range`);
  const packed = await decodePackedList(v.status_list.lst, bits, codecs);
  const ttl = Number.isSafeInteger(v.ttl) && (v.ttl as number) > 0 ? (v.ttl as number) : STATUS_TTL_S;
  return { iat: v.iat as number, asOf: asOf.toISOString(), exp: v.exp as number, ttl, ...packed };
}

/**
 * Decodes a Token Status List `lst` (canonical base64url of zlib-deflated bytes) without
 * expanding it: the inflated bytes themselves, read in place by statusAt. Throws QdypError:
 * ERR_ARTIFACT_TOO_LARGE past `maxBytes` inflated, ERR_ARTIFACT_MALFORMED when it does not
 * decode or inflates to nothing.
 */
export async function decodePackedList(lst: string, bits: PackedList['bits'], options: Codecs & { maxBytes?: number } = {}): Promise<PackedList> {
  const compressed = await decodeCanonicalBase64url(lst, options.base64);
  if (!compressed) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'list is not canonical base64url');
  const bytes = await inflateWith(options.inflate, compressed, 'deflate', options.maxBytes ?? MAX_INFLATED_LIST_BYTES);
  if (bytes.length === 0) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'list is empty');
  return { bits, size: (bytes.length * 8) / bits, bytes };
}

/** The value at `index`, or null when the list does not cover it. */
export function statusAt(list: PackedList, index: number): number | null {
  if (!Number.isInteger(index) || index < 0 || index >= list.size) return null;
  const bits = list.bits;
  if (bits === 8) return list.bytes[index]!;
  const perByte = 8 / bits;
  const byte = list.bytes[Math.floor(index / perByte)]!;
  return (byte >>> ((index % perByte) * bits)) & ((1 << bits) - 1);
}
