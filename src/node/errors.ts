// A refused office action: typed by a stable code (callers and tests branch on it), with a
// message a programme officer can act on. Messages never carry key material.

export type RefusalCode =
  | 'registry_exists'
  | 'no_registry'
  | 'registry_too_new'
  | 'invalid_origin'
  | 'invalid_uscc'
  | 'invalid_text'
  | 'invalid_region'
  | 'invalid_tier'
  | 'invalid_sector'
  | 'invalid_date'
  | 'invalid_period'
  | 'invalid_list'
  | 'reference_taken'
  | 'restore_behind'
  | 'unknown_holder'
  | 'duplicate_holder'
  | 'unknown_licence'
  | 'duplicate_reference'
  | 'invalid_transition'
  | 'nothing_to_change'
  | 'unknown_key'
  | 'unknown_inspector'
  | 'key_not_signing'
  | 'missing_private_key'
  | 'invalid_private_key'
  | 'wrong_root_key'
  | 'serials_exhausted'
  | 'conflict'
  | 'no_passphrase'
  | 'invalid_backup'
  | 'invalid_bundle'
  | 'publish_failed'
  | 'unknown_report'
  | 'pull_failed'
  | 'report_failed'
  | 'contact_key_exists'
  | 'missing_contact_key'
  | 'artwork_refused'
  | 'officer_exists'
  | 'unknown_officer'
  | 'invalid_role'
  | 'setup_code'
  | 'same_officer'
  | 'unknown_bulk_revocation'
  | 'unknown_log_entry'
  | 'invalid_log_state'
  | 'log_fork'
  | 'log_unverified';

export class RefusedError extends Error {
  override readonly name = 'RefusedError';
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}
