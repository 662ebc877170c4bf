// The holders' pages (品牌主体): the searchable list, the form that registers one, a holder's
// page (details, licences, portal invitations, the update and invite forms) and the page that
// shows a new activation code, once.

import { REGIONS, type LicenceStatus } from '../../../core/index.ts';
import { LIMITS } from '../../issuer/index.ts';
import type { HolderRecord } from '../../registry/holders.ts';
import type { InvitationRecord } from '../../registry/invitations.ts';
import type { LicenceRecord } from '../../registry/licences.ts';
import type { HolderWithCount } from '../../registry/search.ts';
import { beijingTime, consoleHref, Guard, Layout, Pager, StatusBadge, type Frame } from './layout.tsx';

/** A refusal as the issuer words it (the CLI's message, in English). */
export function Refusal({ message }: { message: string }) {
  return (
    <p class="problem" role="alert">
      未执行，没有做任何更改：<span lang="en">{message}</span>
    </p>
  );
}

/** A region code as people read it: `370202 市南区`; '—' for none. */
export function regionName(code: string | null | undefined): string {
  if (!code) return '—';
  const region = REGIONS[code];
  return region ? `${code} ${region.zh}` : code;
}

export function RegionSelect({ id, name, value, none }: { id: string; name: string; value: string | null | undefined; none: string }) {
  return (
    <select id={id} name={name}>
      <option value="" selected={!value}>
        {none}
      </option>
      {Object.entries(REGIONS).map(([code, region]) => (
        <option value={code} selected={value === code}>
          {code} {region.zh}
        </option>
      ))}
    </select>
  );
}

/** A licence's state as a verifier shows it: valid licences past their period are expired. */
export function shownStatus(licence: { status: LicenceStatus; validUntil: string }, today: string): LicenceStatus | 'expired' {
  return licence.status === 'valid' && licence.validUntil < today ? 'expired' : licence.status;
}

export interface HolderListProps {
  frame: Frame;
  params: Record<string, string>;
  /** What was typed, when the filter was refused. */
  typed?: { text?: string | undefined; region?: string | undefined };
  problem?: string;
  holders: HolderWithCount[];
  total: number;
  offset: number;
  limit: number;
}

export function HolderListPage(p: HolderListProps) {
  const text = p.typed?.text ?? p.params.text ?? '';
  const region = p.typed?.region ?? p.params.region ?? '';
  return (
    <Layout frame={p.frame} title="品牌主体">
      {p.problem && (
        <p class="problem" role="alert">
          {p.problem}
        </p>
      )}
      <form class="card" method="get" action={consoleHref('/holders')} role="search" aria-label="查找品牌主体">
        <h2>查找</h2>
        <div class="filters">
          <div>
            <label for="text">名称或统一社会信用代码</label>
            <input id="text" name="text" type="search" value={text} maxlength={200} />
          </div>
          <div>
            <label for="region">地区</label>
            <RegionSelect id="region" name="region" value={region} none="全部地区" />
          </div>
        </div>
        <div class="actions">
          <button type="submit">查找</button>
          <a class="button plain" href={consoleHref('/holders')}>
            清除筛选
          </a>
        </div>
      </form>
      <section class="card" aria-labelledby="holders-heading">
        <h2 id="holders-heading">品牌主体列表</h2>
        <div class="actions">
          <a class="button" href={consoleHref('/holders/new')}>
            登记品牌主体
          </a>
          {!p.problem && (
            <a class="button plain" href={consoleHref('/exports/holders.csv', p.params)} download>
              导出当前列表为 CSV
            </a>
          )}
        </div>
        {p.holders.length === 0 ? (
          <p class="muted">没有符合条件的品牌主体。</p>
        ) : (
          <div class="table" role="region" aria-label="品牌主体列表" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">统一社会信用代码</th>
                  <th scope="col">名称</th>
                  <th scope="col">地区</th>
                  <th scope="col" class="num">
                    授权数量
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.holders.map((h) => (
                  <tr>
                    <td>
                      <a class="mono" href={consoleHref(`/holders/${h.uscc}`)}>
                        {h.uscc}
                      </a>
                    </td>
                    <td>{h.name}</td>
                    <td>{regionName(h.region)}</td>
                    <td class="num">{h.licences}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {!p.problem && <Pager path="/holders" params={p.params} offset={p.offset} limit={p.limit} total={p.total} />}
      </section>
    </Layout>
  );
}

export interface HolderValues {
  uscc: string;
  name: string;
  address: string;
  region: string;
}

export function NewHolderPage({ frame, values, refusal }: { frame: Frame; values?: HolderValues; refusal?: string }) {
  return (
    <Layout frame={frame} title="登记品牌主体">
      {refusal !== undefined && <Refusal message={refusal} />}
      <form class="card" method="post" action={consoleHref('/holders')}>
        <Guard officer={frame.officer!} />
        <label for="uscc">统一社会信用代码</label>
        <span class="hint" id="uscc-hint">
          18 位，按 GB 32100-2015 校验最后一位。
        </span>
        <input id="uscc" name="uscc" type="text" class="mono" required maxlength={18} autocomplete="off" aria-describedby="uscc-hint" value={values?.uscc ?? ''} />
        <label for="name">名称</label>
        <span class="hint" id="name-hint">
          登记名称，与授权证书上的写法完全一致（最多 {LIMITS.name} 个字）。
        </span>
        <input id="name" name="name" type="text" required aria-describedby="name-hint" value={values?.name ?? ''} />
        <label for="address">地址（可不填）</label>
        <input id="address" name="address" type="text" value={values?.address ?? ''} />
        <label for="region">地区（可不填）</label>
        <RegionSelect id="region" name="region" value={values?.region} none="不指定" />
        <div class="actions">
          <button type="submit">登记</button>
          <a class="button plain" href={consoleHref('/holders')}>
            返回品牌主体列表
          </a>
        </div>
      </form>
    </Layout>
  );
}

export interface UpdateValues {
  name: string;
  address: string;
  region: string;
  reason: string;
}

export interface InviteValues {
  user: string;
  days: string;
}

export interface HolderPageProps {
  frame: Frame;
  holder: HolderRecord;
  /** The newest of its licences (at most a few hundred), and how many it has. */
  licences: LicenceRecord[];
  licenceTotal: number;
  invitations: InvitationRecord[];
  today: string;
  now: string;
  update?: UpdateValues;
  invite?: InviteValues;
  /** A refused update or invitation, shown at its form. */
  refusal?: { form: 'update' | 'invite'; message: string };
}

export function HolderPage(p: HolderPageProps) {
  const h = p.holder;
  const update = p.update ?? { name: h.name, address: h.address ?? '', region: h.region ?? '', reason: '' };
  const invite = p.invite ?? { user: 'admin', days: '14' };
  const path = `/holders/${h.uscc}`;
  return (
    <Layout frame={p.frame} title={`品牌主体：${h.name}`}>
      <section class="card" aria-labelledby="details-heading">
        <h2 id="details-heading">登记信息</h2>
        <dl>
          <dt>统一社会信用代码</dt>
          <dd class="mono">{h.uscc}</dd>
          <dt>名称</dt>
          <dd>{h.name}</dd>
          <dt>地址</dt>
          <dd>{h.address ?? '—'}</dd>
          <dt>地区</dt>
          <dd>{regionName(h.region)}</dd>
          <dt>登记时间</dt>
          <dd>{beijingTime(h.createdAt)}</dd>
          <dt>更新时间</dt>
          <dd>{beijingTime(h.updatedAt)}</dd>
        </dl>
        <p>
          <a href={consoleHref('/audit', { holder: h.uscc })}>查看该品牌主体的审计记录</a>
        </p>
      </section>

      <section class="card" aria-labelledby="licences-heading">
        <h2 id="licences-heading">授权（{p.licenceTotal}）</h2>
        {p.licenceTotal > p.licences.length && (
          <p>
            这里列出最新的 {p.licences.length} 个。<a href={consoleHref('/licences', { text: h.uscc })}>在授权列表中查看该品牌主体的全部授权</a>
          </p>
        )}
        {p.licences.length === 0 ? (
          <p class="muted">该品牌主体还没有授权。</p>
        ) : (
          <div class="table" role="region" aria-label="该主体的授权" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">授权编号</th>
                  <th scope="col">状态</th>
                  <th scope="col">产品</th>
                  <th scope="col">有效期</th>
                </tr>
              </thead>
              <tbody>
                {p.licences.map((l) => (
                  <tr>
                    <td>
                      <a class="mono" href={consoleHref(`/licences/${l.number}`)}>
                        {l.number}
                      </a>
                    </td>
                    <td>
                      <StatusBadge status={shownStatus(l, p.today)} />
                    </td>
                    <td>{l.products.join('；')}</td>
                    <td>
                      {l.validFrom} 至 {l.validUntil}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <form class="card" method="post" action={consoleHref(path)} aria-labelledby="update-heading">
        <h2 id="update-heading">修改登记信息</h2>
        {p.refusal?.form === 'update' && <Refusal message={p.refusal.message} />}
        <p class="hint">改名会重新签发该品牌主体尚未撤销的授权证书（防伪标识不变）。</p>
        <Guard officer={p.frame.officer!} />
        <label for="update-name">名称</label>
        <input id="update-name" name="name" type="text" required value={update.name} />
        <label for="update-address">地址（留空即清除）</label>
        <input id="update-address" name="address" type="text" value={update.address} />
        <label for="update-region">地区</label>
        <RegionSelect id="update-region" name="region" value={update.region} none="不指定" />
        <label for="update-reason">修改原因（可不填）</label>
        <span class="hint" id="update-reason-hint">
          记入审计日志。
        </span>
        <input id="update-reason" name="reason" type="text" aria-describedby="update-reason-hint" value={update.reason} />
        <div class="actions">
          <button type="submit">保存修改</button>
        </div>
      </form>

      <section class="card" aria-labelledby="invitations-heading">
        <h2 id="invitations-heading">门户账户邀请</h2>
        {p.invitations.length === 0 ? (
          <p class="muted">还没有邀请过该品牌主体的人员使用品牌主体门户。</p>
        ) : (
          <div class="table" role="region" aria-label="门户账户邀请" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">用户名</th>
                  <th scope="col">邀请时间</th>
                  <th scope="col">激活码有效期至</th>
                </tr>
              </thead>
              <tbody>
                {p.invitations.map((i) => (
                  <tr>
                    <td>{i.user}</td>
                    <td>{beijingTime(i.createdAt)}</td>
                    <td>
                      {beijingTime(i.expiresAt)}
                      {i.expiresAt <= p.now ? '（已过期）' : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p class="hint">激活码只在生成时显示一次；登记簿只保存它的散列值。用户激活后，此处仍显示最近一次邀请。</p>
      </section>

      <form class="card" method="post" action={consoleHref(`${path}/invite`)} aria-labelledby="invite-heading">
        <h2 id="invite-heading">邀请使用品牌主体门户</h2>
        {p.refusal?.form === 'invite' && <Refusal message={p.refusal.message} />}
        <p class="hint">生成一次性激活码和邀请函。再次邀请同一用户会使其旧激活码作废（也是重置密码的方式）。</p>
        <Guard officer={p.frame.officer!} />
        <label for="invite-user">用户名</label>
        <span class="hint" id="invite-user-hint">
          最多 64 个字符，不区分大小写；一个品牌主体可以有多个用户。
        </span>
        <input id="invite-user" name="user" type="text" required autocomplete="off" aria-describedby="invite-user-hint" value={invite.user} />
        <label for="invite-days">激活码有效天数</label>
        <span class="hint" id="invite-days-hint">
          1 到 30 天。
        </span>
        <input id="invite-days" name="days" type="number" min="1" max="30" step="1" required aria-describedby="invite-days-hint" value={invite.days} />
        <div class="actions">
          <button type="submit">生成激活码</button>
        </div>
      </form>
    </Layout>
  );
}

export interface InvitationPageProps {
  frame: Frame;
  holder: HolderRecord;
  user: string;
  code: string;
  expiresAt: string;
  portal: string;
  letter: string;
}

/** Shown once, as the POST's own response: the code is in no URL and stored nowhere. */
export function InvitationPage(p: InvitationPageProps) {
  return (
    <Layout frame={p.frame} title="门户邀请已生成">
      <section class="card" aria-labelledby="code-heading">
        <h2 id="code-heading">激活码（只显示这一次）</h2>
        <p class="warn" role="status">
          请现在打印或抄下邀请函：离开或刷新这个页面后，激活码不会再显示，登记簿只保存它的散列值。
        </p>
        <dl>
          <dt>品牌主体</dt>
          <dd>
            {p.holder.name}（<span class="mono">{p.holder.uscc}</span>）
          </dd>
          <dt>用户名</dt>
          <dd>{p.user}</dd>
          <dt>激活码</dt>
          <dd>
            <span class="secret">
              {p.code}
            </span>
          </dd>
          <dt>有效期至</dt>
          <dd>{beijingTime(p.expiresAt)}（北京时间）</dd>
          <dt>门户地址</dt>
          <dd>
            <span class="mono">{p.portal}</span>
          </dd>
        </dl>
        <p class="hint">
          邀请在工程办公室下一次把门户数据副本复制到门户服务器后生效（<code>qdyp portal snapshot --out 文件</code>，再把文件复制到门户服务器）。
        </p>
      </section>
      <section class="card" aria-labelledby="letter-heading">
        <h2 id="letter-heading">邀请函</h2>
        <pre>{p.letter}</pre>
      </section>
      <p class="card">
        <a href={consoleHref(`/holders/${p.holder.uscc}`)}>返回品牌主体页面</a>
      </p>
    </Layout>
  );
}
