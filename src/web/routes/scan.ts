// GET /v/{seal} and /V/{seal}: the page a shopper sees after scanning.

import type { Context } from 'hono';
import { foldCase } from '../../core/index.ts';
import { noticePage, verdictPage } from '../respond.tsx';
import { MAX_SEAL_INPUT, pageContext, type RouteDeps } from '../route-deps.ts';

const BASE32 = /^[A-Z2-7]+$/;

/** Whether a path segment could be a seal at all: a short run of Base32 in any letter case. */
export function couldBeSeal(text: string): boolean {
  return text.length > 0 && text.length <= MAX_SEAL_INPUT && BASE32.test(foldCase(text));
}

export function scanPage(v: RouteDeps) {
  return async function scanPage(c: Context): Promise<Response> {
    const page = pageContext(c, v);
    const seal = c.req.path.slice('/v/'.length);
    if (!couldBeSeal(seal)) return noticePage(page, 'badRequest');
    const { context } = await v.trust.snapshot();
    return verdictPage(page, await v.verdicts.verify(seal, v.clock(), context), foldCase(seal));
  };
}
