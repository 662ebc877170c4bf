// A licence's `.tlog-proof` from what the office has published (an edge directory: its
// checkpoint and tiles), and what `qdyp verify LICENCE.jws --proof FILE` makes of one: the
// proof opened against the key list the verify trusts, and its entry held against the document.
//
// A proof exists only once a published checkpoint covers the entry: until then the licence is
// "logged as entry N", and the proof is available after the next publication (and online at
// /log/entry/N once there).

import {
  encodeBase64,
  logEntryProof,
  logOrigin,
  logTileKey,
  LOG_CHECKPOINT_KEY,
  openLogEntryProof,
  parseCheckpoint,
  parseNote,
  QdypError,
  TlogError,
  type LicenceClaims,
  type LicenceLogEntry,
  type TileReader,
  type TrustedKeyList,
} from '../core/index.ts';
import { readEdgeBytes, readEdgeText } from './edge-store.ts';
import { nodeSha256 } from './codecs.ts';

export type LicenceLogProof =
  /** The proof file's text, and the checkpoint it proves the entry in. */
  | { kind: 'proof'; index: number; text: string; checkpointSize: number; root: string; log: string }
  /** Logged, but no published checkpoint covers the entry yet (checkpointSize: the published one's, if any). */
  | { kind: 'pending'; index: number; checkpointSize: number | null };

/** Tiles read from an edge directory; a missing one is a TlogError naming it. */
export function edgeTileReader(dir: string): TileReader {
  return async (level, index, width) => {
    const bytes = await readEdgeBytes(dir, logTileKey(level, index, width));
    if (bytes === null) throw new TlogError('ERR_TLOG_TILE', `the published log has no tile ${logTileKey(level, index, width)}`);
    return bytes;
  };
}

/**
 * The `.tlog-proof` of entry `index` (`entryText`, as the registry logged it) from the
 * checkpoint and tiles published in `edgeDir`, or `pending` when that checkpoint does not
 * cover it yet. Throws a TlogError when the published tiles do not prove the entry (then no
 * proof is handed out).
 */
export async function licenceLogProof(edgeDir: string, index: number, entryText: string): Promise<LicenceLogProof> {
  const note = await readEdgeText(edgeDir, LOG_CHECKPOINT_KEY);
  if (note === null) return { kind: 'pending', index, checkpointSize: null };
  const checkpoint = parseCheckpoint(parseNote(note).text);
  if (index >= checkpoint.size) return { kind: 'pending', index, checkpointSize: checkpoint.size };
  const text = await logEntryProof(index, entryText, note, edgeTileReader(edgeDir), nodeSha256);
  return { kind: 'proof', index, text, checkpointSize: checkpoint.size, root: encodeBase64(checkpoint.root), log: checkpoint.origin };
}

/** How a proof's entry stands to the licence document it was given with. */
export type ProofMatch =
  /** The entry is of this licence and says what the document says. */
  | 'match'
  /** Of this licence, but of an event before the one the document (or the licence's published details) stands for. */
  | 'older'
  /** Of this licence, but it says otherwise than the document, and is not older. */
  | 'differs'
  /** Another licence's entry, or not a licence entry at all. */
  | 'other_licence';

export type ProofCheck =
  | {
      ok: boolean;
      match: ProofMatch;
      index: number;
      event: string;
      time: string;
      checkpoint: { size: number; root: string };
      log: string;
      message: string;
    }
  | { ok: false; error: string; message: string };

const DETAIL_FIELDS = ['tier', 'sector', 'chain', 'region', 'validFrom', 'validUntil'] as const;

/** The document's details the entry says otherwise, by name. */
function differences(entry: LicenceLogEntry['licence'], document: LicenceClaims): string[] {
  const out: string[] = [];
  if (entry.holder.name !== document.holder.name || entry.holder.uscc !== document.holder.uscc) out.push('holder');
  for (const field of DETAIL_FIELDS) if (entry[field] !== document[field]) out.push(field);
  if (JSON.stringify(entry.products) !== JSON.stringify(document.products)) out.push('products');
  if (JSON.stringify(entry.trademarks) !== JSON.stringify(document.trademarks)) out.push('trademarks');
  return out;
}

/**
 * Checks a `.tlog-proof` given with a licence document, offline: the proof opened under the
 * log keys of `keyList` (the log named after the document's verify origin, which its status
 * list reference carries, signed), then its entry held against the document's claims.
 * `latestIndex` is the licence's latest entry as its published details say (Verdict.logIndex).
 */
export async function checkLicenceProof(
  proofText: string,
  document: LicenceClaims | null,
  keyList: TrustedKeyList | null,
  latestIndex: number | null,
): Promise<ProofCheck> {
  if (!document) return { ok: false, error: 'document_unverified', message: 'the licence document did not verify, so no proof can be matched to it' };
  if (!keyList) return { ok: false, error: 'no_key_list', message: 'there is no trusted key list to check the proof with' };
  let log: string;
  try {
    log = logOrigin(new URL(document.status.status_list.uri).origin);
  } catch {
    return { ok: false, error: 'document_origin', message: "the licence document's status list reference names no verify origin" };
  }
  let opened;
  try {
    opened = await openLogEntryProof(proofText, keyList, log, nodeSha256);
  } catch (error) {
    if (!(error instanceof TlogError) && !(error instanceof QdypError)) throw error;
    return { ok: false, error: error.code, message: `the proof does not hold: ${error.message}` };
  }
  const base = {
    index: opened.index,
    event: opened.entry.event,
    time: opened.entry.time,
    checkpoint: { size: opened.checkpoint.size, root: encodeBase64(opened.checkpoint.root) },
    log,
  };
  const where = `entry ${opened.index} in the checkpoint of size ${opened.checkpoint.size}`;
  if (!('licence' in opened.entry)) {
    return { ok: false, match: 'other_licence', ...base, message: `the proof is of ${where}, a ${opened.entry.event} entry, not of a licence` };
  }
  const logged = opened.entry.licence;
  if (logged.number !== document.number || logged.serial !== document.status.status_list.idx) {
    return { ok: false, match: 'other_licence', ...base, message: `the proof is of ${where}, about licence ${logged.number} (serial ${logged.serial}), not ${document.number}` };
  }
  const differ = differences(logged, document);
  const olderThanLatest = latestIndex !== null && opened.index < latestIndex;
  if (differ.length === 0 && !olderThanLatest) {
    return { ok: true, match: 'match', ...base, message: `logged as ${where} (${opened.entry.event}, ${opened.entry.time})` };
  }
  if (olderThanLatest || Date.parse(opened.entry.time) < document.iat * 1000) {
    const latest = latestIndex !== null && opened.index < latestIndex ? `; the licence's latest is entry ${latestIndex}` : '';
    const what = differ.length > 0 ? `: it shows the licence before a change (${differ.join(', ')})` : '';
    return { ok: false, match: 'older', ...base, message: `the proof is of an older event of this licence (${where}, ${opened.entry.event} of ${opened.entry.time})${latest}${what}` };
  }
  return { ok: false, match: 'differs', ...base, message: `${where} says otherwise than this document (${differ.join(', ')})` };
}
