// What a photo is, read from its first bytes only: the type from the magic bytes and the
// dimensions from the header, so an oversized or non-image upload is refused before anything
// decodes it. Web APIs only (it runs in the inspector page too). Hostile bytes give null: every
// read is bounds-checked and the JPEG marker walk always moves forward.

export type ImageType = 'png' | 'jpeg' | 'gif' | 'webp';

export interface ImageProbe {
  type: ImageType;
  width: number;
  height: number;
}

/** The largest photo file read (32 MiB). */
export const MAX_PHOTO_BYTES = 32 * 1024 * 1024;
/** The most pixels a photo may have (50 megapixels): a 12,000 × 12,000 image is refused. */
export const MAX_PHOTO_PIXELS = 50_000_000;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** PNG limits width and height to 2^31 − 1. */
const PNG_MAX_SIDE = 0x7fffffff;

export function probeImage(bytes: Uint8Array): ImageProbe | null {
  try {
    if (startsWith(bytes, 0, PNG_SIGNATURE)) return probePng(bytes);
    if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return probeJpeg(bytes);
    if (startsWithAscii(bytes, 0, 'GIF87a') || startsWithAscii(bytes, 0, 'GIF89a')) return probeGif(bytes);
    if (startsWithAscii(bytes, 0, 'RIFF') && startsWithAscii(bytes, 8, 'WEBP')) return probeWebp(bytes);
    return null;
  } catch {
    // Unreachable by construction (every read is bounds-checked); kept so a probe never throws.
    return null;
  }
}

/** Width and height as a probe, or null when either is zero or past a format's limit. */
function sized(type: ImageType, width: number, height: number, maxSide: number): ImageProbe | null {
  if (!(width > 0 && height > 0 && width <= maxSide && height <= maxSide)) return null;
  return { type, width, height };
}

function probePng(b: Uint8Array): ImageProbe | null {
  // Signature (8), then the first chunk must be IHDR: length 13, type, width, height.
  if (b.length < 24 || u32be(b, 8) !== 13 || !startsWithAscii(b, 12, 'IHDR')) return null;
  return sized('png', u32be(b, 16), u32be(b, 20), PNG_MAX_SIDE);
}

/** SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function probeJpeg(b: Uint8Array): ImageProbe | null {
  let pos = 2; // after SOI
  while (pos < b.length) {
    if (b[pos] !== 0xff) return null; // a segment must start with a marker
    while (pos < b.length && b[pos] === 0xff) pos++; // fill bytes
    if (pos >= b.length) return null;
    const marker = b[pos]!;
    pos++;
    // Markers without a length: TEM and the restart markers.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    // A stuffed zero, a second SOI, the end, or the scan before any frame header: no size here.
    if (marker === 0x00 || marker === 0xd8 || marker === 0xd9 || marker === 0xda) return null;
    if (pos + 2 > b.length) return null;
    const length = u16be(b, pos);
    if (length < 2) return null;
    if (isStartOfFrame(marker)) {
      // length (2), precision (1), height (2), width (2)
      if (length < 8 || pos + 7 > b.length) return null;
      return sized('jpeg', u16be(b, pos + 5), u16be(b, pos + 3), 0xffff);
    }
    pos += length; // length ≥ 2, so the walk always moves forward
  }
  return null;
}

function probeGif(b: Uint8Array): ImageProbe | null {
  // Signature (6), then the logical screen: width, height (little-endian 16-bit).
  if (b.length < 10) return null;
  return sized('gif', u16le(b, 6), u16le(b, 8), 0xffff);
}

function probeWebp(b: Uint8Array): ImageProbe | null {
  // RIFF (4), size (4), WEBP (4), then the first chunk: its FourCC (4) and size (4) at 12.
  if (b.length < 20) return null;
  const data = 20;
  if (startsWithAscii(b, 12, 'VP8 ')) {
    // Lossy: a 3-byte frame tag, the start code 9D 01 2A, then 14-bit width and height.
    if (b.length < data + 10 || b[data + 3] !== 0x9d || b[data + 4] !== 0x01 || b[data + 5] !== 0x2a) return null;
    if ((b[data]! & 0x01) !== 0) return null; // not a key frame
    return sized('webp', u16le(b, data + 6) & 0x3fff, u16le(b, data + 8) & 0x3fff, 0x3fff);
  }
  if (startsWithAscii(b, 12, 'VP8L')) {
    // Lossless: signature 0x2F, then width − 1 and height − 1 in 14 bits each.
    if (b.length < data + 5 || b[data] !== 0x2f) return null;
    const bits = u32le(b, data + 1);
    return sized('webp', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1, 0x4000);
  }
  if (startsWithAscii(b, 12, 'VP8X')) {
    // Extended: flags (1), reserved (3), canvas width − 1 and height − 1 in 24 bits each.
    if (b.length < data + 10) return null;
    return sized('webp', u24le(b, data + 4) + 1, u24le(b, data + 7) + 1, 0x1000000);
  }
  return null;
}

function startsWith(b: Uint8Array, at: number, prefix: readonly number[]): boolean {
  if (b.length < at + prefix.length) return false;
  return prefix.every((value, i) => b[at + i] === value);
}

function startsWithAscii(b: Uint8Array, at: number, text: string): boolean {
  if (b.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

// Callers check the bounds first.
const u16be = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u16le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u24le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const u32be = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const u32le = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
