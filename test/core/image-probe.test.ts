// probeImage reads a photo's type and size from its header alone and never throws on hostile
// bytes. The headers are built by hand here, shaped like real files' first bytes (Web APIs only:
// this folder runs in Node and in workerd).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, probeImage } from '../../src/core/index.ts';

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
const be16 = (n: number) => [(n >>> 8) & 0xff, n & 0xff];
const be32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const le16 = (n: number) => [n & 0xff, (n >>> 8) & 0xff];
const le24 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff];
const le32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const bytes = (...parts: number[][]) => new Uint8Array(parts.flat());

/** A PNG's signature and IHDR chunk (CRC not checked by the probe), then the start of an IDAT. */
function png(width: number, height: number): Uint8Array {
  return bytes(
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    be32(13), ascii('IHDR'), be32(width), be32(height), [8, 6, 0, 0, 0], be32(0x12345678),
    be32(10), ascii('IDAT'), [0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01],
  );
}

/** A JPEG as a camera writes one: SOI, APP0 (JFIF), APP1 (Exif stub), DQT, the frame header, DHT, SOS. */
function jpeg(width: number, height: number, sof = 0xc0): Uint8Array {
  const segment = (marker: number, payload: number[]) => [0xff, marker, ...be16(payload.length + 2), ...payload];
  const app0 = segment(0xe0, [...ascii('JFIF'), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const app1 = segment(0xe1, [...ascii('Exif'), 0, 0, ...ascii('MM'), 0, 42, 0, 0, 0, 8, 0, 0]);
  const dqt = segment(0xdb, [0, ...Array.from({ length: 64 }, (_, i) => 1 + (i % 50))]);
  // Huffman table 0: one code of length 1, two of length 2, then their symbols.
  const dht = segment(0xc4, [0x00, 1, 2, ...new Array(14).fill(0), 0x00, 0x01, 0x02]);
  const frame = segment(sof, [8, ...be16(height), ...be16(width), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  const sos = segment(0xda, [3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3f, 0]);
  return bytes([0xff, 0xd8], app0, app1, dqt, dht, frame, sos, [0x12, 0x34, 0xff, 0xd9]);
}

function gif(width: number, height: number): Uint8Array {
  return bytes(ascii('GIF89a'), le16(width), le16(height), [0xf7, 0, 0], [0, 0, 0, 255, 255, 255]);
}

function riff(chunk: string, payload: number[]): Uint8Array {
  const body = [...ascii('WEBP'), ...ascii(chunk), ...le32(payload.length), ...payload];
  return bytes(ascii('RIFF'), le32(body.length), body);
}

/** Lossy WebP: frame tag (key frame), start code, 14-bit width and height (top bits: scale). */
const webpLossy = (width: number, height: number) =>
  riff('VP8 ', [0x30, 0x01, 0x00, 0x9d, 0x01, 0x2a, ...le16(width | 0x4000), ...le16(height), 0, 0, 0, 0]);
/** Lossless WebP: signature 0x2F, then (width − 1) and (height − 1) in 14 bits each. */
const webpLossless = (width: number, height: number) =>
  riff('VP8L', [0x2f, ...le32((width - 1) | ((height - 1) << 14)), 0, 0, 0]);
/** Extended WebP: flags, reserved, canvas (width − 1) and (height − 1) in 24 bits each. */
const webpExtended = (width: number, height: number) => riff('VP8X', [0x10, 0, 0, 0, ...le24(width - 1), ...le24(height - 1)]);

describe('probeImage', () => {
  it('reads the type and size of each format', () => {
    expect(probeImage(png(1200, 900))).toEqual({ type: 'png', width: 1200, height: 900 });
    expect(probeImage(png(12_000, 12_000))).toEqual({ type: 'png', width: 12_000, height: 12_000 });
    expect(probeImage(jpeg(4032, 3024))).toEqual({ type: 'jpeg', width: 4032, height: 3024 });
    expect(probeImage(jpeg(640, 480, 0xc2))).toEqual({ type: 'jpeg', width: 640, height: 480 }); // progressive
    expect(probeImage(jpeg(65_535, 1, 0xcf))).toEqual({ type: 'jpeg', width: 65_535, height: 1 });
    expect(probeImage(gif(320, 200))).toEqual({ type: 'gif', width: 320, height: 200 });
    expect(probeImage(webpLossy(1024, 768))).toEqual({ type: 'webp', width: 1024, height: 768 });
    expect(probeImage(webpLossless(16_384, 3))).toEqual({ type: 'webp', width: 16_384, height: 3 });
    expect(probeImage(webpExtended(12_000, 9_000))).toEqual({ type: 'webp', width: 12_000, height: 9_000 });
  });

  it('skips fill bytes and length-less markers before the frame header', () => {
    const j = jpeg(800, 600);
    const padded = bytes([0xff, 0xd8, 0xff, 0xff, 0xff, 0xd0], [...j.subarray(2)]);
    expect(probeImage(padded)).toEqual({ type: 'jpeg', width: 800, height: 600 });
  });

  it('does not take DHT, JPG or DAC for a frame header', () => {
    for (const marker of [0xc4, 0xc8, 0xcc]) {
      const fake = bytes([0xff, 0xd8], [0xff, marker, ...be16(17), 8, ...be16(100), ...be16(100), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
      expect(probeImage(fake)).toBeNull();
    }
  });

  it('refuses what is not a photo it reads', () => {
    expect(probeImage(new Uint8Array())).toBeNull();
    expect(probeImage(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(probeImage(new TextEncoder().encode('%PDF-1.7\n'))).toBeNull();
    expect(probeImage(bytes(ascii('BM'), le32(1000), [0, 0, 0, 0]))).toBeNull(); // BMP
    expect(probeImage(bytes(ascii('RIFF'), le32(4), ascii('WAVE')))).toBeNull();
  });

  it('refuses zero sizes and a first chunk that is not IHDR', () => {
    expect(probeImage(png(0, 10))).toBeNull();
    expect(probeImage(jpeg(10, 0))).toBeNull(); // height from a DNL marker later: unknown here
    expect(probeImage(gif(0, 0))).toBeNull();
    const notIhdr = png(10, 10);
    notIhdr.set(ascii('IDAT'), 12);
    expect(probeImage(notIhdr)).toBeNull();
    expect(probeImage(png(0x80000000, 1))).toBeNull(); // past PNG's 2^31 − 1
  });

  it('returns null for every truncation of a header', () => {
    const cases: [Uint8Array, number][] = [
      [png(100, 50), 24],
      [jpeg(100, 50), jpeg(100, 50).indexOf(0xc0) + 8],
      [gif(100, 50), 10],
      [webpLossy(100, 50), 30],
      [webpLossless(100, 50), 25],
      [webpExtended(100, 50), 30],
    ];
    for (const [whole, needed] of cases) {
      expect(probeImage(whole)).not.toBeNull();
      for (let length = 0; length < needed; length++) expect(probeImage(whole.subarray(0, length))).toBeNull();
      expect(probeImage(whole.subarray(0, needed))).not.toBeNull();
    }
  });

  it('returns null for a JPEG whose segment lengths point past the end', () => {
    // APP0 claims 60,000 bytes in a 30-byte file: the walk steps past the end and stops.
    const overlong = bytes([0xff, 0xd8, 0xff, 0xe0], be16(60_000), ascii('JFIF'), [0, 1, 1], new Array(17).fill(0));
    expect(probeImage(overlong)).toBeNull();
    // A length that lands in the middle of the frame header's bytes, not on a marker.
    const j = jpeg(100, 50);
    const sofAt = j.indexOf(0xc0) - 1;
    const misaligned = j.slice();
    misaligned.set(be16(sofAt - 4 + 3), 4); // APP0's length now lands 3 bytes into the frame header
    expect(probeImage(misaligned)).toBeNull();
    // Lengths under 2 (which would not move the walk forward) are refused.
    expect(probeImage(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0xff, 0xc0]))).toBeNull();
    expect(probeImage(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 1, 0xff, 0xc0]))).toBeNull();
    // A scan before any frame header.
    expect(probeImage(bytes([0xff, 0xd8, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0]))).toBeNull();
  });

  it('never throws on random bytes, nor after a real magic number', () => {
    const prefixes = [[], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0xff, 0xd8, 0xff], ascii('GIF89a'), [...ascii('RIFF'), 0, 0, 0, 0, ...ascii('WEBP')]];
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 600 }), (prefix, tail) => {
        const result = probeImage(bytes(prefix, [...tail]));
        if (result !== null) {
          expect(['png', 'jpeg', 'gif', 'webp']).toContain(result.type);
          expect(Number.isInteger(result.width) && result.width > 0).toBe(true);
          expect(Number.isInteger(result.height) && result.height > 0).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('walks a JPEG made only of empty segments to the end without looping', () => {
    const segments = new Uint8Array(2 + 4 * 100_000);
    segments.set([0xff, 0xd8]);
    for (let i = 0; i < 100_000; i++) segments.set([0xff, 0xfe, 0, 2], 2 + 4 * i); // empty COM segments
    expect(probeImage(segments)).toBeNull();
  });

  it('names the limits on what is read', () => {
    expect(MAX_PHOTO_BYTES).toBe(32 * 1024 * 1024);
    expect(MAX_PHOTO_PIXELS).toBe(50_000_000);
    expect(12_000 * 12_000).toBeGreaterThan(MAX_PHOTO_PIXELS);
  });
});
