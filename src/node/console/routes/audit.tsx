// GET /console/audit  the audit log, filtered by licence, holder (USCC), officer or other actor,
// action and China-time dates, 100 events a page, newest first (searchAudit). A filter value
// that cannot be one is refused with a 400 page that says which; nothing is read then.

import type { Hono } from 'hono';
import { RefusedError } from '../../errors.ts';
import { auditActions, auditActors, searchAudit } from '../../registry/search.ts';
import { isUscc } from '../../uscc.ts';
import { frameOf, page, type ConsoleContext, type ConsoleEnv, type ConsoleKit } from '../kit.ts';
import { AuditPage, type AuditFilterView, type AuditView } from '../views/audit.tsx';
import { BadQuery, dayRange, licenceNumberParam, queryOffset, queryText } from './query.ts';

export const AUDIT_PAGE = 100;

function readFilter(c: ConsoleContext): AuditFilterView {
  return {
    licence: queryText(c, 'licence'),
    holder: queryText(c, 'holder'),
    actor: queryText(c, 'actor'),
    action: queryText(c, 'action'),
    from: queryText(c, 'from'),
    to: queryText(c, 'to'),
  };
}

export function auditRoutes(app: Hono<ConsoleEnv>, kit: ConsoleKit): void {
  app.get('/console/audit', (c) => {
    const db = kit.registry.db;
    const actors = auditActors(db);
    const actions = auditActions(db);
    let filter: AuditFilterView = { licence: '', holder: '', actor: '', action: '', from: '', to: '' };
    try {
      filter = readFilter(c);
      const offset = queryOffset(c);
      const licence = licenceNumberParam(filter.licence);
      const holder = filter.holder.toUpperCase();
      if (holder !== '' && !isUscc(holder)) throw new BadQuery(`品牌主体要填 18 位统一社会信用代码，“${filter.holder}”不是有效的代码。`);
      if (filter.actor !== '' && !actors.includes(filter.actor)) throw new BadQuery(`审计日志中没有操作人“${filter.actor}”。`);
      if (filter.action !== '' && !actions.includes(filter.action)) throw new BadQuery(`审计日志中没有操作“${filter.action}”。`);
      const range = dayRange(filter.from, filter.to);
      const result = searchAudit(
        db,
        { ...(licence ? { licence } : {}), ...(holder ? { holder } : {}), ...(filter.actor ? { actor: filter.actor } : {}), ...(filter.action ? { action: filter.action } : {}), ...range },
        { limit: AUDIT_PAGE, offset },
      );
      const view: AuditView = { filter, actors, actions, result, offset, limit: AUDIT_PAGE };
      return page(c, 200, <AuditPage frame={frameOf(c, 'audit')} view={view} />);
    } catch (error) {
      if (!(error instanceof BadQuery) && !(error instanceof RefusedError)) throw error;
      const problem = { text: error.message, english: error instanceof RefusedError };
      const view: AuditView = { filter, actors, actions, result: null, offset: 0, limit: AUDIT_PAGE, problem };
      return page(c, 400, <AuditPage frame={frameOf(c, 'audit')} view={view} />);
    }
  });
}
