// Merkle inclusion and consistency proofs: verified as RFC 9162 §2.1.3.2 and §2.1.4.2 say,
// and made from tiles as RFC 6962 §2.1.1–2.1.2 define them (PATH and SUBPROOF). Every hash a
// proof names is the MTH of a range of leaves that is either a complete subtree or runs to the
// tree's right edge, so it is read from the tiles as the complete subtrees it splits into.
//
// Verification answers true or false and never throws: a malformed input (an index past the
// tree, a hash of the wrong length, a proof too long or too short) is simply a proof that
// does not hold. Sizes and indices are numbers, so the RFC's bit shifts are divisions here.

import { HASH_SIZE, equalBytes, nodeHash, webSha256, type Sha256 } from './hash.ts';
import { TileHashes, subtreeNodes, tileHashesNeededFor, type TileReader, type TileRef } from './tiles.ts';

const isSize = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isHash = (h: unknown): h is Uint8Array => h instanceof Uint8Array && h.length === HASH_SIZE;
const odd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);
function isPowerOfTwo(n: number): boolean {
  while (n > 1 && !odd(n)) n /= 2;
  return n === 1;
}

/**
 * Whether `proof` shows the leaf `leafHash` at `index` in the tree of `size` leaves whose root
 * is `root` (RFC 9162 §2.1.3.2).
 */
export async function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
  sha256: Sha256 = webSha256,
): Promise<boolean> {
  if (!isSize(index) || !isSize(size) || index >= size || !isHash(leafHash) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = await nodeHash(p, r, sha256);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = await nodeHash(r, p, sha256);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(r, root);
}

/**
 * Whether `proof` shows the tree of `size2` leaves (root `root2`) extends the tree of `size1`
 * leaves (root `root1`) (RFC 9162 §2.1.4.2). Equal sizes need an empty proof and equal roots.
 * `size1` 0 is refused: every tree extends the empty one, so there is nothing to prove, and a
 * caller whose last checkpoint was empty needs no proof at all.
 */
export async function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
  sha256: Sha256 = webSha256,
): Promise<boolean> {
  if (!isSize(size1) || !isSize(size2) || size1 > size2 || size1 === 0) return false;
  if (!(root1 instanceof Uint8Array) || !(root2 instanceof Uint8Array)) return false;
  // Equal sizes: the same tree, so the same root, byte for byte (of whatever length: the
  // transparency-dev vectors test this case with placeholder roots).
  if (size1 === size2) return proof.length === 0 && equalBytes(root1, root2);
  if (proof.length === 0 || !isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;
  // When size1 is a power of two, its root is a node of the bigger tree the proof leaves out.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = await nodeHash(c, fr, sha256);
      sr = await nodeHash(c, sr, sha256);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = await nodeHash(sr, c, sha256);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(fr, root1) && equalBytes(sr, root2);
}

/** The largest power of two below n (n > 1): where RFC 6962 splits a tree of n leaves. */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A range of leaves [start, end) whose MTH is one hash of a proof. */
export type LeafRange = readonly [start: number, end: number];

/** The ranges whose hashes make PATH(index, D[0:size]), from the leaf's sibling up (RFC 6962 §2.1.1). */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  if (!isSize(index) || !isSize(size) || index >= size) throw new RangeError('the leaf index must be inside the tree');
  const ranges: LeafRange[] = [];
  const path = (lo: number, hi: number): void => {
    if (hi - lo === 1) return;
    const k = split(hi - lo);
    if (index < lo + k) {
      path(lo, lo + k);
      ranges.push([lo + k, hi]);
    } else {
      path(lo + k, hi);
      ranges.push([lo, lo + k]);
    }
  };
  path(0, size);
  return ranges;
}

/**
 * The ranges whose hashes make PROOF(size1, D[0:size2]) (RFC 6962 §2.1.2): none for equal
 * sizes; `size1` must be at least 1 (see verifyConsistency).
 */
export function consistencyProofRanges(size1: number, size2: number): LeafRange[] {
  if (!isSize(size1) || !isSize(size2) || size1 === 0 || size1 > size2) throw new RangeError('a consistency proof runs from 1 ≤ size1 ≤ size2');
  const ranges: LeafRange[] = [];
  const subproof = (m: number, lo: number, hi: number, complete: boolean): void => {
    const n = hi - lo;
    if (m === n) {
      if (!complete) ranges.push([lo, hi]);
      return;
    }
    const k = split(n);
    if (m <= k) {
      subproof(m, lo, lo + k, complete);
      ranges.push([lo + k, hi]);
    } else {
      subproof(m - k, lo + k, hi, false);
      ranges.push([lo, lo + k]);
    }
  };
  if (size1 < size2) subproof(size1, 0, size2, true);
  return ranges;
}

/** The tiles a proof over these ranges reads, in a tree of `size` leaves (to fetch them at once). */
function tilesFor(ranges: readonly LeafRange[], size: number): TileRef[] {
  return tileHashesNeededFor(ranges.flatMap(([start, end]) => subtreeNodes(start, end)), size);
}

/** The tiles inclusionProofFromTiles reads for this leaf, before reading any. */
export function tilesForInclusionProof(index: number, size: number): TileRef[] {
  return tilesFor(inclusionProofRanges(index, size), size);
}

/** The tiles consistencyProofFromTiles reads for these sizes, before reading any. */
export function tilesForConsistencyProof(size1: number, size2: number): TileRef[] {
  return tilesFor(consistencyProofRanges(size1, size2), size2);
}

/** A proof computed from tiles, and the tiles read for it, in the order they were asked for. */
export interface TileProof {
  proof: Uint8Array[];
  tiles: TileRef[];
}

async function fromTiles(ranges: readonly LeafRange[], size: number, readTile: TileReader, sha256: Sha256): Promise<TileProof> {
  const hashes = new TileHashes(size, readTile, sha256);
  const proof = await Promise.all(ranges.map(([start, end]) => hashes.range(start, end)));
  return { proof, tiles: hashes.fetched };
}

/**
 * The inclusion proof of leaf `index` in the tree of `size` leaves, from that tree's tiles. At
 * most one tile per level on the leaf's path, plus the right edge's partial tiles.
 */
export function inclusionProofFromTiles(index: number, size: number, readTile: TileReader, sha256: Sha256 = webSha256): Promise<TileProof> {
  return fromTiles(inclusionProofRanges(index, size), size, readTile, sha256);
}

/** The consistency proof from the tree of `size1` leaves to that of `size2`, from the bigger tree's tiles. */
export function consistencyProofFromTiles(size1: number, size2: number, readTile: TileReader, sha256: Sha256 = webSha256): Promise<TileProof> {
  return fromTiles(consistencyProofRanges(size1, size2), size2, readTile, sha256);
}

/** The root of the tree of `size` leaves, from its partial tiles alone (emptyRoot() for 0). */
export async function treeRootFromTiles(size: number, readTile: TileReader, sha256: Sha256 = webSha256): Promise<Uint8Array> {
  return new TileHashes(size, readTile, sha256).range(0, size);
}
