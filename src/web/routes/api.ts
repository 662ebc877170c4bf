// GET /api/v1/verify?seal=: DESIGN §4's JSON, 200 with a verdict for every seal up to 256
// characters (malformed included), 400 for a missing or longer one. `logIndex` (the licence's
// latest entry in the public log, or null) is the verdict's own member: the licence object
// keeps DESIGN §4's shape.

import type { Context } from 'hono';
import type { Verdict } from '../../core/index.ts';
import { json } from '../respond.tsx';
import { MAX_SEAL_INPUT, type RouteDeps } from '../route-deps.ts';

export function verifyApi(v: RouteDeps) {
  return async function verifyApi(c: Context): Promise<Response> {
    const seal = c.req.query('seal');
    if (!seal) return json(400, { error: 'seal_missing', message: 'Give the seal as ?seal=' });
    if (seal.length > MAX_SEAL_INPUT) return json(400, { error: 'seal_too_long', message: `A seal is at most ${MAX_SEAL_INPUT} characters` });
    const { context } = await v.trust.snapshot();
    return json(200, apiVerdict(await v.verdicts.verify(seal, v.clock(), context)));
  };
}

function apiVerdict(verdict: Verdict): Verdict {
  if (!verdict.licence || verdict.licence.logIndex === undefined) return verdict;
  const { logIndex: _logIndex, ...licence } = verdict.licence;
  return { ...verdict, licence };
}
