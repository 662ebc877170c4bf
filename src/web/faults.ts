// What the verifier does with the faults of what it depends on (a store, a keeper, a binding):
// bound how long it waits, and name a failure in a log line by its kind only (an error's
// message may carry a store's details; its name never carries secrets).

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** `promise`, or a TimeoutError after `ms` (the timer is cleared either way). */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** An error's name for a log line ('error' for anything thrown that is not an Error). */
export const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'error');
