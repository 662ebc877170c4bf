// The audit log (审计日志): filters for licence, holder, officer, action and dates, and the events
// newest first, each with its record before and after (as JSON, escaped by the renderer).

import { LICENCE_NUMBER_RE } from '../../../core/index.ts';
import type { AuditEvent } from '../../registry/audit.ts';
import { beijingTime, consoleHref, Layout, Pager, type Frame } from './layout.tsx';
import { Choice, FilterForm, ProblemBox, TableBox, type Problem } from './parts.tsx';

export interface AuditFilterView {
  licence: string;
  holder: string;
  actor: string;
  action: string;
  from: string;
  to: string;
}

export interface AuditView {
  filter: AuditFilterView;
  actors: string[];
  actions: string[];
  /** Null when the filter was refused (the page says why). */
  result: { total: number; events: AuditEvent[] } | null;
  offset: number;
  limit: number;
  /** Why the filter was refused. */
  problem?: Problem;
}

/** A subject as a link where the console has a page for it (a licence, a report). */
function Subject({ subject }: { subject: string }) {
  if (LICENCE_NUMBER_RE.test(subject)) return <a href={consoleHref(`/licences/${subject}`)}>{subject}</a>;
  const report = /^report:(\d{1,12})$/.exec(subject);
  if (report) return <a href={consoleHref(`/reports/${report[1]}`)}>{`举报 ${report[1]}`}</a>;
  return <span class="mono">{subject}</span>;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function Change({ event }: { event: AuditEvent }) {
  if (event.before === null && event.after === null) return <span class="muted">—</span>;
  return (
    <details>
      <summary>
        前后记录<span class="muted">（事件 {event.id}）</span>
      </summary>
      {event.before !== null && (
        <>
          <p class="muted">之前</p>
          <pre data-before={event.id}>{json(event.before)}</pre>
        </>
      )}
      {event.after !== null && (
        <>
          <p class="muted">之后</p>
          <pre data-after={event.id}>{json(event.after)}</pre>
        </>
      )}
    </details>
  );
}

function Filters({ v }: { v: AuditView }) {
  const f = v.filter;
  return (
    <FilterForm path="/audit" label="筛选审计日志">
      <div>
        <label for="licence">许可编号</label>
        <input id="licence" name="licence" type="text" value={f.licence} placeholder="QDYP-2026-000001" maxlength={64} />
      </div>
      <div>
        <label for="holder">品牌主体（统一社会信用代码）</label>
        <input id="holder" name="holder" type="text" value={f.holder} maxlength={64} />
      </div>
      <Choice id="actor" label="操作人" value={f.actor} options={v.actors.map((a) => [a, a])} />
      <Choice id="action" label="操作" value={f.action} options={v.actions.map((a) => [a, a])} />
      <div>
        <label for="from">从（北京时间，含当天）</label>
        <input id="from" name="from" type="date" value={f.from} />
      </div>
      <div>
        <label for="to">到（北京时间，含当天）</label>
        <input id="to" name="to" type="date" value={f.to} />
      </div>
    </FilterForm>
  );
}

export function AuditPage({ frame, view }: { frame: Frame; view: AuditView }) {
  const params = { ...view.filter } as Record<string, string | undefined>;
  return (
    <Layout frame={frame} title="审计日志">
      <ProblemBox problem={view.problem} />
      <Filters v={view} />
      {view.result && (
        <section class="card" aria-labelledby="events">
          <h2 id="events">事件（新的在前）</h2>
          {view.result.events.length === 0 ? (
            <p data-events="none">没有符合条件的事件。</p>
          ) : (
            <TableBox label="审计事件">
              <table data-events="list">
                <caption>审计事件，第 {view.offset + 1} 条起</caption>
                <thead>
                  <tr>
                    <th scope="col">时间（北京时间）</th>
                    <th scope="col">操作人</th>
                    <th scope="col">操作</th>
                    <th scope="col">对象</th>
                    <th scope="col">原因</th>
                    <th scope="col">记录</th>
                  </tr>
                </thead>
                <tbody>
                  {view.result.events.map((e) => (
                    <tr data-event={e.id}>
                      <td>{beijingTime(e.at)}</td>
                      <td>{e.actor}</td>
                      <td class="mono">
                        {e.action}
                      </td>
                      <td>
                        <Subject subject={e.subject} />
                      </td>
                      <td>{e.reason ?? <span class="muted">—</span>}</td>
                      <td>
                        <Change event={e} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableBox>
          )}
          <Pager path="/audit" params={params} offset={view.offset} limit={view.limit} total={view.result.total} />
        </section>
      )}
    </Layout>
  );
}
