// The published artifacts' vocabulary (DESIGN §3): the keys they are published under (Workers
// KV keys, R2 object keys for bundles, and — through edge-store's mapping — the files of an
// edge directory), and where the lists live.

import { parseLogKey } from './transparency.ts';

/** The programme-wide artifacts, small and whole: read on every refresh. */
export const LIST_NAMES = ['key-list', 'status-list', 'revision-list', 'revoked-inspectors'] as const;
export type ListName = (typeof LIST_NAMES)[number];

const STORE_KEY = /^(?:key-list|status-list|revision-list|revoked-inspectors|bundle|bundle\/\d{6}|licence\/(?:0|[1-9]\d{0,9})\/(?:0|[1-9]\d{0,2}))$/;

/**
 * Whether `key` is one of the keys anything here publishes: the lists, `bundle`,
 * `bundle/{region}`, `licence/{serial}/{r}`, or the transparency log's `log/checkpoint` and
 * `log/tile/…` (transparency.ts). Nothing else is ever read from a store.
 */
export function isStoreKey(key: string): boolean {
  if (key.startsWith('log/')) return parseLogKey(key) !== null;
  if (!STORE_KEY.test(key)) return false;
  const r = /^licence\/\d+\/(\d+)$/.exec(key);
  return r === null || Number(r[1]) < 256;
}

// The lists' URIs (statusListUri, revisionListUri) are in status-list.ts.
