// Reading selection batch CSV: encodings, the header, and the line each row starts on (what
// every refusal names), through csv-parse.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCsv, parseRecords, readSelectionCsv, splitRecords } from '../../../src/node/import/csv.ts';
import { HEADER, toGb18030 } from './batch-files.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);
const cells = (batch: string, ref: string) => `${batch},${ref},u,n,a,r,t,s,c,p,m,f,v`;

describe('decodeCsv', () => {
  it('reads UTF-8 with or without a BOM, and GB18030/GBK', () => {
    const text = `${HEADER}\r\n青岛，“崂山”；\r\n`;
    expect(decodeCsv(utf8(text))).toEqual({ text, encoding: 'utf-8' });
    expect(decodeCsv(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(text)]))).toEqual({ text, encoding: 'utf-8' });
    expect(decodeCsv(toGb18030(text))).toEqual({ text, encoding: 'gb18030' });
    // Four-byte GB18030 sequences (characters outside GBK) decode too.
    expect(decodeCsv(toGb18030('𠀀,€\r\n'))).toEqual({ text: '𠀀,€\r\n', encoding: 'gb18030' });
  });

  it('refuses a UTF-8 BOM before bytes that are not UTF-8, and UTF-16', () => {
    expect(() => decodeCsv(new Uint8Array([0xef, 0xbb, 0xbf, 0xc7, 0xe0]))).toThrow(/byte order mark but is not valid UTF-8/);
    expect(() => decodeCsv(new Uint8Array([0x61, 0x00, 0x62, 0x00]))).toThrow(/NUL bytes/);
    expect(() => decodeCsv(new Uint8Array([0xfe, 0xff, 0x00, 0x61]))).toThrow(/UTF-16/);
  });
});

describe('readSelectionCsv', () => {
  it('names the line each row starts on, across quoted line breaks, blank lines and bare-comma rows', () => {
    const text = [HEADER, cells('b', '1'), '', `b,2,u,"two`, `lines",a,r,t,s,c,p,m,f,v`, ',,,,,,,,,,,,', '', cells('b', '3')].join('\r\n');
    const csv = readSelectionCsv(utf8(text));
    expect(csv.problems).toEqual([]);
    expect(csv.rows.map((r) => [r.line, r.values.ref])).toEqual([
      [2, '1'],
      [4, '2'],
      [8, '3'],
    ]);
    expect(csv.rows[1]!.values.holder_name).toBe('two\r\nlines');
  });

  it('takes the columns in any order, trims cells, ignores unnamed empty columns', () => {
    const columns = HEADER.split(',').reverse();
    const text = `${columns.join(',')},,\n${columns.map((c) => ` ${c} `).join(',')},,\n`;
    const [row] = readSelectionCsv(utf8(text)).rows;
    expect(row!.values).toMatchObject({ batch: 'batch', ref: 'ref', valid_until: 'valid_until' });
  });

  it('reports rows of the wrong shape by line, and refuses files without header or rows', () => {
    const csv = readSelectionCsv(utf8(`${HEADER},\n${cells('b', '1')},x\nb,2\n${cells('b', '3')},\n`));
    expect(csv.problems).toEqual([
      { line: 2, message: 'the row has text in a column with no name in the header' },
      { line: 3, message: 'the row has 2 fields but the header has 14 (a comma inside a field that is not quoted?)' },
    ]);
    expect(csv.rows.map((r) => r.line)).toEqual([4]);
    expect(() => readSelectionCsv(utf8(''))).toThrow(/empty/);
    expect(() => readSelectionCsv(utf8(`${HEADER}\r\n\r\n`))).toThrow(/no rows/);
    expect(() => readSelectionCsv(utf8(`${HEADER}\nb,"1\n`))).toThrow(/not well-formed CSV/);
  });
});

describe('splitRecords', () => {
  it('reads what csv-parse reads, or leaves the file to it', () => {
    const pieces = ['a', 'b', ' ', '中', ',', '"', '""', '\n', '\r\n', '\r', ',,'];
    const files = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((parts) => parts.join(''));
    let split = 0;
    fc.assert(
      fc.property(files, (text) => {
        let expected: unknown;
        try {
          expected = parseRecords(text);
        } catch {
          expected = null;
        }
        const records = splitRecords(text);
        if (records === null) return;
        split++;
        expect(records).toEqual(expected);
      }),
      { numRuns: 20_000 },
    );
    expect(split).toBeGreaterThan(5_000);
    // Excel's own: quoted commas, doubled quotes and line breaks inside quotes.
    const excel = `${HEADER}\r\nb,1,"x, ""y""\r\nz",,\r\n\r\n,,\r\n`;
    expect(splitRecords(excel)).toEqual(parseRecords(excel));
    expect(splitRecords(excel)).not.toBeNull();
  });
});
