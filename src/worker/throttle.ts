// The Durable Object (binding QDYP_THROTTLE, class ReportThrottle) that counts the report rate
// limits for every isolate of this Worker: the shopper form per client address, POST
// /api/v1/reports per inspector (src/web/reports/rate-limit.ts; keys `address:…`, `inspector:…`).
//
// It never stores anything: no storage call at all, so no address ever reaches disk. The counts
// live in the object's memory (MemoryRates: fixed windows, at most 10,000 keys per kind), and
// under a SHA-256 of the key with a salt the object draws at random when it starts, never the key
// itself. The salt lives and dies with the counts (an evicted or restarted object starts afresh
// with a new one), so it needs no configuration and can never be read back from anywhere. The
// Worker spreads keys over SHARDS instances, named by a few bits of an unsalted hash: an
// instance's name says next to nothing about an address (a 1-in-16 bucket), and no one instance
// has to take every post.
//
// Counting in memory means an eviction forgets the windows: a brake on a flood, not an exact
// quota, which is what the issue asks for. When the object cannot be reached the routes fail
// open (src/web/reports/form.ts, api.ts) and log it.

import { DurableObject } from 'cloudflare:workers';
import type { DurableObjectNamespace } from '@cloudflare/workers-types';
import { MemoryRates, rateKind, type RateAnswer, type RateLimit } from '../web/index.ts';

/** How many instances the keys are spread over. */
export const SHARDS = 16;

export class ReportThrottle extends DurableObject {
  readonly #salt = crypto.getRandomValues(new Uint8Array(32));
  readonly #rates = new MemoryRates();

  /** Counts one request under `key` at `nowMs`, if the key's limit allows it. */
  async take(key: string, nowMs: number): Promise<RateAnswer> {
    if (typeof key !== 'string' || !Number.isFinite(nowMs)) return { ok: true };
    const kind = rateKind(key);
    const hashed = await sha256Hex(this.#salt, key);
    return this.#rates.takeNow(hashed, new Date(nowMs), kind);
  }
}

/** The routes' view of the objects: one call per counted request. Throws when unreachable. */
export function durableRates(namespace: DurableObjectNamespace<ReportThrottle>, prefix = 'throttle'): RateLimit {
  return {
    take: async (key, now) => {
      const shard = (await sha256Bytes(new Uint8Array(0), key))[0]! % SHARDS;
      const stub = namespace.get(namespace.idFromName(`${prefix}-${shard}`));
      const answer = (await stub.take(key, now.getTime())) as RateAnswer;
      return answer.ok ? { ok: true } : { ok: false, retryAfterS: answer.retryAfterS };
    },
  };
}

async function sha256Bytes(salt: Uint8Array, text: string): Promise<Uint8Array> {
  const body = new TextEncoder().encode(text);
  const input = new Uint8Array(salt.length + body.length);
  input.set(salt);
  input.set(body, salt.length);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', input));
}

async function sha256Hex(salt: Uint8Array, text: string): Promise<string> {
  return [...(await sha256Bytes(salt, text))].map((b) => b.toString(16).padStart(2, '0')).join('');
}
