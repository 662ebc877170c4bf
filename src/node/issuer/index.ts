// The programme office's operations on the registry of record, shared by the CLI, the console,
// the demo seeder and the batch import: the front door. Each change is one SQLite transaction
// together with its audit event (and, for licence, holder and key changes, its transparency log
// entry); refused input throws RefusedError and changes nothing.
export * from './batch.ts';
export * from './changes.ts';
export * from './checks.ts';
export * from './context.ts';
export * from './holders.ts';
export * from './inspectors.ts';
export * from './invitations.ts';
export * from './issuance.ts';
export * from './keys.ts';
export * from './officers.ts';
export * from './signing.ts';
