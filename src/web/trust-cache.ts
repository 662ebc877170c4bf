// The verifier's trust context, kept in isolate (or process) memory for a short TTL. Every
// TTL it reads the three programme lists — key list, status list, revision list, each small
// and whole — and nothing else; a licence's entry is read only when a scan needs it (see
// entry-cache.ts). So what a refresh and a scan cost does not grow with the programme.
//
// Never going back: each list is chosen from three candidates — the store's, the keeper's
// (trust-keeper.ts: a file on Node, a Durable Object on Workers) and the last one accepted in
// memory — the newest that verifies wins, and one older than the newest accepted is refused
// (the floors passed to buildTrustContext). A newer list accepted here is handed to the
// keeper, so other isolates and the next process start from it too. KV is eventually
// consistent: an isolate still reading an older list from KV takes the newer one from the
// keeper instead of refusing everything.
//
// Staleness cannot turn into "authorized": verifySeal checks each list's own expiry at the
// request's time. What this cache bounds is how long a newly published revocation can stay
// unseen: one TTL.

import { buildTrustContext, isPublicJwk, rootTrust, type ArtifactProblem, type Codecs, type PublicJwk, type RootTrust, type TrustArtifacts, type TrustContext } from '../core/index.ts';
import type { ArtifactSource, ListName } from './artifact-source.ts';
import { EntryCache } from './entry-cache.ts';
import { isNewerRank, LIST_SLOTS, listRank, type KeptLists, type ListRank, type ListRanks, type ListSlot, type TrustKeeper } from './trust-keeper.ts';
import { errorName, withTimeout } from './faults.ts';

/** Production default: with Workers KV's own propagation (up to about a minute) on top. */
export const DEFAULT_TTL_MS = 30_000;
/** A keeper slower than this is taken as unreachable for this refresh. */
const KEEPER_TIMEOUT_MS = 2_000;

export const STORE_KEY: Record<ListSlot, ListName> = { keyList: 'key-list', statusList: 'status-list', revisionList: 'revision-list' };

export type ListTexts = Record<ListSlot, string | null>;

export interface TrustSnapshot {
  context: TrustContext;
  /** The accepted lists' texts: what /api/v1/key-list etc. serve. */
  texts: ListTexts;
}

export interface TrustCacheOptions {
  source: ArtifactSource;
  /** Where the newest accepted lists outlive this isolate or process; none: memory only. */
  keeper?: TrustKeeper;
  /** The pinned root public key; null when it is not configured (nothing can be confirmed). */
  root: PublicJwk | null;
  ttlMs: number;
  /** The licence entry cache's budget, in bytes of entry text. */
  entryCacheBytes: number;
  clock: () => Date;
  log: (line: string) => void;
  /**
   * The lowest key-list version to accept even in a fresh isolate or process (raised at each
   * rotate or compromise ceremony): memory alone forgets what it has seen on restart.
   */
  minKeyListVersion?: number;
  /** Faster list decoding where the runtime has it (Node passes node:zlib and Buffer). */
  codecs?: Codecs;
}

interface Current {
  snapshot: TrustSnapshot;
  /** What the store and the keeper gave: a refresh that reads the same texts rebuilds nothing. */
  store: ListTexts;
  kept: KeptLists;
  freshUntil: number;
}

const NO_TEXTS: ListTexts = { keyList: null, statusList: null, revisionList: null };

export class TrustCache {
  readonly #options: TrustCacheOptions;
  readonly #root: Promise<RootTrust | null>;
  readonly #entries: EntryCache;
  #current: Current | null = null;
  #refreshing: Promise<TrustSnapshot> | null = null;
  /** The newest list of each kind accepted here, with its rank: never replaced by an older one. */
  readonly #accepted: Partial<Record<ListSlot, { text: string; rank: ListRank }>> = {};

  constructor(options: TrustCacheOptions) {
    this.#options = options;
    this.#root = options.root && isPublicJwk(options.root) ? rootTrust(options.root).catch(() => null) : Promise.resolve(null);
    this.#entries = new EntryCache({ source: options.source, budgetBytes: options.entryCacheBytes, ttlMs: options.ttlMs, clock: options.clock, log: options.log });
  }

  /** The current snapshot, refreshed once the TTL has passed (one refresh at a time). */
  async snapshot(): Promise<TrustSnapshot> {
    const now = this.#options.clock().getTime();
    if (this.#current && now < this.#current.freshUntil) return this.#current.snapshot;
    this.#refreshing ??= this.#refresh(now).finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  /**
   * Reads the store again at the next request, as if the TTL had passed: the office's console,
   * running in the same process, calls it after each publication so its own change shows at once.
   */
  expire(): void {
    this.#generation++;
    if (this.#current) this.#current = { ...this.#current, freshUntil: 0 };
  }

  /** Bumped by expire(): a refresh that read the store before it does not count as fresh. */
  #generation = 0;

  #freshUntil(generation: number, until: number): number {
    return generation === this.#generation ? until : 0;
  }

  /** A bundle as published (`bundle`, `bundle/{region}`), read from the store each time: never cached. */
  bundle(key: string): ReturnType<ArtifactSource['getBytes']> {
    return this.#options.source.getBytes(key);
  }

  async #refresh(now: number): Promise<TrustSnapshot> {
    const generation = this.#generation;
    let store: ListTexts;
    try {
      const [keyList, statusList, revisionList] = await Promise.all(LIST_SLOTS.map((slot) => this.#options.source.getText(STORE_KEY[slot])));
      store = { keyList: keyList ?? null, statusList: statusList ?? null, revisionList: revisionList ?? null };
    } catch (error) {
      // A blip in the store does not throw away what was verified: the last context keeps
      // answering (its lists' own exp still bounds it, and pages say "status as of") for
      // one more TTL before the store is tried again. With nothing verified yet, fail closed.
      const last = this.#current;
      if (last) {
        this.#options.log(`artifact store unavailable (${errorName(error)}); keeping the last verified lists for one more TTL`);
        this.#current = { ...last, freshUntil: now + this.#ttl(last.snapshot.context) };
        return last.snapshot;
      }
      this.#options.log(`artifact store unavailable (${errorName(error)}); verdicts say cannot_confirm`);
      return unavailable('ERR_ARTIFACT_MISSING', 'the artifact store could not be read');
    }
    const since: ListRanks = {};
    for (const slot of LIST_SLOTS) if (this.#accepted[slot]) since[slot] = this.#accepted[slot].rank;
    const kept = await this.#load(since);
    const current = this.#current;
    if (current && sameTexts(current.store, store) && sameTexts(current.kept, kept)) {
      this.#current = { ...current, freshUntil: this.#freshUntil(generation, now + this.#ttl(current.snapshot.context)) };
      return current.snapshot;
    }
    let snapshot: TrustSnapshot;
    try {
      snapshot = await this.#build(store, kept);
    } catch (error) {
      // Only a defect gets here (core reports bad lists as problems, not throws): fail
      // closed, uncached, rather than answer every scan with an error.
      this.#options.log(`trust context could not be built (${errorName(error)}); verdicts say cannot_confirm`);
      return unavailable('ERR_ARTIFACT_MALFORMED', 'the trust context could not be built');
    }
    this.#current = { snapshot, store, kept, freshUntil: this.#freshUntil(generation, now + this.#ttl(snapshot.context)) };
    await this.#handOn(snapshot.texts, kept, since);
    return snapshot;
  }

  /** The keeper's lists newer than `since`; when it cannot be reached, none (the store and memory carry on). */
  async #load(since: ListRanks): Promise<KeptLists> {
    const keeper = this.#options.keeper;
    if (!keeper) return {};
    try {
      return await withTimeout(keeper.load(since), KEEPER_TIMEOUT_MS);
    } catch (error) {
      this.#options.log(`trust keeper unreachable (${errorName(error)}); carrying on with the store and the lists accepted in memory`);
      return {};
    }
  }

  /**
   * Gives the keeper the accepted lists when one is newer than what it gave (a list it left
   * out was no newer than `since`, what this verifier held before).
   */
  async #handOn(texts: ListTexts, kept: KeptLists, since: ListRanks): Promise<void> {
    const keeper = this.#options.keeper;
    const newer = (slot: ListSlot) => {
      const text = texts[slot];
      if (text === null || text === kept[slot]) return false;
      return kept[slot] !== undefined || isNewerRank(this.#accepted[slot]!.rank, since[slot]);
    };
    if (!keeper || !LIST_SLOTS.some(newer)) return;
    const lists: KeptLists = {};
    for (const slot of LIST_SLOTS) if (texts[slot] !== null) lists[slot] = texts[slot];
    try {
      await withTimeout(keeper.keep(lists), KEEPER_TIMEOUT_MS);
    } catch (error) {
      this.#options.log(`trust keeper unreachable (${errorName(error)}); the newer lists stay in this verifier's memory only`);
    }
  }

  async #build(store: ListTexts, kept: KeptLists): Promise<TrustSnapshot> {
    const root = await this.#root;
    if (!root) return unavailable('ERR_KEY_INVALID', 'no valid pinned root key is configured');
    const accepted = this.#accepted;
    // The accepted list first: of two lists with the same time, the one already accepted stays.
    const candidates = (slot: ListSlot) => unique([accepted[slot]?.text, store[slot], kept[slot]]);
    const artifacts: Required<TrustArtifacts> = { keyList: candidates('keyList'), statusList: candidates('statusList'), revisionList: candidates('revisionList') };
    const floors = {
      ...this.#options.codecs,
      time: this.#options.clock(),
      root,
      minKeyListVersion: Math.max(accepted.keyList?.rank[0] ?? 0, this.#options.minKeyListVersion ?? 0) || undefined,
      minStatusIat: accepted.statusList?.rank[1],
      minRevisionIat: accepted.revisionList?.rank[1],
    };
    const context = await buildTrustContext(artifacts, { ...floors, entries: (ctx) => this.#entries.lookup(ctx.keyList) });

    // Which candidate won, to serve it and hand it on: a lone candidate, or else the first (in
    // candidate order) of the winner's rank that verifies; only a tie needs verifying again.
    const texts: ListTexts = { ...NO_TEXTS };
    const ranks: Record<ListSlot, ListRank | null> = {
      keyList: context.keyList && [context.keyList.version, context.keyList.iat],
      statusList: context.statusList && [0, context.statusList.iat],
      revisionList: context.revisionList && [0, context.revisionList.iat],
    };
    for (const slot of LIST_SLOTS) {
      const rank = ranks[slot];
      if (!rank) continue;
      const offered = artifacts[slot] as string[];
      const tied = offered.length === 1 ? offered : offered.filter((text) => sameRank(listRank(slot, text), rank));
      for (const text of tied) {
        if (tied.length === 1 || (await verifiesAlone(slot, text, texts.keyList, floors))) {
          texts[slot] = text;
          break;
        }
      }
      const won = texts[slot];
      // The floors make the winner at least as new as what was accepted before.
      const before = accepted[slot];
      if (won !== null && !(before && isNewerRank(before.rank, rank))) accepted[slot] = { text: won, rank };
    }
    this.#options.log(describe(context));
    return { context, texts };
  }

  /** Our TTL, or the status list's own `ttl` if that is shorter. */
  #ttl(context: TrustContext): number {
    const listed = context.statusList ? context.statusList.ttl * 1000 : Infinity;
    return Math.min(this.#options.ttlMs, listed);
  }
}

/** Whether `text` alone (with the winning key list) passes as the slot's list: only for ties. */
async function verifiesAlone(slot: ListSlot, text: string, keyList: string | null, floors: Parameters<typeof buildTrustContext>[1]): Promise<boolean> {
  const ctx = await buildTrustContext(slot === 'keyList' ? { keyList: text } : { keyList, [slot]: text }, floors);
  return ctx[slot] !== null;
}

function unique(texts: (string | null | undefined)[]): string[] {
  return [...new Set(texts.filter((t): t is string => typeof t === 'string' && t !== ''))];
}

function sameRank(a: ListRank | null, b: ListRank | null): boolean {
  return a !== null && b !== null && a[0] === b[0] && a[1] === b[1];
}

function sameTexts(a: Partial<Record<ListSlot, string | null>>, b: Partial<Record<ListSlot, string | null>>): boolean {
  return LIST_SLOTS.every((slot) => (a[slot] ?? null) === (b[slot] ?? null));
}

function unavailable(code: ArtifactProblem['code'], message: string): TrustSnapshot {
  return {
    context: { keyList: null, statusList: null, revisionList: null, problems: [{ artifact: 'keyList', code, message }], entries: { get: () => Promise.resolve(null) } },
    texts: { ...NO_TEXTS },
  };
}

/** One log line per rebuild: key list version, list times and sizes, problems; never artifact text. */
function describe(context: TrustContext): string {
  const list = (name: string, l: TrustContext['statusList']) => (l ? `${name} of ${l.asOf} (${l.size} serials)` : `no ${name}`);
  const parts = [
    context.keyList ? `key list v${context.keyList.version} (${context.keyList.byKid.size} keys)` : 'no key list',
    list('status list', context.statusList),
    list('revision list', context.revisionList),
  ];
  const problems = context.problems.map((p) => `${p.artifact} ${p.code}`);
  return `trust context rebuilt: ${parts.join(', ')}${problems.length ? `; refused: ${problems.join(', ')}` : ''}`;
}
