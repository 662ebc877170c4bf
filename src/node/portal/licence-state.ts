// What a licence's state is today, as the holder must read it: its status first (suspended and
// revoked outrank everything), then its validity period in Beijing dates, and whether renewal
// is due (inside 90 days of the end).

import { cstDate, dayNumber } from '../../core/index.ts';
import type { LicenceState } from './messages.ts';
import type { PortalLicence } from './snapshot.ts';

/** A renewal reminder shows from this many days before the licence's last day. */
export const RENEWAL_REMINDER_DAYS = 90;

export function licenceState(licence: PortalLicence, now: Date): LicenceState {
  if (licence.status === 'revoked') return 'revoked';
  if (licence.status === 'suspended') return 'suspended';
  const today = cstDate(now);
  if (today > licence.validUntil) return 'expired';
  if (today < licence.validFrom) return 'not_yet_valid';
  return 'valid';
}

/** Days left to the last valid day (0 on the day itself), when renewal is due; else null. */
export function renewalDue(licence: PortalLicence, now: Date): number | null {
  if (licence.status === 'revoked') return null;
  const left = dayNumber(licence.validUntil) - dayNumber(cstDate(now));
  return left >= 0 && left <= RENEWAL_REMINDER_DAYS ? left : null;
}
