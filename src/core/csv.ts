// CSV for people's spreadsheets: RFC 4180 quoting, CRLF, and a UTF-8 byte-order mark so Excel
// on Chinese Windows opens it as UTF-8. A cell that a spreadsheet would run as a formula
// (= + - @, tab, CR) is prefixed with an apostrophe: exported text can come from anyone.

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The whole file's text, BOM first. */
export function csvDocument(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return `\ufeff${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
