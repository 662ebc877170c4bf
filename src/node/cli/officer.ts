// qdyp officer add|list|disable|reset: the accounts of the authority console (/console/). An
// officer is given a one-time set-up code here and chooses a password at /console/setup.

import { cstDateTime } from '../../core/index.ts';
import { addOfficer, disableOfficer, officerSummary, OFFICER_ROLES, OFFICER_SETUP_DAYS, resetOfficer, type OfficerSetup, type OfficerSummary } from '../issuer/index.ts';
import { listOfficers } from '../registry/officers.ts';
import { command, EXIT, group, text, wholeNumber, type Cli, type Parsed } from './command.ts';

const SETUP_PATH = '/console/setup';

const STATE_LABEL: Record<OfficerSummary['state'], string> = { active: 'active', disabled: 'disabled', awaiting_setup: 'awaiting set-up' };

function days(parsed: Parsed): { days?: number } {
  const n = wholeNumber(parsed, 'days');
  return n === undefined ? {} : { days: n };
}

/** The set-up code, shown once: on stdout, in --json too. */
function showSetup(cli: Cli, parsed: Parsed, setup: OfficerSetup, now: Date, done: string): void {
  const { officer, setupCode, expiresAt } = setup;
  if (parsed.json) {
    cli.json({ ...officerSummary(officer, now), setupCode, expiresAt, setupPath: SETUP_PATH });
  } else {
    cli.out(`${done} officer ${officer.name} (role ${officer.role}).`);
    cli.out(`One-time set-up code: ${setupCode}`);
    cli.out(`Valid until:          ${expiresAt} (${cstDateTime(expiresAt)} Beijing time)`);
    cli.out(`Sign in at ${SETUP_PATH} with this code to choose a password.`);
  }
  cli.err(`note: the set-up code is shown only now (the registry keeps its hash, never the code); if it is lost: qdyp officer reset ${officer.name}`);
}

const DAYS_HELP = `  --days N         how long the set-up code works: ${OFFICER_SETUP_DAYS.min} to ${OFFICER_SETUP_DAYS.max} days (default ${OFFICER_SETUP_DAYS.default})`;

const add = command({
  summary: 'Add an officer of the authority console, with a one-time set-up code (shown once).',
  usage: `NAME [--role ${OFFICER_ROLES.join('|')}] [--days N]`,
  help: `Options:
  --role ROLE      ${OFFICER_ROLES.join(', ')} (default officer)
${DAYS_HELP}

NAME is the officer's sign-in name (at most 64 characters). The officer opens the console at
${SETUP_PATH}, enters the name and the code (letter case and dashes do not matter) and
chooses a password. The code is shown only now: the registry keeps its hash, never the code.
A lost or expired code is replaced with qdyp officer reset NAME.`,
  options: { role: { type: 'string' }, days: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const options = days(parsed);
    return cli.withRegistry(async (registry) => {
      const ctx = cli.context(registry);
      const setup = await addOfficer(ctx, parsed.positionals[0], text(parsed, 'role'), options);
      showSetup(cli, parsed, setup, ctx.now, 'Added');
      return EXIT.ok;
    });
  },
});

const list = command({
  summary: 'List the officers of the authority console: name, role, state and when added (never a code or password).',
  usage: '',
  help: 'State: active (has a password), awaiting set-up (a set-up code is open, or has expired), or disabled.',
  async run(parsed, cli) {
    return cli.withRegistry(async (registry) => {
      const now = cli.now();
      const officers = listOfficers(registry.db).map((o) => officerSummary(o, now));
      if (parsed.json) cli.json(officers);
      else if (officers.length === 0) cli.out('No officers. Add one with qdyp officer add NAME.');
      else {
        for (const o of officers) {
          const detail =
            o.state === 'disabled'
              ? `  disabled ${o.disabledAt}`
              : o.setupExpiresAt === null
                ? ''
                : o.setupExpired
                  ? `  code expired ${o.setupExpiresAt} (qdyp officer reset)`
                  : `  code until ${o.setupExpiresAt}`;
          cli.out(`${o.name}  ${o.role.padEnd(7)}  ${STATE_LABEL[o.state].padEnd(15)}  created ${o.createdAt}${detail}`);
        }
      }
      return EXIT.ok;
    });
  },
});

const disable = command({
  summary: 'Disable an officer: no more sign-in or set-up. The record stays (the audit trail names it).',
  usage: 'NAME [--reason TEXT]',
  help: `Options:
  --reason TEXT    why, for the audit trail

The officer's console sessions end with their next request. A disabled officer is not deleted
or renamed; someone who comes back is added under a new name.`,
  options: { reason: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    return cli.withRegistry(async (registry) => {
      const ctx = cli.context(registry);
      const officer = await disableOfficer(ctx, parsed.positionals[0], text(parsed, 'reason'));
      if (parsed.json) cli.json(officerSummary(officer, ctx.now));
      else cli.out(`Disabled officer ${officer.name} (role ${officer.role}) at ${officer.disabledAt}.`);
      return EXIT.ok;
    });
  },
});

const reset = command({
  summary: "Reset an officer's sign-in: the password is cleared and a new one-time set-up code is shown.",
  usage: 'NAME [--days N]',
  help: `Options:
${DAYS_HELP}

For a forgotten password or a lost or expired set-up code. The old password and any earlier
code stop working at once, and so do the officer's console sessions; the officer chooses a new
password at ${SETUP_PATH} with the new code.`,
  options: { days: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const options = days(parsed);
    return cli.withRegistry(async (registry) => {
      const ctx = cli.context(registry);
      const setup = await resetOfficer(ctx, parsed.positionals[0], options);
      showSetup(cli, parsed, setup, ctx.now, 'Reset');
      return EXIT.ok;
    });
  },
});

export const officer = group({ summary: 'Officers of the authority console: add, list, disable, reset.', commands: { add, list, disable, reset } });
