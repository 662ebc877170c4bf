// qdyp serve: the verifier (and, as they are built, the holder portal and authority console)
// on one port, bound to loopback unless --host says otherwise. With --demo it runs on the demo
// registry in data/demo/, created and seeded on first run, and prints what to open.

import fs from 'node:fs';
import path from 'node:path';
import { MESSAGES } from '../../core/index.ts';
import { parseVerifierConfig } from '../../web/config.ts';
import { demoLicences, openDemoRegistry } from '../demo.ts';
import { openRegistry, registryPaths } from '../registry/db.ts';
import { readConfig } from '../registry/config.ts';
import { startServer, type RunningServer } from '../server.ts';
import { command, flag, text, UsageError, type Cli } from './command.ts';
import { keyListFloor, readPinnedRoot } from './verify.ts';

const BUILT_APPS = ['verifier'] as const;
const PLANNED_APPS = ['portal', 'console'];

function chosenApps(value: string | undefined): string[] {
  if (value === undefined) return [...BUILT_APPS];
  const apps = value.split(',').map((a) => a.trim()).filter(Boolean);
  for (const app of apps) {
    if (PLANNED_APPS.includes(app)) throw new UsageError(`the ${app} is not built yet; available: ${BUILT_APPS.join(', ')}`);
    if (!(BUILT_APPS as readonly string[]).includes(app)) throw new UsageError(`unknown app "${app}"; available: ${BUILT_APPS.join(', ')}`);
  }
  if (apps.length === 0) throw new UsageError('--apps names no app');
  return apps;
}

function port(cli: Cli): number {
  const raw = cli.io.env.PORT ?? '8080';
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) throw new UsageError('PORT must be a port number (0-65535)');
  return Number(raw);
}

/** QDYP_VERIFY_ORIGIN, judged as the Worker judges it, but refused here rather than ignored. */
function originFromEnv(cli: Cli): string | null {
  const { verifyOrigin, problems } = parseVerifierConfig({ verifyOrigin: cli.io.env.QDYP_VERIFY_ORIGIN });
  if (problems[0]) throw new UsageError(problems[0]);
  return verifyOrigin;
}

/** The host people type: a wildcard bind is reached through loopback on this machine. */
function browsable(server: RunningServer): string {
  return ['0.0.0.0', '::'].includes(server.host) ? `http://localhost:${server.port}` : server.url;
}

/** A genuine seal with its last signature character changed: what a forger's copy looks like. */
function forge(seal: string): string {
  return seal.slice(0, -1) + (seal.endsWith('A') ? 'B' : 'A');
}

function waitForSignal(server: RunningServer): Promise<number> {
  return new Promise((resolve) => {
    const stop = () => void server.close().finally(() => resolve(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export const serve = command({
  summary: 'serve the verifier (portal and console when built) on one port',
  usage: '[--apps verifier] [--host H] [--demo] [--root FILE]',
  help: `Options:
  --apps LIST   which apps to serve (built so far: ${BUILT_APPS.join(', ')})
  --host H      address to bind (default 127.0.0.1: this machine only)
  --demo        run on the demo registry in data/demo/ (created and seeded on first run)
  --root FILE   the pinned root public key (else QDYP_ROOT_JWK, else the registry's root.public.jwk)

The port comes from PORT (default 8080). Artifacts are read from QDYP_EDGE_DIR, else the
registry's edge/ directory: the verifier never reads the database and holds no private key.
The verifier keeps the newest lists it has accepted in its own directory, QDYP_VERIFIER_DIR
(default: verifier/ beside the registry database; data/demo/verifier/ with --demo), so a
restart never goes back to an older status list copied into the edge directory.
QDYP_MIN_KEY_LIST_VERSION refuses key lists older than that version (raise it after each
keys rotate or keys compromise).`,
  options: { apps: { type: 'string' }, host: { type: 'string' }, demo: { type: 'boolean' }, root: { type: 'string' } },
  async run(parsed, cli) {
    const apps = chosenApps(text(parsed, 'apps'));
    const host = text(parsed, 'host') ?? '127.0.0.1';
    const now = cli.now();
    let edgeDir: string;
    let dataDir: string;
    let verifyOrigin = originFromEnv(cli);
    let demo: { created: boolean; dbPath: string; licences: ReturnType<typeof demoLicences> } | null = null;

    if (flag(parsed, 'demo')) {
      const { registry, created } = await openDemoRegistry(cli.io.cwd, now);
      try {
        demo = { created, dbPath: registry.dbPath, licences: demoLicences(registry, now) };
        cli.globals.db = registry.dbPath;
        // The demo's pages name the site it really runs on, whatever PORT is.
        const listening = port(cli);
        verifyOrigin ??= listening === 0 ? readConfig(registry.db).origin : `http://127.0.0.1:${listening}`;
        edgeDir = registry.edgeDir;
        dataDir = path.join(path.dirname(registry.dbPath), 'verifier');
      } finally {
        registry.close();
      }
    } else {
      const paths = registryPaths(cli.dbPath());
      edgeDir = cli.io.env.QDYP_EDGE_DIR ? cli.resolve(cli.io.env.QDYP_EDGE_DIR) : paths.edgeDir;
      if (!fs.existsSync(edgeDir)) throw new UsageError(`no published artifacts at ${edgeDir}: set QDYP_EDGE_DIR or run qdyp publish`);
      dataDir = cli.io.env.QDYP_VERIFIER_DIR ? cli.resolve(cli.io.env.QDYP_VERIFIER_DIR) : path.join(paths.dir, 'verifier');
      if (verifyOrigin === null && fs.existsSync(paths.dbPath)) {
        const registry = openRegistry(paths.dbPath, { readonly: true });
        try {
          verifyOrigin = readConfig(registry.db).origin;
        } finally {
          registry.close();
        }
      }
    }

    const server = await startServer({
      port: port(cli),
      host,
      edgeDir,
      dataDir,
      rootJwk: readPinnedRoot(cli, text(parsed, 'root')),
      verifyOrigin,
      minKeyListVersion: keyListFloor(cli.io.env.QDYP_MIN_KEY_LIST_VERSION),
      log: (line) => cli.err(line),
    });
    const base = browsable(server);
    cli.out(`qdyp: serving ${apps.join(', ')} at ${base}/ (bound to ${server.host}:${server.port})`);
    cli.out(`  health:   ${base}/healthz`);
    cli.out(`  API:      ${base}/api/v1/verify?seal=SEAL`);
    if (demo) {
      cli.out(`  demo registry: ${path.relative(cli.io.cwd, demo.dbPath)} (${demo.created ? 'created and seeded now' : 'reused'}; published afresh)`);
      cli.out('  scan pages, one per state (append ?lang=en for English):');
      for (const { state, licence } of demo.licences) {
        const title = MESSAGES['zh-CN'].outcomes[state].title;
        cli.out(`    ${state.padEnd(14)} ${title.padEnd(5, '　')} ${licence.number}  ${base}/V/${licence.seal}`);
      }
      const genuine = demo.licences[0]?.licence.seal;
      if (genuine) cli.out(`    ${'forged'.padEnd(14)} 无法验证  (one character changed)  ${base}/V/${forge(genuine)}`);
      cli.out('  holder portal and authority console: not built yet, so no sign-ins to print.');
      cli.out('  office CLI on this registry: npx qdyp --db data/demo/qdyp.sqlite --help');
    }
    cli.out('Press Ctrl+C to stop.');
    return waitForSignal(server);
  },
});
