// GET /console/  the dashboard: counts from the registry (licenceStats, reportsWaiting, pending
// bulk revocations, licences to reseal), and how publishing stands — the last publication as
// the registry records it, the `exp` of the status list actually in the edge store, and the
// console's own publisher (busy, its last failure). Read-only.

import type { Hono } from 'hono';
import { decodeJwt } from 'jose';
import { cstDate } from '../../../core/index.ts';
import { readEdgeText } from '../../edge-store.ts';
import { listBulkRevocations } from '../../issuer/index.ts';
import { licencesToReseal } from '../../registry/licences.ts';
import { lastPublication, licenceStats, reportsWaiting } from '../../registry/search.ts';
import { frameOf, page, type ConsoleEnv, type ConsoleKit } from '../kit.ts';
import { DashboardPage, type PublicationView } from '../views/dashboard.tsx';
import { qdypCommand } from '../views/parts.tsx';

const DAY_MS = 86_400_000;
/** Warn when nothing has been published for longer than this. */
export const PUBLISH_STALE_MS = DAY_MS;
/** Warn when the published status list expires sooner than this. */
export const STATUS_LIST_WARN_MS = 3 * DAY_MS;

/** The `exp` of the status list in the edge store (null: none published), or why it cannot be read. */
async function publishedStatusListExp(edgeDir: string): Promise<{ exp: string | null; problem: string | null }> {
  let text: string | null;
  try {
    text = await readEdgeText(edgeDir, 'status-list');
  } catch (error) {
    return { exp: null, problem: `cannot read the edge store (${(error as NodeJS.ErrnoException).code ?? 'read failed'})` };
  }
  if (text === null) return { exp: null, problem: null };
  try {
    const exp = decodeJwt(text.trim()).exp;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return { exp: null, problem: 'the published status list has no exp' };
    return { exp: new Date(exp * 1000).toISOString(), problem: null };
  } catch {
    return { exp: null, problem: 'the published status list is not a JWT' };
  }
}

export function dashboardRoutes(app: Hono<ConsoleEnv>, kit: ConsoleKit): void {
  app.get('/console/', async (c) => {
    const now = kit.clock();
    const db = kit.registry.db;
    const last = lastPublication(db);
    const list = await publishedStatusListExp(kit.registry.edgeDir);
    const state = kit.publisher.state;
    const publication: PublicationView = {
      publishedAt: last.publishedAt,
      pendingEntries: last.pendingEntries,
      statusListExp: list.exp,
      statusListProblem: list.problem,
      busy: state.busy,
      lastError: state.lastError,
      stale: last.publishedAt === null || now.getTime() - Date.parse(last.publishedAt) > PUBLISH_STALE_MS,
      listExpiring: list.exp === null || Date.parse(list.exp) - now.getTime() < STATUS_LIST_WARN_MS,
    };
    const view = {
      stats: licenceStats(db, cstDate(now)),
      publication,
      reportsWaiting: reportsWaiting(db),
      bulk: listBulkRevocations(db, { state: 'pending' }),
      toReseal: licencesToReseal(db).length,
      publishCommand: qdypCommand(kit.registry.dbPath, ['publish']),
    };
    return page(c, 200, <DashboardPage frame={frameOf(c, 'dashboard')} view={view} />);
  });
}
