// `npm test` step: fails when worker-configuration.d.ts (the Worker's Env) is not exactly what
// `npm run types` makes from wrangler.toml now: a binding added or renamed, or the file edited
// by hand. `wrangler types --check` is not enough: it compares only a hash in the header, and its
// hint, plain `wrangler types`, would regenerate with other options than ours.
//
// Runs the "types" script's own command in a scratch directory that links every file of the
// project except the generated one, then compares the two byte for byte.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const FILE = 'worker-configuration.d.ts';
const root = resolve(import.meta.dirname, '..');
const fail = (message: string): never => {
  console.error(`check-worker-types: ${message}`);
  process.exit(1);
};

const command = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.types;
const [program, ...args] = command?.split(/\s+/) ?? [];
if (program !== 'wrangler') fail(`the "types" script should run wrangler types, not ${JSON.stringify(command)}`);
if (!existsSync(join(root, FILE))) fail(`there is no ${FILE}: run \`npm run types\` and commit it`);

/** Null when the committed file is what the "types" script makes now, else what is wrong. */
function problem(): string | null {
  const scratch = mkdtempSync(join(tmpdir(), 'qdyp-worker-types-'));
  try {
    for (const name of readdirSync(root)) {
      if (![FILE, '.git', '.wrangler'].includes(name)) symlinkSync(join(root, name), join(scratch, name));
    }
    const wrangler = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js');
    const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
    const run = spawnSync(process.execPath, [wrangler, ...args], { cwd: scratch, encoding: 'utf8', env });
    if (run.status !== 0) return `\`npm run types\` failed:\n${run.stdout}${run.stderr}`;
    if (readFileSync(join(scratch, FILE), 'utf8') === readFileSync(join(root, FILE), 'utf8')) return null;
    return `${FILE} is out of date with wrangler.toml (or was edited by hand): run \`npm run types\` and commit the result`;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const found = problem();
if (found) fail(found);
