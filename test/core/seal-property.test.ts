// Properties of verifySeal over many generated inputs (fast-check): a mutated seal is never
// authorized and never throws; a change of letter case alone is the same seal.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { base32Encode, foldCase, rootTrust, verifySeal, type TrustContext, type Verdict } from '../../src/core/index.ts';
import { issue, newProgramme, publish, T0, trustPublished, type Programme } from '../support/programme.ts';

let p: Programme;
let ctx: TrustContext;
let seal: string;
let authorized: Verdict;

beforeAll(async () => {
  p = await newProgramme();
  seal = await issue(p, 1);
  ctx = await trustPublished(p, await publish(p));
  authorized = await verifySeal(seal, T0, ctx);
  expect(authorized.code).toBe('authorized');
});

/** Characters a mutation may put in: the alphabet, letters and digits outside it, URL junk, non-ASCII. */
const character = fc.oneof(
  fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'),
  fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0189=/+-_.:?#% '),
  fc.constantFrom('\u0000', '\u00e9', '\u0131', '\u017f', '\u212a', '\uff21', '优', '\ud83d\ude00', '\ud800'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

const mutation = fc.oneof(
  // Replace one to three characters anywhere.
  fc.array(fc.tuple(fc.nat(119), character), { minLength: 1, maxLength: 3 }).map((edits) => (s: string) => {
    const chars = [...s];
    for (const [at, c] of edits) chars[at] = c;
    return chars.join('');
  }),
  // Truncate.
  fc.nat(119).map((length) => (s: string) => s.slice(0, length)),
  // Extend at the end, or insert anywhere.
  fc.tuple(fc.nat(120), fc.array(character, { minLength: 1, maxLength: 4 })).map(([at, cs]) => (s: string) => s.slice(0, at) + cs.join('') + s.slice(at)),
);

describe('verifySeal on mutated seals', () => {
  it('is authorized only when the mutation folds back to the seal itself (10,000 cases)', async () => {
    let sameSeal = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async (mutate) => {
        const text = mutate(seal);
        const v = await verifySeal(text, T0, ctx);
        if (foldCase(text) === seal) {
          // e.g. a letter replaced by its own lower case: the same seal.
          sameSeal++;
          expect(v).toEqual(authorized);
        } else {
          expect(v.code).not.toBe('authorized');
          expect(v.authorized).toBe(false);
        }
      }),
      { numRuns: 10_000 },
    );
    // Sanity: most cases really changed the seal.
    expect(sameSeal).toBeLessThan(2_000);
  });

  it('a change of letter case alone verifies as the same seal', async () => {
    const letters = [...seal].flatMap((c, i) => (/[A-Z]/.test(c) ? [i] : []));
    await fc.assert(
      fc.asyncProperty(fc.subarray(letters), async (lower) => {
        const chars = [...seal];
        for (const i of lower) chars[i] = chars[i]!.toLowerCase();
        const v = await verifySeal(chars.join(''), T0, ctx);
        expect(v).toEqual(authorized);
        expect(v.licence?.number).toBe('QDYP-2026-000001');
      }),
      { numRuns: 500 },
    );
  });
});

describe('verifySeal never throws', () => {
  it('on arbitrary strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme-ascii', maxLength: 300 }), fc.stringMatching(/^[A-Za-z2-7]{120}$/)), async (text) => {
        expect((await verifySeal(text, T0, ctx)).authorized).toBe(false);
      }),
      { numRuns: 3_000 },
    );
  });

  it('on well-formed seals under a listed short id with random content', async () => {
    const sid = [...p.keys[0]!.signer.sid.matchAll(/../g)].map((m) => parseInt(m[0], 16));
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 70, maxLength: 70 }), async (rest) => {
        const v = await verifySeal(base32Encode(new Uint8Array([1, ...sid, ...rest])), T0, ctx);
        expect(v.code).toBe('bad_signature');
        expect(v.licence).toBeNull();
      }),
      { numRuns: 1_000 },
    );
  });

  it('on non-string input from careless callers', async () => {
    for (const junk of [undefined, null, 42, {}, ['A'.repeat(120)]]) {
      expect((await verifySeal(junk as unknown as string, T0, ctx)).code).toBe('malformed');
    }
  });
});

describe('the noble engine gives the same verdicts on mutated seals', () => {
  it('identical verdict objects (300 cases)', async () => {
    const noble = await trustPublished(p, await publish(p), { root: await rootTrust(p.rootJwk, 'noble'), engine: 'noble' });
    await fc.assert(
      fc.asyncProperty(mutation, async (mutate) => {
        const text = mutate(seal);
        expect(await verifySeal(text, T0, noble)).toEqual(await verifySeal(text, T0, ctx));
      }),
      { numRuns: 300 },
    );
  });
});
