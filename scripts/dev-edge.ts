// `npm run dev:edge [-- [EDGE_DIR] [--root FILE] [wrangler dev options…]]`
//
// Runs the Worker locally in workerd (`wrangler dev`) on what a registry has published: loads the
// edge directory (default data/demo/edge, made by `npm start`) into wrangler's LOCAL storage —
// the lists and licence entries into KV, the bundles into R2, the transparency log's tiles and
// checkpoint into KV — and pins the registry's root public key as QDYP_ROOT_JWK. Nothing here
// touches Cloudflare's network.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { getPlatformProxy } from 'wrangler';
import type { KVNamespace } from '@cloudflare/workers-types';
import { edgeFile, kvBulkEntries, listEdgeKeys, readEdgeBytes, readEdgeTextSync } from '../src/node/edge-store.ts';
import { parseRootJwk } from '../src/web/index.ts';

const USAGE = `usage: npm run dev:edge -- [EDGE_DIR] [--root FILE] [wrangler dev options]

EDGE_DIR    published artifacts, as qdyp publish --to local writes them (default: QDYP_EDGE_DIR, else data/demo/edge)
--root FILE the pinned root public key (default: QDYP_ROOT_JWK, else root.public.jwk beside EDGE_DIR)
Other options go to wrangler dev, e.g. --port 8787.`;

function fail(message: string): never {
  console.error(`dev:edge: ${message}`);
  process.exit(2);
}

const args = process.argv.slice(2);
let edgeDir = process.env.QDYP_EDGE_DIR || 'data/demo/edge';
let rootFile: string | undefined;
const forwarded: string[] = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  if (arg === '--help' || arg === '-h') {
    console.log(USAGE);
    process.exit(0);
  } else if (arg === '--root') {
    rootFile = args[++i] ?? fail('--root needs a file');
  } else if (i === 0 && !arg.startsWith('-')) {
    edgeDir = arg;
  } else {
    forwarded.push(arg);
  }
}

edgeDir = resolve(edgeDir);
const keys = listEdgeKeys(edgeDir);
const bundles = keys.filter((key) => key === 'bundle' || key.startsWith('bundle/'));
// The log's keys: tiles (binary) first, the checkpoint last, as a publish writes them.
const log = keys.filter((key) => key.startsWith('log/')).sort((a, b) => Number(a === 'log/checkpoint') - Number(b === 'log/checkpoint'));
const texts = keys.filter((key) => !bundles.includes(key) && !log.includes(key));
if (texts.length === 0) fail(`no published artifacts in ${edgeDir}: run \`npm start\` once (demo) or \`qdyp publish\``);

const rootText = rootFile
  ? readFileSync(rootFile, 'utf8')
  : process.env.QDYP_ROOT_JWK || (existsSync(join(dirname(edgeDir), 'root.public.jwk')) ? readFileSync(join(dirname(edgeDir), 'root.public.jwk'), 'utf8') : '');
const root = parseRootJwk(rootText);
if (!root) fail('no root public key: give --root FILE, set QDYP_ROOT_JWK, or keep root.public.jwk beside the edge directory');

const wrangler = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js');
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };

/** `wrangler kv bulk put` takes up to 10,000 pairs a call. */
const BULK_PAIRS = 10_000;
const wranglerRun = (args: string[], what: string) => {
  const run = spawnSync(process.execPath, [wrangler, ...args], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (run.status !== 0) fail(`${what} failed`);
};

// wrangler 4 writes to local storage unless told --remote; --local says so anyway. Entries go
// first and the lists last, as a publish writes them.
const lists = texts.filter((key) => !key.startsWith('licence/'));
const ordered = [...texts.filter((key) => key.startsWith('licence/')), ...lists];
const scratch = mkdtempSync(join(tmpdir(), 'qdyp-dev-edge-'));
try {
  for (let i = 0; i < ordered.length; i += BULK_PAIRS) {
    const bulk = join(scratch, `artifacts-${i}.json`);
    writeFileSync(bulk, JSON.stringify(kvBulkEntries(ordered.slice(i, i + BULK_PAIRS).map((key) => [key, readEdgeTextSync(edgeDir, key)!]))));
    wranglerRun(['kv', 'bulk', 'put', '--local', '--binding', 'QDYP_KV', bulk], 'wrangler kv bulk put');
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
// wrangler 4's `kv bulk put --local` turns a base64 value into a UTF-8 string, which mangles a
// tile's bytes: the log goes through Miniflare's own KV binding instead, in one process, into
// the same local storage wrangler dev reads (.wrangler/state/v3).
if (log.length > 0) {
  const proxy = await getPlatformProxy<{ QDYP_KV: KVNamespace }>({ persist: { path: '.wrangler/state/v3' } });
  try {
    for (const key of log) await proxy.env.QDYP_KV.put(key, (await readEdgeBytes(edgeDir, key))!);
  } finally {
    await proxy.dispose();
  }
}
for (const key of bundles) {
  wranglerRun(['r2', 'object', 'put', `qdyp-bundles/${key}`, '--local', '--file', edgeFile(edgeDir, key)!, '--content-type', 'application/gzip'], `wrangler r2 object put ${key}`);
}
console.error(
  `dev:edge: loaded ${lists.join(', ')}, ${texts.length - lists.length} licence entries and ${log.length} log files into local KV, ${bundles.length ? bundles.join(', ') : 'no bundles'} into local R2, from ${edgeDir}`,
);

const dev = spawn(process.execPath, [wrangler, 'dev', '--var', `QDYP_ROOT_JWK:${JSON.stringify(root)}`, ...forwarded], { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code) => process.exit(code ?? 1));
