// Reports of misuse, the office's side: pulling them from an edge's inbox into the registry and
// triaging them. A pull reads a page after the stored cursor, fetches the photos of reports not
// stored yet, then stores the page — rows, one audit event each, and the new cursor — in one
// transaction, and only then acknowledges the cursor (the edge deletes acknowledged photos). A
// crash or a failing edge at any point leaves the registry at a page boundary: the next pull
// re-acknowledges what was stored and resumes after it. Each request to the edge carries an
// office request JWS (core/office-request.ts) signed by the active issuing key.

import { officeNonce, OUTCOMES, parseSeal, signOfficeRequest, type Signer } from '../../core/index.ts';
import type { ReportRecord } from '../../web/reports/inbox.ts';
import { RefusedError } from '../errors.ts';
import { edgeUrl, errorBody, exchange, HttpFailure, jsonBody, type HttpAnswer } from '../http-client.ts';
import { appendAudit } from '../registry/audit.ts';
import { getLicenceBySerial } from '../registry/licences.ts';
import {
  getReport,
  getReportByEdgeId,
  insertReport,
  reportCursor,
  setReportAcked,
  setReportCursor,
  setReportState,
  updateReportCount,
  TRIAGE_STATES,
  type StoredReport,
  type TriageState,
} from '../registry/reports.ts';
import { optionalText } from './checks.ts';
import { at, type IssuerContext } from './context.ts';
import { signingKey } from './signing.ts';

export const PULL_PAGE = 100;
/** The edge accepts photos up to 5 MB; a little room for what it may add. */
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
const MAX_PAGE_BYTES = 2 * 1024 * 1024;
const MAX_SMALL_BYTES = 16 * 1024;
const MAX_FIELD = 500;
const SHOPPER_OUTCOMES = new Set(['not_listed', 'looks_fake', 'other', 'no_seal']);
const KNOWN_OUTCOMES = new Set<string>([...OUTCOMES, ...SHOPPER_OUTCOMES]);

export interface PullOptions {
  /** The edge's base URL (http or https). */
  from: URL;
  timeoutS: number;
  pageSize?: number;
}

export interface PullResult {
  from: string;
  /** Reports stored for the first time, by registry id. */
  stored: number[];
  /** Reports already stored whose count grew at the edge. */
  updated: number[];
  /** Reports seen again with nothing new. */
  unchanged: number;
  cursor: number;
  warnings: string[];
}

function pullFailed(message: string): RefusedError {
  return new RefusedError('pull_failed', message);
}

const str = (v: unknown): v is string => typeof v === 'string';
const strOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** A report as the edge sent it, checked field by field: an edge is trusted for nothing else. */
function checkRecord(value: unknown, after: number): ReportRecord {
  const r = value as Partial<ReportRecord> | null;
  const bad = (what: string) => pullFailed(`the edge sent a report with ${what}; nothing from this page was stored`);
  if (typeof r !== 'object' || r === null) throw bad('no fields');
  if (!str(r.id) || !/^[A-Za-z0-9_-]{1,100}$/.test(r.id)) throw bad('a malformed id');
  if (!Number.isSafeInteger(r.cursor) || r.cursor! <= after) throw bad(`a cursor not after ${after}`);
  if (r.source !== 'inspector' && r.source !== 'shopper') throw bad('an unknown source');
  if (!strOrNull(r.inspectorId) || (r.inspectorId !== null && !/^[0-9A-Z]{1,20}$/.test(r.inspectorId))) throw bad('a malformed inspector id');
  if (!strOrNull(r.seal) || (r.seal !== null && !/^[0-9A-Za-z]{1,200}$/.test(r.seal))) throw bad('a malformed seal');
  if (!(r.serial === null || (Number.isSafeInteger(r.serial) && r.serial! >= 0))) throw bad('a malformed serial');
  if (!str(r.outcome) || !KNOWN_OUTCOMES.has(r.outcome)) throw bad('an unknown outcome');
  for (const field of ['place', 'note'] as const) {
    const v = r[field];
    if (!strOrNull(v)) throw bad(`a malformed ${field}`);
    if (v !== null) {
      try {
        optionalText(field, v, MAX_FIELD);
      } catch (error) {
        throw bad(`a ${field} that is not plain text (${(error as Error).message})`);
      }
    }
  }
  if (!strOrNull(r.observedAt) || (r.observedAt !== null && (!/^\d{4}-\d{2}-\d{2}T/.test(r.observedAt) || Number.isNaN(Date.parse(r.observedAt))))) throw bad('a malformed observedAt');
  if (!strOrNull(r.contactJwe) || (r.contactJwe !== null && !/^[A-Za-z0-9_.-]{1,4096}$/.test(r.contactJwe))) throw bad('a malformed contact');
  if (!str(r.receivedAt) || Number.isNaN(Date.parse(r.receivedAt))) throw bad('a malformed receivedAt');
  if (!Number.isSafeInteger(r.count) || r.count! < 1) throw bad('a malformed count');
  if (typeof r.hasPhoto !== 'boolean') throw bad('a malformed hasPhoto');
  return r as ReportRecord;
}

/** JPEG or PNG, by its first bytes (the edge checked too; the registry trusts neither blindly). */
export function photoType(bytes: Uint8Array): 'image/jpeg' | 'image/png' | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return 'image/png';
  return null;
}

/** What the audit trail records of a pulled report: everything but the photo and the contact. */
function reportSnapshot(r: Omit<StoredReport, 'id'> | StoredReport) {
  return {
    sourceUrl: r.sourceUrl,
    edgeId: r.edgeId,
    source: r.source,
    inspectorId: r.inspectorId,
    seal: r.seal,
    licence: r.licence,
    outcome: r.outcome,
    place: r.place,
    note: r.note,
    observedAt: r.observedAt,
    receivedAt: r.receivedAt,
    count: r.count,
    hasContact: r.contactJwe !== null,
    photoType: r.photoType,
  };
}

export const reportSubject = (id: number) => `report:${id}`;

class OfficeClient {
  constructor(
    private readonly base: URL,
    private readonly signer: Signer,
    private readonly ctx: IssuerContext,
    private readonly timeoutS: number,
  ) {}

  async send(method: 'GET' | 'POST', path: string, max: number, body?: unknown): Promise<{ answer: HttpAnswer; url: URL }> {
    const url = edgeUrl(this.base, path);
    // Signed over exactly what the edge sees: its pathname and query.
    const jws = await signOfficeRequest({ method, path: `${url.pathname}${url.search}`, nonce: officeNonce(), time: this.ctx.now }, this.signer);
    const headers: Record<string, string> = { authorization: `QDYP-Office ${jws}`, accept: 'application/json, image/*', 'accept-encoding': 'identity' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let answer: HttpAnswer;
    try {
      answer = await exchange(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }, { max, timeoutS: this.timeoutS });
    } catch (error) {
      if (error instanceof HttpFailure) throw pullFailed(error.message);
      throw error;
    }
    return { answer, url };
  }

  refusal(answer: HttpAnswer, url: URL): RefusedError {
    const { error, message } = errorBody(answer);
    const hint =
      answer.status === 401
        ? ' (the edge does not accept this office: is its key list current? is the clock right? run qdyp publish)'
        : answer.status === 503 || answer.status === 429
          ? ` (try again${answer.headers.get('retry-after') ? ` in ${answer.headers.get('retry-after')} s` : ' later'})`
          : '';
    return pullFailed(`${url.pathname} answered ${answer.status}${error ? ` ${error}` : ''}${message ? `: ${message}` : ''}${hint}`);
  }

  async page(after: number, limit: number): Promise<ReportRecord[]> {
    const { answer, url } = await this.send('GET', `/api/v1/reports?after=${after}&limit=${limit}`, MAX_PAGE_BYTES);
    if (answer.status !== 200) throw this.refusal(answer, url);
    const body = jsonBody(answer, url) as { reports?: unknown };
    if (!Array.isArray(body?.reports) || body.reports.length > limit) throw pullFailed(`the answer from ${url.href} is not a page of reports`);
    let last = after;
    return body.reports.map((value) => {
      const record = checkRecord(value, last);
      last = record.cursor;
      return record;
    });
  }

  async photo(id: string): Promise<{ bytes: Uint8Array; type: string } | null> {
    const { answer, url } = await this.send('GET', `/api/v1/reports/${encodeURIComponent(id)}/photo`, MAX_PHOTO_BYTES);
    if (answer.status === 404) return null;
    if (answer.status !== 200) throw this.refusal(answer, url);
    const type = photoType(answer.bytes);
    if (!type) throw pullFailed(`the photo of report ${id} from the edge is neither JPEG nor PNG`);
    return { bytes: answer.bytes, type };
  }

  async ack(cursor: number): Promise<void> {
    const { answer, url } = await this.send('POST', `/api/v1/reports/ack?cursor=${cursor}`, MAX_SMALL_BYTES, { cursor });
    if (answer.status !== 200 && answer.status !== 204) throw this.refusal(answer, url);
  }
}

/**
 * Pulls every report waiting at the edge `options.from` into the registry; see the file's head.
 * Throws RefusedError('pull_failed') with what was stored until then already committed.
 */
export async function pullReports(ctx: IssuerContext, options: PullOptions): Promise<PullResult> {
  const db = ctx.registry.db;
  const source = options.from.href.replace(/\/$/, '');
  const limit = options.pageSize ?? PULL_PAGE;
  const { signer } = await signingKey(ctx);
  const client = new OfficeClient(options.from, signer, ctx, options.timeoutS);
  const result: PullResult = { from: source, stored: [], updated: [], unchanged: 0, cursor: 0, warnings: [] };
  return ctx.registry.exclusive(async () => {
    let { cursor, acked } = reportCursor(db, source);
    // A pull that stored a page and stopped before its ack: tell the edge now.
    if (acked < cursor) {
      await client.ack(cursor);
      setReportAcked(db, source, cursor);
    }
    for (;;) {
      const records = await client.page(cursor, limit);
      if (records.length === 0) break;
      const photos = new Map<string, { bytes: Uint8Array; type: string } | null>();
      for (const record of records) {
        if (!record.hasPhoto || getReportByEdgeId(db, source, record.id)) continue;
        const photo = await client.photo(record.id);
        if (!photo) result.warnings.push(`report ${record.id} had a photo the edge no longer has; stored without it`);
        photos.set(record.id, photo);
      }
      const last = records[records.length - 1]!.cursor;
      const expected = cursor;
      db.transaction(() => {
        if (reportCursor(db, source).cursor !== expected) throw new RefusedError('conflict', 'another reports pull from this edge ran at the same time; run qdyp reports pull again');
        for (const record of records) storeRecord(ctx, source, record, photos.get(record.id) ?? null, result);
        setReportCursor(db, source, last, at(ctx));
      }).immediate();
      cursor = last;
      await client.ack(last);
      setReportAcked(db, source, last);
      if (records.length < limit) break;
    }
    result.cursor = cursor;
    return result;
  });
}

function storeRecord(ctx: IssuerContext, source: string, record: ReportRecord, photo: { bytes: Uint8Array; type: string } | null, result: PullResult): void {
  const db = ctx.registry.db;
  const existing = getReportByEdgeId(db, source, record.id);
  if (existing) {
    if (record.count > existing.count) {
      updateReportCount(db, existing.id, record.count, record.cursor);
      appendAudit(db, { at: at(ctx), actor: ctx.actor, action: 'report.count', subject: reportSubject(existing.id), before: { count: existing.count }, after: { count: record.count } });
      result.updated.push(existing.id);
    } else result.unchanged++;
    return;
  }
  // The serial as this registry reads the seal, not as the edge says it is.
  const serial = record.seal === null ? null : (parseSeal(record.seal)?.serial ?? null);
  const licence = serial === null ? null : (getLicenceBySerial(db, serial)?.number ?? null);
  const report = {
    sourceUrl: source,
    edgeId: record.id,
    cursor: record.cursor,
    source: record.source,
    inspectorId: record.inspectorId,
    seal: record.seal,
    serial,
    licence,
    outcome: record.outcome,
    place: record.place,
    note: record.note,
    observedAt: record.observedAt,
    contactJwe: record.contactJwe,
    receivedAt: record.receivedAt,
    count: record.count,
    pulledAt: at(ctx),
  };
  const id = insertReport(db, { ...report, photo });
  appendAudit(db, { at: at(ctx), actor: ctx.actor, action: 'report.pull', subject: reportSubject(id), after: reportSnapshot({ ...report, photoType: photo?.type ?? null, state: 'new', stateNote: null, stateChangedAt: null }) });
  result.stored.push(id);
}

export function checkTriageState(value: unknown): TriageState {
  if (!TRIAGE_STATES.includes(value as TriageState)) throw new RefusedError('invalid_transition', `a report's state is one of ${TRIAGE_STATES.join(', ')}; "${String(value)}" is not`);
  return value as TriageState;
}

/** A registry report id as typed. */
export function checkReportId(value: unknown): number {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,12}$/.test(text) || Number(text) < 1) throw new RefusedError('unknown_report', `"${String(value)}" is not a report id (a number, as qdyp reports list shows)`);
  return Number(text);
}

export function findReport(ctx: Pick<IssuerContext, 'registry'>, id: unknown): StoredReport {
  const checked = checkReportId(id);
  const report = getReport(ctx.registry.db, checked);
  if (!report) throw new RefusedError('unknown_report', `no report ${checked} in the registry (qdyp reports list shows them)`);
  return report;
}

/** Sets a report's triage state, with an audit event (`report.triage`). */
export async function triageReport(ctx: IssuerContext, id: unknown, state: unknown, note?: string | null): Promise<StoredReport> {
  const checkedId = checkReportId(id);
  const checkedState = checkTriageState(state);
  const why = optionalText('note', note, MAX_FIELD);
  const db = ctx.registry.db;
  return ctx.registry.exclusive(async () =>
    db.transaction(() => {
      const current = findReport(ctx, String(checkedId));
      if (current.state === checkedState && current.stateNote === why) throw new RefusedError('nothing_to_change', `report ${checkedId} is already ${checkedState}`);
      setReportState(db, checkedId, checkedState, why, at(ctx));
      appendAudit(db, {
        at: at(ctx),
        actor: ctx.actor,
        action: 'report.triage',
        subject: reportSubject(checkedId),
        reason: why,
        before: { state: current.state, note: current.stateNote },
        after: { state: checkedState, note: why },
      });
      return getReport(db, checkedId)!;
    }).immediate(),
  );
}
