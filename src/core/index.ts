// The runtime-neutral core: Web APIs only, so it runs in Node, workerd and browsers.
export * from './base32.ts';
export * from './bundle.ts';
export * from './dates.ts';
export * from './ed25519.ts';
export * from './errors.ts';
export * from './jws.ts';
export * from './key-list.ts';
export * from './keys.ts';
export * from './licence.ts';
export * from './messages/index.ts';
export * from './outcomes.ts';
export * from './regions.ts';
export * from './register.ts';
export * from './seal.ts';
export * from './status-list.ts';
export * from './trust-context.ts';
export * from './verify.ts';
