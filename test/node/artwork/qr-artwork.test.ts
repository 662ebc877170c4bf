import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ORIGIN_LENGTH, sealUrl } from '../../../src/core/index.ts';
import {
  ArtworkError,
  encodeSealQr,
  PRINT_DPIS,
  PRINT_SIZES_MM,
  renderQrPng,
  renderQrSvg,
} from '../../../src/node/artwork/index.ts';
import { licenceFixture, readPng, scan, svgToPng, verdictOf, Workdir, type Fixture } from './tools.ts';

let fixture: Fixture;
let dir: Workdir;

beforeAll(async () => {
  fixture = await licenceFixture(42);
  dir = new Workdir();
});
afterAll(() => dir.remove());

function refusal(run: () => unknown): ArtworkError {
  try {
    run();
  } catch (error) {
    if (error instanceof ArtworkError) return error;
    throw error;
  }
  throw new Error('expected an ArtworkError');
}

describe('the seal QR code', () => {
  it('is version 8 at ECC Q, alphanumeric, even with the longest origin allowed (bar Q1)', () => {
    const longest = sealUrl(`HTTPS://${'V'.repeat(MAX_ORIGIN_LENGTH - 'HTTPS://'.length)}`, fixture.url.slice(-120));
    expect(longest).toHaveLength(151);
    const qr = encodeSealQr(longest);
    expect(qr.version).toBe(8);
    expect(qr.modules).toBe(49);
  });

  it('refuses a URL that would need more than version 8', () => {
    const error = refusal(() => encodeSealQr(`${fixture.url}/${'A'.repeat(7)}`));
    expect(error.code).toBe('ERR_ARTWORK_QR_TOO_LARGE');
    expect(error.en).toMatch(/version 9.*version 8/);
  });

  it('refuses text that is not QR-alphanumeric (the URL must be the uppercase seal URL)', () => {
    expect(refusal(() => encodeSealQr(fixture.url.toLowerCase())).code).toBe('ERR_ARTWORK_INPUT');
  });
});

describe('PNG artwork', () => {
  const cases = PRINT_SIZES_MM.flatMap((sizeMm) => PRINT_DPIS.map((dpi) => ({ sizeMm, dpi })));

  it.each(cases)('$sizeMm mm at $dpi dpi scans to exactly the seal URL, which verifies authorized', async ({ sizeMm, dpi }) => {
    const png = renderQrPng(fixture.url, { sizeMm, dpi });
    const decoded = await scan(dir.file(`qr-${sizeMm}-${dpi}.png`, png));
    expect(decoded).toEqual([fixture.url]);
    expect(await verdictOf(decoded[0]!, fixture.trust)).toBe('authorized');
  });

  it.each(cases)('$sizeMm mm at $dpi dpi: exact size, pHYs, whole pixels per module, centred in a 4-module quiet zone', ({ sizeMm, dpi }) => {
    const png = readPng(renderQrPng(fixture.url, { sizeMm, dpi }));
    expect(png.width).toBe(Math.round((sizeMm * dpi) / 25.4));
    expect(png.height).toBe(png.width);
    expect({ bitDepth: png.bitDepth, colourType: png.colourType }).toEqual({ bitDepth: 1, colourType: 0 });
    expect(png.physical).toEqual({ x: Math.round(dpi / 0.0254), y: Math.round(dpi / 0.0254), unit: 1 });

    // The finder patterns put dark modules in three corners: the dark bounding box is the code.
    let left = png.width;
    let right = -1;
    let top = png.height;
    let bottom = -1;
    for (let y = 0; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) {
        if (!png.isDark(x, y)) continue;
        left = Math.min(left, x);
        right = Math.max(right, x);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
    const codePixels = right - left + 1;
    expect(bottom - top + 1).toBe(codePixels);
    expect(codePixels % 49).toBe(0);
    const modulePixels = codePixels / 49;
    expect((modulePixels / dpi) * 25.4).toBeGreaterThanOrEqual(0.4);
    const margins = [left, png.width - 1 - right, top, png.height - 1 - bottom];
    for (const margin of margins) expect(margin).toBeGreaterThanOrEqual(4 * modulePixels);
    expect(Math.abs(margins[0]! - margins[1]!)).toBeLessThanOrEqual(1);
    expect(Math.abs(margins[2]! - margins[3]!)).toBeLessThanOrEqual(1);
  });

  it('defaults to 30 mm at 600 dpi', () => {
    const png = readPng(renderQrPng(fixture.url));
    expect(png.width).toBe(709);
    expect(png.physical?.x).toBe(23622);
  });

  it('refuses a size whose whole-pixel modules would be under 0.4 mm, naming the smallest that works', () => {
    // 24 mm at 300 dpi gives 4-pixel modules (0.34 mm); 5 pixels need 24.2 mm.
    const error = refusal(() => renderQrPng(fixture.url, { sizeMm: 24, dpi: 300 }));
    expect(error.code).toBe('ERR_ARTWORK_TOO_SMALL');
    expect(error.en).toContain('24.2 mm at 300 dpi');
    expect(error.zh).toContain('24.2 毫米');
    expect(readPng(renderQrPng(fixture.url, { sizeMm: 24.2, dpi: 300 })).width).toBe(286);
  });

  it('refuses resolutions and sizes that are not offered', () => {
    expect(refusal(() => renderQrPng(fixture.url, { dpi: 150 })).code).toBe('ERR_ARTWORK_OPTION');
    expect(refusal(() => renderQrPng(fixture.url, { dpi: 600.5 })).code).toBe('ERR_ARTWORK_OPTION');
    expect(refusal(() => renderQrPng(fixture.url, { sizeMm: 500 })).code).toBe('ERR_ARTWORK_OPTION');
    expect(refusal(() => renderQrPng(fixture.url, { sizeMm: Number.NaN })).code).toBe('ERR_ARTWORK_OPTION');
    expect(refusal(() => renderQrPng(fixture.url, { sizeMm: -30 })).code).toBe('ERR_ARTWORK_OPTION');
  });
});

describe('SVG artwork', () => {
  it('is one crisp path of dark modules on white, sized in millimetres with the quiet zone inside', () => {
    const svg = renderQrSvg(fixture.url);
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="30mm" height="30mm" viewBox="0 0 57 57">')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(1);
    expect(svg).toContain('shape-rendering="crispEdges"');
    expect(svg).toContain('<rect width="57" height="57" fill="#FFFFFF">');
    // Dark modules start no nearer the edge than the 4-module quiet zone.
    const d = /<path d="([^"]+)"/.exec(svg)![1]!;
    const starts = [...d.matchAll(/M(\d+) (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(Math.min(...starts.map(([x]) => x!))).toBe(4);
    expect(Math.min(...starts.map(([, y]) => y!))).toBe(4);
  });

  it.each([
    { name: 'plain', framed: false },
    { name: 'framed', framed: true },
  ])('$name SVG rendered by rsvg-convert scans to exactly the seal URL, which verifies authorized', async ({ name, framed }) => {
    const svg = renderQrSvg(fixture.url, framed ? { frame: { licenceNumber: 'QDYP-2026-000042' } } : {});
    const png = dir.file(`${name}.png`, '');
    await svgToPng(dir.file(`${name}.svg`, svg), png, 700);
    const decoded = await scan(png);
    expect(decoded).toEqual([fixture.url]);
    expect(await verdictOf(decoded[0]!, fixture.trust)).toBe('authorized');
    expect(readFileSync(png).length).toBeGreaterThan(0);
  });

  it('framed: our mark and the licence number as outlines, so it prints without fonts', () => {
    const svg = renderQrSvg(fixture.url, { frame: { licenceNumber: 'QDYP-2026-000042' } });
    expect(svg).toContain('<title>青岛优品 QDYP-2026-000042</title>');
    expect(svg).not.toContain('<text');
    // Mark shapes, the 青岛优品 outline, the code, the number outline.
    expect(svg.match(/<path /g)!.length).toBeGreaterThanOrEqual(8);
    expect(/width="([\d.]+)mm"/.exec(svg)![1]).toBe('33');
  });

  it('accepts 22.8 mm, the version 8 minimum, and refuses anything smaller with the reason', () => {
    expect(renderQrSvg(fixture.url, { sizeMm: 22.8 })).toContain('width="22.8mm"');
    const error = refusal(() => renderQrSvg(fixture.url, { sizeMm: 22.7 }));
    expect(error.code).toBe('ERR_ARTWORK_TOO_SMALL');
    expect(error.en).toBe(
      '22.7 mm is too small: each square of the code would be 0.40 mm, and phones read them reliably only from 0.4 mm. With its quiet zone the smallest print is 22.8 mm; 30 mm is recommended.',
    );
    expect(refusal(() => renderQrSvg(fixture.url, { sizeMm: 15 })).zh).toContain('最小印刷尺寸为 22.8 毫米');
  });
});
