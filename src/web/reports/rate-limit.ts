// How many shopper reports one client address may send: a fixed window per address, kept in
// this process's memory only (never stored, never logged), with a cap on how many addresses it
// remembers so a flood of addresses cannot grow it without bound. On Workers each isolate
// counts on its own: a brake on one client's flood, not an exact quota.

export interface RateLimitOptions {
  /** Reports allowed per window and address (default 5). */
  max?: number;
  /** The window's length (default 10 minutes). */
  windowMs?: number;
  /** Addresses remembered at once (default 10,000); past it the oldest window is forgotten. */
  maxKeys?: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterS: number };

export const REPORT_RATE = { max: 5, windowMs: 10 * 60 * 1000, maxKeys: 10_000 } as const;

export class RateLimiter {
  private readonly max: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  /** Insertion order is window-start order: the first entry is the oldest. */
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(options: RateLimitOptions = {}) {
    this.max = options.max ?? REPORT_RATE.max;
    this.windowMs = options.windowMs ?? REPORT_RATE.windowMs;
    this.maxKeys = options.maxKeys ?? REPORT_RATE.maxKeys;
    for (const [name, value] of [['max', this.max], ['windowMs', this.windowMs], ['maxKeys', this.maxKeys]] as const) {
      if (!Number.isSafeInteger(value) || value < 1) throw new Error(`the report rate limit's ${name} must be a positive whole number`);
    }
  }

  /** Counts one report from `address` at `now` (ms), if it is allowed. */
  take(address: string, now: number): RateDecision {
    const key = addressKey(address);
    let window = this.windows.get(key);
    if (window && now - window.start >= this.windowMs) {
      this.windows.delete(key);
      window = undefined;
    }
    if (!window) {
      this.makeRoom(now);
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.max) return { allowed: false, retryAfterS: Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000)) };
    window.count += 1;
    return { allowed: true };
  }

  /** How many addresses are remembered now (tests). */
  get size(): number {
    return this.windows.size;
  }

  private makeRoom(now: number): void {
    for (const [key, window] of this.windows) {
      if (this.windows.size < this.maxKeys && now - window.start < this.windowMs) return;
      // Oldest first: expired windows go, then (when still full) the oldest live one.
      this.windows.delete(key);
    }
  }
}

/**
 * An IPv6 client is counted by its /64 (one subscriber's network, which it fills with addresses
 * at will); anything else as it is. Only the key's shape matters here, not a canonical form.
 */
export function addressKey(address: string): string {
  const text = address.trim().toLowerCase();
  if (!text.includes(':')) return text;
  const [left = '', right] = text.replace(/%.*$/, '').split('::');
  const head = left === '' ? [] : left.split(':');
  const tail = right === undefined || right === '' ? [] : right.split(':');
  const groups = right === undefined ? head : [...head, ...new Array<string>(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
