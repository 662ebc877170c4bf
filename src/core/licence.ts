// The licence: what the programme authorizes, as public details (shown by verifiers from the
// register) and as the signed licence document the holder downloads.

import { isCalendarDate, type CalendarDate } from './dates.ts';
import { QdypError } from './errors.ts';
import { jwsSigningInput, signJws, TYP } from './jws.ts';
import type { Signer } from './keys.ts';

export const TIERS = ['product', 'enterprise', 'industry', 'region'] as const;
export type Tier = (typeof TIERS)[number];
export const SECTORS = ['manufacturing', 'agriculture', 'services', 'marine'] as const;
export type Sector = (typeof SECTORS)[number];
export const LICENCE_STATUSES = ['valid', 'suspended', 'revoked'] as const;
export type LicenceStatus = (typeof LICENCE_STATUSES)[number];

export interface Holder {
  name: string;
  uscc: string;
}

/** The public details of a licence: what the register publishes and pages show. */
export interface LicenceDetails {
  number: string;
  holder: Holder;
  tier: Tier;
  sector: Sector;
  chain: string | null;
  region: string | null;
  products: string[];
  trademarks: string[];
  validFrom: CalendarDate;
  validUntil: CalendarDate;
}

/** Claims of the signed licence document (JWS, typ qdyp-licence+jwt). */
export interface LicenceClaims extends LicenceDetails {
  iss: string;
  iat: number;
  /** IETF Token Status List reference: this licence's index in the programme's list. */
  status: { status_list: { idx: number; uri: string } };
}

export const LICENCE_NUMBER_RE = /^QDYP-\d{4}-\d{6}$/;
/** Who signs: licence documents, key lists and status lists all name this issuer. */
export const ISSUER = 'qdyp';

/**
 * A licence's public details in their one shape and order, from anything that carries them
 * (a registry record, a register entry, parsed claims). Signatures are over JSON text, so
 * every signer and the byte-identical fast path build claims through this.
 */
export function licenceDetails(from: LicenceDetails): LicenceDetails {
  return {
    number: from.number,
    holder: { name: from.holder.name, uscc: from.holder.uscc },
    tier: from.tier,
    sector: from.sector,
    chain: from.chain,
    region: from.region,
    products: [...from.products],
    trademarks: [...from.trademarks],
    validFrom: from.validFrom,
    validUntil: from.validUntil,
  };
}

/** The signed claims of a licence document. */
export function licenceClaims(details: LicenceDetails, document: { iat: number; serial: number; statusListUri: string }): LicenceClaims {
  return { ...licenceDetails(details), iss: ISSUER, iat: document.iat, status: { status_list: { idx: document.serial, uri: document.statusListUri } } };
}

export async function signLicenceDocument(claims: LicenceClaims, signer: Pick<Signer, 'kid' | 'privateKey'>): Promise<string> {
  return signJws(claims, TYP.licence, signer);
}

/** What signLicenceDocument signs (see jwsSigningInput); finish it with assembleJws. */
export function licenceDocumentSigningInput(claims: LicenceClaims, kid: string): string {
  return jwsSigningInput(claims, TYP.licence, kid);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** Checks the shape of licence details from any signed source; throws on anything off. */
export function parseLicenceDetails(value: unknown): LicenceDetails {
  const v = value as Record<string, unknown> | null;
  const holder = v?.holder as Record<string, unknown> | undefined;
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof v.number !== 'string' ||
    typeof holder !== 'object' ||
    holder === null ||
    typeof holder.name !== 'string' ||
    typeof holder.uscc !== 'string' ||
    !TIERS.includes(v.tier as Tier) ||
    !SECTORS.includes(v.sector as Sector) ||
    !(v.chain === null || typeof v.chain === 'string') ||
    !(v.region === null || typeof v.region === 'string') ||
    !isStringList(v.products) ||
    !isStringList(v.trademarks) ||
    !isCalendarDate(v.validFrom) ||
    !isCalendarDate(v.validUntil)
  ) {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'licence details are malformed');
  }
  return licenceDetails(v as unknown as LicenceDetails);
}

export function parseLicenceClaims(value: unknown): LicenceClaims {
  const details = parseLicenceDetails(value);
  const v = value as Record<string, unknown>;
  const ref = (v.status as { status_list?: { idx?: unknown; uri?: unknown } } | undefined)?.status_list;
  if (typeof v.iss !== 'string' || !Number.isSafeInteger(v.iat) || !ref || !Number.isSafeInteger(ref.idx) || (ref.idx as number) < 0 || typeof ref.uri !== 'string') {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'licence document lacks iss, iat or status reference');
  }
  return { ...licenceClaims(details, { iat: v.iat as number, serial: ref.idx as number, statusListUri: ref.uri }), iss: v.iss };
}
