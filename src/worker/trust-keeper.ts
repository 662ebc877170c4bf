// The Durable Object (binding QDYP_TRUST, class TrustKeeper) that holds the newest key list,
// status list, revision list and revoked-inspectors list any isolate of this Worker has accepted,
// and the transparency log's checkpoint in use with the first split view any isolate saw
// (loadLog, keepLog: see src/web/log-keeper.ts). Isolates read it once
// per refresh and offer it anything newer they accept (src/web/trust-cache.ts), so a fresh
// isolate never accepts an older list replayed into KV, and an isolate still reading an older
// list from KV (eventual consistency: a minute or more) uses the newer one instead of
// refusing it into cannot_confirm.
//
// It orders texts by the version and iat their payloads claim, decoded WITHOUT verifying the
// signature: only this Worker can reach a Durable Object namespace, and it offers only lists
// it has just verified; every isolate verifies whatever it loads from here again, like any
// other candidate. One instance (by name) serves the whole Worker.
//
// When it cannot be reached, isolates carry on with KV and what they accepted in memory (and
// log it). What remains then: an isolate started while the object is unreachable may accept an
// older list replayed into KV — bounded by that list's own exp (14 days for the status and
// revision lists, a year for the key list) and, for the key list, by QDYP_MIN_KEY_LIST_VERSION
// — until it next reaches the object or reads a newer list; an isolate already running never
// goes back (its memory floor stands).

import { DurableObject } from 'cloudflare:workers';
import type { DurableObjectNamespace } from '@cloudflare/workers-types';
import { isNewerRank, keepLog, keepNewer, KEPT_SLOTS, listRank, type KeptLists, type KeptLog, type KeptSlot, type ListRanks, type LogKeeper, type TrustKeeper as Keeper } from '../web/index.ts';

/** The one instance the Worker uses. */
export const TRUST_KEEPER_NAME = 'trust';

/** Storage keys of the log's two slots (beside the lists' slot names). */
const LOG_KEYS = { checkpoint: 'log:checkpoint', splitView: 'log:splitView' } as const;

export class TrustKeeper extends DurableObject {
  /** What storage holds, with each list's rank, read once per instance. */
  #held: Promise<{ lists: KeptLists; ranks: ListRanks }> | null = null;
  #log: Promise<KeptLog> | null = null;

  #readLog(): Promise<KeptLog> {
    this.#log ??= this.ctx.storage.get<string>([LOG_KEYS.checkpoint, LOG_KEYS.splitView]).then((stored) => {
      const kept: KeptLog = {};
      const checkpoint = stored.get(LOG_KEYS.checkpoint);
      const splitView = stored.get(LOG_KEYS.splitView);
      if (typeof checkpoint === 'string') kept.checkpoint = checkpoint;
      if (typeof splitView === 'string') kept.splitView = splitView;
      return kept;
    });
    return this.#log;
  }

  /** The log checkpoint held and the split view seen, if any. */
  async loadLog(): Promise<KeptLog> {
    return { ...(await this.#readLog()) };
  }

  /** Holds a larger checkpoint, or a first split view; ignores the rest (keepLog's rules). */
  async keepLog(offered: KeptLog): Promise<void> {
    const clean: KeptLog = {};
    if (typeof offered?.checkpoint === 'string') clean.checkpoint = offered.checkpoint;
    if (typeof offered?.splitView === 'string') clean.splitView = offered.splitView;
    const held = await this.#readLog();
    const next = keepLog(held, clean);
    if (!next) return;
    this.#log = Promise.resolve(next);
    const changed: Record<string, string> = {};
    if (next.checkpoint !== undefined && next.checkpoint !== held.checkpoint) changed[LOG_KEYS.checkpoint] = next.checkpoint;
    if (next.splitView !== undefined && next.splitView !== held.splitView) changed[LOG_KEYS.splitView] = next.splitView;
    await this.ctx.storage.put(changed);
  }

  #read(): Promise<{ lists: KeptLists; ranks: ListRanks }> {
    this.#held ??= this.ctx.storage.get<string>([...KEPT_SLOTS]).then((stored) => {
      const lists: KeptLists = {};
      const ranks: ListRanks = {};
      for (const slot of KEPT_SLOTS) {
        const text = stored.get(slot);
        const rank = listRank(slot, text);
        if (typeof text === 'string' && rank) {
          lists[slot] = text;
          ranks[slot] = rank;
        }
      }
      return { lists, ranks };
    });
    return this.#held;
  }

  /** The lists held (none at first), leaving out each that is no newer than `since` ranks it. */
  async load(since: ListRanks = {}): Promise<KeptLists> {
    const { lists, ranks } = await this.#read();
    const out: KeptLists = {};
    for (const slot of KEPT_SLOTS) {
      const rank = ranks[slot];
      const theirs = since?.[slot];
      if (rank && (!validRank(theirs) || isNewerRank(rank, theirs))) out[slot] = lists[slot];
    }
    return out;
  }

  /** Holds each offered list that is newer than the one held; ignores the rest. */
  async keep(offered: KeptLists): Promise<void> {
    const clean: KeptLists = {};
    for (const slot of KEPT_SLOTS) if (typeof offered?.[slot] === 'string') clean[slot] = offered[slot];
    const held = await this.#read();
    const next = keepNewer(held.lists, clean);
    if (!next) return;
    const changed: Partial<Record<KeptSlot, string>> = {};
    const ranks: ListRanks = { ...held.ranks };
    for (const slot of KEPT_SLOTS) {
      if (next[slot] !== undefined && next[slot] !== held.lists[slot]) {
        changed[slot] = next[slot];
        ranks[slot] = listRank(slot, next[slot])!;
      }
    }
    // Before the write, so a keep() arriving meanwhile compares against these.
    this.#held = Promise.resolve({ lists: next, ranks });
    await this.ctx.storage.put(changed);
  }
}

function validRank(rank: unknown): rank is [number, number] {
  return Array.isArray(rank) && rank.length === 2 && rank.every((n) => Number.isSafeInteger(n));
}

/**
 * The verifier's view of the object: one call per refresh, one more when it accepted something
 * newer. `name` picks the instance (tests use their own).
 */
export function durableKeeper(namespace: DurableObjectNamespace<TrustKeeper>, name = TRUST_KEEPER_NAME): Keeper {
  const stub = () => namespace.get(namespace.idFromName(name));
  return {
    load: async (since) => (await stub().load(since)) as KeptLists,
    keep: async (lists) => {
      await stub().keep(lists);
    },
  };
}

/** The verifier's view of the object's log slots: one call per log refresh, one more when something is new. */
export function durableLogKeeper(namespace: DurableObjectNamespace<TrustKeeper>, name = TRUST_KEEPER_NAME): LogKeeper {
  const stub = () => namespace.get(namespace.idFromName(name));
  return {
    load: async () => (await stub().loadLog()) as KeptLog,
    keep: async (log) => {
      await stub().keepLog(log);
    },
  };
}
