// RFC 4648 Base32 without padding. Decoding is strict: it accepts only the canonical
// uppercase text (callers fold case first) and rejects non-zero trailing bits, so every
// byte string has exactly one text and every accepted text exactly one byte string.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Returns null for any text that is not canonical unpadded uppercase Base32. */
export function base32Decode(text: string): Uint8Array<ArrayBuffer> | null {
  const length = Math.floor((text.length * 5) / 8);
  // Lengths whose leftover bits would make a whole character are never produced.
  if (Math.ceil((length * 8) / 5) !== text.length) return null;
  const out = new Uint8Array(length);
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? VALUES[code]! : -1;
    if (value < 0) return null;
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >>> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

/** ASCII-only upper-casing: scanners that lower-case URLs touch nothing else. */
export function foldCase(text: string): string {
  return text.replace(/[a-z]+/g, (s) => s.toUpperCase());
}
