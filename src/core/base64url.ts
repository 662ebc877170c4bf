// Base64url without padding (RFC 4648 §5), encoding only: the same text as jose's
// `base64url.encode`, at a fraction of its cost where Uint8Array#toBase64 is missing (Node 20,
// whose `btoa` path is slow). A batch import encodes a ~1 KB licence document per licence.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const encoder = new TextEncoder();
const ascii = new TextDecoder();

export function base64urlEncode(input: Uint8Array | string): string {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  const out = new Uint8Array(Math.ceil((bytes.length * 4) / 3));
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = CODES[n >>> 18]!;
    out[o++] = CODES[(n >>> 12) & 63]!;
    out[o++] = CODES[(n >>> 6) & 63]!;
    out[o++] = CODES[n & 63]!;
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((i + 1 < bytes.length ? bytes[i + 1]! : 0) << 8);
    out[o++] = CODES[n >>> 18]!;
    out[o++] = CODES[(n >>> 12) & 63]!;
    if (i + 1 < bytes.length) out[o++] = CODES[(n >>> 6) & 63]!;
  }
  return ascii.decode(out.subarray(0, o));
}
