// Synthetic but realistic photos of a printed label, made from the real framed artwork: a busy
// market-shelf background, the label composited at a random place and scale, then one kind of
// trouble a phone photo has (rotation, perspective, blur, glare, heavy JPEG, a small code).
// Deterministic from a seed. Node only (rsvg-convert, pngjs, jpeg-js): nothing in test/core
// may import it.
import { spawn } from 'node:child_process';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { renderQrSvg } from '../../src/node/artwork/svg.tsx';
import { mulberry32 } from './synthetic.ts';

export type PhotoKind = 'rotation' | 'perspective' | 'blur' | 'glare' | 'jpeg' | 'small';
export const PHOTO_KINDS: readonly PhotoKind[] = ['rotation', 'perspective', 'blur', 'glare', 'jpeg', 'small'];

type Random = () => number;

// ---------------------------------------------------------------------------------------------
// The artwork

/** The framed 30 mm artwork (mark, code, licence number) as a PNG, by rsvg-convert. */
export async function labelArtworkPng(sealUrl: string, licenceNumber: string, pxPerMm = 16): Promise<Uint8Array> {
  const svg = renderQrSvg(sealUrl, { sizeMm: 30, frame: { licenceNumber } });
  const dpi = String(pxPerMm * 25.4);
  return pipeThrough('rsvg-convert', ['--format', 'png', '--dpi-x', dpi, '--dpi-y', dpi], svg);
}

function pipeThrough(command: string, args: string[], input: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(new Uint8Array(Buffer.concat(out)));
      else reject(new Error(`${command} exited ${code}: ${Buffer.concat(err).toString()}`));
    });
    child.stdin.end(input);
  });
}

// ---------------------------------------------------------------------------------------------
// Images: RGB as floats (0–255), interleaved

interface Rgb {
  width: number;
  height: number;
  data: Float32Array;
}

interface Rgba8 {
  width: number;
  height: number;
  data: Uint8Array;
}

type Colour = [number, number, number];

function blank(width: number, height: number): Rgb {
  return { width, height, data: new Float32Array(width * height * 3) };
}

function readPng(bytes: Uint8Array): Rgba8 {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}

function encodeJpeg(image: Rgb, quality: number): Uint8Array {
  const { width, height, data } = image;
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
    rgba[j] = clampByte(data[i]!);
    rgba[j + 1] = clampByte(data[i + 1]!);
    rgba[j + 2] = clampByte(data[i + 2]!);
    rgba[j + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ width, height, data: rgba }, Math.round(quality)).data);
}

const clampByte = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

// ---------------------------------------------------------------------------------------------
// Random helpers

const uniform = (random: Random, lo: number, hi: number) => lo + (hi - lo) * random();
const int = (random: Random, lo: number, hi: number) => Math.floor(uniform(random, lo, hi + 1));

function gaussian(random: Random): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** A colour of packaging: saturated, pastel or dark, in the proportions of a shelf. */
function packagingColour(random: Random): Colour {
  const roll = random();
  const hue = random() * 360;
  if (roll < 0.45) return hsv(hue, uniform(random, 0.5, 1), uniform(random, 0.5, 1));
  if (roll < 0.75) return hsv(hue, uniform(random, 0.05, 0.35), uniform(random, 0.75, 1));
  return hsv(hue, uniform(random, 0, 0.6), uniform(random, 0.05, 0.35));
}

function hsv(h: number, s: number, v: number): Colour {
  const f = (n: number) => {
    const k = (n + h / 60) % 6;
    return 255 * (v - v * s * Math.max(0, Math.min(k, 4 - k, 1)));
  };
  return [f(5), f(3), f(1)];
}

// ---------------------------------------------------------------------------------------------
// Drawing (hard-edged shapes: the background needs clutter, not beauty)

function blend(image: Rgb, x: number, y: number, colour: Colour, alpha: number): void {
  const i = (y * image.width + x) * 3;
  const d = image.data;
  d[i] = d[i]! + (colour[0] - d[i]!) * alpha;
  d[i + 1] = d[i + 1]! + (colour[1] - d[i + 1]!) * alpha;
  d[i + 2] = d[i + 2]! + (colour[2] - d[i + 2]!) * alpha;
}

/** Calls `paint(x, y)` for each pixel of the box, clipped to the image. */
function eachPixel(image: Rgb, x0: number, y0: number, x1: number, y1: number, paint: (x: number, y: number) => void): void {
  const xa = Math.max(0, Math.floor(x0));
  const ya = Math.max(0, Math.floor(y0));
  const xb = Math.min(image.width - 1, Math.ceil(x1));
  const yb = Math.min(image.height - 1, Math.ceil(y1));
  for (let y = ya; y <= yb; y++) for (let x = xa; x <= xb; x++) paint(x, y);
}

function linearGradient(image: Rgb, from: Colour, to: Colour, angle: number): void {
  const cx = Math.cos(angle);
  const sy = Math.sin(angle);
  const span = Math.abs(cx) * image.width + Math.abs(sy) * image.height;
  const offset = Math.min(0, cx * image.width) + Math.min(0, sy * image.height);
  eachPixel(image, 0, 0, image.width, image.height, (x, y) => {
    const t = (x * cx + y * sy - offset) / span;
    const i = (y * image.width + x) * 3;
    for (let c = 0; c < 3; c++) image.data[i + c] = from[c]! + (to[c]! - from[c]!) * t;
  });
}

/** A rotated rectangle; `pattern` (0–1 per pixel) modulates it toward a second colour. */
function fillRect(
  image: Rgb,
  cx: number,
  cy: number,
  w: number,
  h: number,
  angle: number,
  colour: Colour,
  alpha = 1,
  pattern?: { colour: Colour; at: (u: number, v: number) => number },
): void {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const rx = (Math.abs(cos) * w + Math.abs(sin) * h) / 2;
  const ry = (Math.abs(sin) * w + Math.abs(cos) * h) / 2;
  const mixed: Colour = [0, 0, 0];
  eachPixel(image, cx - rx, cy - ry, cx + rx, cy + ry, (x, y) => {
    const dx = x - cx;
    const dy = y - cy;
    const u = dx * cos + dy * sin;
    const v = -dx * sin + dy * cos;
    if (Math.abs(u) > w / 2 || Math.abs(v) > h / 2) return;
    if (pattern) {
      const t = pattern.at(u + w / 2, v + h / 2);
      mixed[0] = colour[0] + (pattern.colour[0] - colour[0]) * t;
      mixed[1] = colour[1] + (pattern.colour[1] - colour[1]) * t;
      mixed[2] = colour[2] + (pattern.colour[2] - colour[2]) * t;
      blend(image, x, y, mixed, alpha);
    } else {
      blend(image, x, y, colour, alpha);
    }
  });
}

function fillEllipse(image: Rgb, cx: number, cy: number, rx: number, ry: number, angle: number, colour: Colour, alpha = 1): void {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const r = Math.max(rx, ry);
  eachPixel(image, cx - r, cy - r, cx + r, cy + r, (x, y) => {
    const dx = x - cx;
    const dy = y - cy;
    const u = (dx * cos + dy * sin) / rx;
    const v = (-dx * sin + dy * cos) / ry;
    if (u * u + v * v <= 1) blend(image, x, y, colour, alpha);
  });
}

function drawLine(image: Rgb, x0: number, y0: number, x1: number, y1: number, width: number, colour: Colour, alpha = 1): void {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const length2 = dx * dx + dy * dy || 1;
  const half = width / 2;
  eachPixel(image, Math.min(x0, x1) - half, Math.min(y0, y1) - half, Math.max(x0, x1) + half, Math.max(y0, y1) + half, (x, y) => {
    const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / length2));
    const ex = x - (x0 + t * dx);
    const ey = y - (y0 + t * dy);
    if (ex * ex + ey * ey <= half * half) blend(image, x, y, colour, alpha);
  });
}

// ---------------------------------------------------------------------------------------------
// The busy background: a market shelf

function busyBackground(width: number, height: number, random: Random): Rgb {
  const image = blank(width, height);
  linearGradient(image, packagingColour(random), packagingColour(random), random() * Math.PI * 2);
  shelves(image, random);
  const area = (width * height) / 1e6;
  for (let i = 0; i < 160 * area; i++) productBox(image, random);
  for (let i = 0; i < 50 * area; i++) {
    const r = uniform(random, 8, 90);
    fillEllipse(image, random() * width, random() * height, r, r * uniform(random, 0.3, 1), random() * Math.PI, packagingColour(random), uniform(random, 0.5, 1));
  }
  for (let i = 0; i < 70 * area; i++) {
    const x = random() * width;
    const y = random() * height;
    const length = uniform(random, 20, 300);
    const angle = random() * Math.PI * 2;
    drawLine(image, x, y, x + Math.cos(angle) * length, y + Math.sin(angle) * length, uniform(random, 1, 6), packagingColour(random), uniform(random, 0.6, 1));
  }
  for (let i = 0; i < 45 * area; i++) textBlock(image, random);
  for (let i = 0; i < 6 * area; i++) barcodePatch(image, random);
  texture(image, random);
  return image;
}

/** Horizontal shelf edges with price strips. */
function shelves(image: Rgb, random: Random): void {
  let y = uniform(random, 60, 220);
  while (y < image.height) {
    const thick = uniform(random, 14, 40);
    fillRect(image, image.width / 2, y, image.width * 1.2, thick, uniform(random, -0.03, 0.03), hsv(random() * 360, 0.2, uniform(random, 0.15, 0.85)));
    y += uniform(random, 180, 320);
  }
}

/** A product's face: a box with a pattern, a lighter panel and a few strokes. */
function productBox(image: Rgb, random: Random): void {
  const w = uniform(random, 30, 220);
  const h = uniform(random, 30, 260);
  const cx = random() * image.width;
  const cy = random() * image.height;
  const angle = uniform(random, -0.25, 0.25);
  const roll = random();
  const period = uniform(random, 2, 9);
  const pattern =
    roll < 0.25
      ? { colour: packagingColour(random), at: (u: number) => (Math.sin((u * 2 * Math.PI) / period) > 0 ? 1 : 0) }
      : roll < 0.4
        ? { colour: packagingColour(random), at: (u: number, v: number) => ((Math.floor(u / period) + Math.floor(v / period)) & 1) }
        : roll < 0.6
          ? { colour: packagingColour(random), at: (_u: number, v: number) => v / h }
          : undefined;
  fillRect(image, cx, cy, w, h, angle, packagingColour(random), 1, pattern);
  if (random() < 0.5) fillRect(image, cx, cy + h * 0.15, w * 0.7, h * 0.3, angle, packagingColour(random), 0.9);
}

/** Lines of character-like dark strokes, as printed text is from a distance. */
function textBlock(image: Rgb, random: Random): void {
  const glyph = uniform(random, 5, 22);
  const lines = int(random, 1, 4);
  const glyphs = int(random, 4, 18);
  const x0 = random() * image.width;
  const y0 = random() * image.height;
  const ink: Colour = random() < 0.7 ? hsv(random() * 360, uniform(random, 0, 0.5), uniform(random, 0, 0.25)) : packagingColour(random);
  for (let line = 0; line < lines; line++) {
    for (let g = 0; g < glyphs; g++) {
      const gx = x0 + g * glyph * 1.15;
      const gy = y0 + line * glyph * 1.5;
      const strokes = int(random, 2, 5);
      for (let s = 0; s < strokes; s++) {
        const ax = gx + random() * glyph;
        const ay = gy + random() * glyph;
        const horizontal = random() < 0.5;
        const bx = horizontal ? gx + random() * glyph : ax + uniform(random, -2, 2);
        const by = horizontal ? ay + uniform(random, -2, 2) : gy + random() * glyph;
        drawLine(image, ax, ay, bx, by, Math.max(1, glyph / 8), ink);
      }
    }
  }
}

/** A patch of 1-D barcode bars (random, so nothing decodes from it). */
function barcodePatch(image: Rgb, random: Random): void {
  const h = uniform(random, 25, 80);
  const x0 = random() * image.width;
  const y0 = random() * image.height;
  fillRect(image, x0, y0, uniform(random, 70, 160), h * 1.2, 0, [245, 245, 240]);
  let x = x0 - 30;
  const end = x0 + 30 + uniform(random, 0, 40);
  while (x < end) {
    const bar = int(random, 1, 4);
    fillRect(image, x + bar / 2, y0, bar, h, 0, [20, 20, 20]);
    x += bar + int(random, 1, 4);
  }
}

/** Fine texture everywhere (fabric, board, print screens), about ±6 levels. */
function texture(image: Rgb, random: Random): void {
  const fx = uniform(random, 0.6, 1.6);
  const fy = uniform(random, 0.6, 1.6);
  const amplitude = uniform(random, 3, 6);
  eachPixel(image, 0, 0, image.width, image.height, (x, y) => {
    const t = amplitude * Math.sin(x * fx) * Math.sin(y * fy);
    const i = (y * image.width + x) * 3;
    image.data[i] = image.data[i]! + t;
    image.data[i + 1] = image.data[i + 1]! + t;
    image.data[i + 2] = image.data[i + 2]! + t;
  });
}

// ---------------------------------------------------------------------------------------------
// Geometry: a homography from the label's pixels to the photo's

type Point = [number, number];
type Matrix3 = [number, number, number, number, number, number, number, number, number];

/** The homography taking the four `from` points to the four `to` points. */
function homography(from: Point[], to: Point[]): Matrix3 {
  // Eight equations in h0..h7 (h8 = 1), solved by Gaussian elimination with partial pivoting.
  const rows: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i]!;
    const [u, v] = to[i]!;
    rows.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    rows.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(rows[r]![col]!) > Math.abs(rows[pivot]![col]!)) pivot = r;
    [rows[col], rows[pivot]] = [rows[pivot]!, rows[col]!];
    const p = rows[col]!;
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const factor = rows[r]![col]! / p[col]!;
      for (let c = col; c < 9; c++) rows[r]![c] = rows[r]![c]! - factor * p[c]!;
    }
  }
  const h = rows.map((row, i) => row[8]! / row[i]!);
  return [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!, 1];
}

function invert(m: Matrix3): Matrix3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [A / det, -(b * i - c * h) / det, (b * f - c * e) / det, B / det, (a * i - c * g) / det, -(a * f - c * d) / det, C / det, -(a * h - b * g) / det, (a * e - b * d) / det];
}

function apply(m: Matrix3, x: number, y: number): Point {
  const w = m[6] * x + m[7] * y + m[8];
  return [(m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w];
}

// ---------------------------------------------------------------------------------------------
// The label and where it goes

interface LabelLayout {
  /** Pixels per module in the label PNG. */
  modulePx: number;
  /** The code's box (quiet zone included) in the label PNG's pixels. */
  code: { x: number; y: number; size: number };
}

/**
 * Finds the code in the framed artwork (laid out by svg.tsx: the code is 1/1.1 of the width,
 * 5% of the code in from the left, a quarter of the code down from the top) and measures a
 * module from the top-left finder pattern's top edge, 7 modules of solid dark.
 */
function labelLayout(label: Rgba8): LabelLayout {
  const size = label.width / 1.1;
  const x = size * 0.05;
  const y = size * 0.25;
  const dark = (px: number, py: number) => {
    const i = (py * label.width + px) * 4;
    const d = label.data;
    return d[i + 3]! > 128 && 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]! < 110;
  };
  const left = Math.ceil(x + 2);
  const right = Math.floor(x + size - 2);
  for (let py = Math.ceil(y + 2); py < y + size / 2; py++) {
    for (let px = left; px < right; px++) {
      if (!dark(px, py)) continue;
      let end = px;
      while (end < right && dark(end, py)) end++;
      return { modulePx: (end - px) / 7, code: { x, y, size } };
    }
  }
  throw new Error('label-photo: no QR code found in the label artwork');
}

/** How the label sits in the photo for one kind. */
interface Pose {
  /** Photo pixels per module. */
  modulePx: number;
  angle: number;
  /** Each corner's independent displacement, as a fraction of the label's side (0: none). */
  perspective: number;
}

function poseFor(kind: PhotoKind | 'mixed', random: Random): Pose {
  const tilt = uniform(random, -5, 5) * (Math.PI / 180); // a hand-held photo is never square
  switch (kind) {
    case 'rotation':
      return { modulePx: uniform(random, 5, 8), angle: random() * 2 * Math.PI, perspective: 0 };
    case 'perspective':
      return { modulePx: uniform(random, 5, 8), angle: tilt, perspective: 0.08 };
    case 'small':
      return { modulePx: uniform(random, 2, 4), angle: tilt, perspective: 0 };
    case 'mixed':
      return { modulePx: uniform(random, 5, 8), angle: random() * 2 * Math.PI, perspective: 0.06 };
    default:
      return { modulePx: uniform(random, 5, 8), angle: tilt, perspective: 0 };
  }
}

interface Placement {
  /** Label pixels → photo pixels. */
  forward: Matrix3;
  photoWidth: number;
  photoHeight: number;
}

/** Picks the photo's size (4:3, 900–1400 px on the long side) and where the label's corners go. */
function place(label: Rgba8, layout: LabelLayout, pose: Pose, random: Random): Placement {
  const scale = pose.modulePx / layout.modulePx;
  const w = label.width * scale;
  const h = label.height * scale;
  const cos = Math.cos(pose.angle);
  const sin = Math.sin(pose.angle);
  const corners: Point[] = [
    [-w / 2, -h / 2],
    [w / 2, -h / 2],
    [w / 2, h / 2],
    [-w / 2, h / 2],
  ].map(([x, y]) => [
    x! + pose.perspective * w * uniform(random, -1, 1),
    y! + pose.perspective * h * uniform(random, -1, 1),
  ]).map(([x, y]) => [x! * cos - y! * sin, x! * sin + y! * cos]);
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  const boxW = Math.max(...xs) - Math.min(...xs);
  const boxH = Math.max(...ys) - Math.min(...ys);
  const margin = 24;
  const landscape = random() < 0.7;
  let long = uniform(random, 900, 1400);
  long = Math.max(long, (landscape ? boxW : boxH) + 2 * margin, ((landscape ? boxH : boxW) + 2 * margin) * (4 / 3));
  const photoWidth = Math.round(landscape ? long : (long * 3) / 4);
  const photoHeight = Math.round(landscape ? (long * 3) / 4 : long);
  const cx = uniform(random, margin - Math.min(...xs), photoWidth - margin - Math.max(...xs));
  const cy = uniform(random, margin - Math.min(...ys), photoHeight - margin - Math.max(...ys));
  const to = corners.map(([x, y]): Point => [x! + cx, y! + cy]);
  const from: Point[] = [
    [0, 0],
    [label.width, 0],
    [label.width, label.height],
    [0, label.height],
  ];
  return { forward: homography(from, to), photoWidth, photoHeight };
}

function sampleBilinear(label: Rgba8, x: number, y: number, out: Float64Array): void {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  out.fill(0);
  for (let j = 0; j < 2; j++) {
    for (let i = 0; i < 2; i++) {
      const px = Math.min(label.width - 1, Math.max(0, x0 + i));
      const py = Math.min(label.height - 1, Math.max(0, y0 + j));
      const weight = (i ? fx : 1 - fx) * (j ? fy : 1 - fy);
      const k = (py * label.width + px) * 4;
      const alpha = label.data[k + 3]! / 255;
      // Premultiplied, so transparent corners do not darken the edge.
      out[0] = out[0]! + weight * label.data[k]! * alpha;
      out[1] = out[1]! + weight * label.data[k + 1]! * alpha;
      out[2] = out[2]! + weight * label.data[k + 2]! * alpha;
      out[3] = out[3]! + weight * alpha;
    }
  }
}

/**
 * Draws the label into the photo by inverse mapping, with k × k samples a pixel (k grows with
 * the reduction, so the downscaled artwork is area-averaged like a camera's, not aliased), and
 * lit by `light` (the print is a little darker or warmer than the artwork).
 */
function composite(photo: Rgb, label: Rgba8, forward: Matrix3, light: Colour): void {
  const inverse = invert(forward);
  const corners = [apply(forward, 0, 0), apply(forward, label.width, 0), apply(forward, label.width, label.height), apply(forward, 0, label.height)];
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  const reduction = Math.sqrt((label.width * label.height) / polygonArea(corners));
  const k = Math.min(5, Math.max(2, Math.ceil(reduction)));
  const sample = new Float64Array(4);
  eachPixel(photo, Math.min(...xs) - 1, Math.min(...ys) - 1, Math.max(...xs) + 1, Math.max(...ys) + 1, (x, y) => {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (let sy = 0; sy < k; sy++) {
      for (let sx = 0; sx < k; sx++) {
        const [u, v] = apply(inverse, x + (sx + 0.5) / k, y + (sy + 0.5) / k);
        if (u < 0 || v < 0 || u >= label.width || v >= label.height) continue;
        sampleBilinear(label, u - 0.5, v - 0.5, sample);
        r += sample[0]!;
        g += sample[1]!;
        b += sample[2]!;
        a += sample[3]!;
      }
    }
    if (a === 0) return;
    const n = k * k;
    const i = (y * photo.width + x) * 3;
    const coverage = a / n;
    const d = photo.data;
    d[i] = d[i]! * (1 - coverage) + (r / n) * light[0];
    d[i + 1] = d[i + 1]! * (1 - coverage) + (g / n) * light[1];
    d[i + 2] = d[i + 2]! * (1 - coverage) + (b / n) * light[2];
  });
}

function polygonArea(points: Point[]): number {
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    const [x0, y0] = points[i]!;
    const [x1, y1] = points[(i + 1) % points.length]!;
    sum += x0 * y1 - x1 * y0;
  }
  return Math.abs(sum) / 2;
}

// ---------------------------------------------------------------------------------------------
// Camera effects

/** A smooth light fall-off across the frame (vignette and a side light), ±10%. */
function lighting(image: Rgb, random: Random): void {
  const lx = random() * image.width;
  const ly = random() * image.height;
  const reach = Math.hypot(image.width, image.height);
  const strength = uniform(random, 0.05, 0.2);
  eachPixel(image, 0, 0, image.width, image.height, (x, y) => {
    const f = 1.05 - strength * (Math.hypot(x - lx, y - ly) / reach);
    const i = (y * image.width + x) * 3;
    image.data[i] = image.data[i]! * f;
    image.data[i + 1] = image.data[i + 1]! * f;
    image.data[i + 2] = image.data[i + 2]! * f;
  });
}

/** Separable Gaussian blur of standard deviation `sigma` pixels. */
function gaussianBlur(image: Rgb, sigma: number): void {
  const radius = Math.ceil(sigma * 3);
  const kernel = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i++) total += kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i] = kernel[i]! / total;
  const { width, height } = image;
  const pass = (source: Float32Array, horizontal: boolean): Float32Array => {
    const out = new Float32Array(source.length);
    const limit = horizontal ? width : height;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let r = 0;
        let g = 0;
        let b = 0;
        const at = horizontal ? x : y;
        for (let t = -radius; t <= radius; t++) {
          const p = Math.min(limit - 1, Math.max(0, at + t));
          const j = horizontal ? (y * width + p) * 3 : (p * width + x) * 3;
          const w = kernel[t + radius]!;
          r += source[j]! * w;
          g += source[j + 1]! * w;
          b += source[j + 2]! * w;
        }
        const i = (y * width + x) * 3;
        out[i] = r;
        out[i + 1] = g;
        out[i + 2] = b;
      }
    }
    return out;
  };
  image.data = pass(pass(image.data, true), false);
}

/**
 * Sensor noise: Gaussian, `sigma` levels a channel, mostly shared by the channels (luminance
 * noise). Normal deviates come from a seeded table of 64 Ki, indexed at random (fast, and
 * still Gaussian pixel by pixel).
 */
function noise(image: Rgb, sigma: number, random: Random): void {
  const table = new Float32Array(1 << 16);
  for (let i = 0; i < table.length; i++) table[i] = gaussian(random);
  const d = image.data;
  const shared = sigma * 0.9;
  const own = sigma * Math.sqrt(1 - 0.9 * 0.9);
  for (let i = 0; i < d.length; i += 3) {
    const bits = (random() * 2 ** 32) >>> 0;
    const common = table[bits & 0xffff]! * shared;
    const spread = table[bits >>> 16]! * own;
    d[i] = d[i]! + common + spread;
    d[i + 1] = d[i + 1]! + common - spread * 0.5;
    d[i + 2] = d[i + 2]! + common - spread * 0.5;
  }
}

/**
 * A specular highlight on the code: a bright, soft-edged ellipse whose full extent covers
 * `fraction` of the code's area, centred somewhere on the code.
 */
function glare(image: Rgb, forward: Matrix3, layout: LabelLayout, fraction: number, random: Random): void {
  const { code } = layout;
  const corners = [apply(forward, code.x, code.y), apply(forward, code.x + code.size, code.y), apply(forward, code.x + code.size, code.y + code.size), apply(forward, code.x, code.y + code.size)];
  const codeArea = polygonArea(corners);
  const [cx, cy] = apply(forward, code.x + code.size * uniform(random, 0.15, 0.85), code.y + code.size * uniform(random, 0.15, 0.85));
  const aspect = uniform(random, 1, 2.5);
  const ry = Math.sqrt((fraction * codeArea) / (Math.PI * aspect));
  const rx = ry * aspect;
  const angle = random() * Math.PI;
  const peak = uniform(random, 0.7, 0.95);
  const white: Colour = [255, 252, 245];
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  eachPixel(image, cx - rx, cy - rx, cx + rx, cy + rx, (x, y) => {
    const u = ((x - cx) * cos + (y - cy) * sin) / rx;
    const v = (-(x - cx) * sin + (y - cy) * cos) / ry;
    const r = Math.sqrt(u * u + v * v);
    if (r >= 1) return;
    // Full strength to half the radius, then a smooth fall to nothing at the edge.
    const t = r <= 0.5 ? 1 : 1 - smoothstep((r - 0.5) / 0.5);
    blend(image, x, y, white, peak * t);
  });
}

const smoothstep = (t: number) => t * t * (3 - 2 * t);

// ---------------------------------------------------------------------------------------------
// Photos

/**
 * A JPEG photo of the label on a busy background, with one kind of trouble ('mixed': rotation,
 * perspective up to 6% and blur σ 1.2 at once). The same label, kind and seed give the same bytes.
 */
export function labelPhoto(labelPng: Uint8Array, kind: PhotoKind | 'mixed', seed: number): Uint8Array {
  const random = mulberry32(Math.imul(seed, 0x9e3779b1) ^ (1 + [...PHOTO_KINDS, 'mixed'].indexOf(kind)) * 0x85ebca6b);
  const label = readPng(labelPng);
  const layout = labelLayout(label);
  const pose = poseFor(kind, random);
  const { forward, photoWidth, photoHeight } = place(label, layout, pose, random);
  const photo = busyBackground(photoWidth, photoHeight, random);
  const warmth = uniform(random, -0.04, 0.04);
  const exposure = uniform(random, 0.85, 1);
  composite(photo, label, forward, [exposure * (1 + warmth), exposure, exposure * (1 - warmth)]);
  lighting(photo, random);
  let quality = uniform(random, 85, 92);
  switch (kind) {
    case 'blur':
      gaussianBlur(photo, uniform(random, 0.5, 2));
      noise(photo, uniform(random, 1.5, 3), random);
      break;
    case 'glare':
      glare(photo, forward, layout, uniform(random, 0.05, 0.15), random);
      gaussianBlur(photo, 0.5);
      noise(photo, uniform(random, 8, 15), random);
      break;
    case 'jpeg':
      gaussianBlur(photo, 0.5);
      noise(photo, uniform(random, 1.5, 3), random);
      quality = uniform(random, 40, 90);
      break;
    case 'mixed':
      gaussianBlur(photo, 1.2);
      noise(photo, uniform(random, 1.5, 3), random);
      break;
    default:
      // Every lens softens a little; every sensor adds a little noise.
      gaussianBlur(photo, 0.5);
      noise(photo, uniform(random, 1.5, 3), random);
  }
  return encodeJpeg(photo, quality);
}

/** A busy background with no QR code in it, as a JPEG. */
export function noCodePhoto(seed: number): Uint8Array {
  const random = mulberry32(seed ^ 0x0c0de);
  const landscape = random() < 0.7;
  const long = Math.round(uniform(random, 900, 1400));
  const width = landscape ? long : Math.round((long * 3) / 4);
  const height = landscape ? Math.round((long * 3) / 4) : long;
  const photo = busyBackground(width, height, random);
  lighting(photo, random);
  gaussianBlur(photo, 0.5);
  noise(photo, uniform(random, 1.5, 3), random);
  return encodeJpeg(photo, uniform(random, 85, 92));
}

// ---------------------------------------------------------------------------------------------
// Chromium's fake camera

/**
 * A YUV4MPEG2 stream (4:2:0, JPEG chroma siting, 15 frames a second) of the photo repeated
 * `frames` times, its size rounded down to even numbers, for Chromium's
 * `--use-file-for-fake-video-capture=FILE.y4m`.
 */
export function y4mFromJpeg(jpegBytes: Uint8Array, frames: number): Uint8Array {
  const image = jpeg.decode(jpegBytes, { useTArray: true, formatAsRGBA: true });
  const width = image.width & ~1;
  const height = image.height & ~1;
  const { y, u, v } = toI420(image.data, image.width, width, height);
  const header = new TextEncoder().encode(`YUV4MPEG2 W${width} H${height} F15:1 Ip A1:1 C420jpeg\n`);
  const frameHeader = new TextEncoder().encode('FRAME\n');
  const frameBytes = frameHeader.length + y.length + u.length + v.length;
  const out = new Uint8Array(header.length + frames * frameBytes);
  out.set(header);
  for (let f = 0, at = header.length; f < frames; f++, at += frameBytes) {
    out.set(frameHeader, at);
    out.set(y, at + frameHeader.length);
    out.set(u, at + frameHeader.length + y.length);
    out.set(v, at + frameHeader.length + y.length + u.length);
  }
  return out;
}

/** RGBA → BT.601 limited-range Y, Cb, Cr, chroma averaged over each 2 × 2 block. */
function toI420(rgba: Uint8Array, stride: number, width: number, height: number): { y: Uint8Array; u: Uint8Array; v: Uint8Array } {
  const y = new Uint8Array(width * height);
  const u = new Uint8Array((width / 2) * (height / 2));
  const v = new Uint8Array(u.length);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const i = (row * stride + col) * 4;
      y[row * width + col] = clampByte(16 + (65.481 * rgba[i]! + 128.553 * rgba[i + 1]! + 24.966 * rgba[i + 2]!) / 255);
    }
  }
  for (let row = 0; row < height; row += 2) {
    for (let col = 0; col < width; col += 2) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
        const i = ((row + dy) * stride + col + dx) * 4;
        r += rgba[i]!;
        g += rgba[i + 1]!;
        b += rgba[i + 2]!;
      }
      r /= 4 * 255;
      g /= 4 * 255;
      b /= 4 * 255;
      const k = (row / 2) * (width / 2) + col / 2;
      u[k] = clampByte(128 - 37.797 * r - 74.203 * g + 112 * b);
      v[k] = clampByte(128 + 112 * r - 93.786 * g - 18.214 * b);
    }
  }
  return { y, u, v };
}
