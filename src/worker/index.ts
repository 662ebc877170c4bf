// The Workers entry: the only file that sees Env.
import type { KVNamespace } from '@cloudflare/workers-types';

export interface Env {
  QDYP_KV: KVNamespace;
  QDYP_ROOT_JWK: string;
}

export default {
  async fetch(request: Request, _env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/healthz') return new Response('ok\n', { headers: { 'content-type': 'text/plain; charset=utf-8' } });
    return new Response('not found\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  },
};
