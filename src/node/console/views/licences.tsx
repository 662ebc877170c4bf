// The console's licence pages: the searchable list (with the bulk revocation of a filtered
// list), one licence with its QR, downloads, periods, history and the officer's actions, the
// issue form, and the bulk revocation requests waiting for a second officer.
//
// Text is Chinese; a refusal from the issuer is shown in English as the CLI prints it.

import type { Child } from 'hono/jsx';
import { LICENCE_STATUSES, MESSAGES, REGIONS, SECTORS, TIERS, type CalendarDate, type LicenceStatus } from '../../../core/index.ts';
import { officerActor } from '../../issuer/index.ts';
import type { AuditEvent } from '../../registry/audit.ts';
import type { BulkRevocationRecord } from '../../registry/bulk.ts';
import type { LicenceRecord, ValidityPeriod } from '../../registry/licences.ts';
import { AuditReasonNote, beijingTime, consoleHref, Guard, Layout, Pager, PublicReasonNote, StatusBadge, type Frame } from './layout.tsx';
import { ProblemBox, type Problem } from './parts.tsx';

const zh = MESSAGES['zh-CN'];

export function regionLabel(code: string | null): string {
  if (code === null) return '—';
  const region = REGIONS[code];
  return region ? `${region.zh}（${code}）` : code;
}

/** What a verifier shows today: a valid licence past its last day is expired. */
export function shownStatus(licence: Pick<LicenceRecord, 'status' | 'validUntil'>, today: CalendarDate): LicenceStatus | 'expired' {
  return licence.status === 'valid' && licence.validUntil < today ? 'expired' : licence.status;
}

const ACTION_LABEL: Record<string, string> = {
  'licence.issue': '签发',
  'licence.update': '更新内容',
  'licence.renew': '续期',
  'licence.reseal': '重新签章',
  'licence.suspend': '暂停',
  'licence.reinstate': '恢复',
  'licence.revoke': '撤销',
};

function licencePath(number: string): string {
  return `/licences/${number}`;
}

// --- The list --------------------------------------------------------------------------------

export type { FilterParams } from '../filters.ts';
import type { FilterParams } from '../filters.ts';

export interface BulkOffer {
  /** The licences the form would revoke: the filter's results that are not revoked. */
  count: number;
  /** Fingerprint of exactly those numbers: the POST refuses if the results changed meanwhile. */
  expect: string;
  /** Revoked licences among the results (left out). */
  revoked: number;
  /** Above this, a second officer must confirm. */
  limit: number;
}

export interface LicenceListProps {
  frame: Frame;
  params: FilterParams;
  batches: { batch: string; count: number }[];
  regionCounts: Map<string | null, number>;
  today: CalendarDate;
  result?: { total: number; licences: LicenceRecord[]; offset: number; limit: number };
  problem?: Problem;
  canAct: boolean;
  bulk?: BulkOffer;
  bulkReason?: string;
  pendingBulk: number;
}

function Select({ id, label, name, value, options, any }: { id: string; label: string; name: string; value: string | undefined; options: [string, string][]; any: string }) {
  const known = options.some(([v]) => v === value);
  return (
    <div>
      <label for={id}>{label}</label>
      <select id={id} name={name}>
        <option value="" selected={!value}>
          {any}
        </option>
        {options.map(([v, text]) => (
          <option value={v} selected={v === value}>
            {text}
          </option>
        ))}
        {value && !known && (
          <option value={value} selected>
            {value}
          </option>
        )}
      </select>
    </div>
  );
}

export function LicenceListPage(props: LicenceListProps) {
  const { frame, params, result, bulk } = props;
  const filtered = Object.values(params).some((v) => v !== undefined && v !== '');
  return (
    <Layout frame={frame} title="授权">
      <ProblemBox problem={props.problem} />
      <form class="card" method="get" action={consoleHref('/licences')} role="search" aria-label="查找授权">
        <h2>查找授权</h2>
        <div class="filters">
          <div>
            <label for="f-text">授权编号、主体名称或统一社会信用代码</label>
            <input id="f-text" name="text" type="search" maxlength={200} value={params.text ?? ''} />
          </div>
          <Select id="f-batch" label="遴选批次" name="batch" value={params.batch} any="全部批次" options={props.batches.map((b) => [b.batch, `${b.batch}（${b.count}）`])} />
          <Select id="f-tier" label="类别" name="tier" value={params.tier} any="全部类别" options={TIERS.map((t) => [t, zh.tiers[t]])} />
          <Select id="f-sector" label="行业" name="sector" value={params.sector} any="全部行业" options={SECTORS.map((s) => [s, zh.sectors[s]])} />
          <Select
            id="f-region"
            label="地区"
            name="region"
            value={params.region}
            any="全部地区"
            options={Object.keys(REGIONS).map((code) => [code, `${regionLabel(code)}${props.regionCounts.has(code) ? ` · ${props.regionCounts.get(code)}` : ''}`])}
          />
          <Select id="f-status" label="状态" name="status" value={params.status} any="全部状态" options={LICENCE_STATUSES.map((s) => [s, zh.statuses[s]])} />
          <div>
            <label for="f-expiring">
              <input id="f-expiring" name="expiring" type="checkbox" value="1" checked={params.expiring === '1'} /> 90 天内到期（有效的授权）
            </label>
          </div>
        </div>
        <div class="actions">
          <button type="submit">筛选</button>
          {filtered && (
            <a class="button plain" href={consoleHref('/licences')}>
              清除筛选条件
            </a>
          )}
        </div>
      </form>

      <div class="actions">
        {props.canAct && (
          <a class="button" href={consoleHref('/licences/new')}>
            签发新授权
          </a>
        )}
        {result && (
          <a class="button plain" href={consoleHref('/exports/licences.csv', params)}>
            导出 CSV
          </a>
        )}
        <a href={consoleHref('/licences/bulk')}>待确认的批量撤销（{props.pendingBulk}）</a>
      </div>

      {result && (
        <section class="card" aria-labelledby="results">
          <h2 id="results">{filtered ? '筛选结果' : '全部授权'}</h2>
          {result.licences.length === 0 ? (
            <p>没有符合条件的授权。</p>
          ) : (
            <div class="table" role="region" aria-label="授权列表" tabindex={0}>
              <table>
                <caption>授权（第 {result.offset + 1} 条起，共 {result.total} 条）</caption>
                <thead>
                  <tr>
                    <th scope="col">授权编号</th>
                    <th scope="col">主体</th>
                    <th scope="col">产品</th>
                    <th scope="col">类别</th>
                    <th scope="col">行业</th>
                    <th scope="col">地区</th>
                    <th scope="col">有效期至</th>
                    <th scope="col">状态</th>
                  </tr>
                </thead>
                <tbody>
                  {result.licences.map((l) => (
                    <tr>
                      <td>
                        <a class="mono" href={consoleHref(licencePath(l.number))}>
                          {l.number}
                        </a>
                      </td>
                      <td>
                        {l.holder.name}
                        <br />
                        <span class="mono muted">{l.holder.uscc}</span>
                      </td>
                      <td>{l.products.join('、')}</td>
                      <td>{zh.tiers[l.tier]}</td>
                      <td>{zh.sectors[l.sector]}</td>
                      <td>{regionLabel(l.region)}</td>
                      <td>{l.validUntil}</td>
                      <td>
                        <StatusBadge status={shownStatus(l, props.today)} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager path="/licences" params={params} offset={result.offset} limit={result.limit} total={result.total} />
        </section>
      )}

      {bulk && props.canAct && frame.officer && (
        <form class="card" method="post" action={consoleHref('/licences/bulk')} aria-labelledby="bulk-title">
          <h2 id="bulk-title">批量撤销筛选结果</h2>
          <Guard officer={frame.officer} />
          {Object.entries(params).map(([name, value]) => value !== undefined && value !== '' && <input type="hidden" name={name} value={value} />)}
          <input type="hidden" name="expect" value={bulk.expect} />
          <p>
            将撤销上面筛选结果中的 {bulk.count} 个授权（有效或已暂停的）{bulk.revoked > 0 ? `；已撤销的 ${bulk.revoked} 个不计在内` : ''}。撤销是最终的，不能恢复。
            {bulk.count > bulk.limit ? ` 超过 ${bulk.limit} 个：提交后须由另一位主管确认，确认后才会撤销。` : ''}
          </p>
          <label for="bulk-reason">撤销原因（必填）</label>
          <PublicReasonNote />
          <input id="bulk-reason" name="reason" type="text" maxlength={500} required value={props.bulkReason ?? ''} />
          <label for="bulk-confirm">
            <input id="bulk-confirm" name="confirm" type="checkbox" value="1" required /> 我确认撤销不可恢复
          </label>
          <div class="actions">
            <button class="danger" type="submit">
              撤销筛选结果中的全部 {bulk.count} 个授权
            </button>
          </div>
        </form>
      )}
    </Layout>
  );
}

// --- One licence ----------------------------------------------------------------------------

export type LicenceAction = 'suspend' | 'reinstate' | 'revoke' | 'renew' | 'update' | 'reseal';

export interface LicencePageProps {
  frame: Frame;
  licence: LicenceRecord;
  today: CalendarDate;
  sealUrl: string;
  /** The public scan page for this licence. */
  scanUrl: string;
  /** The QR as a data: SVG, or null when it could not be drawn (see qrProblem). */
  qrDataUrl: string | null;
  qrProblem?: string;
  periods: ValidityPeriod[];
  history: { total: number; events: AuditEvent[]; offset: number; limit: number };
  canAct: boolean;
  problem?: Problem;
  /** What was typed into the form that was refused, to show it again. */
  typed?: { action: LicenceAction; values: Record<string, string> };
}

function typedValue(props: LicencePageProps, action: LicenceAction, field: string): string {
  return props.typed?.action === action ? (props.typed.values[field] ?? '') : '';
}

/** The changes whose reason is the licence's public status reason; the others' go to the audit log only. */
const STATUS_ACTIONS: readonly LicenceAction[] = ['suspend', 'reinstate', 'revoke'];

function ReasonField({ props, action, required }: { props: LicencePageProps; action: LicenceAction; required: boolean }) {
  const id = `${action}-reason`;
  return (
    <>
      <label for={id}>{required ? '原因（必填）' : '原因（选填）'}</label>
      {STATUS_ACTIONS.includes(action) ? <PublicReasonNote /> : <AuditReasonNote />}
      <input id={id} name="reason" type="text" maxlength={500} required={required} value={typedValue(props, action, 'reason')} />
    </>
  );
}

function ActionForm({ props, action, title, children, button, danger }: { props: LicencePageProps; action: LicenceAction; title: string; children?: Child; button: string; danger?: boolean }) {
  const officer = props.frame.officer!;
  return (
    <form class="card" method="post" action={consoleHref(`${licencePath(props.licence.number)}/${action}`)} aria-labelledby={`${action}-title`}>
      <h3 id={`${action}-title`}>{title}</h3>
      <Guard officer={officer} />
      {children}
      <div class="actions">
        <button type="submit" class={danger ? 'danger' : undefined} data-action={action}>
          {button}
        </button>
      </div>
    </form>
  );
}

function LicenceActions({ props }: { props: LicencePageProps }) {
  const { licence } = props;
  if (!props.canAct || !props.frame.officer) {
    return <p class="card muted">你的角色只能查看授权；签发、更改、续期、重新签章、暂停、恢复和撤销需要主管（officer）角色。</p>;
  }
  if (licence.status === 'revoked') return <p class="card">这个授权已撤销（最终状态），不能再更改。</p>;
  const list = (values: string[]) => (values.length ? values.join('、') : '无');
  return (
    <section aria-labelledby="actions">
      <h2 id="actions">操作</h2>
      <div class="grid">
        {licence.status === 'valid' && (
          <ActionForm props={props} action="suspend" title="暂停授权" button="暂停授权">
            <p class="hint">暂停期间，扫码页面显示“已暂停”；可以恢复。</p>
            <ReasonField props={props} action="suspend" required />
          </ActionForm>
        )}
        {licence.status === 'suspended' && (
          <ActionForm props={props} action="reinstate" title="恢复授权" button="恢复授权">
            <p class="hint">恢复后，扫码页面重新显示为正品授权。</p>
            <ReasonField props={props} action="reinstate" required />
          </ActionForm>
        )}
        <ActionForm props={props} action="revoke" title="撤销授权" button="撤销授权" danger>
          <p class="hint">撤销是最终的：撤销后的授权不能恢复。</p>
          <ReasonField props={props} action="revoke" required />
          <label for="revoke-confirm">
            <input id="revoke-confirm" name="confirm" type="checkbox" value="1" required /> 我确认撤销不可恢复
          </label>
        </ActionForm>
        <ActionForm props={props} action="renew" title="续期" button="续期">
          <p class="hint">
            现在的有效期：{licence.validFrom} 至 {licence.validUntil}。续期不改变签章，不需要重新印刷。
          </p>
          <label for="renew-until">新的最后有效日（必填）</label>
          <input id="renew-until" name="until" type="date" required value={typedValue(props, 'renew', 'until')} />
          <label for="renew-from">新的起始日（选填，默认不变）</label>
          <input id="renew-from" name="from" type="date" value={typedValue(props, 'renew', 'from')} />
          <ReasonField props={props} action="renew" required={false} />
        </ActionForm>
        <ActionForm props={props} action="update" title="更新授权内容" button="更新">
          <p class="hint">只填要更改的项：空着的项保持不变。列表每行一项，填写后替换整个列表。签章不变。</p>
          <label for="update-products">产品（每行一个）</label>
          <span class="hint" id="update-products-now">
            现在：{list(licence.products)}
          </span>
          <textarea id="update-products" name="products" aria-describedby="update-products-now">
            {typedValue(props, 'update', 'products')}
          </textarea>
          <label for="update-trademarks">商标（每行一个）</label>
          <span class="hint" id="update-trademarks-now">
            现在：{list(licence.trademarks)}
          </span>
          <textarea id="update-trademarks" name="trademarks" aria-describedby="update-trademarks-now">
            {typedValue(props, 'update', 'trademarks')}
          </textarea>
          <label for="update-clear-trademarks">
            <input id="update-clear-trademarks" name="clear-trademarks" type="checkbox" value="1" checked={typedValue(props, 'update', 'clear-trademarks') === '1'} /> 清除全部商标
          </label>
          <label for="update-chain">产业链</label>
          <span class="hint" id="update-chain-now">
            现在：{licence.chain ?? '无'}
          </span>
          <input id="update-chain" name="chain" type="text" maxlength={100} aria-describedby="update-chain-now" value={typedValue(props, 'update', 'chain')} />
          <label for="update-clear-chain">
            <input id="update-clear-chain" name="clear-chain" type="checkbox" value="1" checked={typedValue(props, 'update', 'clear-chain') === '1'} /> 清除产业链
          </label>
          <label for="update-region">地区</label>
          <select id="update-region" name="region">
            <option value="">不变（现在：{regionLabel(licence.region)}）</option>
            <option value="none" selected={typedValue(props, 'update', 'region') === 'none'}>
              清除地区
            </option>
            {Object.keys(REGIONS).map((code) => (
              <option value={code} selected={typedValue(props, 'update', 'region') === code}>
                {regionLabel(code)}
              </option>
            ))}
          </select>
          <ReasonField props={props} action="update" required={false} />
        </ActionForm>
        <ActionForm props={props} action="reseal" title="重新签章" button="重新签章">
          <p class="hint">用当前有效的签发密钥生成新的签章（密钥泄露后使用）。二维码会改变：必须重新印刷。现在的签章密钥：{licence.sealKid}。</p>
          <ReasonField props={props} action="reseal" required={false} />
        </ActionForm>
      </div>
    </section>
  );
}

export function LicencePage(props: LicencePageProps) {
  const { licence, history } = props;
  const base = licencePath(licence.number);
  return (
    <Layout frame={props.frame} title={`授权 ${licence.number}`}>
      <ProblemBox problem={props.problem} />
      <p>
        <a href={consoleHref('/licences')}>返回授权列表</a>
      </p>
      <div class="grid">
        <section class="card" aria-labelledby="details">
          <h2 id="details">授权信息</h2>
          <dl>
            <dt>授权编号</dt>
            <dd class="mono">
              {licence.number}（序号 {licence.serial}）
            </dd>
            <dt>状态</dt>
            <dd>
              <StatusBadge status={shownStatus(licence, props.today)} />
              {licence.status === 'valid' && licence.validFrom > props.today && ' 尚未生效'}
              <br />
              自 {beijingTime(licence.statusChangedAt)}
              {licence.statusReason && (
                <>
                  ：<span data-status-reason>{licence.statusReason}</span>
                </>
              )}
            </dd>
            <dt>主体</dt>
            <dd>
              {licence.holder.name}
              <br />
              <a class="mono" href={consoleHref('/licences', { text: licence.holder.uscc })}>
                {licence.holder.uscc}
              </a>
              <span class="hint">（点击查看该主体的全部授权）</span>
            </dd>
            <dt>主体地址</dt>
            <dd>{licence.holder.address ?? '—'}</dd>
            <dt>类别</dt>
            <dd>{zh.tiers[licence.tier]}</dd>
            <dt>行业</dt>
            <dd>{zh.sectors[licence.sector]}</dd>
            <dt>产业链</dt>
            <dd>{licence.chain ?? '—'}</dd>
            <dt>地区</dt>
            <dd>{regionLabel(licence.region)}</dd>
            <dt>产品</dt>
            <dd>
              <ul class="plain">
                {licence.products.map((p) => (
                  <li>{p}</li>
                ))}
              </ul>
            </dd>
            <dt>商标</dt>
            <dd>
              {licence.trademarks.length === 0 ? (
                '—'
              ) : (
                <ul class="plain">
                  {licence.trademarks.map((t) => (
                    <li>{t}</li>
                  ))}
                </ul>
              )}
            </dd>
            <dt>有效期</dt>
            <dd>
              {licence.validFrom} 至 {licence.validUntil}（北京时间）
            </dd>
            <dt>签发时间</dt>
            <dd>{beijingTime(licence.issuedAt)}</dd>
            <dt>遴选批次</dt>
            <dd>{licence.batch === null ? '—' : `${licence.batch} / ${licence.ref}`}</dd>
            <dt>签章密钥</dt>
            <dd class="mono">{licence.sealKid}</dd>
            <dt>文件签名密钥</dt>
            <dd class="mono">{licence.documentKid}</dd>
            <dt>签章网址</dt>
            <dd class="mono">{props.sealUrl}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="qr">
          <h2 id="qr">二维码与下载</h2>
          {props.qrDataUrl ? (
            <img class="qr" src={props.qrDataUrl} alt={`授权 ${licence.number} 的二维码（预览）`} width="144" height="144" />
          ) : (
            <p class="warn">{props.qrProblem ?? '二维码无法生成。'}</p>
          )}
          <ul class="plain">
            <li>
              <a href={props.scanUrl}>打开公众扫码页面</a>
            </li>
            <li>
              <a href={consoleHref(`${base}/artwork.svg`)} download>
                下载二维码 SVG（矢量）
              </a>
            </li>
            <li>
              <a href={consoleHref(`${base}/artwork.png`)} download>
                下载二维码 PNG（30 毫米，600 dpi）
              </a>
            </li>
            <li>
              <a href={consoleHref(`${base}/certificate.pdf`)} download>
                下载授权证书 PDF
              </a>
            </li>
          </ul>
        </section>
      </div>

      <section class="card" aria-labelledby="periods">
        <h2 id="periods">有效期记录</h2>
        <div class="table" role="region" aria-label="有效期记录" tabindex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">起始日</th>
                <th scope="col">最后有效日</th>
                <th scope="col">记录时间</th>
              </tr>
            </thead>
            <tbody>
              {props.periods.map((p) => (
                <tr>
                  <td>{p.validFrom}</td>
                  <td>{p.validUntil}</td>
                  <td>{beijingTime(p.recordedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <LicenceActions props={props} />

      <section class="card" aria-labelledby="history">
        <h2 id="history">历史记录</h2>
        {history.events.length === 0 ? (
          <p>没有记录。</p>
        ) : (
          <div class="table" role="region" aria-label="历史记录" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">时间</th>
                  <th scope="col">操作人</th>
                  <th scope="col">操作</th>
                  <th scope="col">原因</th>
                </tr>
              </thead>
              <tbody>
                {history.events.map((e) => (
                  <tr data-audit-action={e.action}>
                    <td>{beijingTime(e.at)}</td>
                    <td class="mono">{e.actor}</td>
                    <td>
                      {ACTION_LABEL[e.action] ?? ''} <span class="mono muted">{e.action}</span>
                    </td>
                    <td>{e.reason ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager path={base} params={{}} offset={history.offset} limit={history.limit} total={history.total} />
      </section>
    </Layout>
  );
}

// --- Issuing ---------------------------------------------------------------------------------

export type IssueValues = Partial<Record<'holder' | 'tier' | 'sector' | 'chain' | 'products' | 'trademarks' | 'region' | 'from' | 'until' | 'days' | 'batch' | 'ref' | 'reason', string>>;

export function IssuePage({ frame, values, problem }: { frame: Frame; values: IssueValues; problem?: Problem }) {
  const v = (name: keyof IssueValues) => values[name] ?? '';
  return (
    <Layout frame={frame} title="签发新授权">
      <ProblemBox problem={problem} />
      <p>
        <a href={consoleHref('/licences')}>返回授权列表</a>
      </p>
      <form class="card" method="post" action={consoleHref('/licences')}>
        <Guard officer={frame.officer!} />
        <p class="hint">与命令 qdyp licence issue 相同：新的编号、序号、签章（二维码）和签名的授权文件。</p>
        <label for="issue-holder">主体的统一社会信用代码（必填）</label>
        <span class="hint" id="issue-holder-hint">
          主体须已登记（品牌主体页面）。
        </span>
        <input id="issue-holder" name="holder" type="text" maxlength={18} autocomplete="off" required aria-describedby="issue-holder-hint" value={v('holder')} />
        <label for="issue-tier">类别（必填）</label>
        <select id="issue-tier" name="tier" required>
          <option value="">请选择</option>
          {TIERS.map((t) => (
            <option value={t} selected={v('tier') === t}>
              {zh.tiers[t]}（{t}）
            </option>
          ))}
        </select>
        <label for="issue-sector">行业（必填）</label>
        <select id="issue-sector" name="sector" required>
          <option value="">请选择</option>
          {SECTORS.map((s) => (
            <option value={s} selected={v('sector') === s}>
              {zh.sectors[s]}（{s}）
            </option>
          ))}
        </select>
        <label for="issue-chain">产业链（选填，如 智能家电、食品饮料）</label>
        <input id="issue-chain" name="chain" type="text" maxlength={100} value={v('chain')} />
        <label for="issue-products">产品（必填，每行一个）</label>
        <textarea id="issue-products" name="products" required>
          {v('products')}
        </textarea>
        <label for="issue-trademarks">商标（选填，每行一个）</label>
        <textarea id="issue-trademarks" name="trademarks">{v('trademarks')}</textarea>
        <label for="issue-region">地区</label>
        <select id="issue-region" name="region">
          <option value="">同主体所在地区</option>
          <option value="none" selected={v('region') === 'none'}>
            不设地区
          </option>
          {Object.keys(REGIONS).map((code) => (
            <option value={code} selected={v('region') === code}>
              {regionLabel(code)}
            </option>
          ))}
        </select>
        <label for="issue-from">起始日（选填，默认今天，北京时间）</label>
        <input id="issue-from" name="from" type="date" value={v('from')} />
        <fieldset>
          <legend>有效期：填写最后有效日，或者有效天数（二选一）</legend>
          <label for="issue-until">最后有效日</label>
          <input id="issue-until" name="until" type="date" value={v('until')} />
          <label for="issue-days">有效天数</label>
          <input id="issue-days" name="days" type="number" min={1} step={1} inputmode="numeric" value={v('days')} />
        </fieldset>
        <label for="issue-batch">遴选批次（选填；与批次内编号一起填写）</label>
        <input id="issue-batch" name="batch" type="text" maxlength={100} value={v('batch')} />
        <label for="issue-ref">批次内编号</label>
        <input id="issue-ref" name="ref" type="text" maxlength={100} value={v('ref')} />
        <label for="issue-reason">备注（选填）</label>
        <AuditReasonNote />
        <input id="issue-reason" name="reason" type="text" maxlength={500} value={v('reason')} />
        <div class="actions">
          <button type="submit">签发</button>
        </div>
      </form>
    </Layout>
  );
}

// --- Bulk revocations ------------------------------------------------------------------------

const BULK_STATE_LABEL: Record<BulkRevocationRecord['state'], string> = { pending: '待确认', done: '已确认并执行', cancelled: '已取消' };

function actorName(actor: string): string {
  return actor.startsWith('officer:') ? actor.slice('officer:'.length) : actor;
}

function BulkTable({ rows, caption }: { rows: BulkRevocationRecord[]; caption: string }) {
  return (
    <div class="table" role="region" aria-label="批量撤销申请" tabindex={0}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">申请</th>
            <th scope="col">申请人</th>
            <th scope="col">申请时间</th>
            <th scope="col">授权数</th>
            <th scope="col">原因</th>
            <th scope="col">状态</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((b) => (
            <tr>
              <td>
                <a href={consoleHref(`/licences/bulk/${b.id}`)}>批量撤销 #{b.id}</a>
              </td>
              <td>{actorName(b.requestedBy)}</td>
              <td>{beijingTime(b.requestedAt)}</td>
              <td class="num">{b.numbers.length}</td>
              <td>{b.reason}</td>
              <td>{BULK_STATE_LABEL[b.state]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function BulkListPage({ frame, pending, decided }: { frame: Frame; pending: BulkRevocationRecord[]; decided: BulkRevocationRecord[] }) {
  return (
    <Layout frame={frame} title="批量撤销">
      <p>
        <a href={consoleHref('/licences')}>返回授权列表</a>
      </p>
      <section class="card" aria-labelledby="pending">
        <h2 id="pending">待另一位主管确认</h2>
        {pending.length === 0 ? <p>没有待确认的批量撤销。</p> : <BulkTable rows={pending} caption="待确认的申请" />}
      </section>
      {decided.length > 0 && (
        <section class="card" aria-labelledby="decided">
          <h2 id="decided">最近处理的申请</h2>
          <BulkTable rows={decided} caption="已确认或已取消的申请" />
        </section>
      )}
    </Layout>
  );
}

const RESULT_LABEL = { revoked: '已撤销', already_revoked: '此前已撤销（跳过）', refused: '未能撤销' } as const;

export function BulkPage({ frame, bulk, canAct, problem }: { frame: Frame; bulk: BulkRevocationRecord; canAct: boolean; problem?: Problem }) {
  const officer = frame.officer;
  const own = officer !== undefined && bulk.requestedBy === officerActor(officer.name);
  const results = new Map((bulk.outcome?.licences ?? []).map((r) => [r.number, r]));
  return (
    <Layout frame={frame} title={`批量撤销 #${bulk.id}`}>
      <ProblemBox problem={problem} />
      <p>
        <a href={consoleHref('/licences/bulk')}>返回批量撤销列表</a>
      </p>
      <section class="card" aria-labelledby="request">
        <h2 id="request">申请</h2>
        <dl>
          <dt>状态</dt>
          <dd data-bulk-state={bulk.state}>
            {BULK_STATE_LABEL[bulk.state]}
            {bulk.state === 'pending' && bulk.decidedBy !== null && `（${actorName(bulk.decidedBy)} 已开始确认，尚未完成：再次确认即可完成）`}
          </dd>
          <dt>申请人</dt>
          <dd>{actorName(bulk.requestedBy)}</dd>
          <dt>申请时间</dt>
          <dd>{beijingTime(bulk.requestedAt)}</dd>
          <dt>撤销原因</dt>
          <dd>{bulk.reason}</dd>
          {bulk.state !== 'pending' && (
            <>
              <dt>{bulk.state === 'done' ? '确认人' : '取消人'}</dt>
              <dd>
                {actorName(bulk.decidedBy ?? '')}，{beijingTime(bulk.decidedAt)}
              </dd>
            </>
          )}
          {bulk.outcome && (
            <>
              <dt>结果</dt>
              <dd>
                撤销 {bulk.outcome.revoked} 个；此前已撤销 {bulk.outcome.alreadyRevoked} 个；未能撤销 {bulk.outcome.refused} 个
              </dd>
            </>
          )}
        </dl>
      </section>
      <section class="card" aria-labelledby="numbers">
        <h2 id="numbers">申请撤销的 {bulk.numbers.length} 个授权</h2>
        <p class="hint">申请时确定的清单：确认时撤销的正是这些授权，不会重新筛选。</p>
        <div class="table" role="region" aria-label="申请撤销的授权" tabindex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">授权编号</th>
                {bulk.outcome && <th scope="col">结果</th>}
              </tr>
            </thead>
            <tbody>
              {bulk.numbers.map((n) => {
                const r = results.get(n);
                return (
                  <tr>
                    <td>
                      <a class="mono" href={consoleHref(licencePath(n))}>
                        {n}
                      </a>
                    </td>
                    {bulk.outcome && (
                      <td>
                        {r ? RESULT_LABEL[r.result] : '—'}
                        {r?.message && (
                          <>
                            {' '}
                            <span lang="en">{r.message}</span>
                          </>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
      {bulk.state === 'pending' && canAct && officer && (
        <div class="grid">
          {own ? (
            // The requester cannot confirm (the issuer refuses: same_officer): no button to press.
            <section class="card" aria-labelledby="confirm-title">
              <h2 id="confirm-title">确认并撤销</h2>
              <p data-bulk-own>这是你提交的申请：须由另一位主管确认后才会撤销这 {bulk.numbers.length} 个授权。</p>
            </section>
          ) : (
            <form class="card" method="post" action={consoleHref(`/licences/bulk/${bulk.id}/confirm`)} aria-labelledby="confirm-title">
              <h2 id="confirm-title">确认并撤销</h2>
              <Guard officer={officer} />
              <p>确认后立即撤销以上 {bulk.numbers.length} 个授权，原因为申请中的原因（公开显示）。撤销是最终的。</p>
              <div class="actions">
                <button class="danger" type="submit">
                  确认撤销这 {bulk.numbers.length} 个授权
                </button>
              </div>
            </form>
          )}
          {bulk.decidedBy === null && (
            <form class="card" method="post" action={consoleHref(`/licences/bulk/${bulk.id}/cancel`)} aria-labelledby="cancel-title">
              <h2 id="cancel-title">取消申请</h2>
              <Guard officer={officer} />
              <label for="cancel-reason">原因（选填）</label>
              <AuditReasonNote />
              <input id="cancel-reason" name="reason" type="text" maxlength={500} />
              <div class="actions">
                <button class="plain" type="submit">
                  取消这项申请
                </button>
              </div>
            </form>
          )}
        </div>
      )}
      {bulk.state === 'pending' && !canAct && <p class="card muted">确认或取消批量撤销需要主管（officer）角色。</p>}
    </Layout>
  );
}
