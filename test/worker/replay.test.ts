// No going back on Workers: the Durable Object (QDYP_TRUST) holds the newest lists any
// isolate accepted, so a fresh isolate — here a fresh app over the same KV and the same
// object — refuses an older status list, revision list or entry put back into KV, and an
// isolate whose KV still serves the older lists (propagation) takes the newer ones instead.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { licenceEntryKey, publicJwk, rootTrust, signerFor, type LicenceEntry } from '../../src/core/index.ts';
import { createApp, DEFAULT_TTL_MS, parseRootJwk } from '../../src/web/index.ts';
import { workersSource } from '../../src/worker/store.ts';
import { durableKeeper } from '../../src/worker/trust-keeper.ts';
import { issue, newProgramme, revise, T0, type Programme } from '../support/programme.ts';
import { artifactsOf, type Artifacts } from '../web/fixtures.ts';
import { putAll } from './store.ts';

// Later than any other workerd test file publishes, so their lists never outrank these.
const TA = new Date(T0.getTime() + 2 * 24 * 60 * 60 * 1000);
const TB = new Date(TA.getTime() + 5_000);
let p: Programme;
let seals: Record<'revoked' | 'revised' | 'untouched', string>;
let v1: Artifacts;
let v2: Artifacts;

const namespace = () => env.QDYP_TRUST;

beforeAll(async () => {
  const root = inject('workerRoot');
  p = await newProgramme();
  p.root = await rootTrust(publicJwk(root));
  p.rootJwk = publicJwk(root);
  p.rootSigner = await signerFor(root);
  seals = {
    revoked: await issue(p, 1),
    revised: await issue(p, 2, { products: ['海参礼盒', '即食鲍鱼'] }),
    untouched: await issue(p, 3),
  };
  v1 = await artifactsOf(p, { time: TA, bundles: false });
  p.entries.set(1, { ...p.entries.get(1)!, status: 'revoked', statusReason: '冒用授权范围', statusChangedAt: TB.toISOString() });
  revise(p, 1);
  revise(p, 2, { products: ['海参礼盒'] });
  v2 = await artifactsOf(p, { time: TB, bundles: false });
});

type Verdict = { code: string; licence: LicenceEntry | null; statusAsOf: string | null };

/** A fresh app over the real KV and the named Durable Object: what a new isolate starts as. */
function isolate(keeperName: string | null, at = TB.getTime() + 1_000) {
  let now = at;
  const logs: string[] = [];
  const app = createApp({
    source: workersSource(env.QDYP_KV, env.QDYP_BUNDLES),
    keeper: keeperName === null ? undefined : durableKeeper(namespace(), keeperName),
    root: parseRootJwk(env.QDYP_ROOT_JWK),
    clock: () => new Date(now),
    log: (l) => logs.push(l),
  });
  return {
    logs,
    advance: (ms = DEFAULT_TTL_MS) => {
      now += ms;
    },
    verdict: async (seal: string): Promise<Verdict> => (await app.request(`https://verify.example.cn/api/v1/verify?seal=${seal}`)).json(),
    text: async (path: string) => new TextDecoder().decode(await (await app.request(`https://verify.example.cn${path}`)).arrayBuffer()),
  };
}

const putLists = (a: Artifacts, ...keys: string[]) => putAll({ texts: Object.fromEntries(keys.map((k) => [k, a.texts[k]!])), bundles: {} });

describe('with the Durable Object', () => {
  it('a fresh isolate refuses the older status list, revision list and entry put back into KV', async () => {
    const keeper = 'replay-1';
    await putAll(v1);
    const first = isolate(keeper, TA.getTime() + 1_000);
    expect((await first.verdict(seals.revoked)).code).toBe('authorized');
    await putAll(v2);
    first.advance(TB.getTime() - TA.getTime() + DEFAULT_TTL_MS);
    expect((await first.verdict(seals.revoked)).code).toBe('revoked');
    expect(await durableKeeper(namespace(), keeper).load()).toEqual({ keyList: v2.texts['key-list'], statusList: v2.texts['status-list'], revisionList: v2.texts['revision-list'] });

    // The older lists back into KV, and the older entry over the current one.
    await putLists(v1, 'status-list', 'revision-list', 'key-list');
    await env.QDYP_KV.put(licenceEntryKey(2, 2), v1.texts[licenceEntryKey(2, 1)]!);
    const fresh = isolate(keeper);
    expect(await fresh.verdict(seals.revoked)).toMatchObject({ code: 'revoked', statusAsOf: TB.toISOString() });
    expect(await fresh.verdict(seals.revised)).toMatchObject({ code: 'cannot_confirm', licence: null }); // never the wider scope
    expect((await fresh.verdict(seals.untouched)).code).toBe('authorized');
    expect(await fresh.text('/api/v1/status-list')).toBe(v2.texts['status-list']);
    expect(fresh.logs.find((l) => l.startsWith('trust context rebuilt'))).toContain(`status list of ${TB.toISOString()}`);
    // The object still holds the newer lists: the fresh isolate handed back nothing older.
    expect((await durableKeeper(namespace(), keeper).load()).statusList).toBe(v2.texts['status-list']);

    // The running isolate refuses them too (its memory floor), and shows the current entry once it is back.
    await env.QDYP_KV.put(licenceEntryKey(2, 2), v2.texts[licenceEntryKey(2, 2)]!);
    first.advance();
    expect((await first.verdict(seals.revoked)).code).toBe('revoked');
    expect((await first.verdict(seals.revised)).licence!.products).toEqual(['海参礼盒']);
  });

  it('an isolate whose KV still serves the older lists takes the newer ones from the object, without a cannot_confirm', async () => {
    const keeper = 'replay-2';
    await putAll(v2);
    expect((await isolate(keeper).verdict(seals.revoked)).code).toBe('revoked'); // hands v2 to the object
    await putLists(v1, 'status-list', 'revision-list', 'key-list'); // as a lagging KV location would serve
    const lagging = isolate(keeper);
    expect((await lagging.verdict(seals.revoked)).code).toBe('revoked');
    expect((await lagging.verdict(seals.revised)).licence!.products).toEqual(['海参礼盒']);
    expect((await lagging.verdict(seals.untouched)).code).toBe('authorized');
  });

  it('without the object (what remains when it cannot be reached), a fresh isolate has only KV to go on', async () => {
    await putAll(v2);
    await putLists(v1, 'status-list', 'revision-list');
    // The documented window: the older list is within its own exp, and nothing here saw a newer one.
    expect((await isolate(null).verdict(seals.revoked)).code).toBe('authorized');
  });

  it('the object replaces a list only with a newer one, and ignores what is not a list', async () => {
    const keeper = durableKeeper(namespace(), 'replay-3');
    await keeper.keep({ statusList: v2.texts['status-list'], revisionList: v1.texts['revision-list'] });
    await keeper.keep({ statusList: v1.texts['status-list'], revisionList: v2.texts['revision-list'] });
    await keeper.keep({ keyList: 'garbage', statusList: v2.texts['revision-list'] /* a list of another typ */ });
    expect(await keeper.load()).toEqual({ statusList: v2.texts['status-list'], revisionList: v2.texts['revision-list'] });
    // An isolate that already holds a list as new is not sent it again (a large revision list need not travel every TTL).
    const tb = Math.floor(TB.getTime() / 1000);
    expect(await keeper.load({ statusList: [0, tb], revisionList: [0, tb - 1] })).toEqual({ revisionList: v2.texts['revision-list'] });
    expect(await keeper.load({ statusList: [0, tb], revisionList: [0, tb] })).toEqual({});
  });
});
