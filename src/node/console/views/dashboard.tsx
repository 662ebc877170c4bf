// The dashboard (概览): the licences counted by status, tier, sector and district, what expires
// soon, whether publishing keeps up (the last publication and the published status list's
// expiry), and what waits for the office: reports, bulk revocations, licences to reseal.

import { MESSAGES, REGIONS, SECTORS, TIERS } from '../../../core/index.ts';
import type { BulkRevocationRecord } from '../../registry/bulk.ts';
import type { LicenceStats } from '../../registry/search.ts';
import { beijingTime, consoleHref, Layout, STATUS_LABEL, type Frame } from './layout.tsx';
import { TableBox } from './parts.tsx';

const ZH = MESSAGES['zh-CN'];

export interface PublicationView {
  publishedAt: string | null;
  /** Licence entries written since the last publication, not yet published. */
  pendingEntries: number;
  /** The `exp` of the status list in the edge store, as an ISO instant; null when none is published. */
  statusListExp: string | null;
  /** Why the published status list could not be read (it is there but is not a JWT). */
  statusListProblem: string | null;
  busy: boolean;
  /** The console's last publication failed with this (English, as the publisher logs it). */
  lastError: string | null;
  /** Nothing published for over a day (or ever). */
  stale: boolean;
  /** The published status list expires within three days (or is missing). */
  listExpiring: boolean;
}

export interface DashboardView {
  stats: LicenceStats;
  publication: PublicationView;
  reportsWaiting: number;
  bulk: BulkRevocationRecord[];
  toReseal: number;
  /** `npx qdyp --db PATH publish`, to publish by hand. */
  publishCommand: string;
}

function Tile({ stat, value, label, children }: { stat: string; value: number; label: string; children?: unknown }) {
  return (
    <li data-stat={stat}>
      <b>{value}</b>
      {label}
      {children}
    </li>
  );
}

function CountTable({ caption, heading, rows, id }: { caption: string; heading: string; rows: [string, string, number][]; id: string }) {
  return (
    <TableBox label={caption}>
      <table data-stats={id}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{heading}</th>
            <th scope="col" class="num">
              许可数
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([key, label, count]) => (
            <tr data-key={key}>
              <th scope="row">{label}</th>
              <td class="num">{count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableBox>
  );
}

function Publication({ p, command }: { p: PublicationView; command: string }) {
  return (
    <section class="card" aria-labelledby="publication">
      <h2 id="publication">发布</h2>
      {p.stale && (
        <p class="warn" role="status" data-warning="publish-stale">
          注意：{p.publishedAt ? '已经超过一天没有发布。' : '还没有发布过。'}扫码页面显示的状态可能不是最新的。请检查发布是否出错，或在命令行运行 <code>{command}</code>。
        </p>
      )}
      {p.listExpiring && (
        <p class="warn" role="status" data-warning="status-list-expiring">
          注意：{p.statusListExp ? `已发布的状态列表将于 ${beijingTime(p.statusListExp)}（北京时间）过期，` : '边缘存储中没有可读的状态列表，'}过期后扫码将无法确认授权状态。请尽快发布：<code>{command}</code>
        </p>
      )}
      {p.lastError && (
        <p class="problem" role="alert" data-problem="publish-failed">
          上次自动发布失败，更改仍在等待发布：<span lang="en">{p.lastError}</span>
        </p>
      )}
      {p.statusListProblem && (
        <p class="problem" role="alert">
          无法读取已发布的状态列表：<span lang="en">{p.statusListProblem}</span>
        </p>
      )}
      <dl>
        <dt>上次发布</dt>
        <dd data-field="published-at">{p.publishedAt ? `${beijingTime(p.publishedAt)}（北京时间）` : '从未发布'}</dd>
        <dt>状态列表有效至</dt>
        <dd data-field="status-list-exp">{p.statusListExp ? `${beijingTime(p.statusListExp)}（北京时间）` : '—'}</dd>
        <dt>待发布的许可条目</dt>
        <dd data-field="pending">{p.pendingEntries}</dd>
        <dt>自动发布</dt>
        <dd>{p.busy ? '正在发布…' : p.lastError ? '上次失败（见上）' : '正常：每次更改后自动发布'}</dd>
      </dl>
    </section>
  );
}

function Waiting({ v }: { v: DashboardView }) {
  return (
    <section class="card" aria-labelledby="waiting">
      <h2 id="waiting">待处理</h2>
      <ul class="plain">
        <li data-waiting="reports">
          <a href={consoleHref('/reports', { state: 'new' })}>待处理的举报：{v.reportsWaiting} 条</a>
        </li>
        <li data-waiting="reseal">
          {v.toReseal > 0 ? <a href={consoleHref('/keys')}>需要重新签发封签的许可（密钥已泄露）：{v.toReseal} 个</a> : <>需要重新签发封签的许可：0 个</>}
        </li>
        <li data-waiting="bulk">
          等待第二位主管确认的批量撤销：{v.bulk.length} 项
          {v.bulk.length > 0 && (
            <ul class="plain">
              {v.bulk.map((b) => (
                <li>
                  <a href={consoleHref(`/licences/bulk/${b.id}`)}>
                    批量撤销 #{b.id}：{b.numbers.length} 个许可
                  </a>
                  ，由 {b.requestedBy} 于 {beijingTime(b.requestedAt)} 申请{b.decidedBy ? `（${b.decidedBy} 的确认尚未完成）` : ''}
                </li>
              ))}
            </ul>
          )}
        </li>
      </ul>
    </section>
  );
}

export function DashboardPage({ frame, view }: { frame: Frame; view: DashboardView }) {
  const s = view.stats;
  const regionRows: [string, string, number][] = s.byRegion.map((r) => [r.region ?? 'none', r.region === null ? '未填地区' : `${REGIONS[r.region]?.zh ?? r.region}（${r.region}）`, r.count]);
  return (
    <Layout frame={frame} title="概览">
      <section class="card" aria-labelledby="licences">
        <h2 id="licences">授权许可</h2>
        <ul class="tiles">
          <Tile stat="total" value={s.total} label="全部许可" />
          <Tile stat="valid" value={s.byStatus.valid} label={STATUS_LABEL.valid}>
            <span class="hint">其中 {s.expired} 个已过有效期</span>
          </Tile>
          <Tile stat="suspended" value={s.byStatus.suspended} label={STATUS_LABEL.suspended} />
          <Tile stat="revoked" value={s.byStatus.revoked} label={STATUS_LABEL.revoked} />
          <Tile stat="expired" value={s.expired} label={STATUS_LABEL.expired} />
          <Tile stat="expiring" value={s.expiringWithin90} label="90 天内到期" />
        </ul>
        <p>
          <a href={consoleHref('/licences', { expiring: 1 })} data-link="expiring">
            查看 90 天内到期的 {s.expiringWithin90} 个有效许可
          </a>
        </p>
      </section>
      <div class="grid">
        <Publication p={view.publication} command={view.publishCommand} />
        <Waiting v={view} />
      </div>
      <section class="card" aria-labelledby="breakdown">
        <h2 id="breakdown">分类统计</h2>
        <div class="grid">
          <CountTable id="tier" caption={`按${ZH.fields.tier}`} heading={ZH.fields.tier} rows={TIERS.map((t) => [t, ZH.tiers[t], s.byTier[t] ?? 0])} />
          <CountTable id="sector" caption={`按${ZH.fields.sector}`} heading={ZH.fields.sector} rows={SECTORS.map((t) => [t, ZH.sectors[t], s.bySector[t] ?? 0])} />
          <CountTable id="region" caption="按区市" heading={ZH.fields.region} rows={regionRows} />
        </div>
      </section>
    </Layout>
  );
}
