import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { base64urlDecode, base64urlEncode } from '../../src/core/base64url.ts';

describe('base64url', () => {
  it('encodes and decodes as jose does, at every length', () => {
    for (let length = 0; length < 200; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const text = base64url.encode(bytes);
      expect(base64urlEncode(bytes)).toBe(text);
      expect(base64urlDecode(text)).toEqual(bytes);
    }
  });

  it('says null for characters outside the alphabet, padding, or an impossible length', () => {
    for (const bad of ['A', 'AAAAA', 'AA==', 'AA+A', 'AA/A', 'A A=', 'AAA\u00e9', 'AAAA\u4f18AAA']) expect(base64urlDecode(bad)).toBeNull();
    expect(base64urlDecode('')).toEqual(new Uint8Array(0));
  });
});
