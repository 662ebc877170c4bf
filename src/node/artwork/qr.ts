// The seal's QR code: the uppercase URL as one alphanumeric segment at error correction Q.
// Q survives a quarter of the code being scuffed or smudged on packaging; alphanumeric mode
// packs the URL into version 8, small enough for a 25 mm print (DESIGN bar Q1).

import QRCode from 'qrcode';
import { ArtworkError } from './errors.ts';

export const QR_ERROR_CORRECTION = 'Q';
export const MAX_QR_VERSION = 8;
/** The blank margin ISO/IEC 18004 requires around a QR code, in modules. */
export const QUIET_ZONE_MODULES = 4;

const ALPHANUMERIC_RE = /^[0-9A-Z $%*+\-./:]*$/;

export interface SealQr {
  /** The exact text the code holds. */
  url: string;
  version: number;
  /** Modules per side, without the quiet zone. */
  modules: number;
  isDark(x: number, y: number): boolean;
}

/** A horizontal run of dark modules: one rectangle in vector output. */
export interface DarkRun {
  x: number;
  y: number;
  length: number;
}

export function encodeSealQr(url: string): SealQr {
  if (!ALPHANUMERIC_RE.test(url)) {
    throw new ArtworkError('ERR_ARTWORK_INPUT', {
      zh: '二维码内容必须是大写的核验网址。',
      en: 'The code must hold the uppercase verify URL.',
    });
  }
  const code = QRCode.create([{ data: url, mode: 'alphanumeric' }], { errorCorrectionLevel: QR_ERROR_CORRECTION });
  if (code.version > MAX_QR_VERSION) {
    throw new ArtworkError('ERR_ARTWORK_QR_TOO_LARGE', {
      zh: `该网址需要版本 ${code.version} 的二维码，超过允许的版本 ${MAX_QR_VERSION}：核验域名过长。`,
      en: `This URL needs a version ${code.version} QR code, over the allowed version ${MAX_QR_VERSION}: the verify origin is too long.`,
    });
  }
  const matrix = code.modules;
  return {
    url,
    version: code.version,
    modules: matrix.size,
    isDark: (x, y) => matrix.get(y, x) === 1,
  };
}

/** Modules per side including the quiet zone on both sides. */
export function modulesWithQuietZone(qr: SealQr): number {
  return qr.modules + 2 * QUIET_ZONE_MODULES;
}

/** The dark modules as maximal horizontal runs, in code coordinates (no quiet zone). */
export function darkRuns(qr: SealQr): DarkRun[] {
  const runs: DarkRun[] = [];
  for (let y = 0; y < qr.modules; y++) {
    let x = 0;
    while (x < qr.modules) {
      if (!qr.isDark(x, y)) {
        x++;
        continue;
      }
      const start = x;
      while (x < qr.modules && qr.isDark(x, y)) x++;
      runs.push({ x: start, y, length: x - start });
    }
  }
  return runs;
}
