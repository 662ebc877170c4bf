// Page 2 of the certificate: the print guide, with the seal's own code drawn at the
// recommended and at the minimum size, so a proof printed at 100 % shows both true to size.

import type { ArtworkSource } from './artwork-source.ts';
import { CONTENT, drawFollowingPage } from './certificate-layout.ts';
import { ArtworkError } from './errors.ts';
import { COLOURS } from './mark.ts';
import { largestFittingScale, type Sheet, type TextStyle } from './pdf-sheet.ts';
import { printGuide, type PrintGuide } from './print-guide-text.ts';
import { DEFAULT_SIZE_MM, formatMm, minimumSizeMm } from './print-size.ts';
import type { SealQr } from './qr.ts';

const { left: LEFT, width: WIDTH } = CONTENT;
const FLOW_TOP = 98;
const FLOW_BOTTOM = 280;

function sections(sheet: Sheet, guide: PrintGuide, scale: number, top: number, draw: boolean): number {
  const s = (weight: TextStyle['weight'], size: number, colour: string): TextStyle => ({ weight, size: size * scale, colour });
  const heading = s('bold', 10.5, COLOURS.blue);
  const headingEn = s('regular', 8, COLOURS.grey);
  const item = s('regular', 8.8, COLOURS.ink);
  const itemEn = s('regular', 7.2, COLOURS.grey);
  let y = top;
  const para = (text: string, style: TextStyle, x: number, w: number) =>
    draw ? sheet.paragraph(text, style, x, y, w) : sheet.paragraphHeight(text, style, w);
  for (const section of guide.sections) {
    if (draw) {
      sheet.text(section.title.zh, heading, LEFT, y);
      sheet.text(section.title.en, headingEn, LEFT + sheet.width(section.title.zh, heading) + 2, y + 0.6 * scale);
      sheet.line(LEFT, y + sheet.lineHeight(heading, 1.3), LEFT + WIDTH, y + sheet.lineHeight(heading, 1.3), COLOURS.gold, 0.6);
    }
    y += sheet.lineHeight(heading, 1.3) + 1.6 * scale;
    section.items.forEach((entry, i) => {
      if (draw) sheet.text(`${i + 1}.`, item, LEFT + 1, y);
      y += para(entry.zh, item, LEFT + 5.5, WIDTH - 5.5);
      y += para(entry.en, itemEn, LEFT + 5.5, WIDTH - 5.5);
      y += 1.1 * scale;
    });
    y += 2.2 * scale;
  }
  return y - top;
}

export function drawPrintGuidePage(sheet: Sheet, source: ArtworkSource, qr: SealQr): void {
  const guide = printGuide(source.verifyDomain);
  let y = drawFollowingPage(sheet, guide.title, source.licence.number);
  y += sheet.paragraph(guide.intro.zh, { weight: 'regular', size: 9.5, colour: COLOURS.ink }, LEFT, y, WIDTH);
  y += sheet.paragraph(guide.intro.en, { weight: 'regular', size: 7.8, colour: COLOURS.grey }, LEFT, y, WIDTH);

  // The samples, bottom-aligned, each with a dashed outline at the edge of its quiet zone.
  const sizes = [
    { size: DEFAULT_SIZE_MM, zh: `建议 ${DEFAULT_SIZE_MM} 毫米`, en: 'Recommended' },
    { size: minimumSizeMm(qr), zh: `最小 ${formatMm(minimumSizeMm(qr))} 毫米`, en: 'Minimum' },
  ];
  const base = y + 4 + DEFAULT_SIZE_MM;
  let x = LEFT + 14;
  for (const sample of sizes) {
    const top = base - sample.size;
    sheet.qrCode(qr, x, top, sample.size);
    sheet.rect(x, top, sample.size, sample.size, { stroke: '#8A96A8', strokeWidth: 0.4, dash: [1.5, 1.5] });
    sheet.text(sample.zh, { weight: 'bold', size: 8.5, colour: COLOURS.ink }, x + sample.size / 2, base + 1.5, 'centre');
    sheet.text(sample.en, { weight: 'regular', size: 7, colour: COLOURS.grey }, x + sample.size / 2, base + 5.2, 'centre');
    x += sample.size + 14;
  }
  const noteLeft = x + 2;
  const noteWidth = LEFT + WIDTH - noteLeft;
  let noteTop = base - DEFAULT_SIZE_MM + 2;
  noteTop += sheet.paragraph('虚线为留白的外边界：线内除二维码外不得印任何文字或图案。', { weight: 'regular', size: 8, colour: COLOURS.ink }, noteLeft, noteTop, noteWidth);
  noteTop += sheet.paragraph('The dashed line is the outer edge of the quiet zone: nothing but the code may be printed inside it.', { weight: 'regular', size: 7, colour: COLOURS.grey }, noteLeft, noteTop, noteWidth);
  noteTop += 1.5;
  noteTop += sheet.paragraph('按“实际大小（100%）”打印本页，样码即为真实尺寸。', { weight: 'regular', size: 8, colour: COLOURS.ink }, noteLeft, noteTop, noteWidth);
  sheet.paragraph('Print this page at actual size (100 %) and the samples are true to size.', { weight: 'regular', size: 7, colour: COLOURS.grey }, noteLeft, noteTop, noteWidth);

  const scale = largestFittingScale((s) => sections(sheet, guide, s, FLOW_TOP, false) <= FLOW_BOTTOM - FLOW_TOP, 0.7);
  if (scale === null) {
    throw new ArtworkError('ERR_ARTWORK_OVERFLOW', { zh: '印刷指南超出一页。', en: 'The print guide does not fit on one page.' });
  }
  sections(sheet, guide, scale, FLOW_TOP, true);
}
