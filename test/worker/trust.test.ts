// The app over real KV inside workerd with a clock the test controls (createApp, as the Worker
// entry builds it, but with a fake clock and no keeper): P6 at the production TTL, and a key
// list that the pinned root (QDYP_ROOT_JWK) did not sign.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { generateKeyPair, signerFor } from '../../src/core/index.ts';
import { createApp, DEFAULT_TTL_MS, parseRootJwk } from '../../src/web/index.ts';
import { workersSource } from '../../src/worker/store.ts';
import { artifactsOf, edgeWithEveryOutcome, T0, type Edge } from '../web/fixtures.ts';
import { putAll } from './store.ts';

let edge: Edge;

function kvVerifier() {
  let now = T0.getTime();
  const app = createApp({ source: workersSource(env.QDYP_KV, env.QDYP_BUNDLES), root: parseRootJwk(env.QDYP_ROOT_JWK), clock: () => new Date(now), log: () => {} });
  return {
    advance: (ms: number) => {
      now += ms;
    },
    now: () => new Date(now),
    code: async (seal: string) => ((await (await app.request(`https://verify.example.cn/api/v1/verify?seal=${seal}`)).json()) as { code: string }).code,
    page: async (seal: string) => (await app.request(`https://verify.example.cn/V/${seal}`)).text(),
  };
}

beforeAll(async () => {
  edge = await edgeWithEveryOutcome(inject('workerRoot'));
});

describe('P6 over KV with the production TTL', () => {
  it('a revocation published to KV shows as revoked once the TTL has passed, and not before', async () => {
    await putAll(edge.artifacts);
    const v = kvVerifier();
    const seal = edge.seals.authorized;
    expect(await v.code(seal)).toBe('authorized');

    v.advance(10_000);
    const entry = edge.p.entries.get(1)!;
    edge.p.entries.set(1, { ...entry, status: 'revoked', statusReason: '冒用', statusChangedAt: v.now().toISOString() });
    await putAll(await artifactsOf(edge.p, { time: v.now(), bundles: false }));
    edge.p.entries.set(1, entry);

    v.advance(DEFAULT_TTL_MS - 10_000 - 1);
    expect(await v.code(seal)).toBe('authorized');
    expect(await v.page(seal)).toContain('data-outcome="authorized"');
    v.advance(1);
    expect(await v.code(seal)).toBe('revoked');
    expect(await v.page(seal)).toContain('data-outcome="revoked"');
  });
});

describe('a key list not signed by the pinned root', () => {
  it('is ignored: nothing it lists is trusted', async () => {
    const impostor = await signerFor(await generateKeyPair());
    await putAll(await artifactsOf(edge.p, { keyListSigner: impostor, bundles: false }));
    const v = kvVerifier();
    for (const outcome of ['authorized', 'suspended', 'revoked'] as const) {
      expect(await v.code(edge.seals[outcome])).toBe('cannot_confirm');
      expect(await v.page(edge.seals[outcome])).not.toContain('青岛海滨食品有限公司');
    }
  });

  it('does not replace one the root did sign', async () => {
    await putAll(edge.artifacts);
    const v = kvVerifier();
    expect(await v.code(edge.seals.authorized)).toBe('authorized');
    const impostor = await signerFor(await generateKeyPair());
    await putAll(await artifactsOf(edge.p, { keyListSigner: impostor, version: 9, bundles: false }));
    v.advance(DEFAULT_TTL_MS);
    expect(await v.code(edge.seals.authorized)).toBe('authorized');
  });
});
