// Licence dates are calendar dates in China Standard Time (UTC+8, no daylight saving).
// Stored and signed instants are UTC.

const CST_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export type CalendarDate = string; // YYYY-MM-DD

/** The calendar date in Beijing at the instant `time`. */
export function cstDate(time: Date): CalendarDate {
  return fromDayNumber(Math.floor((time.getTime() + CST_OFFSET_MS) / DAY_MS));
}

export function isCalendarDate(text: unknown): text is CalendarDate {
  if (typeof text !== 'string') return false;
  const m = DATE_RE.exec(text);
  if (!m) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Days from 1970-01-01 to the calendar date (an integer, date arithmetic only). */
export function dayNumber(date: CalendarDate): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

/**
 * The calendar date `day` days after 1970-01-01 (years 0 to 9999). Integer arithmetic
 * (H. Hinnant's civil-from-days) rather than a Date: verifySeal needs two per seal, and
 * formatting a Date costs more than the rest of the policy together.
 */
export function fromDayNumber(day: number): CalendarDate {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153); // 0 = March
  const d = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const m = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const y = yearOfEra + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return fromDayNumber(dayNumber(date) + days);
}

export function addYears(date: CalendarDate, years: number): CalendarDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  // 29 February plus a year becomes 28 February, never 1 March.
  const target = new Date(Date.UTC(y + years, m - 1, 1));
  const lastDay = new Date(Date.UTC(y + years, m, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

/** The first instant (UTC) after the end of a CST calendar date. */
export function endOfCstDate(date: CalendarDate): Date {
  return new Date((dayNumber(date) + 1) * DAY_MS - CST_OFFSET_MS);
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A calendar date as people read it: `2026年12月1日` or `1 December 2026`. */
export function formatDate(date: CalendarDate, locale: 'zh-CN' | 'en'): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return locale === 'en' ? `${d} ${MONTHS[m - 1]} ${y}` : `${y}年${m}月${d}日`;
}

/**
 * An instant in Beijing time to the minute, as the office's tools show it: `2026-12-04 12:00`
 * (no zone named: the CLI, the console and the portal say "Beijing time" where it is needed).
 * Text that is not an instant is returned as it is.
 */
export function cstDateTime(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  const t = new Date(time + CST_OFFSET_MS).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 16)}`;
}

/** An instant in Beijing time, named by `zone` (e.g. 北京时间): every page shows times so. */
export function formatInstant(iso: string, locale: 'zh-CN' | 'en', zone: string): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  const clock = new Date(time.getTime() + CST_OFFSET_MS).toISOString().slice(11, 16);
  return locale === 'en' ? `${formatDate(cstDate(time), locale)}, ${clock} ${zone}` : `${formatDate(cstDate(time), locale)} ${clock}（${zone}）`;
}
