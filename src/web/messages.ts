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
  /** The scan page's link to the report form. */
  reportLink: string;
  /** The verifier's home page (/): how to check, and where to report or inspect. */
  home: { title: string; body: string; inspectLead: string; inspectLink: string };
  report: ReportMessages;
}

/** The shopper's report form (/report) and the pages it answers with. */
export interface ReportMessages {
  title: string;
  /** The form for a scanned seal, and for a mark seen with no QR code at all. */
  introSeal: string;
  introNoSeal: string;
  backToVerdict: string;
  problemLegend: string;
  problems: Record<'not_listed' | 'looks_fake' | 'other', string>;
  place: string;
  placeHintSeal: string;
  placeHintNoSeal: string;
  note: string;
  noteHint: string;
  contact: string;
  contactHint: string;
  /** Shown in place of the contact field when the office has no contact key here. */
  noContact: string;
  optional: string;
  required: string;
  submit: string;
  privacyHeading: string;
  privacy: string;
  privacyContact: string;
  noSealLinkLead: string;
  noSealLink: string;
  errorHeading: string;
  errors: Record<'missing' | 'tooLong' | 'hidden' | 'invalid', string>;
  thanks: { title: string; body: string; next: string };
  refusals: Record<ReportRefusal, { title: string; body: string }>;
}

export type ReportRefusal = 'crossSite' | 'tooLarge' | 'unsupportedType' | 'tooMany' | 'unavailable';

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
  home: {
    title: '查验青岛优品标识',
    body: '用手机相机或微信扫描包装上的青岛优品二维码，即可看到授权是否有效、授权了哪些产品。',
    inspectLead: '市场监管人员：',
    inspectLink: '现场查验（可离线使用）',
  },
  notices: {
    badRequest: { title: '无法识别的链接', body: '这不是青岛优品二维码的查验链接。请用手机相机或微信直接扫描包装上的二维码。' },
    notFound: { title: '页面不存在', body: '请用手机相机或微信直接扫描包装上的青岛优品二维码。' },
    methodNotAllowed: { title: '不支持的请求方式', body: '此地址只能直接打开查看。' },
    error: { title: '暂时无法处理', body: '请稍后再试。如有疑问，请拨打 12315 消费者投诉举报热线。' },
  },
  reportLink: '举报问题',
  report: {
    title: '举报问题',
    introSeal: '扫码结果或商品让您起疑？请告诉我们。举报将送达青岛优品工程办公室，由工作人员核查。',
    introNoSeal: '在没有二维码的商品上看到了青岛优品标识？请告诉我们在哪里看到的。举报将送达青岛优品工程办公室，由工作人员核查。',
    backToVerdict: '返回查验结果',
    problemLegend: '哪里不对？',
    problems: {
      not_listed: '商品不在上面列出的授权产品之中',
      looks_fake: '商品或包装看起来是假冒的',
      other: '其他问题',
    },
    place: '购买或看到的地点',
    placeHintSeal: '例如：商店名称和地址，或网店名称（选填，最多 200 字）',
    placeHintNoSeal: '例如：商店名称和地址，或网店名称（必填，最多 200 字）',
    note: '补充说明',
    noteHint: '选填，最多 500 字',
    contact: '联系方式',
    contactHint: '选填，电话、邮箱或微信号，最多 100 字。仅在需要核实时用于联系您。',
    noContact: '本站点暂时无法接收联系方式：请不要在说明中填写个人信息。如需回复，请拨打 12315。',
    optional: '选填',
    required: '必填',
    submit: '提交举报',
    privacyHeading: '谁会看到这份举报',
    privacy: '只有青岛优品工程办公室的工作人员会看到您的举报，用于核查该标识的使用情况。本站不记录您的 IP 地址，不使用 Cookie。',
    privacyContact: '您留下的联系方式在本站收到时即被加密，只有工程办公室能够解密，仅用于就此举报与您联系。',
    noSealLinkLead: '在没有二维码的商品上看到青岛优品标识？',
    noSealLink: '举报无码使用',
    errorHeading: '请修改后再提交',
    errors: {
      missing: '请填写此项。',
      tooLong: '内容太长，请缩短。',
      hidden: '内容含有控制字符、换行或不可见字符，请删除后再试。',
      invalid: '请从列出的选项中选择。',
    },
    thanks: {
      title: '感谢您的举报',
      body: '青岛优品工程办公室已收到您的举报，将尽快核查。',
      next: '如需立即投诉，请拨打 12315 消费者投诉举报热线。',
    },
    refusals: {
      crossSite: { title: '无法提交', body: '此举报只能从本站的举报页面提交。' },
      tooLarge: { title: '内容太长', body: '提交的内容超过了允许的长度，请缩短后再试。' },
      unsupportedType: { title: '无法提交', body: '请使用本站的举报页面提交。' },
      tooMany: { title: '提交太频繁', body: '您刚刚已提交了几份举报。请稍后再试，或拨打 12315。' },
      unavailable: { title: '暂时无法接收举报', body: '请稍后再试，或拨打 12315 消费者投诉举报热线。' },
    },
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
  home: {
    title: 'Check a Qingdao Premium Products mark',
    body: 'Scan the Qingdao Premium Products QR code on the pack with your camera or WeChat to see whether the licence is valid and which products it covers.',
    inspectLead: 'Market inspectors:',
    inspectLink: 'the inspection page (works offline)',
  },
  notices: {
    badRequest: { title: 'Not a verification link', body: 'This is not a Qingdao Premium Products verification link. Scan the QR code on the pack with your camera or WeChat.' },
    notFound: { title: 'Page not found', body: 'Scan the Qingdao Premium Products QR code on the pack with your camera or WeChat.' },
    methodNotAllowed: { title: 'Method not allowed', body: 'This address can only be opened, not sent to.' },
    error: { title: 'Something went wrong', body: 'Please try again later. If in doubt, call the 12315 consumer complaints hotline.' },
  },
  reportLink: 'Report a problem',
  report: {
    title: 'Report a problem',
    introSeal: 'Does this result or the product make you doubt? Tell us. Your report goes to the Qingdao Premium Products office, whose staff look into it.',
    introNoSeal: 'Seen the Qingdao Premium Products mark on goods with no QR code? Tell us where. Your report goes to the Qingdao Premium Products office, whose staff look into it.',
    backToVerdict: 'Back to the check result',
    problemLegend: 'What is wrong?',
    problems: {
      not_listed: 'The product is not among the authorized products listed',
      looks_fake: 'The product or its pack looks fake',
      other: 'Something else',
    },
    place: 'Where you bought or saw it',
    placeHintSeal: 'For example the shop’s name and address, or the online shop (optional, up to 200 characters)',
    placeHintNoSeal: 'For example the shop’s name and address, or the online shop (required, up to 200 characters)',
    note: 'Anything else',
    noteHint: 'Optional, up to 500 characters',
    contact: 'How to reach you',
    contactHint: 'Optional: phone, e-mail or WeChat id, up to 100 characters. Used only if the office needs to ask you about this report.',
    noContact: 'This site cannot take contact details at the moment: please put no personal details in your note. To be answered, call 12315.',
    optional: 'optional',
    required: 'required',
    submit: 'Send report',
    privacyHeading: 'Who sees this report',
    privacy: 'Only the staff of the Qingdao Premium Products office see your report, to check how this mark is used. This site keeps no IP address and sets no cookie.',
    privacyContact: 'Your contact details are encrypted the moment this site receives them, so only the office can read them, and they are used only to reach you about this report.',
    noSealLinkLead: 'Seen the mark on goods with no QR code?',
    noSealLink: 'Report it',
    errorHeading: 'Please correct this and send again',
    errors: {
      missing: 'Please fill this in.',
      tooLong: 'This is too long: please shorten it.',
      hidden: 'This contains control characters, line breaks or invisible characters: please remove them.',
      invalid: 'Please choose one of the options listed.',
    },
    thanks: {
      title: 'Thank you for your report',
      body: 'The Qingdao Premium Products office has received your report and will look into it.',
      next: 'To complain now, call the 12315 consumer complaints hotline.',
    },
    refusals: {
      crossSite: { title: 'Cannot send', body: 'Reports can only be sent from this site’s report page.' },
      tooLarge: { title: 'Too long', body: 'What was sent is longer than allowed: please shorten it and try again.' },
      unsupportedType: { title: 'Cannot send', body: 'Please send reports from this site’s report page.' },
      tooMany: { title: 'Too many reports', body: 'You have just sent several reports. Please try again later, or call 12315.' },
      unavailable: { title: 'Reports cannot be taken right now', body: 'Please try again later, or call the 12315 consumer complaints hotline.' },
    },
  },
};

export const PAGE_MESSAGES: Record<Locale, PageMessages> = { 'zh-CN': zhCN, en };
