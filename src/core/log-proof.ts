// A licence's `.tlog-proof`: one file that carries a logged entry and proves it is in the
// programme's transparency log. It is c2sp.org/tlog-proof@v1 (tlog/tlog-proof.ts) with the
// entry's own bytes as `extra`, so whoever holds the file needs nothing else but the key list:
// the extra data is unauthenticated until its leaf hash is shown to be the leaf at `index`
// under a checkpoint the key list's log key signed. Opening a proof checks exactly that, in
// that order, and only then reads the entry.
//
// A proof needs a checkpoint, which exists only once the entry has been published, so it is
// made after publication (the portal, the certificate, the verifier's /log/entry/N.tlog-proof)
// from the published checkpoint and tiles, never at issuance.

import type { LogEntry } from './log-entry.ts';
import { decodeLogEntry } from './log-entry.ts';
import { openCheckpoint, parseCheckpoint, type Checkpoint } from './tlog/checkpoint.ts';
import { TlogError } from './tlog/errors.ts';
import { leafHash, webSha256, type Sha256 } from './tlog/hash.ts';
import { parseNote } from './tlog/note.ts';
import { inclusionProofFromTiles, verifyInclusion } from './tlog/proof.ts';
import type { TileReader } from './tlog/tiles.ts';
import { formatTlogProof, parseTlogProof } from './tlog/tlog-proof.ts';
import { logVerifiers } from './transparency.ts';
import type { TrustedKeyList } from './trust-context.ts';

const encoder = new TextEncoder();

/**
 * The `.tlog-proof` of entry `index` (its text as logged) under `checkpointNote` (the signed
 * checkpoint as published), its inclusion proof read from that checkpoint's tiles. The proof is
 * checked against the checkpoint's root before it is handed out, so tiles that do not match
 * the entry (or a checkpoint that does not cover it) give an error, never a file that fails
 * later in someone else's hands. ERR_TLOG_PROOF when the checkpoint does not cover `index`.
 */
export async function logEntryProof(
  index: number,
  entryText: string,
  checkpointNote: string,
  readTile: TileReader,
  sha256: Sha256 = webSha256,
): Promise<string> {
  const checkpoint = parseCheckpoint(parseNote(checkpointNote).text);
  if (!Number.isSafeInteger(index) || index < 0) throw new TlogError('ERR_TLOG_MALFORMED', 'an entry index is a non-negative integer');
  if (index >= checkpoint.size) throw new TlogError('ERR_TLOG_PROOF', `the checkpoint (size ${checkpoint.size}) does not cover entry ${index} yet`);
  const entry = encoder.encode(entryText);
  const { proof } = await inclusionProofFromTiles(index, checkpoint.size, readTile, sha256);
  if (!(await verifyInclusion(await leafHash(entry, sha256), index, checkpoint.size, proof, checkpoint.root, sha256))) {
    throw new TlogError('ERR_TLOG_PROOF', `entry ${index} and the published tiles do not give the checkpoint's root`);
  }
  return formatTlogProof({ index, proof, checkpoint: checkpointNote, extra: entry });
}

export interface OpenedLogEntryProof {
  index: number;
  /** The entry the proof carries, decoded (strictly) once its inclusion held. */
  entry: LogEntry;
  /** The entry's text, as logged. */
  entryText: string;
  /** The checkpoint it was proved against, whose signature verified. */
  checkpoint: Checkpoint;
  /** The signed checkpoint, verbatim. */
  checkpointNote: string;
}

/**
 * Opens a `.tlog-proof`: the checkpoint's signature by a log key of `keyList` (not compromised)
 * under the log's name `origin` (logOrigin of the verify origin), then the carried entry's
 * inclusion at its index, then the entry's encoding. Refuses a proof that carries no entry
 * (ERR_TLOG_MALFORMED), a forged or changed entry or proof (ERR_TLOG_PROOF), a tampered
 * checkpoint (ERR_TLOG_SIGNATURE), another log's (ERR_TLOG_ORIGIN, or ERR_TLOG_UNKNOWN_KEY when
 * no key of ours signed it), and an entry that is not in the documented encoding (QdypError
 * ERR_LOG_ENTRY_MALFORMED).
 */
export async function openLogEntryProof(
  text: string,
  keyList: Pick<TrustedKeyList, 'logKeys'>,
  origin: string,
  sha256: Sha256 = webSha256,
): Promise<OpenedLogEntryProof> {
  const parsed = parseTlogProof(text);
  if (parsed.extra === undefined) throw new TlogError('ERR_TLOG_MALFORMED', 'the proof carries no log entry (no extra line)');
  const verifiers = await logVerifiers(keyList, origin);
  if (verifiers.length === 0) throw new TlogError('ERR_TLOG_UNKNOWN_KEY', 'the key list has no log key (not compromised) to check the checkpoint with');
  const { checkpoint } = await openCheckpoint(parsed.checkpoint, verifiers, origin);
  if (parsed.index >= checkpoint.size) throw new TlogError('ERR_TLOG_PROOF', `entry ${parsed.index} is past the checkpoint (size ${checkpoint.size})`);
  const hash = await leafHash(parsed.extra, sha256);
  if (!(await verifyInclusion(hash, parsed.index, checkpoint.size, parsed.proof, checkpoint.root, sha256))) {
    throw new TlogError('ERR_TLOG_PROOF', `the entry the proof carries is not entry ${parsed.index} of the log`);
  }
  // Logged bytes are canonical UTF-8; a file whose proven bytes are not is refused here too.
  const entry = decodeLogEntry(parsed.extra);
  return { index: parsed.index, entry, entryText: new TextDecoder().decode(parsed.extra), checkpoint, checkpointNote: parsed.checkpoint };
}
