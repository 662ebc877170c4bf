import fontkit from '@pdf-lib/fontkit';
import { decodePDFRawStream, PDFDict, PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtworkError, renderCertificatePdf } from '../../../src/node/artwork/index.ts';
import { licenceFixture, pdfPageToPng, pdfText, scan, verdictOf, Workdir, type Fixture } from './tools.ts';

const ADDRESS = '山东省青岛市黄岛区长江中路 216 号海滨大厦 12 层';
let fixture: Fixture;
let dir: Workdir;
let pdf: Uint8Array;
let pdfPath: string;

beforeAll(async () => {
  fixture = await licenceFixture(7, { products: ['海参礼盒', '即食海参'], trademarks: ['海滨', 'HAIBIN'] });
  dir = new Workdir();
  pdf = await renderCertificatePdf({ sealUrl: fixture.url, licenceDocument: fixture.document, holderAddress: ADDRESS });
  pdfPath = dir.file('certificate.pdf', pdf);
});
afterAll(() => dir.remove());

async function refusal(run: () => Promise<unknown>): Promise<ArtworkError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ArtworkError) return error;
    throw error;
  }
  throw new Error('expected an ArtworkError');
}

describe('the PDF certificate', () => {
  it('is two A4 pages (certificate, print guide) under 1 MB', async () => {
    expect(pdf.length).toBeLessThan(1024 * 1024);
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBe(2);
    for (const page of doc.getPages()) {
      expect(page.getWidth()).toBeCloseTo(595.28, 1);
      expect(page.getHeight()).toBeCloseTo(841.89, 1);
    }
    expect(doc.getTitle()).toBe('授权证书 QDYP-2026-000007 Certificate of Authorization');
  });

  it('page 1 rendered by pdftoppm scans to exactly the seal URL, which verifies authorized', async () => {
    const decoded = await scan(await pdfPageToPng(pdfPath, 1, 200));
    expect(decoded).toEqual([fixture.url]);
    expect(await verdictOf(decoded[0]!, fixture.trust)).toBe('authorized');
  });

  it('draws the QR code as vectors, not an image', async () => {
    const doc = await PDFDocument.load(pdf);
    const images = doc.context
      .enumerateIndirectObjects()
      .filter(([, object]) => object instanceof PDFRawStream && object.dict.get(PDFName.of('Subtype')) === PDFName.of('Image'));
    expect(images).toEqual([]);
  });

  it('carries the signed details, the address, the issuer, the rules and the official verify domain as text', async () => {
    const text = await pdfText(pdfPath);
    for (const expected of [
      '授权证书',
      '青岛海滨食品有限公司',
      'QDYP-2026-000007',
      'verify.qdyp.example',
      ADDRESS,
      '91370200MA3C5X8Y1K',
      '产品品牌',
      '农业',
      '食品饮料',
      '青岛市黄岛区',
      '海参礼盒、即食海参',
      '海滨、HAIBIN',
      '2026-01-01 至 2028-12-31',
      '青岛优品工程办公室',
      '2026-11-27',
      '不得转让',
      '青岛优品二维码印刷指南',
      '22.8 毫米',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('embeds font subsets whose every glyph outline decodes (pdf-lib’s subsetter corrupts CJK glyphs unpatched)', async () => {
    const doc = await PDFDocument.load(pdf);
    const fontFiles = doc.context
      .enumerateIndirectObjects()
      .filter(([, object]) => object instanceof PDFDict && object.get(PDFName.of('Type')) === PDFName.of('FontDescriptor'))
      .map(([, descriptor]) => doc.context.lookup((descriptor as PDFDict).get(PDFName.of('FontFile2'))))
      .map((stream) => decodePDFRawStream(stream as PDFRawStream).decode());
    expect(fontFiles).toHaveLength(2);
    for (const bytes of fontFiles) {
      const font = fontkit.create(bytes);
      expect(font.numGlyphs).toBeGreaterThan(50);
      let drawn = 0;
      for (let id = 1; id < font.numGlyphs; id++) {
        if (font.getGlyph(id).path.toSVG() !== '') drawn++;
      }
      // Every glyph but the space has an outline.
      expect(drawn).toBeGreaterThanOrEqual(font.numGlyphs - 2);
    }
  });

  it('renders without an address, leaving that line out', async () => {
    const path = dir.file('no-address.pdf', await renderCertificatePdf({ sealUrl: fixture.url, licenceDocument: fixture.document }));
    const text = await pdfText(path);
    expect(text).toContain('青岛海滨食品有限公司');
    expect(text).not.toContain('单位地址');
  });

  it('moves a product list too long for the table onto an annex page, before the print guide', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `海参系列产品第${i + 1}款`);
    const long = await licenceFixture(8, { products: many });
    const bytes = await renderCertificatePdf({ sealUrl: long.url, licenceDocument: long.document });
    const path = dir.file('long.pdf', bytes);
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(3);
    const text = await pdfText(path);
    const [certificate, annex, guide] = text.split('\f');
    expect(certificate).toContain('共 40 项，详见附页');
    expect(annex).toContain('附页：授权产品及商标清单');
    for (const product of many) expect(annex).toContain(product);
    expect(guide).toContain('青岛优品二维码印刷指南');
    expect(await scan(await pdfPageToPng(path, 1, 200))).toEqual([long.url]);
  });

  it('keeps a few more products in the table by setting it slightly smaller', async () => {
    const several = Array.from({ length: 16 }, (_, i) => `海参系列产品第${i + 1}款`);
    const fixtureWithSeveral = await licenceFixture(11, { products: several });
    const bytes = await renderCertificatePdf({ sealUrl: fixtureWithSeveral.url, licenceDocument: fixtureWithSeveral.document });
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(2);
    // Lines may break inside a product name: compare without the line breaks.
    expect((await pdfText(dir.file('several.pdf', bytes))).replace(/\s+/g, '')).toContain(several.join('、'));
  });

  it('refuses lists too long even for the annex', async () => {
    const tooMany = await licenceFixture(9, { products: Array.from({ length: 250 }, (_, i) => `海参系列产品第${i + 1}款`) });
    const error = await refusal(() => renderCertificatePdf({ sealUrl: tooMany.url, licenceDocument: tooMany.document }));
    expect(error.code).toBe('ERR_ARTWORK_OVERFLOW');
    expect(error.zh).toContain('QDYP-2026-000009');
  });

  it('refuses text the font cannot draw rather than printing empty boxes', async () => {
    const rare = await licenceFixture(10, { holder: { name: '青岛𠮷野家食品有限公司', uscc: '91370200MA3C5X8Y1K', address: null } });
    const error = await refusal(() => renderCertificatePdf({ sealUrl: rare.url, licenceDocument: rare.document }));
    expect(error.code).toBe('ERR_ARTWORK_GLYPH');
    expect(error.en).toContain('U+20BB7');
  });

  it('refuses an address that is empty, too long or has control characters', async () => {
    for (const holderAddress of ['', '  ', 'x'.repeat(201), '青岛\u0000市']) {
      const error = await refusal(() => renderCertificatePdf({ sealUrl: fixture.url, licenceDocument: fixture.document, holderAddress }));
      expect(error.code).toBe('ERR_ARTWORK_INPUT');
    }
  });
});
