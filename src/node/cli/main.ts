// `qdyp`: the programme office's command line. One line per command in COMMANDS; each
// command group lives in its own file and is loaded only when called.

import { pathToFileURL } from 'node:url';
import { RefusedError } from '../errors.ts';
import { Cli, EXIT, UsageError, type CliIO, type Command, type Globals } from './command.ts';

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  init: { summary: 'create a new registry: root key, first issuing key, key list', load: () => import('./init.ts').then((m) => m.init) },
  holder: { summary: 'brand holders (品牌主体): add, update, show, list', load: () => import('./holder.ts').then((m) => m.holder) },
  licence: { summary: 'licences: issue, update, renew, reseal, suspend, reinstate, revoke, show, list', load: () => import('./licence.ts').then((m) => m.licence) },
  keys: { summary: 'issuing keys: list, rotate, compromise; the contact key for reports', load: () => import('./keys.ts').then((m) => m.keys) },
  import: { summary: 'import a selection batch CSV: holders and licences, in resumable chunks', load: () => import('./import.ts').then((m) => m.importBatch) },
  publish: { summary: 'sign and publish the artifacts the edge serves', load: () => import('./publish.ts').then((m) => m.publish) },
  artwork: { summary: 'print-ready QR artwork (SVG, PNG) or the PDF certificate for a licence', load: () => import('./artwork.ts').then((m) => m.artwork) },
  verify: { summary: 'verify a seal URL, a seal, a photo of a label or a licence document against published artifacts', load: () => import('./verify.ts').then((m) => m.verify) },
  bundle: { summary: 'offline trust bundles: pull a verified copy from a verifier for offline checks', load: () => import('./bundle.ts').then((m) => m.bundle) },
  portal: { summary: 'the holder portal: write the snapshot (no key material) it serves from', load: () => import('./portal.ts').then((m) => m.portal) },
  officer: { summary: 'officers of the authority console: add, list, disable, reset (one-time set-up code)', load: () => import('./officer.ts').then((m) => m.officer) },
  inspector: { summary: 'inspector tokens (市场监管): add, list, revoke (published as revoked-inspectors)', load: () => import('./inspector.ts').then((m) => m.inspector) },
  report: { summary: 'file a report of misuse with an inspector token (as the inspector page does)', load: () => import('./report.ts').then((m) => m.report) },
  reports: { summary: "reports of misuse, the office's side: pull from the edge, list, show, triage", load: () => import('./reports.ts').then((m) => m.reports) },
  serve: { summary: 'serve the verifier on one port (--demo: the demo registry)', load: () => import('./serve.ts').then((m) => m.serve) },
  log: { summary: 'the transparency log: show an entry, search a licence, audit the published log', load: () => import('./log.ts').then((m) => m.log) },
  audit: { summary: 'read the audit trail', load: () => import('./audit.ts').then((m) => m.audit) },
  backup: { summary: 'write the database and the encrypted issuing keys to one file', load: () => import('./backup.ts').then((m) => m.backup) },
  restore: { summary: 'restore a registry from a backup file', load: () => import('./backup.ts').then((m) => m.restore) },
};

const USAGE = `Usage: qdyp [--db FILE] COMMAND [options]

qdyp issues and verifies licences for the 青岛优品 (Qingdao Premium Products) mark.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Every command takes --help, --json (machine output) and --db FILE (default data/qdyp.sqlite,
or QDYP_DB). Exit status: 0 success, 1 refused or not authorized, 2 usage error.
Environment: QDYP_DB, QDYP_NOW (an ISO instant, for drills), QDYP_ACTOR (audit name),
QDYP_ROOT_KEY (root private JWK), QDYP_ROOT_JWK (pinned root public JWK, for verify),
QDYP_BACKUP_PASSPHRASE.
`;

/** Takes --db, --json and --help given before the command. */
function leadingGlobals(argv: string[]): { globals: Globals; rest: string[] } {
  const globals: Globals = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--db') {
      if (i + 1 >= argv.length) throw new UsageError('--db needs a file name');
      globals.db = argv[++i]!;
    } else if (arg.startsWith('--db=')) globals.db = arg.slice(5);
    else if (arg === '--json') globals.json = true;
    else if (arg === '--help' || arg === '-h') globals.help = true;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg} before the command`);
    else break;
  }
  return { globals, rest: argv.slice(i) };
}

/** Runs one qdyp command line and returns its exit status. */
export async function main(argv: string[], io: Partial<CliIO> = {}): Promise<number> {
  const full: CliIO = { stdout: io.stdout ?? process.stdout, stderr: io.stderr ?? process.stderr, env: io.env ?? process.env, cwd: io.cwd ?? process.cwd() };
  const cli = new Cli(full);
  try {
    // Linux hands invalid UTF-8 bytes to Node as U+FFFD: the text is already damaged.
    const damaged = argv.findIndex((arg) => arg.includes('\uFFFD'));
    if (damaged >= 0) throw new UsageError(`argument ${damaged + 1} is not valid UTF-8 text; nothing was changed`);
    const { globals, rest } = leadingGlobals(argv);
    Object.assign(cli.globals, globals);
    const [name, ...args] = rest;
    if (name === undefined) {
      full.stdout.write(USAGE);
      return globals.help ? EXIT.ok : EXIT.usage;
    }
    if (name === 'help') {
      full.stdout.write(USAGE);
      return EXIT.ok;
    }
    const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!entry) throw new UsageError(`unknown command "${name}" (see: qdyp --help)`);
    return await (await entry.load()).run(args, cli, name);
  } catch (error) {
    if (error instanceof UsageError) {
      cli.err(`qdyp: ${error.message}`);
      return EXIT.usage;
    }
    if (error instanceof RefusedError) {
      cli.err(`qdyp: refused: ${error.message}`);
      return EXIT.refused;
    }
    cli.err(`qdyp: unexpected error: ${(error as Error)?.message ?? String(error)}`);
    if (full.env.QDYP_DEBUG) cli.err(String((error as Error)?.stack));
    return EXIT.refused;
  }
}

// `tsx src/node/cli/main.ts …` (npm start) runs it directly; bin/qdyp.js imports and calls main.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
