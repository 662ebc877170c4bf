// The inspector page on Workers: the real Worker entry (SELF) serves /inspect and its built
// files from the static-assets binding (wrangler.toml [assets], the build's dist/public), with
// the page's CSP and the service worker's scope header, exactly as the Node verifier does.
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

const BASE = 'https://verify.example.cn';

describe('/inspect on Workers', () => {
  it('serves the shell with the pinned root built in and a CSP that allows the decoder and nothing external', async () => {
    const response = await SELF.fetch(`${BASE}/inspect`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await response.text();
    const config = JSON.parse(/<script type="application\/json" id="qdyp-config">([^<]*)<\/script>/.exec(html)![1]!) as { root: { x: string }; hosts: string[] };
    expect(config.root.x).toBe((JSON.parse(env.QDYP_ROOT_JWK) as { x: string }).x);
    expect(config.hosts).toEqual(['verify.example.cn']);
    expect(html).toContain('src="/inspect/app.js"');
  });

  it('serves the built files from the assets binding; the service worker may control /inspect itself', async () => {
    const sw = await SELF.fetch(`${BASE}/inspect/sw.js`);
    expect(sw.status).toBe(200);
    expect(sw.headers.get('service-worker-allowed')).toBe('/inspect');
    expect(await sw.text()).toContain('/inspect/zxing_reader.wasm');
    const wasm = await SELF.fetch(`${BASE}/inspect/zxing_reader.wasm`);
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    const bytes = new Uint8Array(await wasm.arrayBuffer());
    expect([...bytes.subarray(0, 4)]).toEqual([0x00, 0x61, 0x73, 0x6d]);
    const app = await SELF.fetch(`${BASE}/inspect/app.js`);
    expect(app.headers.get('content-type')).toContain('javascript');
    expect((await app.text()).length).toBeGreaterThan(1000);
  });

  it('anything else under /inspect/ is a 404 page, never a file outside the list', async () => {
    for (const path of ['/inspect/nope.js', '/inspect/build.json', '/inspect/..%2Fwrangler.toml', '/inspect/%00']) {
      const response = await SELF.fetch(`${BASE}${path}`);
      expect([path, response.status]).toEqual([path, 404]);
      await response.body?.cancel();
    }
    const post = await SELF.fetch(`${BASE}/inspect`, { method: 'POST' });
    expect(post.status).toBe(405);
    await post.body?.cancel();
  });
});
