import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, foldCase } from '../../src/core/index.ts';

const text = (s: string) => new TextEncoder().encode(s);

describe('base32', () => {
  it.each([
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])('RFC 4648 §10 vector %j ↔ %s (unpadded)', (plain, encoded) => {
    expect(base32Encode(text(plain))).toBe(encoded);
    expect(base32Decode(encoded)).toEqual(text(plain));
  });

  it('encode and decode are exact inverses on canonical text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const encoded = base32Encode(bytes);
        expect(encoded).toMatch(/^[A-Z2-7]*$/);
        expect(base32Decode(encoded)).toEqual(bytes);
        expect(base32Encode(base32Decode(encoded)!)).toBe(encoded);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects padding', () => {
    expect(base32Decode('MY======')).toBeNull();
    expect(base32Decode('MZXQ====')).toBeNull();
    expect(base32Decode('MZXW6===')).toBeNull();
  });

  it('rejects stray characters, lower case included (callers fold case first)', () => {
    for (const bad of ['MZ XQ', 'MZ0Q', 'MZ1Q', 'MZ8Q', 'MZ9Q', 'MZ-Q', 'MZ/Q', 'mzxq', 'MZXq', 'MZ\u00c9Q', 'MZ\u0130Q', 'MZ\uff21Q']) {
      expect(base32Decode(bad), bad).toBeNull();
    }
    expect(base32Decode(foldCase('mzxq'))).toEqual(text('fo'));
  });

  it('rejects non-zero trailing bits: every byte string has one text', () => {
    // "MY" carries 10 bits for 8: the last 2 must be zero ("MZ" = "MY" + 1 spare bit).
    expect(base32Decode('MZ')).toBeNull();
    expect(base32Decode('MZXR')).toBeNull();
    expect(base32Decode('MZXW7')).toBeNull();
    expect(base32Decode('MZXW6YR')).toBeNull();
    expect(base32Decode('MZXW6YTBOJ')).toBeNull();
  });

  it('rejects lengths no byte string encodes to', () => {
    // Lengths 1, 3 and 6 (mod 8) would leave a whole spare character.
    for (const bad of ['M', 'MZX', 'MZXW6YT', 'MZXW6YTBO', 'MZXW6YTBOI' + 'A']) expect(base32Decode(bad), bad).toBeNull();
  });

  it('foldCase upper-cases ASCII letters only', () => {
    expect(foldCase('abc-xyz_ABC2')).toBe('ABC-XYZ_ABC2');
    // Non-ASCII letters that upper-case to ASCII (ı → I, ſ → S) must not become seal characters.
    expect(foldCase('\u0131\u017f')).toBe('\u0131\u017f');
  });
});
