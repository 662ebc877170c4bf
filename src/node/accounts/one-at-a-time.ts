// Attempts at a secret from one address, one at a time: the throttle's check, the secret's
// (asynchronous) verification and the failure or success it writes are one step, so 40
// parallel guesses meet the same counters as 40 in a row. One chain per address key (an IPv6
// /64 as one) and per owner (a portal's or console's store), in this process's memory: enough
// for one process over its own database; several processes over one database would need the
// lock in the database instead. Shared by the holder portal and the authority console.

import { addressKey } from './client-address.ts';

const queues = new WeakMap<object, Map<string, Promise<void>>>();

export async function oneAtATime<T>(owner: object, address: string, attempt: () => Promise<T>): Promise<T> {
  let chains = queues.get(owner);
  if (!chains) queues.set(owner, (chains = new Map()));
  const key = addressKey(address);
  const before = chains.get(key) ?? Promise.resolve();
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  const tail = before.then(() => done);
  chains.set(key, tail);
  await before;
  try {
    return await attempt();
  } finally {
    release();
    if (chains.get(key) === tail) chains.delete(key);
  }
}
