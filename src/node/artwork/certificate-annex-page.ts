// The annex (附页) for a licence whose products and trademarks are too many for the
// certificate's table: every item numbered, in two columns.

import type { LicenceClaims } from '../../core/index.ts';
import { CONTENT, drawFollowingPage, PAGE } from './certificate-layout.ts';
import { ArtworkError } from './errors.ts';
import { COLOURS } from './mark.ts';
import { largestFittingScale, type Sheet, type TextStyle } from './pdf-sheet.ts';

const GAP = 8;
const COLUMN = (CONTENT.width - GAP) / 2;
const BOTTOM = PAGE.height - 16;

/** Lays out (and, if `draw`, draws) the lists from `top`; returns false if they overflow. */
function columns(sheet: Sheet, licence: LicenceClaims, scale: number, top: number, draw: boolean): boolean {
  const heading: TextStyle = { weight: 'bold', size: 10 * scale, colour: COLOURS.blue };
  const item: TextStyle = { weight: 'regular', size: 9 * scale, colour: COLOURS.ink };
  const blocks: ({ heading: string } | { text: string; number: number })[] = [
    { heading: `授权产品 Products（${licence.products.length}）` },
    ...licence.products.map((text, i) => ({ text, number: i + 1 })),
  ];
  if (licence.trademarks.length > 0) {
    blocks.push({ heading: `注册商标 Trademarks（${licence.trademarks.length}）` });
    blocks.push(...licence.trademarks.map((text, i) => ({ text, number: i + 1 })));
  }
  let column = 0;
  let y = top;
  for (const block of blocks) {
    const height = 'heading' in block ? sheet.lineHeight(heading, 1.8) : sheet.paragraphHeight(block.text, item, COLUMN - 8);
    if (y + height > BOTTOM) {
      if (column === 1) return false;
      column = 1;
      y = top;
    }
    if (draw) {
      const left = CONTENT.left + column * (COLUMN + GAP);
      if ('heading' in block) {
        sheet.text(block.heading, heading, left, y + 1);
      } else {
        sheet.text(`${block.number}.`, item, left + 6, y, 'right');
        sheet.paragraph(block.text, item, left + 8, y, COLUMN - 8);
      }
    }
    y += height;
  }
  return true;
}

export function drawAnnexPage(sheet: Sheet, licence: LicenceClaims): void {
  let top = drawFollowingPage(sheet, { zh: '附页：授权产品及商标清单', en: 'Annex: products and trademarks covered' }, licence.number);
  top += sheet.paragraph(`持证单位：${licence.holder.name}`, { weight: 'regular', size: 9.5, colour: COLOURS.ink }, CONTENT.left, top, CONTENT.width);
  top += sheet.paragraph('This annex is part of the certificate of authorization with the same licence number.', { weight: 'regular', size: 7.8, colour: COLOURS.grey }, CONTENT.left, top, CONTENT.width);
  top += 4;
  const scale = largestFittingScale((s) => columns(sheet, licence, s, top, false), 0.6);
  if (scale === null) {
    throw new ArtworkError('ERR_ARTWORK_OVERFLOW', {
      zh: `许可 ${licence.number} 的产品和商标过多，附页也放不下。请联系工程办公室。`,
      en: `Licence ${licence.number} lists more products and trademarks than the certificate's annex can hold. Contact the programme office.`,
    });
  }
  columns(sheet, licence, scale, top, true);
}
