import type { Messages } from './types.ts';

export const en: Messages = {
  outcomes: {
    authorized: {
      title: 'Authorized',
      summary: 'The Qingdao Premium Products office authorizes this use of the mark; signature and status are checked.',
      advice: 'Check that the product in your hand is among the products and trademarks listed. If not, report it or call the 12315 consumer hotline.',
    },
    suspended: {
      title: 'Suspended',
      summary: 'This licence is suspended: the mark may not be used while it is.',
      advice: 'Buy with care. If in doubt, call the 12315 consumer hotline.',
    },
    revoked: {
      title: 'Revoked',
      summary: 'This licence has been revoked: the holder may no longer use the mark.',
      advice: 'Do not take the mark as a sign of quality. Report it or call the 12315 consumer hotline.',
    },
    expired: {
      title: 'Expired',
      summary: 'This licence is past its validity period.',
      advice: 'Goods made before it expired may still be on sale; if in doubt, call the 12315 consumer hotline.',
    },
    not_yet_valid: {
      title: 'Not yet valid',
      summary: 'This licence has not reached its start date.',
      advice: 'The mark may not be used before then. If in doubt, call the 12315 consumer hotline.',
    },
    unknown_key: {
      title: 'Cannot verify',
      summary: 'This code was not signed by a key of the Qingdao Premium Products office.',
      advice: 'The mark may be forged. Do not rely on it; report it or call the 12315 consumer hotline.',
    },
    key_compromised: {
      title: 'Cannot verify',
      summary: 'This code was signed with a key that has been withdrawn; it is no longer valid.',
      advice: 'The mark may be forged. Do not rely on it; report it or call the 12315 consumer hotline.',
    },
    bad_signature: {
      title: 'Cannot verify',
      summary: 'The signature on this code is not valid: the office did not issue it.',
      advice: 'The mark may be forged. Do not rely on it; report it or call the 12315 consumer hotline.',
    },
    malformed: {
      title: 'Cannot verify',
      summary: 'This is not a valid Qingdao Premium Products code.',
      advice: 'Make sure you scanned the Qingdao Premium Products code on the pack. If you suspect a forgery, call the 12315 consumer hotline.',
    },
    cannot_confirm: {
      title: 'Cannot confirm',
      summary: 'Current licence status is not available right now, so authorization cannot be confirmed.',
      advice: 'Scan again later. If it still cannot be confirmed, call the 12315 consumer hotline.',
    },
  },
  fields: {
    holder: 'Holder',
    uscc: 'Unified social credit code',
    address: 'Address',
    products: 'Products covered',
    trademarks: 'Trademarks',
    tier: 'Brand tier',
    sector: 'Sector',
    region: 'Region',
    number: 'Licence number',
    validity: 'Valid',
    status: 'Licence status',
    statusReason: 'Reason',
    statusChangedAt: 'Changed',
  },
  beijingTime: 'Beijing time',
  tiers: { product: 'Product brand', enterprise: 'Enterprise brand', industry: 'Industry brand', region: 'Regional brand' },
  sectors: { manufacturing: 'Manufacturing', agriculture: 'Agriculture', services: 'Services', marine: 'Marine economy' },
  statuses: { valid: 'Valid', suspended: 'Suspended', revoked: 'Revoked' },
};
