// decodeQrImage: the Node side of the inspector's decoder (zxing-wasm, its wasm read from the
// package). Real artwork and synthetic label photos made from it decode to exactly the seal URL;
// what is not a photo, or too large to read, is refused before anything decodes it.
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_PHOTO_BYTES, sealUrl } from '../../src/core/index.ts';
import { renderQrPng } from '../../src/node/artwork/index.ts';
import { decodeQrImage } from '../../src/node/qr-decode.ts';
import { labelArtworkPng, labelPhoto, noCodePhoto, PHOTO_KINDS, y4mFromJpeg } from '../support/label-photo.ts';
import { issue, newProgramme } from '../support/programme.ts';

// The real reader, watched: which calls reach it.
const zxing = vi.hoisted(() => ({ reads: 0, prepares: 0 }));
vi.mock('zxing-wasm/reader', async (importOriginal) => {
  const original = await importOriginal<typeof import('zxing-wasm/reader')>();
  return {
    ...original,
    prepareZXingModule: ((...args: Parameters<typeof original.prepareZXingModule>) => {
      zxing.prepares++;
      return original.prepareZXingModule(...args);
    }) as typeof original.prepareZXingModule,
    readBarcodes: (...args: Parameters<typeof original.readBarcodes>) => {
      zxing.reads++;
      return original.readBarcodes(...args);
    },
  };
});

const ORIGIN = 'HTTPS://VERIFY.QDYP.EXAMPLE';
let url: string;
let label: Uint8Array;

beforeAll(async () => {
  const programme = await newProgramme();
  url = sealUrl(ORIGIN, await issue(programme, 2026));
  label = await labelArtworkPng(url, 'QDYP-2026-002026');
});

function be32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** A PNG file of the given IHDR size whose only data is a few deflated bytes (CRCs zeroed). */
function pngWithHeader(width: number, height: number): Uint8Array {
  const chunk = (type: string, body: number[]) => [...be32(body.length), ...[...type].map((c) => c.charCodeAt(0)), ...body, 0, 0, 0, 0];
  const idat = [...deflateSync(Buffer.alloc(64))];
  return new Uint8Array([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
    ...chunk('IHDR', [...be32(width), ...be32(height), 8, 0, 0, 0, 0]),
    ...chunk('IDAT', idat),
    ...chunk('IEND', []),
  ]);
}

/** A real PNG (pngjs) of a soft grey gradient with a few dark bars: no QR code in it. */
function plainPng(): Uint8Array {
  const png = new PNG({ width: 400, height: 300 });
  for (let y = 0; y < 300; y++) {
    for (let x = 0; x < 400; x++) {
      const i = (y * 400 + x) * 4;
      const v = x % 50 < 8 ? 30 : 120 + Math.round((x + y) / 6);
      png.data[i] = png.data[i + 1] = png.data[i + 2] = v;
      png.data[i + 3] = 255;
    }
  }
  return new Uint8Array(PNG.sync.write(png));
}

describe('decodeQrImage', () => {
  it('reads the print artwork PNG to exactly the seal URL', async () => {
    const png = renderQrPng(url, { sizeMm: 30, dpi: 600 });
    expect(await decodeQrImage(png)).toEqual({ ok: true, text: url, width: expect.any(Number), height: expect.any(Number) });
  });

  it('reads the framed label artwork, with its size', async () => {
    const result = await decodeQrImage(label);
    expect(result).toMatchObject({ ok: true, text: url });
    const { width, height } = PNG.sync.read(Buffer.from(label));
    expect(result).toMatchObject({ width, height });
  });

  it('reads a rotated, blurred, perspective-distorted JPEG of the label on a busy background', async () => {
    const photo = labelPhoto(label, 'mixed', 1);
    expect(photo.subarray(0, 3)).toEqual(new Uint8Array([0xff, 0xd8, 0xff]));
    expect(await decodeQrImage(photo)).toMatchObject({ ok: true, text: url });
  });

  it.each(PHOTO_KINDS)('reads a %s photo of the label', async (kind) => {
    expect(await decodeQrImage(labelPhoto(label, kind, 3))).toMatchObject({ ok: true, text: url });
  });

  it('finds no code in a picture without one', async () => {
    for (const picture of [plainPng(), noCodePhoto(5)]) {
      const result = await decodeQrImage(picture);
      expect(result).toMatchObject({ ok: false, reason: 'no_code' });
      if (!result.ok) expect(result.message).toMatch(/^no QR code could be read in the photo: take it again/);
    }
  });

  it('refuses what is not a picture, without decoding', async () => {
    const reads = zxing.reads;
    const random = new Uint8Array(4096);
    crypto.getRandomValues(random);
    random[0] = 0x00; // not by chance a magic number
    for (const bytes of [random, new Uint8Array(), new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>')]) {
      const result = await decodeQrImage(bytes);
      expect(result).toMatchObject({ ok: false, reason: 'not_image' });
      if (!result.ok) expect(result.message).toMatch(/not a photo.*JPEG, PNG or GIF/);
    }
    expect(zxing.reads).toBe(reads);
  });

  it('refuses a 12,000 × 12,000 picture by its header, naming its size, without decoding', async () => {
    const reads = zxing.reads;
    const result = await decodeQrImage(pngWithHeader(12_000, 12_000));
    expect(result).toEqual({
      ok: false,
      reason: 'too_large',
      message: 'the photo is 12000 × 12000 pixels; the most that is read is 50 megapixels: take it again at a lower resolution',
    });
    // Truncated after the header, the same.
    expect(await decodeQrImage(pngWithHeader(12_000, 12_000).subarray(0, 40))).toMatchObject({ reason: 'too_large' });
    expect(zxing.reads).toBe(reads);
  });

  it('refuses a file over 32 MB, naming its size', async () => {
    const big = new Uint8Array(MAX_PHOTO_BYTES + 1);
    big.set(pngWithHeader(100, 100));
    const result = await decodeQrImage(big);
    expect(result).toEqual({
      ok: false,
      reason: 'too_large',
      message: 'the photo is 32.0 MB; the most that is read is 32 MB: take it again at a lower resolution',
    });
  });

  it('says a WebP picture cannot be read here', async () => {
    const webp = new Uint8Array([...'RIFF'].map((c) => c.charCodeAt(0)).concat([30, 0, 0, 0], ...[...'WEBPVP8L'].map((c) => [c.charCodeAt(0)]), [5, 0, 0, 0, 0x2f, 99, 0, 0x80, 0x18, 0]));
    const result = await decodeQrImage(webp);
    expect(result).toMatchObject({ ok: false, reason: 'not_image' });
    if (!result.ok) expect(result.message).toMatch(/WebP.*JPEG or PNG/);
  });

  it('finds no code, and does not throw, in a JPEG cut short or garbage after a good header', async () => {
    const photo = labelPhoto(label, 'jpeg', 8);
    const garbage = photo.slice();
    crypto.getRandomValues(garbage.subarray(2000, 2000 + 65536));
    for (const broken of [photo.slice(0, 2000), garbage]) {
      expect(await decodeQrImage(broken)).toMatchObject({ ok: false, reason: 'no_code' });
    }
  });

  it('loads the reader once', () => {
    expect(zxing.prepares).toBe(1);
  });
});

describe('the synthetic label photos', () => {
  it('are JPEGs, the same bytes for the same seed and others for another', () => {
    const a = labelPhoto(label, 'rotation', 11);
    expect(labelPhoto(label, 'rotation', 11)).toEqual(a);
    expect(labelPhoto(label, 'rotation', 12)).not.toEqual(a);
    expect(labelPhoto(label, 'blur', 11)).not.toEqual(a);
    expect(noCodePhoto(4)).toEqual(noCodePhoto(4));
  });

  it('make a YUV4MPEG2 stream of the photo for a fake camera', () => {
    const photo = labelPhoto(label, 'mixed', 2);
    const y4m = y4mFromJpeg(photo, 3);
    const text = new TextDecoder('latin1').decode(y4m.subarray(0, 80));
    const header = /^YUV4MPEG2 W(\d+) H(\d+) F15:1 Ip A1:1 C420jpeg\n/.exec(text);
    expect(header).not.toBeNull();
    const [w, h] = [Number(header![1]), Number(header![2])];
    expect(w % 2).toBe(0);
    expect(h % 2).toBe(0);
    const frame = 'FRAME\n'.length + w * h * 1.5;
    expect(y4m.length).toBe(header![0].length + 3 * frame);
    expect(new TextDecoder().decode(y4m.subarray(header![0].length + frame, header![0].length + frame + 6))).toBe('FRAME\n');
  });
});
