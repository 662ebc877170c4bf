import { beforeAll, describe, expect, it } from 'vitest';
import { buildTrustContext, entryLookupFromTexts, licenceEntryKey, type TrustContext } from '../../src/core/index.ts';
import { VerdictCache } from '../../src/web/verdict-cache.ts';
import { artifactsOf, edgeWithEveryOutcome, T0, type Edge } from './fixtures.ts';

const DAY = 24 * 60 * 60 * 1000;

let edge: Edge;

async function contextAt(time: Date): Promise<TrustContext> {
  // Keys whose signing window covers `time`: a status list issued outside it is refused.
  const keys = edge.p.keys.map((k) => ({ ...k.record, signUntil: '2099-12-31' }));
  const { texts } = await artifactsOf(edge.p, { time, keys, bundles: false });
  return buildTrustContext(
    { keyList: texts['key-list'], statusList: texts['status-list'], revisionList: texts['revision-list'] },
    { root: edge.p.root, entries: (ctx) => entryLookupFromTexts((serial, value) => Promise.resolve(texts[licenceEntryKey(serial, value)] ?? null), ctx.keyList, () => time) },
  );
}

beforeAll(async () => {
  edge = await edgeWithEveryOutcome();
});

describe('VerdictCache', () => {
  it('answers a repeated seal from memory, in any letter case, with its own checkedAt', async () => {
    const cache = new VerdictCache(DAY);
    const ctx = await contextAt(T0);
    const first = await cache.verify(edge.seals.authorized, T0, ctx);
    expect(first.code).toBe('authorized');
    // Were it verified again, this context could no longer find the key.
    ctx.keyList!.bySid.clear();
    const later = new Date(T0.getTime() + 1000);
    const again = await cache.verify(edge.seals.authorized.toLowerCase(), later, ctx);
    expect(again).toEqual({ ...first, checkedAt: later.toISOString() });
    expect((await cache.verify(edge.seals.revoked, later, ctx)).code).toBe('unknown_key');
  });

  it('starts afresh for a new trust context', async () => {
    const cache = new VerdictCache(DAY);
    const ctx = await contextAt(T0);
    expect((await cache.verify(edge.seals.authorized, T0, ctx)).code).toBe('authorized');
    const next = await contextAt(T0);
    next.keyList!.bySid.clear();
    expect((await cache.verify(edge.seals.authorized, T0, next)).code).toBe('unknown_key');
  });

  it('starts afresh at midnight in Beijing, when a licence can expire', async () => {
    // Serial 1 is valid until 2028-12-31: through 15:59:59 UTC that day.
    const cache = new VerdictCache(DAY);
    const ctx = await contextAt(new Date('2028-12-30T00:00:00Z'));
    expect((await cache.verify(edge.seals.authorized, new Date('2028-12-31T15:59:59Z'), ctx)).code).toBe('authorized');
    expect((await cache.verify(edge.seals.authorized, new Date('2028-12-31T16:00:00Z'), ctx)).code).toBe('expired');
  });

  it('keeps a verdict for at most its maximum age (one TTL: an entry missing then is looked for again)', async () => {
    const cache = new VerdictCache(30_000);
    const ctx = await contextAt(T0);
    expect((await cache.verify(edge.seals.authorized, T0, ctx)).code).toBe('authorized');
    ctx.keyList!.bySid.clear();
    expect((await cache.verify(edge.seals.authorized, new Date(T0.getTime() + 29_999), ctx)).code).toBe('authorized');
    expect((await cache.verify(edge.seals.authorized, new Date(T0.getTime() + 30_000), ctx)).code).toBe('unknown_key');
  });

  it('starts afresh when an artifact expires, and when the clock goes back', async () => {
    const cache = new VerdictCache(DAY);
    const ctx = await contextAt(T0);
    expect((await cache.verify(edge.seals.authorized, T0, ctx)).code).toBe('authorized');
    const exp = new Date(ctx.statusList!.exp * 1000);
    expect((await cache.verify(edge.seals.authorized, exp, ctx)).code).toBe('cannot_confirm');
    expect((await cache.verify(edge.seals.authorized, T0, ctx)).code).toBe('authorized');
  });
});
