// The inspector page's own words, zh-CN and English (verdict texts, field labels, tiers,
// sectors and statuses come from src/core/messages, the same texts the scan page uses).

import type { Locale } from '../core/index.ts';

export interface InspectMessages {
  title: string;
  programme: string;
  otherLanguage: string;
  scanHeading: string;
  camera: string;
  stopCamera: string;
  cameraHint: string;
  photo: string;
  choosePhoto: string;
  photoHint: string;
  decoding: string;
  dataHeading: string;
  scope: string;
  wholeCity: string;
  sync: string;
  syncing: string;
  synced: (count: number, scope: string) => string;
  statusAsOf: (time: string, ago: string) => string;
  noData: string;
  noDataAdvice: string;
  syncFailed: (time: string, reason: string) => string;
  stillUsing: string;
  staleWarning: (hours: number) => string;
  dataExpired: (time: string) => string;
  clockBehind: (device: string, signed: string) => string;
  offlineNow: string;
  storageNotPersisted: string;
  judgedDevice: string;
  judgedOnline: string;
  checkedAt: string;
  reasons: Record<LocalReason, string>;
  notOurs: string;
  notOursBody: string;
  noCode: string;
  notImage: string;
  tooLarge: (width: number, height: number) => string;
  tooManyBytes: string;
  decodeFailed: string;
  cameraUnavailable: string;
  cameraDenied: string;
  wechat: string;
  copyLink: string;
  copied: string;
  historyHeading: string;
  historyEmpty: string;
  exportCsv: string;
  clearHistory: string;
  confirmClear: string;
  csvColumns: [string, string, string, string, string, string, string, string];
  noStatusData: string;
  judgedShort: Record<'device' | 'online', string>;
  detailsHeading: string;
  detailsUnconfirmed: string;
  ago: (minutes: number) => string;
  noScript: string;
  reportsHeading: string;
  noToken: string;
  importToken: string;
  tokenHint: string;
  tokenShown: (name: string, id: string, until: string) => string;
  tokenUnverified: string;
  tokenRefused: string;
  tokenSaved: string;
  removeToken: string;
  reportThis: string;
  reportNoSeal: string;
  reportFormHeading: string;
  reportOutcome: string;
  reportPlace: string;
  reportNote: string;
  reportPhoto: string;
  reportSubmit: string;
  reportNeedsToken: string;
  reportNeedsPlacePhoto: string;
  reportBadText: string;
  reportQueued: string;
  queueEmpty: string;
  queueState: Record<'queued' | 'sent' | 'refused', string>;
  noSealOutcome: string;
}

/** Why a verdict judged on the device could not confirm a licence (shown with it). */
export type LocalReason = 'no_data' | 'data_expired' | 'not_in_district' | 'changed_since' | 'key_list_expired' | 'online_failed';

const zhCN: InspectMessages = {
  title: '现场查验',
  programme: '青岛优品',
  otherLanguage: 'English',
  scanHeading: '查验标识',
  camera: '用相机扫描',
  stopCamera: '停止扫描',
  cameraHint: '把二维码放在取景框中，保持稳定。',
  photo: '拍照查验',
  choosePhoto: '从相册选择照片',
  photoHint: '相机对不上焦时，拍一张清晰的照片更可靠。',
  decoding: '正在识别二维码…',
  dataHeading: '本机查验数据',
  scope: '数据范围',
  wholeCity: '全市',
  sync: '立即同步',
  syncing: '正在同步…',
  synced: (count, scope) => `已保存 ${count} 个许可（${scope}）`,
  statusAsOf: (time, ago) => `状态数据截至 ${time}（${ago}）`,
  noData: '本机还没有查验数据。',
  noDataAdvice: '请联网后点“立即同步”；同步后无网络也能查验。',
  syncFailed: (time, reason) => `${time} 同步失败：${reason}`,
  stillUsing: '仍使用上次同步的数据。',
  staleWarning: (hours) => `数据已有 ${hours} 小时未更新，最近的撤销和暂停可能未包含在内。请尽快联网同步。`,
  dataExpired: (time) => `本机数据已于 ${time} 过期，无法确认许可状态。请联网同步。`,
  clockBehind: (device, signed) => `本机时钟（${device}）早于已验证数据的签发时间（${signed}）。时钟不可信，到期判断按数据时间计算。请校准手机时间。`,
  offlineNow: '当前无网络：使用本机数据查验。',
  storageNotPersisted: '浏览器未允许长期保存：空间不足时本机数据可能被清除，届时需重新同步。',
  judgedDevice: '在本机查验（离线数据）',
  judgedOnline: '联网查验',
  checkedAt: '查验时间',
  reasons: {
    no_data: '本机没有查验数据，且无法联网查验。请联网后同步。',
    data_expired: '本机数据已过期，无法确认许可状态。请联网同步。',
    not_in_district: '此许可不在本机所存地区的数据中——请同步全市数据或联网查验。',
    changed_since: '此许可在本机数据生成后有变更——请同步后再查验，或联网查验。',
    key_list_expired: '本机的密钥列表已过期，无法确认。请联网同步。',
    online_failed: '联网查验失败，本机也没有可用数据。',
  },
  notOurs: '不是青岛优品的查验码',
  notOursBody: '这个二维码不指向青岛优品的官方查验网址，未打开其中的链接。码中的内容：',
  noCode: '照片中没有找到二维码。请靠近、对准二维码，保持清晰后再拍。',
  notImage: '这个文件不是可识别的图片（请用 JPEG 或 PNG 照片）。',
  tooLarge: (w, h) => `照片太大（${w} × ${h} 像素）。请用较低的分辨率重拍。`,
  tooManyBytes: '照片文件太大（超过 32 MB）。请用较低的分辨率重拍。',
  decodeFailed: '无法读取这张照片。请重拍或换一张。',
  cameraUnavailable: '无法使用相机。请改用“拍照查验”。',
  cameraDenied: '没有相机权限。请在浏览器设置中允许，或改用“拍照查验”。',
  wechat: '您正在微信内置浏览器中。这里的离线模式和相机可能无法正常使用。请点右上角“···”，选择“在浏览器打开”。拍照查验仍可使用。',
  copyLink: '复制本页链接',
  copied: '已复制',
  historyHeading: '本机查验记录',
  historyEmpty: '还没有查验记录。',
  exportCsv: '导出 CSV',
  clearHistory: '清空记录',
  confirmClear: '确定清空本机的全部查验记录？',
  csvColumns: ['查验时间', '许可编号', '持有人', '结果代码', '结果', '状态数据截至', '查验方式', '二维码内容'],
  noStatusData: '没有可用的状态数据',
  judgedShort: { device: '本机离线', online: '联网' },
  detailsHeading: '授权详情',
  detailsUnconfirmed: '状态列表显示如上；该许可的详情暂时无法确认。',
  ago: (m) => (m < 1 ? '刚刚' : m < 60 ? `${m} 分钟前` : m < 48 * 60 ? `${Math.floor(m / 60)} 小时前` : `${Math.floor(m / 1440)} 天前`),
  noScript: '现场查验页需要启用 JavaScript。',
  reportsHeading: '现场报告',
  noToken: '本机还没有检查员凭证，不能发送报告。',
  importToken: '导入凭证文件',
  tokenHint: '也可以用上方的相机或照片扫描凭证二维码。',
  tokenShown: (name, id, until) => `检查员：${name}（${id}），凭证有效至 ${until}`,
  tokenUnverified: '（尚未用本机数据核验；同步后核验）',
  tokenRefused: '这不是有效的检查员凭证（签名、期限或格式不对），未保存。',
  tokenSaved: '检查员凭证已保存在本机。',
  removeToken: '移除凭证',
  reportThis: '报告此标识',
  reportNoSeal: '报告没有二维码的标识',
  reportFormHeading: '报告',
  reportOutcome: '查验结果',
  reportPlace: '地点（市场、摊位、仓库）',
  reportNote: '说明',
  reportPhoto: '照片',
  reportSubmit: '保存并发送',
  reportNeedsToken: '需要先导入检查员凭证。',
  reportNeedsPlacePhoto: '没有二维码的标识需要填写地点并附照片。',
  reportBadText: '地点和说明各不超过 500 字，且不能含控制字符。',
  reportQueued: '报告已保存在本机，联网后自动发送。',
  queueEmpty: '本机没有报告。',
  queueState: { queued: '待发送', sent: '已发送', refused: '被拒收' },
  noSealOutcome: '标识无二维码',
};

const en: InspectMessages = {
  title: 'Inspection',
  programme: 'Qingdao Premium Products',
  otherLanguage: '中文',
  scanHeading: 'Check a mark',
  camera: 'Scan with the camera',
  stopCamera: 'Stop scanning',
  cameraHint: 'Hold the QR code in the frame and keep still.',
  photo: 'Take a photo',
  choosePhoto: 'Choose a photo',
  photoHint: 'If the camera will not focus, a sharp photo works better.',
  decoding: 'Reading the QR code…',
  dataHeading: 'Data on this device',
  scope: 'Data for',
  wholeCity: 'Whole city',
  sync: 'Sync now',
  syncing: 'Syncing…',
  synced: (count, scope) => `${count} licences saved (${scope})`,
  statusAsOf: (time, ago) => `Status as of ${time} (${ago})`,
  noData: 'No inspection data on this device yet.',
  noDataAdvice: 'Connect and tap “Sync now”; after that, checks work without a network.',
  syncFailed: (time, reason) => `Sync failed at ${time}: ${reason}`,
  stillUsing: 'Still using the last data synced.',
  staleWarning: (hours) => `The data has not been updated for ${hours} hours: recent revocations and suspensions may be missing. Sync as soon as you can.`,
  dataExpired: (time) => `The data on this device expired at ${time}: licence status cannot be confirmed. Connect and sync.`,
  clockBehind: (device, signed) => `This device's clock (${device}) is earlier than the signed data (${signed}). The clock is not trusted: expiry is judged from the data's time. Set the phone's time.`,
  offlineNow: 'No network now: checks use the data on this device.',
  storageNotPersisted: 'The browser did not grant lasting storage: if space runs low it may clear this data, and you will need to sync again.',
  judgedDevice: 'Judged on this device, offline',
  judgedOnline: 'Judged online',
  checkedAt: 'Checked',
  reasons: {
    no_data: 'There is no data on this device, and the online check could not be reached. Connect and sync.',
    data_expired: 'The data on this device has expired: licence status cannot be confirmed. Connect and sync.',
    not_in_district: 'Not in this district’s data — sync the full bundle or check online.',
    changed_since: 'This licence changed after the data on this device was made — sync and check again, or check online.',
    key_list_expired: 'The key list on this device has expired. Connect and sync.',
    online_failed: 'The online check failed, and this device has no usable data.',
  },
  notOurs: 'Not a Qingdao Premium Products seal',
  notOursBody: 'This QR code does not point to the programme’s official verification site; its link was not opened. What it holds:',
  noCode: 'No QR code found in the photo. Move closer, aim at the code, keep it sharp and try again.',
  notImage: 'This file is not a picture that can be read (use a JPEG or PNG photo).',
  tooLarge: (w, h) => `The photo is too large (${w} × ${h} pixels). Take it again at a lower resolution.`,
  tooManyBytes: 'The photo file is too large (over 32 MB). Take it again at a lower resolution.',
  decodeFailed: 'This photo could not be read. Take it again or choose another.',
  cameraUnavailable: 'The camera cannot be used. Use “Take a photo” instead.',
  cameraDenied: 'No permission for the camera. Allow it in the browser’s settings, or use “Take a photo”.',
  wechat: 'You are in WeChat’s built-in browser, where offline mode and the camera may not work. Tap “···” at the top right and choose “Open in Browser”. Photo checks still work here.',
  copyLink: 'Copy this page’s link',
  copied: 'Copied',
  historyHeading: 'Checks on this device',
  historyEmpty: 'No checks yet.',
  exportCsv: 'Export CSV',
  clearHistory: 'Clear history',
  confirmClear: 'Clear every check recorded on this device?',
  csvColumns: ['Checked at', 'Licence number', 'Holder', 'Verdict code', 'Verdict', 'Status as of', 'Judged', 'QR code text'],
  noStatusData: 'No usable status data',
  judgedShort: { device: 'device, offline', online: 'online' },
  detailsHeading: 'What the licence covers',
  detailsUnconfirmed: 'The status list says so; the licence’s details could not be confirmed right now.',
  ago: (m) => (m < 1 ? 'just now' : m < 60 ? `${m} min ago` : m < 48 * 60 ? `${Math.floor(m / 60)} h ago` : `${Math.floor(m / 1440)} days ago`),
  noScript: 'The inspection page needs JavaScript.',
  reportsHeading: 'Reports from the field',
  noToken: 'No inspector token on this device: reports cannot be sent.',
  importToken: 'Import a token file',
  tokenHint: 'Or scan the token’s QR code with the camera or a photo above.',
  tokenShown: (name, id, until) => `Inspector: ${name} (${id}), token valid until ${until}`,
  tokenUnverified: ' (not yet checked against this device’s data; it will be after a sync)',
  tokenRefused: 'This is not a valid inspector token (signature, dates or format): not saved.',
  tokenSaved: 'Inspector token saved on this device.',
  removeToken: 'Remove the token',
  reportThis: 'Report this mark',
  reportNoSeal: 'Report a mark with no QR code',
  reportFormHeading: 'Report',
  reportOutcome: 'Check result',
  reportPlace: 'Place (market, stall, warehouse)',
  reportNote: 'Note',
  reportPhoto: 'Photo',
  reportSubmit: 'Save and send',
  reportNeedsToken: 'Import an inspector token first.',
  reportNeedsPlacePhoto: 'A mark with no QR code needs the place and a photo.',
  reportBadText: 'Place and note take at most 500 characters each, without control characters.',
  reportQueued: 'The report is saved on this device and is sent when the network is back.',
  queueEmpty: 'No reports on this device.',
  queueState: { queued: 'waiting to send', sent: 'sent', refused: 'refused' },
  noSealOutcome: 'mark with no QR code',
};

export const INSPECT_MESSAGES: Record<Locale, InspectMessages> = { 'zh-CN': zhCN, en };
