// The seal's QR code as PNG for layouts that take only raster images: whole pixels per module
// at the stated resolution, the code centred in a quiet zone of at least 4 modules.

import { encodeBilevelPng } from './png-encoder.ts';
import { DEFAULT_DPI, DEFAULT_SIZE_MM, rasterLayout } from './print-size.ts';
import { encodeSealQr } from './qr.ts';

export interface QrPngOptions {
  /** The printed width of the code with its quiet zone (default 30 mm). */
  sizeMm?: number;
  /** Default 600 dpi. */
  dpi?: number;
}

export function renderQrPng(url: string, options: QrPngOptions = {}): Uint8Array {
  const qr = encodeSealQr(url);
  const dpi = options.dpi ?? DEFAULT_DPI;
  const layout = rasterLayout(qr, options.sizeMm ?? DEFAULT_SIZE_MM, dpi);
  const toModule = (pixel: number) => Math.floor((pixel - layout.offset) / layout.modulePixels);
  const inCode = (pixel: number) => pixel >= layout.offset && pixel < layout.offset + layout.modulePixels * qr.modules;
  return encodeBilevelPng(
    {
      width: layout.pixels,
      height: layout.pixels,
      isDark: (x, y) => inCode(x) && inCode(y) && qr.isDark(toModule(x), toModule(y)),
    },
    dpi,
  );
}
