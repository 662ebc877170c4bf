// Builds the inspector page's browser files from src/ with esbuild (already in the tree with
// wrangler and tsx) into dist/public/inspect/: the page script, the decoder's Web Worker, the
// decoder's wasm (zxing-wasm's reader, copied), the service worker (its cache list and
// version written in), the web app manifest and icon. Run by `npm test`, `npm start` and
// `npm run deploy`; the output is not committed. The Node verifier serves it from there; on
// Workers, wrangler.toml's [assets] uploads the same directory.
//
//   tsx scripts/build-inspect.ts [--quiet]

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { INSPECT_ASSET_DIR, INSPECT_FILES, type InspectBuild } from '../src/web/inspect-assets.ts';
import { MARK_SVG } from '../src/web/views/icons.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = path.join(root, INSPECT_ASSET_DIR, 'inspect');
const quiet = process.argv.includes('--quiet');

async function bundle(entry: string, outfile: string, define: Record<string, string> = {}): Promise<void> {
  await build({
    entryPoints: [path.join(root, entry)],
    outfile: path.join(out, outfile),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    define,
    logLevel: 'warning',
    // Emscripten's Node branch (never taken in a browser) names Node modules.
    external: ['module', 'fs', 'path', 'url', 'worker_threads'],
  });
}

async function main(): Promise<void> {
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  await bundle('src/inspect/main.ts', 'app.js');
  await bundle('src/inspect/decoder-worker.ts', 'decoder.js');
  const require = createRequire(import.meta.url);
  const wasm = path.join(path.dirname(require.resolve('zxing-wasm/reader')), '../../reader/zxing_reader.wasm');
  fs.copyFileSync(wasm, path.join(out, 'zxing_reader.wasm'));
  fs.writeFileSync(path.join(out, 'icon.svg'), MARK_SVG);
  const manifest = {
    name: '青岛优品 现场查验 · Qingdao Premium Products inspection',
    short_name: '优品查验',
    lang: 'zh-CN',
    start_url: '/inspect',
    scope: '/inspect',
    display: 'standalone',
    background_color: '#eef1f4',
    theme_color: '#0b4f8a',
    icons: [{ src: '/inspect/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
  };
  fs.writeFileSync(path.join(out, 'manifest.webmanifest'), `${JSON.stringify(manifest, null, 2)}\n`);

  const hash = createHash('sha256');
  const files: InspectBuild['files'] = {};
  for (const name of INSPECT_FILES) {
    if (name === 'sw.js') continue;
    const bytes = fs.readFileSync(path.join(out, name));
    const sha256 = createHash('sha256').update(bytes).digest('base64url');
    hash.update(`${name}:${sha256}\n`);
    files[name] = { bytes: bytes.length, sha256 };
  }
  const version = hash.digest('base64url').slice(0, 16);
  const precache = INSPECT_FILES.filter((n) => n !== 'sw.js').map((n) => `/inspect/${n}`);
  await bundle('src/inspect/sw.ts', 'sw.js', { __QDYP_VERSION__: JSON.stringify(version), __QDYP_PRECACHE__: JSON.stringify(precache) });
  const sw = fs.readFileSync(path.join(out, 'sw.js'));
  files['sw.js'] = { bytes: sw.length, sha256: createHash('sha256').update(sw).digest('base64url') };
  const info: InspectBuild = { version, files };
  fs.writeFileSync(path.join(out, 'build.json'), `${JSON.stringify(info, null, 2)}\n`);
  if (!quiet) {
    const total = Object.values(files).reduce((sum, f) => sum + f.bytes, 0);
    console.log(`inspector page built (${version}): ${Object.keys(files).length} files, ${(total / 1024).toFixed(0)} KiB before compression`);
  }
}

await main();
