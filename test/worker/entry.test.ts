// The real Worker entry (SELF) inside workerd, reading real KV and R2 and keeping its lists in
// the real Durable Object, pinned to the root key that vitest.config.ts made for this run
// (QDYP_ROOT_JWK). The clock is vitest's fake Date: the Worker runs in the tests' isolate, so
// it sees the same time.
import { env, SELF } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { MESSAGES, OUTCOMES } from '../../src/core/index.ts';
import { DEFAULT_TTL_MS } from '../../src/web/index.ts';
import { artifactsOf, edgeWithEveryOutcome, T0, type Edge } from '../web/fixtures.ts';
import { putAll } from './store.ts';

let edge: Edge;
const ORIGIN = 'https://verify.example.cn';

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  edge = await edgeWithEveryOutcome(inject('workerRoot'));
  await putAll(edge.artifacts);
});

afterAll(() => {
  vi.useRealTimers();
});

const fetchText = async (path: string, init?: RequestInit) => {
  const res = await SELF.fetch(`${ORIGIN}${path}`, init);
  // Decoded by hand: workerd warns when .text() meets a JWT content type.
  return { status: res.status, headers: res.headers, text: new TextDecoder().decode(await res.arrayBuffer()) };
};

describe('the Worker entry', () => {
  it('is pinned to QDYP_ROOT_JWK and names the official origin from QDYP_VERIFY_ORIGIN', async () => {
    const health = await fetchText('/healthz');
    expect(health).toMatchObject({ status: 200, text: `ok: key list v1, status as of ${T0.toISOString()}, revisions as of ${T0.toISOString()}\n` });
    const page = await SELF.fetch(`https://qdyp-verifier.example.workers.dev/V/${edge.seals.authorized}`);
    expect(await page.text()).toContain('<p class="domain">verify.example.cn</p>');
  });

  it('renders every outcome, and the JSON API agrees with the page', async () => {
    for (const outcome of OUTCOMES) {
      const page = await fetchText(`/V/${edge.seals[outcome]}`);
      expect(page.status, outcome).toBe(200);
      expect(page.text).toContain(`data-outcome="${outcome}"`);
      expect(page.text).toContain(`<h1>${MESSAGES['zh-CN'].outcomes[outcome].title}</h1>`);
      const en = await fetchText(`/v/${edge.seals[outcome].toLowerCase()}`, { headers: { 'accept-language': 'en' } });
      expect(en.text).toContain(`<h1>${MESSAGES.en.outcomes[outcome].title}</h1>`);
      const api = await SELF.fetch(`${ORIGIN}/api/v1/verify?seal=${edge.seals[outcome]}`);
      expect(api.headers.get('access-control-allow-origin')).toBe('*');
      const body = await api.json<{ code: string; licence: { number: string } | null; checkedAt: string }>();
      expect(body.code).toBe(outcome);
      expect(body.checkedAt).toBe(T0.toISOString());
      if (body.licence) expect(page.text).toContain(`<dd>${body.licence.number}</dd>`);
      else expect(page.text).not.toContain('QDYP-2026-');
    }
  });

  it('says a revoked licence is revoked when its entry is missing', async () => {
    const page = await fetchText(`/V/${edge.revokedWithoutEntry}`);
    expect(page.text).toContain('data-outcome="revoked"');
    expect(page.text).toContain('data-details="unconfirmed"');
  });

  it('serves the accepted lists from KV and the bundles from R2', async () => {
    expect((await fetchText('/api/v1/key-list')).text).toBe(edge.artifacts.texts['key-list']);
    expect((await fetchText('/api/v1/status-list')).text).toBe(edge.artifacts.texts['status-list']);
    expect((await fetchText('/api/v1/revision-list')).text).toBe(edge.artifacts.texts['revision-list']);
    for (const [query, key] of [['', 'bundle'], ['?region=370211', 'bundle/370211']] as const) {
      const res = await SELF.fetch(`${ORIGIN}/api/v1/bundle${query}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/gzip');
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(edge.artifacts.bundles[key]);
    }
    expect((await fetchText('/api/v1/bundle?region=370212')).status).toBe(404);
    expect((await fetchText('/api/v1/bundle?region=x')).status).toBe(400);
    const jwks = JSON.parse((await fetchText('/.well-known/jwks.json')).text);
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([edge.p.keys[0]!.record.kid]);
  });

  it('sends the security headers', async () => {
    const { headers } = await fetchText(`/V/${edge.seals.authorized}`);
    expect(headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=';/);
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('cache-control')).toBe('no-cache');
    expect(headers.get('set-cookie')).toBeNull();
  });

  it('answers garbage with a 4xx', async () => {
    const cases: [string, RequestInit | undefined, number][] = [
      [`/V/${'A'.repeat(300)}`, undefined, 400],
      ['/V/%FF%00%3Cscript%3E', undefined, 400],
      ['/api/v1/verify', undefined, 400],
      [`/api/v1/verify?seal=${'A'.repeat(257)}`, undefined, 400],
      ['/api/v1/verify?seal=%FF%FE', undefined, 200],
      ['/api/v1/verify?seal=x', { method: 'POST', body: 'x' }, 405],
      [`/V/${edge.seals.authorized}`, { method: 'DELETE' }, 405],
      ['/no/such/page', undefined, 404],
      [`/no/such/page?${'q=%00'.repeat(2000)}`, undefined, 404],
      // The home page ignores any query (and echoes none of it).
      [`/?${'q=%00'.repeat(2000)}`, undefined, 200],
    ];
    for (const [path, init, status] of cases) {
      const res = await fetchText(path, init);
      expect(res.status, path.slice(0, 40)).toBe(status);
      expect(res.text).not.toMatch(/Error:|\bat .*\.(ts|js):\d+/);
    }
  });

  // Last: it republishes. P6 through the real entry, with the production TTL.
  it('shows a published revocation once the TTL has passed, not before', async () => {
    const seal = edge.seals.authorized;
    const code = async () => (await (await SELF.fetch(`${ORIGIN}/api/v1/verify?seal=${seal}`)).json<{ code: string }>()).code;
    expect(await code()).toBe('authorized');
    const entry = edge.p.entries.get(1)!;
    edge.p.entries.set(1, { ...entry, status: 'revoked', statusReason: '冒用', statusChangedAt: new Date(Date.now()).toISOString() });
    // Dated after the lists it replaces, as the publisher always dates changed lists (a list
    // with the same time as the accepted one never replaces it).
    await putAll(await artifactsOf(edge.p, { time: new Date(Date.now() + 1000), bundles: false }));
    edge.p.entries.set(1, entry);
    vi.setSystemTime(Date.now() + DEFAULT_TTL_MS - 1);
    expect(await code()).toBe('authorized');
    vi.setSystemTime(Date.now() + 1);
    expect(await code()).toBe('revoked');
    expect((await fetchText(`/V/${seal}`)).text).toContain('data-outcome="revoked"');
  });
});
