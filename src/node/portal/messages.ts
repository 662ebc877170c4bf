// Everything the holder portal says, in zh-CN (first) and English. Messages never echo what
// was typed (passwords, codes) and never tell whether an account exists.

import type { Locale } from '../../core/index.ts';

export type NoticeKind =
  | 'badRequest'
  | 'forbidden'
  | 'notFound'
  | 'methodNotAllowed'
  | 'payloadTooLarge'
  | 'unsupportedMediaType'
  | 'error';

export type FormProblem =
  | 'signInWrong'
  | 'throttled'
  | 'usccShape'
  | 'userShape'
  | 'passwordMissing'
  | 'codeShape'
  | 'codeNotValid'
  | 'passwordsDiffer'
  | 'formExpired';

export type LicenceState = 'valid' | 'suspended' | 'revoked' | 'expired' | 'not_yet_valid';

export interface PortalMessages {
  programme: string;
  portal: string;
  otherLanguage: string;
  skipToContent: string;
  asOf: (time: string) => string;
  footer: string;
  signedInAs: string;
  signOut: string;
  signIn: {
    title: string;
    intro: string;
    uscc: string;
    usccHint: string;
    user: string;
    userHint: string;
    password: string;
    submit: string;
    firstTime: string;
    activateLink: string;
    forgot: string;
    activated: (user: string) => string;
    signedOut: string;
  };
  activate: {
    title: string;
    intro: string;
    code: string;
    codeHint: string;
    password: string;
    passwordHint: string;
    confirm: string;
    submit: string;
    haveAccount: string;
    signInLink: string;
  };
  problems: Record<FormProblem, string>;
  throttledFor: (minutes: number) => string;
  list: {
    title: string;
    holder: string;
    uscc: string;
    none: string;
    details: (number: string) => string;
  };
  licence: {
    title: (number: string) => string;
    status: string;
    validity: string;
    validRange: (from: string, until: string) => string;
    tier: string;
    sector: string;
    chain: string;
    region: string;
    products: string;
    trademarks: string;
    scanUrl: string;
    issuedAt: string;
    renewal: (days: number, until: string) => string;
    back: string;
    preview: (number: string) => string;
  };
  states: Record<LicenceState, string>;
  /** What the state means for printing, shown at the top. */
  stateMeaning: {
    suspended: (since: string, reason: string | null) => string;
    revoked: (since: string, reason: string | null) => string;
    expired: (until: string) => string;
    not_yet_valid: (from: string) => string;
  };
  downloads: {
    title: string;
    intro: string;
    svg: string;
    svgNote: string;
    png: string;
    pngNote: string;
    pngLink: (mm: number, dpi: number) => string;
    certificate: string;
    certificateNote: string;
    printGuide: string;
    printGuideNote: string;
    document: string;
    /** The words before and after the scan URL. */
    documentNote: (file: string) => [string, string];
    proof: string;
    proofNote: (index: number, document: string, proof: string) => string;
    /** Logged, but in no published checkpoint yet. */
    proofPending: (index: number, url: string) => string;
  };
  notices: Record<NoticeKind, { title: string; body: string }>;
  backToStart: string;
}

const zhCN: PortalMessages = {
  programme: '青岛优品',
  portal: '品牌主体门户',
  otherLanguage: 'English',
  skipToContent: '跳到正文',
  asOf: (time) => `本页信息截至 ${time}（北京时间）`,
  footer: '青岛优品工程办公室 · 品牌主体门户。密码和激活码只在本页输入，工程办公室不会通过电话或短信索要。',
  signedInAs: '当前登录',
  signOut: '退出登录',
  signIn: {
    title: '登录',
    intro: '获得“青岛优品”授权的品牌主体在此查看授权状态，下载二维码图样和授权证书。',
    uscc: '统一社会信用代码',
    usccHint: '18 位字母和数字',
    user: '用户名',
    userHint: '邀请函上的用户名，例如 admin',
    password: '密码',
    submit: '登录',
    firstTime: '第一次使用？',
    activateLink: '用邀请函上的激活码激活账户',
    forgot: '忘记密码？请联系工程办公室重新发出邀请，用新的激活码重新设置密码。',
    activated: (user) => `账户已激活。请用用户名“${user}”和刚设置的密码登录。`,
    signedOut: '您已退出登录。',
  },
  activate: {
    title: '激活账户',
    intro: '输入统一社会信用代码和邀请函上的激活码，然后设置密码。激活码只能使用一次。',
    code: '激活码',
    codeHint: '20 位字母和数字，不区分大小写，可省略短横线',
    password: '新密码',
    passwordHint: '至少 15 个字符。可以用几个词组成一句话，空格也算字符；可以粘贴，也可以使用密码管理器。',
    confirm: '再次输入新密码',
    submit: '激活账户',
    haveAccount: '已经激活？',
    signInLink: '登录',
  },
  problems: {
    signInWrong: '统一社会信用代码、用户名或密码不正确。',
    throttled: '尝试次数过多。',
    usccShape: '统一社会信用代码应为 18 位字母和数字。',
    userShape: '请填写邀请函上的用户名（最多 64 个字符）。',
    passwordMissing: '请填写密码。',
    codeShape: '激活码应为 20 位字母和数字，例如 ABCD-EFGH-JKMN-PQRS-TVWX。',
    codeNotValid: '激活码无效：可能输错、已过期或已使用，也可能是工程办公室的最新数据尚未送达门户（请稍后再试）。',
    passwordsDiffer: '两次输入的密码不一致。',
    formExpired: '表单已过期，请重新填写后提交。',
  },
  throttledFor: (minutes) => `为保护账户，请约 ${minutes} 分钟后再试。`,
  list: {
    title: '我的授权',
    holder: '品牌主体',
    uscc: '统一社会信用代码',
    none: '暂无授权。',
    details: (number) => `${number} 详情与下载`,
  },
  licence: {
    title: (number) => `许可 ${number}`,
    status: '状态',
    validity: '有效期',
    validRange: (from, until) => `${from} 至 ${until}`,
    tier: '品牌类别',
    sector: '产业领域',
    chain: '产业链',
    region: '区域',
    products: '授权产品',
    trademarks: '商标',
    scanUrl: '扫码网址（二维码内容）',
    issuedAt: '发证日期',
    renewal: (days, until) => `有效期还剩 ${days} 天（至 ${until}）。请及时向工程办公室申请续期；续期后原二维码继续有效，无需重新印制。`,
    back: '返回我的授权',
    preview: (number) => `许可 ${number} 的二维码`,
  },
  states: { valid: '有效', suspended: '已暂停', revoked: '已撤销', expired: '已过期', not_yet_valid: '尚未生效' },
  stateMeaning: {
    suspended: (since, reason) =>
      `自 ${since} 起暂停${reason ? `，原因：${reason}` : ''}。暂停期间不得在新印制的包装上使用此二维码和青岛优品标识；扫码会显示“已暂停”。恢复后原二维码继续有效，无需重新印制。`,
    revoked: (since, reason) =>
      `自 ${since} 起撤销${reason ? `，原因：${reason}` : ''}。不得再印制或使用此二维码和青岛优品标识；已印制的包装扫码会显示“已撤销”。`,
    expired: (until) => `有效期已于 ${until} 结束；扫码会显示“已过期”。续期后原二维码继续有效，无需重新印制：请联系工程办公室。`,
    not_yet_valid: (from) => `自 ${from} 起生效；在此之前不得使用青岛优品标识，扫码会显示“尚未生效”。`,
  },
  downloads: {
    title: '下载',
    intro: '所有文件都由发证时签发的二维码和许可文件生成。',
    svg: '二维码 SVG（矢量）',
    svgNote: '供设计排版使用，可任意缩放，印刷宽度不小于 23 毫米（含四周留白）。',
    png: '二维码 PNG',
    pngNote: '按印刷尺寸（含四周留白）和分辨率选择。',
    pngLink: (mm, dpi) => `${mm} 毫米 · ${dpi} dpi`,
    certificate: '授权证书 PDF',
    certificateNote: '含使用规则和印刷指南。',
    printGuide: '印刷指南',
    printGuideNote: '二维码的尺寸、留白、颜色和印刷检查。',
    document: '许可文件（.jws）',
    documentNote: (file) => [`带工程办公室签名的许可记录。任何人都可以核验：运行 qdyp verify ${file}，或扫描二维码、打开`, '查看核验页面。'],
    proof: '透明日志证明（.tlog-proof）',
    proofNote: (index, document, proof) => `证明本许可的最新记录（透明日志第 ${index} 条）已公开登记，可离线核验：运行 qdyp verify ${document} --proof ${proof}。授权证书的附页也印有此证明。`,
    proofPending: (index, url) => `本许可的最新记录是透明日志第 ${index} 条。其证明将在下次发布后提供，届时也可在 ${url} 查看。`,
  },
  notices: {
    badRequest: { title: '无法处理的请求', body: '提交的内容不完整或格式不对，未作任何更改。请返回后重新填写。' },
    forbidden: { title: '请求被拒绝', body: '表单已过期或不是从本门户提交的，未作任何更改。请返回页面刷新后重试。' },
    notFound: { title: '未找到', body: '没有这个页面或许可，或者它不属于您的账户。' },
    methodNotAllowed: { title: '不支持的操作', body: '这个地址不接受这种请求。' },
    payloadTooLarge: { title: '提交的内容过大', body: '未作任何更改。请返回后重新填写。' },
    unsupportedMediaType: { title: '无法处理的请求', body: '提交的内容格式不对，未作任何更改。请从本门户的表单提交。' },
    error: { title: '出错了', body: '门户出了问题，未作任何更改。请稍后再试。' },
  },
  backToStart: '返回门户首页',
};

const en: PortalMessages = {
  programme: 'Qingdao Premium Products',
  portal: 'Holder portal',
  otherLanguage: '中文',
  skipToContent: 'Skip to content',
  asOf: (time) => `Information as of ${time} (Beijing time)`,
  footer: 'Qingdao Premium Products programme office · holder portal. Enter passwords and activation codes only here: the office never asks for them by phone or text message.',
  signedInAs: 'Signed in',
  signOut: 'Sign out',
  signIn: {
    title: 'Sign in',
    intro: 'Brand holders licensed to use the Qingdao Premium Products mark see their licence status here and download QR artwork and certificates.',
    uscc: 'Unified social credit code (USCC)',
    usccHint: '18 letters and digits',
    user: 'User name',
    userHint: 'The user name on your invitation letter, e.g. admin',
    password: 'Password',
    submit: 'Sign in',
    firstTime: 'First time here?',
    activateLink: 'Activate account with the code on your invitation letter',
    forgot: 'Forgot your password? Ask the programme office for a new invitation; its code lets you set a new password.',
    activated: (user) => `Your account is activated. Sign in with the user name "${user}" and the password you chose.`,
    signedOut: 'You have signed out.',
  },
  activate: {
    title: 'Activate account',
    intro: 'Enter your USCC and the activation code from your invitation letter, then choose a password. The code works once.',
    code: 'Activation code',
    codeHint: '20 letters and digits; letter case and dashes do not matter',
    password: 'New password',
    passwordHint: 'At least 15 characters. A phrase of a few words works well, and spaces count. Pasting and password managers work.',
    confirm: 'New password again',
    submit: 'Activate account',
    haveAccount: 'Already activated?',
    signInLink: 'Sign in',
  },
  problems: {
    signInWrong: 'The USCC, user name or password is not right.',
    throttled: 'Too many attempts.',
    usccShape: 'A USCC has 18 letters and digits.',
    userShape: 'Enter the user name on your invitation letter (at most 64 characters).',
    passwordMissing: 'Enter your password.',
    codeShape: 'An activation code has 20 letters and digits, e.g. ABCD-EFGH-JKMN-PQRS-TVWX.',
    codeNotValid:
      'This code does not work: it may be mistyped, expired or already used, or the office’s latest update has not reached the portal yet (try again later).',
    passwordsDiffer: 'The two passwords differ.',
    formExpired: 'The form has expired. Fill it in again and send it.',
  },
  throttledFor: (minutes) => `To protect the account, try again in about ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`,
  list: {
    title: 'Your licences',
    holder: 'Brand holder',
    uscc: 'USCC',
    none: 'No licences yet.',
    details: (number) => `${number}: details and downloads`,
  },
  licence: {
    title: (number) => `Licence ${number}`,
    status: 'Status',
    validity: 'Valid',
    validRange: (from, until) => `${from} to ${until}`,
    tier: 'Brand tier',
    sector: 'Sector',
    chain: 'Industrial chain',
    region: 'Region',
    products: 'Products covered',
    trademarks: 'Trademarks',
    scanUrl: 'Scan URL (what the QR code holds)',
    issuedAt: 'Issued',
    renewal: (days, until) =>
      `${days} ${days === 1 ? 'day' : 'days'} left (until ${until}). Ask the programme office to renew in time; after renewal the same QR code stays valid, so nothing needs reprinting.`,
    back: 'Back to your licences',
    preview: (number) => `QR code of licence ${number}`,
  },
  states: { valid: 'Valid', suspended: 'Suspended', revoked: 'Revoked', expired: 'Expired', not_yet_valid: 'Not yet valid' },
  stateMeaning: {
    suspended: (since, reason) =>
      `Suspended since ${since}${reason ? `. Reason: ${reason}` : ''}. While it is suspended, do not print this QR code or the Qingdao Premium Products mark on new packaging; scans show "Suspended". Once reinstated, the same code is valid again and nothing needs reprinting.`,
    revoked: (since, reason) =>
      `Revoked since ${since}${reason ? `. Reason: ${reason}` : ''}. Do not print or use this QR code or the Qingdao Premium Products mark any more; scans of packaging already printed show "Revoked".`,
    expired: (until) => `The validity period ended on ${until}; scans show "Expired". After renewal the same QR code is valid again, with nothing to reprint: contact the programme office.`,
    not_yet_valid: (from) => `Valid from ${from}; until then the mark may not be used, and scans show "Not yet valid".`,
  },
  downloads: {
    title: 'Downloads',
    intro: 'Every file is drawn from the QR seal and licence document signed at issuance.',
    svg: 'QR code, SVG (vector)',
    svgNote: 'For layout: scales to any size; print it at least 23 mm wide, quiet zone included.',
    png: 'QR code, PNG',
    pngNote: 'Choose by printed size (quiet zone included) and resolution.',
    pngLink: (mm, dpi) => `${mm} mm · ${dpi} dpi`,
    certificate: 'Certificate (PDF)',
    certificateNote: 'With the rules of use and the print guide.',
    printGuide: 'Print guide',
    printGuideNote: 'Size, quiet zone, colours and print checks for the QR code.',
    document: 'Licence document (.jws)',
    documentNote: (file) => [`The licence record signed by the programme office. Anyone can verify it: run qdyp verify ${file}, or scan the QR code or open`, 'to see the verify page.'],
    proof: 'Transparency log proof (.tlog-proof)',
    proofNote: (index, document, proof) => `Proves that the latest record of this licence (entry ${index} of the transparency log) is in the public log; check it offline: run qdyp verify ${document} --proof ${proof}. The certificate's annex prints it too.`,
    proofPending: (index, url) => `The latest record of this licence is entry ${index} of the transparency log. Its proof will be available after the next publication, and then also at ${url}.`,
  },
  notices: {
    badRequest: { title: 'Request not understood', body: 'What was sent is incomplete or malformed; nothing was changed. Go back and fill the form in again.' },
    forbidden: { title: 'Request refused', body: 'The form has expired or was not sent from this portal; nothing was changed. Go back, reload the page and try again.' },
    notFound: { title: 'Not found', body: 'There is no such page or licence, or it does not belong to your account.' },
    methodNotAllowed: { title: 'Not supported', body: 'This address does not accept that kind of request.' },
    payloadTooLarge: { title: 'Too much was sent', body: 'Nothing was changed. Go back and fill the form in again.' },
    unsupportedMediaType: { title: 'Request not understood', body: 'What was sent is not a form of this portal; nothing was changed.' },
    error: { title: 'Something went wrong', body: 'Nothing was changed. Please try again later.' },
  },
  backToStart: 'Back to the portal',
};

export const PORTAL_MESSAGES: Record<Locale, PortalMessages> = { 'zh-CN': zhCN, en };
