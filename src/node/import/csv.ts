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
  const [header, ...body] = records;
  if (!header) throw new ImportRefused('no_rows', 'the file is empty');
  const columns = readHeader(header.record);
  let start = header.end;
  const rows: CsvRow[] = [];
  const problems: RowProblem[] = [];
  for (const { record, end } of body) {
    const line = lines(start);
    start = end;
    // Excel writes rows it counts as used but empty as a line of bare commas.
    if (record.every((cell) => cell.trim() === '')) continue;
    if (record.length !== header.record.length) {
      problems.push({ line, message: `the row has ${record.length} fields but the header has ${header.record.length} (a comma inside a field that is not quoted?)` });
      continue;
    }
    const values = {} as Record<CsvColumn, string>;
    let stray = false;
    record.forEach((cell, i) => {
      const column = columns[i];
      if (column) values[column] = cell.trim();
      else if (cell.trim() !== '') stray = true;
    });
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
