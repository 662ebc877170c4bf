// The batch API: issuing many licences as planned, signed, then written chunks. `planIssues`
// numbers and lays out licences and their signing inputs; `writePlan` writes them with their
// audit events in one transaction once signed. `BatchIssue` carries a selection batch through
// them and owns its counts: what a dry run reports and what an import did.

import { assembleJws, assembleSeal, cstDate, MAX_SERIAL, sealSigningInput } from '../../core/index.ts';
import { RefusedError } from '../errors.ts';
import { appendAudit, appendAuditJson } from '../registry/audit.ts';
import { readConfig } from '../registry/config.ts';
import type { Db } from '../registry/db.ts';
import { getHolder, getHolders, insertHolder, type HolderRecord } from '../registry/holders.ts';
import { activeKey, type KeyRecord } from '../registry/keys.ts';
import { getLicenceBySerial, insertLicence, issuedReferences, nextSequence, nextSerial, type LicenceRecord } from '../registry/licences.ts';
import { licenceLogText, logAppender } from '../registry/log.ts';
import { checkPeriod } from './checks.ts';
import { at, Conflict, type IssuerContext } from './context.ts';
import { holderSnapshot } from './holders.ts';
import type { CheckedIssue } from './issuance.ts';
import { DocumentInputs } from './signing.ts';

const MAX_SEQUENCE = 999_999;

export interface Issued {
  licence: LicenceRecord;
  /** false when the (batch, ref) was issued before: nothing changed. */
  created: boolean;
}

export interface IssueOutcome {
  /** One per request, in order. */
  issued: Issued[];
  /** Holders registered along with their first licence. */
  holdersAdded: HolderRecord[];
}

/** The serial of the licence issued for a (batch, ref), if any. */
export interface IssuedLookup {
  get(batch: string, ref: string): number | undefined;
}

/** Which of the requests' (batch, ref) pairs the registry already holds: one query per batch name. */
export function issuedLookup(db: Db, requests: readonly CheckedIssue[]): IssuedLookup {
  const refsByBatch = new Map<string, string[]>();
  for (const c of requests) {
    if (c.batch === null) continue;
    const refs = refsByBatch.get(c.batch);
    if (refs) refs.push(c.ref!);
    else refsByBatch.set(c.batch, [c.ref!]);
  }
  const issued = new Map([...refsByBatch].map(([batch, refs]) => [batch, issuedReferences(db, batch, refs)]));
  return { get: (batch, ref) => issued.get(batch)?.get(ref) };
}

/**
 * What a licence.issue event records: who, when and why are the event's own columns; this is
 * the licence's public details and serial, `JSON.stringify({ ...licenceEntry(licence), serial })`.
 * Its seal and licence document are not repeated: they are in its row, written once at issue (a
 * reseal's or update's event keeps the old ones). The details are cut from the licence's log
 * entry, which holds the same members from "holder" on, in the same order and encoding: an
 * import would otherwise encode every licence twice (bar P3).
 */
function issueSnapshotJson(licence: LicenceRecord, logText: string): string {
  const details = logText.slice(logText.indexOf(',"holder":') + 1, -2);
  return `{"number":${JSON.stringify(licence.number)},${details},"serial":${licence.serial}}`;
}

/** Where the next licence's serial and number start. */
export interface IssueStart {
  serial: number;
  sequence: number;
}

export function issueStart(ctx: IssuerContext): IssueStart {
  return { serial: nextSerial(ctx.registry.db), sequence: nextSequence(ctx.registry.db, cstDate(ctx.now).slice(0, 4)) };
}

type PlannedIssue =
  | { existing: LicenceRecord }
  | { licence: LicenceRecord; sealInput: Uint8Array<ArrayBuffer>; documentInput: string; newHolder: HolderRecord | null; reason: string | null };

/** Licences numbered and laid out for one transaction, waiting for their signatures. */
export interface IssuePlan {
  kid: string;
  start: IssueStart;
  /** Where the licences after these start (a batch import plans its next chunk from here). */
  next: IssueStart;
  entries: PlannedIssue[];
  /** What to sign, two per new licence in order: its seal's bytes, then its document's. */
  signingInputs: Uint8Array<ArrayBuffer>[];
}

/**
 * Numbers and lays out the licences for `requests` from `start`, skipping (batch, ref) pairs
 * that `issued` knows. `pending` holds holders planned in earlier, not yet written plans and
 * receives this plan's new holders: each is registered once, with its first licence.
 */
export function planIssues(
  ctx: IssuerContext,
  requests: readonly CheckedIssue[],
  key: KeyRecord,
  start: IssueStart,
  pending: Map<string, HolderRecord>,
  issued: IssuedLookup,
): IssuePlan {
  const db = ctx.registry.db;
  const config = readConfig(db);
  const year = cstDate(ctx.now).slice(0, 4);
  const when = at(ctx);
  const entries: PlannedIssue[] = [];
  const signingInputs: Uint8Array<ArrayBuffer>[] = [];
  let { serial, sequence } = start;
  const documents = new DocumentInputs(ctx, config, key.kid);
  const unknown = new Set<string>();
  for (const c of requests) if (!pending.has(c.holder.uscc)) unknown.add(c.holder.uscc);
  const registered = getHolders(db, unknown);
  for (const c of requests) {
    const existing = c.batch !== null ? issued.get(c.batch, c.ref!) : undefined;
    if (existing !== undefined) {
      entries.push({ existing: getLicenceBySerial(db, existing)! });
      continue;
    }
    if (c.checkedHorizon !== key.verifyUntil) checkPeriod(c.validFrom, c.validUntil, key.verifyUntil);
    if (serial > MAX_SERIAL) throw new RefusedError('serials_exhausted', 'the status list has no serials left');
    if (sequence > MAX_SEQUENCE) throw new RefusedError('serials_exhausted', `licence numbers for ${year} are used up`);
    let holder = pending.get(c.holder.uscc) ?? registered.get(c.holder.uscc);
    let newHolder: HolderRecord | null = null;
    if (!holder) pending.set(c.holder.uscc, (holder = newHolder = c.holder));
    const licence: LicenceRecord = {
      serial,
      number: `QDYP-${year}-${String(sequence).padStart(6, '0')}`,
      holder: { name: holder.name, uscc: holder.uscc, address: holder.address },
      tier: c.tier,
      sector: c.sector,
      chain: c.chain,
      region: c.region,
      products: c.products,
      trademarks: c.trademarks,
      validFrom: c.validFrom,
      validUntil: c.validUntil,
      status: 'valid',
      statusReason: null,
      statusChangedAt: when,
      sealKid: key.kid,
      seal: '',
      documentKid: key.kid,
      document: '',
      issuedAt: when,
      revision: 1,
      batch: c.batch,
      ref: c.ref,
    };
    const sealInput = sealSigningInput({ sid: key.sid, serial, horizon: key.verifyUntil });
    const documentInput = documents.signingInput(licence);
    signingInputs.push(sealInput, Buffer.from(documentInput, 'latin1') as Uint8Array<ArrayBuffer>);
    entries.push({ licence, sealInput, documentInput, newHolder, reason: c.reason });
    serial++;
    sequence++;
  }
  return { kid: key.kid, start, next: { serial, sequence }, entries, signingInputs };
}

/**
 * Writes a plan, given the signatures over its signing inputs, in one transaction with an
 * audit event per licence and per new holder, and a licence.issue log entry per licence
 * (numbered from one logSize read). Throws Conflict, writing nothing, if the registry moved
 * since the plan was made (another process issued, rotated the key or registered one of its
 * holders).
 */
export function writePlan(ctx: IssuerContext, plan: IssuePlan, signatures: Uint8Array[]): IssueOutcome {
  const db = ctx.registry.db;
  const when = at(ctx);
  return db
    .transaction((): IssueOutcome => {
      const fresh = plan.entries.some((entry) => 'licence' in entry);
      if (activeKey(db)?.kid !== plan.kid) throw new Conflict();
      if (fresh) {
        const now = issueStart(ctx);
        if (now.serial !== plan.start.serial || now.sequence !== plan.start.sequence) throw new Conflict();
      }
      const issued: Issued[] = [];
      const holdersAdded: HolderRecord[] = [];
      const holdersChecked = new Set<string>();
      const log = logAppender(db);
      let signature = 0;
      for (const entry of plan.entries) {
        if (!('licence' in entry)) {
          issued.push({ licence: entry.existing, created: false });
          continue;
        }
        const { licence } = entry;
        if (!holdersChecked.has(licence.holder.uscc)) {
          holdersChecked.add(licence.holder.uscc);
          if (entry.newHolder) {
            try {
              insertHolder(db, entry.newHolder);
              appendAudit(db, { at: when, actor: ctx.actor, action: 'holder.add', subject: entry.newHolder.uscc, after: holderSnapshot(entry.newHolder) });
            } catch (error) {
              // Another process registered the holder since the plan was made.
              if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new Conflict();
              throw error;
            }
            holdersAdded.push(entry.newHolder);
          } else if (getHolder(db, licence.holder.uscc)?.name !== licence.holder.name) {
            throw new Conflict();
          }
        }
        licence.seal = assembleSeal(entry.sealInput, signatures[signature++]!);
        licence.document = assembleJws(entry.documentInput, signatures[signature++]!);
        licence.logIndex = log.next;
        try {
          insertLicence(db, licence, when);
        } catch (error) {
          // Another process issued the same (batch, ref) since the plan was made.
          if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new Conflict();
          throw error;
        }
        const logText = licenceLogText('licence.issue', when, licence);
        appendAuditJson(db, when, ctx.actor, 'licence.issue', licence.number, entry.reason, null, issueSnapshotJson(licence, logText));
        log.append(logText);
        issued.push({ licence, created: true });
      }
      return { issued, holdersAdded };
    })
    .immediate();
}

export interface BatchCounts {
  licencesIssued: number;
  /** Requests whose (batch, ref) was issued before: nothing changed for them. */
  skipped: number;
  holdersAdded: number;
}

/**
 * A selection batch on its way into the registry, chunk by chunk: `plan` lays out a chunk
 * (looking up, in one query, which of its (batch, ref) pairs are issued already), `write`
 * writes it once signed, and `counts` is what was done. `preview` says what issuing all the
 * requests would do now: a dry run's counts.
 */
export class BatchIssue {
  readonly counts: BatchCounts = { licencesIssued: 0, skipped: 0, holdersAdded: 0 };

  constructor(private readonly ctx: IssuerContext) {}

  preview(requests: readonly CheckedIssue[]): BatchCounts {
    const db = this.ctx.registry.db;
    const issued = issuedLookup(db, requests);
    const registered = getHolders(db, new Set(requests.map((r) => r.holder.uscc)));
    const newHolders = new Set<string>();
    let skipped = 0;
    for (const r of requests) {
      if (r.batch !== null && issued.get(r.batch, r.ref!) !== undefined) skipped++;
      else if (!registered.has(r.holder.uscc)) newHolders.add(r.holder.uscc);
    }
    return { licencesIssued: requests.length - skipped, skipped, holdersAdded: newHolders.size };
  }

  plan(chunk: readonly CheckedIssue[], key: KeyRecord, start: IssueStart, pending: Map<string, HolderRecord>): IssuePlan {
    return planIssues(this.ctx, chunk, key, start, pending, issuedLookup(this.ctx.registry.db, chunk));
  }

  /** Writes a signed plan (throws Conflict, writing nothing, if the registry moved) and counts it. */
  write(plan: IssuePlan, signatures: Uint8Array[]): IssueOutcome {
    const outcome = writePlan(this.ctx, plan, signatures);
    for (const issued of outcome.issued) this.counts[issued.created ? 'licencesIssued' : 'skipped']++;
    this.counts.holdersAdded += outcome.holdersAdded.length;
    return outcome;
  }
}
