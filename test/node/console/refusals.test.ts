// One status for a refusal on every console page: a clash with the state (409), or input that
// is not right (422).
import { describe, expect, it } from 'vitest';
import { refusalStatus } from '../../../src/node/console/refusals.ts';

describe('refusalStatus', () => {
  it('answers state conflicts with 409 and everything else with 422', () => {
    const conflicts = ['invalid_transition', 'nothing_to_change', 'conflict', 'same_officer', 'reference_taken', 'duplicate_reference', 'duplicate_holder', 'officer_exists'];
    for (const code of conflicts) expect(refusalStatus(code), code).toBe(409);
    for (const code of ['invalid_text', 'invalid_uscc', 'invalid_list', 'unknown_licence', 'unknown_holder', 'setup_code', 'artwork_refused']) expect(refusalStatus(code), code).toBe(422);
  });
});
