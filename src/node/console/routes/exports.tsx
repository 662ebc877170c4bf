// CSV exports of the filtered lists, for Excel on Chinese Windows (UTF-8 with a BOM; a cell a
// spreadsheet would run as a formula is defused by core's csvDocument):
//   GET /console/exports/licences.csv?text&batch&tier&sector&region&status&expiring=1
//   GET /console/exports/holders.csv?text&region
// The filters are read as the list pages read them (filters.ts), so the file holds the rows
// the list showed. Open to every signed-in officer: it is what their pages show.

import type { Context, Hono } from 'hono';
import { csvDocument, cstDate, MESSAGES, REGIONS } from '../../../core/index.ts';
import { allHoldersMatching, allLicencesMatching, EXPORT_CAP } from '../../registry/search.ts';
import { parseHolderFilter, readLicenceFilter } from '../filters.ts';
import { frameOf, page, type ConsoleEnv, type ConsoleKit } from '../kit.ts';
import { beijingTime, consoleHref, Layout, STATUS_LABEL } from '../views/layout.tsx';
import { shownStatus } from '../views/holders.tsx';

export const LICENCE_COLUMNS = ['授权编号', '品牌主体', '统一社会信用代码', '级别', '领域', '产业链', '地区', '产品', '商标', '有效期起', '有效期至', '状态', '状态原因', '批次', '批次编号'] as const;
export const HOLDER_COLUMNS = ['统一社会信用代码', '名称', '地址', '地区', '授权数量', '登记时间', '更新时间'] as const;

const zh = MESSAGES['zh-CN'];

function region(code: string | null): string {
  return code === null ? '' : (REGIONS[code]?.zh ?? code);
}

/** The lists the import reads back (products, trademarks) are separated by ；. */
function list(items: readonly string[]): string {
  return items.join('；');
}

function csvResponse(c: Context, name: string, text: string): Response {
  return c.body(text, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${name}"`,
  });
}

export function exportRoutes(app: Hono<ConsoleEnv>, kit: ConsoleKit): void {
  const day = () => cstDate(kit.clock()).replace(/-/g, '');

  function refused(c: Context<ConsoleEnv>, status: 400 | 422, back: string, problem: string) {
    return page(
      c,
      status,
      <Layout frame={frameOf(c, '')} title="无法导出">
        <p class="problem" role="alert">
          {problem}
        </p>
        <p class="card">
          <a href={consoleHref(back)}>返回列表，修改筛选条件</a>
        </p>
      </Layout>,
    );
  }

  const tooMany = (total: number) => `符合条件的有 ${total} 条，超过一次导出的上限 ${EXPORT_CAP} 条：请缩小筛选范围后分几次导出。`;

  app.get('/console/exports/licences.csv', (c) => {
    const now = kit.clock();
    const parsed = readLicenceFilter((name) => c.req.queries(name), cstDate(now));
    if (!parsed.ok) return refused(c, 400, '/licences', parsed.problem);
    const found = allLicencesMatching(kit.registry.db, parsed.filter);
    if (found.truncated) return refused(c, 422, '/licences', tooMany(found.total));
    const today = cstDate(now);
    const rows = found.rows.map((l) => [
      l.number,
      l.holder.name,
      l.holder.uscc,
      zh.tiers[l.tier],
      zh.sectors[l.sector],
      l.chain,
      region(l.region),
      list(l.products),
      list(l.trademarks),
      l.validFrom,
      l.validUntil,
      STATUS_LABEL[shownStatus(l, today)],
      l.statusReason,
      l.batch,
      l.ref,
    ]);
    return csvResponse(c, `licences-${day()}.csv`, csvDocument([LICENCE_COLUMNS, ...rows]));
  });

  app.get('/console/exports/holders.csv', (c) => {
    const parsed = parseHolderFilter(c.req.query());
    if (!parsed.ok) return refused(c, 400, '/holders', parsed.problem);
    const found = allHoldersMatching(kit.registry.db, parsed.filter);
    if (found.truncated) return refused(c, 422, '/holders', tooMany(found.total));
    const rows = found.rows.map((h) => [h.uscc, h.name, h.address, region(h.region), h.licences, beijingTime(h.createdAt), beijingTime(h.updatedAt)]);
    return csvResponse(c, `holders-${day()}.csv`, csvDocument([HOLDER_COLUMNS, ...rows]));
  });
}
