// Reading a selection batch CSV (DESIGN §3): UTF-8 with or without BOM, or GB18030/GBK (what
// Excel saves as "CSV" on Chinese Windows: no BOM, CRLF), a header row naming the columns in
// any order, and each row's first line number for messages.

import { parse, type CsvError, type Options } from 'csv-parse/sync';
import { ImportRefused, type RowProblem } from './errors.ts';

export const CSV_COLUMNS = [
  'batch',
  'ref',
  'uscc',
  'holder_name',
  'address',
  'region',
  'tier',
  'sector',
  'chain',
  'products',
  'trademarks',
  'valid_from',
  'valid_until',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

export type CsvEncoding = 'utf-8' | 'gb18030';

/** A whole city's selection is tens of thousands of rows, a few MB; this is far beyond it. */
export const MAX_CSV_BYTES = 256 * 1024 * 1024;

export interface CsvRow {
  /** The line the row starts on (the header is line 1). */
  line: number;
  /** Each column's cell, trimmed: spreadsheet cells carry invisible stray spaces. */
  values: Record<CsvColumn, string>;
}

export interface SelectionCsv {
  encoding: CsvEncoding;
  rows: CsvRow[];
  /** Rows whose shape is wrong (field count, text in an unnamed column). */
  problems: RowProblem[];
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** UTF-8 when the bytes are valid UTF-8 (a BOM is dropped), else GB18030; else refused. */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ImportRefused('unknown_encoding', 'the file is UTF-16 ("Unicode text"), not CSV: save it as "CSV UTF-8" or "CSV"');
  }
  if (bytes.includes(0)) throw new ImportRefused('unknown_encoding', 'the file holds NUL bytes, so it is not CSV text (UTF-16?): save it as "CSV UTF-8" or "CSV"');
  const bom = UTF8_BOM.every((b, i) => bytes[i] === b);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    if (bom) throw new ImportRefused('unknown_encoding', 'the file starts with a UTF-8 byte order mark but is not valid UTF-8');
  }
  try {
    return { text: new TextDecoder('gb18030', { fatal: true }).decode(bytes), encoding: 'gb18030' };
  } catch {
    throw new ImportRefused('unknown_encoding', 'the file is neither UTF-8 nor GB18030/GBK text: save it as "CSV UTF-8" or "CSV"');
  }
}

/** Parses a selection batch CSV; throws ImportRefused when the file as a whole is unusable. */
export function readSelectionCsv(bytes: Uint8Array): SelectionCsv {
  if (bytes.length > MAX_CSV_BYTES) throw new ImportRefused('file_too_large', `the file is over ${MAX_CSV_BYTES / 1024 / 1024} MB`);
  const { text, encoding } = decodeCsv(bytes);
  const records = splitRecords(text) ?? parseRecords(text);
  const header = records[0];
  if (!header) throw new ImportRefused('no_rows', 'the file is empty');
  const columns = readHeader(header.record);
  const rows: CsvRow[] = [];
  const problems: RowProblem[] = [];
  for (let r = 1; r < records.length; r++) {
    const { record, line } = records[r]!;
    // Excel writes rows it counts as used but empty as a line of bare commas.
    if (record.every((cell) => cell.trim() === '')) continue;
    if (record.length !== header.record.length) {
      problems.push({ line, message: `the row has ${record.length} fields but the header has ${header.record.length} (a comma inside a field that is not quoted?)` });
      continue;
    }
    const values = {} as Record<CsvColumn, string>;
    let stray = false;
    for (let i = 0; i < record.length; i++) {
      const column = columns[i];
      if (column) values[column] = record[i]!.trim();
      else if (record[i]!.trim() !== '') stray = true;
    }
    if (stray) {
      problems.push({ line, message: 'the row has text in a column with no name in the header' });
      continue;
    }
    rows.push({ line, values });
  }
  if (rows.length === 0 && problems.length === 0) throw new ImportRefused('no_rows', 'the file has a header but no rows');
  return { encoding, rows, problems };
}

/** Maps each header cell to its column; unnamed cells (Excel's trailing commas) map to null. */
function readHeader(cells: string[]): (CsvColumn | null)[] {
  const names = cells.map((cell) => cell.trim().toLowerCase());
  const unknown = names.filter((name) => name !== '' && !(CSV_COLUMNS as readonly string[]).includes(name));
  const missing = CSV_COLUMNS.filter((column) => !names.includes(column));
  const repeated = CSV_COLUMNS.filter((column) => names.indexOf(column) !== names.lastIndexOf(column));
  if (unknown.length || missing.length || repeated.length) {
    const parts = [
      unknown.length ? `unknown column(s) ${unknown.map((n) => JSON.stringify(n)).join(', ')}` : '',
      missing.length ? `missing column(s) ${missing.join(', ')}` : '',
      repeated.length ? `repeated column(s) ${repeated.join(', ')}` : '',
    ].filter(Boolean);
    throw new ImportRefused('invalid_header', `line 1 must name the columns ${CSV_COLUMNS.join(', ')}: ${parts.join('; ')}`);
  }
  return names.map((name) => (name === '' ? null : (name as CsvColumn)));
}

interface CsvRecord {
  record: string[];
  /** The line the record starts on. */
  line: number;
}

/** The file's records (blank lines skipped) through csv-parse, or ImportRefused. */
export function parseRecords(text: string): CsvRecord[] {
  // csv-parse reports where a record ends in UTF-8 bytes: parse those bytes and count lines in them.
  const utf8 = Buffer.from(text, 'utf8');
  let records: { record: string[]; end: number }[];
  try {
    // Where each record ends (its `info.bytes`), without `info: true`'s copy of the whole
    // parser state per record. The typings do not follow on_record's result.
    const onRecord = (record: string[], context: { bytes: number }) => ({ record, end: context.bytes });
    const options: Options = { skip_empty_lines: true, relax_column_count: true, on_record: onRecord as unknown as Options['on_record'] };
    records = parse(utf8, options) as unknown as typeof records;
  } catch (error) {
    const e = error as CsvError & { lines?: number };
    throw new ImportRefused('malformed_csv', `the file is not well-formed CSV${typeof e.lines === 'number' ? ` (at line ${e.lines})` : ''}: ${e.message}`);
  }
  const lines = lineCounter(utf8);
  let start = 0;
  return records.map(({ record, end }) => {
    const line = lines(start);
    start = end;
    return { record, line };
  });
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * The file's records as csv-parse reads them (skip_empty_lines, relax_column_count), split
 * directly from the text at a fraction of its cost; null whenever csv-parse might read it
 * otherwise or refuse it (a stray or unclosed quote, mixed or bare-CR line ends), which then
 * decides. Line ends are CRLF or LF throughout, as Excel and most programs write them.
 */
export function splitRecords(text: string): CsvRecord[] | null {
  const crlf = text.includes('\r\n');
  if (crlf ? /\r(?!\n)|(?<!\r)\n/.test(text) : text.includes('\r')) return null;
  const end = text.length;
  const records: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  while (i < end) {
    let c = text.charCodeAt(i);
    if (c === CR || c === LF) {
      i += c === CR ? 2 : 1; // a blank line
      line++;
      continue;
    }
    const record: string[] = [];
    const first = line;
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        let value = '';
        let from = i + 1;
        for (;;) {
          const quote = text.indexOf('"', from);
          if (quote < 0) return null; // not closed
          value += text.slice(from, quote);
          if (text.charCodeAt(quote + 1) !== QUOTE) {
            i = quote + 1;
            break;
          }
          value += '"';
          from = quote + 2;
        }
        for (let at = value.indexOf('\n'); at >= 0; at = value.indexOf('\n', at + 1)) line++;
        record.push(value);
        c = text.charCodeAt(i); // NaN at the end
        if (c !== COMMA && c !== CR && c !== LF && i < end) return null; // text after a closing quote
      } else {
        let j = i;
        for (; j < end; j++) {
          c = text.charCodeAt(j);
          if (c === COMMA || c === CR || c === LF) break;
          if (c === QUOTE) return null; // a quote inside an unquoted field
        }
        record.push(text.slice(i, j));
        i = j;
      }
      if (i < end && text.charCodeAt(i) === COMMA) {
        i++;
        continue;
      }
      break;
    }
    if (i < end) {
      i += text.charCodeAt(i) === CR ? 2 : 1;
      line++;
    }
    records.push({ record, line: first });
  }
  return records;
}

/**
 * The line on which a record starting at byte `offset` begins, skipping the blank lines before
 * it. Offsets must not decrease between calls (one pass over the file).
 */
function lineCounter(bytes: Uint8Array): (offset: number) => number {
  let position = 0;
  let line = 1;
  return (offset) => {
    for (; position < offset; position++) if (bytes[position] === 0x0a) line++;
    let at = offset;
    let blank = 0;
    for (; at < bytes.length && (bytes[at] === 0x0a || bytes[at] === 0x0d); at++) if (bytes[at] === 0x0a) blank++;
    return line + blank;
  };
}
