// Drawing on a PDF page with the origin at the top left and sizes in millimetres, as a designer
// measures a certificate, plus line breaking for mixed Chinese and English text.

import { fill, LineCapStyle, popGraphicsState, pushGraphicsState, rectangle, rgb, setFillingRgbColor, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';
import type { FontWeight } from './fonts.ts';
import { darkRuns, modulesWithQuietZone, QUIET_ZONE_MODULES, type SealQr } from './qr.ts';

export const PT_PER_MM = 72 / 25.4;

export function colour(hex: string): RGB {
  const n = parseInt(hex.slice(1), 16);
  return rgb(((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255);
}

// Advance widths at size 1, per weight: the same font files in every document.
const ADVANCES: Record<FontWeight, Map<string, number>> = { regular: new Map(), bold: new Map() };

// Han characters and CJK punctuation break anywhere; Latin words break at spaces.
const TOKEN_RE = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u{20000}-\u{3ffff}]\s*|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u{20000}-\u{3ffff}]+\s*|\s+/gu;
// Characters that must not begin a line (closing punctuation hangs at the end instead).
const NO_LINE_START = /^[，。、；：！？）》」』”’,.;:!?)\]}%]/;

export interface TextStyle {
  weight: FontWeight;
  /** Font size in points. */
  size: number;
  colour: string;
  /** Extra space after each character, in em. */
  tracking?: number;
}

export class Sheet {
  constructor(
    readonly page: PDFPage,
    private readonly fonts: Record<FontWeight, PDFFont>,
  ) {}

  /** Width in mm. Sums cached per-character advances: full OpenType shaping of every candidate
   * line while wrapping took seconds a page, and CJK text has no kerning to lose. */
  width(text: string, style: TextStyle): number {
    const font = this.fonts[style.weight];
    const advances = ADVANCES[style.weight];
    let em = 0;
    let chars = 0;
    for (const ch of text) {
      let advance = advances.get(ch);
      if (advance === undefined) {
        advance = font.widthOfTextAtSize(ch, 1);
        advances.set(ch, advance);
      }
      em += advance;
      chars++;
    }
    return ((em + (style.tracking ?? 0) * Math.max(0, chars - 1)) * style.size) / PT_PER_MM;
  }

  /** Greedy line breaking within `maxWidth` millimetres. */
  wrap(text: string, style: TextStyle, maxWidth: number): string[] {
    const tokens = text.replace(/\s+/g, ' ').trim().match(TOKEN_RE) ?? [];
    const lines: string[] = [];
    let line = '';
    for (const token of tokens) {
      const candidate = line + token;
      if (line === '' || this.width(candidate.trimEnd(), style) <= maxWidth || NO_LINE_START.test(token)) {
        line = candidate;
      } else {
        lines.push(line.trimEnd());
        line = token;
      }
      // A single token wider than the line (a long number or URL) is cut by character.
      while (this.width(line.trimEnd(), style) > maxWidth && [...line.trimEnd()].length > 1 && !NO_LINE_START.test(token)) {
        const chars = [...line];
        let fit = chars.length - 1;
        while (fit > 1 && this.width(chars.slice(0, fit).join(''), style) > maxWidth) fit--;
        lines.push(chars.slice(0, fit).join('').trimEnd());
        line = chars.slice(fit).join('');
      }
    }
    if (line.trim() !== '') lines.push(line.trimEnd());
    return lines;
  }

  /** Draws one line; `top` is the top of the line box in mm from the page's top edge. */
  text(text: string, style: TextStyle, x: number, top: number, align: 'left' | 'centre' | 'right' = 'left'): void {
    const width = this.width(text, style);
    const left = align === 'left' ? x : align === 'centre' ? x - width / 2 : x - width;
    // CJK glyphs sit about 0.88 em above the baseline.
    const baseline = this.page.getHeight() - top * PT_PER_MM - style.size * 0.88;
    const font = this.fonts[style.weight];
    const options = { font, size: style.size, color: colour(style.colour), y: baseline };
    if (!style.tracking) {
      this.page.drawText(text, { ...options, x: left * PT_PER_MM });
      return;
    }
    let pen = left * PT_PER_MM;
    for (const ch of text) {
      this.page.drawText(ch, { ...options, x: pen });
      pen += this.width(ch, style) * PT_PER_MM + style.tracking * style.size;
    }
  }

  /** Line height in mm for a style. */
  lineHeight(style: TextStyle, leading = 1.45): number {
    return (style.size * leading) / PT_PER_MM;
  }

  /** Draws wrapped text and returns the height used, in mm. */
  paragraph(text: string, style: TextStyle, x: number, top: number, maxWidth: number, align: 'left' | 'centre' = 'left'): number {
    const lines = this.wrap(text, style, maxWidth);
    const step = this.lineHeight(style);
    lines.forEach((line, i) => this.text(line, style, align === 'centre' ? x + maxWidth / 2 : x, top + i * step, align));
    return lines.length * step;
  }

  paragraphHeight(text: string, style: TextStyle, maxWidth: number): number {
    return this.wrap(text, style, maxWidth).length * this.lineHeight(style);
  }

  rect(x: number, top: number, width: number, height: number, options: { fill?: string; stroke?: string; strokeWidth?: number; dash?: number[] }): void {
    this.page.drawRectangle({
      x: x * PT_PER_MM,
      y: this.page.getHeight() - (top + height) * PT_PER_MM,
      width: width * PT_PER_MM,
      height: height * PT_PER_MM,
      color: options.fill ? colour(options.fill) : undefined,
      borderColor: options.stroke ? colour(options.stroke) : undefined,
      borderWidth: options.stroke ? (options.strokeWidth ?? 0.5) : 0,
      borderDashArray: options.dash,
    });
  }

  line(x1: number, y1: number, x2: number, y2: number, stroke: string, widthPt: number): void {
    const h = this.page.getHeight();
    this.page.drawLine({
      start: { x: x1 * PT_PER_MM, y: h - y1 * PT_PER_MM },
      end: { x: x2 * PT_PER_MM, y: h - y2 * PT_PER_MM },
      color: colour(stroke),
      thickness: widthPt,
    });
  }

  /**
   * The QR code as vector rectangles, one per run of dark modules, filled as one path (no
   * hairline seams between modules); `size` includes the white quiet zone.
   */
  qrCode(qr: SealQr, x: number, top: number, size: number): void {
    this.rect(x, top, size, size, { fill: '#FFFFFF' });
    const module = (size / modulesWithQuietZone(qr)) * PT_PER_MM;
    const left = x * PT_PER_MM + QUIET_ZONE_MODULES * module;
    const upper = this.page.getHeight() - top * PT_PER_MM - QUIET_ZONE_MODULES * module;
    this.page.pushOperators(
      pushGraphicsState(),
      setFillingRgbColor(0, 0, 0),
      ...darkRuns(qr).map((run) => rectangle(left + run.x * module, upper - (run.y + 1) * module, run.length * module, module)),
      fill(),
      popGraphicsState(),
    );
  }

  /** SVG path data in its own units, placed with its top-left at (x, top), `scale` mm a unit. */
  svgPath(d: string, x: number, top: number, scale: number, paint: { fill?: string; stroke?: string; strokeWidth?: number }): void {
    this.page.drawSvgPath(d, {
      x: x * PT_PER_MM,
      y: this.page.getHeight() - top * PT_PER_MM,
      scale: scale * PT_PER_MM,
      color: paint.fill ? colour(paint.fill) : undefined,
      borderColor: paint.stroke ? colour(paint.stroke) : undefined,
      borderWidth: paint.stroke ? (paint.strokeWidth ?? 1) : undefined,
      borderLineCap: paint.stroke ? LineCapStyle.Round : undefined,
    });
  }
}

/** The largest scale, from 1 down to `min` in steps of 0.05, at which the layout fits. */
export function largestFittingScale(fits: (scale: number) => boolean, min: number): number | null {
  for (let scale = 1; scale >= min - 1e-9; scale -= 0.05) {
    if (fits(scale)) return scale;
  }
  return null;
}
