// Whether a newly offered checkpoint may follow the one accepted before: the check against
// split views that the verifier (src/web/log-cache.ts) and the inspector page
// (src/inspect/device.ts) both make, with the consistency proof computed from the published
// tiles; and opening a checkpoint as the programme's log's (openLogCheckpoint) before that.
// What is compared must already be verified: checkSuccession compares trees, nothing else.

import { openCheckpoint, parseCheckpoint, type Checkpoint } from './tlog/checkpoint.ts';
import { TlogError } from './tlog/errors.ts';
import { equalBytes, webSha256, type Sha256 } from './tlog/hash.ts';
import { parseNote, type NoteVerifier } from './tlog/note.ts';
import { consistencyProofFromTiles, verifyConsistency } from './tlog/proof.ts';
import type { TileReader } from './tlog/tiles.ts';
import { logVerifiers } from './transparency.ts';
import type { TrustedKeyList } from './trust-context.ts';

/**
 * A signed checkpoint, verified: one of `names`' logs (its origin line), signed by a log key of
 * `keyList` that is not compromised. Null when it is not (a TlogError of any kind).
 */
export async function openLogCheckpoint(
  note: string,
  keyList: Pick<TrustedKeyList, 'logKeys'>,
  names: readonly string[],
  verifiers: (origin: string) => Promise<NoteVerifier[]> = (origin) => logVerifiers(keyList, origin),
): Promise<Checkpoint | null> {
  try {
    const origin = parseCheckpoint(parseNote(note).text).origin;
    if (!names.includes(origin)) return null;
    const keys = await verifiers(origin);
    return keys.length === 0 ? null : (await openCheckpoint(note, keys, origin)).checkpoint;
  } catch (error) {
    if (error instanceof TlogError) return null;
    throw error;
  }
}

export type Succession =
  /** The same tree: same size, same root. */
  | { kind: 'same' }
  /** A larger tree, proved to extend the accepted one. */
  | { kind: 'newer' }
  /**
   * A smaller tree: never accepted (a rollback). `proven`: shown to be a prefix of the accepted
   * tree (an older checkpoint still cached somewhere), not evidence of anything worse; false
   * when the tiles to check it could not be read.
   */
  | { kind: 'older'; proven: boolean }
  /** The same size with another root: two signed heads of one log that disagree. */
  | { kind: 'fork' }
  /** A consistency proof computed from the published tiles does not hold (a fork, or tampered tiles). */
  | { kind: 'inconsistent' }
  /** A larger tree whose tiles could not be read (not there yet, or the store failed): try again later. */
  | { kind: 'unchecked' };

/**
 * Compares `offered` with `accepted`. `readTile` reads the published tiles (the larger tree's
 * are used); a tile that is missing or unreadable makes the answer `unchecked` (or an unproven
 * `older`), a tile of the wrong length is as good as a failed proof.
 */
export async function checkSuccession(accepted: Checkpoint, offered: Checkpoint, readTile: TileReader, sha256: Sha256 = webSha256): Promise<Succession> {
  if (offered.size === accepted.size) return equalBytes(offered.root, accepted.root) ? { kind: 'same' } : { kind: 'fork' };
  const [small, large] = offered.size < accepted.size ? [offered, accepted] : [accepted, offered];
  const older = offered.size < accepted.size;
  // Every tree extends the empty one: nothing to prove.
  if (small.size === 0) return older ? { kind: 'older', proven: true } : { kind: 'newer' };
  let holds: boolean;
  try {
    const { proof } = await consistencyProofFromTiles(small.size, large.size, readTile, sha256);
    holds = await verifyConsistency(small.size, large.size, proof, small.root, large.root, sha256);
  } catch (error) {
    if (!(error instanceof TlogError && error.code === 'ERR_TLOG_TILE')) return older ? { kind: 'older', proven: false } : { kind: 'unchecked' };
    holds = false;
  }
  if (!holds) return { kind: 'inconsistent' };
  return older ? { kind: 'older', proven: true } : { kind: 'newer' };
}
