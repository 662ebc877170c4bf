// The certificate's page geometry (millimetres, from the top left of an A4 page) and the frames
// and headings its pages share.

import type { BilingualText } from './errors.ts';
import { COLOURS } from './mark.ts';
import type { Sheet } from './pdf-sheet.ts';

export const PAGE = { width: 210, height: 297 };
export const CONTENT = { left: 24, width: 162 };

/** The certificate page: a blue rule, a gold rule inside it, gold diamonds at the corners. */
export function drawCertificateFrame(sheet: Sheet): void {
  sheet.rect(8, 8, PAGE.width - 16, PAGE.height - 16, { stroke: COLOURS.blue, strokeWidth: 2.2 });
  sheet.rect(10.5, 10.5, PAGE.width - 21, PAGE.height - 21, { stroke: COLOURS.gold, strokeWidth: 0.8 });
  for (const x of [10.5, PAGE.width - 10.5]) {
    for (const y of [10.5, PAGE.height - 10.5]) sheet.svgPath('M0 -2.2L2.2 0L0 2.2L-2.2 0Z', x, y, 1, { fill: COLOURS.gold });
  }
}

/** The frame and heading of the pages after the certificate; returns where content starts. */
export function drawFollowingPage(sheet: Sheet, title: BilingualText, licenceNumber: string): number {
  sheet.rect(8, 8, PAGE.width - 16, PAGE.height - 16, { stroke: COLOURS.blue, strokeWidth: 1.2 });
  sheet.text(title.zh, { weight: 'bold', size: 17, colour: COLOURS.blue }, CONTENT.left, 17);
  sheet.text(title.en, { weight: 'regular', size: 10, colour: COLOURS.grey }, CONTENT.left, 25);
  sheet.text(licenceNumber, { weight: 'bold', size: 9, colour: COLOURS.ink }, CONTENT.left + CONTENT.width, 18.5, 'right');
  return 32;
}
