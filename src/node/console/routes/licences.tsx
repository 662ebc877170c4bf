// The console's licences: search and filter, issue, one licence's page with its history and
// downloads, its lifecycle actions (update, renew, reseal, suspend, reinstate, revoke), and the
// revocation of a filtered list (at once up to BULK_REVOKE_LIMIT licences, beyond that a request
// a second officer confirms).
//
//   GET  /console/licences                        the list (filters in the query, 50 a page)
//   GET  /console/licences/new                    the issue form
//   POST /console/licences                        issue
//   GET  /console/licences/bulk                   bulk revocations waiting for a second officer
//   POST /console/licences/bulk                   revoke the filtered list (or request it)
//   GET  /console/licences/bulk/:id               one request: its licence numbers, confirm, cancel
//   POST /console/licences/bulk/:id/confirm|cancel
//   GET  /console/licences/:number                the licence
//   GET  /console/licences/:number/artwork.svg|artwork.png|certificate.pdf
//   POST /console/licences/:number/suspend|reinstate|revoke|renew|update|reseal
//
// Every change goes through the issuer as the CLI's commands do (the same checks, the same
// refusals, shown as the CLI prints them), audited as `officer:NAME`, then published.

import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { cstDate, isRegionCode, LICENCE_STATUSES, MESSAGES, SECTORS, TIERS, type CalendarDate, type LicenceStatus, type Sector, type Tier } from '../../../core/index.ts';
import { DAMAGED_TEXT } from '../../accounts/index.ts';
import { ArtworkError, renderArtwork, type ArtworkFormat } from '../../artwork/index.ts';
import { RefusedError } from '../../errors.ts';
import {
  BULK_REVOKE_LIMIT,
  BULK_REVOKE_MAX,
  cancelBulkRevocation,
  checkBulkId,
  checkReason,
  confirmBulkRevocation,
  getBulkRevocation,
  issueLicences,
  licenceSealUrl,
  LIMITS,
  listBulkRevocations,
  needsSecondOfficer,
  referenceTaken,
  reinstateLicence,
  renewLicence,
  requestBulkRevocation,
  resealLicence,
  revokeLicence,
  revokeLicences,
  suspendLicence,
  updateLicence,
  type BulkRevocationRecord,
  type IssueInput,
  type IssuerContext,
  type LicenceChanges,
} from '../../issuer/index.ts';
import { hasBulkRevocations } from '../../registry/bulk.ts';
import type { Db } from '../../registry/db.ts';
import { getLicence, listPeriods, type LicenceRecord } from '../../registry/licences.ts';
import { licenceRegions, listBatches, MAX_PAGE, searchAudit, searchLicences, type LicenceSearch } from '../../registry/search.ts';
import { needsRole } from '../app.tsx';
import { FILTER_CAPS, LICENCE_FILTER_FIELDS, readLicenceFilter, type LicenceFilterReading } from '../filters.ts';
import { attempt, done, frameOf, guardedForm, mayAct, officerContext, page, signedIn, type ConsoleContext, type ConsoleEnv, type ConsoleKit } from '../kit.ts';
import { refusalStatus } from '../refusals.ts';
import { BulkListPage, BulkPage, IssuePage, LicenceListPage, LicencePage, type BulkOffer, type FilterParams, type IssueValues, type LicenceAction } from '../views/licences.tsx';
import type { Problem } from '../views/parts.tsx';
import { daysField, readOffset } from './query.ts';

const zh = MESSAGES['zh-CN'];
const PAGE_SIZE = 50;
const HISTORY_SIZE = 50;
/** A path segment longer than any licence number can be is not looked up. */
const MAX_NUMBER_PARAM = 64;
const FILE_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

// The filter (the list's query, the bulk form's hidden fields, the CSV export): ../filters.ts

function hasFilter(params: FilterParams): boolean {
  return Object.values(params).some((v) => v !== undefined && v !== '');
}

// --- Helpers ----------------------------------------------------------------------------------

/** The issuer's refusal (English, as the CLI prints it), after our words of what was not done. */
function refusal(message: string, lead = '操作被拒绝，没有做任何更改：'): Problem {
  return { lead, text: message, english: true };
}

/** Our own words (zh-CN). */
function said(text: string): Problem {
  return { text, english: false };
}

/** A textarea's list: one item a line, surrounding spaces dropped, blank lines left out. */
function splitLines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function blank(text: string): string | undefined {
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * The textarea fields of the form guardedForm has read (the body is kept): line breaks are
 * theirs, which the single-line fields refuse. Capped and sent once each, like those; what the
 * lines hold is checked by the issuer, which names the problem.
 */
async function lineFields<K extends string>(c: ConsoleContext, caps: Record<K, number>): Promise<Record<K, string>> {
  const fields = {} as Record<K, string>;
  for (const name of Object.keys(caps) as K[]) fields[name] = '';
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(await c.req.text())) {
    if (!Object.hasOwn(caps, name)) continue;
    if (seen.has(name) || value.length > caps[name as K]) throw new HTTPException(400);
    seen.add(name);
    fields[name as K] = value;
  }
  return fields;
}

function pick<K extends string>(form: Record<K, string>, caps: Record<K, number>): Record<K, string> {
  return Object.fromEntries((Object.keys(caps) as K[]).map((k) => [k, form[k]])) as Record<K, string>;
}

function licencePath(number: string): string {
  return `/licences/${number}`;
}

/** The licence a path names (case and surrounding spaces do not matter), or 404. */
function licenceParam(c: ConsoleContext, kit: ConsoleKit): LicenceRecord {
  const raw = c.req.param('number') ?? '';
  if (raw.length > MAX_NUMBER_PARAM) throw new HTTPException(404);
  const licence = getLicence(kit.registry.db, raw.trim().toUpperCase());
  if (!licence) throw new HTTPException(404);
  return licence;
}

/** Artwork as `qdyp artwork` draws it: from the seal URL and the document signed at issuance. */
function artworkOf(kit: ConsoleKit, licence: LicenceRecord, format: ArtworkFormat, size: { sizeMm?: number; dpi?: number } = {}) {
  return renderArtwork({
    format,
    ...size,
    sealUrl: licenceSealUrl(kit.registry, licence),
    licenceDocument: licence.document,
    holderAddress: licence.holder.address ?? undefined,
  });
}

function pendingBulkCount(db: Db): number {
  return hasBulkRevocations(db) ? listBulkRevocations(db, { state: 'pending' }).length : 0;
}

// --- Bulk revocation of a filtered list ---------------------------------------------------------

/** The statuses a revocation can apply to, within the filter. */
function liveStatuses(filter: LicenceSearch): LicenceStatus[] {
  if (filter.status === 'revoked') return [];
  return filter.status === undefined ? ['valid', 'suspended'] : [filter.status];
}

/** The numbers of the filter's licences that are not revoked, sorted; null when more than BULK_REVOKE_MAX. */
function revocableNumbers(db: Db, filter: LicenceSearch): string[] | null {
  const statuses = liveStatuses(filter);
  const count = statuses.reduce((n, status) => n + searchLicences(db, { ...filter, status }, { limit: 1, offset: 0 }).total, 0);
  if (count > BULK_REVOKE_MAX) return null;
  if (count === 0) return [];
  const numbers: string[] = [];
  for (const status of statuses) {
    for (let offset = 0; ; offset += MAX_PAGE) {
      const found = searchLicences(db, { ...filter, status }, { limit: MAX_PAGE, offset });
      numbers.push(...found.licences.map((l) => l.number));
      if (offset + MAX_PAGE >= found.total) break;
    }
  }
  return numbers.sort();
}

/** Names exactly these numbers: the form is refused if the results changed since it was shown. */
function fingerprint(numbers: readonly string[]): string {
  return `${numbers.length}.${createHash('sha256').update(numbers.join('\n')).digest('hex').slice(0, 32)}`;
}

function bulkOffer(db: Db, filter: LicenceSearch, total: number): BulkOffer | undefined {
  const numbers = revocableNumbers(db, filter);
  if (numbers === null || numbers.length === 0) return undefined;
  return { count: numbers.length, expect: fingerprint(numbers), revoked: total - numbers.length, limit: BULK_REVOKE_LIMIT };
}

// --- Pages ------------------------------------------------------------------------------------

async function renderList(
  c: ConsoleContext,
  kit: ConsoleKit,
  reading: LicenceFilterReading,
  offset: number | null,
  status: ContentfulStatusCode,
  extra: { problem?: Problem; bulkReason?: string } = {},
): Promise<Response> {
  const db = kit.registry.db;
  const today = cstDate(kit.clock());
  const canAct = mayAct(signedIn(c), 'officer');
  const common = {
    frame: frameOf(c, 'licences'),
    params: reading.params,
    batches: listBatches(db),
    regionCounts: new Map(licenceRegions(db).map((r) => [r.region, r.count])),
    today,
    canAct,
    pendingBulk: pendingBulkCount(db),
  };
  if (!reading.ok) return page(c, 400, <LicenceListPage {...common} problem={said(`${reading.problem}没有进行查找，请改正筛选条件。`)} />);
  if (offset === null) return page(c, 400, <LicenceListPage {...common} problem={said('分页参数不对：offset 须为不小于 0 的整数。')} />);
  const found = await attempt(kit, async () => searchLicences(db, reading.filter, { limit: PAGE_SIZE, offset }), { changes: false });
  if (!found.ok) return page(c, 400, <LicenceListPage {...common} problem={refusal(found.message, '筛选条件不对：')} />);
  const bulk = canAct && hasFilter(reading.params) ? bulkOffer(db, reading.filter, found.value.total) : undefined;
  return page(
    c,
    status,
    <LicenceListPage {...common} result={{ ...found.value, offset, limit: PAGE_SIZE }} bulk={bulk} problem={extra.problem} bulkReason={extra.bulkReason} />,
  );
}

async function renderLicence(
  c: ConsoleContext,
  kit: ConsoleKit,
  licence: LicenceRecord,
  status: ContentfulStatusCode,
  problem?: Problem,
  typed?: { action: LicenceAction; values: Record<string, string> },
): Promise<Response> {
  const db = kit.registry.db;
  const sealUrl = licenceSealUrl(kit.registry, licence);
  const scanUrl = kit.verifyOrigin ? `${kit.verifyOrigin.replace(/\/+$/, '')}/V/${licence.seal}` : sealUrl;
  let qrDataUrl: string | null = null;
  let qrProblem: string | undefined;
  try {
    const svg = await artworkOf(kit, licence, 'svg');
    qrDataUrl = `data:image/svg+xml;base64,${Buffer.from(svg.bytes).toString('base64')}`;
  } catch (error) {
    if (!(error instanceof ArtworkError)) throw error;
    qrProblem = error.zh;
  }
  const offset = c.req.method === 'GET' ? (readOffset(c) ?? 0) : 0;
  const history = searchAudit(db, { licence: licence.number }, { limit: HISTORY_SIZE, offset });
  return page(
    c,
    status,
    <LicencePage
      frame={frameOf(c, 'licences')}
      licence={licence}
      today={cstDate(kit.clock())}
      sealUrl={sealUrl}
      scanUrl={scanUrl}
      qrDataUrl={qrDataUrl}
      qrProblem={qrProblem}
      periods={listPeriods(db, licence.serial)}
      history={{ ...history, offset, limit: HISTORY_SIZE }}
      canAct={mayAct(signedIn(c), 'officer')}
      problem={problem}
      typed={typed}
    />,
  );
}

/** The bulk revocation a path names (its id, as the issuer reads one), or 404. */
function bulkParam(c: ConsoleContext, kit: ConsoleKit): BulkRevocationRecord {
  let id: number;
  try {
    id = checkBulkId(c.req.param('id') ?? '');
  } catch (error) {
    if (error instanceof RefusedError) throw new HTTPException(404);
    throw error;
  }
  const db = kit.registry.db;
  const bulk = hasBulkRevocations(db) ? getBulkRevocation(db, id) : undefined;
  if (!bulk) throw new HTTPException(404);
  return bulk;
}

function renderBulk(c: ConsoleContext, bulk: BulkRevocationRecord, status: ContentfulStatusCode, problem?: Problem): Promise<Response> {
  return page(c, status, <BulkPage frame={frameOf(c, 'licences')} bulk={bulk} canAct={mayAct(signedIn(c), 'officer')} problem={problem} />);
}

// --- The licence's actions ------------------------------------------------------------------

const ACTION_CAPS = { reason: 2000, confirm: 4, until: 32, from: 32, chain: 400, 'clear-chain': 4, 'clear-trademarks': 4, region: 16 };
const ACTION_LINE_CAPS = { products: 24_000, trademarks: 12_000 };
type ActionForm = Record<keyof typeof ACTION_CAPS | keyof typeof ACTION_LINE_CAPS, string>;

type ActionPlan = { run: (ctx: IssuerContext) => Promise<LicenceRecord>; ok: (licence: LicenceRecord) => string } | { problem: Problem };

/** What the form asks of the issuer, read as the CLI's command reads its options. */
function planAction(action: LicenceAction, number: string, form: ActionForm): ActionPlan {
  switch (action) {
    case 'suspend':
      return { run: (ctx) => suspendLicence(ctx, number, form.reason), ok: (l) => `授权 ${l.number} 已暂停：扫码页面将显示“已暂停”。` };
    case 'reinstate':
      return { run: (ctx) => reinstateLicence(ctx, number, form.reason), ok: (l) => `授权 ${l.number} 已恢复。` };
    case 'revoke':
      if (form.confirm !== '1') return { problem: said('请勾选“我确认撤销不可恢复”：授权没有撤销。') };
      return { run: (ctx) => revokeLicence(ctx, number, form.reason), ok: (l) => `授权 ${l.number} 已撤销。` };
    case 'renew':
      return {
        run: (ctx) => renewLicence(ctx, number, { validUntil: form.until.trim(), validFrom: blank(form.from) }, form.reason),
        ok: (l) => `授权 ${l.number} 已续期：有效期 ${l.validFrom} 至 ${l.validUntil}；签章不变，不需要重新印刷。`,
      };
    case 'reseal':
      return { run: (ctx) => resealLicence(ctx, number, form.reason), ok: (l) => `授权 ${l.number} 已用密钥 ${l.sealKid} 重新签章：二维码已改变，请下载新的二维码并重新印刷。` };
    case 'update': {
      // An empty field leaves that part as it is; a list given replaces the list; chain and
      // region can be cleared (as `--chain ""` and `--region ""` do), and so can the trademarks.
      const changes: LicenceChanges = {};
      const products = splitLines(form.products);
      if (products.length > 0) changes.products = products;
      const trademarks = splitLines(form.trademarks);
      if (form['clear-trademarks'] === '1') {
        if (trademarks.length > 0) return { problem: said('请填写新的商标，或者勾选“清除全部商标”，不要两样都做。没有做任何更改。') };
        changes.trademarks = [];
      } else if (trademarks.length > 0) changes.trademarks = trademarks;
      const chain = blank(form.chain);
      if (form['clear-chain'] === '1') {
        if (chain !== undefined) return { problem: said('请填写新的产业链，或者勾选“清除产业链”，不要两样都做。没有做任何更改。') };
        changes.chain = null;
      } else if (chain !== undefined) changes.chain = chain;
      if (form.region === 'none') changes.region = null;
      else if (form.region !== '') changes.region = form.region;
      if (Object.keys(changes).length === 0) return { problem: refusal('nothing to update: give products, trademarks, a chain or a region', '没有要更新的内容：') };
      return { run: (ctx) => updateLicence(ctx, number, changes, form.reason), ok: (l) => `授权 ${l.number} 的内容已更新；签章不变。` };
    }
  }
}

// --- Routes -------------------------------------------------------------------------------------

const ISSUE_CAPS = { holder: 100, tier: 40, sector: 40, chain: 400, region: 16, from: 32, until: 32, days: 16, batch: 400, ref: 400, reason: 2000 };
const ISSUE_LINE_CAPS = { products: 24_000, trademarks: 12_000 };
const DOWNLOADS: [file: string, format: ArtworkFormat, size: { sizeMm?: number; dpi?: number }][] = [
  ['artwork.svg', 'svg', {}],
  ['artwork.png', 'png', { sizeMm: 30, dpi: 600 }],
  ['certificate.pdf', 'pdf', {}],
];
const ACTIONS: readonly LicenceAction[] = ['suspend', 'reinstate', 'revoke', 'renew', 'update', 'reseal'];

export function licenceRoutes(app: Hono<ConsoleEnv>, kit: ConsoleKit): void {
  const db = kit.registry.db;

  app.get('/console/licences', (c) => {
    const reading = readLicenceFilter((name) => c.req.queries(name), cstDate(kit.clock()));
    return renderList(c, kit, reading, readOffset(c), 200);
  });

  // --- Issuing ---

  app.get('/console/licences/new', needsRole('officer'), (c) => page(c, 200, <IssuePage frame={frameOf(c, 'licences')} values={{}} />));

  app.post('/console/licences', needsRole('officer'), async (c) => {
    const form = await guardedForm(kit, c, ISSUE_CAPS);
    const lines = await lineFields(c, ISSUE_LINE_CAPS);
    const values: IssueValues = { ...pick(form, ISSUE_CAPS), ...lines };
    const again = (status: ContentfulStatusCode, problem: Problem) => page(c, status, <IssuePage frame={frameOf(c, 'licences')} values={values} problem={problem} />);
    const days = daysField(form.days);
    if (days === null) return again(422, refusal('the number of valid days must be a whole number', '没有签发：'));
    const trademarks = splitLines(lines.trademarks);
    const input: IssueInput = {
      holder: form.holder,
      tier: form.tier,
      sector: form.sector,
      chain: blank(form.chain),
      products: splitLines(lines.products),
      trademarks: trademarks.length > 0 ? trademarks : undefined,
      // As `--region`: left out, the holder's; "none" is `--region ""`.
      region: form.region === '' ? undefined : form.region === 'none' ? null : form.region,
      validFrom: blank(form.from),
      validUntil: blank(form.until),
      validDays: days,
      batch: blank(form.batch),
      ref: blank(form.ref),
      reason: blank(form.reason),
    };
    const warnings: string[] = [];
    const ctx = officerContext(kit, c, warnings);
    const result = await attempt(kit, async () => {
      const [issued] = await issueLicences(ctx, [input]);
      const { licence, created, differences } = issued!;
      // As `qdyp licence issue`: the same (batch, ref) with other terms is refused.
      if (differences.length > 0) throw referenceTaken(licence, differences);
      return { licence, created };
    });
    if (!result.ok) return again(refusalStatus(result.code), refusal(result.message, '没有签发：'));
    const { licence, created } = result.value;
    if (!created) return done(c, licencePath(licence.number), { ok: `没有重复签发：批次 ${licence.batch} 中的编号 ${licence.ref} 已签发为授权 ${licence.number}。` });
    const message = `已签发授权 ${licence.number}。`;
    return done(c, licencePath(licence.number), warnings.length > 0 ? { warn: `${message} ${warnings.join(' ')}` } : { ok: message });
  });

  // --- Bulk revocation ---

  app.get('/console/licences/bulk', (c) => {
    const all = hasBulkRevocations(db) ? listBulkRevocations(db) : [];
    return page(
      c,
      200,
      <BulkListPage frame={frameOf(c, 'licences')} pending={all.filter((b) => b.state === 'pending')} decided={all.filter((b) => b.state !== 'pending').slice(0, 20)} />,
    );
  });

  app.post('/console/licences/bulk', needsRole('officer'), async (c) => {
    const form = await guardedForm(kit, c, { ...FILTER_CAPS, expect: 80, reason: 2000, confirm: 4 });
    const reading = readLicenceFilter((name) => (form[name] === '' ? [] : [form[name]]), cstDate(kit.clock()));
    const again = (status: ContentfulStatusCode, problem: Problem) => renderList(c, kit, reading, 0, status, { problem, bulkReason: form.reason });
    if (!reading.ok) return renderList(c, kit, reading, 0, 400);
    if (!hasFilter(reading.params)) return again(400, said('批量撤销只针对筛选结果：请先设定筛选条件。没有撤销任何授权。'));
    const numbers = revocableNumbers(db, reading.filter);
    if (numbers === null) return again(422, said(`筛选结果超过 ${BULK_REVOKE_MAX} 个授权，不能一次批量撤销：请缩小筛选范围。没有撤销任何授权。`));
    if (numbers.length === 0) return again(409, said('筛选结果中已经没有可撤销的授权，没有做任何更改。'));
    if (fingerprint(numbers) !== form.expect) {
      return again(409, said('筛选结果在你打开页面之后有了变化，没有撤销任何授权。请查看下面的新结果，再决定是否提交。'));
    }
    if (form.confirm !== '1') return again(422, said('请勾选“我确认撤销不可恢复”。没有撤销任何授权。'));
    const reason = await attempt(kit, async () => checkReason(form.reason, true), { changes: false });
    if (!reason.ok) return again(422, refusal(reason.message, '没有撤销任何授权：'));
    const ctx = officerContext(kit, c);

    if (needsSecondOfficer(numbers.length)) {
      const requested = await attempt(kit, () => requestBulkRevocation(ctx, numbers, form.reason), { changes: false });
      if (!requested.ok) return again(refusalStatus(requested.code), refusal(requested.message, '批量撤销没有提交：'));
      return done(c, `/licences/bulk/${requested.value.id}`, {
        ok: `批量撤销申请 #${requested.value.id} 已提交（${numbers.length} 个授权）：须由另一位主管确认后才会撤销。`,
      });
    }
    const result = await attempt(kit, () => revokeLicences(ctx, numbers, form.reason));
    if (!result.ok) return again(refusalStatus(result.code), refusal(result.message, '没有撤销任何授权：'));
    const { revoked } = result.value;
    const refused = result.value.refused.map((r) => `${r.number}: ${r.message}`);
    const summary = `已撤销 ${revoked.length} 个授权${revoked.length > 0 ? `：${revoked.join('、')}` : ''}。`;
    return done(c, '/licences', refused.length === 0 ? { ok: summary } : { warn: `${summary} ${refused.length} 个没有撤销：${refused.join('; ')}` }, reading.params);
  });

  app.get('/console/licences/bulk/:id', (c) => renderBulk(c, bulkParam(c, kit), 200));

  app.post('/console/licences/bulk/:id/confirm', needsRole('officer'), async (c) => {
    const bulk = bulkParam(c, kit);
    await guardedForm(kit, c, {});
    const result = await attempt(kit, () => confirmBulkRevocation(officerContext(kit, c), bulk.id));
    if (!result.ok) return renderBulk(c, getBulkRevocation(db, bulk.id)!, refusalStatus(result.code), refusal(result.message, '没有确认：'));
    const outcome = result.value.outcome!;
    const summary = `批量撤销 #${bulk.id} 已确认：撤销 ${outcome.revoked} 个授权，此前已撤销 ${outcome.alreadyRevoked} 个。`;
    return done(c, `/licences/bulk/${bulk.id}`, outcome.refused === 0 ? { ok: summary } : { warn: `${summary} ${outcome.refused} 个未能撤销（见下表）。` });
  });

  app.post('/console/licences/bulk/:id/cancel', needsRole('officer'), async (c) => {
    const bulk = bulkParam(c, kit);
    const form = await guardedForm(kit, c, { reason: 2000 });
    const result = await attempt(kit, () => cancelBulkRevocation(officerContext(kit, c), bulk.id, form.reason), { changes: false });
    if (!result.ok) return renderBulk(c, getBulkRevocation(db, bulk.id)!, refusalStatus(result.code), refusal(result.message, '没有取消：'));
    return done(c, `/licences/bulk/${bulk.id}`, { ok: `批量撤销 #${bulk.id} 已取消，没有撤销任何授权。` });
  });

  // --- One licence ---

  for (const [file, format, size] of DOWNLOADS) {
    app.get(`/console/licences/:number/${file}`, async (c) => {
      const licence = licenceParam(c, kit);
      try {
        const rendered = await artworkOf(kit, licence, format, size);
        return c.body(rendered.bytes as Uint8Array<ArrayBuffer>, 200, {
          'content-type': rendered.mediaType,
          'content-disposition': `attachment; filename="${rendered.fileName}"`,
          'content-security-policy': FILE_CSP,
        });
      } catch (error) {
        if (!(error instanceof ArtworkError)) throw error;
        return renderLicence(c, kit, licence, 422, refusal(error.en, `无法生成文件：${error.zh}`));
      }
    });
  }

  app.get('/console/licences/:number', (c) => renderLicence(c, kit, licenceParam(c, kit), 200));

  for (const action of ACTIONS) {
    app.post(`/console/licences/:number/${action}`, needsRole('officer'), async (c) => {
      const licence = licenceParam(c, kit);
      const form = await guardedForm(kit, c, ACTION_CAPS);
      const lines = await lineFields(c, ACTION_LINE_CAPS);
      const fields: ActionForm = { ...pick(form, ACTION_CAPS), ...lines };
      const typed = { action, values: { ...fields, confirm: '' } };
      const plan = planAction(action, licence.number, fields);
      if ('problem' in plan) return renderLicence(c, kit, licence, 422, plan.problem, typed);
      const warnings: string[] = [];
      const ctx = officerContext(kit, c, warnings);
      const result = await attempt(kit, () => plan.run(ctx));
      if (!result.ok) return renderLicence(c, kit, getLicence(db, licence.number) ?? licence, refusalStatus(result.code), refusal(result.message), typed);
      const message = plan.ok(result.value);
      return done(c, licencePath(licence.number), warnings.length > 0 ? { warn: `${message} ${warnings.join(' ')}` } : { ok: message });
    });
  }
}
