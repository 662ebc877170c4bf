// A refused import: the file cannot be read as a selection batch, or some of its rows are bad.
// Nothing was imported. `problems` lists every bad row by line number.

export type ImportRefusalCode = 'unreadable_file' | 'file_too_large' | 'unknown_encoding' | 'malformed_csv' | 'invalid_header' | 'no_rows' | 'invalid_rows';

export interface RowProblem {
  /** The file's line where the row starts (1 is the header). */
  line: number;
  message: string;
}

export class ImportRefused extends Error {
  override readonly name = 'ImportRefused';
  constructor(
    readonly code: ImportRefusalCode,
    message: string,
    readonly problems: RowProblem[] = [],
  ) {
    super(message);
  }
}
