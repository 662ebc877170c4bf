// Standard base64 with padding (RFC 4648 §4), as signed notes, checkpoints and tlog-proof files
// write it. Read only in its canonical form — the alphabet, exact padding, zero spare bits — so
// one byte string has one text, and a tampered character is never silently ignored.

import { base64urlDecode, base64urlEncode, isCanonicalBase64url } from '../base64url.ts';

const STANDARD = /^[A-Za-z0-9+/]*={0,2}$/;

export function encodeBase64(bytes: Uint8Array): string {
  const text = base64urlEncode(bytes).replace(/-/g, '+').replace(/_/g, '/');
  return text + '='.repeat((4 - (text.length % 4)) % 4);
}

/** The bytes of canonical padded base64, or null for any other text. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (text.length % 4 !== 0 || !STANDARD.test(text)) return null;
  const bare = text.replace(/=+$/, '');
  if ((4 - (bare.length % 4)) % 4 !== text.length - bare.length) return null;
  const url = bare.replace(/\+/g, '-').replace(/\//g, '_');
  if (!isCanonicalBase64url(url, true)) return null;
  return base64urlDecode(url);
}
