// What artwork is rendered from: only what was signed at issuance, the seal URL and the licence
// document. Neither needs a key to read, so the holder portal (which has no private key) can
// render the same files as the office.

import { decodeJwt } from 'jose';
import {
  foldCase,
  normaliseOrigin,
  parseLicenceClaims,
  parseSeal,
  peekHeader,
  sealUrl as composeSealUrl,
  TYP,
  type LicenceClaims,
} from '../../core/index.ts';
import { ArtworkError } from './errors.ts';

const MAX_LICENCE_DOCUMENT_BYTES = 16 * 1024;
const MAX_SEAL_URL_LENGTH = 256;

export interface ArtworkSource {
  /** The canonical, uppercase seal URL: exactly what the QR code holds. */
  sealUrl: string;
  /** The official verify site as people read and type it, e.g. `verify.qdyp.example`. */
  verifyDomain: string;
  licence: LicenceClaims;
}

export interface ArtworkInput {
  sealUrl: string;
  /** The licence document (compact JWS) signed at issuance. */
  licenceDocument: string;
}

function badInput(zh: string, en: string): ArtworkError {
  return new ArtworkError('ERR_ARTWORK_INPUT', { zh, en });
}

/** Reads and cross-checks the seal URL and licence document. Verifies no signature. */
export function readArtworkSource(input: ArtworkInput): ArtworkSource {
  const url = typeof input.sealUrl === 'string' ? input.sealUrl.trim() : '';
  const match = url.length <= MAX_SEAL_URL_LENGTH ? /^(https?:\/\/[^/]+)\/v\/([^/?#]+)$/i.exec(url) : null;
  const seal = match ? parseSeal(match[2]!) : null;
  const notSealUrl = () => badInput('不是有效的青岛优品核验网址（应为 {核验域名}/V/{印章}）。', 'Not a valid seal URL (expected {ORIGIN}/V/{seal}).');
  if (!match || !seal) throw notSealUrl();
  let origin: string;
  try {
    origin = normaliseOrigin(match[1]!);
  } catch {
    throw notSealUrl();
  }
  const licence = readLicenceDocument(input.licenceDocument);
  if (licence.status.status_list.idx !== seal.serial) {
    throw badInput(
      `核验网址与许可文件 ${licence.number} 不属于同一许可。`,
      `The seal URL and the licence document ${licence.number} belong to different licences.`,
    );
  }
  const host = origin.toLowerCase();
  return {
    sealUrl: composeSealUrl(origin, foldCase(match[2]!)),
    verifyDomain: host.startsWith('https://') ? host.slice('https://'.length) : host,
    licence,
  };
}

/** The licence document's claims, decoded without a key; the shape is checked by the core. */
export function readLicenceDocument(jws: string): LicenceClaims {
  try {
    const header = peekHeader(jws, MAX_LICENCE_DOCUMENT_BYTES);
    if (header.typ !== TYP.licence) throw new Error('not a licence document');
    return parseLicenceClaims(decodeJwt(jws));
  } catch {
    throw badInput('不是有效的青岛优品许可文件。', 'Not a valid qdyp licence document.');
  }
}
