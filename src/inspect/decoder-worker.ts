// The QR decoder's Web Worker: zxing-wasm's reader, its wasm served from this origin (the page
// makes no other request), so decoding never freezes the page. It takes a photo file (decoded
// by zxing itself, exactly as `qdyp verify PHOTO` does in Node), a photo too large to decode
// whole (downscaled here first), or a camera frame already downscaled by the page.

import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';
import { QR_READER_OPTIONS, QR_SECOND_PASS_OPTIONS } from '../core/index.ts';

export type DecodeRequest =
  | { id: number; kind: 'file'; blob: Blob; type: string; width: number; height: number }
  | { id: number; kind: 'frame'; image: ImageData };

export type DecodeReply = { id: number; texts: string[] } | { id: number; error: 'decode_failed' };

/** Photos above this are downscaled before decoding (a 16 MP phone photo is decoded whole). */
const MAX_WHOLE_PIXELS = 16_000_000;

interface WorkerScope {
  location: { href: string };
  onmessage: ((event: MessageEvent<DecodeRequest>) => void) | null;
  postMessage(message: DecodeReply): void;
}
const scope = self as unknown as WorkerScope;
const wasmUrl = new URL('zxing_reader.wasm', scope.location.href).href;

prepareZXingModule({
  overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path) },
});

const PHOTO_OPTIONS = QR_READER_OPTIONS as unknown as ReaderOptions;
const PHOTO_SECOND_PASS = QR_SECOND_PASS_OPTIONS as unknown as ReaderOptions;
/** Frames come many a second: a quicker pass, the next frame is another chance. */
const FRAME_OPTIONS: ReaderOptions = { ...PHOTO_OPTIONS, tryHarder: false, tryDownscale: true };

/** The photo as pixels through the browser's own image decoder, scaled to at most MAX_WHOLE_PIXELS. */
async function downscaled(blob: Blob, width: number, height: number): Promise<ImageData> {
  const scale = Math.min(1, Math.sqrt(MAX_WHOLE_PIXELS / (width * height)));
  const w = Math.max(1, Math.floor(width * scale));
  const h = Math.max(1, Math.floor(height * scale));
  const bitmap = await createImageBitmap(blob, { resizeWidth: w, resizeHeight: h, resizeQuality: 'high' });
  const canvas = new OffscreenCanvas(w, h);
  const g = canvas.getContext('2d', { willReadFrequently: true })!;
  g.drawImage(bitmap, 0, 0);
  bitmap.close();
  return g.getImageData(0, 0, w, h);
}

scope.onmessage = async (event) => {
  const request = event.data;
  try {
    let input: Blob | ImageData;
    let options = PHOTO_OPTIONS;
    if (request.kind === 'frame') {
      input = request.image;
      options = FRAME_OPTIONS;
    } else {
      // zxing reads PNG, JPEG and GIF itself (as in Node); WebP, and photos too large to read
      // whole, go through the browser's decoder first.
      const whole = request.width * request.height <= MAX_WHOLE_PIXELS && request.type !== 'webp';
      input = whole ? request.blob : await downscaled(request.blob, request.width, request.height);
    }
    let results = await readBarcodes(input, options);
    // A photo gets the second pass the CLI gives it too; a camera frame is followed by the next.
    if (request.kind === 'file' && !results.some((r) => r.isValid && r.text)) results = await readBarcodes(input, PHOTO_SECOND_PASS);
    scope.postMessage({ id: request.id, texts: results.filter((r) => r.isValid && r.text).map((r) => r.text) });
  } catch {
    scope.postMessage({ id: request.id, error: 'decode_failed' });
  }
};
