// Reading a list page's query parameters (reports, audit; every list's offset) and a form's
// number of days: each one checked, a value that cannot be one refused with a message for the
// page (a 400, nothing read), never a crash.
// Dates are typed as the office reads them, YYYY-MM-DD in China time (UTC+8), and become the
// ISO instants the registry stores: `from` at 00:00 of its day, `to` up to the end of its day.

import { addDays, endOfCstDate, isCalendarDate, LICENCE_NUMBER_RE, type CalendarDate } from '../../../core/index.ts';
import type { ConsoleContext } from '../kit.ts';

/** A query parameter the page cannot use: `message` says which and why (zh-CN). */
export class BadQuery extends Error {
  override readonly name = 'BadQuery';
}

const MAX_PARAM = 200;
const MAX_OFFSET = 10_000_000;

/** A text parameter as typed, surrounding spaces dropped; '' when absent. */
export function queryText(c: ConsoleContext, name: string): string {
  const value = (c.req.query(name) ?? '').trim();
  if (value.length > MAX_PARAM) throw new BadQuery(`“${name}” 太长了（最多 ${MAX_PARAM} 个字符）。`);
  return value;
}

/**
 * A list page's `offset`, every list's one reader: a whole number up to MAX_OFFSET, 0 when
 * absent or blank; null when it is anything else (given twice included).
 */
export function readOffset(c: ConsoleContext): number | null {
  const values = c.req.queries('offset') ?? [];
  if (values.length > 1) return null;
  const text = (values[0] ?? '').trim();
  if (text === '') return 0;
  if (!/^\d{1,8}$/.test(text) || Number(text) > MAX_OFFSET) return null;
  return Number(text);
}

/** The page offset (readOffset), a bad one thrown as a BadQuery. */
export function queryOffset(c: ConsoleContext): number {
  const offset = readOffset(c);
  if (offset === null) throw new BadQuery('分页参数 offset 必须是一个不小于 0 的整数。');
  return offset;
}

/** A form's number of days (1 to 6 digits): undefined when left blank, null when not a whole number. */
export function daysField(text: string): number | undefined | null {
  const days = text.trim();
  if (days === '') return undefined;
  return /^\d{1,6}$/.test(days) ? Number(days) : null;
}

/** The instant 00:00 of `date` in China time, as stored (toISOString). */
export function chinaDayStart(date: CalendarDate): string {
  return endOfCstDate(addDays(date, -1)).toISOString();
}

/** A from/to pair of China-time dates as [from, to) instants; either may be absent. */
export function dayRange(from: string, to: string, label = { from: '开始日期', to: '结束日期' }): { from?: string; to?: string } {
  for (const [value, name] of [
    [from, label.from],
    [to, label.to],
  ] as const) {
    if (value !== '' && !isCalendarDate(value)) throw new BadQuery(`${name}必须是 YYYY-MM-DD 格式的日期（例如 2026-11-27），“${value}”不是。`);
  }
  if (from !== '' && to !== '' && from > to) throw new BadQuery(`${label.from}（${from}）晚于${label.to}（${to}）。`);
  return { ...(from ? { from: chinaDayStart(from) } : {}), ...(to ? { to: endOfCstDate(to).toISOString() } : {}) };
}

/** A licence number as typed (upper-cased), '' when absent. */
export function licenceNumberParam(value: string): string {
  if (value === '') return '';
  const number = value.toUpperCase();
  if (!LICENCE_NUMBER_RE.test(number)) throw new BadQuery(`许可编号的格式是 QDYP-年份-六位数字（例如 QDYP-2026-000001），“${value}”不是。`);
  return number;
}
