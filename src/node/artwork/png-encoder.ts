// A minimal PNG writer for black-and-white artwork: 1 bit per pixel (pure black and white, no
// anti-aliased greys for a RIP to dither), and a pHYs chunk carrying the resolution so print
// and layout software place the image at its intended physical size.

import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const METRES_PER_INCH = 0.0254;

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export interface Bitmap {
  width: number;
  height: number;
  /** True where the pixel is dark. */
  isDark(x: number, y: number): boolean;
}

export function encodeBilevelPng(bitmap: Bitmap, dpi: number): Uint8Array {
  const header = new Uint8Array(13);
  const headerView = new DataView(header.buffer);
  headerView.setUint32(0, bitmap.width);
  headerView.setUint32(4, bitmap.height);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale: 0 is black, 1 is white
  // bytes 10-12: deflate, adaptive filtering, no interlace

  const physical = new Uint8Array(9);
  const physicalView = new DataView(physical.buffer);
  const pixelsPerMetre = Math.round(dpi / METRES_PER_INCH);
  physicalView.setUint32(0, pixelsPerMetre);
  physicalView.setUint32(4, pixelsPerMetre);
  physical[8] = 1; // unit: metre

  const stride = Math.ceil(bitmap.width / 8);
  const raw = new Uint8Array((stride + 1) * bitmap.height);
  for (let y = 0; y < bitmap.height; y++) {
    const row = y * (stride + 1); // first byte of each row: filter type 0 (none)
    for (let x = 0; x < bitmap.width; x++) {
      if (!bitmap.isDark(x, y)) raw[row + 1 + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }

  const parts = [SIGNATURE, chunk('IHDR', header), chunk('pHYs', physical), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array())];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
