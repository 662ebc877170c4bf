// Dates as people read them, in Beijing time (the formatting is core's, shared with the
// inspector page); the zone's name comes from core's messages.

import { formatDate as coreFormatDate, formatInstant as coreFormatInstant, MESSAGES, type CalendarDate, type Locale } from '../../core/index.ts';

export function formatDate(date: CalendarDate, locale: Locale): string {
  return coreFormatDate(date, locale);
}

export function formatInstant(iso: string, locale: Locale): string {
  return coreFormatInstant(iso, locale, MESSAGES[locale].beijingTime);
}
