// Verdict codes: stable strings, never renumbered. Each has zh-CN and English texts in
// messages/.

export const OUTCOMES = [
  'authorized',
  'suspended',
  'revoked',
  'expired',
  'not_yet_valid',
  'unknown_key',
  'key_compromised',
  'bad_signature',
  'malformed',
  'cannot_confirm',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Outcomes under which holder data may be shown: the signature held under a trusted key. */
export const SHOWS_LICENCE: ReadonlySet<Outcome> = new Set(['authorized', 'suspended', 'revoked', 'expired', 'not_yet_valid']);

/** How a page should present the outcome at a glance. */
export type Tone = 'good' | 'warning' | 'bad' | 'unknown';
export const TONE: Record<Outcome, Tone> = {
  authorized: 'good',
  suspended: 'warning',
  revoked: 'bad',
  expired: 'warning',
  not_yet_valid: 'warning',
  unknown_key: 'bad',
  key_compromised: 'bad',
  bad_signature: 'bad',
  malformed: 'bad',
  cannot_confirm: 'unknown',
};

/** How a page draws an outcome: its colour and icon (both tell the states apart). */
export type VerdictState = 'authorized' | 'suspended' | 'revoked' | 'expired' | 'pending' | 'unknown' | 'invalid';
export const VERDICT_STATE: Record<Outcome, VerdictState> = {
  authorized: 'authorized',
  suspended: 'suspended',
  revoked: 'revoked',
  expired: 'expired',
  not_yet_valid: 'pending',
  cannot_confirm: 'unknown',
  unknown_key: 'invalid',
  key_compromised: 'invalid',
  bad_signature: 'invalid',
  malformed: 'invalid',
};
