// The Node side of the inspector page's decoder: the same zxing-wasm reader, from the package's
// own wasm file (never fetched), on the photo's file bytes. A photo is probed first, so a
// non-image or an oversized one is refused with a plain message before anything decodes it.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { prepareZXingModule, readBarcodes, type ReaderOptions, type ZXingReaderModule } from 'zxing-wasm/reader';
import { MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, probeImage, QR_READER_OPTIONS, QR_SECOND_PASS_OPTIONS } from '../core/index.ts';

export type QrDecodeResult =
  | { ok: true; text: string; width: number; height: number }
  | { ok: false; reason: 'not_image' | 'too_large' | 'no_code'; message: string };

/** The page's two passes (src/core/qr-reader.ts), the second only when the first finds nothing. */
const FIRST_PASS = QR_READER_OPTIONS as unknown as ReaderOptions;
const SECOND_PASS = QR_SECOND_PASS_OPTIONS as unknown as ReaderOptions;

let zxing: Promise<ZXingReaderModule> | null = null;

/** Instantiates the reader once, from the wasm file shipped in the package. */
function reader(): Promise<ZXingReaderModule> {
  if (zxing) return zxing;
  const loading = (async () => {
    const wasmPath = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
    const wasm = await readFile(wasmPath);
    return prepareZXingModule({
      overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) },
      fireImmediately: true,
    });
  })();
  zxing = loading;
  loading.catch(() => {
    if (zxing === loading) zxing = null; // a failed load is tried again next time
  });
  return loading;
}

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

/** Reads the first QR code in a photo (JPEG, PNG or GIF) and returns its text. */
export async function decodeQrImage(bytes: Uint8Array): Promise<QrDecodeResult> {
  const probe = probeImage(bytes);
  if (!probe) {
    return { ok: false, reason: 'not_image', message: 'this file is not a photo that can be read: send a JPEG, PNG or GIF picture of the label' };
  }
  const { type, width, height } = probe;
  if (bytes.byteLength > MAX_PHOTO_BYTES) {
    return {
      ok: false,
      reason: 'too_large',
      message: `the photo is ${megabytes(bytes.byteLength)}; the most that is read is ${MAX_PHOTO_BYTES / (1024 * 1024)} MB: take it again at a lower resolution`,
    };
  }
  if (width * height > MAX_PHOTO_PIXELS) {
    return {
      ok: false,
      reason: 'too_large',
      message: `the photo is ${width} × ${height} pixels; the most that is read is ${MAX_PHOTO_PIXELS / 1e6} megapixels: take it again at a lower resolution`,
    };
  }
  if (type === 'webp') {
    // The reader's image loader (stb_image) has no WebP decoder.
    return { ok: false, reason: 'not_image', message: 'WebP pictures cannot be read here: save the photo as JPEG or PNG and try again' };
  }
  await reader();
  const text = (await firstText(bytes, FIRST_PASS)) ?? (await firstText(bytes, SECOND_PASS));
  if (text === null) {
    return {
      ok: false,
      reason: 'no_code',
      message: 'no QR code could be read in the photo: take it again with the whole code in the picture, in focus, filling about a third of the frame, without glare',
    };
  }
  return { ok: true, text, width, height };
}

async function firstText(bytes: Uint8Array, options: ReaderOptions): Promise<string | null> {
  let results;
  try {
    results = await readBarcodes(bytes, options);
  } catch {
    return null; // the loader refused the file (a corrupt body behind a good header)
  }
  return results.find((result) => result.isValid && result.text !== '')?.text ?? null;
}
