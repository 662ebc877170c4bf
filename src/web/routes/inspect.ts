// GET /inspect: the inspector's offline page (its shell, with the pinned root built in), and
// GET /inspect/NAME: its built files (script, decoder worker and wasm, service worker,
// manifest, icon), with ETags so a phone online revalidates them cheaply.

import type { Context } from 'hono';
import type { PublicJwk } from '../../core/index.ts';
import { isInspectFile, type AssetSource } from '../inspect-assets.ts';
import { inspectAsset, inspectShell, noticePage } from '../respond.tsx';
import { pageContext, type RouteDeps } from '../route-deps.ts';

export function inspectPage(v: RouteDeps, root: PublicJwk | null, hosts: string[], assets: AssetSource | undefined) {
  return async function inspectPage(c: Context): Promise<Response> {
    if (!assets) return noticePage(pageContext(c, v), 'notFound');
    return inspectShell(root, hosts);
  };
}

export function inspectFile(v: RouteDeps, assets: AssetSource | undefined) {
  return async function inspectFile(c: Context): Promise<Response> {
    const name = c.req.param('name') ?? '';
    if (!assets || !isInspectFile(name)) return noticePage(pageContext(c, v), 'notFound');
    let file: Awaited<ReturnType<AssetSource['get']>>;
    try {
      file = await assets.get(name);
    } catch (error) {
      v.log(`inspector file ${name} unreadable (${error instanceof Error ? error.name : 'error'})`);
      file = null;
    }
    if (!file) {
      v.log(`inspector file ${name} is missing: run npm run build:inspect`);
      return noticePage(pageContext(c, v), 'notFound');
    }
    if (file.etag && etagMatches(c.req.header('if-none-match'), file.etag)) return new Response(null, { status: 304, headers: { etag: file.etag } });
    return inspectAsset(name, file.body, file.etag);
  };
}

/** If-None-Match against our ETag, weakly (compression marks the ETag weak on the way out). */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const strong = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.slice(0, 1024).split(',').some((tag) => strong(tag) === strong(etag) || tag.trim() === '*');
}
