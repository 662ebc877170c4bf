// Accounts, shared by the holder portal and the authority console: password hashing and the
// new-password rules, sign-in sessions with their CSRF secrets, throttles for guessed secrets
// and the one-at-a-time lock per address, the attempt at a secret built of them (sign-in.ts),
// the pre-sign-in form token, the form reader, the client address they are keyed by, the
// service's own database they are kept in (own-database.ts), and the headers and sign-out of
// the pages behind a sign-in (private-pages.ts). An account is an opaque key the caller builds.
export * from './client-address.ts';
export * from './form.ts';
export * from './form-token.ts';
export * from './messages.ts';
export * from './one-at-a-time.ts';
export * from './own-database.ts';
export * from './passwords.ts';
export * from './private-pages.ts';
export * from './sessions.ts';
export * from './sign-in.ts';
export * from './throttle.ts';
