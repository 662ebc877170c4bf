// Dates as people read them. Licence dates are China Standard Time calendar dates; instants
// are shown in Beijing time too, the time zone every date on the page is in.

import { cstDate, type CalendarDate, type Locale } from '../../core/index.ts';
import { PAGE_MESSAGES } from '../messages.ts';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function formatDate(date: CalendarDate, locale: Locale): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return locale === 'en' ? `${d} ${MONTHS[m - 1]} ${y}` : `${y}年${m}月${d}日`;
}

export function formatInstant(iso: string, locale: Locale): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  const clock = new Date(time.getTime() + 8 * 60 * 60 * 1000).toISOString().slice(11, 16);
  const zone = PAGE_MESSAGES[locale].beijingTime;
  return locale === 'en' ? `${formatDate(cstDate(time), locale)}, ${clock} ${zone}` : `${formatDate(cstDate(time), locale)} ${clock}（${zone}）`;
}
