// The report form's in-memory rate limit: a fixed window per address, a cap on addresses kept.
import { describe, expect, it } from 'vitest';
import { addressKey, RateLimiter } from '../../src/web/reports/rate-limit.ts';

describe('RateLimiter', () => {
  it('allows max per window, then says when to retry, and opens again after the window', () => {
    const limiter = new RateLimiter({ max: 2, windowMs: 60_000 });
    expect(limiter.take('a', 0)).toEqual({ allowed: true });
    expect(limiter.take('a', 1_000)).toEqual({ allowed: true });
    expect(limiter.take('a', 30_500)).toEqual({ allowed: false, retryAfterS: 30 });
    expect(limiter.take('b', 30_500)).toEqual({ allowed: true });
    expect(limiter.take('a', 60_000)).toEqual({ allowed: true });
  });

  it('remembers at most maxKeys addresses, forgetting expired then oldest windows first', () => {
    const limiter = new RateLimiter({ max: 1, windowMs: 1_000, maxKeys: 3 });
    for (const a of ['a', 'b', 'c']) limiter.take(a, 0);
    limiter.take('d', 10);
    expect(limiter.size).toBe(3);
    expect(limiter.take('b', 20)).toEqual({ allowed: false, retryAfterS: 1 });
    expect(limiter.take('a', 20)).toEqual({ allowed: true }); // 'a' was the oldest, forgotten for 'd'
    for (let i = 0; i < 1000; i++) limiter.take(`x${i}`, 5_000 + i);
    expect(limiter.size).toBe(3);
  });

  it('refuses nonsense options', () => {
    expect(() => new RateLimiter({ max: 0 })).toThrow("the report rate limit's max must be a positive whole number");
  });
});

describe('addressKey', () => {
  it('keeps IPv4 as it is and counts IPv6 by its /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:DB8:0001:0002:ffff::9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
  });
});
