// Print-ready artwork for a licence: the seal's QR code (SVG, PNG), the print guide and the
// PDF certificate, all rendered from the seal URL and licence document signed at issuance.
export * from './artwork-source.ts';
export * from './certificate.ts';
export * from './errors.ts';
export * from './print-guide.tsx';
export * from './print-size.ts';
export * from './qr-png.ts';
export * from './qr.ts';
export * from './render.ts';
export * from './svg.tsx';
