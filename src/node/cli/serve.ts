// qdyp serve: the verifier, the holder portal and the authority console on one port, bound to
// loopback unless --host says otherwise. With --demo it runs on the demo registry in data/demo/,
// created and seeded on first run, and prints what to open. When the console and the verifier
// run together, each publication the console makes refreshes the verifier's cache at once.

import fs from 'node:fs';
import path from 'node:path';
import { MESSAGES } from '../../core/index.ts';
import { parseVerifierConfig } from '../../web/config.ts';
import { CONSOLE_PATH, createConsoleApp, type ConsoleApp } from '../console/index.ts';
import { demoLicences, openDemoRegistry, prepareDemoConsole, prepareDemoPortal, type DemoConsole, type DemoPortal, type DemoReportLoop } from '../demo.ts';
import { createPortalApp, PORTAL_PATH, type PortalApp } from '../portal/index.ts';
import { openRegistry, registryPaths } from '../registry/db.ts';
import { readConfig } from '../registry/config.ts';
import { startAppsServer, startServer, type RunningServer } from '../server.ts';
import { command, flag, text, UsageError, type Cli } from './command.ts';
import { keyListFloor, readPinnedRoot } from './verify.ts';

const BUILT_APPS = ['verifier', 'portal', 'console'] as const;

function chosenApps(value: string | undefined, demo: boolean): string[] {
  // The portal needs its snapshot, and in production runs on a host of its own: asked for by name.
  if (value === undefined) return demo ? [...BUILT_APPS] : ['verifier'];
  const apps = value.split(',').map((a) => a.trim()).filter(Boolean);
  for (const app of apps) {
    if (!(BUILT_APPS as readonly string[]).includes(app)) throw new UsageError(`unknown app "${app}"; available: ${BUILT_APPS.join(', ')}`);
  }
  if (apps.length === 0) throw new UsageError('--apps names no app');
  // The console on the same origin as public pages would let a script on any of them act as a
  // signed-in officer (same-origin requests pass every CSRF check): only the local demo does it.
  if (!demo && apps.includes('console') && apps.length > 1) {
    throw new UsageError('the console runs as a server of its own on the office machine (qdyp serve --apps console): it never shares an origin with the verifier or the portal, whose pages are public');
  }
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

/** QDYP_REPORT_KEY_JWK, judged as the Worker judges it (a private key is refused), but refused here rather than ignored. */
function reportKeyFromEnv(cli: Cli) {
  const { contactKey, problems } = parseVerifierConfig({ reportKeyJwk: cli.io.env.QDYP_REPORT_KEY_JWK });
  if (problems[0]) throw new UsageError(problems[0]);
  return contactKey;
}

/** The host people type: a wildcard bind is reached through loopback on this machine. */
function browsable(server: RunningServer): string {
  return ['0.0.0.0', '::'].includes(server.host) ? `http://localhost:${server.port}` : server.url;
}

/** A genuine seal with its last signature character changed: what a forger's copy looks like. */
function forge(seal: string): string {
  return seal.slice(0, -1) + (seal.endsWith('A') ? 'B' : 'A');
}

/** QDYP_PORTAL_ORIGIN: where browsers reach the portal, when a proxy in front changes it. */
function portalOriginFromEnv(cli: Cli): string | undefined {
  const raw = cli.io.env.QDYP_PORTAL_ORIGIN;
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError('QDYP_PORTAL_ORIGIN must be an origin such as https://portal.example.cn');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== raw.replace(/\/+$/, '')) {
    throw new UsageError('QDYP_PORTAL_ORIGIN must be an origin such as https://portal.example.cn (scheme, host and port only)');
  }
  return url.origin;
}

function trustedProxiesFromEnv(cli: Cli): string[] {
  return (cli.io.env.QDYP_TRUSTED_PROXIES ?? '').split(',').map((p) => p.trim()).filter(Boolean);
}

function startPortal(cli: Cli, snapshotFile: string, dataDir: string): PortalApp {
  if (!fs.existsSync(snapshotFile)) {
    throw new UsageError(`no portal snapshot at ${snapshotFile}: write one on the office machine with qdyp portal snapshot --out FILE, copy it here, and set QDYP_PORTAL_SNAPSHOT`);
  }
  const origin = portalOriginFromEnv(cli);
  try {
    return createPortalApp({
      snapshotFile,
      dataDir,
      clock: () => cli.now(),
      log: (line) => cli.err(`qdyp portal: ${line}`),
      trustedProxies: trustedProxiesFromEnv(cli),
      secureCookies: origin?.startsWith('https:') ?? false,
      origin,
    });
  } catch (error) {
    throw new UsageError(`the portal cannot start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A comma-separated list from the environment. */
function listFromEnv(cli: Cli, name: string): string[] {
  return (cli.io.env[name] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
}

/** QDYP_CONSOLE_ORIGIN: where officers' browsers reach the console, when a proxy in front changes it. */
function consoleOriginFromEnv(cli: Cli): string | undefined {
  const raw = cli.io.env.QDYP_CONSOLE_ORIGIN;
  if (raw === undefined || raw === '') return undefined;
  let url: URL | null = null;
  try {
    url = new URL(raw);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== raw.replace(/\/+$/, '')) {
    throw new UsageError('QDYP_CONSOLE_ORIGIN must be an origin such as https://console.office.example (scheme, host and port only)');
  }
  return url.origin;
}

function startConsole(cli: Cli, dbPath: string, dataDir: string, verifyOrigin: string | null, refresh: () => void): ConsoleApp {
  if (!fs.existsSync(dbPath)) throw new UsageError(`no registry at ${dbPath}: the console runs on the office machine that holds the registry (--db FILE, or qdyp init)`);
  const origin = consoleOriginFromEnv(cli);
  const allow = listFromEnv(cli, 'QDYP_CONSOLE_ALLOW');
  if (allow.length > 0 && !origin?.startsWith('https:')) {
    cli.err('warning: QDYP_CONSOLE_ALLOW opens the console to other machines over plain http: officers\' session cookies cross the office network unencrypted. Put it behind https and set QDYP_CONSOLE_ORIGIN=https://…');
  }
  try {
    return createConsoleApp({
      dbPath,
      dataDir,
      clock: () => cli.now(),
      log: (line) => cli.err(`qdyp console: ${line}`),
      allow,
      hosts: listFromEnv(cli, 'QDYP_CONSOLE_HOSTS'),
      secureCookies: origin?.startsWith('https:') ?? false,
      origin,
      verifyOrigin,
      onPublished: refresh,
    });
  } catch (error) {
    throw new UsageError(`the console cannot start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function waitForSignal(server: RunningServer, portal: PortalApp | null, office: ConsoleApp | null): Promise<number> {
  return new Promise((resolve) => {
    const stop = () =>
      void server
        .close()
        .finally(() => portal?.close())
        // Publishes what is waiting before the registry closes.
        .finally(() => office?.close())
        .finally(() => resolve(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export const serve = command({
  summary: 'serve the verifier, the holder portal and the authority console on one port',
  usage: '[--apps verifier,portal,console] [--host H] [--demo] [--root FILE]',
  help: `Options:
  --apps LIST   which apps to serve, comma-separated (built so far: ${BUILT_APPS.join(', ')};
                default: verifier, or every built app with --demo)
  --host H      address to bind (default 127.0.0.1: this machine only)
  --demo        run on the demo registry in data/demo/ (created and seeded on first run)
  --root FILE   the pinned root public key (else QDYP_ROOT_JWK, else the registry's root.public.jwk)

The port comes from PORT (default 8080). Artifacts are read from QDYP_EDGE_DIR, else the
registry's edge/ directory: the verifier never reads the database and holds no private key.
The verifier keeps the newest lists it has accepted in its own directory, QDYP_VERIFIER_DIR
(default: verifier/ beside the registry database; data/demo/verifier/ with --demo), so a
restart never goes back to an older status list copied into the edge directory.
QDYP_MIN_KEY_LIST_VERSION refuses key lists older than that version (raise it after each
keys rotate or keys compromise).
QDYP_REPORT_KEY_JWK is the office's X25519 public JWK that contacts on the shopper's report
form (/report) are encrypted to; unset, the form takes no contact (with --demo: the demo
registry's own contact key, and a demo inspector token in data/demo/inspector-demo.jwt). The form's rate limit counts
each client address in memory only (behind a proxy, see QDYP_TRUSTED_PROXIES below).

The holder portal (--apps portal) is served under ${PORTAL_PATH}/. It needs no registry and no key:
it reads the portal snapshot QDYP_PORTAL_SNAPSHOT (default: portal-snapshot.sqlite beside the
registry database; written by qdyp portal snapshot on the office machine and copied here), and
keeps its accounts, sessions and throttles in its own directory QDYP_PORTAL_DIR (default:
portal/ beside the registry database). Behind a reverse proxy, set QDYP_PORTAL_ORIGIN to the
origin browsers use (https: marks cookies Secure) and QDYP_TRUSTED_PROXIES to the proxies'
addresses or networks (comma-separated), whose X-Forwarded-For is then believed.
With --demo: data/demo/portal-snapshot.sqlite (written afresh) and data/demo/portal/, with
demo holder accounts whose sign-ins are printed.

The authority console (--apps console) is served under ${CONSOLE_PATH}/ on the office machine: it
opens the registry (--db) read-write and publishes to its edge/ directory after every change.
It answers only loopback clients, judged by the socket's address (never X-Forwarded-For),
unless QDYP_CONSOLE_ALLOW lists more addresses or networks (comma-separated), and only requests
whose Host is a loopback name or on QDYP_CONSOLE_HOSTS (host[:port], comma-separated). Its
sessions and uploads live in QDYP_CONSOLE_DIR (default: console/ beside the registry). Officers
are made with qdyp officer add NAME (a one-time set-up code). Behind a reverse proxy, set
QDYP_CONSOLE_ORIGIN to the origin browsers use (https: marks cookies Secure).
With --demo: demo officers whose sign-ins are printed.`,
  options: { apps: { type: 'string' }, host: { type: 'string' }, demo: { type: 'boolean' }, root: { type: 'string' } },
  async run(parsed, cli) {
    const apps = chosenApps(text(parsed, 'apps'), flag(parsed, 'demo'));
    const host = text(parsed, 'host') ?? '127.0.0.1';
    const now = cli.now();
    let edgeDir: string;
    let dataDir: string;
    let verifyOrigin = originFromEnv(cli);
    /** The origin printed in the registry's QR codes, where the registry is at hand. */
    let printedOrigin: string | null = null;
    let demo: { created: boolean; dbPath: string; licences: ReturnType<typeof demoLicences>; portal: DemoPortal | null; console: DemoConsole | null; reportLoop: DemoReportLoop } | null = null;
    let consoleFiles: { dbPath: string; dataDir: string } | null = null;
    let portalFiles: { snapshotFile: string; dataDir: string } | null = null;

    if (flag(parsed, 'demo')) {
      const { registry, created, reportLoop } = await openDemoRegistry(cli.io.cwd, now);
      try {
        const portal = apps.includes('portal') ? await prepareDemoPortal(registry, now) : null;
        const demoConsole = apps.includes('console') ? await prepareDemoConsole(registry, now) : null;
        demo = { created, dbPath: registry.dbPath, licences: demoLicences(registry, now), portal, console: demoConsole, reportLoop };
        portalFiles = portal;
        if (demoConsole) consoleFiles = { dbPath: registry.dbPath, dataDir: demoConsole.dataDir };
        cli.globals.db = registry.dbPath;
        // The demo's pages name the site it really runs on, whatever PORT is.
        const listening = port(cli);
        printedOrigin = readConfig(registry.db).origin;
        verifyOrigin ??= listening === 0 ? printedOrigin : `http://127.0.0.1:${listening}`;
        edgeDir = registry.edgeDir;
        dataDir = path.join(path.dirname(registry.dbPath), 'verifier');
      } finally {
        registry.close();
      }
    } else {
      const paths = registryPaths(cli.dbPath());
      edgeDir = cli.io.env.QDYP_EDGE_DIR ? cli.resolve(cli.io.env.QDYP_EDGE_DIR) : paths.edgeDir;
      if (apps.includes('verifier') && !fs.existsSync(edgeDir)) throw new UsageError(`no published artifacts at ${edgeDir}: set QDYP_EDGE_DIR or run qdyp publish`);
      dataDir = cli.io.env.QDYP_VERIFIER_DIR ? cli.resolve(cli.io.env.QDYP_VERIFIER_DIR) : path.join(paths.dir, 'verifier');
      if (apps.includes('portal')) {
        portalFiles = {
          snapshotFile: cli.io.env.QDYP_PORTAL_SNAPSHOT ? cli.resolve(cli.io.env.QDYP_PORTAL_SNAPSHOT) : path.join(paths.dir, 'portal-snapshot.sqlite'),
          dataDir: cli.io.env.QDYP_PORTAL_DIR ? cli.resolve(cli.io.env.QDYP_PORTAL_DIR) : path.join(paths.dir, 'portal'),
        };
      }
      if (apps.includes('console')) {
        consoleFiles = { dbPath: paths.dbPath, dataDir: cli.io.env.QDYP_CONSOLE_DIR ? cli.resolve(cli.io.env.QDYP_CONSOLE_DIR) : path.join(paths.dir, 'console') };
      }
      if (apps.includes('verifier') && fs.existsSync(paths.dbPath)) {
        const registry = openRegistry(paths.dbPath, { readonly: true });
        try {
          printedOrigin = readConfig(registry.db).origin;
          verifyOrigin ??= printedOrigin;
        } finally {
          registry.close();
        }
      }
    }

    const portal = portalFiles ? startPortal(cli, portalFiles.snapshotFile, portalFiles.dataDir) : null;
    // The verifier exists only once the server does: the console's publications reach it through this.
    let refreshVerifier = () => {};
    let officeConsole: ConsoleApp | null = null;
    try {
      officeConsole = consoleFiles ? startConsole(cli, consoleFiles.dbPath, consoleFiles.dataDir, verifyOrigin, () => refreshVerifier()) : null;
    } catch (error) {
      portal?.close();
      throw error;
    }
    const mounts = [...(portal ? [{ path: '/', app: portal.app }] : []), ...(officeConsole ? [{ path: '/', app: officeConsole.app }] : [])];
    let server: RunningServer;
    try {
      server = apps.includes('verifier')
        ? await startServer({
            port: port(cli),
            host,
            edgeDir,
            dataDir,
            rootJwk: readPinnedRoot(cli, text(parsed, 'root')),
            verifyOrigin,
            sealOrigins: printedOrigin ? [printedOrigin] : [],
            mounts,
            minKeyListVersion: keyListFloor(cli.io.env.QDYP_MIN_KEY_LIST_VERSION),
            // The demo's own contact key, unless QDYP_REPORT_KEY_JWK names another.
            contactKey: reportKeyFromEnv(cli) ?? demo?.reportLoop.contactKey ?? null,
            trustedProxies: trustedProxiesFromEnv(cli),
            log: (line) => cli.err(line),
          })
        : await startAppsServer({ port: port(cli), host, mounts });
    } catch (error) {
      portal?.close();
      await officeConsole?.close();
      throw error;
    }
    refreshVerifier = () => server.refresh();
    const base = browsable(server);
    const where = apps.map((app) => `${app} at ${base}${app === 'portal' ? `${PORTAL_PATH}/` : app === 'console' ? `${CONSOLE_PATH}/` : '/'}`).join(', ');
    cli.out(`qdyp: serving ${where} (bound to ${server.host}:${server.port})`);
    if (apps.includes('verifier')) {
      cli.out(`  health:   ${base}/healthz`);
      cli.out(`  inspector: ${base}/inspect  (现场查验; works offline after the first visit)`);
      cli.out(`  API:      ${base}/api/v1/verify?seal=SEAL`);
      // The log is named after the origin the seals print, which the demo does not serve on.
      const named = printedOrigin && new URL(printedOrigin).host.toLowerCase() !== new URL(base).host ? ` --origin ${printedOrigin.toLowerCase()}` : '';
      const db = demo ? `--db ${path.relative(cli.io.cwd, demo.dbPath)} ` : '';
      cli.out(`  public log: ${base}/log  (公开日志: every licence event; audit it: npx qdyp ${db}log verify --from ${base}${named})`);
    }
    if (demo) {
      cli.out(`  demo registry: ${path.relative(cli.io.cwd, demo.dbPath)} (${demo.created ? 'created and seeded now' : 'reused'}; published afresh)`);
      if (!apps.includes('verifier')) cli.out('  scan pages are served by the verifier (add it to --apps).');
      else cli.out('  scan pages, one per state (append ?lang=en for English):');
      for (const { state, licence } of apps.includes('verifier') ? demo.licences : []) {
        const title = MESSAGES['zh-CN'].outcomes[state].title;
        cli.out(`    ${state.padEnd(14)} ${title.padEnd(5, '　')} ${licence.number}  ${base}/V/${licence.seal}`);
      }
      const genuine = demo.licences[0]?.licence.seal;
      if (genuine && apps.includes('verifier')) cli.out(`    ${'forged'.padEnd(14)} 无法验证  (one character changed)  ${base}/V/${forge(genuine)}`);
      if (demo.portal) {
        cli.out(`  holder portal (品牌主体门户): ${base}${PORTAL_PATH}/  (append ?lang=en for English)`);
        cli.out('  demo holder sign-ins (统一社会信用代码 USCC / user / password):');
        for (const s of demo.portal.signIns) cli.out(`    ${s.uscc}  ${s.user}  ${s.password}   ${s.holderName}`);
      }
      if (apps.includes('verifier')) {
        const tokenFile = path.relative(cli.io.cwd, demo.reportLoop.tokenFile);
        const tokenPng = path.relative(cli.io.cwd, demo.reportLoop.tokenPng);
        const db = path.relative(cli.io.cwd, demo.dbPath);
        cli.out(`  report form (举报): ${base}/report   · inspector page: ${base}/inspect (import the token file ${tokenFile} or scan ${tokenPng})`);
        cli.out(`  office: npx qdyp --db ${db} reports pull --from ${base}   then   reports list`);
      }
      if (demo.console) {
        cli.out(`  authority console (管理控制台): ${base}${CONSOLE_PATH}/  (this machine only)`);
        cli.out('  demo officer sign-ins (姓名 name / role / password):');
        for (const s of demo.console.signIns) cli.out(`    ${s.name}  ${s.role.padEnd(8)}  ${s.password}`);
        cli.out(`  a selection batch to try the import page with: ${path.relative(cli.io.cwd, demo.console.sampleCsv)}`);
      }
      cli.out('  office CLI on this registry: npx qdyp --db data/demo/qdyp.sqlite --help');
    }
    cli.out('Press Ctrl+C to stop.');
    return waitForSignal(server, portal, officeConsole);
  },
});
