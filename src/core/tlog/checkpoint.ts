// C2SP tlog-checkpoint: the log's signed tree head, a signed note whose text is
//
//   <origin>            the log's name: non-empty (ours is its URL without the scheme)
//   <size>              the number of entries, decimal, no leading zeros ("0" when empty)
//   <base64(root)>      the RFC 6962 root of the tree at that size, 32 bytes
//   [extension lines]   opaque, non-empty; allowed, but not written by us
//
// Where the time is: nowhere in the checkpoint. tlog-checkpoint discourages extension lines
// (monitors cannot audit them), so our checkpoint is exactly the three lines above and signs
// no clock. Every entry carries its own event time, inside the tree, where it is audited; what
// a page shows as a checkpoint's time is its newest entry's time (entry size − 1), read from
// the log, never from the note. Witness cosignatures (c2sp.org/tlog-cosignature, later) carry
// their own timestamps in their signature lines: a checkpoint is a signed note so that it can
// carry more than one signature line, and these functions take and keep any number of them.

import { decodeBase64, encodeBase64 } from './base64.ts';
import { TlogError } from './errors.ts';
import { HASH_SIZE } from './hash.ts';
import { checkNoteText, signNote, verifyNote, type NoteSignature, type NoteSigner, type NoteVerifier } from './note.ts';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
  /** Extension lines, if any (none in ours). */
  extensions?: string[];
}

const SIZE = /^(0|[1-9][0-9]*)$/;
const malformed = (message: string) => new TlogError('ERR_TLOG_MALFORMED', message);

function checkLine(line: string, what: string): void {
  if (typeof line !== 'string' || line.length === 0 || line.includes('\n')) throw malformed(`a checkpoint's ${what} is one non-empty line`);
}

/** The checkpoint's note text: origin, size, root, extension lines, each ending in a newline. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  checkLine(checkpoint.origin, 'origin');
  if (!Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0) throw malformed('a tree size is a non-negative integer');
  if (!(checkpoint.root instanceof Uint8Array) || checkpoint.root.length !== HASH_SIZE) throw malformed('a tree root is 32 bytes');
  const extensions = checkpoint.extensions ?? [];
  for (const line of extensions) checkLine(line, 'extension line');
  const text = [checkpoint.origin, String(checkpoint.size), encodeBase64(checkpoint.root), ...extensions].join('\n') + '\n';
  checkNoteText(text);
  return text;
}

/** Reads a checkpoint's note text, strictly: exactly the format, or ERR_TLOG_MALFORMED. */
export function parseCheckpoint(text: string): Checkpoint {
  checkNoteText(text);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw malformed('a checkpoint has an origin, a size and a root');
  if (lines.some((line) => line.length === 0)) throw malformed('a checkpoint has no empty lines');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  const size = SIZE.test(sizeText) ? Number(sizeText) : NaN;
  if (!Number.isSafeInteger(size)) throw malformed('a checkpoint size is a decimal integer without leading zeros');
  const root = decodeBase64(rootText);
  if (!root || root.length !== HASH_SIZE) throw malformed('a checkpoint root is the base64 of 32 bytes');
  return extensions.length > 0 ? { origin, size, root, extensions } : { origin, size, root };
}

/** The signed checkpoint: its text signed by the log key (and any other signers, in order). */
export function signCheckpoint(checkpoint: Checkpoint, signers: NoteSigner | readonly NoteSigner[]): Promise<string> {
  return signNote(formatCheckpoint(checkpoint), signers);
}

export interface VerifiedCheckpoint {
  checkpoint: Checkpoint;
  /** The checkpoint's note text (what was signed). */
  text: string;
  signatures: NoteSignature[];
  /** The verifiers whose signatures verified. */
  verifiedBy: string[];
}

/**
 * Verifies a signed checkpoint (see verifyNote) and reads it: the signatures first, then the
 * text, which must be a checkpoint of the log named `origin` (ERR_TLOG_ORIGIN otherwise).
 */
export async function openCheckpoint(note: string, verifiers: readonly NoteVerifier[], origin: string): Promise<VerifiedCheckpoint> {
  const verified = await verifyNote(note, verifiers);
  const checkpoint = parseCheckpoint(verified.text);
  if (checkpoint.origin !== origin) throw new TlogError('ERR_TLOG_ORIGIN', 'a checkpoint of another log');
  return { checkpoint, text: verified.text, signatures: verified.signatures, verifiedBy: verified.verifiedBy };
}
