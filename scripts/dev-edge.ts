// `npm run dev:edge [-- [EDGE_DIR] [--root FILE] [wrangler dev options…]]`
//
// Runs the Worker locally in workerd (`wrangler dev`) on what a registry has published: loads the
// edge directory (default data/demo/edge, made by `npm start`) into wrangler's LOCAL KV, and pins
// the registry's root public key as QDYP_ROOT_JWK. Nothing here touches Cloudflare's network.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { kvBulkEntries, readEdge } from '../src/node/edge-store.ts';
import { parseRootJwk } from '../src/web/index.ts';

const USAGE = `usage: npm run dev:edge -- [EDGE_DIR] [--root FILE] [wrangler dev options]

EDGE_DIR    published artifacts, one file per name (default: QDYP_EDGE_DIR, else data/demo/edge)
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
const entries = kvBulkEntries(readEdge(edgeDir));
if (entries.length === 0) fail(`no published artifacts in ${edgeDir}: run \`npm start\` once (demo) or \`qdyp publish\``);

const rootText = rootFile
  ? readFileSync(rootFile, 'utf8')
  : process.env.QDYP_ROOT_JWK || (existsSync(join(dirname(edgeDir), 'root.public.jwk')) ? readFileSync(join(dirname(edgeDir), 'root.public.jwk'), 'utf8') : '');
const root = parseRootJwk(rootText);
if (!root) fail('no root public key: give --root FILE, set QDYP_ROOT_JWK, or keep root.public.jwk beside the edge directory');

const wrangler = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js');
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };

// wrangler 4 writes to local storage unless told --remote; --local says so anyway.
const scratch = mkdtempSync(join(tmpdir(), 'qdyp-dev-edge-'));
try {
  const bulk = join(scratch, 'artifacts.json');
  writeFileSync(bulk, JSON.stringify(entries));
  const put = spawnSync(process.execPath, [wrangler, 'kv', 'bulk', 'put', '--local', '--binding', 'QDYP_KV', bulk], { stdio: 'inherit', env });
  if (put.status !== 0) fail('wrangler kv bulk put failed');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.error(`dev:edge: loaded ${entries.map((entry) => entry.key).join(', ')} from ${edgeDir} into local KV`);

const dev = spawn(process.execPath, [wrangler, 'dev', '--var', `QDYP_ROOT_JWK:${JSON.stringify(root)}`, ...forwarded], { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code) => process.exit(code ?? 1));
