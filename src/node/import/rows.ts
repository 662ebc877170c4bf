// Checking a selection batch's rows before anything is written: the issuer's own checks, per
// row, plus what only a whole file can get wrong (a (batch, ref) twice, one holder described
// two ways). Every bad row is reported; a holder the registry already has is matched by USCC.
// What issuing the rows would do (and did) is counted by the issuer's BatchIssue, not here.

import { MESSAGES, REGIONS, SECTORS, TIERS, type Sector, type Tier } from '../../core/index.ts';
import { RefusedError } from '../errors.ts';
import { checkHolderInput, checkIssueTerms, checkUscc, registeredHolders, undrawableText, type CheckedIssue, type IssuerContext } from '../issuer/index.ts';
import type { HolderRecord } from '../registry/holders.ts';
import type { KeyRecord } from '../registry/keys.ts';
import type { CsvRow } from './csv.ts';
import type { RowProblem } from './errors.ts';

/**
 * A registered holder whose name or address differs in the file. The registry keeps its
 * record (the licence names the holder as registered): a USCC identifies the company, and the
 * usual differences (全角/半角 brackets, a shortened name, an old address) must not stop a
 * city-wide batch. The office reviews them and runs `qdyp holder update` where the file is right.
 */
export interface HolderDifference {
  uscc: string;
  /** The first line naming the holder. */
  line: number;
  field: 'name' | 'address';
  registered: string | null;
  file: string;
}

export interface CheckedBatch {
  /** One per row, in file order. */
  requests: CheckedIssue[];
  differences: HolderDifference[];
  /** Accepted text worth a look: characters the certificate font cannot draw. */
  warnings: RowProblem[];
}

// Officers' sheets often say 产品 or 工业 rather than product or manufacturing.
const zh = MESSAGES['zh-CN'];
const TIER_NAMES = new Map<string, Tier>(TIERS.flatMap((t) => [[t, t], [zh.tiers[t], t], [zh.tiers[t].replace(/品牌$/, ''), t]] as [string, Tier][]));
const SECTOR_NAMES = new Map<string, Sector>(SECTORS.flatMap((s) => [[s, s], [zh.sectors[s], s]] as [string, Sector][]));
const REGION_NAMES = new Map<string, string>(Object.entries(REGIONS).map(([code, region]) => [region.zh, code]));

/** Excel shows and saves dates as 2026/1/5; the format is 2026-01-05. */
function calendarDate(cell: string): string {
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(cell);
  return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : cell;
}

function list(cell: string): string[] {
  return cell
    .split(/[;；]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

interface HolderInFile {
  line: number;
  name: string;
  address: string | null;
  /** As registered, or as the file describes it (registered with its first licence). */
  record: HolderRecord;
}

/**
 * Checks every row against the registry and the active key (`key`, whose seals' horizon
 * bounds validity periods). Returns the problems (empty when the file can be imported) and the
 * checked requests. `source` names the file in each licence's audit event.
 */
export function checkRows(
  ctx: IssuerContext,
  rows: CsvRow[],
  key: KeyRecord,
  source: string,
  /** Called after each good row with the requests so far, while no row has been bad. */
  onGood?: (requests: readonly CheckedIssue[]) => void,
): { problems: RowProblem[]; batch: CheckedBatch } {
  const problems: RowProblem[] = [];
  const holders = new Map<string, HolderInFile>();
  const references = new Map<string, number>();
  const batch: CheckedBatch = { requests: [], differences: [], warnings: [] };

  // The registered holders the file names, in one query (a USCC is matched as checkUscc reads it).
  const known = registeredHolders(ctx, new Set(rows.map((row) => row.values.uscc.trim().toUpperCase())));

  for (const { line, values: v } of rows) {
    try {
      if (v.batch === '' || v.ref === '') throw new RefusedError('invalid_text', 'batch and ref are required: they are how a re-import recognises the row');
      const uscc = checkUscc(v.uscc);
      const region = v.region === '' ? null : (REGION_NAMES.get(v.region) ?? v.region);
      const address = v.address === '' ? null : v.address;
      const described = checkHolderInput(ctx, { uscc, name: v.holder_name, address, region });
      let holder = holders.get(uscc);
      if (!holder) {
        const registered = known.get(uscc);
        holder = { line, name: described.name, address, record: registered ?? described };
        holders.set(uscc, holder);
        for (const message of undrawableText([['holder_name', described.name], ['address', address]])) batch.warnings.push({ line, message });
        if (registered) {
          if (registered.name !== described.name) batch.differences.push({ uscc, line, field: 'name', registered: registered.name, file: described.name });
          if (address !== null && registered.address !== address) batch.differences.push({ uscc, line, field: 'address', registered: registered.address, file: address });
        }
      } else if (holder.name !== described.name || holder.address !== address) {
        const field = holder.name !== described.name ? 'named' : 'addressed';
        throw new RefusedError('invalid_text', `holder ${uscc} is ${field} differently on line ${holder.line}; one holder must be described one way`);
      }
      const request = checkIssueTerms(
        ctx,
        {
          tier: TIER_NAMES.get(v.tier) ?? v.tier,
          sector: SECTOR_NAMES.get(v.sector) ?? v.sector,
          chain: v.chain,
          products: list(v.products),
          trademarks: list(v.trademarks),
          region: region ?? undefined,
          validFrom: v.valid_from === '' ? undefined : calendarDate(v.valid_from),
          validUntil: calendarDate(v.valid_until),
          batch: v.batch,
          ref: v.ref,
          reason: `imported from ${source}, line ${line}`,
        },
        holder.record,
        key.verifyUntil,
      );
      for (const message of undrawableText([['chain', request.chain], ['products', request.products], ['trademarks', request.trademarks]])) batch.warnings.push({ line, message });
      const reference = JSON.stringify([request.batch, request.ref]);
      const first = references.get(reference);
      if (first !== undefined) throw new RefusedError('duplicate_reference', `batch ${request.batch} ref ${request.ref} is already on line ${first}`);
      references.set(reference, line);
      batch.requests.push(request);
      if (onGood && problems.length === 0) onGood(batch.requests);
    } catch (error) {
      if (!(error instanceof RefusedError)) throw error;
      problems.push({ line, message: error.message });
    }
  }
  return { problems, batch };
}
