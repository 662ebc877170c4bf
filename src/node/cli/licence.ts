// qdyp licence …: the licence lifecycle. issue → suspend ⇄ reinstate → revoke (final);
// update and renew keep the seal; reseal makes a new one under the active key.

import { LICENCE_STATUSES, type LicenceStatus } from '../../core/index.ts';
import {
  issueLicences,
  licenceSealUrl,
  referenceTaken,
  reinstateLicence,
  renewLicence,
  resealLicence,
  revokeLicence,
  suspendLicence,
  updateLicence,
  type LicenceChanges,
} from '../issuer/index.ts';
import { RefusedError } from '../errors.ts';
import type { Registry } from '../registry/db.ts';
import { getLicence, listLicences, listPeriods, type LicenceRecord } from '../registry/licences.ts';
import { command, EXIT, group, list as listOf, required, text, UsageError, wholeNumber, type Cli, type Command, type Parsed } from './command.ts';
import { fields, licenceJson, licenceLines } from './format.ts';

/** Prints the changed licence, then publishes. */
async function report(cli: Cli, parsed: Parsed, registry: Registry, now: Date, licence: LicenceRecord, message: string): Promise<number> {
  const url = licenceSealUrl(registry, licence);
  if (parsed.json) cli.json(licenceJson(licence, url));
  else cli.out(message);
  return cli.publishAfterChange(registry, now);
}

const issue = command({
  summary: 'Issue a licence: a new number, serial, seal (the QR) and signed licence document.',
  usage: `--holder USCC --tier product|enterprise|industry|region
       --sector manufacturing|agriculture|services|marine [--chain TEXT]
       --product TEXT... [--trademark TEXT...] [--region CODE]
       [--from DATE] (--until DATE | --valid-days N)`,
  help: `Options:
  --holder USCC        the registered holder
  --tier T             product 产品 · enterprise 企业 · industry 产业 · region 区域
  --sector S           manufacturing 工业 · agriculture 农业 · services 服务业 · marine 海洋经济
  --chain TEXT         the industrial chain, e.g. 智能家电, 食品饮料
  --product TEXT       a product covered (repeat for each; at least one)
  --trademark TEXT     a trademark covered (repeat for each)
  --region CODE        GB/T 2260 region (default: the holder's)
  --from DATE          first valid day, YYYY-MM-DD in China Standard Time (default: today)
  --until DATE         last valid day (valid through the end of that day in Beijing)
  --valid-days N       or: valid for N days from --from
  --batch NAME --ref REF   the selection batch and the row's reference in it
  --reason TEXT        a note for the audit trail

Prints the licence number and the seal URL the QR code carries.`,
  options: {
    holder: { type: 'string' },
    tier: { type: 'string' },
    sector: { type: 'string' },
    chain: { type: 'string' },
    product: { type: 'string', multiple: true },
    trademark: { type: 'string', multiple: true },
    region: { type: 'string' },
    from: { type: 'string' },
    until: { type: 'string' },
    'valid-days': { type: 'string' },
    batch: { type: 'string' },
    ref: { type: 'string' },
    reason: { type: 'string' },
  },
  async run(parsed, cli) {
    const until = text(parsed, 'until');
    const days = wholeNumber(parsed, 'valid-days');
    if ((until === undefined) === (days === undefined)) throw new UsageError('give exactly one of --until DATE and --valid-days N');
    const products = listOf(parsed, 'product');
    if (!products) throw new UsageError('--product is required (repeat it for each product)');
    return cli.withRegistry(async (registry) => {
      const ctx = cli.context(registry);
      const [issued] = await issueLicences(ctx, [{
        holder: required(parsed, 'holder'),
        tier: required(parsed, 'tier'),
        sector: required(parsed, 'sector'),
        chain: text(parsed, 'chain'),
        products,
        trademarks: listOf(parsed, 'trademark'),
        region: text(parsed, 'region'),
        validFrom: text(parsed, 'from'),
        validUntil: until,
        validDays: days,
        batch: text(parsed, 'batch'),
        ref: text(parsed, 'ref'),
        reason: text(parsed, 'reason'),
      }]);
      const { licence, created, differences } = issued!;
      const url = licenceSealUrl(registry, licence);
      if (differences.length > 0) throw referenceTaken(licence, differences);
      if (!created) {
        // The same (batch, ref) with the same terms: nothing changed, nothing to publish.
        if (parsed.json) cli.json({ ...licenceJson(licence, url), alreadyIssued: true });
        else cli.out(`already issued: batch ${licence.batch} reference ${licence.ref} is licence ${licence.number}\n${url}`);
        return EXIT.ok;
      }
      return report(cli, parsed, registry, ctx.now, licence, `${licence.number}\n${url}`);
    });
  },
});

const update = command({
  summary: 'Change what the register shows for a licence; the seal stays valid. A list given replaces that list.',
  usage: 'NUMBER [--product TEXT...] [--trademark TEXT...] [--chain TEXT] [--region CODE] [--reason TEXT]',
  help: `Options:
  --product TEXT     the products covered (repeat; replaces the whole list)
  --trademark TEXT   the trademarks covered (repeat; replaces the whole list)
  --chain TEXT       the industrial chain ("" clears it)
  --region CODE      GB/T 2260 region ("" clears it)
  --reason TEXT      why, for the audit trail`,
  options: {
    product: { type: 'string', multiple: true },
    trademark: { type: 'string', multiple: true },
    chain: { type: 'string' },
    region: { type: 'string' },
    reason: { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const changes: LicenceChanges = {};
    if (listOf(parsed, 'product')) changes.products = listOf(parsed, 'product');
    if (listOf(parsed, 'trademark')) changes.trademarks = listOf(parsed, 'trademark');
    if (text(parsed, 'chain') !== undefined) changes.chain = text(parsed, 'chain');
    if (text(parsed, 'region') !== undefined) changes.region = text(parsed, 'region');
    if (Object.keys(changes).length === 0) throw new UsageError('nothing to update: give --product, --trademark, --chain or --region');
    return cli.withRegistry(async (registry) => {
      const ctx = cli.context(registry);
      const licence = await updateLicence(ctx, parsed.positionals[0]!, changes, text(parsed, 'reason'));
      return report(cli, parsed, registry, ctx.now, licence, `Updated ${licence.number}; its seal is unchanged.`);
    });
  },
});

const renew = command({
  summary: 'Give a licence a new validity period; same serial, same seal (no reprint).',
  usage: 'NUMBER --until DATE [--from DATE] [--reason TEXT]',
  help: `Options:
  --until DATE    the new last valid day (YYYY-MM-DD, China Standard Time)
  --from DATE     the new first valid day (default: the current one)
  --reason TEXT   why, for the audit trail`,
  options: { until: { type: 'string' }, from: { type: 'string' }, reason: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    const until = required(parsed, 'until');
    return cli.withRegistry(async (registry) => {
      const ctx = cli.context(registry);
      const licence = await renewLicence(ctx, parsed.positionals[0]!, { validUntil: until, validFrom: text(parsed, 'from') }, text(parsed, 'reason'));
      return report(cli, parsed, registry, ctx.now, licence, `Renewed ${licence.number}: valid ${licence.validFrom} to ${licence.validUntil}; its seal is unchanged.`);
    });
  },
});

const reseal = command({
  summary: 'Give a licence a new seal under the active key (after a key compromise). New artwork must be printed.',
  usage: 'NUMBER [--reason TEXT]',
  help: 'Options:\n  --reason TEXT   why, for the audit trail',
  options: { reason: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    return cli.withRegistry(async (registry) => {
      const ctx = cli.context(registry);
      const licence = await resealLicence(ctx, parsed.positionals[0]!, text(parsed, 'reason'));
      const url = licenceSealUrl(registry, licence);
      return report(cli, parsed, registry, ctx.now, licence, `Resealed ${licence.number} under key ${licence.sealKid}. New seal URL (print new artwork):\n${url}`);
    });
  },
});

function statusCommand(verb: 'suspend' | 'reinstate' | 'revoke', summary: string, act: typeof suspendLicence, done: string): Command {
  return command({
    summary,
    usage: 'NUMBER --reason TEXT',
    help: `Options:\n  --reason TEXT   why (required; the register and verifiers show it)`,
    options: { reason: { type: 'string' } },
    positionals: { min: 1, max: 1 },
    async run(parsed, cli) {
      const reason = required(parsed, 'reason');
      return cli.withRegistry(async (registry) => {
        const ctx = cli.context(registry);
        const licence = await act(ctx, parsed.positionals[0]!, reason);
        return report(cli, parsed, registry, ctx.now, licence, `${licence.number} ${done}.`);
      });
    },
  });
}

const show = command({
  summary: 'Show a licence: details, status, validity periods and its seal URL.',
  usage: 'NUMBER',
  help: '',
  positionals: { min: 1, max: 1 },
  async run(parsed, cli) {
    return cli.withRegistry(async (registry) => {
      const number = parsed.positionals[0]!.trim().toUpperCase();
      const licence = getLicence(registry.db, number);
      if (!licence) throw new RefusedError('unknown_licence', `no licence ${parsed.positionals[0]} in the registry`);
      const url = licenceSealUrl(registry, licence);
      const periods = listPeriods(registry.db, licence.serial);
      if (parsed.json) cli.json(licenceJson(licence, url, periods));
      else cli.out(fields(licenceLines(licence, url, periods)));
      return EXIT.ok;
    });
  },
});

const list = command({
  summary: 'List licences.',
  usage: '[--holder USCC] [--status valid|suspended|revoked] [--batch NAME]',
  help: `Options:
  --holder USCC   only this holder's licences
  --status S      only licences in this status
  --batch NAME    only licences from this selection batch`,
  options: { holder: { type: 'string' }, status: { type: 'string' }, batch: { type: 'string' } },
  async run(parsed, cli) {
    const status = text(parsed, 'status');
    if (status !== undefined && !LICENCE_STATUSES.includes(status as LicenceStatus)) throw new UsageError(`--status must be one of ${LICENCE_STATUSES.join(', ')}`);
    return cli.withRegistry(async (registry) => {
      const holder = text(parsed, 'holder');
      const batch = text(parsed, 'batch');
      const licences = listLicences(registry.db, {
        ...(holder !== undefined ? { holder: holder.trim().toUpperCase() } : {}),
        ...(status !== undefined ? { status: status as LicenceStatus } : {}),
        ...(batch !== undefined ? { batch } : {}),
      });
      if (parsed.json) cli.json(licences.map((l) => licenceJson(l, licenceSealUrl(registry, l))));
      else if (licences.length === 0) cli.out('No licences.');
      else for (const l of licences) cli.out(`${l.number}  ${l.status.padEnd(9)}  ${l.validUntil}  ${l.holder.name}  ${l.products.join(', ')}`);
      return EXIT.ok;
    });
  },
});

export const licence = group({
  summary: 'Licences for the 青岛优品 mark.',
  commands: {
    issue,
    update,
    renew,
    reseal,
    suspend: statusCommand('suspend', 'Suspend a licence (暂停): verifiers show it as suspended until reinstated.', suspendLicence, 'is suspended'),
    reinstate: statusCommand('reinstate', 'Reinstate a suspended licence (恢复).', reinstateLicence, 'is reinstated'),
    revoke: statusCommand('revoke', 'Revoke a licence (撤销). Final: a revoked licence cannot be reinstated.', revokeLicence, 'is revoked'),
    show,
    list,
  },
});
