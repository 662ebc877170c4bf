// The keys page (密钥): the issuing keys with their status and windows, the key list's version
// and expiry, the licences still to reseal after a compromise, and the officers. Nothing here
// changes anything: rotating and compromising a key are ceremonies at the CLI with the offline
// root key, and officers are managed with `qdyp officer`; the page shows the exact commands,
// with this registry's database path. No key material is ever rendered (public or private).

import type { KeyRole, KeyStatus } from '../../../core/index.ts';
import type { OfficerState, OfficerSummary } from '../../issuer/index.ts';
import type { LicenceRecord } from '../../registry/licences.ts';
import { beijingTime, consoleHref, Layout, ROLE_LABEL, StatusBadge, type Frame } from './layout.tsx';
import { Commands, qdypCommand, TableBox } from './parts.tsx';

export const KEY_STATUS_LABEL: Record<KeyStatus, string> = { active: '使用中', retired: '已退役（不再签发，旧封签仍可验证）', compromised: '已泄露（其封签验证失败）' };
export const KEY_ROLE_LABEL: Record<KeyRole, string> = { issue: '签发', log: '透明日志（签署检查点）' };
export const OFFICER_STATE_LABEL: Record<OfficerState, string> = { active: '已启用', awaiting_setup: '等待设置密码', disabled: '已停用' };

export interface KeyRow {
  kid: string;
  sid: string;
  role: KeyRole;
  status: KeyStatus;
  signFrom: string;
  signUntil: string;
  verifyUntil: string;
  statusChangedAt: string;
  /** Whether this machine holds its private key file (keys/): only whether, never the key. */
  privateKeyHere: boolean;
}

export interface KeysView {
  dbPath: string;
  keyListVersion: number;
  keyListExpires: string;
  rootKid: string;
  keys: KeyRow[];
  toReseal: LicenceRecord[];
  officers: OfficerSummary[];
  contactKeyHere: boolean;
}

function KeyTable({ keys }: { keys: KeyRow[] }) {
  return (
    <TableBox label="签发密钥与日志密钥">
      <table>
        <caption>签发密钥与日志密钥</caption>
        <thead>
          <tr>
            <th scope="col">密钥 ID（kid）</th>
            <th scope="col">短 ID（sid）</th>
            <th scope="col">用途</th>
            <th scope="col">状态</th>
            <th scope="col">签发期</th>
            <th scope="col">验证截止</th>
            <th scope="col">私钥文件</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr data-kid={k.kid}>
              <td class="mono">{k.kid}</td>
              <td class="mono">{k.sid}</td>
              <td>{KEY_ROLE_LABEL[k.role]}</td>
              <td>
                <span class={`badge${k.status === 'active' ? '' : k.status === 'compromised' ? ' state-revoked' : ' state-expired'}`}>{KEY_STATUS_LABEL[k.status]}</span>
                <span class="hint">自 {beijingTime(k.statusChangedAt)}</span>
              </td>
              <td>
                {k.signFrom} 至 {k.signUntil}
              </td>
              <td>{k.verifyUntil}</td>
              <td>{k.privateKeyHere ? '在本机' : '不在本机'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableBox>
  );
}

function Reseal({ v }: { v: KeysView }) {
  return (
    <section class="card" aria-labelledby="reseal">
      <h2 id="reseal">需要重新签发封签的许可</h2>
      {v.toReseal.length === 0 ? (
        <p data-reseal="none">没有：没有许可的封签或许可文件由已泄露的密钥签名。</p>
      ) : (
        <>
          <p class="warn" role="status">
            以下 {v.toReseal.length} 个许可的封签或许可文件由已泄露的密钥签名，扫码验证会失败。请逐个重新签发封签（新封签需要重新印制），可在许可页面操作，或在命令行运行下列命令。
          </p>
          <TableBox label="待重新签发">
            <table data-reseal="list">
              <caption>待重新签发</caption>
              <thead>
                <tr>
                  <th scope="col">许可编号</th>
                  <th scope="col">状态</th>
                  <th scope="col">命令</th>
                </tr>
              </thead>
              <tbody>
                {v.toReseal.map((l) => (
                  <tr>
                    <td>
                      <a href={consoleHref(`/licences/${l.number}`)}>{l.number}</a>
                    </td>
                    <td>
                      <StatusBadge status={l.status} />
                    </td>
                    <td>
                      <code>{qdypCommand(v.dbPath, ['licence', 'reseal', l.number])}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableBox>
        </>
      )}
    </section>
  );
}

function Ceremonies({ v }: { v: KeysView }) {
  const live = v.keys.filter((k) => k.status !== 'compromised');
  return (
    <section class="card" aria-labelledby="ceremonies">
      <h2 id="ceremonies">密钥仪式（只在命令行进行）</h2>
      <p class="warn" data-root-key="never-in-browser">
        根密钥从不经过浏览器：轮换密钥和处置泄露的密钥都需要离线保存的根私钥，只能在办公室的电脑上用命令行完成，控制台不能也不会接收根密钥。命令中的 FILE 是根私钥文件的路径（例如插入的离线 U 盘上的文件）；用完请拔下并收好。
      </p>
      <h3>轮换：启用新的签发密钥，旧密钥退役</h3>
      <Commands label="rotate" lines={[qdypCommand(v.dbPath, ['keys', 'rotate', '--root-key', 'FILE'])]} />
      <h3>轮换日志密钥：启用新的透明日志密钥（只签署日志检查点），旧密钥退役</h3>
      <Commands label="rotate-log" lines={[qdypCommand(v.dbPath, ['keys', 'rotate', '--log', '--root-key', 'FILE'])]} />
      <h3>泄露：把一个密钥标记为已泄露</h3>
      <p>用泄露的密钥 ID 代替 KID。如果它是正在使用的密钥，会同时启用新的签发密钥。之后按上面的列表逐个重新签发封签：</p>
      <Commands label="compromise" lines={[qdypCommand(v.dbPath, ['keys', 'compromise', 'KID', '--root-key', 'FILE']), qdypCommand(v.dbPath, ['licence', 'reseal', 'NUMBER'])]} />
      {live.length > 0 && (
        <>
          <h3>本登记册中各密钥的泄露处置命令</h3>
          <ul class="plain">
            {live.map((k) => (
              <li>
                {k.sid}（{KEY_STATUS_LABEL[k.status]}）：<code>{qdypCommand(v.dbPath, ['keys', 'compromise', k.kid, '--root-key', 'FILE'])}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      <p class="muted">
        每项仪式都会重新签署密钥列表并立即发布，并以操作人身份记入审计日志。查看密钥：<code>{qdypCommand(v.dbPath, ['keys', 'list'])}</code>
      </p>
    </section>
  );
}

function Officers({ v }: { v: KeysView }) {
  return (
    <section class="card" aria-labelledby="officers">
      <h2 id="officers">控制台官员</h2>
      <TableBox label="官员">
        <table>
          <caption>官员（只读）</caption>
          <thead>
            <tr>
              <th scope="col">姓名</th>
              <th scope="col">角色</th>
              <th scope="col">状态</th>
              <th scope="col">添加时间</th>
            </tr>
          </thead>
          <tbody>
            {v.officers.map((o) => (
              <tr data-officer-row={o.name}>
                <td>{o.name}</td>
                <td>{ROLE_LABEL[o.role]}</td>
                <td>
                  {OFFICER_STATE_LABEL[o.state]}
                  {o.state === 'disabled' && o.disabledAt && <span class="hint">于 {beijingTime(o.disabledAt)}</span>}
                  {o.state === 'awaiting_setup' && o.setupExpiresAt && <span class="hint">{o.setupExpired ? `设置码已于 ${beijingTime(o.setupExpiresAt)} 过期` : `设置码有效至 ${beijingTime(o.setupExpiresAt)}`}</span>}
                </td>
                <td>{beijingTime(o.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableBox>
      <p>官员账户在命令行管理（控制台不显示设置码或密码）：</p>
      <Commands
        label="officers"
        lines={[
          `${qdypCommand(v.dbPath, ['officer', 'add', 'NAME', '--role', 'clerk|officer|admin'])}   # 添加，显示一次性设置码`,
          `${qdypCommand(v.dbPath, ['officer', 'disable', 'NAME'])}   # 停用`,
          `${qdypCommand(v.dbPath, ['officer', 'reset', 'NAME'])}   # 忘记密码：新的设置码`,
        ]}
      />
    </section>
  );
}

export function KeysPage({ frame, view }: { frame: Frame; view: KeysView }) {
  return (
    <Layout frame={frame} title="密钥">
      <section class="card" aria-labelledby="keys">
        <h2 id="keys">签发密钥与密钥列表</h2>
        <dl>
          <dt>密钥列表版本</dt>
          <dd data-field="key-list-version">{view.keyListVersion}</dd>
          <dt>密钥列表有效至</dt>
          <dd data-field="key-list-expires">{beijingTime(view.keyListExpires)}（北京时间）</dd>
          <dt>根密钥 ID</dt>
          <dd class="mono">{view.rootKid}</dd>
          <dt>联系方式密钥</dt>
          <dd>{view.contactKeyHere ? '本登记册有（用于打开消费者举报中的联系方式）' : <>没有：<code>{qdypCommand(view.dbPath, ['keys', 'contact-key'])}</code></>}</dd>
        </dl>
        <KeyTable keys={view.keys} />
      </section>
      <Reseal v={view} />
      <Ceremonies v={view} />
      <Officers v={view} />
    </Layout>
  );
}
