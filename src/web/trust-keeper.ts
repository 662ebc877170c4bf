// Somewhere that outlives one isolate or process and holds the newest programme lists this
// verifier has accepted (key list, status list, revision list, and the revoked-inspectors list
// the reports inbox checks tokens against): a file in the Node verifier's
// data directory, a Durable Object on Workers. The trust cache offers its texts as candidates
// on every refresh, so a fresh verifier never accepts an older list replayed into the store,
// and hands it anything newer it has accepted.

import { MAX_REVISION_LIST_BYTES, TYP } from '../core/index.ts';
import { base64urlDecode } from '../core/base64url.ts';

export type ListSlot = 'keyList' | 'statusList' | 'revisionList';
export const LIST_SLOTS: readonly ListSlot[] = ['keyList', 'statusList', 'revisionList'];
/** What a keeper holds: the trust cache's lists and the reports inbox's revoked-inspectors list. */
export type KeptSlot = ListSlot | 'revokedInspectors';
export const KEPT_SLOTS: readonly KeptSlot[] = [...LIST_SLOTS, 'revokedInspectors'];

/** List texts as published (compact JWS), by slot; a slot not held is absent. */
export type KeptLists = Partial<Record<KeptSlot, string>>;

/** How new a list is: [version (key list, revoked-inspectors; 0 for the others), iat]. */
export type ListRank = [number, number];
export type ListRanks = Partial<Record<KeptSlot, ListRank>>;

export interface TrustKeeper {
  /**
   * What it holds. It may leave out a list no newer than the one ranked in `since` (what the
   * verifier already has): a revision list for a large programme need not travel every TTL.
   * Throws when it cannot be reached: the verifier carries on without it.
   */
  load(since?: ListRanks): Promise<KeptLists>;
  /** Offers the newest accepted lists; a keeper replaces a text only with a newer one. */
  keep(lists: KeptLists): Promise<void>;
}

const SLOT_TYP: Record<KeptSlot, string> = { keyList: TYP.keyList, statusList: TYP.statusList, revisionList: TYP.revisionList, revokedInspectors: TYP.revokedInspectors };
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * How new a list text says it is — [version (0 for the status and revision lists), iat] — read WITHOUT
 * verifying it, or null when it is not a compact JWS of the slot's typ. Only for ordering texts
 * that a verifier has already accepted (a keeper choosing which to hold); trust comes from
 * buildTrustContext, which verifies every candidate.
 */
export function listRank(slot: KeptSlot, text: unknown): ListRank | null {
  if (typeof text !== 'string' || text.length > MAX_REVISION_LIST_BYTES) return null;
  const parts = text.split('.');
  if (parts.length !== 3) return null;
  const json = (part: string): Record<string, unknown> | null => {
    const bytes = base64urlDecode(part);
    if (!bytes) return null;
    try {
      const value: unknown = JSON.parse(utf8.decode(bytes));
      return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  };
  if (json(parts[0]!)?.typ !== SLOT_TYP[slot]) return null;
  const payload = json(parts[1]!);
  const version = slot === 'keyList' || slot === 'revokedInspectors' ? payload?.version : 0;
  if (!Number.isSafeInteger(payload?.iat) || !Number.isSafeInteger(version)) return null;
  return [version as number, payload!.iat as number];
}

/** Whether rank `a` is strictly newer than `b` (a missing `b` is older than anything). */
export function isNewerRank(a: ListRank, b: ListRank | null | undefined): boolean {
  return !b || a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
}

/**
 * `held` with each offered text that is newer than the held one (or fills an empty slot), or
 * null when nothing offered is newer. Texts that are not the slot's lists are ignored.
 */
export function keepNewer(held: KeptLists, offered: KeptLists): KeptLists | null {
  let changed = false;
  const next: KeptLists = { ...held };
  for (const slot of KEPT_SLOTS) {
    const rank = listRank(slot, offered[slot]);
    if (rank && isNewerRank(rank, listRank(slot, held[slot]))) {
      next[slot] = offered[slot];
      changed = true;
    }
  }
  return changed ? next : null;
}
