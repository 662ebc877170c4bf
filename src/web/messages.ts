// The scan page's own words (outcome texts, field labels, tiers and sectors come from
// src/core/messages, shared with the inspector page and the CLI).

import type { KeyLogEvent, KeyRole, KeyStatus, LicenceLogEvent, Locale } from '../core/index.ts';

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
  log: LogMessages;
}

/** The transparency log's pages (/log, /log/entry/N) and the scan page's line about it. */
export interface LogMessages {
  title: string;
  intro: string;
  /** The scan page's link to the licence's latest entry. */
  logged: (index: number) => string;
  checkpointHeading: string;
  size: string;
  root: string;
  /** The newest entry's time: the checkpoint itself carries none. */
  time: string;
  signed: string;
  checkpointLink: string;
  newestHeading: string;
  newestUnverified: string;
  empty: string;
  auditHeading: string;
  audit: string;
  notPublished: { title: string; body: string };
  unavailable: { title: string; body: string };
  refused: { older: (size: number, inUse: number) => string; unchecked: (size: number) => string; unverified: string; split: string };
  splitView: { title: string; body: string; fork: string; inconsistent: string; accepted: string; offered: string; seenAt: string; evidence: string };
  entry: {
    title: (index: number) => string;
    verified: string;
    verifiedBody: (size: number) => string;
    failed: string;
    failedBody: string;
    unreadable: string;
    event: string;
    time: string;
    serial: string;
    sealKid: string;
    keys: string;
    keyList: string;
    keyListValue: (version: number) => string;
    keyListSha256: string;
    leafHash: string;
    proofHeading: string;
    proofBody: string;
    treeSize: string;
    download: string;
    back: string;
    notYet: { title: string; body: (index: number, size: number) => string };
  };
  events: Record<LicenceLogEvent | KeyLogEvent | 'holder.update', string>;
  keyRoles: Record<KeyRole, string>;
  keyStatuses: Record<KeyStatus, string>;
  /** One entry in the newest list: "entry N". */
  entryLabel: (index: number) => string;
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
  log: {
    title: '公开日志',
    intro: '青岛优品工程办公室对每一次许可的签发、变更、续期、暂停、恢复和撤销，以及持证主体信息和签名密钥的变动，都记入这份只能追加、不能改写的公开日志。任何人都可以核对：办公室没有暗中签发、修改或撤销任何许可。',
    logged: (index) => `已记入公开日志：条目 ${index}`,
    checkpointHeading: '当前检查点',
    size: '条目总数',
    root: '树根哈希',
    time: '最新条目时间',
    signed: '检查点的签名已由本站验证：签名密钥列在根密钥签署的密钥清单中。',
    checkpointLink: '下载签名检查点',
    newestHeading: '最新条目',
    newestUnverified: '发布的最新条目与检查点不符，本站不予显示。',
    empty: '日志中还没有条目。',
    auditHeading: '自行核查',
    audit: '检查点和日志分片按 C2SP tlog-tiles 格式公开发布，可用 qdyp log verify 等工具独立核查整份日志。',
    notPublished: { title: '公开日志尚未发布', body: '本站还没有可以验证的日志检查点。请稍后再试。' },
    unavailable: { title: '暂时无法读取公开日志', body: '日志文件暂时无法读取，请稍后再试。' },
    refused: {
      older: (size, inUse) => `发布的检查点（${size} 条）比本站已接受的检查点（${inUse} 条）更旧，已拒绝；本站继续使用已接受的检查点。`,
      unchecked: (size) => `发布了新的检查点（${size} 条），本站尚未能核对其一致性，暂时继续使用已接受的检查点。`,
      unverified: '发布的检查点未能通过签名验证，已拒绝；本站继续使用已接受的检查点。',
      split: '最新发布的检查点与本站此前接受的不一致，已拒绝。',
    },
    splitView: {
      title: '警告：公开日志出现不一致',
      body: '本站收到的日志检查点与它此前接受的检查点互相矛盾。这可能意味着日志被改写，或不同的人看到了不同的日志。本站拒绝了新的检查点，继续使用此前接受的检查点。',
      fork: '两个检查点条目数相同，树根却不同。',
      inconsistent: '根据发布的日志分片，新的检查点无法证明包含此前的检查点。',
      accepted: '此前接受的检查点',
      offered: '被拒绝的检查点',
      seenAt: '发现时间',
      evidence: '两个检查点都带有日志密钥的签名，可作为证据交给任何人核对：',
    },
    entry: {
      title: (index) => `日志条目 ${index}`,
      verified: '已验证',
      verifiedBody: (size) => `本站根据发布的日志分片计算出此条目的包含证明，并用当前检查点（${size} 条）的树根核对无误：此条目确实在公开日志中，且内容未被改动。`,
      failed: '未通过验证',
      failedBody: '发布的日志分片与当前检查点不符，无法证明此条目在日志中。本站不显示其内容。',
      unreadable: '此条目的内容无法解析。',
      event: '事件',
      time: '时间',
      serial: '许可序号 / 修订',
      sealKid: '标识签名密钥',
      keys: '涉及的密钥',
      keyList: '密钥清单',
      keyListValue: (version) => `第 ${version} 版`,
      keyListSha256: '密钥清单 SHA-256',
      leafHash: '叶哈希',
      proofHeading: '包含证明',
      proofBody: '从此条目的叶哈希起，依次与下列哈希合并，即得到当前检查点的树根：',
      treeSize: '检查点条目数',
      download: '下载证明文件（.tlog-proof）',
      back: '返回公开日志',
      notYet: { title: '此条目不在公开日志中', body: (index, size) => `条目 ${index} 尚未（或并未）记入已发布的日志：当前检查点只有 ${size} 条（条目 0 至 ${Math.max(0, size - 1)}）。` },
    },
    events: {
      'licence.issue': '签发许可',
      'licence.update': '变更许可内容',
      'licence.renew': '许可续期',
      'licence.reseal': '重新签发标识',
      'licence.suspend': '暂停许可',
      'licence.reinstate': '恢复许可',
      'licence.revoke': '撤销许可',
      'licence.existing': '记入既有许可',
      'holder.update': '变更持证主体信息',
      'key.init': '启用密钥',
      'key.rotate': '轮换密钥',
      'key.compromise': '标记密钥泄露',
      'key_list.sign': '签署密钥清单',
    },
    keyRoles: { issue: '签发密钥', log: '日志密钥' },
    keyStatuses: { active: '使用中', retired: '已停用', compromised: '已泄露' },
    entryLabel: (index) => `条目 ${index}`,
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
  log: {
    title: 'Public log',
    intro: 'The Qingdao Premium Products office records every licence it issues, changes, renews, suspends, reinstates or revokes, every change to a holder’s details and every signing-key event in this public log, which can only grow and never be rewritten. Anyone can check that the office never issued, changed or revoked a licence in secret.',
    logged: (index) => `Recorded in the public log as entry ${index}`,
    checkpointHeading: 'Current checkpoint',
    size: 'Entries',
    root: 'Tree root',
    time: 'Newest entry',
    signed: 'This site verified the checkpoint’s signature: its key is in the key list the programme’s root key signed.',
    checkpointLink: 'Download the signed checkpoint',
    newestHeading: 'Newest entries',
    newestUnverified: 'The newest entries as published do not match the checkpoint, so this site does not show them.',
    empty: 'The log has no entries yet.',
    auditHeading: 'Check it yourself',
    audit: 'The checkpoint and the log’s tiles are published in the C2SP tlog-tiles format: tools such as qdyp log verify check the whole log independently.',
    notPublished: { title: 'The public log is not published yet', body: 'This site has no log checkpoint it could verify yet. Please try again later.' },
    unavailable: { title: 'The public log cannot be read right now', body: 'The log’s files cannot be read at the moment. Please try again later.' },
    refused: {
      older: (size, inUse) => `The published checkpoint (${size} entries) is older than the one this site accepted (${inUse} entries) and was refused; this site keeps using the one it accepted.`,
      unchecked: (size) => `A new checkpoint (${size} entries) is published; this site could not check it yet and keeps using the one it accepted for now.`,
      unverified: 'The published checkpoint failed its signature check and was refused; this site keeps using the one it accepted.',
      split: 'The newest published checkpoint contradicts the one this site accepted before and was refused.',
    },
    splitView: {
      title: 'Warning: the public log is inconsistent',
      body: 'This site was given a log checkpoint that contradicts one it had accepted. The log may have been rewritten, or different people may be shown different logs. This site refused the new checkpoint and keeps using the one it accepted.',
      fork: 'Both checkpoints have the same number of entries but different tree roots.',
      inconsistent: 'The published tiles cannot prove that the new checkpoint contains the earlier one.',
      accepted: 'Checkpoint accepted before',
      offered: 'Checkpoint refused',
      seenAt: 'Seen',
      evidence: 'Both checkpoints carry the log key’s signature: evidence anyone can check.',
    },
    entry: {
      title: (index) => `Log entry ${index}`,
      verified: 'Verified',
      verifiedBody: (size) => `This site computed this entry’s inclusion proof from the published tiles and checked it against the root of the current checkpoint (${size} entries): the entry is in the public log, unchanged.`,
      failed: 'Not verified',
      failedBody: 'The published tiles do not match the current checkpoint, so this entry cannot be proved to be in the log. This site does not show its contents.',
      unreadable: 'This entry’s contents cannot be read.',
      event: 'Event',
      time: 'Time',
      serial: 'Licence serial / revision',
      sealKid: 'Key signing its QR seal',
      keys: 'Keys concerned',
      keyList: 'Key list',
      keyListValue: (version) => `version ${version}`,
      keyListSha256: 'Key list SHA-256',
      leafHash: 'Leaf hash',
      proofHeading: 'Inclusion proof',
      proofBody: 'Hashing the leaf hash together with each of these in turn gives the current checkpoint’s tree root:',
      treeSize: 'Checkpoint entries',
      download: 'Download the proof file (.tlog-proof)',
      back: 'Back to the public log',
      notYet: { title: 'This entry is not in the public log', body: (index, size) => `Entry ${index} is not (or not yet) in the published log: the current checkpoint has ${size} entries (0 to ${Math.max(0, size - 1)}).` },
    },
    events: {
      'licence.issue': 'Licence issued',
      'licence.update': 'Licence details changed',
      'licence.renew': 'Licence renewed',
      'licence.reseal': 'Licence given a new QR seal',
      'licence.suspend': 'Licence suspended',
      'licence.reinstate': 'Licence reinstated',
      'licence.revoke': 'Licence revoked',
      'licence.existing': 'Existing licence recorded',
      'holder.update': 'Holder details changed',
      'key.init': 'Keys set up',
      'key.rotate': 'Key rotated',
      'key.compromise': 'Key marked compromised',
      'key_list.sign': 'Key list signed',
    },
    keyRoles: { issue: 'issuing key', log: 'log key' },
    keyStatuses: { active: 'active', retired: 'retired', compromised: 'compromised' },
    entryLabel: (index) => `Entry ${index}`,
  },
};

export const PAGE_MESSAGES: Record<Locale, PageMessages> = { 'zh-CN': zhCN, en };
