// How every QR decoder of ours reads a photo (zxing-wasm's reader options): the inspector page
// in the browser and `qdyp verify PHOTO` in Node use these same settings, so a photo that one
// reads, the other reads too. Plain data here; the decoders pass it to zxing-wasm.
//
// The first pass: QR codes only, zxing's local-average binarizer and downscaled retries, which
// read the most of bar P9's photos (`npm run bench -- decode`; the other binarizers read fewer).
// The second pass, only when the first finds nothing: the same with zxing's denoising filter (a
// morphological closing), which recovers some codes under glare and noise at about the first
// pass's cost again.

export const QR_READER_OPTIONS = {
  formats: ['QRCode'],
  binarizer: 'LocalAverage',
  tryHarder: true,
  tryRotate: true,
  tryInvert: false,
  tryDownscale: true,
  maxNumberOfSymbols: 4,
} as const;

export const QR_SECOND_PASS_OPTIONS = { ...QR_READER_OPTIONS, tryDenoise: true } as const;
