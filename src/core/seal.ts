// The seal: what the QR code holds, as `{ORIGIN}/V/{seal}`.
//
//   offset  size  field
//   0       1     format version (1)
//   1       4     short key id (first 4 bytes of the issuing key's RFC 7638 thumbprint)
//   5       4     licence serial, big-endian (the licence's status-list index)
//   9       2     horizon: the last CST date the seal can verify, as days since 2020-01-01
//   11      64    Ed25519 signature over SEAL_CONTEXT followed by bytes 0..10
//
// 75 bytes are exactly 120 Base32 characters: no padding and no spare bits, so each seal has
// one canonical text. With a 28-character origin the URL is 151 characters, inside the 157
// alphanumeric characters of a version 8 QR code at error correction Q.

import { base32Decode, base32Encode, foldCase } from './base32.ts';
import { addDays, dayNumber, fromDayNumber, isCalendarDate, type CalendarDate } from './dates.ts';
import { QdypError } from './errors.ts';
import { signEd25519, type Signer } from './keys.ts';

export const SEAL_VERSION = 1;
export const SEAL_CONTEXT = new TextEncoder().encode('qdyp/seal/v1\0');
export const SEAL_HEADER_BYTES = 11;
export const SEAL_BYTES = SEAL_HEADER_BYTES + 64;
export const SEAL_TEXT_LENGTH = 120;
export const MAX_SERIAL = 0xffffffff;
const HORIZON_EPOCH: CalendarDate = '2020-01-01';
const HORIZON_EPOCH_DAY = dayNumber(HORIZON_EPOCH);
export const MAX_HORIZON: CalendarDate = addDays(HORIZON_EPOCH, 0xffff);
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export interface SealFields {
  sid: string;
  serial: number;
  horizon: CalendarDate;
}

export interface ParsedSeal extends SealFields {
  /** The exact bytes the signature covers (context string + header). */
  signed: Uint8Array<ArrayBuffer>;
  signature: Uint8Array<ArrayBuffer>;
}

function signedBytes(header: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(SEAL_CONTEXT.length + SEAL_HEADER_BYTES);
  out.set(SEAL_CONTEXT, 0);
  out.set(header.subarray(0, SEAL_HEADER_BYTES), SEAL_CONTEXT.length);
  return out;
}

function encodeHeader(fields: SealFields): Uint8Array {
  if (!/^[0-9a-f]{8}$/.test(fields.sid)) throw new QdypError('ERR_SEAL_FIELD', 'short key id must be 8 hex digits');
  if (!Number.isInteger(fields.serial) || fields.serial < 0 || fields.serial > MAX_SERIAL) {
    throw new QdypError('ERR_SEAL_FIELD', 'serial out of range');
  }
  if (!isCalendarDate(fields.horizon) || fields.horizon < HORIZON_EPOCH || fields.horizon > MAX_HORIZON) {
    throw new QdypError('ERR_SEAL_FIELD', `horizon must be a date from ${HORIZON_EPOCH} to ${MAX_HORIZON}`);
  }
  const header = new Uint8Array(SEAL_HEADER_BYTES);
  const view = new DataView(header.buffer);
  header[0] = SEAL_VERSION;
  for (let i = 0; i < 4; i++) header[1 + i] = parseInt(fields.sid.slice(2 * i, 2 * i + 2), 16);
  view.setUint32(5, fields.serial);
  view.setUint16(9, dayNumber(fields.horizon) - HORIZON_EPOCH_DAY);
  return header;
}

/** Signs the fields and returns the seal's canonical text (120 uppercase Base32 characters). */
export async function createSeal(fields: Omit<SealFields, 'sid'>, signer: Pick<Signer, 'sid' | 'privateKey'>): Promise<string> {
  const signingInput = sealSigningInput({ ...fields, sid: signer.sid });
  return assembleSeal(signingInput, await signEd25519(signer.privateKey, signingInput));
}

/**
 * The bytes a seal's signature covers (context string + header). With assembleSeal, for
 * signers other than WebCrypto: a batch import signs many seals at once with node:crypto.
 */
export function sealSigningInput(fields: SealFields): Uint8Array<ArrayBuffer> {
  return signedBytes(encodeHeader(fields));
}

/** The seal's canonical text from its signing input and the Ed25519 signature over it. */
export function assembleSeal(signingInput: Uint8Array, signature: Uint8Array): string {
  if (signingInput.length !== SEAL_CONTEXT.length + SEAL_HEADER_BYTES) throw new QdypError('ERR_SEAL_FIELD', 'not a seal signing input');
  if (signature.length !== 64) throw new QdypError('ERR_SEAL_FIELD', 'an Ed25519 signature is 64 bytes');
  const bytes = new Uint8Array(SEAL_BYTES);
  bytes.set(signingInput.subarray(SEAL_CONTEXT.length), 0);
  bytes.set(signature, SEAL_HEADER_BYTES);
  return base32Encode(bytes);
}

/** Parses a seal's text (any letter case). Returns null for anything not a canonical seal. */
export function parseSeal(text: string): ParsedSeal | null {
  if (typeof text !== 'string' || text.length !== SEAL_TEXT_LENGTH) return null;
  const bytes = base32Decode(foldCase(text));
  if (!bytes || bytes.length !== SEAL_BYTES || bytes[0] !== SEAL_VERSION) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    sid: HEX[bytes[1]!]! + HEX[bytes[2]!]! + HEX[bytes[3]!]! + HEX[bytes[4]!]!,
    serial: view.getUint32(5),
    horizon: fromDayNumber(HORIZON_EPOCH_DAY + view.getUint16(9)),
    signed: signedBytes(bytes),
    signature: bytes.subarray(SEAL_HEADER_BYTES),
  };
}

/** The QR's URL: `{ORIGIN}/V/{seal}`, all uppercase so the QR can use alphanumeric mode. */
export function sealUrl(origin: string, seal: string): string {
  return `${normaliseOrigin(origin)}/V/${seal}`;
}

export const MAX_ORIGIN_LENGTH = 28;

/** Upper-cases an origin (scheme + host [+ port]) and checks it fits the QR budget. */
export function normaliseOrigin(origin: string): string {
  const upper = foldCase(origin.trim()).replace(/\/+$/, '');
  if (!/^HTTPS?:\/\/[A-Z0-9.-]+(:[0-9]{1,5})?$/.test(upper)) {
    throw new QdypError('ERR_SEAL_FIELD', 'origin must be http(s)://host[:port] with no path');
  }
  if (upper.length > MAX_ORIGIN_LENGTH) {
    throw new QdypError('ERR_SEAL_FIELD', `origin is ${upper.length} characters; at most ${MAX_ORIGIN_LENGTH} fit the QR code`);
  }
  return upper;
}

/** Takes a scanned URL or a bare seal and returns the seal text (not yet validated). */
export function sealFromInput(input: string): string {
  const trimmed = input.trim();
  const match = /\/v\/([^/?#]*)\/?(?:[?#].*)?$/i.exec(trimmed);
  return match ? match[1]! : trimmed;
}
