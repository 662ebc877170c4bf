// qdyp holder add|update|show|list|invite: brand holders (品牌主体).

import fs from 'node:fs';
import path from 'node:path';
import { RefusedError } from '../errors.ts';
import { writeFileAtomic } from '../files.ts';
import { addHolder, checkUscc, INVITATION_DAYS, invitationLetter, inviteHolderUser, licenceSealUrl, updateHolder, type HolderChanges } from '../issuer/index.ts';
import { readConfig } from '../registry/config.ts';
import { getHolder, listHolders } from '../registry/holders.ts';
import { listLicences } from '../registry/licences.ts';
import { command, EXIT, group, required, text, UsageError, wholeNumber } from './command.ts';
import { fields, holderLines, licenceJson, regionLabel } from './format.ts';

const add = command({
  summary: 'Register a brand holder, identified by its 统一社会信用代码 (USCC).',
  usage: '--uscc CODE --name NAME [--address TEXT] [--region CODE]',
  help: `Options:
  --uscc CODE      统一社会信用代码: 18 characters, check character per GB 32100-2015
  --name NAME      the holder's registered name, exactly as on its licence
  --address TEXT   registered address (shown on the certificate)
  --region CODE    GB/T 2260 code: 370200 Qingdao, 370202 市南区, 370203 市北区, 370211 黄岛区,
                   370212 崂山区, 370213 李沧区, 370214 城阳区, 370215 即墨区, 370281 胶州市,
                   370283 平度市, 370285 莱西市`,
  options: { uscc: { type: 'string' }, name: { type: 'string' }, address: { type: 'string' }, region: { type: 'string' } },
  async run(parsed, cli) {
    return cli.withRegistry(async (registry) => {
      const ctx = cli.context(registry);
      const holder = await addHolder(ctx, {
        uscc: required(parsed, 'uscc'),
        name: required(parsed, 'name'),
        address: text(parsed, 'address'),
        region: text(parsed, 'region'),
      });
      if (parsed.json) cli.json(holder);
      else cli.out(`Registered holder ${holder.uscc}: ${holder.name}`);
      return cli.publishAfterChange(registry, ctx.now);
    });
  },
});

const update = command({
  summary: "Change a holder's name, address or region. A new name re-signs the holder's licence documents (their seals stay).",
  usage: 'USCC [--name NAME] [--address TEXT] [--region CODE] [--reason TEXT]',
  help: `Options:
  --name NAME      new registered name
  --address TEXT   new address ("" clears it)
  --region CODE    new GB/T 2260 region code ("" clears it)
  --reason TEXT    why, for the audit trail`,
  options: { name: { type: 'string' }, address: { type: 'string' }, region: { type: 'string' }, reason: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const changes: HolderChanges = {};
    if (text(parsed, 'name') !== undefined) changes.name = text(parsed, 'name');
    if (text(parsed, 'address') !== undefined) changes.address = text(parsed, 'address');
    if (text(parsed, 'region') !== undefined) changes.region = text(parsed, 'region');
    if (Object.keys(changes).length === 0) throw new UsageError('nothing to update: give --name, --address or --region');
    return cli.withRegistry(async (registry) => {
      const ctx = cli.context(registry);
      const holder = await updateHolder(ctx, parsed.positionals[0]!, changes, text(parsed, 'reason'));
      if (parsed.json) cli.json(holder);
      else cli.out(`Updated holder ${holder.uscc}: ${holder.name}`);
      return cli.publishAfterChange(registry, ctx.now);
    });
  },
});

const show = command({
  summary: 'Show a holder and its licences.',
  usage: 'USCC',
  help: '',
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    return cli.withRegistry(async (registry) => {
      const uscc = checkUscc(parsed.positionals[0]);
      const holder = getHolder(registry.db, uscc);
      if (!holder) throw new RefusedError('unknown_holder', `no holder ${uscc} in the registry`);
      const licences = listLicences(registry.db, { holder: uscc });
      if (parsed.json) {
        cli.json({ ...holder, licences: licences.map((l) => licenceJson(l, licenceSealUrl(registry, l))) });
        return EXIT.ok;
      }
      cli.out(fields(holderLines(holder)));
      cli.out(licences.length ? '\nLicences:' : '\nNo licences.');
      for (const l of licences) cli.out(`  ${l.number}  ${l.status.padEnd(9)}  ${l.validFrom} to ${l.validUntil}  ${l.products.join(', ')}`);
      return EXIT.ok;
    });
  },
});

const list = command({
  summary: 'List holders.',
  usage: '[--region CODE]',
  help: 'Options:\n  --region CODE   only holders in this GB/T 2260 region',
  options: { region: { type: 'string' } },
  async run(parsed, cli) {
    return cli.withRegistry(async (registry) => {
      const region = text(parsed, 'region');
      const holders = listHolders(registry.db, region === undefined ? {} : { region });
      if (parsed.json) cli.json(holders);
      else if (holders.length === 0) cli.out('No holders.');
      else for (const h of holders) cli.out(`${h.uscc}  ${h.name}  ${regionLabel(h.region)}`);
      return EXIT.ok;
    });
  },
});

const SNAPSHOT_NOTE =
  'it takes effect when the portal next gets a snapshot: run qdyp portal snapshot --out FILE and copy FILE to the portal host (see qdyp portal snapshot --help)';

const invite = command({
  summary: "Invite a holder's staff member to the holder portal: a one-time activation code and a printable letter.",
  usage: 'USCC [--user NAME] [--days N] [--letter FILE]',
  help: `Options:
  --user NAME      the account's user name (default admin; at most 64 characters, letter case
                   ignored). A holder may have several, each invited by name.
  --days N         how long the code works: ${INVITATION_DAYS.min} to ${INVITATION_DAYS.max} days (default ${INVITATION_DAYS.default})
  --letter FILE    write the invitation letter (zh-CN and English, plain UTF-8 text, mode 0600)
                   to FILE instead of printing it

The activation code is shown only now: the registry keeps its hash, never the code. Inviting
the same user again voids the old code; it is also how a forgotten password is reset.
The invitation takes effect when the office next copies the portal snapshot to the portal
host (qdyp portal snapshot): do that after inviting.`,
  options: { user: { type: 'string' }, days: { type: 'string' }, letter: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const days = wholeNumber(parsed, 'days');
    const letterFile = text(parsed, 'letter') === undefined ? undefined : cli.resolve(text(parsed, 'letter')!);
    if (letterFile !== undefined) {
      // Before the code is made: a letter that cannot be written would leave it shown nowhere.
      if (fs.existsSync(letterFile) && fs.statSync(letterFile).isDirectory()) throw new UsageError(`--letter ${letterFile} is a directory`);
      try {
        fs.accessSync(path.dirname(letterFile), fs.constants.W_OK);
      } catch {
        throw new UsageError(`--letter: cannot write to ${path.dirname(letterFile)}`);
      }
    }
    return cli.withRegistry(async (registry) => {
      const ctx = cli.context(registry);
      const invitation = await inviteHolderUser(ctx, parsed.positionals[0]!, text(parsed, 'user'), days === undefined ? {} : { days });
      const holder = getHolder(registry.db, invitation.uscc)!;
      const letter = invitationLetter(invitation, holder, readConfig(registry.db).origin, ctx.now);
      let written = true;
      if (letterFile !== undefined) {
        try {
          writeFileAtomic(letterFile, letter, 0o600);
        } catch (error) {
          written = false;
          cli.err(`error: the invitation is recorded, but the letter could not be written to ${letterFile} (${(error as Error).message}); the code is printed instead`);
        }
      }
      if (parsed.json) cli.json({ uscc: invitation.uscc, user: invitation.user, code: invitation.code, expiresAt: invitation.expiresAt });
      else if (letterFile !== undefined && written) {
        cli.out(`Activation code for ${invitation.user} at ${invitation.uscc} (${holder.name}), shown only now:`);
        cli.out(`  ${invitation.code}`);
        cli.out(`valid until ${invitation.expiresAt}; invitation letter written to ${letterFile}`);
      } else cli.out(letter);
      cli.err(`note: the invitation is saved; ${SNAPSHOT_NOTE}`);
      return written ? EXIT.ok : EXIT.refused;
    });
  },
});

export const holder = group({ summary: 'Brand holders (品牌主体).', commands: { add, update, show, list, invite } });
