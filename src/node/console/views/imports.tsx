// The import's pages (批量导入): the upload form with the recent imports, and one import's page
// — the check's report in the words of `qdyp import` (every bad row by line, or what importing
// would do), the officer's confirmation, the progress while it runs (the page reloads itself:
// no script), and what it did.

import { CSV_COLUMNS, refusalLines, summaryLines, type ImportSummary, type RowProblem } from '../../import/index.ts';
import type { ConsoleImport, ImportState } from '../store.ts';
import { beijingTime, consoleHref, Guard, Layout, type Frame } from './layout.tsx';

/** What the console keeps of an import's check and run (the store's `report`). */
export type ImportReport =
  | { kind: 'refused'; code: string; message: string; problems: RowProblem[] }
  | { kind: 'checked'; summary: ImportSummary }
  | { kind: 'done'; summary: ImportSummary; published: boolean }
  /** The check's summary kept; `interrupted` when the console stopped while it ran. */
  | { kind: 'failed'; summary?: ImportSummary; message?: string; interrupted?: boolean };

export const STATE_LABEL: Record<ImportState, string> = {
  refused: '已拒绝（未导入）',
  checked: '检查通过，等待确认',
  running: '正在导入',
  done: '已完成',
  failed: '未完成，可继续导入',
};

/** The report as stored; anything else (a hand-edited database) reads as a failure to show. */
export function importReport(imp: ConsoleImport): ImportReport {
  const r = imp.report as Partial<ImportReport> | null;
  if (r && typeof r === 'object' && typeof r.kind === 'string') return r as ImportReport;
  return { kind: 'failed', message: 'no report was recorded' };
}

function mib(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function Lines({ lines, label }: { lines: string[]; label: string }) {
  return (
    <pre lang="en" aria-label={label}>
      {lines.join('\n')}
    </pre>
  );
}

export function ImportListPage({ frame, imports, problem, maxMiB }: { frame: Frame; imports: ConsoleImport[]; problem?: string; maxMiB: number }) {
  return (
    <Layout frame={frame} title="批量导入">
      {problem && (
        <p class="problem" role="alert">
          {problem}
        </p>
      )}
      <form class="card" method="post" action={consoleHref('/import')} enctype="multipart/form-data" aria-labelledby="upload-heading">
        <h2 id="upload-heading">上传遴选结果</h2>
        <p>
          上传后先逐行检查，和 <code>qdyp import --dry-run</code> 的检查相同：有任何一行不对，就列出每一行的问题，什么也不导入。检查通过后，由主管确认导入。
        </p>
        <Guard officer={frame.officer!} />
        <label for="file">CSV 文件</label>
        <span class="hint" id="file-hint">
          UTF-8（可带 BOM）或 GB18030/GBK（中文 Windows 上 Excel 另存的“CSV”），最大 {maxMiB} MiB。第一行是列名，顺序不限：<span class="mono">{CSV_COLUMNS.join(', ')}</span>
        </span>
        <input id="file" name="file" type="file" accept=".csv,text/csv" required aria-describedby="file-hint" />
        <div class="actions">
          <button type="submit">上传并检查</button>
        </div>
      </form>
      <section class="card" aria-labelledby="recent-heading">
        <h2 id="recent-heading">最近的导入</h2>
        {imports.length === 0 ? (
          <p class="muted">还没有通过控制台上传过文件。</p>
        ) : (
          <div class="table" role="region" aria-label="最近的导入" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">编号</th>
                  <th scope="col">文件</th>
                  <th scope="col">上传</th>
                  <th scope="col">状态</th>
                  <th scope="col" class="num">
                    行数
                  </th>
                </tr>
              </thead>
              <tbody>
                {imports.map((i) => (
                  <tr>
                    <td>
                      <a href={consoleHref(`/import/${i.id}`)}>导入 #{i.id}</a>
                    </td>
                    <td>{i.name}</td>
                    <td>
                      {i.uploadedBy} · {beijingTime(i.uploadedAt)}
                    </td>
                    <td>{STATE_LABEL[i.state]}</td>
                    <td class="num">{i.state === 'running' || i.state === 'failed' ? `${i.doneRows} / ${i.totalRows}` : i.totalRows}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Layout>
  );
}

export interface ImportPageProps {
  frame: Frame;
  imp: ConsoleImport;
  /** The officer may confirm (role officer or admin). */
  mayRun: boolean;
  /** Another import running now, if any. */
  other?: ConsoleImport | undefined;
  /** Reload while running (off with ?refresh=0). */
  autoRefresh: boolean;
  problem?: string;
}

function RunForm({ frame, imp, label }: { frame: Frame; imp: ConsoleImport; label: string }) {
  return (
    <form method="post" action={consoleHref(`/import/${imp.id}/run`)}>
      <Guard officer={frame.officer!} />
      <div class="actions">
        <button type="submit" data-action="run-import">
          {label}
        </button>
      </div>
    </form>
  );
}

function Counts({ summary, dryRun }: { summary: ImportSummary; dryRun: boolean }) {
  return (
    <ul class="tiles">
      <li>
        <b>{summary.rows}</b>行
      </li>
      <li>
        <b>{summary.holdersAdded}</b>
        {dryRun ? '将新增品牌主体' : '新增品牌主体'}
      </li>
      <li>
        <b>{summary.licencesIssued}</b>
        {dryRun ? '将签发授权' : '签发授权'}
      </li>
      <li>
        <b>{summary.skipped}</b>
        {dryRun ? '将跳过（已导入过）' : '跳过（已导入过）'}
      </li>
      <li>
        <b>{summary.differences.length + summary.warnings.length}</b>警告
      </li>
    </ul>
  );
}

export function ImportPage(p: ImportPageProps) {
  const { imp } = p;
  const report = importReport(imp);
  const running = imp.state === 'running';
  return (
    <Layout frame={p.frame} title={`导入 #${imp.id}：${imp.name}`}>
      {p.problem && (
        <p class="problem" role="alert">
          {p.problem}
        </p>
      )}
      <section class="card" aria-labelledby="file-heading">
        <h2 id="file-heading">文件</h2>
        <dl>
          <dt>文件名</dt>
          <dd>{imp.name}</dd>
          <dt>大小</dt>
          <dd>{mib(imp.bytes)}</dd>
          <dt>SHA-256</dt>
          <dd class="mono">{imp.sha256}</dd>
          <dt>上传</dt>
          <dd>
            {imp.uploadedBy} · {beijingTime(imp.uploadedAt)}
          </dd>
          <dt>状态</dt>
          <dd data-state={imp.state}>{STATE_LABEL[imp.state]}</dd>
          {imp.startedBy && (
            <>
              <dt>确认导入</dt>
              <dd>
                {imp.startedBy} · {beijingTime(imp.startedAt)}
              </dd>
            </>
          )}
          {imp.finishedAt && (
            <>
              <dt>结束</dt>
              <dd>{beijingTime(imp.finishedAt)}</dd>
            </>
          )}
        </dl>
      </section>

      {running && (
        <section class="card" aria-labelledby="progress-heading">
          <h2 id="progress-heading">正在导入</h2>
          <label for="progress">导入进度</label>
          <progress id="progress" max={Math.max(imp.totalRows, 1)} value={imp.doneRows}>
            {imp.totalRows > 0 ? Math.floor((imp.doneRows / imp.totalRows) * 100) : 0}%
          </progress>
          <p role="status">
            已导入 {imp.doneRows} / {imp.totalRows} 行{imp.totalRows > 0 && imp.doneRows >= imp.totalRows ? '，正在发布到边缘存储……' : '。'}
          </p>
          {p.autoRefresh ? (
            <p class="hint">
              本页每 2 秒自动刷新一次。<a href={consoleHref(`/import/${imp.id}`, { refresh: '0' })}>停止自动刷新</a>
            </p>
          ) : (
            <p class="hint">
              自动刷新已停止。<a href={consoleHref(`/import/${imp.id}`, { refresh: '0' })}>刷新进度</a> 或 <a href={consoleHref(`/import/${imp.id}`)}>恢复自动刷新</a>
            </p>
          )}
        </section>
      )}

      {report.kind === 'refused' && (
        <section class="card" aria-labelledby="report-heading">
          <h2 id="report-heading">检查结果：文件被拒绝</h2>
          <p class="problem">
            没有导入任何内容。请在表格中改正下列各行，然后重新上传。{report.problems.length > 0 && ` 共 ${report.problems.length} 行有问题。`}
          </p>
          <Lines lines={refusalLines(report)} label="qdyp import 的检查结果" />
        </section>
      )}

      {report.kind === 'checked' && !running && (
        <section class="card" aria-labelledby="report-heading">
          <h2 id="report-heading">检查结果：全部通过</h2>
          <Counts summary={report.summary} dryRun />
          <Lines lines={summaryLines(report.summary, false)} label="qdyp import 的检查结果" />
          {p.other && <p class="warn">另一个导入（#{p.other.id}）正在进行：它完成后才能开始这个导入。</p>}
          {p.mayRun ? <RunForm frame={p.frame} imp={imp} label="确认导入" /> : <p class="warn">等待主管确认：只有主管（或管理员）能确认导入。</p>}
        </section>
      )}

      {report.kind === 'checked' && running && (
        <details class="card">
          <summary>检查结果</summary>
          <Lines lines={summaryLines(report.summary, false)} label="qdyp import 的检查结果" />
        </details>
      )}

      {report.kind === 'done' && (
        <section class="card" aria-labelledby="report-heading">
          <h2 id="report-heading">导入完成</h2>
          <Counts summary={report.summary} dryRun={false} />
          <Lines lines={summaryLines(report.summary, report.published)} label="qdyp import 的导入结果" />
          {!report.published && <p class="warn">发布没有成功：更改已保存，会在下一次发布时写出（也可以运行 qdyp publish）。</p>}
          <p>
            <a href={consoleHref('/licences')}>到授权列表查看导入的授权</a>
          </p>
        </section>
      )}

      {report.kind === 'failed' && !running && (
        <section class="card" aria-labelledby="report-heading">
          <h2 id="report-heading">导入未完成</h2>
          <p class="problem">
            {report.interrupted ? '控制台在导入时停止了。' : '导入没有完成：'}
            {!report.interrupted && report.message && <span lang="en">{report.message}</span>} 已导入 {imp.doneRows} / {imp.totalRows} 行；已导入的授权都已保存。继续导入会跳过已导入的行，完成其余的行。
          </p>
          {report.summary && (
            <details>
              <summary>上传时的检查结果</summary>
              <Lines lines={summaryLines(report.summary, false)} label="qdyp import 的检查结果" />
            </details>
          )}
          {p.other && <p class="warn">另一个导入（#{p.other.id}）正在进行：它完成后才能继续这个导入。</p>}
          {p.mayRun ? <RunForm frame={p.frame} imp={imp} label="继续导入" /> : <p class="warn">等待主管继续导入。</p>}
        </section>
      )}

      <p class="card">
        <a href={consoleHref('/import')}>返回批量导入</a>
      </p>
    </Layout>
  );
}
