// The registry of record on SQLite: the front door. The work happens in the files beside it.
export * from './audit.ts';
export * from './config.ts';
export * from './db.ts';
export * from './holders.ts';
export * from './keys.ts';
export * from './licences.ts';
export * from './migrations.ts';
