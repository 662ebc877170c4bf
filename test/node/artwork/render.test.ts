import { beforeAll, describe, expect, it } from 'vitest';
import { sealUrl } from '../../../src/core/index.ts';
import {
  ArtworkError,
  printGuideHtml,
  readArtworkSource,
  readLicenceDocument,
  renderArtwork,
  type ArtworkRequest,
} from '../../../src/node/artwork/index.ts';
import { publish } from '../../support/programme.ts';
import { licenceFixture, readPng, type Fixture } from './tools.ts';

let fixture: Fixture;
let other: Fixture;

beforeAll(async () => {
  fixture = await licenceFixture(1);
  other = await licenceFixture(2);
});

async function refusal(run: () => unknown): Promise<ArtworkError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ArtworkError) return error;
    throw error;
  }
  throw new Error('expected an ArtworkError');
}

describe('reading what was signed at issuance, with no key', () => {
  it('decodes the licence document claims and names the verify domain', () => {
    const source = readArtworkSource({ sealUrl: fixture.url, licenceDocument: fixture.document });
    expect(source.sealUrl).toBe(fixture.url);
    expect(source.verifyDomain).toBe('verify.qdyp.example');
    expect(source.licence).toMatchObject({ number: 'QDYP-2026-000001', holder: { name: '青岛海滨食品有限公司' }, status: { status_list: { idx: 1 } } });
  });

  it('takes a seal URL a scanner lower-cased and gives back the canonical uppercase one', () => {
    const source = readArtworkSource({ sealUrl: ` ${fixture.url.toLowerCase()} `, licenceDocument: fixture.document });
    expect(source.sealUrl).toBe(fixture.url);
  });

  it('shows an http origin (a demo on localhost) with its scheme', () => {
    const url = sealUrl('http://localhost:8080', fixture.url.slice(-120));
    expect(readArtworkSource({ sealUrl: url, licenceDocument: fixture.document }).verifyDomain).toBe('http://localhost:8080');
  });

  it('refuses a seal URL and a licence document of different licences', async () => {
    const error = await refusal(() => readArtworkSource({ sealUrl: other.url, licenceDocument: fixture.document }));
    expect(error.code).toBe('ERR_ARTWORK_INPUT');
    expect(error.en).toContain('QDYP-2026-000001');
  });

  it.each([
    ['a bare seal', () => fixture.url.slice(-120)],
    ['a truncated seal', () => fixture.url.slice(0, -1)],
    ['a seal URL with a query', () => `${fixture.url}?x=1`],
    ['an origin over 28 characters', () => sealUrl('HTTPS://VERIFY.QDYP.EXAMPLE', fixture.url.slice(-120)).replace('VERIFY.', 'VERIFY.LONGER.')],
    ['nothing', () => ''],
  ])('refuses %s as the seal URL', async (_, url) => {
    expect((await refusal(() => readArtworkSource({ sealUrl: url(), licenceDocument: fixture.document }))).code).toBe('ERR_ARTWORK_INPUT');
  });

  it('refuses documents that are not licence documents', async () => {
    const { statusList } = await publish(fixture.programme);
    for (const document of [statusList, 'not a jws', `${fixture.document}x`.replace(/\.[^.]*\./, '.e30.'), 'a'.repeat(20000)]) {
      expect((await refusal(() => readLicenceDocument(document))).code).toBe('ERR_ARTWORK_INPUT');
    }
  });
});

describe('renderArtwork: the options `qdyp artwork` takes, to file bytes', () => {
  const base = () => ({ sealUrl: fixture.url, licenceDocument: fixture.document });

  it('PNG defaults to 30 mm at 600 dpi', async () => {
    const out = await renderArtwork({ ...base(), format: 'png' });
    expect(out.mediaType).toBe('image/png');
    expect(out.fileName).toBe('QDYP-2026-000001-30mm-600dpi.png');
    expect(readPng(out.bytes).width).toBe(709);
  });

  it('PNG at a chosen size and resolution', async () => {
    const out = await renderArtwork({ ...base(), format: 'png', sizeMm: 40, dpi: 300 });
    expect(out.fileName).toBe('QDYP-2026-000001-40mm-300dpi.png');
    expect(readPng(out.bytes).width).toBe(472);
  });

  it('SVG, plain or framed with the licence number', async () => {
    const plain = await renderArtwork({ ...base(), format: 'svg', sizeMm: 25 });
    expect(plain).toMatchObject({ mediaType: 'image/svg+xml', fileName: 'QDYP-2026-000001-25mm.svg' });
    expect(new TextDecoder().decode(plain.bytes)).toContain('width="25mm"');
    const framed = await renderArtwork({ ...base(), format: 'svg', framed: true });
    expect(framed.fileName).toBe('QDYP-2026-000001-30mm-framed.svg');
    expect(new TextDecoder().decode(framed.bytes)).toContain('<title>青岛优品 QDYP-2026-000001</title>');
  });

  it('PDF certificate', async () => {
    const out = await renderArtwork({ ...base(), format: 'pdf', holderAddress: '青岛市黄岛区' });
    expect(out).toMatchObject({ mediaType: 'application/pdf', fileName: 'QDYP-2026-000001-certificate.pdf' });
    expect(new TextDecoder().decode(out.bytes.subarray(0, 5))).toBe('%PDF-');
  });

  it.each<[string, Partial<ArtworkRequest>]>([
    ['--dpi for SVG', { format: 'svg', dpi: 600 }],
    ['--dpi for PDF', { format: 'pdf', dpi: 600 }],
    ['--size-mm for PDF', { format: 'pdf', sizeMm: 30 }],
    ['--framed for PNG', { format: 'png', framed: true }],
    ['an unknown format', { format: 'jpg' as 'png' }],
  ])('refuses %s', async (_, options) => {
    const error = await refusal(() => renderArtwork({ ...base(), format: 'png', ...options }));
    expect(error.code).toBe('ERR_ARTWORK_OPTION');
  });

  it('refuses a size below the minimum with the reason, in both languages', async () => {
    const error = await refusal(() => renderArtwork({ ...base(), format: 'svg', sizeMm: 20 }));
    expect(error.code).toBe('ERR_ARTWORK_TOO_SMALL');
    expect(error.message).toContain('最小印刷尺寸为 22.8 毫米');
    expect(error.message).toContain('the smallest print is 22.8 mm');
  });

  it('cross-checks the seal against the document for every format', async () => {
    for (const format of ['svg', 'png', 'pdf'] as const) {
      const error = await refusal(() => renderArtwork({ sealUrl: other.url, licenceDocument: fixture.document, format }));
      expect(error.code).toBe('ERR_ARTWORK_INPUT');
    }
  });
});

describe('the print guide page', () => {
  it('covers minimum size, quiet zone, colours, no alteration and a phone test, in zh-CN and English', () => {
    const html = printGuideHtml('verify.qdyp.example');
    expect(html.startsWith('<!DOCTYPE html><html lang="zh-CN">')).toBe(true);
    for (const expected of [
      '最小 22.8 毫米',
      'At least 22.8 mm including the quiet zone',
      '至少 4 个小方块宽的空白',
      'at least 4 modules wide',
      '不得反色',
      'Never invert it',
      '不得重新生成或重绘',
      'Do not regenerate or redraw it',
      '微信“扫一扫”',
      'WeChat Scan',
      '打开的网页地址必须是 verify.qdyp.example',
      '正品授权',
    ]) {
      expect(html).toContain(expected);
    }
  });

  it('makes no external requests and escapes what it is given', () => {
    const html = printGuideHtml('<script>alert(1)</script>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toMatch(/\b(src|href)=|url\(|@import/);
  });

  it('without a domain, names the official site in words', () => {
    expect(printGuideHtml()).toContain('打开的网页地址必须是 青岛优品官方核验网址');
  });
});
