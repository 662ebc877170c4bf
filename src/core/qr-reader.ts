// How every QR decoder of ours reads a photo (zxing-wasm's reader options): the inspector page
// in the browser and `qdyp verify PHOTO` in Node use these same settings, so a photo that one
// reads, the other reads too. Plain data here; the decoders pass it to zxing-wasm.

export const QR_READER_OPTIONS = {
  tryHarder: true,
  tryRotate: true,
  tryInvert: false,
  tryDownscale: true,
  maxNumberOfSymbols: 4,
} as const;
