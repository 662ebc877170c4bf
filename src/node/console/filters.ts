// The console's list filters, read from a page's query (or the bulk form's fields): one reading
// for the list page and for its CSV export, so an export holds exactly the rows the list showed. A bad value is refused
// with a message for a 400 page (never passed on to the query, never a crash); an empty one
// means no filter. `params` is the filter as a query again (only what was set, normalised), for
// the pager, the export link and the form's values.

import { isRegionCode, LICENCE_STATUSES, MESSAGES, SECTORS, TIERS, type CalendarDate, type LicenceStatus, type Sector, type Tier } from '../../core/index.ts';
import { LIMITS } from '../issuer/index.ts';
import { DAMAGED_TEXT } from '../accounts/index.ts';
import type { HolderSearch, LicenceSearch } from '../registry/search.ts';

/** The days `expiring=1` looks ahead: the dashboard's "expiring within 90 days". */
export const EXPIRING_DAYS = 90;
const zh = MESSAGES['zh-CN'];
/** Longer than any licence number, USCC, holder name (200) or batch name (100). */
const MAX_TEXT = 200;
const MAX_BATCH = 100;

export type Query = Record<string, string | undefined>;
export type FilterResult<F> = { ok: true; filter: F; params: Record<string, string> } | { ok: false; problem: string };

type Reading<F> = { filter: F; params: Record<string, string> };

function given(query: Query, name: string): string | undefined {
  const value = query[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function text(query: Query, name: string, label: string, max: number, into: Reading<Record<string, unknown>>): string | null {
  const value = given(query, name);
  if (value === undefined) return null;
  if (value.length > max) return `${label}最多 ${max} 个字符。`;
  if (DAMAGED_TEXT.test(value)) return `${label}含有控制字符或损坏的文字。`;
  into.filter[name] = value;
  into.params[name] = value;
  return null;
}

function choice<T extends string>(query: Query, name: string, label: string, values: readonly T[], into: Reading<Record<string, unknown>>): string | null {
  const value = given(query, name);
  if (value === undefined) return null;
  if (!values.includes(value as T)) return `${label}不是可选的值之一。`;
  into.filter[name] = value;
  into.params[name] = value;
  return null;
}

function region(query: Query, into: Reading<Record<string, unknown>>): string | null {
  const value = given(query, 'region');
  if (value === undefined) return null;
  if (!isRegionCode(value)) return '地区须为青岛市或其区（市）的行政区划代码（370200、370202 …）。';
  into.filter.region = value;
  into.params.region = value;
  return null;
}

export const LICENCE_FILTER_FIELDS = ['text', 'batch', 'tier', 'sector', 'region', 'status', 'expiring'] as const;
export type LicenceFilterField = (typeof LICENCE_FILTER_FIELDS)[number];
/** The filter as a query again: only what was given, for the pager, the export link and the form. */
export type FilterParams = Partial<Record<LicenceFilterField, string>>;

export const FILTER_CAPS: Record<LicenceFilterField, number> = { text: 200, batch: LIMITS.batch, tier: 20, sector: 20, region: 10, status: 20, expiring: 4 };
const FILTER_LABEL: Record<LicenceFilterField, string> = { text: '搜索文字', batch: '遴选批次', tier: '类别', sector: '行业', region: '地区', status: '状态', expiring: '90 天内到期' };

export type LicenceFilterReading = { ok: true; filter: LicenceSearch; params: FilterParams } | { ok: false; problem: string; params: FilterParams };

/**
 * The licence filter from named values (a query's `c.req.queries(name)`, or a form's fields):
 * each at most once, checked, empty ones left out. `params` are the values to carry in links
 * (the CSV export takes the same names); on a problem, what was given, to show it again.
 */
export function readLicenceFilter(values: (name: LicenceFilterField) => readonly string[] | undefined, today: CalendarDate): LicenceFilterReading {
  const params: FilterParams = {};
  const filter: LicenceSearch = {};
  const refuse = (problem: string): LicenceFilterReading => ({ ok: false, problem, params });
  for (const name of LICENCE_FILTER_FIELDS) {
    const given = values(name) ?? [];
    const value = (given[0] ?? '').trim();
    if (given.length > 1) return refuse(`筛选条件“${FILTER_LABEL[name]}”给了不止一次。`);
    if (value === '') continue;
    params[name] = value.slice(0, FILTER_CAPS[name]);
    if (value.length > FILTER_CAPS[name]) return refuse(`筛选条件“${FILTER_LABEL[name]}”太长（最多 ${FILTER_CAPS[name]} 个字符）。`);
    if (DAMAGED_TEXT.test(value)) return refuse(`筛选条件“${FILTER_LABEL[name]}”含有控制字符或损坏的字符。`);
    switch (name) {
      case 'text':
        filter.text = value;
        break;
      case 'batch':
        filter.batch = value;
        break;
      case 'tier':
        if (!TIERS.includes(value as Tier)) return refuse(`“类别”须为以下之一：${TIERS.map((t) => `${t}（${zh.tiers[t]}）`).join('、')}。`);
        filter.tier = value as Tier;
        break;
      case 'sector':
        if (!SECTORS.includes(value as Sector)) return refuse(`“行业”须为以下之一：${SECTORS.map((s) => `${s}（${zh.sectors[s]}）`).join('、')}。`);
        filter.sector = value as Sector;
        break;
      case 'region':
        if (!isRegionCode(value)) return refuse('“地区”须为青岛市或其区市的行政区划代码，例如 370200（青岛市）、370211（黄岛区）。');
        filter.region = value;
        break;
      case 'status':
        if (!LICENCE_STATUSES.includes(value as LicenceStatus)) return refuse(`“状态”须为以下之一：${LICENCE_STATUSES.map((s) => `${s}（${zh.statuses[s]}）`).join('、')}。`);
        filter.status = value as LicenceStatus;
        break;
      case 'expiring':
        if (value !== '1') return refuse('“90 天内到期”只能勾选（1）或不勾选。');
        filter.expiringWithinDays = { today, days: EXPIRING_DAYS };
        break;
    }
  }
  return { ok: true, filter, params };
}

/** The holder list's filter: `text` (a USCC or part of the name) and `region` (the holder's own). */
export function parseHolderFilter(query: Query): FilterResult<HolderSearch> {
  const reading: Reading<Record<string, unknown>> = { filter: {}, params: {} };
  const problem = text(query, 'text', '搜索文字', MAX_TEXT, reading) ?? region(query, reading);
  if (problem !== null) return { ok: false, problem };
  return { ok: true, filter: reading.filter as HolderSearch, params: reading.params };
}
