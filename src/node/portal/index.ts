// The holder portal (品牌主体门户): the Hono app, the database it owns, the activation and
// sign-in it runs, and the snapshot it serves from (written by the office, read here).
export * from './app.tsx';
export * from './holder-accounts.ts';
export * from './snapshot.ts';
export * from './store.ts';
