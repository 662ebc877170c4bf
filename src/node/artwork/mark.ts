// Our own drawn mark for frames and certificates: a sun rising over the sea in a disc, beside
// the words 青岛优品. It is not the programme's official logo; it only tells a shopper what the
// code beside it is for. Geometry is SVG path data in a 100 × 100 box, so the SVG artwork and
// the PDF draw the very same shapes.

export const MARK_NAME = '青岛优品';
export const MARK_BOX = 100;

export const COLOURS = {
  blue: '#0B4F9C',
  gold: '#E8A922',
  white: '#FFFFFF',
  ink: '#000000',
  grey: '#4A5565',
} as const;

export interface MarkShape {
  d: string;
  fill?: string;
  stroke?: string;
  strokeWidth?: number;
}

const circle = (cx: number, cy: number, r: number) =>
  `M${cx - r} ${cy}A${r} ${r} 0 1 0 ${cx + r} ${cy}A${r} ${r} 0 1 0 ${cx - r} ${cy}Z`;

export const MARK_SHAPES: readonly MarkShape[] = [
  { d: circle(50, 50, 49), fill: COLOURS.blue },
  { d: circle(50, 50, 44.5), stroke: COLOURS.gold, strokeWidth: 1.6 },
  { d: circle(50, 41, 15), fill: COLOURS.gold },
  { d: 'M17 63C25 57 33 57 41 63S57 69 65 63S77 57 83 61', stroke: COLOURS.white, strokeWidth: 6 },
  { d: 'M24 77C31 72 38 72 45 77S59 82 66 77S73 73 76 75', stroke: COLOURS.white, strokeWidth: 5 },
];
