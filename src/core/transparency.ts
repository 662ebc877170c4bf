// The programme's transparency log as qdyp publishes it: where its files live in a store, what
// its checkpoints are called, and which keys sign them. The log itself (hashing, tiles, notes,
// proofs) is generic C2SP code in tlog/; the entries' encoding is log-entry.ts.
//
// Store keys (KV keys on Cloudflare, files under an edge directory on Node), served by the
// verifier at the same paths under /log/:
//   log/checkpoint                       the newest signed checkpoint (C2SP tlog-checkpoint)
//   log/tile/{L}/{N}[.p/{W}]             hash tiles (C2SP tlog-tiles), immutable
//   log/tile/entries/{N}[.p/{W}]         entry bundles, immutable
//
// The checkpoint's origin line, and its signature's key name, is the verify origin's host
// (with its port, if any) and `/log`, in lower case: `v.qdyp.cn/log`. It is signed by the key
// list's log key (role `log`): trusted through the root-signed key list like the issuing keys,
// rotated the same way, and never trusted for anything else.

import { noteVerifier, type NoteVerifier } from './tlog/note.ts';
import { entryBundlePath, parseTilePath, tilePath, type TilePath } from './tlog/tiles.ts';
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
