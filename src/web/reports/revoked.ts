// The revoked-inspectors list the reports inbox checks inspector tokens against, kept like the
// trust cache keeps its lists (trust-cache.ts): refreshed once a TTL, chosen from the store's,
// the keeper's and the one accepted in memory — the newest that verifies under the trusted key
// list wins, one older than the newest accepted is refused — and a newer one handed to the
// keeper, so a restarted process or a fresh isolate never goes back to a version it has seen
// (an older list put back into the store cannot un-revoke a token).
//
// Fail closed: `current()` gives null when no unexpired list is at hand, and no report is then
// accepted (the route answers 503).

import { parseRevokedInspectors, type RevokedInspectors, type TrustedKeyList } from '../../core/index.ts';
import type { ArtifactSource } from '../artifact-source.ts';
import { isNewerRank, listRank, type ListRank, type TrustKeeper } from '../trust-keeper.ts';
import { errorName, withTimeout } from '../faults.ts';

export const REVOKED_STORE_KEY = 'revoked-inspectors';
const KEEPER_TIMEOUT_MS = 2_000;

export interface RevokedCacheOptions {
  source: ArtifactSource;
  keeper?: TrustKeeper;
  ttlMs: number;
  clock: () => Date;
  log: (line: string) => void;
}

export class RevokedInspectorsCache {
  readonly #options: RevokedCacheOptions;
  /** The newest list accepted here: never replaced by an older one. */
  #accepted: { text: string; rank: ListRank; list: RevokedInspectors; keyListIat: number } | null = null;
  #freshUntil = 0;
  #refreshing: Promise<void> | null = null;

  constructor(options: RevokedCacheOptions) {
    this.#options = options;
  }

  /** The current list (unexpired at the clock's now), or null: then no report may be accepted. */
  async current(keyList: TrustedKeyList): Promise<RevokedInspectors | null> {
    const now = this.#options.clock().getTime();
    // A new key list (a rotation, a compromise) re-verifies at once.
    if (now >= this.#freshUntil || this.#accepted?.keyListIat !== keyList.iat) {
      this.#refreshing ??= this.#refresh(keyList, now).finally(() => {
        this.#refreshing = null;
      });
      await this.#refreshing;
    }
    const list = this.#accepted?.list;
    return list && now < list.exp * 1000 ? list : null;
  }

  async #refresh(keyList: TrustedKeyList, now: number): Promise<void> {
    const { source, keeper, ttlMs, log } = this.#options;
    let stored: string | null = null;
    try {
      stored = await source.getText(REVOKED_STORE_KEY);
    } catch (error) {
      log(`artifact store unavailable for the revoked-inspectors list (${errorName(error)})`);
    }
    let kept: string | undefined;
    const since = this.#accepted?.rank;
    if (keeper) {
      try {
        kept = (await withTimeout(keeper.load(since ? { revokedInspectors: since } : {}), KEEPER_TIMEOUT_MS)).revokedInspectors;
      } catch (error) {
        log(`trust keeper unreachable (${errorName(error)}); the revoked-inspectors list is chosen from the store and memory`);
      }
    }
    const time = new Date(now);
    const floor = this.#accepted?.rank[0];
    let best: { text: string; rank: ListRank; list: RevokedInspectors } | null = null;
    const refused: string[] = [];
    // The accepted list first: of two with the same rank, the one already accepted stays.
    for (const text of new Set([this.#accepted?.text, stored, kept])) {
      if (typeof text !== 'string' || text === '') continue;
      try {
        const list = await parseRevokedInspectors(text, keyList, { minVersion: floor, time });
        const rank: ListRank = [list.version, list.iat];
        if (!best || isNewerRank(rank, best.rank)) best = { text, rank, list };
      } catch (error) {
        refused.push((error as { code?: string }).code ?? errorName(error));
      }
    }
    this.#freshUntil = now + ttlMs;
    if (!best) {
      // Keep the last accepted one (its own exp still bounds it in current()).
      if (refused.length) log(`revoked-inspectors list refused: ${refused.join(', ')}`);
      if (!this.#accepted) log('no current revoked-inspectors list: inspector reports are refused (503)');
      return;
    }
    const newer = !this.#accepted || isNewerRank(best.rank, this.#accepted.rank);
    this.#accepted = { ...best, keyListIat: keyList.iat };
    if (newer) log(`revoked-inspectors list v${best.list.version} accepted (${best.list.jtis.size} ids)`);
    // A list the keeper left out was no newer than `since`, what this verifier held before.
    const keeperHas = kept !== undefined ? listRank('revokedInspectors', kept) : since;
    if (keeper && isNewerRank(best.rank, keeperHas)) {
      try {
        await withTimeout(keeper.keep({ revokedInspectors: best.text }), KEEPER_TIMEOUT_MS);
      } catch (error) {
        log(`trust keeper unreachable (${errorName(error)}); the newer revoked-inspectors list stays in memory only`);
      }
    }
  }
}
