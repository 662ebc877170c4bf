// The scan page's own words (outcome texts, field labels, tiers and sectors come from
// src/core/messages, shared with the inspector page and the CLI).

import type { Locale } from '../core/index.ts';

export interface PageMessages {
  programme: string;
  service: string;
  /** The switch link's label, in the other language. */
  otherLanguage: string;
  detailsHeading: string;
  /** For a revoked or suspended licence whose published details could not be confirmed. */
  detailsUnconfirmed: Record<'revoked' | 'suspended', string>;
  adviceHeading: string;
  hotline: string;
  statusAsOf: string;
  noStatus: string;
  checkedAt: string;
  officialSite: string;
  officialSiteAdvice: string;
  footer: string;
  notices: Record<NoticeKind, { title: string; body: string }>;
}

export type NoticeKind = 'badRequest' | 'notFound' | 'methodNotAllowed' | 'error';

const zhCN: PageMessages = {
  programme: '青岛优品',
  service: '授权标识查验',
  otherLanguage: 'English',
  detailsHeading: '授权详情',
  detailsUnconfirmed: {
    revoked: '该许可已被撤销。其授权详情暂时无法确认，请勿将此标识视为有效授权。',
    suspended: '该许可已被暂停。其授权详情暂时无法确认，暂停期间此标识不代表有效授权。',
  },
  adviceHeading: '怎么办',
  hotline: '消费者投诉举报热线',
  statusAsOf: '状态数据更新于',
  noStatus: '暂无可用的状态数据',
  checkedAt: '查验时间',
  officialSite: '官方查验网址',
  officialSiteAdvice: '请确认浏览器地址栏显示的正是这个网址；其他网址显示的结果不可信。',
  footer: '青岛优品工程办公室 · 本页不使用 Cookie，不跟踪访问者',
  notices: {
    badRequest: { title: '无法识别的链接', body: '这不是青岛优品二维码的查验链接。请用手机相机或微信直接扫描包装上的二维码。' },
    notFound: { title: '页面不存在', body: '请用手机相机或微信直接扫描包装上的青岛优品二维码。' },
    methodNotAllowed: { title: '不支持的请求方式', body: '此地址只能直接打开查看。' },
    error: { title: '暂时无法处理', body: '请稍后再试。如有疑问，请拨打 12315 消费者投诉举报热线。' },
  },
};

const en: PageMessages = {
  programme: 'Qingdao Premium Products',
  service: 'Mark check',
  otherLanguage: '中文',
  detailsHeading: 'What the licence covers',
  detailsUnconfirmed: {
    revoked: 'This licence has been revoked. Its details could not be confirmed right now; do not take this mark as authorized.',
    suspended: 'This licence is suspended. Its details could not be confirmed right now; while it is suspended this mark does not mean authorized.',
  },
  adviceHeading: 'What to do',
  hotline: 'consumer complaints hotline',
  statusAsOf: 'Status as of',
  noStatus: 'No current status data',
  checkedAt: 'Checked',
  officialSite: 'Official verification site',
  officialSiteAdvice: 'Make sure your address bar shows exactly this site; results shown anywhere else cannot be trusted.',
  footer: 'Qingdao Premium Products office · no cookies, no tracking',
  notices: {
    badRequest: { title: 'Not a verification link', body: 'This is not a Qingdao Premium Products verification link. Scan the QR code on the pack with your camera or WeChat.' },
    notFound: { title: 'Page not found', body: 'Scan the Qingdao Premium Products QR code on the pack with your camera or WeChat.' },
    methodNotAllowed: { title: 'Method not allowed', body: 'This address can only be opened, not sent to.' },
    error: { title: 'Something went wrong', body: 'Please try again later. If in doubt, call the 12315 consumer complaints hotline.' },
  },
};

export const PAGE_MESSAGES: Record<Locale, PageMessages> = { 'zh-CN': zhCN, en };
