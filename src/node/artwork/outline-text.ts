// Text as vector outlines: print shops ask for artwork with text converted to outlines, so the
// SVG prints the same everywhere with no font installed.

import { loadFont, type FontWeight } from './fonts.ts';

export interface TextOutline {
  /** SVG path data, in the caller's units. */
  d: string;
  /** Advance width of the whole line, in the caller's units. */
  width: number;
}

export interface OutlineOptions {
  weight: FontWeight;
  /** Font size (em), in the caller's units. */
  size: number;
  /** Left end of the line, or its centre when `align` is 'middle'. */
  x: number;
  /** The baseline. */
  y: number;
  align?: 'start' | 'middle';
  /** Extra space after each character, in em. */
  tracking?: number;
}

const round = (n: number) => String(Math.round(n * 1000) / 1000);

export function measureText(text: string, weight: FontWeight, size: number, tracking = 0): number {
  const { font } = loadFont(weight);
  const run = font.layout(text);
  return (run.advanceWidth / font.unitsPerEm) * size + tracking * size * Math.max(0, run.glyphs.length - 1);
}

export function outlineText(text: string, options: OutlineOptions): TextOutline {
  const { font } = loadFont(options.weight);
  const scale = options.size / font.unitsPerEm;
  const tracking = (options.tracking ?? 0) * font.unitsPerEm;
  const width = measureText(text, options.weight, options.size, options.tracking);
  const run = font.layout(text);
  let penX = options.x - (options.align === 'middle' ? width / 2 : 0);
  const parts: string[] = [];
  run.glyphs.forEach((glyph, i) => {
    const position = run.positions[i]!;
    const ox = penX + position.xOffset * scale;
    const oy = options.y - position.yOffset * scale;
    // Font units grow upwards; SVG's y grows downwards.
    const point = (x: number, y: number) => `${round(ox + x * scale)} ${round(oy - y * scale)}`;
    const recorder = {
      moveTo: (x: number, y: number) => parts.push(`M${point(x, y)}`),
      lineTo: (x: number, y: number) => parts.push(`L${point(x, y)}`),
      quadraticCurveTo: (cx: number, cy: number, x: number, y: number) => parts.push(`Q${point(cx, cy)} ${point(x, y)}`),
      bezierCurveTo: (c1x: number, c1y: number, c2x: number, c2y: number, x: number, y: number) =>
        parts.push(`C${point(c1x, c1y)} ${point(c2x, c2y)} ${point(x, y)}`),
      closePath: () => parts.push('Z'),
    };
    glyph.path.toFunction()(recorder);
    penX += (position.xAdvance + tracking) * scale;
  });
  return { d: parts.join(''), width };
}
