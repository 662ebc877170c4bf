// The published lists and bundles, passed on as signed (trust comes from verifying them, not
// from us), the issuing keys as a JWKS for convenience, and the health check. The lists served
// are the ones this verifier accepted (never an older one the store may hold).

import type { Context } from 'hono';
import { bundleKey, isRegionCode, type TrustContext } from '../../core/index.ts';
import { artifactBytes, artifactText, json, plainText } from '../respond.tsx';
import type { RouteDeps } from '../route-deps.ts';
import { STORE_KEY } from '../trust-cache.ts';
import type { ListSlot } from '../trust-keeper.ts';

const CONTENT_TYPES: Record<ListSlot, string> = {
  keyList: 'application/jwt',
  statusList: 'application/statuslist+jwt',
  revisionList: 'application/jwt',
};

export function publishedList(v: RouteDeps, slot: ListSlot) {
  return async function publishedList(c: Context): Promise<Response> {
    const { texts } = await v.trust.snapshot();
    const text = texts[slot];
    if (text === null) return json(404, { error: 'not_published', message: `No ${STORE_KEY[slot]} is published` });
    return artifactText(text, CONTENT_TYPES[slot], Math.floor(v.ttlMs / 1000));
  };
}

/** GET /api/v1/bundle[?region=CODE]: the gzip file as published (from R2 on Workers). */
export function bundle(v: RouteDeps) {
  return async function bundle(c: Context): Promise<Response> {
    const region = c.req.query('region');
    if (region !== undefined && !isRegionCode(region)) {
      return json(400, { error: 'region_unknown', message: 'region must be one of the programme’s GB/T 2260 codes, e.g. 370211' });
    }
    let body: Awaited<ReturnType<typeof v.trust.bundle>>;
    try {
      body = await v.trust.bundle(bundleKey(region ?? null));
    } catch (error) {
      v.log(`artifact store unavailable reading ${bundleKey(region ?? null)} (${error instanceof Error ? error.name : 'error'})`);
      return json(503, { error: 'store_unavailable', message: 'The published artifacts cannot be read right now' });
    }
    if (body === null) return json(404, { error: 'not_published', message: region ? `No bundle for region ${region} is published` : 'No bundle is published' });
    return artifactBytes(body, 'application/gzip', Math.floor(v.ttlMs / 1000));
  };
}

/** The issuing keys of the trusted key list, minus compromised ones. */
export function jwks(v: RouteDeps) {
  return async function jwks(c: Context): Promise<Response> {
    const { context } = await v.trust.snapshot();
    const keys = [...(context.keyList?.byKid.values() ?? [])]
      .filter((k) => k.status !== 'compromised')
      .map((k) => ({ ...k.jwk, kid: k.kid, alg: 'EdDSA', use: 'sig' }));
    return json(200, { keys }, { 'cache-control': `public, max-age=${Math.floor(v.ttlMs / 1000)}` });
  };
}

/**
 * 200 while verdicts can be confirmed (naming any list the store offered that was refused:
 * an older one while KV catches up, or a replay); 503 (with the reasons) while every verdict
 * would be cannot_confirm.
 */
export function health(v: RouteDeps) {
  return async function health(c: Context): Promise<Response> {
    const { context } = await v.trust.snapshot();
    const missing = unusable(context, v.clock());
    const refused = [...new Set(context.problems.map((p) => `${p.artifact} ${p.code}`))];
    if (missing.length === 0) {
      const lists = `key list v${context.keyList!.version}, status as of ${context.statusList!.asOf}, revisions as of ${context.revisionList!.asOf}`;
      return plainText(200, `ok: ${lists}${refused.length ? ` (refused: ${refused.join(', ')})` : ''}\n`);
    }
    return plainText(503, `cannot confirm licences: ${[...new Set([...refused, ...missing])].join('; ')}\n`);
  };
}

function unusable(context: TrustContext, time: Date): string[] {
  const now = time.getTime();
  const reasons: string[] = [];
  for (const [name, list] of [['keyList', context.keyList], ['statusList', context.statusList], ['revisionList', context.revisionList]] as const) {
    if (!list) reasons.push(`no ${name}`);
    else if (now >= list.exp * 1000) reasons.push(`${name} expired`);
  }
  return reasons;
}
