// How many shopper reports one client address may send, and how many reports one inspector may
// file: a fixed window per key, kept in memory only (never stored, never logged), with a cap on
// how many keys it remembers so a flood of addresses cannot grow it without bound.
//
// The web layer asks through `RateLimit` (async), with keys `address:<addressKey>` for the
// shopper form and `inspector:<id>` for POST /api/v1/reports. On Node that is `MemoryRates`
// (this process); on Workers a Durable Object (src/worker/throttle.ts) that holds the same
// counts in its memory under salted hashes of the keys, so every isolate shares one count.

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
/** One inspector's reports: 60 a minute (a queue flushed when the network returns fits). */
export const INSPECTOR_RATE = { max: 60, windowMs: 60 * 1000, maxKeys: 10_000 } as const;

export type RateAnswer = { ok: true } | { ok: false; retryAfterS: number };

/**
 * The limiter the routes take through their deps. `key` is `address:…` or `inspector:…`; the
 * kind picks the limit. It may throw (its store unreachable): the caller decides what then.
 */
export interface RateLimit {
  take(key: string, now: Date): Promise<RateAnswer>;
}

export type RateKind = 'address' | 'inspector';

export const addressRateKey = (address: string) => `address:${addressKey(address)}`;
export const inspectorRateKey = (id: string) => `inspector:${id}`;

/** The kind a key names, or null for a key of no known kind. */
export function rateKind(key: string): RateKind | null {
  const kind = key.slice(0, key.indexOf(':'));
  return kind === 'address' || kind === 'inspector' ? kind : null;
}

/** One fixed-window limiter per kind, in this process's memory. */
export class MemoryRates implements RateLimit {
  private readonly limiters: Record<RateKind, RateLimiter>;

  constructor(options: Partial<Record<RateKind, RateLimitOptions>> = {}) {
    this.limiters = {
      address: new RateLimiter({ ...REPORT_RATE, ...options.address }),
      inspector: new RateLimiter({ ...INSPECTOR_RATE, ...options.inspector }),
    };
  }

  /** Synchronous underneath; `kind` may be given when `key` is already a hash of the key. */
  takeNow(key: string, now: Date, kind: RateKind | null = rateKind(key)): RateAnswer {
    // A key of no known kind is a programming error, not a client's: counted as an address.
    const decision = this.limiters[kind ?? 'address'].take(key, now.getTime());
    return decision.allowed ? { ok: true } : { ok: false, retryAfterS: decision.retryAfterS };
  }

  take(key: string, now: Date): Promise<RateAnswer> {
    return Promise.resolve(this.takeNow(key, now));
  }

  /** Keys remembered now, over all kinds (tests). */
  get size(): number {
    return this.limiters.address.size + this.limiters.inspector.size;
  }
}

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

  /** Counts one report under `key` at `now` (ms), if it is allowed. (Keys come already shaped: `addressKey`.) */
  take(key: string, now: number): RateDecision {
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
