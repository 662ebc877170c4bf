// GET  /console/reports              the pulled reports, filtered by licence, China-time dates and state
// GET  /console/reports/:id          one report: its fields, photo, contact (opened only with the
//                                    office's contact key, as `qdyp reports show`), the triage form
// GET  /console/reports/:id/photo    the photo's bytes, as stored (JPEG or PNG), never sniffed
// POST /console/reports/:id/triage   set its triage state and note (officers: triageReport)
// Pulling reports from the edge stays at the CLI (`qdyp reports pull`): the page shows the command.

import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { decryptContact } from '../../../core/index.ts';
import { RefusedError } from '../../errors.ts';
import { readContactKey } from '../../issuer/contact-key.ts';
import { findReport, triageReport } from '../../issuer/reports.ts';
import type { Registry } from '../../registry/db.ts';
import { hasReports, reportPhoto, TRIAGE_STATES, type StoredReport, type TriageState } from '../../registry/reports.ts';
import { searchReports } from '../../registry/search.ts';
import { needsRole } from '../app.tsx';
import { attempt, done, frameOf, guardedForm, mayAct, officerContext, page, signedIn, type ConsoleContext, type ConsoleEnv, type ConsoleKit } from '../kit.ts';
import { qdypCommand, type Problem } from '../views/parts.tsx';
import { ReportPage, ReportsPage, TRIAGE_LABEL, type ContactView, type ReportFilterView, type ReportsView, type ReportView } from '../views/reports.tsx';
import { BadQuery, dayRange, licenceNumberParam, queryOffset, queryText } from './query.ts';

export const REPORTS_PAGE = 50;
const TRIAGE_FIELDS = { state: 16, note: 2000 };
/** Photo types the registry stores (issuer/reports.ts photoType); anything else is not served as an image. */
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png']);

/** The report `id` names, or a 404 (a malformed id or none such: the same page). */
function reportOr404(kit: ConsoleKit, id: string): StoredReport {
  if (!hasReports(kit.registry.db)) throw new HTTPException(404);
  try {
    return findReport({ registry: kit.registry }, id);
  } catch (error) {
    if (error instanceof RefusedError) throw new HTTPException(404);
    throw error;
  }
}

/** The contact as `qdyp reports show` reads it: opened only with the contact key, if the registry has one. */
async function contactOf(registry: Registry, report: StoredReport): Promise<ContactView> {
  if (report.contactJwe === null) return { kind: 'none' };
  let key;
  try {
    key = readContactKey(registry);
  } catch (error) {
    if (error instanceof RefusedError) return { kind: 'sealed', problem: error.message };
    throw error;
  }
  if (!key) return { kind: 'sealed', problem: 'this registry has no contact key to open it (qdyp keys contact-key)' };
  try {
    return { kind: 'opened', text: await decryptContact(report.contactJwe, key) };
  } catch {
    return { kind: 'sealed', problem: 'encrypted to another contact key (replaced?); it cannot be read here' };
  }
}

async function reportPage(kit: ConsoleKit, c: ConsoleContext, report: StoredReport, status: ContentfulStatusCode, refused?: { problem: Problem; typed: { state: string; note: string } }) {
  const view: ReportView = { report, contact: await contactOf(kit.registry, report), mayTriage: mayAct(signedIn(c), 'officer'), ...refused };
  return page(c, status, <ReportPage frame={frameOf(c, 'reports')} view={view} />);
}

export function reportRoutes(app: Hono<ConsoleEnv>, kit: ConsoleKit): void {
  const pullCommand = qdypCommand(kit.registry.dbPath, ['reports', 'pull']);

  app.get('/console/reports', (c) => {
    let filter: ReportFilterView = { licence: '', from: '', to: '', state: '' };
    try {
      filter = { licence: queryText(c, 'licence'), from: queryText(c, 'from'), to: queryText(c, 'to'), state: queryText(c, 'state') };
      const offset = queryOffset(c);
      const licence = licenceNumberParam(filter.licence);
      if (filter.state !== '' && !TRIAGE_STATES.includes(filter.state as TriageState)) {
        throw new BadQuery(`处理状态是 ${TRIAGE_STATES.map((s) => `${s}（${TRIAGE_LABEL[s]}）`).join('、')} 之一，“${filter.state}”不是。`);
      }
      const range = dayRange(filter.from, filter.to);
      const result = searchReports(
        kit.registry.db,
        { ...(licence ? { licence } : {}), ...(filter.state ? { state: filter.state as TriageState } : {}), ...range },
        { limit: REPORTS_PAGE, offset },
      );
      const view: ReportsView = { filter, result, offset, limit: REPORTS_PAGE, pullCommand };
      return page(c, 200, <ReportsPage frame={frameOf(c, 'reports')} view={view} />);
    } catch (error) {
      if (!(error instanceof BadQuery) && !(error instanceof RefusedError)) throw error;
      const problem = { text: error.message, english: error instanceof RefusedError };
      const view: ReportsView = { filter, result: null, offset: 0, limit: REPORTS_PAGE, pullCommand, problem };
      return page(c, 400, <ReportsPage frame={frameOf(c, 'reports')} view={view} />);
    }
  });

  app.get('/console/reports/:id', async (c) => reportPage(kit, c, reportOr404(kit, c.req.param('id')), 200));

  app.get('/console/reports/:id/photo', (c) => {
    const report = reportOr404(kit, c.req.param('id'));
    const photo = reportPhoto(kit.registry.db, report.id);
    if (!photo) throw new HTTPException(404);
    const image = PHOTO_TYPES.has(photo.type);
    return c.body(photo.bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': image ? photo.type : 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'",
      // Not an image the registry recognises: never shown inline.
      ...(image ? {} : { 'content-disposition': `attachment; filename="report-${report.id}-photo"` }),
    });
  });

  app.post('/console/reports/:id/triage', needsRole('officer'), async (c) => {
    const report = reportOr404(kit, c.req.param('id') ?? '');
    const form = await guardedForm(kit, c, TRIAGE_FIELDS);
    const note = form.note.trim();
    // A triage is the registry's own business: nothing the edge serves changes.
    const result = await attempt(kit, () => triageReport(officerContext(kit, c), String(report.id), form.state, note === '' ? null : note), { changes: false });
    if (!result.ok) {
      return reportPage(kit, c, report, result.code === 'nothing_to_change' ? 409 : 422, { problem: { text: result.message, english: true }, typed: { state: form.state, note: form.note } });
    }
    return done(c, `/reports/${report.id}`, { ok: `举报 ${report.id} 的处理状态已设为“${TRIAGE_LABEL[result.value.state]}”。` });
  });
}
