// The in-memory trust cache behind every verdict: how long a publish can stay unseen (P6),
// what a refresh reads, and what the verifier does with lists it cannot stand behind.
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, signerFor, STATUS_LIFETIME_S, type Outcome } from '../../src/core/index.ts';
import { createApp, DEFAULT_TTL_MS, type ArtifactSource, type VerifierDeps } from '../../src/web/index.ts';
import { issue, newKey } from '../support/programme.ts';
import { artifactsOf, edgeWithEveryOutcome, listReads, memorySource, T0, type Artifacts, type Edge } from './fixtures.ts';

let edge: Edge;
const logs: string[] = [];

beforeAll(async () => {
  edge = await edgeWithEveryOutcome();
});

function verifier({ artifacts = edge.artifacts, ...overrides }: Partial<VerifierDeps> & { artifacts?: Artifacts } = {}) {
  const source = memorySource(artifacts);
  let now = T0.getTime();
  const app = createApp({ source, root: edge.rootJwk, clock: () => new Date(now), log: (line) => logs.push(line), ...overrides });
  return {
    source,
    app,
    advance: (ms: number) => {
      now += ms;
    },
    code: async (seal: string): Promise<Outcome> => (await (await app.request(`http://localhost/api/v1/verify?seal=${seal}`)).json()).code,
    page: async (seal: string) => (await app.request(`http://localhost/V/${seal}`)).text(),
    health: async () => {
      const res = await app.request('http://localhost/healthz');
      return { status: res.status, text: await res.text() };
    },
  };
}

describe('P6: a published revocation shows once the TTL has passed', () => {
  it('the production TTL is at most the status list TTL (60 s)', () => {
    expect(DEFAULT_TTL_MS).toBeLessThanOrEqual(60_000);
  });

  it('authorized until the TTL, revoked from then on, page and JSON alike', async () => {
    const v = verifier();
    const seal = edge.seals.authorized;
    expect(await v.code(seal)).toBe('authorized');

    // The office revokes serial 1 and publishes five seconds later.
    const entry = edge.p.entries.get(1)!;
    edge.p.entries.set(1, { ...entry, status: 'revoked', statusReason: '冒用', statusChangedAt: new Date(T0.getTime() + 5000).toISOString() });
    try {
      v.source.artifacts = await artifactsOf(edge.p, { time: new Date(T0.getTime() + 5000) });
    } finally {
      edge.p.entries.set(1, entry);
    }

    v.advance(DEFAULT_TTL_MS - 1);
    expect(await v.code(seal)).toBe('authorized'); // still the cached context: the cache is real
    expect(await v.page(seal)).toContain('data-outcome="authorized"');
    v.advance(1);
    expect(await v.code(seal)).toBe('revoked');
    expect(await v.page(seal)).toContain('data-outcome="revoked"');
  });

  it('a refresh reads the three lists once per TTL, re-verifies only when they change, and a scan reads only its entry', async () => {
    const v = verifier();
    const rebuilds = () => logs.filter((l) => l.startsWith('trust context rebuilt')).length;
    const before = rebuilds();
    await v.code(edge.seals.authorized);
    expect(listReads(v.source)).toBe(3);
    expect([...v.source.reads.keys()].sort()).toEqual(['key-list', 'licence/1/1', 'revision-list', 'status-list']);
    expect(rebuilds()).toBe(before + 1);
    for (let i = 0; i < 5; i++) await v.code(edge.seals.revoked);
    expect(listReads(v.source)).toBe(3);
    expect(v.source.readsOf('licence/')).toBe(2); // serial 1's and serial 3's, once each
    v.advance(DEFAULT_TTL_MS);
    await v.code(edge.seals.authorized);
    expect(listReads(v.source)).toBe(6);
    expect(rebuilds()).toBe(before + 1); // same text: nothing verified again
  });

  it('concurrent requests after the TTL share one refresh, and concurrent scans one entry read', async () => {
    const v = verifier();
    await Promise.all(Array.from({ length: 20 }, () => v.code(edge.seals.authorized)));
    expect(v.source.readsOf('licence/1/1')).toBe(1);
    v.advance(DEFAULT_TTL_MS);
    await Promise.all(Array.from({ length: 20 }, () => v.code(edge.seals.authorized)));
    expect(listReads(v.source)).toBe(6);
    expect(v.source.readsOf('licence/1/1')).toBe(2);
  });
});

describe('stale, refused or missing trust data never says authorized', () => {
  it('past the status list exp with no new publish: cannot_confirm', async () => {
    const v = verifier();
    expect(await v.code(edge.seals.authorized)).toBe('authorized');
    v.advance(STATUS_LIFETIME_S * 1000);
    expect(await v.code(edge.seals.authorized)).toBe('cannot_confirm');
    expect(await v.page(edge.seals.authorized)).toContain('暂无可用的状态数据');
    expect((await v.health()).status).toBe(503);
  });

  it('a key list not signed by the pinned root is ignored', async () => {
    const impostor = await signerFor(await generateKeyPair());
    const forged = await artifactsOf(edge.p, { keyListSigner: impostor });
    const v = verifier({ artifacts: forged });
    expect(await v.code(edge.seals.authorized)).toBe('cannot_confirm');
    const body = await (await v.app.request(`http://localhost/api/v1/verify?seal=${edge.seals.authorized}`)).json();
    expect(body.licence).toBeNull();
    expect(await (await v.app.request('http://localhost/.well-known/jwks.json')).json()).toEqual({ keys: [] });
    expect(await v.health()).toEqual({ status: 503, text: expect.stringContaining('keyList ERR_ARTIFACT_SIGNATURE') });
  });

  it('a key slipped into the store under a forged key list verifies nothing', async () => {
    const intruder = await newKey();
    const impostor = await signerFor(await generateKeyPair());
    const seal = await issue(edge.p, 50, {}, intruder);
    try {
      const forged = await artifactsOf(edge.p, { keyListSigner: impostor, keys: [...edge.p.keys.map((k) => k.record), intruder.record], issuer: intruder });
      const v = verifier({ artifacts: forged });
      expect(await v.code(seal)).toBe('cannot_confirm');
    } finally {
      edge.p.entries.delete(50);
    }
  });

  it('a fresh verifier with a version floor refuses an older key list from the start', async () => {
    // What a new isolate or a restarted server sees if an old, still unexpired list is replayed.
    const v = verifier({ minKeyListVersion: 2 });
    expect(await v.code(edge.seals.authorized)).toBe('cannot_confirm');
    expect(await v.health()).toEqual({ status: 503, text: expect.stringContaining('keyList ERR_KEY_LIST_ROLLBACK') });
    expect(await verifier().code(edge.seals.authorized)).toBe('authorized');
  });

  it('once a key list verified, a refused one does not replace it: no rollback (and /healthz names the refusal)', async () => {
    // v1 trusts key K1; v2 marks K1 compromised and brings K2. Restoring v1 must not revive K1.
    const p = edge.p;
    const k2 = await newKey();
    const v2Keys = [{ ...p.keys[0]!.record, status: 'compromised' as const }, ...p.keys.slice(1).map((k) => k.record), k2.record];
    const v1 = edge.artifacts;
    const v2 = await artifactsOf(p, { version: 2, keys: v2Keys, issuer: k2 });
    const v = verifier({ artifacts: v2 });
    expect(await v.code(edge.seals.authorized)).toBe('key_compromised');
    v.source.artifacts = v1;
    v.advance(DEFAULT_TTL_MS);
    expect(await v.code(edge.seals.authorized)).toBe('key_compromised');
    // Still able to confirm (KV may lag behind a rotation for a minute), but it says what it refused.
    expect(await v.health()).toEqual({ status: 200, text: expect.stringMatching(/^ok: key list v2, .* \(refused: keyList ERR_KEY_LIST_ROLLBACK, statusList ERR_ARTIFACT_KEY_COMPROMISED, revisionList ERR_ARTIFACT_KEY_COMPROMISED\)\n$/) });
    expect(await (await v.app.request('http://localhost/api/v1/key-list')).text()).toBe(v2.texts['key-list']);
    // A forged list is refused the same way, and the good one still stands.
    const forged = await artifactsOf(p, { version: 3, keyListSigner: await signerFor(await generateKeyPair()), bundles: false });
    v.source.artifacts = { texts: { ...v2.texts, 'key-list': forged.texts['key-list']! }, bundles: {} };
    v.advance(DEFAULT_TTL_MS);
    expect(await v.code(edge.seals.authorized)).toBe('key_compromised');
    const k2Seal = await issue(p, 51, {}, k2);
    p.entries.delete(51);
    expect(await v.code(k2Seal)).toBe('cannot_confirm'); // K2 trusted; serial 51 has no entry
  });

  it('no pinned root configured: cannot_confirm, and /healthz says why', async () => {
    for (const root of [null, { kty: 'OKP', crv: 'Ed25519', x: 'short' } as never]) {
      const v = verifier({ root });
      expect(await v.code(edge.seals.authorized)).toBe('cannot_confirm');
      expect(await v.health()).toEqual({ status: 503, text: expect.stringContaining('keyList ERR_KEY_INVALID') });
    }
  });

  it('nothing published: cannot_confirm, still a 200 page', async () => {
    const v = verifier({ artifacts: { texts: {}, bundles: {} } });
    const res = await v.app.request(`http://localhost/V/${edge.seals.authorized}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('data-outcome="cannot_confirm"');
    expect((await v.health()).status).toBe(503);
  });

  /** The store as a KV or a disk that fails while `failing()`. */
  const failingWhile = (failing: () => boolean): ArtifactSource => {
    const good = memorySource(edge.artifacts);
    return {
      getText: async (key) => {
        if (failing()) throw new Error('store down');
        return good.getText(key);
      },
      getBytes: async (key) => {
        if (failing()) throw new Error('store down');
        return good.getBytes(key);
      },
    };
  };

  it('a failing store gives cannot_confirm, and is asked again on the next request', async () => {
    let failing = true;
    const source = failingWhile(() => failing);
    const v = verifier({ source });
    const res = await v.app.request(`http://localhost/V/${edge.seals.authorized}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('data-outcome="cannot_confirm"');
    expect((await v.app.request('http://localhost/api/v1/bundle')).status).toBe(503);
    failing = false;
    expect(await v.code(edge.seals.authorized)).toBe('authorized');
  });

  it('a store that fails after the lists verified keeps the last ones, until they expire', async () => {
    let failing = false;
    const source = failingWhile(() => failing);
    const v = verifier({ source });
    expect(await v.code(edge.seals.authorized)).toBe('authorized');
    failing = true;
    v.advance(DEFAULT_TTL_MS);
    expect(await v.code(edge.seals.authorized)).toBe('authorized'); // its entry is cached too
    // An entry it never read cannot be read now: that licence cannot be confirmed, never a 5xx.
    const res = await v.app.request(`http://localhost/V/${edge.seals.suspended}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('data-outcome="suspended"'); // the status list alone says so
    v.advance(STATUS_LIFETIME_S * 1000);
    expect(await v.code(edge.seals.authorized)).toBe('cannot_confirm');
  });
});

describe('logs', () => {
  it('name versions and codes, never seals or artifact text', () => {
    expect(logs.length).toBeGreaterThan(0);
    const secrets = [...Object.values(edge.seals), ...Object.values(edge.artifacts.texts).map((a) => a.slice(0, 40))];
    for (const line of logs) for (const secret of secrets) expect(line).not.toContain(secret);
  });
});
