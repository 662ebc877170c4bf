// What the route handlers share: the trust cache, the clock, and how to address the page.

import type { Context } from 'hono';
import { pickLocale } from './locale.ts';
import type { PageContext } from './respond.tsx';
import type { LogCache } from './log-cache.ts';
import type { LogReader } from './log-reader.ts';
import type { TrustCache } from './trust-cache.ts';
import type { VerdictCache } from './verdict-cache.ts';

export interface RouteDeps {
  trust: TrustCache;
  verdicts: VerdictCache;
  clock: () => Date;
  ttlMs: number;
  /** The official verify origin's host; null: the host this request came to. */
  officialHost: string | null;
  log: (line: string) => void;
  /** The transparency log's checkpoint in use, and its files under it. */
  logCache: LogCache;
  logReader: LogReader;
}

/** The longest seal text a request may carry (DESIGN §4); anything longer gets a 400. */
export const MAX_SEAL_INPUT = 256;

export function pageContext(c: Context, v: RouteDeps): PageContext {
  return {
    locale: pickLocale(c.req.query('lang'), c.req.header('accept-language')),
    // Never the request's own Host: a look-alike domain proxying us would be named official.
    officialHost: v.officialHost,
  };
}

/** Paths under /api/ and /.well-known/ answer in JSON, everything else with a page. */
export function wantsJson(c: Context): boolean {
  return c.req.path.startsWith('/api/') || c.req.path.startsWith('/.well-known/');
}
