// The programme's transparency log as qdyp publishes it: where its files live in a store, what
// its checkpoints are called, and which keys sign them. The log itself (hashing, tiles, notes,
// proofs) is generic C2SP code in tlog/; the entries' encoding is log-entry.ts.
//
// Store keys (KV keys on Cloudflare, files under an edge directory on Node), served by the
// verifier at the same paths under /log/:
//   log/checkpoint                       the newest signed checkpoint (C2SP tlog-checkpoint)
//   log/tile/{L}/{N}[.p/{W}]             hash tiles (C2SP tlog-tiles), immutable
//   log/tile/entries/{N}[.p/{W}]         entry bundles, immutable, stored gzip-compressed
//
// Entry bundles are stored compressed and served as stored with `Content-Encoding: gzip`
// (tlog-tiles: bundles SHOULD be compressed at the HTTP layer; an HTTP client sees the bundle
// itself). A partial bundle repeats every entry since the last full one, ~620 bytes each: raw,
// one revocation would publish up to 157 KB of bundle; compressed, about a tenth (bar P7).
//
// The checkpoint's origin line, and its signature's key name, is the verify origin's host
// (with its port, if any) and `/log`, in lower case: `v.qdyp.cn/log`. It is signed by the key
// list's log key (role `log`): trusted through the root-signed key list like the issuing keys,
// rotated the same way, and never trusted for anything else.

import { compressBytes, inflateWith, type Inflate } from './compression.ts';
import { QdypError } from './errors.ts';
import { TlogError } from './tlog/errors.ts';
import { noteVerifier, type NoteVerifier } from './tlog/note.ts';
import { decodeEntryBundle, encodeEntryBundle, entryBundlePath, MAX_ENTRY_BYTES, parseTilePath, tilePath, TILE_WIDTH, type TilePath } from './tlog/tiles.ts';
import type { TrustedKeyList } from './trust-context.ts';

export const LOG_CHECKPOINT_KEY = 'log/checkpoint';
const LOG_PREFIX = 'log/';

/** The store key of a hash tile. */
export function logTileKey(level: number, index: number, width?: number): string {
  return LOG_PREFIX + tilePath(level, index, width);
}

/** The store key of an entry bundle. */
export function logEntriesKey(index: number, width?: number): string {
  return LOG_PREFIX + entryBundlePath(index, width);
}

export type LogStoreKey = { kind: 'checkpoint' } | TilePath;

/** What a log store key names, or null unless it is exactly one (canonical tile paths only). */
export function parseLogKey(key: string): LogStoreKey | null {
  if (key === LOG_CHECKPOINT_KEY) return { kind: 'checkpoint' };
  return key.startsWith(LOG_PREFIX) ? parseTilePath(key.slice(LOG_PREFIX.length)) : null;
}

/** The log's name for a verify origin (`HTTPS://V.QDYP.CN` → `v.qdyp.cn/log`). */
export function logOrigin(verifyOrigin: string): string {
  const url = new URL(verifyOrigin.trim());
  return `${url.host.toLowerCase()}/log`;
}

/**
 * Note verifiers for the key list's log keys that are not compromised (a compromised log key
 * vouches for no checkpoint), each under the log's name.
 */
export async function logVerifiers(keyList: Pick<TrustedKeyList, 'logKeys'>, origin: string): Promise<NoteVerifier[]> {
  return Promise.all(keyList.logKeys.filter((k) => k.status !== 'compromised').map((k) => noteVerifier(origin, k.jwk)));
}

/** The largest entry bundle there can be: 256 entries of 65,535 bytes, each with its length. */
export const MAX_ENTRY_BUNDLE_BYTES = TILE_WIDTH * (MAX_ENTRY_BYTES + 2);

/** An entry bundle as a store holds it: gzip of the C2SP bundle (Node passes zlib's, level 9). */
export function storedEntryBundle(entries: readonly Uint8Array[]): Promise<Uint8Array> {
  return compressBytes([encodeEntryBundle(entries)], 'gzip');
}

/**
 * The entries of a stored (gzip-compressed) entry bundle of `width` entries. Throws TlogError:
 * ERR_TLOG_MALFORMED for one that does not inflate or is no bundle of that width,
 * ERR_TLOG_TOO_LARGE for one that inflates past the largest a bundle can be.
 */
export async function openStoredEntryBundle(stored: Uint8Array, width: number, inflate?: Inflate): Promise<Uint8Array[]> {
  let bundle: Uint8Array;
  try {
    bundle = await inflateWith(inflate, stored, 'gzip', MAX_ENTRY_BUNDLE_BYTES);
  } catch (error) {
    if (!(error instanceof QdypError)) throw error;
    throw new TlogError(error.code === 'ERR_ARTIFACT_TOO_LARGE' ? 'ERR_TLOG_TOO_LARGE' : 'ERR_TLOG_MALFORMED', 'an entry bundle that does not inflate (gzip)');
  }
  return decodeEntryBundle(bundle, width);
}
