import fontkit from '@pdf-lib/fontkit';
import { PageSizes, PDFDocument } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFont } from '../../../src/node/artwork/fonts.ts';
import { Sheet, type TextStyle } from '../../../src/node/artwork/pdf-sheet.ts';

let sheet: Sheet;
const style: TextStyle = { weight: 'regular', size: 10, colour: '#000000' };

beforeAll(async () => {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const regular = await doc.embedFont(loadFont('regular').bytes, { subset: true });
  const bold = await doc.embedFont(loadFont('bold').bytes, { subset: true });
  sheet = new Sheet(doc.addPage(PageSizes.A4), { regular, bold });
});

describe('line breaking for mixed Chinese and English', () => {
  const text =
    '兹授权青岛海滨食品有限公司在下列授权产品上使用“青岛优品”标识，特发此证。This certifies that the holder is authorized to use the mark, on the products listed below。';

  it('keeps every line within the width, keeps English words whole and loses no text', () => {
    for (const width of [30, 45, 60, 90]) {
      const lines = sheet.wrap(text, style, width);
      expect(lines.join('').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
      for (const line of lines) {
        // Closing punctuation may hang past the edge, never start the next line.
        expect(sheet.width(line.replace(/[，。、]$/, ''), style)).toBeLessThanOrEqual(width + 1e-9);
        expect(line).not.toMatch(/^[，。、,.]/);
      }
      const words = lines.flatMap((line) => line.match(/[A-Za-z]+/g) ?? []);
      expect(words).toEqual(text.match(/[A-Za-z]+/g));
    }
  });

  it('cuts a token wider than the line by character', () => {
    const lines = sheet.wrap('HTTPS://VERIFY.QDYP.EXAMPLE/V/AGGGU7PVAAAAABZGMMP7JC4T775JQH', style, 25);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(sheet.width(line, style)).toBeLessThanOrEqual(25);
    expect(lines.join('')).toBe('HTTPS://VERIFY.QDYP.EXAMPLE/V/AGGGU7PVAAAAABZGMMP7JC4T775JQH');
  });
});
