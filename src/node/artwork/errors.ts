// Artwork refusals carry a stable code for callers and a message in both languages for the
// holder's clerk, who is the one reading it at the print shop's counter.

export type ArtworkErrorCode =
  /** The seal URL or licence document is not one the office issued in the expected form. */
  | 'ERR_ARTWORK_INPUT'
  /** A format, size or resolution that is not offered. */
  | 'ERR_ARTWORK_OPTION'
  /** The code would print with modules under the minimum a phone reads reliably. */
  | 'ERR_ARTWORK_TOO_SMALL'
  /** The URL needs a QR code larger than version 8: the seal would not fit the print sizes. */
  | 'ERR_ARTWORK_QR_TOO_LARGE'
  /** Text the certificate font cannot draw (it would print as empty boxes). */
  | 'ERR_ARTWORK_GLYPH'
  /** The licence's text does not fit on one certificate page. */
  | 'ERR_ARTWORK_OVERFLOW';

export interface BilingualText {
  zh: string;
  en: string;
}

export class ArtworkError extends Error {
  override readonly name = 'ArtworkError';
  readonly zh: string;
  readonly en: string;
  constructor(
    readonly code: ArtworkErrorCode,
    text: BilingualText,
  ) {
    super(`${text.zh} ${text.en}`);
    this.zh = text.zh;
    this.en = text.en;
  }
}
