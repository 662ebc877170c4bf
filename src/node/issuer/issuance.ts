// Issuing licences: checking an issue request, then numbering, signing and writing it with its
// audit event. One licence or several in one transaction share the batch machinery in
// batch.ts (planIssues, writePlan); a selection-batch import uses the same API in chunks.

import { addDays, cstDate, type CalendarDate, type Sector, type Tier } from '../../core/index.ts';
import { RefusedError } from '../errors.ts';
import { getHolder, type HolderRecord } from '../registry/holders.ts';
import type { LicenceRecord } from '../registry/licences.ts';
import { issuedLookup, issueStart, planIssues, writePlan, type IssueOutcome, type Issued } from './batch.ts';
import { checkDate, checkList, checkPeriod, checkReason, checkRegion, checkSector, checkTier, checkUscc, LIMITS, optionalText, warnUndrawable } from './checks.ts';
import { withRetry, type IssuerContext } from './context.ts';
import { ed25519, signingKey } from './signing.ts';

export interface IssueInput {
  /** The holder's USCC (already registered). */
  holder: string;
  tier: string;
  sector: string;
  chain?: string | null;
  products: string[];
  trademarks?: string[];
  /** Default: the holder's region. */
  region?: string | null;
  /** Default: today in China Standard Time. */
  validFrom?: string;
  /** Exactly one of validUntil and validDays. */
  validUntil?: string;
  validDays?: number;
  /** A selection batch and the row's reference in it: issuing the same pair again changes nothing. */
  batch?: string | null;
  ref?: string | null;
  reason?: string | null;
}

/** An issue request that passed every check, ready to sign. */
export interface CheckedIssue {
  /** As registered, or (batch import) a new holder to register with the licence. */
  holder: HolderRecord;
  tier: Tier;
  sector: Sector;
  chain: string | null;
  products: string[];
  trademarks: string[];
  region: string | null;
  validFrom: CalendarDate;
  validUntil: CalendarDate;
  batch: string | null;
  ref: string | null;
  reason: string | null;
  /** The seal horizon the period was checked against (null: not yet; planning checks it). */
  checkedHorizon: CalendarDate | null;
}

/** Checks one issue request against the registry; throws RefusedError naming the problem. */
export function checkIssueInput(ctx: IssuerContext, input: IssueInput): CheckedIssue {
  const uscc = checkUscc(input.holder);
  const holder = getHolder(ctx.registry.db, uscc);
  if (!holder) throw new RefusedError('unknown_holder', `no holder ${uscc} in the registry (add it with qdyp holder add)`);
  return checkIssueTerms(ctx, input, holder);
}

/**
 * Checks an issue request's terms for `holder` (registered, or checked to be added with it).
 * With `horizon` (the active key's seal horizon) the period is checked against it here, once.
 */
export function checkIssueTerms(ctx: IssuerContext, input: Omit<IssueInput, 'holder'>, holder: HolderRecord, horizon?: CalendarDate): CheckedIssue {
  const tier = checkTier(input.tier);
  const sector = checkSector(input.sector);
  const chain = optionalText('chain', input.chain, LIMITS.chain);
  const products = checkList('product', input.products, LIMITS.product, true);
  const trademarks = checkList('trademark', input.trademarks, LIMITS.trademark, false);
  const region = input.region === undefined ? holder.region : checkRegion(input.region);
  const validFrom = input.validFrom === undefined ? cstDate(ctx.now) : checkDate('valid from', input.validFrom, ctx);
  let validUntil: CalendarDate;
  if ((input.validUntil === undefined) === (input.validDays === undefined)) {
    throw new RefusedError('invalid_period', 'give exactly one of: the last valid date (--until), or a number of days (--valid-days)');
  }
  if (input.validDays !== undefined) {
    if (!Number.isSafeInteger(input.validDays) || input.validDays < 1) throw new RefusedError('invalid_period', 'the number of valid days must be a whole number of at least 1');
    validUntil = addDays(validFrom, input.validDays - 1);
  } else {
    validUntil = checkDate('valid until', input.validUntil, ctx);
  }
  if (validUntil < validFrom) throw new RefusedError('invalid_period', `the validity period ends (${validUntil}) before it starts (${validFrom})`);
  if (horizon !== undefined) checkPeriod(validFrom, validUntil, horizon);
  const batch = optionalText('batch', input.batch, LIMITS.batch);
  const ref = optionalText('ref', input.ref, LIMITS.ref);
  if ((batch === null) !== (ref === null)) throw new RefusedError('invalid_text', 'a batch and a reference within it go together');
  return { holder, tier, sector, chain, products, trademarks, region, validFrom, validUntil, batch, ref, reason: checkReason(input.reason, false), checkedHorizon: horizon ?? null };
}

/** Issues one licence: a new serial, number, seal and licence document, with its audit event. */
export async function issueLicence(ctx: IssuerContext, input: IssueInput): Promise<LicenceRecord> {
  return (await issueLicences(ctx, [input]))[0]!.licence;
}

/** Refuses a (batch, ref) that appears twice among the requests. */
export function refuseDuplicateReferences(checked: CheckedIssue[]): void {
  const references = new Set<string>();
  for (const c of checked) {
    if (c.batch === null) continue;
    const id = JSON.stringify([c.batch, c.ref]);
    if (references.has(id)) throw new RefusedError('duplicate_reference', `batch ${c.batch} reference ${c.ref} appears twice`);
    references.add(id);
  }
}

/**
 * Where an already-issued licence's terms differ from a request for the same (batch, ref):
 * each as "field: issued → requested". The period counts only when the request names its start.
 */
export function termDifferences(licence: LicenceRecord, request: CheckedIssue, periodGiven: boolean): string[] {
  const show = (value: unknown) => (Array.isArray(value) ? value.join('; ') || '-' : value === null ? '-' : String(value));
  const pairs: [string, unknown, unknown][] = [
    ['holder', licence.holder.uscc, request.holder.uscc],
    ['tier', licence.tier, request.tier],
    ['sector', licence.sector, request.sector],
    ['chain', licence.chain, request.chain],
    ['region', licence.region, request.region],
    ['products', licence.products, request.products],
    ['trademarks', licence.trademarks, request.trademarks],
  ];
  if (periodGiven) pairs.push(['valid from', licence.validFrom, request.validFrom], ['valid until', licence.validUntil, request.validUntil]);
  return pairs.filter(([, a, b]) => show(a) !== show(b)).map(([field, a, b]) => `${field}: ${show(a)} → ${show(b)}`);
}

/**
 * The refusal for a request whose (batch, ref) was already issued as `licence` with other
 * terms (`differences`, from termDifferences): `qdyp licence issue` and the console say so.
 */
export function referenceTaken(licence: LicenceRecord, differences: readonly string[]): RefusedError {
  return new RefusedError(
    'reference_taken',
    `batch ${licence.batch} reference ${licence.ref} was already issued as licence ${licence.number} with other terms (${differences.join('; ')}); nothing was issued`,
  );
}

export interface IssueResult extends Issued {
  /** For a (batch, ref) issued before: where its terms differ from this request (see termDifferences). */
  differences: string[];
}

/**
 * Issues several licences in ONE transaction (all or nothing). A request whose (batch, ref) is
 * already in the registry is returned as it is (`created: false`), with what differs between
 * the issued terms and the request's: callers say "already issued", or refuse when terms differ.
 */
export async function issueLicences(ctx: IssuerContext, inputs: IssueInput[]): Promise<IssueResult[]> {
  const checked = inputs.map((input) => checkIssueInput(ctx, input));
  refuseDuplicateReferences(checked);
  const { issued } = await issueChecked(ctx, checked);
  for (const [i, c] of checked.entries()) {
    if (issued[i]!.created) warnUndrawable(ctx, [['chain', c.chain], ['product', c.products], ['trademark', c.trademarks]]);
  }
  return issued.map((result, i) => ({
    ...result,
    differences: result.created ? [] : termDifferences(result.licence, checked[i]!, inputs[i]!.validFrom !== undefined),
  }));
}

/**
 * Issues checked requests in ONE immediate transaction with their audit events. Signing
 * happens inside it, so nothing it read can move; a request's holder that is not registered
 * yet is registered with its first licence.
 */
async function issueChecked(ctx: IssuerContext, requests: CheckedIssue[]): Promise<IssueOutcome> {
  const db = ctx.registry.db;
  return withRetry(ctx, async () => {
    const { key, signer } = await signingKey(ctx);
    return db
      .transaction(() => {
        const plan = planIssues(ctx, requests, key, issueStart(ctx), new Map(), issuedLookup(db, requests));
        const signatures = plan.signingInputs.map((input) => ed25519(signer.keyObject, input));
        return writePlan(ctx, plan, signatures);
      })
      .immediate();
  });
}
