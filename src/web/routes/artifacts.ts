// The published artifacts, passed on as signed (trust comes from verifying them, not from us),
// the issuing keys as a JWKS for convenience, and the health check.

import type { Context } from 'hono';
import type { TrustContext } from '../../core/index.ts';
import type { ArtifactName } from '../artifact-source.ts';
import { artifactText, json, plainText } from '../respond.tsx';
import type { RouteDeps } from '../route-deps.ts';

const CONTENT_TYPES: Partial<Record<ArtifactName, string>> = {
  'key-list': 'application/jwt',
  'status-list': 'application/statuslist+jwt',
  bundle: 'application/json; charset=utf-8',
};

export function publishedArtifact(v: RouteDeps, name: ArtifactName) {
  return async function publishedArtifact(c: Context): Promise<Response> {
    let text: string | null;
    try {
      text = await v.trust.artifact(name);
    } catch (error) {
      v.log(`artifact store unavailable reading ${name} (${error instanceof Error ? error.name : 'error'})`);
      return json(503, { error: 'store_unavailable', message: 'The published artifacts cannot be read right now' });
    }
    if (text === null) return json(404, { error: 'not_published', message: `No ${name} is published` });
    return artifactText(text, CONTENT_TYPES[name] ?? 'application/octet-stream', Math.floor(v.ttlMs / 1000));
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

/** 200 while verdicts can be confirmed; 503 (with the reasons) while every verdict would be cannot_confirm. */
export function health(v: RouteDeps) {
  return async function health(c: Context): Promise<Response> {
    const { context } = await v.trust.snapshot();
    const missing = unusable(context, v.clock());
    if (missing.length === 0) {
      return plainText(200, `ok: key list v${context.keyList!.version}, status as of ${new Date(context.statusList!.iat * 1000).toISOString()}\n`);
    }
    return plainText(503, `cannot confirm licences: ${missing.join('; ')}\n`);
  };
}

function unusable(context: TrustContext, time: Date): string[] {
  const now = time.getTime();
  const reasons = context.problems.map((p) => `${p.artifact} ${p.code}`);
  const expired = (name: string, artifact: { exp: number } | null) => {
    if (artifact && now >= artifact.exp * 1000) reasons.push(`${name} expired`);
  };
  expired('keyList', context.keyList);
  expired('statusList', context.statusList);
  expired('register', context.register);
  if (!context.keyList || !context.statusList || !context.register) reasons.push('trust data incomplete');
  return [...new Set(reasons)];
}
