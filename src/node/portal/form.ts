// The portal's typed fields: a USCC and a user name as people type them. Reading the form
// itself is shared with the console (accounts/form.ts).

import { MAX_USER_NAME, normaliseUserName } from '../registry/invitations.ts';

export { readForm } from '../accounts/form.ts';

/** A USCC as typed (full-width, spaced, lower case), or null if it cannot be one. */
export function typedUscc(text: string): string | null {
  const code = text.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
  return /^[0-9A-Z]{18}$/.test(code) ? code : null;
}

/** A user name as typed, normalised as the office stores it, or null if it cannot be one. */
export function typedUser(text: string): string | null {
  const user = normaliseUserName(text);
  return user !== '' && [...user].length <= MAX_USER_NAME ? user : null;
}
