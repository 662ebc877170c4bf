// Human-readable output shared by the commands: domain terms in English with the Chinese
// names officers use.

import { licenceDetails, MESSAGES, REGIONS, type Sector, type Tier } from '../../core/index.ts';
import type { HolderRecord } from '../registry/holders.ts';
import type { LicenceRecord, ValidityPeriod } from '../registry/licences.ts';

const zh = MESSAGES['zh-CN'];

export function regionLabel(code: string | null): string {
  if (code === null) return '-';
  const region = REGIONS[code];
  return region ? `${code} ${region.zh} ${region.en}` : code;
}

export function tierLabel(tier: Tier): string {
  return `${tier} ${zh.tiers[tier]}`;
}

export function sectorLabel(sector: Sector): string {
  return `${sector} ${zh.sectors[sector]}`;
}

/** Label-value lines with the values aligned. */
export function fields(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

export function holderLines(holder: HolderRecord): [string, string][] {
  return [
    ['holder', holder.name],
    ['USCC', holder.uscc],
    ['address', holder.address ?? '-'],
    ['region', regionLabel(holder.region)],
    ['registered', holder.createdAt],
  ];
}

export function licenceLines(licence: LicenceRecord, sealUrl: string, periods?: ValidityPeriod[]): [string, string][] {
  const rows: [string, string][] = [
    ['licence', `${licence.number} (serial ${licence.serial})`],
    ['holder', `${licence.holder.name} (${licence.holder.uscc})`],
    ['tier', tierLabel(licence.tier)],
    ['sector', sectorLabel(licence.sector)],
    ['chain', licence.chain ?? '-'],
    ['region', regionLabel(licence.region)],
  ];
  for (const product of licence.products) rows.push(['product', product]);
  for (const trademark of licence.trademarks) rows.push(['trademark', trademark]);
  rows.push(['valid', `${licence.validFrom} to ${licence.validUntil} (China Standard Time)`]);
  rows.push(['status', `${licence.status} ${zh.statuses[licence.status]} since ${licence.statusChangedAt}${licence.statusReason ? `: ${licence.statusReason}` : ''}`]);
  rows.push(['issued', licence.issuedAt]);
  if (licence.batch !== null) rows.push(['batch', `${licence.batch} / ${licence.ref}`]);
  rows.push(['seal key', licence.sealKid]);
  rows.push(['seal URL', sealUrl]);
  for (const p of periods ?? []) rows.push(['period', `${p.validFrom} to ${p.validUntil} (recorded ${p.recordedAt})`]);
  return rows;
}

/** What --json prints for a licence. */
export function licenceJson(licence: LicenceRecord, sealUrl: string, periods?: ValidityPeriod[]) {
  return {
    ...licenceDetails(licence),
    serial: licence.serial,
    status: licence.status,
    statusReason: licence.statusReason,
    statusChangedAt: licence.statusChangedAt,
    issuedAt: licence.issuedAt,
    batch: licence.batch,
    ref: licence.ref,
    sealKid: licence.sealKid,
    seal: licence.seal,
    sealUrl,
    documentKid: licence.documentKid,
    document: licence.document,
    ...(periods ? { periods } : {}),
  };
}
