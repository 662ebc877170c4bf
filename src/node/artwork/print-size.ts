// Print sizes. A size is the printed square of the code WITH its quiet zone, which is what a
// designer reserves on the pack. Modules under 0.4 mm are where phone cameras start to miss
// (and flexo printing on board starts to bleed them shut), so that is the floor: version 8
// (49 modules + 8 of quiet zone) needs 22.8 mm; raster output, with whole pixels per module,
// needs a little more.

import { ArtworkError } from './errors.ts';
import { modulesWithQuietZone, type SealQr } from './qr.ts';

export const MIN_MODULE_MM = 0.4;
/** The sizes offered to holders; any size from the minimum up to MAX_SIZE_MM is accepted. */
export const PRINT_SIZES_MM = [25, 30, 40] as const;
export const PRINT_DPIS = [300, 600] as const;
export const DEFAULT_SIZE_MM = 30;
export const DEFAULT_DPI = 600;
export const MAX_SIZE_MM = 200;
export const MIN_DPI = 300;
export const MAX_DPI = 1200;
const MM_PER_INCH = 25.4;

/** Millimetres as people write them: at most one decimal, rounded up so a minimum stays one. */
export function formatMm(mm: number): string {
  return String(Math.ceil(mm * 10 - 1e-9) / 10);
}

function checkSizeOption(sizeMm: number): void {
  if (typeof sizeMm !== 'number' || !Number.isFinite(sizeMm) || sizeMm <= 0 || sizeMm > MAX_SIZE_MM) {
    throw new ArtworkError('ERR_ARTWORK_OPTION', {
      zh: `印刷尺寸须为不超过 ${MAX_SIZE_MM} 毫米的数值（常用 ${PRINT_SIZES_MM.join('、')} 毫米）。`,
      en: `The print size must be a number of millimetres up to ${MAX_SIZE_MM} (usual sizes: ${PRINT_SIZES_MM.join(', ')} mm).`,
    });
  }
}

function tooSmall(sizeMm: number, moduleMm: number, minimumMm: number, dpi?: number): ArtworkError {
  const atDpiZh = dpi ? `（${dpi} dpi）` : '';
  const atDpiEn = dpi ? ` at ${dpi} dpi` : '';
  return new ArtworkError('ERR_ARTWORK_TOO_SMALL', {
    zh:
      `${formatMm(sizeMm)} 毫米太小：二维码每个小方块只有 ${moduleMm.toFixed(2)} 毫米，手机难以可靠识别，至少需要 ${MIN_MODULE_MM} 毫米。` +
      `含四周留白，最小印刷尺寸为 ${formatMm(minimumMm)} 毫米${atDpiZh}；建议 ${DEFAULT_SIZE_MM} 毫米。`,
    en:
      `${formatMm(sizeMm)} mm is too small: each square of the code would be ${moduleMm.toFixed(2)} mm, and phones read them reliably only from ${MIN_MODULE_MM} mm. ` +
      `With its quiet zone the smallest print is ${formatMm(minimumMm)} mm${atDpiEn}; ${DEFAULT_SIZE_MM} mm is recommended.`,
  });
}

/** The smallest vector print: the floor module size times the modules, quiet zone included. */
export function minimumSizeMm(qr: SealQr): number {
  return modulesWithQuietZone(qr) * MIN_MODULE_MM;
}

/** Checks a size for vector output (SVG, PDF), where modules scale exactly. */
export function checkVectorSize(qr: SealQr, sizeMm: number): void {
  checkSizeOption(sizeMm);
  const moduleMm = sizeMm / modulesWithQuietZone(qr);
  if (moduleMm < MIN_MODULE_MM - 1e-9) throw tooSmall(sizeMm, moduleMm, minimumSizeMm(qr));
}

export interface RasterLayout {
  /** Width and height of the image. */
  pixels: number;
  /** Whole pixels per module, so every module prints the same size and edges stay sharp. */
  modulePixels: number;
  /** Pixels from the image edge to the code: the quiet zone, at least 4 modules. */
  offset: number;
  moduleMm: number;
}

/** The smallest raster print at `dpi`, with whole pixels per module. */
export function minimumRasterSizeMm(qr: SealQr, dpi: number): number {
  const modulePixels = Math.ceil((MIN_MODULE_MM * dpi) / MM_PER_INCH - 1e-9);
  return (modulePixels * modulesWithQuietZone(qr) * MM_PER_INCH) / dpi;
}

export function rasterLayout(qr: SealQr, sizeMm: number, dpi: number): RasterLayout {
  checkSizeOption(sizeMm);
  if (!Number.isInteger(dpi) || dpi < MIN_DPI || dpi > MAX_DPI) {
    throw new ArtworkError('ERR_ARTWORK_OPTION', {
      zh: `分辨率须为 ${MIN_DPI} 至 ${MAX_DPI} dpi 之间的整数（常用 ${PRINT_DPIS.join('、')} dpi）。`,
      en: `The resolution must be a whole number of dpi from ${MIN_DPI} to ${MAX_DPI} (usual: ${PRINT_DPIS.join(', ')} dpi).`,
    });
  }
  const pixels = Math.round((sizeMm * dpi) / MM_PER_INCH);
  const modulePixels = Math.floor(pixels / modulesWithQuietZone(qr));
  const moduleMm = (modulePixels * MM_PER_INCH) / dpi;
  if (moduleMm < MIN_MODULE_MM - 1e-9) throw tooSmall(sizeMm, moduleMm, minimumRasterSizeMm(qr, dpi), dpi);
  return { pixels, modulePixels, offset: Math.floor((pixels - modulePixels * qr.modules) / 2), moduleMm };
}
