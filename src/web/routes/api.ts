// GET /api/v1/verify?seal=: DESIGN §4's JSON, 200 with a verdict for every seal up to 256
// characters (malformed included), 400 for a missing or longer one.

import type { Context } from 'hono';
import { json } from '../respond.tsx';
import { MAX_SEAL_INPUT, type RouteDeps } from '../route-deps.ts';

export function verifyApi(v: RouteDeps) {
  return async function verifyApi(c: Context): Promise<Response> {
    const seal = c.req.query('seal');
    if (!seal) return json(400, { error: 'seal_missing', message: 'Give the seal as ?seal=' });
    if (seal.length > MAX_SEAL_INPUT) return json(400, { error: 'seal_too_long', message: `A seal is at most ${MAX_SEAL_INPUT} characters` });
    const { context } = await v.trust.snapshot();
    return json(200, await v.verdicts.verify(seal, v.clock(), context));
  };
}
