// The authority console (管理控制台): the Hono app under /console/, its officers' sign-in, its
// own small database, and the publisher that follows every change.
export * from './app.tsx';
export * from './kit.ts';
export * from './network.ts';
export * from './publisher.ts';
export * from './store.ts';
