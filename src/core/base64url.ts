// Base64url without padding (RFC 4648 §5). Encoding: the same text as jose's
// `base64url.encode`, at a fraction of its cost where Uint8Array#toBase64 is missing (Node 20,
// whose `btoa` path is slow). A batch import encodes a ~1 KB licence document per licence.
// Decoding: signed texts are read only in their canonical form (one text per byte string),
// checked here without re-encoding, then decoded natively where the runtime can: the
// revision list of a million licences is ~150 KB of text, which a JS loop decodes in ~10 ms
// on a cold isolate (it runs before the JIT has compiled it).

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

const ALPHABET_ONLY = /^[A-Za-z0-9_-]*$/;
type FromBase64 = (text: string, options: { alphabet: 'base64url' }) => Uint8Array<ArrayBuffer>;
/** Uint8Array.fromBase64 (workerd, current browsers): native and synchronous. Not in Node 20. */
const fromBase64 = (Uint8Array as unknown as { fromBase64?: FromBase64 }).fromBase64;
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

/**
 * Decodes base64url without padding; null for any character outside the alphabet or an
 * impossible length. Several times faster than jose's decoder on Node 20: a million-entry
 * revision list's `lst` is ~130 KB of text.
 */
export function base64urlDecode(text: string): Uint8Array<ArrayBuffer> | null {
  const n = text.length;
  if (n % 4 === 1) return null;
  // Native where the runtime has it (workerd, current browsers), once the alphabet is checked:
  // fromBase64 itself would skip whitespace.
  if (fromBase64 && n >= 64) return ALPHABET_ONLY.test(text) ? fromBase64(text, { alphabet: 'base64url' }) : null;
  const out = new Uint8Array(Math.floor((n * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const a = VALUES[text.charCodeAt(i)] ?? -1;
    const b = VALUES[text.charCodeAt(i + 1)] ?? -1;
    const c = VALUES[text.charCodeAt(i + 2)] ?? -1;
    const d = VALUES[text.charCodeAt(i + 3)] ?? -1;
    if ((a | b | c | d) < 0) return null;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >>> 16;
    out[o++] = (v >>> 8) & 255;
    out[o++] = v & 255;
  }
  if (i < n) {
    const a = VALUES[text.charCodeAt(i)] ?? -1;
    const b = VALUES[text.charCodeAt(i + 1)] ?? -1;
    const c = i + 2 < n ? (VALUES[text.charCodeAt(i + 2)] ?? -1) : 0;
    if ((a | b | c) < 0) return null;
    const v = (a << 18) | (b << 12) | (c << 6);
    out[o++] = v >>> 16;
    if (i + 2 < n) out[o++] = (v >>> 8) & 255;
  }
  return out;
}

/**
 * Decodes text already known to be canonical base64url (see isCanonicalBase64url) — the check
 * comes first, whatever decodes. Passed as `base64` wherever lists are read: Node's
 * `Buffer.from(text, 'base64url')` (src/node/codecs.ts) is native, where the default may not be.
 */
export type Base64Decode = (text: string) => Uint8Array;


/**
 * Whether `text` is canonical unpadded base64url: the alphabet only, a length that encodes
 * whole bytes (not 1 mod 4), and the last character's spare low bits zero, so that a byte
 * string has exactly one text. `alphabetChecked`: the caller has tested the alphabet already.
 */
export function isCanonicalBase64url(text: string, alphabetChecked = false): boolean {
  const rest = text.length % 4;
  if (rest === 1 || (!alphabetChecked && !ALPHABET_ONLY.test(text))) return false;
  if (rest === 0) return true;
  // 2 characters carry 1 byte and 4 spare bits; 3 carry 2 bytes and 2 spare bits.
  return (VALUES[text.charCodeAt(text.length - 1)]! & (rest === 2 ? 0b1111 : 0b11)) === 0;
}

/** Below this many characters the JS decoder is quicker than a round trip through WebCrypto. */
const NATIVE_FROM = 16 * 1024;

/**
 * Decodes canonical base64url, or null for any other text (checked before `decode` runs; its
 * output must be as long as the text says). Without `decode`: Uint8Array.fromBase64 where the
 * runtime has it; else, for long texts, WebCrypto's own decoder (a JWK `k` imported as an
 * HMAC key and exported raw: native everywhere WebCrypto is); else the JS decoder.
 */
export async function decodeCanonicalBase64url(text: string, decode?: Base64Decode, alphabetChecked = false): Promise<Uint8Array | null> {
  if (!isCanonicalBase64url(text, alphabetChecked)) return null;
  const length = Math.floor((text.length * 3) / 4);
  let bytes: Uint8Array | null;
  try {
    bytes = decode ? decode(text) : ((await nativeDecode(text)) ?? base64urlDecode(text));
  } catch {
    return null;
  }
  return bytes instanceof Uint8Array && bytes.length === length ? bytes : null;
}

/** The runtime's own decoder for canonical text, or null when it has none worth the trip. */
async function nativeDecode(text: string): Promise<Uint8Array | null> {
  if (fromBase64) return fromBase64(text, { alphabet: 'base64url' });
  if (text.length < NATIVE_FROM || typeof globalThis.crypto?.subtle?.importKey !== 'function') return null;
  try {
    const key = await crypto.subtle.importKey('jwk', { kty: 'oct', k: text }, HMAC, true, ['sign']);
    return new Uint8Array(await crypto.subtle.exportKey('raw', key));
  } catch {
    return null;
  }
}
const HMAC = { name: 'HMAC', hash: 'SHA-256' } as const;
