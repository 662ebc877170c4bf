// The annex pages (附页): the products and trademarks when they are too many for the
// certificate's table, every item numbered in two columns; and the licence's record in the
// transparency log, its .tlog-proof printed in full so a paper certificate can be checked.

import type { PDFFont } from 'pdf-lib';
import { encodeBase64, parseCheckpoint, parseNote, parseTlogProof, type LicenceClaims } from '../../core/index.ts';
import { CONTENT, drawFollowingPage, PAGE } from './certificate-layout.ts';
import { ArtworkError } from './errors.ts';
import { COLOURS } from './mark.ts';
import { colour, largestFittingScale, PT_PER_MM, type Sheet, type TextStyle } from './pdf-sheet.ts';

const GAP = 8;
const COLUMN = (CONTENT.width - GAP) / 2;
const BOTTOM = PAGE.height - 16;

/** Lays out (and, if `draw`, draws) the lists from `top`; returns false if they overflow. */
function columns(sheet: Sheet, licence: LicenceClaims, scale: number, top: number, draw: boolean): boolean {
  const heading: TextStyle = { weight: 'bold', size: 10 * scale, colour: COLOURS.blue };
  const item: TextStyle = { weight: 'regular', size: 9 * scale, colour: COLOURS.ink };
  const blocks: ({ heading: string } | { text: string; number: number })[] = [
    { heading: `授权产品 Products（${licence.products.length}）` },
    ...licence.products.map((text, i) => ({ text, number: i + 1 })),
  ];
  if (licence.trademarks.length > 0) {
    blocks.push({ heading: `注册商标 Trademarks（${licence.trademarks.length}）` });
    blocks.push(...licence.trademarks.map((text, i) => ({ text, number: i + 1 })));
  }
  let column = 0;
  let y = top;
  for (const block of blocks) {
    const height = 'heading' in block ? sheet.lineHeight(heading, 1.8) : sheet.paragraphHeight(block.text, item, COLUMN - 8);
    if (y + height > BOTTOM) {
      if (column === 1) return false;
      column = 1;
      y = top;
    }
    if (draw) {
      const left = CONTENT.left + column * (COLUMN + GAP);
      if ('heading' in block) {
        sheet.text(block.heading, heading, left, y + 1);
      } else {
        sheet.text(`${block.number}.`, item, left + 6, y, 'right');
        sheet.paragraph(block.text, item, left + 8, y, COLUMN - 8);
      }
    }
    y += height;
  }
  return true;
}

export function drawAnnexPage(sheet: Sheet, licence: LicenceClaims): void {
  let top = drawFollowingPage(sheet, { zh: '附页：授权产品及商标清单', en: 'Annex: products and trademarks covered' }, licence.number);
  top += sheet.paragraph(`持证单位：${licence.holder.name}`, { weight: 'regular', size: 9.5, colour: COLOURS.ink }, CONTENT.left, top, CONTENT.width);
  top += sheet.paragraph('This annex is part of the certificate of authorization with the same licence number.', { weight: 'regular', size: 7.8, colour: COLOURS.grey }, CONTENT.left, top, CONTENT.width);
  top += 4;
  const scale = largestFittingScale((s) => columns(sheet, licence, s, top, false), 0.6);
  if (scale === null) {
    throw new ArtworkError('ERR_ARTWORK_OVERFLOW', {
      zh: `许可 ${licence.number} 的产品和商标过多，附页也放不下。请联系工程办公室。`,
      en: `Licence ${licence.number} lists more products and trademarks than the certificate's annex can hold. Contact the programme office.`,
    });
  }
  columns(sheet, licence, scale, top, true);
}

/** The licence's latest log entry, with its .tlog-proof when a published checkpoint covers it. */
export interface CertificateLogRecord {
  index: number;
  /** The c2sp.org/tlog-proof@v1 text (its extra: the entry); absent until the entry is published. */
  proof?: string;
}

/** What the log annex prints of a proof: the file's lines, and the checkpoint's essentials. */
export interface LogAnnex {
  index: number;
  lines: string[];
  log: string;
  size: number;
  root: string;
}

/** Reads the proof for the annex: refused unless it is a tlog-proof of this entry index. */
export function readLogAnnex(record: CertificateLogRecord & { proof: string }): LogAnnex {
  try {
    const proof = parseTlogProof(record.proof);
    if (proof.index !== record.index || proof.extra === undefined) throw new Error('another entry');
    const checkpoint = parseCheckpoint(parseNote(proof.checkpoint).text);
    // Printed as ASCII in a standard monospace font: a proof is base64, decimals and the
    // checkpoint's ASCII lines, its signature lines after an em dash.
    if (!/^[\u0020-\u007e\n\u2014]*$/.test(record.proof)) throw new Error('not ASCII');
    const lines = record.proof.replace(/\n$/, '').split('\n');
    return { index: record.index, lines, log: checkpoint.origin, size: checkpoint.size, root: encodeBase64(checkpoint.root) };
  } catch {
    throw new ArtworkError('ERR_ARTWORK_INPUT', {
      zh: `许可的透明日志证明（第 ${record.index} 条）无效。`,
      en: `The licence's transparency log proof (entry ${record.index}) is not valid.`,
    });
  }
}

const MONO_ADVANCE_EM = 0.6; // Courier
const MONO_LEADING = 1.22;
const CONTINUED = '\\';

/** Long lines cut to `columns`, each cut line ending in a backslash (no proof line ends in one). */
function monoLines(lines: readonly string[], columns: number): string[] {
  const out: string[] = [];
  for (const line of lines) {
    let rest = line;
    while (rest.length > columns) {
      out.push(rest.slice(0, columns - 1) + CONTINUED);
      rest = rest.slice(columns - 1);
    }
    out.push(rest);
  }
  return out;
}

function monoLayout(lines: readonly string[], size: number) {
  const columns = Math.floor((CONTENT.width * PT_PER_MM) / (MONO_ADVANCE_EM * size));
  const wrapped = monoLines(lines, columns);
  return { wrapped, height: (wrapped.length * size * MONO_LEADING) / PT_PER_MM };
}

/**
 * The log annex: what the transparency log is for, the entry and the checkpoint, and the proof
 * file's text, line for line, small and monospaced. A proof too long for the page (an entry of
 * very many products) is printed without its entry, which the note then sends online for.
 */
export function drawLogAnnexPage(sheet: Sheet, licence: LicenceClaims, annex: LogAnnex, verifyDomain: string, mono: PDFFont): void {
  let top = drawFollowingPage(sheet, { zh: '附页：透明日志记录', en: 'Annex: transparency log record' }, licence.number);
  const body: TextStyle = { weight: 'regular', size: 9, colour: COLOURS.ink };
  const bodyEn: TextStyle = { weight: 'regular', size: 7.6, colour: COLOURS.grey };
  const label: TextStyle = { weight: 'bold', size: 8.6, colour: COLOURS.blue };
  const put = (text: string, style: TextStyle, x = CONTENT.left, width = CONTENT.width) => (top += sheet.paragraph(text, style, x, top, width));
  put(`本许可的最新记录是青岛优品透明日志的第 ${annex.index} 条。透明日志公开记录每一次许可的签发、变更、续期、暂停、恢复和撤销，任何人都可以核验工程办公室从未暗中签发或修改许可。`, body);
  put(`The latest record of this licence is entry ${annex.index} of the 青岛优品 transparency log, which records in public every licence issued, changed, renewed, suspended, reinstated or revoked, so that anyone can check that the programme office never issued or changed a licence in secret.`, bodyEn);
  top += 3;
  const rows: [string, string][] = [
    ['日志 Log', annex.log],
    ['条目 Entry', String(annex.index)],
    ['检查点 Checkpoint', `${annex.size} 条 entries`],
    ['根哈希 Root', annex.root],
  ];
  for (const [name, value] of rows) {
    sheet.text(name, label, CONTENT.left, top);
    sheet.text(value, { weight: 'regular', size: 8.6, colour: COLOURS.ink }, CONTENT.left + 34, top);
    top += sheet.lineHeight(label, 1.5);
  }
  top += 2;
  const bottom = PAGE.height - 16;
  const howTo = (full: boolean) => ({
    zh: `核验方法：将下面的证明原样录入为文本文件（以 \\ 结尾的行与下一行直接相连），运行 qdyp verify 许可文件.jws --proof 该文件；或访问 ${verifyDomain}/log/entry/${annex.index}${full ? '' : '（证明文件含本条目的全文，因过长未印出，请从该网址下载）'}。`,
    en: `To check: type the proof below into a text file as printed (a line ending in \\ continues on the next), then run qdyp verify LICENCE.jws --proof FILE; or visit ${verifyDomain}/log/entry/${annex.index}${full ? '' : ' (the entry itself, too long to print here, is in the proof file there)'}.`,
  });
  const noteHeight = (full: boolean) => sheet.paragraphHeight(howTo(full).zh, body, CONTENT.width) + sheet.paragraphHeight(howTo(full).en, bodyEn, CONTENT.width) + 3;
  let lines = annex.lines;
  let full = true;
  let size = [6.5, 6, 5.5, 5].find((s) => top + noteHeight(true) + monoLayout(lines, s).height <= bottom);
  if (size === undefined) {
    full = false;
    lines = lines.filter((line) => !line.startsWith('extra '));
    size = [6.5, 6, 5.5, 5].find((s) => top + noteHeight(false) + monoLayout(lines, s).height <= bottom) ?? 5;
  }
  put(howTo(full).zh, body);
  put(howTo(full).en, bodyEn);
  top += 3;
  const { wrapped } = monoLayout(lines, size);
  const step = size * MONO_LEADING;
  const x = CONTENT.left * PT_PER_MM;
  let baseline = sheet.page.getHeight() - top * PT_PER_MM - size * 0.8;
  for (const line of wrapped) {
    if (line !== '') sheet.page.drawText(line, { font: mono, size, x, y: baseline, color: colour(COLOURS.ink) });
    baseline -= step;
  }
}
