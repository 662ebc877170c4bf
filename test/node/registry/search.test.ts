// The authority console's read-only queries (registry/search.ts) against a real registry made
// through the issuer API: every licence filter and their combinations, paging totals, LIKE
// wildcards in holder names taken literally, the expiry window on the current validity period,
// the audit log by holder, actor, action and time, reports, and publication state.
import { beforeAll, describe, expect, it } from 'vitest';
import { addDays, cstDate } from '../../../src/core/index.ts';
import { addHolder, issueLicences, renewLicence, revokeLicence, suspendLicence, type IssueInput, type IssuerContext } from '../../../src/node/issuer/index.ts';
import { publishLocal } from '../../../src/node/publish.ts';
import { listAudit } from '../../../src/node/registry/audit.ts';
import { listLicences, type LicenceRecord } from '../../../src/node/registry/licences.ts';
import { insertReport, setReportState, type NewReport } from '../../../src/node/registry/reports.ts';
import {
  allHoldersMatching,
  allLicencesMatching,
  auditActions,
  auditActors,
  containsPattern,
  lastPublication,
  licenceRegions,
  licenceStats,
  listBatches,
  reportsWaiting,
  searchAudit,
  searchHolders,
  searchLicences,
  searchReports,
  type LicenceSearch,
} from '../../../src/node/registry/search.ts';
import { usccCheckCharacter } from '../../../src/node/uscc.ts';
import { apiRegistry, NOW, USCC } from '../support.ts';

const TODAY = cstDate(new Date(NOW)); // 2026-11-27
const D = (() => {
  const first = '91370200MA3C5X8Y1';
  return first + usccCheckCharacter(first);
})();

const ALL = { limit: 100, offset: 0 };
const numberOf = (serial: number) => `QDYP-2026-${String(serial).padStart(6, '0')}`;
const serials = (licences: LicenceRecord[]) => licences.map((l) => l.serial);

let ctx: IssuerContext & { dir: string };
/** Later instants, each its own actor where it matters (the audit filters). */
const SUSPEND_AT = '2026-11-28T01:00:00.000Z';
const REVOKE_AT = '2026-11-29T01:00:00.000Z';
const RENEW_AT = '2026-11-30T01:00:00.000Z';

const base = (holder: string, extra: Partial<IssueInput>): IssueInput => ({ holder, tier: 'product', sector: 'agriculture', products: ['海参礼盒'], validUntil: '2028-12-31', ...extra });

beforeAll(async () => {
  ctx = await apiRegistry();
  await addHolder(ctx, { uscc: USCC.a, name: '青岛海滨食品有限公司', region: '370211' });
  // Wildcards and the escape character, literally, in a name.
  await addHolder(ctx, { uscc: USCC.b, name: '百分百%纯_海产\\公司', region: '370202' });
  // What the unescaped pattern %纯_海 would also match.
  await addHolder(ctx, { uscc: USCC.c, name: '百分百X纯Y海产公司', region: '370285' });
  await addHolder(ctx, { uscc: D, name: 'Laoshan Beer Co', region: '370212' });
  // TODAY + 90 = 2027-02-25.
  await issueLicences(ctx, [
    /* 1 */ base(USCC.a, { batch: '2024-1', ref: '1' }),
    /* 2 */ base(USCC.a, { tier: 'enterprise', sector: 'manufacturing', region: '370200', validUntil: '2027-01-15', batch: '2024-1', ref: '2' }),
    /* 3 */ base(USCC.b, { sector: 'marine', validUntil: '2027-02-25' }),
    /* 4 */ base(USCC.b, { tier: 'industry', sector: 'services', region: null, validUntil: '2026-11-30' }),
    /* 5 */ base(USCC.c, { tier: 'region', sector: 'marine', validUntil: '2027-02-26', batch: '2025-A', ref: 'x' }),
    /* 6 */ base(USCC.c, { validUntil: '2026-12-27' }), // suspended below: not "expiring"
    /* 7 */ base(USCC.a, { validUntil: '2027-01-01' }), // revoked below
    /* 8 */ base(USCC.c, { sector: 'services', validFrom: '2025-01-01', validUntil: '2026-11-26' }), // expired yesterday
    /* 9 */ base(USCC.c, { validFrom: '2025-01-01', validUntil: '2026-11-01' }), // suspended below, its period over
    /* 10 */ base(USCC.a, { validUntil: '2027-01-10' }), // renewed below past the window
    /* 11 */ base(D, { tier: 'enterprise', sector: 'manufacturing', validUntil: TODAY }), // ends today: in the window
  ]);
  await suspendLicence({ ...ctx, now: new Date(SUSPEND_AT), actor: 'officer-2' }, numberOf(6), 'label misuse');
  await suspendLicence({ ...ctx, now: new Date(SUSPEND_AT), actor: 'officer-2' }, numberOf(9), 'label misuse');
  await revokeLicence({ ...ctx, now: new Date(REVOKE_AT) }, numberOf(7), 'closed down');
  await renewLicence({ ...ctx, now: new Date(RENEW_AT) }, numberOf(10), { validUntil: '2028-06-30' });
});

describe('searchLicences', () => {
  const search = (filter: LicenceSearch) => serials(searchLicences(ctx.registry.db, filter, ALL).licences);

  it('returns every licence, newest first, as the registry reads it', () => {
    const { total, licences } = searchLicences(ctx.registry.db, {}, ALL);
    expect(total).toBe(11);
    expect(serials(licences)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    // The same records listLicences gives (current period, holder name, status).
    expect([...licences].reverse()).toEqual(listLicences(ctx.registry.db));
    expect(licences.find((l) => l.serial === 10)).toMatchObject({ validUntil: '2028-06-30', status: 'valid' });
  });

  it('pages with the total of all matches', () => {
    const page = searchLicences(ctx.registry.db, {}, { limit: 3, offset: 3 });
    expect(page.total).toBe(11);
    expect(serials(page.licences)).toEqual([8, 7, 6]);
    const last = searchLicences(ctx.registry.db, { status: 'valid' }, { limit: 4, offset: 4 });
    expect(last.total).toBe(8);
    expect(serials(last.licences)).toEqual([4, 3, 2, 1]);
    expect(searchLicences(ctx.registry.db, {}, { limit: 5, offset: 20 })).toEqual({ total: 11, licences: [] });
  });

  it('refuses a page it cannot serve', () => {
    expect(() => searchLicences(ctx.registry.db, {}, { limit: 0, offset: 0 })).toThrow(RangeError);
    expect(() => searchLicences(ctx.registry.db, {}, { limit: 10, offset: -1 })).toThrow(RangeError);
    expect(() => searchLicences(ctx.registry.db, {}, { limit: 1.5, offset: 0 })).toThrow(RangeError);
  });

  it('text: a licence number exactly or as a prefix, in any case', () => {
    expect(search({ text: numberOf(3) })).toEqual([3]);
    expect(search({ text: 'qdyp-2026-000001' })).toEqual([1]);
    expect(search({ text: ' qdyp-2026-00001 ' })).toEqual([11, 10]);
    expect(search({ text: 'QDYP-2026-' })).toHaveLength(11);
    expect(search({ text: 'QDYP-2027' })).toEqual([]);
    expect(search({ text: '2026-000001' })).toEqual([]); // a prefix, not any part
  });

  it('text: a holder USCC exactly (upper-cased)', () => {
    expect(search({ text: USCC.c.toLowerCase() })).toEqual([9, 8, 6, 5]);
    expect(search({ text: USCC.c.slice(0, 17) })).toEqual([]);
  });

  it('text: part of a holder name, %, _ and \\ taken literally', () => {
    expect(search({ text: '海滨' })).toEqual([10, 7, 2, 1]);
    expect(search({ text: 'laoshan' })).toEqual([11]);
    expect(search({ text: '%' })).toEqual([4, 3]);
    expect(search({ text: '_' })).toEqual([4, 3]);
    expect(search({ text: '\\' })).toEqual([4, 3]);
    expect(search({ text: '%纯_海' })).toEqual([4, 3]); // not 百分百X纯Y海产公司
    expect(search({ text: '纯Y海' })).toEqual([9, 8, 6, 5]);
    expect(search({ text: '百分百' })).toEqual([9, 8, 6, 5, 4, 3]);
    expect(search({ text: '   ' })).toHaveLength(11); // no text filter
  });

  it('batch, tier, sector, region and status', () => {
    expect(search({ batch: '2024-1' })).toEqual([2, 1]);
    expect(search({ batch: '2025-A' })).toEqual([5]);
    expect(search({ batch: 'none' })).toEqual([]);
    expect(search({ tier: 'enterprise' })).toEqual([11, 2]);
    expect(search({ tier: 'region' })).toEqual([5]);
    expect(search({ sector: 'marine' })).toEqual([5, 3]);
    expect(search({ sector: 'services' })).toEqual([8, 4]);
    // The licence's own region: 2 was issued for the city, 4 without one (its holder's is 370202).
    expect(search({ region: '370211' })).toEqual([10, 7, 1]);
    expect(search({ region: '370200' })).toEqual([2]);
    expect(search({ region: '370202' })).toEqual([3]);
    expect(search({ status: 'suspended' })).toEqual([9, 6]);
    expect(search({ status: 'revoked' })).toEqual([7]);
    expect(search({ status: 'valid' })).toEqual([11, 10, 8, 5, 4, 3, 2, 1]);
  });

  it('combines filters (all must hold) and counts the combination', () => {
    const result = searchLicences(ctx.registry.db, { text: '海滨', tier: 'product', status: 'valid' }, { limit: 1, offset: 0 });
    expect(result.total).toBe(2);
    expect(serials(result.licences)).toEqual([10]);
    expect(search({ text: USCC.c, sector: 'agriculture' })).toEqual([9, 6]);
    expect(search({ batch: '2024-1', region: '370200', tier: 'enterprise', sector: 'manufacturing' })).toEqual([2]);
    expect(search({ batch: '2024-1', tier: 'region' })).toEqual([]);
  });

  it('expiring: valid licences whose current period ends in [today, today + days]', () => {
    const within = (days: number, today = TODAY) => search({ expiringWithinDays: { today, days } });
    // 11 ends today, 4 in three days, 6 is suspended, 8 and 9 ended already, 10's old period ended in
    // the window but it was renewed, 7 is revoked, 5 ends a day after the 90th.
    expect(within(3)).toEqual([11, 4]);
    expect(within(0)).toEqual([11]);
    expect(within(90)).toEqual([11, 4, 3, 2]);
    expect(within(91)).toEqual([11, 5, 4, 3, 2]);
    expect(within(30, '2027-01-01')).toEqual([2]);
    expect(search({ expiringWithinDays: { today: TODAY, days: 90 }, tier: 'product' })).toEqual([3]);
    expect(search({ expiringWithinDays: { today: TODAY, days: 90 }, status: 'suspended' })).toEqual([]);
  });

  it('refuses filter values that name nothing', () => {
    const db = ctx.registry.db;
    expect(() => searchLicences(db, { tier: 'brand' as never }, ALL)).toThrow(expect.objectContaining({ code: 'invalid_tier' }));
    expect(() => searchLicences(db, { sector: 'mining' as never }, ALL)).toThrow(expect.objectContaining({ code: 'invalid_sector' }));
    expect(() => searchLicences(db, { region: '110000' }, ALL)).toThrow(expect.objectContaining({ code: 'invalid_region' }));
    expect(() => searchLicences(db, { status: 'expired' as never }, ALL)).toThrow(expect.objectContaining({ name: 'RefusedError' }));
    expect(() => searchLicences(db, { expiringWithinDays: { today: '2026-13-01', days: 5 } }, ALL)).toThrow(expect.objectContaining({ code: 'invalid_date' }));
    expect(() => searchLicences(db, { expiringWithinDays: { today: TODAY, days: -1 } }, ALL)).toThrow(expect.objectContaining({ code: 'invalid_period' }));
  });

  it('allLicencesMatching: every match, newest first, without paging', () => {
    const all = allLicencesMatching(ctx.registry.db, { text: '百分百' });
    expect(all.total).toBe(6);
    expect(all.truncated).toBe(false);
    expect(serials(all.rows)).toEqual([9, 8, 6, 5, 4, 3]);
    expect(all.rows).toEqual(searchLicences(ctx.registry.db, { text: '百分百' }, ALL).licences);
    expect(serials(allLicencesMatching(ctx.registry.db, { status: 'suspended' }).rows)).toEqual([9, 6]);
  });

  it('a name pattern escapes exactly %, _ and \\', () => {
    expect(containsPattern('a%b_c\\d')).toBe('%a\\%b\\_c\\\\d%');
    expect(containsPattern('海滨')).toBe('%海滨%');
  });
});

describe('licenceStats', () => {
  it('counts by status, tier, sector and region, and expired and expiring apart', () => {
    const stats = licenceStats(ctx.registry.db, TODAY);
    expect(stats).toEqual({
      total: 11,
      byStatus: { valid: 8, suspended: 2, revoked: 1 },
      byTier: { product: 7, enterprise: 2, industry: 1, region: 1 },
      bySector: { manufacturing: 2, agriculture: 5, services: 2, marine: 2 },
      byRegion: [
        { region: '370200', count: 1 },
        { region: '370202', count: 1 },
        { region: '370211', count: 3 },
        { region: '370212', count: 1 },
        { region: '370285', count: 4 },
        { region: null, count: 1 },
      ],
      // 8 only: 9's period is over too, but it is suspended.
      expired: 1,
      // 11 (today), 4, 3 (the 90th day), 2; not 10 (renewed), 6 (suspended), 5 (day 91).
      expiringWithin90: 4,
    });
  });

  it('agrees with the licences themselves on another day', () => {
    const today = '2027-01-12';
    const licences = listLicences(ctx.registry.db);
    const valid = licences.filter((l) => l.status === 'valid');
    const stats = licenceStats(ctx.registry.db, today);
    expect(stats.expired).toBe(valid.filter((l) => l.validUntil < today).length);
    expect(stats.expired).toBe(3); // 11, 4 and 8; not 9 (suspended) nor 2 (ends 2027-01-15)
    expect(stats.expiringWithin90).toBe(valid.filter((l) => l.validUntil >= today && l.validUntil <= addDays(today, 90)).length);
    expect(stats.expiringWithin90).toBe(3); // 2, 3, 5
    expect(stats.byStatus.valid).toBe(valid.length);
  });

  it('an empty registry counts zeros', async () => {
    const empty = await apiRegistry();
    expect(licenceStats(empty.registry.db, TODAY)).toEqual({
      total: 0,
      byStatus: { valid: 0, suspended: 0, revoked: 0 },
      byTier: { product: 0, enterprise: 0, industry: 0, region: 0 },
      bySector: { manufacturing: 0, agriculture: 0, services: 0, marine: 0 },
      byRegion: [],
      expired: 0,
      expiringWithin90: 0,
    });
    expect(searchLicences(empty.registry.db, { text: 'x' }, ALL)).toEqual({ total: 0, licences: [] });
    expect(listBatches(empty.registry.db)).toEqual([]);
    empty.registry.close();
  });
});

describe('batches and regions', () => {
  it('lists batches with their counts, and the licences regions, no region last', () => {
    expect(listBatches(ctx.registry.db)).toEqual([
      { batch: '2024-1', count: 2 },
      { batch: '2025-A', count: 1 },
    ]);
    expect(licenceRegions(ctx.registry.db)).toEqual(licenceStats(ctx.registry.db, TODAY).byRegion);
    expect(licenceRegions(ctx.registry.db).at(-1)).toEqual({ region: null, count: 1 });
  });
});

describe('searchHolders', () => {
  const usccs = (filter: { text?: string; region?: string }) => searchHolders(ctx.registry.db, filter, ALL).holders.map((h) => h.uscc);

  it('lists holders by USCC, each with its number of licences', () => {
    const { total, holders } = searchHolders(ctx.registry.db, {}, ALL);
    expect(total).toBe(4);
    expect(holders.map((h) => [h.uscc, h.licences])).toEqual([
      [USCC.b, 2],
      [USCC.a, 4],
      [D, 1],
      [USCC.c, 4],
    ]);
    expect(holders.find((h) => h.uscc === USCC.b)).toMatchObject({ name: '百分百%纯_海产\\公司', region: '370202', address: null, createdAt: new Date(NOW).toISOString() });
  });

  it('pages with the total', () => {
    const all = usccs({});
    const page = searchHolders(ctx.registry.db, {}, { limit: 2, offset: 1 });
    expect(page.total).toBe(4);
    expect(page.holders.map((h) => h.uscc)).toEqual(all.slice(1, 3));
  });

  it('text: a USCC exactly, or part of the name with wildcards literal', () => {
    expect(usccs({ text: USCC.c.toLowerCase() })).toEqual([USCC.c]);
    expect(usccs({ text: USCC.c.slice(0, 10) })).toEqual([]);
    expect(usccs({ text: '%' })).toEqual([USCC.b]);
    expect(usccs({ text: '_' })).toEqual([USCC.b]);
    expect(usccs({ text: '\\' })).toEqual([USCC.b]);
    expect(usccs({ text: '%纯_海' })).toEqual([USCC.b]);
    expect(usccs({ text: 'BEER' })).toEqual([D]);
    expect(usccs({ text: '百分百' }).sort()).toEqual([USCC.b, USCC.c].sort());
  });

  it('region: the holder own region', () => {
    expect(usccs({ region: '370202' })).toEqual([USCC.b]);
    expect(usccs({ region: '370200' })).toEqual([]);
    expect(usccs({ region: '370285', text: '纯' })).toEqual([USCC.c]);
    expect(() => searchHolders(ctx.registry.db, { region: 'x' }, ALL)).toThrow(expect.objectContaining({ code: 'invalid_region' }));
  });

  it('allHoldersMatching: every match with counts', () => {
    const all = allHoldersMatching(ctx.registry.db, { text: '百分百' });
    expect(all).toMatchObject({ total: 2, truncated: false });
    expect(all.rows.map((h) => [h.name, h.licences])).toEqual([
      ['百分百%纯_海产\\公司', 2],
      ['百分百X纯Y海产公司', 4],
    ]);
  });
});

describe('searchAudit', () => {
  const events = (filter: Parameters<typeof searchAudit>[1]) => searchAudit(ctx.registry.db, filter, ALL).events;
  const log = () => listAudit(ctx.registry.db);

  it('lists events newest first, with the total', () => {
    const all = log();
    const page = searchAudit(ctx.registry.db, {}, { limit: 3, offset: 1 });
    expect(page.total).toBe(all.length);
    expect(page.events).toEqual(all.slice(-4, -1).reverse());
    expect(page.events.map((e) => e.action)).toEqual(['licence.revoke', 'licence.suspend', 'licence.suspend']);
  });

  it('licence: events about that licence number (upper-cased)', () => {
    expect(events({ licence: numberOf(7).toLowerCase() }).map((e) => e.action)).toEqual(['licence.revoke', 'licence.issue']);
    expect(events({ licence: numberOf(10) }).map((e) => e.action)).toEqual(['licence.renew', 'licence.issue']);
  });

  it('holder: events about the USCC and about each of its licences', () => {
    const about = events({ holder: USCC.c.toLowerCase() });
    expect(about.map((e) => [e.action, e.subject])).toEqual([
      ['licence.suspend', numberOf(9)],
      ['licence.suspend', numberOf(6)],
      ['licence.issue', numberOf(9)],
      ['licence.issue', numberOf(8)],
      ['licence.issue', numberOf(6)],
      ['licence.issue', numberOf(5)],
      ['holder.add', USCC.c],
    ]);
    expect(events({ holder: USCC.b }).map((e) => e.subject)).toEqual([numberOf(4), numberOf(3), USCC.b]);
    expect(searchAudit(ctx.registry.db, { holder: USCC.c, action: 'licence.issue' }, { limit: 2, offset: 0 }).total).toBe(4);
  });

  it('actor and action, exactly', () => {
    expect(events({ actor: 'officer-2' }).map((e) => e.subject)).toEqual([numberOf(9), numberOf(6)]);
    expect(events({ action: 'licence.suspend' }).map((e) => e.subject)).toEqual([numberOf(9), numberOf(6)]);
    expect(events({ action: 'licence.issue' })).toHaveLength(11);
    expect(events({ action: 'licence' })).toEqual([]);
    expect(events({ actor: 'officer' })).toEqual([]);
    expect(events({ actor: 'test-officer', action: 'licence.revoke' }).map((e) => e.subject)).toEqual([numberOf(7)]);
  });

  it('from (included) and to (excluded), as instants in any ISO form', () => {
    expect(events({ from: '2026-11-28T01:00:00Z' }).map((e) => e.action)).toEqual(['licence.renew', 'licence.revoke', 'licence.suspend', 'licence.suspend']);
    expect(events({ from: '2026-11-28T09:00:00+08:00', to: REVOKE_AT }).map((e) => e.action)).toEqual(['licence.suspend', 'licence.suspend']);
    expect(events({ to: '2026-11-28T01:00:00Z' }).every((e) => e.at === new Date(NOW).toISOString())).toBe(true);
    expect(events({ to: '2026-11-28T01:00:00Z' })).toHaveLength(log().length - 4);
    expect(() => events({ from: 'yesterday' })).toThrow(expect.objectContaining({ code: 'invalid_date' }));
  });

  it('the actors and actions for the drop-downs, distinct and sorted', () => {
    expect(auditActors(ctx.registry.db)).toEqual(['officer-2', 'test-officer']);
    const actions = auditActions(ctx.registry.db);
    expect(actions).toEqual([...new Set(log().map((e) => e.action))].sort());
    expect(actions).toEqual(expect.arrayContaining(['holder.add', 'licence.issue', 'licence.renew', 'licence.revoke', 'licence.suspend']));
  });
});

describe('reports', () => {
  const report = (edgeId: string, overrides: Partial<NewReport> = {}): NewReport => ({
    sourceUrl: 'https://v.qdyp.cn',
    edgeId,
    cursor: Number(edgeId.slice(1)),
    source: 'inspector',
    inspectorId: 'ABCDEFGH12',
    seal: null,
    serial: null,
    licence: null,
    outcome: 'no_seal',
    place: '即墨路小商品市场',
    note: null,
    observedAt: null,
    contactJwe: null,
    receivedAt: '2026-11-27T04:00:00.000Z',
    count: 1,
    pulledAt: '2026-11-30T04:00:00.000Z',
    photo: null,
    ...overrides,
  });

  it('counts those waiting and searches by licence, time and state, newest received first', async () => {
    const reg = await apiRegistry();
    const db = reg.registry.db;
    expect(reportsWaiting(db)).toBe(0);
    const ids = [
      insertReport(db, report('r1', { receivedAt: '2026-11-27T01:00:00.000Z', licence: numberOf(1), serial: 1 })),
      insertReport(db, report('r2', { receivedAt: '2026-11-28T01:00:00.000Z', licence: numberOf(1), serial: 1, photo: { bytes: new Uint8Array([1, 2, 3]), type: 'image/png' } })),
      insertReport(db, report('r3', { receivedAt: '2026-11-29T01:00:00.000Z' })),
      insertReport(db, report('r4', { receivedAt: '2026-11-30T01:00:00.000Z', licence: numberOf(2), serial: 2 })),
    ];
    setReportState(db, ids[0]!, 'closed', 'seen', '2026-11-30T04:00:00.000Z');
    setReportState(db, ids[2]!, 'checking', null, '2026-11-30T04:00:00.000Z');
    expect(reportsWaiting(db)).toBe(2);

    const edgeIds = (filter: Parameters<typeof searchReports>[1], page = ALL) => searchReports(db, filter, page).reports.map((r) => r.edgeId);
    expect(edgeIds({})).toEqual(['r4', 'r3', 'r2', 'r1']);
    expect(edgeIds({ licence: numberOf(1).toLowerCase() })).toEqual(['r2', 'r1']);
    expect(edgeIds({ state: 'new' })).toEqual(['r4', 'r2']);
    expect(edgeIds({ state: 'closed' })).toEqual(['r1']);
    expect(edgeIds({ from: '2026-11-28T01:00:00Z', to: '2026-11-30T01:00:00Z' })).toEqual(['r3', 'r2']);
    expect(edgeIds({ licence: numberOf(1), state: 'new', from: '2026-11-28T00:00:00Z' })).toEqual(['r2']);
    const page = searchReports(db, {}, { limit: 2, offset: 1 });
    expect(page.total).toBe(4);
    expect(page.reports.map((r) => r.edgeId)).toEqual(['r3', 'r2']);
    expect(page.reports[1]).toMatchObject({ id: ids[1], photoType: 'image/png', state: 'new', licence: numberOf(1) });
    expect(() => searchReports(db, { state: 'open' as never }, ALL)).toThrow(expect.objectContaining({ name: 'RefusedError' }));
    reg.registry.close();
  });
});

describe('lastPublication', () => {
  it('when the target was last published to, and how many entries it lacks', async () => {
    const reg = await apiRegistry();
    await addHolder(reg, { uscc: USCC.a, name: '青岛海滨食品有限公司' });
    await issueLicences(reg, [base(USCC.a, {}), base(USCC.a, {}), base(USCC.a, {})]);
    const db = reg.registry.db;
    expect(lastPublication(db)).toEqual({ publishedAt: null, pendingEntries: 3 });
    const later = new Date('2026-11-27T05:00:00.000Z');
    await publishLocal(reg.registry, later);
    expect(lastPublication(db)).toEqual({ publishedAt: later.toISOString(), pendingEntries: 0 });
    await suspendLicence(reg, numberOf(2), 'checking');
    expect(lastPublication(db, 'local')).toEqual({ publishedAt: later.toISOString(), pendingEntries: 1 });
    // Never published to: it lacks every entry.
    expect(lastPublication(db, 'cloudflare')).toEqual({ publishedAt: null, pendingEntries: 3 });
    reg.registry.close();
  });
});
