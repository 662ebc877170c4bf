import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { base64urlDecode, base64urlEncode, decodeCanonicalBase64url, isCanonicalBase64url } from '../../src/core/base64url.ts';

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

describe('canonical base64url', () => {
  const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  /** The text with its last character's lowest spare bit set (the same bytes to a lenient decoder). */
  const spare = (text: string) => text.slice(0, -1) + B64URL[B64URL.indexOf(text.at(-1)!) | 1];

  it('is what jose encodes: alphabet only, a whole number of bytes, spare bits zero', () => {
    for (let length = 0; length < 100; length++) {
      const text = base64url.encode(crypto.getRandomValues(new Uint8Array(length)));
      expect(isCanonicalBase64url(text)).toBe(true);
      if (length % 3 !== 0) expect(isCanonicalBase64url(spare(text))).toBe(false);
    }
    for (const bad of ['A', 'AAAAA', 'AA==', 'AA+A', 'AA/A', 'A A=', 'AAA\u00e9', 'AAAA\u4f18AAA', 'AB', 'AAB', 'AAAAAB']) expect(isCanonicalBase64url(bad)).toBe(false);
    expect(isCanonicalBase64url('AAB', true)).toBe(false);
    expect(isCanonicalBase64url('AAE')).toBe(true);
  });

  it('decodes like jose at every size, natively past a few kilobytes', async () => {
    for (const length of [0, 1, 2, 3, 100, 12_287, 12_288, 12_289, 110_001, 110_002]) {
      const bytes = crypto.getRandomValues(new Uint8Array(Math.min(length, 65_536)));
      const all = new Uint8Array(length);
      for (let at = 0; at < length; at += bytes.length) all.set(bytes.subarray(0, length - at), at);
      const text = base64url.encode(all);
      expect(await decodeCanonicalBase64url(text)).toEqual(all);
      if (length % 3 !== 0) expect(await decodeCanonicalBase64url(spare(text))).toBeNull();
    }
  });

  it('hands a hook only canonical text, and checks what it returns', async () => {
    const seen: string[] = [];
    const hook = (text: string) => (seen.push(text), base64url.decode(text));
    expect(await decodeCanonicalBase64url('AP_-AQ', hook)).toEqual(new Uint8Array([0, 255, 254, 1]));
    for (const bad of ['A', 'AA==', 'AA+A', 'A A=', 'AB', 'AP_-AR']) expect(await decodeCanonicalBase64url(bad, hook)).toBeNull();
    expect(seen).toEqual(['AP_-AQ']);
    expect(await decodeCanonicalBase64url('AP_-AQ', () => new Uint8Array(3))).toBeNull();
    expect(await decodeCanonicalBase64url('AP_-AQ', () => { throw new Error('no'); })).toBeNull();
  });
});
