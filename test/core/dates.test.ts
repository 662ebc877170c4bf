import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, addYears, cstDate, cstDateTime, dayNumber, endOfCstDate, fromDayNumber, isCalendarDate } from '../../src/core/index.ts';

describe('China Standard Time calendar dates', () => {
  it('the Beijing date turns at 16:00 UTC', () => {
    expect(cstDate(new Date('2026-12-31T15:59:59.999Z'))).toBe('2026-12-31');
    expect(cstDate(new Date('2026-12-31T16:00:00.000Z'))).toBe('2027-01-01');
    // Early morning in Beijing is still the previous day in UTC.
    expect(cstDate(new Date('2027-02-28T17:30:00Z'))).toBe('2027-03-01');
    expect(cstDate(new Date('2028-02-28T17:30:00Z'))).toBe('2028-02-29');
  });

  it('a licence valid until a date is valid through the end of that day in Beijing', () => {
    const end = endOfCstDate('2029-08-02');
    expect(end.toISOString()).toBe('2029-08-02T16:00:00.000Z');
    expect(cstDate(new Date(end.getTime() - 1))).toBe('2029-08-02');
    expect(cstDate(end)).toBe('2029-08-03');
  });

  it('shows an instant in Beijing time to the minute, and text that is not one as it is', () => {
    expect(cstDateTime('2026-12-04T04:00:59.999Z')).toBe('2026-12-04 12:00');
    expect(cstDateTime('2026-12-31T16:00:00Z')).toBe('2027-01-01 00:00');
    expect(cstDateTime('not a time')).toBe('not a time');
  });

  it('accepts only real YYYY-MM-DD dates', () => {
    for (const good of ['2026-01-01', '2028-02-29', '2000-02-29', '1999-12-31']) expect(isCalendarDate(good), good).toBe(true);
    for (const bad of ['2026-02-29', '1900-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-1-01', '2026-01-01T00:00:00Z', ' 2026-01-01', '20260101', 20260101, null]) {
      expect(isCalendarDate(bad), String(bad)).toBe(false);
    }
  });

  it('day arithmetic is exact and inverse', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('2020-01-01')).toBe(18262);
    for (const date of ['2020-01-01', '2024-02-29', '2199-06-06']) expect(fromDayNumber(dayNumber(date))).toBe(date);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
  });

  it('fromDayNumber and cstDate agree with Date formatting across years 0 to 9999', () => {
    const first = dayNumber('0000-01-01');
    const last = dayNumber('9999-12-31');
    fc.assert(
      fc.property(fc.integer({ min: first, max: last }), (day) => {
        expect(fromDayNumber(day)).toBe(new Date(day * 86_400_000).toISOString().slice(0, 10));
      }),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2300, 0, 1) }), (ms) => {
        expect(cstDate(new Date(ms))).toBe(new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10));
      }),
      { numRuns: 20_000 },
    );
    for (let day = dayNumber('2027-12-25'); day < dayNumber('2029-01-05'); day++) {
      expect(fromDayNumber(day)).toBe(new Date(day * 86_400_000).toISOString().slice(0, 10));
    }
  });

  it('adding years keeps the day, and 29 February becomes 28 February', () => {
    expect(addYears('2026-11-27', 2)).toBe('2028-11-27');
    expect(addYears('2028-02-29', 1)).toBe('2029-02-28');
    expect(addYears('2028-02-29', 4)).toBe('2032-02-29');
    expect(addYears('2026-11-27', 20)).toBe('2046-11-27');
  });
});
