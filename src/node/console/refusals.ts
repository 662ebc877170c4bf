// How a refused action answers, for every console page: the state does not allow it, or what
// it names is there already (409 Conflict), or the input is not right (422).

import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { RefusalCode } from '../errors.ts';

const CONFLICTS: ReadonlySet<string> = new Set<RefusalCode>([
  'invalid_transition',
  'nothing_to_change',
  'conflict',
  'same_officer',
  'reference_taken',
  'duplicate_reference',
  'duplicate_holder',
  'officer_exists',
]);

/** The status for a refusal's code (a RefusedError's, as attempt() gives it). */
export function refusalStatus(code: string): ContentfulStatusCode {
  return CONFLICTS.has(code) ? 409 : 422;
}
