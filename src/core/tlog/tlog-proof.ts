// c2sp.org/tlog-proof@v1: a detached, offline-verifiable proof that an entry is in the log.
//
//   c2sp.org/tlog-proof@v1
//   [extra <base64>]          optional opaque data, unauthenticated by the format (ours carry
//                             the logged entry itself, trusted once its leaf hash proves
//                             inclusion: core/log-proof.ts)
//   index <N>                 the entry's index, decimal, no leading zeros
//   <base64 hash>             the inclusion proof, one hash a line, leaf's sibling first
//   …
//   <a blank line>
//   <the signed checkpoint, verbatim: its text, a blank line, its signature lines>
//
// Files of this format end in `.tlog-proof`.

import { decodeBase64, encodeBase64 } from './base64.ts';
import { openCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.ts';
import { TlogError } from './errors.ts';
import { HASH_SIZE, leafHash, webSha256, type Sha256 } from './hash.ts';
import { MAX_NOTE_LENGTH, parseNote, type NoteVerifier } from './note.ts';
import { verifyInclusion } from './proof.ts';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
/** A tree of fewer than 2^63 leaves has proofs of at most 63 hashes. */
const MAX_PROOF_HASHES = 63;
const MAX_PROOF_LENGTH = MAX_NOTE_LENGTH + 4096;

export interface TlogProof {
  index: number;
  proof: Uint8Array[];
  /** The signed checkpoint the proof is against, verbatim. */
  checkpoint: string;
  /** Opaque extra data: unauthenticated, never to be trusted. */
  extra?: Uint8Array;
}

const malformed = (message: string) => new TlogError('ERR_TLOG_MALFORMED', message);
const INDEX = /^index (0|[1-9][0-9]*)$/;

export function formatTlogProof(proof: TlogProof): string {
  if (!Number.isSafeInteger(proof.index) || proof.index < 0) throw malformed('an entry index is a non-negative integer');
  if (proof.proof.length > MAX_PROOF_HASHES || proof.proof.some((h) => !(h instanceof Uint8Array) || h.length !== HASH_SIZE)) throw malformed('an inclusion proof is up to 63 hashes of 32 bytes');
  if (proof.extra !== undefined && proof.extra.length === 0) throw malformed('extra data, when present, is not empty');
  parseCheckpoint(parseNote(proof.checkpoint).text);
  const lines = [TLOG_PROOF_HEADER];
  if (proof.extra !== undefined) lines.push(`extra ${encodeBase64(proof.extra)}`);
  lines.push(`index ${proof.index}`, ...proof.proof.map(encodeBase64));
  return `${lines.join('\n')}\n\n${proof.checkpoint}`;
}

/** Reads a proof file strictly (the checkpoint's format too); verifies nothing. */
export function parseTlogProof(text: string): TlogProof {
  if (typeof text !== 'string') throw malformed('a tlog proof is text');
  if (text.length > MAX_PROOF_LENGTH) throw new TlogError('ERR_TLOG_TOO_LARGE', 'tlog proof too long');
  const split = text.indexOf('\n\n');
  if (split < 0) throw malformed('a tlog proof has a blank line before its checkpoint');
  const lines = text.slice(0, split).split('\n');
  const checkpoint = text.slice(split + 2);
  if (lines.shift() !== TLOG_PROOF_HEADER) throw malformed(`a tlog proof starts with ${TLOG_PROOF_HEADER}`);
  let extra: Uint8Array | undefined;
  if (lines[0]?.startsWith('extra ')) {
    const bytes = decodeBase64(lines.shift()!.slice('extra '.length));
    if (!bytes || bytes.length === 0) throw malformed('extra data is base64 of at least one byte');
    extra = bytes;
  }
  const index = Number(INDEX.exec(lines.shift() ?? '')?.[1] ?? NaN);
  if (!Number.isSafeInteger(index)) throw malformed('a tlog proof names its entry: index and a decimal without leading zeros');
  if (lines.length > MAX_PROOF_HASHES) throw malformed('an inclusion proof is at most 63 hashes');
  const proof = lines.map((line) => {
    const hash = decodeBase64(line);
    if (!hash || hash.length !== HASH_SIZE) throw malformed('each inclusion proof line is the base64 of a 32-byte hash');
    return hash;
  });
  parseCheckpoint(parseNote(checkpoint).text);
  return extra ? { index, proof, checkpoint, extra } : { index, proof, checkpoint };
}

export interface VerifiedTlogProof {
  index: number;
  checkpoint: Checkpoint;
  /** The verifiers whose signatures on the checkpoint verified. */
  verifiedBy: string[];
}

/**
 * Verifies a proof file for `entry` (its bytes, as logged): the checkpoint's signatures by
 * `verifiers` and its origin, then the entry's inclusion at `index` under the checkpoint's root.
 * ERR_TLOG_PROOF when the entry is not the one logged there.
 */
export async function verifyTlogProof(
  text: string,
  entry: Uint8Array,
  verifiers: readonly NoteVerifier[],
  origin: string,
  sha256: Sha256 = webSha256,
): Promise<VerifiedTlogProof> {
  const proof = parseTlogProof(text);
  const { checkpoint, verifiedBy } = await openCheckpoint(proof.checkpoint, verifiers, origin);
  if (proof.index >= checkpoint.size) throw new TlogError('ERR_TLOG_PROOF', 'the entry index is past the checkpoint');
  const hash = await leafHash(entry, sha256);
  if (!(await verifyInclusion(hash, proof.index, checkpoint.size, proof.proof, checkpoint.root, sha256))) {
    throw new TlogError('ERR_TLOG_PROOF', 'the entry is not in the log at this index');
  }
  return { index: proof.index, checkpoint, verifiedBy };
}
