// The transparency log's checkpoint as this verifier stands behind it, refreshed every TTL
// beside the trust cache (whose key list holds the log keys). Nothing of the log is served
// until a checkpoint has verified: signed by a log key of the root-signed key list, under the
// log's name (logOrigin of the verify origin).
//
// Split views: the checkpoint in use is the floor every new one must follow (log-succession.ts,
// with a consistency proof from the published tiles). The floor is the one accepted in memory
// and the one the keeper holds (log-keeper.ts: a file on Node, the Durable Object on Workers),
// so a restart or another isolate starts from it too. A new checkpoint that forks from it, or
// whose tiles do not prove it consistent, is refused, logged, and kept as a split view that
// /log shows from then on, with both signed checkpoints as evidence. An older checkpoint is
// refused too, but shown only while the store offers it: a cache behind by a publication
// (KV's, for a minute) is no evidence against the log when the older tree is proved a prefix
// of ours. A keeper that cannot be read keeps its floor: what this verifier takes meanwhile is
// checked against that floor once it can be read, and handed on only if it follows it.

import { encodeBase64, LOG_CHECKPOINT_KEY, logVerifiers, type Checkpoint, type NoteVerifier, type TrustedKeyList } from '../core/index.ts';
import type { ArtifactSource } from './artifact-source.ts';
import { claimedSize, parseSplitView, type KeptLog, type LogKeeper, type SplitView } from './log-keeper.ts';
import type { LogReader } from './log-reader.ts';
import { checkSuccession, openLogCheckpoint } from '../core/log-succession.ts';
import type { TrustCache } from './trust-cache.ts';
import { errorName, withTimeout } from './faults.ts';

/** A keeper slower than this is taken as unreachable for this refresh (as the trust keeper's). */
const KEEPER_TIMEOUT_MS = 2_000;

export interface AcceptedCheckpoint {
  /** The signed checkpoint as published: what /log/checkpoint serves. */
  note: string;
  checkpoint: Checkpoint;
}

/** Why the store's checkpoint is not the one in use, when it is not (worked out again each refresh). */
export type LogRefusal =
  /** Older than the one in use (proved a prefix of it, or with tiles too old to tell). */
  | { kind: 'older'; size: number }
  /** Larger, but its tiles could not be read to prove it consistent yet. */
  | { kind: 'unchecked'; size: number }
  /** Not signed by a log key of the key list, not this log's, or not a checkpoint. */
  | { kind: 'unverified' }
  /** It does not follow the one in use: see the split view. */
  | { kind: 'split' };

export interface LogView {
  /** The checkpoint in use; null until one has verified. */
  accepted: AcceptedCheckpoint | null;
  refused: LogRefusal | null;
  /** The first split view this verifier saw, kept for good. */
  splitView: SplitView | null;
}

export interface LogCacheOptions {
  source: ArtifactSource;
  trust: TrustCache;
  reader: LogReader;
  keeper?: LogKeeper;
  /** The log names this verifier accepts (logOrigin of its verify and seal origins); empty: the request's own. */
  names: readonly string[];
  ttlMs: number;
  clock: () => Date;
  log: (line: string) => void;
}

const EMPTY: LogView = { accepted: null, refused: null, splitView: null };

export class LogCache {
  readonly #options: LogCacheOptions;
  #view: LogView = EMPTY;
  #freshUntil = 0;
  #generation = 0;
  #refreshing: Promise<LogView> | null = null;
  /** The key list the accepted checkpoint was last verified under. */
  #verifiedUnder: TrustedKeyList | null = null;
  readonly #verifiers = new WeakMap<TrustedKeyList, Map<string, Promise<NoteVerifier[]>>>();
  /** The last refused checkpoint logged, so one refusal is one line, not one a TTL. */
  #lastLogged: string | null = null;

  constructor(options: LogCacheOptions) {
    this.#options = options;
  }

  /** The log as this verifier stands behind it, for a request to `requestName` (used when no names are configured). */
  async view(requestName: string | null): Promise<LogView> {
    const allowed = this.#options.names.length > 0 ? this.#options.names : requestName ? [requestName] : [];
    const now = this.#options.clock().getTime();
    if (now >= this.#freshUntil) {
      this.#refreshing ??= this.#refresh(now, allowed).finally(() => {
        this.#refreshing = null;
      });
      await this.#refreshing;
    }
    const view = this.#view;
    // Another log's checkpoint (a request under another name) is not this request's log.
    return view.accepted && !allowed.includes(view.accepted.checkpoint.origin) ? { ...view, accepted: null } : view;
  }

  /** Reads the store again at the next request (a publication in the same process). */
  expire(): void {
    this.#generation++;
    this.#freshUntil = 0;
  }

  async #refresh(now: number, allowed: readonly string[]): Promise<LogView> {
    const generation = this.#generation;
    const { log } = this.#options;
    const keyList = (await this.#options.trust.snapshot()).context.keyList;
    let stored: string | null;
    try {
      stored = await this.#options.source.getText(LOG_CHECKPOINT_KEY);
    } catch (error) {
      // As for the lists: the checkpoint in use stays for one more TTL.
      log(`log checkpoint unreadable (${errorName(error)}); keeping the one in use`);
      stored = null;
    }
    // Null when the keeper could not be read: its floor is unknown this refresh.
    const loaded = await this.#load();
    const kept = loaded ?? {};
    /** Whether the keeper's checkpoint contradicts the one in use (then it stays the keeper's floor). */
    let keptContradicted = false;

    let accepted = this.#view.accepted;
    if (accepted && keyList !== this.#verifiedUnder) {
      // A new key list may have marked the log key compromised: what it signed no longer stands.
      if (!(await this.#open(accepted.note, keyList, [accepted.checkpoint.origin]))) {
        log(`log checkpoint of size ${accepted.checkpoint.size} no longer verifies under the key list; dropped`);
        accepted = null;
      }
    }
    let splitView = this.#view.splitView ?? parseSplitView(kept.splitView);
    let refused: LogRefusal | null = null;

    const consider = async (note: string, fromStore: boolean): Promise<void> => {
      if (note === accepted?.note) return;
      const opened = await this.#open(note, keyList, allowed);
      if (!opened || (accepted && opened.checkpoint.origin !== accepted.checkpoint.origin)) {
        if (fromStore) {
          refused = { kind: 'unverified' };
          this.#logOnce(note, 'published log checkpoint refused: it does not verify under the key list’s log keys as this log’s');
        }
        return;
      }
      if (!accepted) {
        accepted = opened;
        return;
      }
      const offered = opened.checkpoint;
      const succession = await checkSuccession(accepted.checkpoint, offered, this.#options.reader.memo(), this.#options.reader.sha256);
      const sizes = `${describe(offered)} after ${describe(accepted.checkpoint)}`;
      switch (succession.kind) {
        case 'same':
          return;
        case 'newer':
          accepted = opened;
          return;
        case 'older':
          if (!fromStore) return;
          refused = { kind: 'older', size: offered.size };
          this.#logOnce(note, `published log checkpoint refused: older than the one in use (${sizes})`);
          return;
        case 'unchecked':
          if (!fromStore) return;
          refused = { kind: 'unchecked', size: offered.size };
          this.#logOnce(note, `published log checkpoint not yet accepted: its tiles could not be read (${sizes})`);
          return;
        case 'fork':
        case 'inconsistent':
          if (!fromStore) keptContradicted = true;
          this.#options.reader.forget();
          refused = { kind: 'split' };
          this.#logOnce(note, `SPLIT VIEW: log checkpoint refused, ${succession.kind === 'fork' ? 'same size, another root' : 'the consistency proof from the published tiles fails'} (${sizes}); the checkpoint in use stays`);
          splitView ??= { seenAt: new Date(now).toISOString(), kind: succession.kind, accepted: accepted.note, offered: note };
      }
    };
    // The keeper's first (another isolate's or the last run's floor), then the store's.
    if (kept.checkpoint) await consider(kept.checkpoint, false);
    if (stored) await consider(stored, true);
    if (!refused) this.#lastLogged = null;

    this.#view = { accepted, refused, splitView };
    this.#verifiedUnder = keyList;
    if (generation === this.#generation) this.#freshUntil = now + this.#options.ttlMs;
    // A checkpoint raises the keeper's floor only once it was checked against that floor.
    await this.#handOn(kept, loaded !== null && !keptContradicted ? accepted : null, splitView);
    return this.#view;
  }

  #logOnce(note: string, line: string): void {
    if (this.#lastLogged === note) return;
    this.#lastLogged = note;
    this.#options.log(line);
  }

  /** The checkpoint, verified under the key list's log keys as one of `allowed`'s logs; null when it is not. */
  async #open(note: string, keyList: TrustedKeyList | null, allowed: readonly string[]): Promise<AcceptedCheckpoint | null> {
    if (!keyList) return null;
    const checkpoint = await openLogCheckpoint(note, keyList, allowed, (origin) => this.#verifiersFor(keyList, origin));
    return checkpoint && { note, checkpoint };
  }

  #verifiersFor(keyList: TrustedKeyList, origin: string): Promise<NoteVerifier[]> {
    let byOrigin = this.#verifiers.get(keyList);
    if (!byOrigin) this.#verifiers.set(keyList, (byOrigin = new Map()));
    let verifiers = byOrigin.get(origin);
    if (!verifiers) byOrigin.set(origin, (verifiers = logVerifiers(keyList, origin)));
    return verifiers;
  }

  /** What the keeper holds; null when it cannot be reached. */
  async #load(): Promise<KeptLog | null> {
    const keeper = this.#options.keeper;
    if (!keeper) return {};
    try {
      return await withTimeout(keeper.load(), KEEPER_TIMEOUT_MS);
    } catch (error) {
      this.#options.log(`log keeper unreachable (${errorName(error)}); carrying on with the checkpoint in memory`);
      return null;
    }
  }

  /**
   * Gives the keeper `accepted` when it is larger than the keeper's (null: nothing to raise the
   * floor with), and a split view when it holds none yet.
   */
  async #handOn(kept: KeptLog, accepted: AcceptedCheckpoint | null, splitView: SplitView | null): Promise<void> {
    const keeper = this.#options.keeper;
    if (!keeper) return;
    const offer: KeptLog = {};
    if (accepted && accepted.checkpoint.size > (claimedSize(kept.checkpoint) ?? -1)) offer.checkpoint = accepted.note;
    if (splitView && !parseSplitView(kept.splitView)) offer.splitView = JSON.stringify(splitView);
    if (!offer.checkpoint && !offer.splitView) return;
    try {
      await withTimeout(keeper.keep(offer), KEEPER_TIMEOUT_MS);
    } catch (error) {
      this.#options.log(`log keeper unreachable (${errorName(error)}); the checkpoint in use stays in this verifier's memory only`);
    }
  }
}

/** `size N (root …)`, for the log lines: public data only. */
function describe(checkpoint: Checkpoint): string {
  return `size ${checkpoint.size}, root ${encodeBase64(checkpoint.root)}`;
}
