// The transparency log's errors, with stable string codes like QdypError's: callers branch on
// `code`, never on the message. Messages never echo signatures or key material.

export type TlogErrorCode =
  /** Bytes or text that are not in the format (a note, checkpoint, tile path, bundle, proof file). */
  | 'ERR_TLOG_MALFORMED'
  /** Over a size this code refuses to read (a note, an entry, a bundle). */
  | 'ERR_TLOG_TOO_LARGE'
  /** A verifier or signer key that is not a well-formed Ed25519 note key. */
  | 'ERR_TLOG_KEY_INVALID'
  /** A signature by a known key that does not verify. */
  | 'ERR_TLOG_SIGNATURE'
  /** No signature by any known key. */
  | 'ERR_TLOG_UNKNOWN_KEY'
  /** A checkpoint of another log. */
  | 'ERR_TLOG_ORIGIN'
  /** An inclusion or consistency proof that does not hold. */
  | 'ERR_TLOG_PROOF'
  /** A tile of the wrong length, or one a tree of that size cannot have. */
  | 'ERR_TLOG_TILE';

export class TlogError extends Error {
  override readonly name = 'TlogError';
  constructor(
    readonly code: TlogErrorCode,
    message: string,
  ) {
    super(message);
  }
}
