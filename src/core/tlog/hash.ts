// RFC 6962 §2.1 Merkle tree hashing with SHA-256 (what C2SP tlog-tiles prescribes):
//   leaf hash  = SHA-256(0x00 || entry)
//   node hash  = SHA-256(0x01 || left || right)
//   empty tree = SHA-256("")
// The root of n > 1 leaves splits at k, the largest power of two below n: the left subtree is
// always complete. Hashing bottom-up, pairing neighbours and carrying an odd last node up
// unchanged, gives the same tree, and lets a whole level's digests run at once: WebCrypto's
// digest is asynchronous, and many in flight cost far less than the same number awaited one by
// one. A caller with a faster SHA-256 (the office passes node:crypto's) hands it in as `sha256`.

export const HASH_SIZE = 32;

/** SHA-256 of `data`, as WebCrypto computes it, or synchronously (node:crypto) for bulk work. */
export type Sha256 = (data: Uint8Array<ArrayBuffer>) => Promise<Uint8Array> | Uint8Array;

export const webSha256: Sha256 = async (data) => new Uint8Array(await crypto.subtle.digest('SHA-256', data));

const EMPTY_ROOT = new Uint8Array([
  0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
  0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
]);

/** The root of the empty tree, SHA-256 of no bytes (a fresh copy: callers may keep it). */
export function emptyRoot(): Uint8Array {
  return EMPTY_ROOT.slice();
}

/** SHA-256(0x00 || entry). */
export function leafHash(entry: Uint8Array, sha256: Sha256 = webSha256): Promise<Uint8Array> {
  const input = new Uint8Array(entry.length + 1);
  input.set(entry, 1);
  return Promise.resolve(sha256(input));
}

/** SHA-256(0x01 || left || right); both children are 32-byte hashes. */
export function nodeHash(left: Uint8Array, right: Uint8Array, sha256: Sha256 = webSha256): Promise<Uint8Array> {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) return Promise.reject(new RangeError('a Merkle tree node joins two 32-byte hashes'));
  const input = new Uint8Array(1 + 2 * HASH_SIZE);
  input[0] = 1;
  input.set(left, 1);
  input.set(right, 1 + HASH_SIZE);
  return Promise.resolve(sha256(input));
}

/** How many digests are put in flight at once: enough to keep WebCrypto busy, bounded memory. */
const BATCH = 1024;

/** The leaf hashes of `entries`, in order, hashed in batches. */
export async function leafHashes(entries: readonly Uint8Array[], sha256: Sha256 = webSha256): Promise<Uint8Array[]> {
  const out: Uint8Array[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i += BATCH) {
    const end = Math.min(entries.length, i + BATCH);
    const batch: Promise<Uint8Array>[] = [];
    for (let j = i; j < end; j++) batch.push(leafHash(entries[j]!, sha256));
    const hashes = await Promise.all(batch);
    for (let j = i; j < end; j++) out[j] = hashes[j - i]!;
  }
  return out;
}

/**
 * One level up: hashes of neighbouring pairs, an odd last hash carried unchanged. `get(i)`
 * reads the level below, so a tile's bytes are hashed through views, never copied into arrays.
 */
async function levelUp(count: number, get: (i: number) => Uint8Array, sha256: Sha256): Promise<Uint8Array[]> {
  const out: Uint8Array[] = new Array(Math.ceil(count / 2));
  const pairs = Math.floor(count / 2);
  for (let i = 0; i < pairs; i += BATCH) {
    const end = Math.min(pairs, i + BATCH);
    const batch: Promise<Uint8Array>[] = [];
    for (let j = i; j < end; j++) batch.push(nodeHash(get(2 * j), get(2 * j + 1), sha256));
    const hashes = await Promise.all(batch);
    for (let j = i; j < end; j++) out[j] = hashes[j - i]!;
  }
  if (count % 2 === 1) out[pairs] = get(count - 1);
  return out;
}

/** The Merkle tree hash (RFC 6962 MTH) of `count` leaf hashes read through `get`. */
export async function rootFrom(count: number, get: (i: number) => Uint8Array, sha256: Sha256 = webSha256): Promise<Uint8Array> {
  if (count === 0) return emptyRoot();
  if (count === 1) return get(0).slice();
  let level = await levelUp(count, get, sha256);
  while (level.length > 1) {
    const current = level;
    level = await levelUp(current.length, (i) => current[i]!, sha256);
  }
  return level[0]!;
}

/** The tree root (RFC 6962 MTH) over `hashes`, the leaf hashes in order: emptyRoot() for none. */
export function rootFromLeafHashes(hashes: readonly Uint8Array[], sha256: Sha256 = webSha256): Promise<Uint8Array> {
  return rootFrom(hashes.length, (i) => hashes[i]!, sha256);
}

/**
 * The hash of a subtree from the complete subtrees it splits into, largest (leftmost) first:
 * right to left, each joined as the left child of what is already folded.
 */
export async function foldSubtrees(hashes: readonly Uint8Array[], sha256: Sha256 = webSha256): Promise<Uint8Array> {
  if (hashes.length === 0) return emptyRoot();
  let hash = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) hash = await nodeHash(hashes[i]!, hash, sha256);
  return hash;
}

/** Constant-length comparison of two hashes (or any two byte strings). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
