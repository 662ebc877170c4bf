// Licence dates are calendar dates in China Standard Time (UTC+8, no daylight saving).
// Stored and signed instants are UTC.

const CST_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export type CalendarDate = string; // YYYY-MM-DD

/** The calendar date in Beijing at the instant `time`. */
export function cstDate(time: Date): CalendarDate {
  return new Date(time.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
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

export function fromDayNumber(day: number): CalendarDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
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
