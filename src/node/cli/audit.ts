// qdyp audit: the append-only audit trail, optionally for one licence and from a date on.

import { endOfCstDate, addDays, isCalendarDate } from '../../core/index.ts';
import { listAudit } from '../registry/audit.ts';
import { command, EXIT, text, UsageError } from './command.ts';

/** A CST calendar date means from the start of that day in Beijing; an ISO instant is exact. */
function sinceInstant(value: string): Date {
  if (isCalendarDate(value)) return endOfCstDate(addDays(value, -1));
  const time = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(time.getTime())) throw new UsageError('--since must be a date (YYYY-MM-DD, China Standard Time) or an ISO-8601 instant');
  return time;
}

export const audit = command({
  summary: 'Read the audit trail: who did what, when, why, and the record before and after.',
  usage: '[--licence NUMBER] [--since DATE]',
  help: `Options:
  --licence NUMBER   only events about this licence
  --subject ID       only events about this holder (USCC), key (kid) or inspector (id)
  --since DATE       only events from this day on (YYYY-MM-DD in China Standard Time, or an
                     ISO-8601 instant)`,
  options: { licence: { type: 'string' }, subject: { type: 'string' }, since: { type: 'string' } },
  async run(parsed, cli) {
    const licence = text(parsed, 'licence');
    const subject = text(parsed, 'subject');
    if (licence !== undefined && subject !== undefined) throw new UsageError('give --licence or --subject, not both');
    const since = text(parsed, 'since');
    const filter = {
      ...(licence !== undefined ? { subject: licence.trim().toUpperCase() } : {}),
      ...(subject !== undefined ? { subject: subject.trim() } : {}),
      ...(since !== undefined ? { since: sinceInstant(since) } : {}),
    };
    return cli.withRegistry(async (registry) => {
      const events = listAudit(registry.db, filter);
      if (parsed.json) {
        cli.json(events);
        return EXIT.ok;
      }
      if (events.length === 0) cli.out('No audit events.');
      for (const e of events) cli.out(`${e.at}  ${e.actor}  ${e.action}  ${e.subject}${e.reason ? `  reason: ${e.reason}` : ''}`);
      return EXIT.ok;
    });
  },
});
