// Errors with stable string codes: tests and callers branch on `code`, never on the message.
// Messages never echo tokens, signatures or key material.

export type QdypErrorCode =
  | 'ERR_ARTIFACT_MALFORMED'
  | 'ERR_ARTIFACT_EXPIRED'
  | 'ERR_ARTIFACT_TOO_LARGE'
  | 'ERR_ARTIFACT_TYPE'
  | 'ERR_ARTIFACT_SIGNATURE'
  | 'ERR_ARTIFACT_UNKNOWN_KEY'
  | 'ERR_ARTIFACT_KEY_COMPROMISED'
  | 'ERR_KEY_LIST_ROLLBACK'
  | 'ERR_STATUS_ROLLBACK'
  | 'ERR_ARTIFACT_FUTURE'
  | 'ERR_ENTRY_STALE'
  | 'ERR_ENTRY_MISMATCH'
  | 'ERR_BUNDLE_DIGEST'
  | 'ERR_KEY_INVALID'
  | 'ERR_KEY_NOT_SIGNING'
  | 'ERR_CRYPTO_UNAVAILABLE'
  | 'ERR_SEAL_FIELD'
  | 'ERR_CONTACT_UNREADABLE'
  | 'ERR_LOG_ENTRY_MALFORMED'
  | 'ERR_LOG_ENTRY_TOO_LARGE';

export class QdypError extends Error {
  override readonly name = 'QdypError';
  constructor(
    readonly code: QdypErrorCode,
    message: string,
  ) {
    super(message);
  }
}
