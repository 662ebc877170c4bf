// The inspector page's built files on Workers: the static-assets binding (wrangler.toml
// [assets]), which serves the same dist/public directory the Node verifier reads.

import type { AssetSource } from '../web/index.ts';

interface AssetsBinding {
  fetch(request: Request): Promise<Response>;
}

export function workersAssets(binding: AssetsBinding | undefined): AssetSource | undefined {
  if (!binding) return undefined;
  return {
    async get(name) {
      const response = await binding.fetch(new Request(`https://assets.invalid/inspect/${name}`));
      if (!response.ok || !response.body) return null;
      return { body: response.body, etag: response.headers.get('etag') };
    },
  };
}
