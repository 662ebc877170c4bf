// The certificate (授权证书): an A4 PDF that hangs in shops and goes to buyers. Page 1 is the
// certificate with the seal's QR code as vector shapes; an annex page follows when the products
// are too many for its table; the last page is the print guide. Chinese renders from a subset of
// Noto Sans SC embedded in the file, so it stays well under 1 MB.

import fontkit from '@pdf-lib/fontkit';
import { PageSizes, PDFDocument, StandardFonts } from 'pdf-lib';
import { cstDate, MESSAGES, REGIONS, type LicenceClaims } from '../../core/index.ts';
import { readArtworkSource, type ArtworkInput, type ArtworkSource } from './artwork-source.ts';
import { drawAnnexPage, drawLogAnnexPage, readLogAnnex, type CertificateLogRecord, type LogAnnex } from './certificate-annex-page.ts';
import { drawPrintGuidePage } from './certificate-guide-page.ts';
import { CONTENT, drawCertificateFrame, PAGE } from './certificate-layout.ts';
import { ArtworkError, type BilingualText } from './errors.ts';
import { padSubsetGlyphs } from './font-subset-fix.ts';
import { assertDrawable, loadFont } from './fonts.ts';
import { COLOURS, MARK_BOX, MARK_NAME, MARK_SHAPES } from './mark.ts';
import { largestFittingScale, Sheet, type TextStyle } from './pdf-sheet.ts';
import { encodeSealQr, type SealQr } from './qr.ts';

export interface CertificateInput extends ArtworkInput {
  /**
   * The holder's address from the registry. It is not among the signed claims, so it is the one
   * unsigned line on the certificate; it is left out when not given.
   */
  holderAddress?: string;
  /**
   * The licence's latest entry in the transparency log. With its proof (made once a published
   * checkpoint covers the entry), an annex page prints the proof; without, the certificate says
   * where the proof will be online.
   */
  log?: CertificateLogRecord;
}

export type { CertificateLogRecord } from './certificate-annex-page.ts';

export const ISSUER: BilingualText = { zh: '青岛优品工程办公室', en: 'Qingdao Premium Products Programme Office' };
const MAX_ADDRESS_LENGTH = 200;

export const USAGE_RULES: readonly BilingualText[] = [
  {
    zh: '本许可仅授予本证书所列持证单位，不得转让、出租、出借或许可他人使用。',
    en: 'This licence is granted only to the holder named here: it may not be transferred, rented, lent or sublicensed.',
  },
  {
    zh: '“青岛优品”标识仅可用于上列授权产品及商标，不得用于其他产品，也不得暗示其他产品已获授权。',
    en: 'Use the 青岛优品 mark only on the products and trademarks listed, and never suggest that other products are covered.',
  },
  {
    zh: '包装上须原样印刷本许可的二维码，印刷要求见本证书所附《印刷指南》。',
    en: "Print this licence's own QR code on packaging unaltered, as the print guide attached to this certificate describes.",
  },
  {
    zh: '许可被暂停、撤销或期满后，须立即停止使用标识。',
    en: 'Stop using the mark at once when the licence is suspended, revoked or expires.',
  },
  {
    zh: '持证单位名称、地址、产品或商标发生变化，应及时报告青岛优品工程办公室。',
    en: 'Report any change of name, address, products or trademarks to the programme office.',
  },
];

const FLOW = { top: 66, bottom: 231 };
const QR_TOP = 236;
const QR_SIZE = 34;

interface Row {
  label: BilingualText;
  value: string;
  /** A second, smaller line: the English of a coded value. */
  sub?: string;
  strong?: boolean;
}

function readAddress(address: string | undefined): string | null {
  if (address === undefined) return null;
  const text = typeof address === 'string' ? address.replace(/\s+/g, ' ').trim() : '';
  if (text === '' || text.length > MAX_ADDRESS_LENGTH || /[\u0000-\u001f\u007f-\u009f]/.test(text)) {
    throw new ArtworkError('ERR_ARTWORK_INPUT', {
      zh: `地址须为 1 至 ${MAX_ADDRESS_LENGTH} 个字符的文字。`,
      en: `The address must be text of 1 to ${MAX_ADDRESS_LENGTH} characters.`,
    });
  }
  return text;
}

/** A district with its city (`青岛市黄岛区`), or the city alone for the city's own code. */
function regionName(name: string, city: string): string {
  if (name === city) return city;
  return city === '青岛市' ? `${city}${name}` : `${name}, ${city}`;
}

/** Where the product and trademark lists go: in the table, or on the annex page. */
type Lists = 'inline' | 'annex';

function listRow(label: BilingualText, items: string[], lists: Lists, strong: boolean): Row {
  if (items.length === 0) return { label, value: '—' };
  if (lists === 'inline') return { label, value: items.join('、'), strong };
  return { label, value: `共 ${items.length} 项，详见附页`, sub: `${items.length} in all: see the annex`, strong };
}

function rows(licence: LicenceClaims, address: string | null, lists: Lists): Row[] {
  const zh = MESSAGES['zh-CN'];
  const en = MESSAGES.en;
  const region = licence.region === null ? null : REGIONS[licence.region];
  const list: (Row | null)[] = [
    { label: { zh: '证书编号', en: 'Licence No.' }, value: licence.number, strong: true },
    { label: { zh: '持证单位', en: 'Holder' }, value: licence.holder.name, strong: true },
    address === null ? null : { label: { zh: '单位地址', en: 'Address' }, value: address },
    { label: { zh: '统一社会信用代码', en: 'USCC' }, value: licence.holder.uscc },
    { label: { zh: '品牌类别', en: 'Brand tier' }, value: zh.tiers[licence.tier], sub: en.tiers[licence.tier] },
    { label: { zh: '所属领域', en: 'Sector' }, value: zh.sectors[licence.sector], sub: en.sectors[licence.sector] },
    licence.chain === null ? null : { label: { zh: '产业链', en: 'Industrial chain' }, value: licence.chain },
    licence.region === null
      ? null
      : { label: { zh: '所在区域', en: 'Region' }, value: region ? regionName(region.zh, '青岛市') : licence.region, sub: region ? regionName(region.en, 'Qingdao') : undefined },
    listRow({ zh: '授权产品', en: 'Products' }, licence.products, lists, true),
    listRow({ zh: '注册商标', en: 'Trademarks' }, licence.trademarks, lists, false),
    {
      label: { zh: '有效期', en: 'Valid' },
      value: `${licence.validFrom} 至 ${licence.validUntil}（北京时间）`,
      sub: `${licence.validFrom} to ${licence.validUntil} inclusive, China Standard Time`,
    },
  ];
  return list.filter((row): row is Row => row !== null);
}

function checkDrawable(licence: LicenceClaims, address: string | null): void {
  assertDrawable(licence.holder.name, { zh: '持证单位名称', en: "holder's name" });
  if (address !== null) assertDrawable(address, { zh: '地址', en: 'address' });
  assertDrawable(licence.products.join(''), { zh: '授权产品', en: 'product list' });
  assertDrawable(licence.trademarks.join(''), { zh: '注册商标', en: 'trademark list' });
  if (licence.chain !== null) assertDrawable(licence.chain, { zh: '产业链', en: 'industrial chain' });
}

const styles = (scale: number) => {
  const s = (weight: TextStyle['weight'], size: number, colour: string): TextStyle => ({ weight, size: size * scale, colour });
  return {
    statement: s('regular', 11.5, COLOURS.ink),
    statementEn: s('regular', 8, COLOURS.grey),
    label: s('bold', 9, COLOURS.blue),
    labelEn: s('regular', 6.8, COLOURS.grey),
    value: s('regular', 10.5, COLOURS.ink),
    valueStrong: s('bold', 10.5, COLOURS.ink),
    valueSub: s('regular', 7.5, COLOURS.grey),
    rulesTitle: s('bold', 10, COLOURS.blue),
    rulesTitleEn: s('regular', 8, COLOURS.grey),
    rule: s('regular', 8.6, COLOURS.ink),
    ruleEn: s('regular', 7, COLOURS.grey),
  };
};

/**
 * The statement, the details table and the rules, from `top`. Returns the height used;
 * draws only when `draw` is set, so the same code measures the layout for fitting.
 */
function flow(sheet: Sheet, licence: LicenceClaims, address: string | null, lists: Lists, scale: number, top: number, draw: boolean): number {
  const st = styles(scale);
  const { left, width } = CONTENT;
  let y = top;
  const put = (text: string, style: TextStyle, x: number, at: number, w: number, align: 'left' | 'centre' = 'left') =>
    draw ? sheet.paragraph(text, style, x, at, w, align) : sheet.paragraphHeight(text, style, w);

  y += put(`兹授权 ${licence.holder.name} 在下列授权产品上使用“青岛优品”标识，特发此证。`, st.statement, left + 6, y, width - 12, 'centre');
  y += 0.8 * scale;
  y += put(
    `This certifies that ${licence.holder.name} is authorized to use the 青岛优品 (Qingdao Premium Products) mark on the products listed below.`,
    st.statementEn,
    left + 6,
    y,
    width - 12,
    'centre',
  );
  y += 4 * scale;

  const labelWidth = 42;
  const valueLeft = left + labelWidth + 3;
  const valueWidth = width - labelWidth - 5;
  const pad = 1.5 * scale;
  if (draw) sheet.line(left, y, left + width, y, COLOURS.blue, 0.9);
  for (const row of rows(licence, address, lists)) {
    const rowTop = y + pad;
    let labelHeight = put(row.label.zh, st.label, left + 1, rowTop, labelWidth);
    labelHeight += put(row.label.en, st.labelEn, left + 1, rowTop + labelHeight, labelWidth);
    let valueHeight = put(row.value, row.strong ? st.valueStrong : st.value, valueLeft, rowTop, valueWidth);
    if (row.sub) valueHeight += put(row.sub, st.valueSub, valueLeft, rowTop + valueHeight, valueWidth);
    y = rowTop + Math.max(labelHeight, valueHeight) + pad;
    if (draw) sheet.line(left, y, left + width, y, '#D3DAE5', 0.5);
  }
  if (draw) sheet.line(left, y, left + width, y, COLOURS.blue, 0.9);
  y += 5 * scale;

  if (draw) {
    sheet.text('使用规则', st.rulesTitle, left, y);
    sheet.text('Rules for using the mark', st.rulesTitleEn, left + sheet.width('使用规则', st.rulesTitle) + 2, y + 0.5 * scale);
  }
  y += sheet.lineHeight(st.rulesTitle, 1.6);
  USAGE_RULES.forEach((rule, i) => {
    if (draw) sheet.text(`${i + 1}.`, st.rule, left + 1, y);
    y += put(rule.zh, st.rule, left + 5.5, y, width - 5.5);
    y += put(rule.en, st.ruleEn, left + 5.5, y, width - 5.5);
    y += 1 * scale;
  });
  return y - top;
}

function drawMark(sheet: Sheet, x: number, top: number, size: number): void {
  for (const shape of MARK_SHAPES) sheet.svgPath(shape.d, x, top, size / MARK_BOX, { fill: shape.fill, stroke: shape.stroke, strokeWidth: shape.strokeWidth });
}

interface CertificateLayout {
  lists: Lists;
  scale: number;
}

/**
 * The largest type that fits with the lists in the table (shrinking it only so far), else the
 * lists on the annex page.
 */
function chooseLayout(sheet: Sheet, licence: LicenceClaims, address: string | null): CertificateLayout {
  const available = FLOW.bottom - FLOW.top;
  for (const [lists, min] of [
    ['inline', 0.8],
    ['annex', 0.7],
  ] as const) {
    const scale = largestFittingScale((s) => flow(sheet, licence, address, lists, s, FLOW.top, false) <= available, min);
    if (scale !== null) return { lists, scale };
  }
  throw new ArtworkError('ERR_ARTWORK_OVERFLOW', {
    zh: `许可 ${licence.number} 的文字过多，一页证书放不下。请联系工程办公室。`,
    en: `Licence ${licence.number} has more text than one certificate page can hold. Contact the programme office.`,
  });
}

/** The certificate page's line about the log: its entry, and where its proof is (printed or online). */
function logLine(source: ArtworkSource, log: CertificateLogRecord, annex: LogAnnex | null): BilingualText {
  const where = `${source.verifyDomain}/log/entry/${log.index}`;
  return annex
    ? { zh: `透明日志第 ${log.index} 条，证明见附页`, en: `Transparency log entry ${log.index}, proof printed in the annex` }
    : { zh: `透明日志第 ${log.index} 条，证明见 ${where}`, en: `Transparency log entry ${log.index}, proof available online at ${where}` };
}

function drawCertificatePage(sheet: Sheet, source: ArtworkSource, address: string | null, qr: SealQr, layout: CertificateLayout, log: BilingualText | null): void {
  const { licence } = source;
  const centre = PAGE.width / 2;
  drawCertificateFrame(sheet);
  drawMark(sheet, centre - 9, 17, 18);
  sheet.text(`${MARK_NAME} · QINGDAO PREMIUM PRODUCTS`, { weight: 'bold', size: 8, colour: COLOURS.blue, tracking: 0.12 }, centre, 37, 'centre');
  sheet.text('授权证书', { weight: 'bold', size: 28, colour: COLOURS.blue, tracking: 0.35 }, centre, 43, 'centre');
  sheet.text('CERTIFICATE OF AUTHORIZATION', { weight: 'regular', size: 9, colour: COLOURS.grey, tracking: 0.25 }, centre, 55.5, 'centre');
  sheet.line(centre - 12, 62, centre + 12, 62, COLOURS.gold, 1.2);

  flow(sheet, licence, address, layout.lists, layout.scale, FLOW.top, true);

  const { left } = CONTENT;
  sheet.qrCode(qr, left - 1.5, QR_TOP, QR_SIZE);
  const captionLeft = left + QR_SIZE + 3;
  sheet.text('扫码核验', { weight: 'bold', size: 11, colour: COLOURS.ink }, captionLeft, QR_TOP + 2);
  sheet.text('Scan to verify', { weight: 'regular', size: 8, colour: COLOURS.grey }, captionLeft, QR_TOP + 7);
  sheet.text('官方核验网址 Official verify site', { weight: 'regular', size: 7.5, colour: COLOURS.grey }, captionLeft, QR_TOP + 13);
  sheet.text(source.verifyDomain, { weight: 'bold', size: 11, colour: COLOURS.blue }, captionLeft, QR_TOP + 16.8);
  sheet.text('请认准此网址，谨防仿冒网站。', { weight: 'regular', size: 7.5, colour: COLOURS.ink }, captionLeft, QR_TOP + 23);
  sheet.text('Check the address: look-alike sites are not ours.', { weight: 'regular', size: 7, colour: COLOURS.grey }, captionLeft, QR_TOP + 26.5);

  const right = left + CONTENT.width;
  const issued = cstDate(new Date(licence.iat * 1000));
  sheet.text('发证机构 Issuer', { weight: 'regular', size: 7.5, colour: COLOURS.grey }, right, QR_TOP + 2, 'right');
  sheet.text(ISSUER.zh, { weight: 'bold', size: 12, colour: COLOURS.ink }, right, QR_TOP + 5.8, 'right');
  sheet.text(ISSUER.en, { weight: 'regular', size: 7.5, colour: COLOURS.grey }, right, QR_TOP + 11, 'right');
  sheet.text('签发日期 Date of issue', { weight: 'regular', size: 7.5, colour: COLOURS.grey }, right, QR_TOP + 17.5, 'right');
  sheet.text(issued, { weight: 'bold', size: 12, colour: COLOURS.ink }, right, QR_TOP + 21.3, 'right');

  sheet.text('本证书所载许可的当前状态以扫码核验结果为准。', { weight: 'regular', size: 7.5, colour: COLOURS.grey }, PAGE.width / 2, 274.5, 'centre');
  sheet.text(
    'The current status of this licence is what the scan shows, not this paper.',
    { weight: 'regular', size: 7, colour: COLOURS.grey },
    PAGE.width / 2,
    278.3,
    'centre',
  );
  if (log) sheet.text(`${log.zh} · ${log.en}`, { weight: 'regular', size: 5.8, colour: COLOURS.grey }, PAGE.width / 2, 282.2, 'centre');
}

function readLog(log: CertificateLogRecord | undefined): CertificateLogRecord | null {
  if (log === undefined) return null;
  if (!Number.isSafeInteger(log.index) || log.index < 0 || (log.proof !== undefined && typeof log.proof !== 'string')) {
    throw new ArtworkError('ERR_ARTWORK_INPUT', { zh: '透明日志条目编号无效。', en: 'The transparency log entry index is not valid.' });
  }
  return log;
}

export async function renderCertificatePdf(input: CertificateInput): Promise<Uint8Array> {
  const source = readArtworkSource(input);
  const address = readAddress(input.holderAddress);
  checkDrawable(source.licence, address);
  const qr = encodeSealQr(source.sealUrl);
  const log = readLog(input.log);
  const annex = log?.proof === undefined ? null : readLogAnnex({ index: log.index, proof: log.proof });

  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const fonts = {
    regular: await doc.embedFont(loadFont('regular').bytes, { subset: true }),
    bold: await doc.embedFont(loadFont('bold').bytes, { subset: true }),
  };
  padSubsetGlyphs(fonts.regular);
  padSubsetGlyphs(fonts.bold);
  const issuedAt = new Date(source.licence.iat * 1000);
  doc.setTitle(`授权证书 ${source.licence.number} Certificate of Authorization`);
  doc.setSubject(`${MARK_NAME} ${source.licence.holder.name}`);
  doc.setAuthor(ISSUER.zh);
  doc.setCreator('qdyp');
  doc.setProducer('qdyp');
  doc.setLanguage('zh-CN');
  // The licence document's time, not the clock: the file dates from the licence it certifies.
  doc.setCreationDate(issuedAt);
  doc.setModificationDate(issuedAt);

  const certificate = new Sheet(doc.addPage(PageSizes.A4), fonts);
  const layout = chooseLayout(certificate, source.licence, address);
  drawCertificatePage(certificate, source, address, qr, layout, log ? logLine(source, log, annex) : null);
  if (layout.lists === 'annex') drawAnnexPage(new Sheet(doc.addPage(PageSizes.A4), fonts), source.licence);
  if (annex) drawLogAnnexPage(new Sheet(doc.addPage(PageSizes.A4), fonts), source.licence, annex, source.verifyDomain, await doc.embedFont(StandardFonts.Courier));
  drawPrintGuidePage(new Sheet(doc.addPage(PageSizes.A4), fonts), source, qr);
  return doc.save();
}
