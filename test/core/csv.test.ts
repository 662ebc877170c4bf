// CSV for case files and exports: a BOM so Excel on Chinese Windows reads UTF-8, RFC 4180
// quoting, and no cell a spreadsheet would run as a formula.
import { describe, expect, it } from 'vitest';
import { csvCell, csvDocument } from '../../src/core/index.ts';

describe('csv', () => {
  it('starts with a BOM, ends rows with CRLF, keeps Chinese text as it is', () => {
    expect(csvDocument([['许可编号', '结果'], ['QDYP-2026-000001', '正品授权']])).toBe('\ufeff许可编号,结果\r\nQDYP-2026-000001,正品授权\r\n');
  });

  it('quotes commas, quotes, newlines and edge spaces; empty for null', () => {
    expect(['a,b', 'say "hi"', 'two\nlines', ' pad', null, undefined, 7].map(csvCell)).toEqual(['"a,b"', '"say ""hi"""', '"two\nlines"', '" pad"', '', '', '7']);
  });

  it('defuses what a spreadsheet would run as a formula', () => {
    expect(['=HYPERLINK("http://x")', '+1', '-2', '@SUM(A1)', '\tx'].map(csvCell)).toEqual(["\"'=HYPERLINK(\"\"http://x\"\")\"", "'+1", "'-2", "'@SUM(A1)", "'\tx"]);
  });
});
