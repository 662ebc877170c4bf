// The frame every console page shares: the programme and console name, the signed-in officer
// with the sign-out button, the navigation, and the notice of the last action. Chinese, as the
// office works; the messages the issuer refuses with are shown as the CLI prints them.

import { randomBytes } from 'node:crypto';
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { cstDateTime, type LicenceStatus } from '../../../core/index.ts';
import { CSS } from './style.ts';

export const CONSOLE_PATH = '/console';

/** `/console/…` with query parameters (empty ones left out). */
export function consoleHref(path: string, params: Record<string, string | number | undefined | null> = {}): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') query.set(k, String(v));
  const text = query.toString();
  return `${CONSOLE_PATH}${path}${text ? `?${text}` : ''}`;
}

/** An instant as people in Qingdao read it: `2026-11-27 12:00` (core's cstDateTime); none is '—'. */
export function beijingTime(iso: string | null | undefined): string {
  return iso ? cstDateTime(iso) : '—';
}

export type { OfficerRoleName } from '../../registry/officers.ts';
import type { OfficerRoleName } from '../../registry/officers.ts';

export const ROLE_LABEL: Record<OfficerRoleName, string> = { clerk: '办事员', officer: '主管', admin: '管理员' };

export interface SignedInView {
  name: string;
  role: OfficerRoleName;
  csrf: string;
}

export interface Frame {
  /** The nav item this page belongs to ('' for none). */
  section: Section | '';
  officer?: SignedInView;
  /** The outcome of the action that led here (after a redirect). */
  notice?: Notice;
}

export type Notice = { ok: string } | { problem: string } | { warn: string };

export type Section = 'dashboard' | 'holders' | 'licences' | 'import' | 'reports' | 'audit' | 'keys';

const NAV: [Section, string, string][] = [
  ['dashboard', '/', '概览'],
  ['licences', '/licences', '授权'],
  ['holders', '/holders', '品牌主体'],
  ['import', '/import', '批量导入'],
  ['reports', '/reports', '举报'],
  ['audit', '/audit', '审计日志'],
  ['keys', '/keys', '密钥'],
];

export function NoticeBox({ notice }: { notice?: Notice | undefined }) {
  if (!notice) return null;
  if ('ok' in notice) return <p class="ok" role="status">{notice.ok}</p>;
  if ('warn' in notice) return <p class="warn" role="status">{notice.warn}</p>;
  return (
    <p class="problem" role="alert">
      {notice.problem}
    </p>
  );
}

/**
 * The hidden fields every form of a signed-in page carries: the session's CSRF token and a
 * fresh once-token, so the same rendered form can change something only once.
 */
export function Guard({ officer }: { officer: SignedInView }) {
  return (
    <>
      <input type="hidden" name="csrf" value={officer.csrf} />
      <input type="hidden" name="once" value={randomBytes(16).toString('base64url')} />
    </>
  );
}

/** The note every status-reason field carries: the reason is public. */
export function PublicReasonNote() {
  return <span class="public">此原因将在公众扫码页面上公开显示，并记入公开日志。</span>;
}

/** The note a reason field carries when the reason goes to the audit log only. */
export function AuditReasonNote() {
  return <span class="hint">此原因只记入审计日志，不在扫码页面显示。</span>;
}

export const STATUS_LABEL: Record<LicenceStatus | 'expired', string> = { valid: '有效', suspended: '已暂停', revoked: '已撤销', expired: '已过期' };

export function StatusBadge({ status }: { status: LicenceStatus | 'expired' }) {
  return <span class={`badge${status === 'valid' ? '' : ` state-${status}`}`}>{STATUS_LABEL[status]}</span>;
}

export function Layout({ frame, title, children }: { frame: Frame; title: string; children?: Child }) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="zh-CN">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width,initial-scale=1" />
          <meta name="robots" content="noindex" />
          <title>{`${title} · 青岛优品 管理控制台`}</title>
          <style>{raw(CSS)}</style>
        </head>
        <body>
          <a class="skip" href="#main">
            跳到正文
          </a>
          <header class="top">
            <div class="bar">
              <a class="brand" href={consoleHref('/')}>
                <b>青岛优品 管理控制台</b>
                <span>工程办公室 · Authority console</span>
              </a>
              {frame.officer && (
                <div class="who" data-officer={frame.officer.name}>
                  <span>
                    {frame.officer.name}（{ROLE_LABEL[frame.officer.role]}）
                  </span>
                  <form method="post" action={consoleHref('/sign-out')}>
                    <input type="hidden" name="csrf" value={frame.officer.csrf} />
                    <button type="submit" data-action="sign-out">
                      退出
                    </button>
                  </form>
                </div>
              )}
            </div>
          </header>
          {frame.officer && (
            <nav class="main" aria-label="控制台">
              <ul>
                {NAV.map(([section, path, label]) => (
                  <li>
                    <a href={consoleHref(path)} aria-current={frame.section === section ? 'page' : undefined}>
                      {label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          <main id="main">
            <h1>{title}</h1>
            <NoticeBox notice={frame.notice} />
            {children}
          </main>
          <footer>青岛优品工程办公室 · 每项操作均以操作人姓名记入审计日志。</footer>
        </body>
      </html>
    </>
  );
}

/** Previous / next links for a paged list. */
export function Pager({ path, params, offset, limit, total }: { path: string; params: Record<string, string | undefined>; offset: number; limit: number; total: number }) {
  if (total <= limit && offset === 0) return <p class="muted">共 {total} 条</p>;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  return (
    <nav class="pager" aria-label="分页">
      <span>
        第 {from}–{to} 条，共 {total} 条
      </span>
      {offset > 0 && <a href={consoleHref(path, { ...params, offset: Math.max(0, offset - limit) || undefined })}>上一页</a>}
      {to < total && <a href={consoleHref(path, { ...params, offset: offset + limit })}>下一页</a>}
    </nav>
  );
}
