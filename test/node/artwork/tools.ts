// Real outside tools for the artwork tests: zbarimg (a QR scanner nobody here wrote),
// rsvg-convert, pdftoppm and pdftotext, run on files in a temporary directory.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateSync } from 'node:zlib';
import {
  sealFromInput,
  sealUrl,
  verifySeal,
  type Outcome,
  type TrustContext,
} from '../../../src/core/index.ts';
import { issue, newProgramme, publish, T0, trustPublished, type Programme } from '../../support/programme.ts';

const run = promisify(execFile);

/** A 27-character origin, close to the 28 the QR budget allows. */
export const ORIGIN = 'HTTPS://VERIFY.QDYP.EXAMPLE';

export interface Fixture {
  programme: Programme;
  trust: TrustContext;
  url: string;
  document: string;
  serial: number;
}

export async function licenceFixture(serial = 1, overrides: Parameters<typeof issue>[2] = {}): Promise<Fixture> {
  const programme = await newProgramme();
  const seal = await issue(programme, serial, overrides);
  return {
    programme,
    trust: await trustPublished(programme, await publish(programme)),
    url: sealUrl(ORIGIN, seal),
    document: programme.documents.get(serial)!,
    serial,
  };
}

/** What the verifier says about a scanned URL, at the programme's publish time. */
export async function verdictOf(scanned: string, trust: TrustContext): Promise<Outcome> {
  return (await verifySeal(sealFromInput(scanned), T0, trust)).code;
}

export class Workdir {
  readonly path = mkdtempSync(join(tmpdir(), 'qdyp-artwork-'));

  file(name: string, bytes: Uint8Array | string): string {
    const path = join(this.path, name);
    writeFileSync(path, bytes);
    return path;
  }

  files(): string[] {
    return readdirSync(this.path);
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** Every QR code zbarimg finds in the image, as text. */
export async function scan(imagePath: string): Promise<string[]> {
  try {
    const { stdout } = await run('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', imagePath]);
    return stdout.split('\n').filter((line) => line !== '');
  } catch (error) {
    // zbarimg exits 4 when it finds no code.
    if ((error as { code?: number }).code === 4) return [];
    throw error;
  }
}

export async function svgToPng(svgPath: string, pngPath: string, widthPx: number): Promise<void> {
  await run('rsvg-convert', ['--width', String(widthPx), '--background-color', 'white', '--output', pngPath, svgPath]);
}

/** Renders one PDF page to PNG and returns the PNG's path. */
export async function pdfPageToPng(pdfPath: string, page: number, dpi: number): Promise<string> {
  const prefix = pdfPath.replace(/\.pdf$/, `-p${page}`);
  await run('pdftoppm', ['-png', '-singlefile', '-r', String(dpi), '-f', String(page), '-l', String(page), pdfPath, prefix]);
  return `${prefix}.png`;
}

export async function pdfText(pdfPath: string): Promise<string> {
  return (await run('pdftotext', ['-enc', 'UTF-8', pdfPath, '-'])).stdout;
}

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  /** pHYs: pixels per unit and the unit (1: metre). */
  physical: { x: number; y: number; unit: number } | null;
  /** Dark pixels, for 1-bit greyscale images with unfiltered rows. */
  isDark(x: number, y: number): boolean;
}

/** Reads the chunks of a PNG (enough to check our own 1-bit files). */
export function readPng(bytes: Uint8Array): PngInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colourType = -1;
  let physical: PngInfo['physical'] = null;
  const data: Uint8Array[] = [];
  while (offset < bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    const bodyView = new DataView(body.buffer, body.byteOffset, body.byteLength);
    if (type === 'IHDR') {
      width = bodyView.getUint32(0);
      height = bodyView.getUint32(4);
      bitDepth = body[8]!;
      colourType = body[9]!;
    } else if (type === 'pHYs') {
      physical = { x: bodyView.getUint32(0), y: bodyView.getUint32(4), unit: body[8]! };
    } else if (type === 'IDAT') {
      data.push(body);
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = Math.ceil(width / 8) + 1;
  return {
    width,
    height,
    bitDepth,
    colourType,
    physical,
    isDark(x, y) {
      if (raw[y * stride] !== 0) throw new Error('test reader handles unfiltered rows only');
      return (raw[y * stride + 1 + (x >> 3)]! & (0x80 >> (x & 7))) === 0;
    },
  };
}
