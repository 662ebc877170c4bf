// Licence entries as the verifier reads them: only after a seal's signature held, one store
// read per TTL at most (missing ones too), a bad entry never more than its own licence's
// cannot_confirm, and a byte budget on what is kept.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createSeal,
  licenceEntryKey,
  MAX_LICENCE_ENTRY_BYTES,
  signJws,
  signLicenceEntry,
  TYP,
  buildTrustContext,
  type TrustedKeyList,
} from '../../src/core/index.ts';
import { EntryCache } from '../../src/web/entry-cache.ts';
import { createApp, DEFAULT_TTL_MS } from '../../src/web/index.ts';
import { entry, issue, newKey, newProgramme, type Programme, type TestKey } from '../support/programme.ts';
import { artifactsOf, memorySource, T0, type Artifacts } from './fixtures.ts';

let p: Programme;
let artifacts: Artifacts;
let stranger: TestKey;
const seals: Record<string, string> = {};

beforeAll(async () => {
  p = await newProgramme();
  stranger = await newKey();
  for (const [name, serial] of [['good', 1], ['missing', 2], ['oversized', 3], ['unlisted', 4], ['wrongTyp', 5], ['otherSerial', 6], ['garbage', 7], ['revokedBad', 8]] as const) {
    seals[name] = await issue(p, serial, serial === 8 ? { status: 'revoked', statusReason: '冒用', statusChangedAt: T0.toISOString() } : {});
  }
  artifacts = await artifactsOf(p, { bundles: false });
  const key = p.keys[0]!;
  const t = artifacts.texts;
  const at = (serial: number) => ({ serial, rev: 1, time: T0 });
  delete t[licenceEntryKey(2, 1)];
  t[licenceEntryKey(3, 1)] = await signLicenceEntry(entry(3, { products: ['x'.repeat(MAX_LICENCE_ENTRY_BYTES)] }), at(3), key.signer);
  t[licenceEntryKey(4, 1)] = await signLicenceEntry(entry(4), at(4), stranger.signer);
  t[licenceEntryKey(5, 1)] = await signJws({ iss: 'qdyp', iat: Math.floor(T0.getTime() / 1000), serial: 5, rev: 1, licence: entry(5) }, TYP.licence, key.signer);
  t[licenceEntryKey(6, 1)] = t[licenceEntryKey(1, 1)]!;
  t[licenceEntryKey(7, 1)] = 'not a JWS at all';
  t[licenceEntryKey(8, 1)] = t[licenceEntryKey(4, 1)]!;
});

function verifier(source = memorySource(artifacts)) {
  let now = T0.getTime();
  const logs: string[] = [];
  const app = createApp({ source, root: p.rootJwk, clock: () => new Date(now), log: (l) => logs.push(l) });
  return {
    source,
    logs,
    advance: (ms: number) => {
      now += ms;
    },
    get: async (path: string) => {
      const res = await app.request(`http://localhost${path}`);
      return { status: res.status, text: await res.text() };
    },
    verdict: async (seal: string) => (await app.request(`http://localhost/api/v1/verify?seal=${seal}`)).json() as Promise<{ code: string; licence: unknown }>,
  };
}

describe('a bad or missing entry', () => {
  it.each([
    ['missing', 'is not published'],
    ['oversized', 'refused (ERR_ARTIFACT_TOO_LARGE)'],
    ['unlisted', 'refused (ERR_ARTIFACT_UNKNOWN_KEY)'],
    ['wrongTyp', 'refused (ERR_ARTIFACT_TYPE)'],
    ['otherSerial', 'refused (ERR_ENTRY_MISMATCH)'],
    ['garbage', 'refused (ERR_ARTIFACT_MALFORMED)'],
  ])('%s: cannot_confirm (page 200, never a 5xx), and the other licences are unaffected', async (name, logged) => {
    const v = verifier();
    expect(await v.verdict(seals[name]!)).toMatchObject({ code: 'cannot_confirm', licence: null });
    const page = await v.get(`/V/${seals[name]}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-outcome="cannot_confirm"');
    expect(v.logs.some((l) => l.includes(logged) && /^licence entry \d+\/1 /.test(l))).toBe(true);
    expect((await v.verdict(seals.good!)).code).toBe('authorized');
  });

  it('a revoked licence with a bad entry is still revoked, without details', async () => {
    expect(await verifier().verdict(seals.revokedBad!)).toMatchObject({ code: 'revoked', licence: null });
  });

  it('a missing entry is read from the store once per TTL, however many scans', async () => {
    const v = verifier();
    // Distinct seals of the one licence (other horizons), so no verdict is reused.
    const key = p.keys[0]!;
    const more = await Promise.all(['2035-01-01', '2035-01-02', '2035-01-03'].map((horizon) => createSeal({ serial: 2, horizon }, key.signer)));
    for (let i = 0; i < 10; i++) for (const seal of [seals.missing!, ...more]) expect((await v.verdict(seal)).code).toBe('cannot_confirm');
    await Promise.all(Array.from({ length: 20 }, () => v.verdict(more[0]!)));
    expect(v.source.readsOf(licenceEntryKey(2, 1))).toBe(1);
    v.advance(DEFAULT_TTL_MS - 1);
    for (const seal of more) await v.verdict(seal);
    expect(v.source.readsOf(licenceEntryKey(2, 1))).toBe(1);
    v.advance(1);
    for (let i = 0; i < 10; i++) for (const seal of more) await v.verdict(seal);
    expect(v.source.readsOf(licenceEntryKey(2, 1))).toBe(2);
  });

  it('published late (KV not yet caught up), it is found within a TTL', async () => {
    const source = memorySource(artifacts);
    const v = verifier(source);
    expect((await v.verdict(seals.missing!)).code).toBe('cannot_confirm');
    source.artifacts.texts[licenceEntryKey(2, 1)] = await signLicenceEntry(entry(2), { serial: 2, rev: 1, time: T0 }, p.keys[0]!.signer);
    v.advance(DEFAULT_TTL_MS);
    expect((await v.verdict(seals.missing!)).code).toBe('authorized');
  });
});

describe('forged and random seals cost no entry read', () => {
  it('a bad signature, an unknown key, garbage: the store is asked for lists only', async () => {
    const v = verifier();
    const forged = seals.good!.slice(0, -2) + (seals.good!.endsWith('AA') ? 'BB' : 'AA');
    const unknown = await createSeal({ serial: 1, horizon: '2040-01-01' }, stranger.signer);
    const impostor = await createSeal({ serial: 2, horizon: '2040-01-01' }, { ...stranger.signer, sid: p.keys[0]!.signer.sid });
    for (const seal of [forged, unknown, impostor, 'A'.repeat(100), 'B'.repeat(120)]) {
      expect(['bad_signature', 'unknown_key', 'malformed']).toContain((await v.verdict(seal)).code);
    }
    expect(v.source.readsOf('licence/')).toBe(0);
  });
});

describe('EntryCache', () => {
  let keyList: TrustedKeyList;
  beforeAll(async () => {
    keyList = (await buildTrustContext({ keyList: artifacts.texts['key-list'] }, { root: p.root })).keyList!;
  });

  function cache(budgetBytes: number) {
    const source = memorySource(artifacts);
    let now = T0.getTime();
    const c = new EntryCache({ source, budgetBytes, ttlMs: DEFAULT_TTL_MS, clock: () => new Date(now), log: () => {} });
    return { c, source, lookup: c.lookup(keyList), advance: (ms: number) => (now += ms) };
  }

  it('keeps entries within its byte budget, dropping the least recently used', async () => {
    const { source } = cache(0);
    for (const serial of [10, 11, 12]) {
      source.artifacts.texts[licenceEntryKey(serial, 1)] = await signLicenceEntry(entry(serial), { serial, rev: 1, time: T0 }, p.keys[0]!.signer);
    }
    const size = source.artifacts.texts[licenceEntryKey(10, 1)]!.length;
    const small = new EntryCache({ source, budgetBytes: Math.floor(size * 2.5), ttlMs: DEFAULT_TTL_MS, clock: () => T0, log: () => {} });
    const get = small.lookup(keyList).get;
    await get(10, 1);
    await get(11, 1);
    expect(small.bytes).toBe(2 * size);
    await get(10, 1); // a hit: 10 is now the most recently used
    await get(12, 1); // over budget: 11 goes
    expect(small.bytes).toBe(2 * size);
    await get(10, 1);
    await get(12, 1);
    expect([10, 11, 12].map((serial) => source.readsOf(licenceEntryKey(serial, 1)))).toEqual([1, 1, 1]);
    await get(11, 1);
    expect(source.readsOf(licenceEntryKey(11, 1))).toBe(2);
    expect(small.bytes).toBeLessThanOrEqual(Math.floor(size * 2.5));
  });

  it('an entry larger than the whole budget is verified and served, not kept', async () => {
    const { c, source, lookup } = cache(100);
    expect(await lookup.get(1, 1)).not.toBeNull();
    expect(await lookup.get(1, 1)).not.toBeNull();
    expect(c.bytes).toBe(0);
    expect(source.readsOf(licenceEntryKey(1, 1))).toBe(2);
  });

  it('starts afresh under another key list', async () => {
    const { c, source, lookup } = cache(1 << 20);
    await lookup.get(1, 1);
    const next = c.lookup({ ...keyList, version: keyList.version + 1 });
    expect(c.bytes).toBe(0);
    await next.get(1, 1);
    expect(source.readsOf(licenceEntryKey(1, 1))).toBe(2);
    expect(await c.lookup(null).get(1, 1)).toBeNull();
  });
});
