// The reports pages (举报): the reports pulled from the edge's inbox, filtered by licence, dates
// and triage state, and one report with its photo, its contact (encrypted; opened only with the
// office's contact key) and the triage form.

import { MESSAGES, OUTCOMES, type Outcome } from '../../../core/index.ts';
import { TRIAGE_STATES, type StoredReport, type TriageState } from '../../registry/reports.ts';
import { beijingTime, consoleHref, Guard, Layout, Pager, type Frame, type SignedInView } from './layout.tsx';
import { Choice, FilterForm, ProblemBox, TableBox, type Problem } from './parts.tsx';

export const TRIAGE_LABEL: Record<TriageState, string> = { new: '待处理', checking: '核查中', closed: '已结案' };

const SHOPPER_OUTCOME_LABEL: Record<string, string> = {
  not_listed: '商品不在授权产品之列',
  looks_fake: '商品或包装看起来是假冒的',
  other: '其他问题',
  no_seal: '标识上没有二维码',
};

/** What a report's outcome code means, in Chinese (the code beside it: several titles repeat). */
export function outcomeLabel(outcome: string): string {
  if ((OUTCOMES as readonly string[]).includes(outcome)) return MESSAGES['zh-CN'].outcomes[outcome as Outcome].title;
  return SHOPPER_OUTCOME_LABEL[outcome] ?? outcome;
}

function OutcomeText({ outcome }: { outcome: string }) {
  return (
    <>
      {outcomeLabel(outcome)} <span class="mono muted">{outcome}</span>
    </>
  );
}

function Reporter({ r }: { r: StoredReport }) {
  return r.source === 'inspector' ? (
    <>
      巡查员{r.inspectorId && <span class="mono"> {r.inspectorId}</span>}
    </>
  ) : (
    <>消费者</>
  );
}

/** The seal's licence, linked to act on it; else what the report says of the seal. */
function SealOrLicence({ r }: { r: StoredReport }) {
  if (r.licence) return <a href={consoleHref(`/licences/${r.licence}`)}>{r.licence}</a>;
  if (r.seal === null) return <span class="muted">无封签（标识上没有二维码）</span>;
  return (
    <>
      <span>封签不属于本登记册的许可</span>
      <span class="hint mono">{r.seal.length > 40 ? `${r.seal.slice(0, 40)}…` : r.seal}</span>
    </>
  );
}

export interface ReportFilterView {
  licence: string;
  from: string;
  to: string;
  state: string;
}

export interface ReportsView {
  filter: ReportFilterView;
  /** Null when the filter was refused. */
  result: { total: number; reports: StoredReport[] } | null;
  offset: number;
  limit: number;
  pullCommand: string;
  /** Why the filter was refused. */
  problem?: Problem;
}

function Filters({ f }: { f: ReportFilterView }) {
  return (
    <FilterForm path="/reports" label="筛选举报">
      <div>
        <label for="licence">许可编号</label>
        <input id="licence" name="licence" type="text" value={f.licence} placeholder="QDYP-2026-000001" maxlength={64} />
      </div>
      <div>
        <label for="from">收到日期从（北京时间）</label>
        <input id="from" name="from" type="date" value={f.from} />
      </div>
      <div>
        <label for="to">到（含当天）</label>
        <input id="to" name="to" type="date" value={f.to} />
      </div>
      <Choice id="state" label="处理状态" value={f.state} options={TRIAGE_STATES.map((s) => [s, TRIAGE_LABEL[s]])} />
    </FilterForm>
  );
}

function PullNote({ command }: { command: string }) {
  return (
    <p class="card">
      这里列出已从边缘收件箱取回登记册的举报。取回新的举报在命令行进行（会用签发密钥签名请求）：<code data-command="pull">{command}</code>
    </p>
  );
}

export function ReportsPage({ frame, view }: { frame: Frame; view: ReportsView }) {
  return (
    <Layout frame={frame} title="举报">
      <ProblemBox problem={view.problem} />
      <PullNote command={view.pullCommand} />
      <Filters f={view.filter} />
      {view.result && (
        <section class="card" aria-labelledby="list">
          <h2 id="list">举报（最新收到的在前）</h2>
          {view.result.reports.length === 0 ? (
            <p data-reports="none">没有符合条件的举报。</p>
          ) : (
            <TableBox label="举报列表">
              <table data-reports="list">
                <caption>举报，第 {view.offset + 1} 条起</caption>
                <thead>
                  <tr>
                    <th scope="col">编号</th>
                    <th scope="col">收到时间（北京时间）</th>
                    <th scope="col">许可 / 封签</th>
                    <th scope="col">结果</th>
                    <th scope="col">地点</th>
                    <th scope="col">说明</th>
                    <th scope="col">报告人</th>
                    <th scope="col" class="num">
                      次数
                    </th>
                    <th scope="col">状态</th>
                  </tr>
                </thead>
                <tbody>
                  {view.result.reports.map((r) => (
                    <tr data-report={r.id}>
                      <td>
                        <a href={consoleHref(`/reports/${r.id}`)}>举报 {r.id}</a>
                      </td>
                      <td>{beijingTime(r.receivedAt)}</td>
                      <td>
                        <SealOrLicence r={r} />
                      </td>
                      <td>
                        <OutcomeText outcome={r.outcome} />
                      </td>
                      <td>{r.place ?? <span class="muted">—</span>}</td>
                      <td>{r.note ?? <span class="muted">—</span>}</td>
                      <td>
                        <Reporter r={r} />
                      </td>
                      <td class="num">{r.count}</td>
                      <td>
                        {TRIAGE_LABEL[r.state]}
                        {r.photoType && <span class="hint">有照片</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableBox>
          )}
          <Pager path="/reports" params={{ ...view.filter }} offset={view.offset} limit={view.limit} total={view.result.total} />
        </section>
      )}
    </Layout>
  );
}

/** What the page can say of a report's contact. */
export type ContactView = { kind: 'none' } | { kind: 'opened'; text: string } | { kind: 'sealed'; problem: string };

export interface ReportView {
  report: StoredReport;
  contact: ContactView;
  /** The signed-in officer may triage (role officer or admin). */
  mayTriage: boolean;
  /** What was typed, and why it was refused, when a triage was refused. */
  typed?: { state: string; note: string };
  problem?: Problem;
}

function Contact({ contact }: { contact: ContactView }) {
  switch (contact.kind) {
    case 'none':
      return <span class="muted">没有留下</span>;
    case 'opened':
      return (
        <>
          已加密，已用本办公室的联系方式密钥打开：<span class="mono" data-contact="opened">{contact.text}</span>
        </>
      );
    case 'sealed':
      return (
        <span data-contact="sealed">
          已加密（无法在此打开：<span lang="en">{contact.problem}</span>）
        </span>
      );
  }
}

function Triage({ report, officer, mayTriage, typed }: { report: StoredReport; officer: SignedInView; mayTriage: boolean; typed?: { state: string; note: string } }) {
  if (!mayTriage) {
    return (
      <section class="card" aria-labelledby="triage">
        <h2 id="triage">处理</h2>
        <p data-triage="role">当前状态：{TRIAGE_LABEL[report.state]}。只有主管可以更改举报的处理状态。</p>
      </section>
    );
  }
  const state = typed?.state ?? report.state;
  const note = typed?.note ?? report.stateNote ?? '';
  return (
    <form class="card" method="post" action={consoleHref(`/reports/${report.id}/triage`)} aria-labelledby="triage">
      <h2 id="triage">处理</h2>
      <Guard officer={officer} />
      <label for="state">处理状态</label>
      <select id="state" name="state">
        {TRIAGE_STATES.map((s) => (
          <option value={s} selected={s === state}>
            {TRIAGE_LABEL[s]}
          </option>
        ))}
      </select>
      <label for="note">处理说明</label>
      <span class="hint" id="note-hint">
        内部记录（不公开），记入审计日志；最多 500 个字符。
      </span>
      <textarea id="note" name="note" maxlength={500} aria-describedby="note-hint">
        {note}
      </textarea>
      <div class="actions">
        <button type="submit">保存处理状态</button>
      </div>
    </form>
  );
}

export function ReportPage({ frame, view }: { frame: Frame; view: ReportView }) {
  const r = view.report;
  return (
    <Layout frame={frame} title={`举报 ${r.id}`}>
      <ProblemBox problem={view.problem} />
      <p>
        <a href={consoleHref('/reports')}>返回举报列表</a>
      </p>
      <section class="card" aria-labelledby="details">
        <h2 id="details">内容</h2>
        <dl>
          <dt>处理状态</dt>
          <dd data-field="state">
            {TRIAGE_LABEL[r.state]}
            {r.stateNote && `：${r.stateNote}`}
            {r.stateChangedAt && <span class="hint">更改于 {beijingTime(r.stateChangedAt)}</span>}
          </dd>
          <dt>许可 / 封签</dt>
          <dd>
            <SealOrLicence r={r} />
            {r.licence && (
              <span class="hint">
                <a href={consoleHref(`/licences/${r.licence}`)}>打开许可 {r.licence}，暂停或撤销</a>
              </span>
            )}
          </dd>
          <dt>结果</dt>
          <dd>
            <OutcomeText outcome={r.outcome} />
            {r.count > 1 && `（共报告 ${r.count} 次）`}
          </dd>
          <dt>报告人</dt>
          <dd>
            <Reporter r={r} />
          </dd>
          <dt>地点</dt>
          <dd>{r.place ?? '—'}</dd>
          <dt>说明</dt>
          <dd>{r.note ?? '—'}</dd>
          <dt>发现时间</dt>
          <dd>{r.observedAt ? beijingTime(r.observedAt) : '—'}</dd>
          <dt>收到时间</dt>
          <dd>
            {beijingTime(r.receivedAt)}（北京时间）；取回于 {beijingTime(r.pulledAt)}
          </dd>
          <dt>来源</dt>
          <dd class="mono">
            {r.sourceUrl}（{r.edgeId}）
          </dd>
          <dt>联系方式</dt>
          <dd>
            <Contact contact={view.contact} />
          </dd>
        </dl>
        {r.photoType ? (
          <img class="photo" src={consoleHref(`/reports/${r.id}/photo`)} alt={`举报 ${r.id} 所附的照片`} />
        ) : (
          <p class="muted">没有附照片。</p>
        )}
      </section>
      <Triage report={r} officer={frame.officer!} mayTriage={view.mayTriage} typed={view.typed} />
    </Layout>
  );
}
