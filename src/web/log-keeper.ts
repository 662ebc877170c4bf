// What the verifier remembers of the transparency log beyond one isolate or process: the last
// checkpoint it accepted (the floor every new one must be consistent with) and the first split
// view it saw (kept for good, and shown on /log). Beside the trust keeper: a file in the Node
// verifier's data directory, methods of the same Durable Object on Workers.
//
// A keeper orders checkpoints by the size their text claims, read WITHOUT verifying the
// signature: only this verifier writes to it, and only checkpoints it has just verified and
// found consistent with what it held; whatever it loads from here it verifies again.

import { parseCheckpoint, parseNote } from '../core/index.ts';

/** A signed checkpoint this verifier refused because it does not follow the one it had accepted. */
export interface SplitView {
  /** When this verifier saw it (ISO-8601 UTC). */
  seenAt: string;
  /**
   * `fork`: the same size with another root. `inconsistent`: a consistency proof from the
   * published tiles does not hold between the two (a forked log, or tampered tiles).
   */
  kind: 'fork' | 'inconsistent';
  /** Both signed checkpoints, verbatim: two signed heads of one log that disagree are evidence anyone can check. */
  accepted: string;
  offered: string;
}

export interface KeptLog {
  /** The last checkpoint accepted, as published (a signed note). */
  checkpoint?: string;
  /** The first split view seen, as JSON (see SplitView). */
  splitView?: string;
}

export interface LogKeeper {
  /** What it holds (nothing at first). Throws when it cannot be reached: the verifier carries on from memory. */
  load(): Promise<KeptLog>;
  /** A checkpoint replaces the held one only when it claims a larger size; a split view is kept only when none is. */
  keep(log: KeptLog): Promise<void>;
}

/** The size a checkpoint note claims, unverified; null when it is not one. */
export function claimedSize(note: unknown): number | null {
  if (typeof note !== 'string') return null;
  try {
    return parseCheckpoint(parseNote(note).text).size;
  } catch {
    return null;
  }
}

/** A split view from its kept JSON, or null when it is not one. */
export function parseSplitView(text: unknown): SplitView | null {
  if (typeof text !== 'string') return null;
  try {
    const v = JSON.parse(text) as Partial<SplitView>;
    if ((v.kind === 'fork' || v.kind === 'inconsistent') && typeof v.seenAt === 'string' && claimedSize(v.accepted) !== null && claimedSize(v.offered) !== null) {
      return { seenAt: v.seenAt, kind: v.kind, accepted: v.accepted!, offered: v.offered! };
    }
  } catch {
    // not JSON: not a split view
  }
  return null;
}

/** `held` with what `offered` adds under the rules above, or null when it adds nothing. */
export function keepLog(held: KeptLog, offered: KeptLog): KeptLog | null {
  const next: KeptLog = { ...held };
  let changed = false;
  const size = claimedSize(offered.checkpoint);
  const heldSize = claimedSize(held.checkpoint);
  if (size !== null && (heldSize === null || size > heldSize)) {
    next.checkpoint = offered.checkpoint;
    changed = true;
  }
  if (parseSplitView(held.splitView) === null && parseSplitView(offered.splitView) !== null) {
    next.splitView = offered.splitView;
    changed = true;
  }
  return changed ? next : null;
}
