// The reports inbox inside workerd over the real bindings: D1 (QDYP_REPORTS, migrated as
// wrangler would), R2 (QDYP_PHOTOS), KV for the published lists and the trust keeper Durable
// Object — createApp as the Worker entry builds it, with a clock the test controls.
import { applyD1Migrations, env } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp, DEFAULT_TTL_MS, parseRootJwk } from '../../src/web/index.ts';
import { workersInbox } from '../../src/worker/report-inbox.ts';
import { workersSource } from '../../src/worker/store.ts';
import { durableRates } from '../../src/worker/throttle.ts';
import { durableKeeper } from '../../src/worker/trust-keeper.ts';
import { edgeWithEveryOutcome, T0, type Edge } from '../web/fixtures.ts';
import { inspectorToken, officeAuth, png, reportInit, revokedList } from '../support/reports.ts';
import { putAll } from './store.ts';

let edge: Edge;
let keeperName = 0;
const URL_BASE = 'https://verify.example.cn';

function verifier(start = T0.getTime(), keeper = `reports-${++keeperName}`) {
  let now = start;
  const app = createApp({
    source: workersSource(env.QDYP_KV, env.QDYP_BUNDLES),
    keeper: durableKeeper(env.QDYP_TRUST, keeper),
    root: parseRootJwk(env.QDYP_ROOT_JWK),
    clock: () => new Date(now),
    log: () => {},
    inbox: workersInbox(env.QDYP_REPORTS, env.QDYP_PHOTOS),
    // The throttle object as the Worker entry uses it, under instances of this verifier's own.
    rateLimit: durableRates(env.QDYP_THROTTLE, `throttle-${keeper}`),
  });
  return {
    keeper,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => new Date(now),
    fetch: (path: string, init?: RequestInit) => app.request(`${URL_BASE}${path}`, init),
  };
}

const signer = () => edge.p.keys[0]!.signer;
const row = (id: string) => env.QDYP_REPORTS.prepare('SELECT * FROM reports WHERE id = ?').bind(id).first<Record<string, unknown>>();
const rowCount = async () => (await env.QDYP_REPORTS.prepare('SELECT COUNT(*) AS n FROM reports').first<{ n: number }>())!.n;
const photoCount = async () => (await env.QDYP_PHOTOS.list({ prefix: 'pending/' })).objects.length;

beforeAll(async () => {
  await applyD1Migrations(env.QDYP_REPORTS, env.TEST_MIGRATIONS);
  edge = await edgeWithEveryOutcome(inject('workerRoot'));
  await putAll({ texts: { ...edge.artifacts.texts }, bundles: {} });
  await env.QDYP_KV.put('revoked-inspectors', await revokedList(signer(), 1, [], T0));
});

describe('POST /api/v1/reports', () => {
  it('throttles one inspector (60 a minute: 429 with Retry-After) through the throttle object, not another', async () => {
    const v = verifier();
    const { token } = await inspectorToken(signer(), T0);
    const other = await inspectorToken(signer(), T0, 'P7R2WXC4DN');
    const report = { seal: edge.seals.authorized, outcome: 'authorized', idempotencyKey: 'throttle-1' };
    expect((await v.fetch('/api/v1/reports', reportInit(token, report))).status).toBe(201);
    // Retries count too: each is a request the inspector made.
    for (let i = 1; i < 60; i++) expect((await v.fetch('/api/v1/reports', reportInit(token, report))).status).toBe(200);
    const refused = await v.fetch('/api/v1/reports', reportInit(token, report));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(await refused.json()).toMatchObject({ error: 'too_many_requests' });
    expect((await v.fetch('/api/v1/reports', reportInit(other.token, { ...report, idempotencyKey: 'throttle-2' }))).status).toBe(201);
    v.advance(60_000);
    expect((await v.fetch('/api/v1/reports', reportInit(token, report))).status).toBe(200);
  });

  it('a report with a photo lands in D1 and R2; a retry with the same key is stored once', async () => {
    const v = verifier();
    const { token, sub } = await inspectorToken(signer(), T0);
    const photo = png();
    const report = { seal: `${URL_BASE}/V/${edge.seals.authorized}`, outcome: 'authorized', place: '台东三路 88 号', note: '包装像是复印的', observedAt: T0.toISOString(), idempotencyKey: 'retry-1' };
    const first = await v.fetch('/api/v1/reports', reportInit(token, report, photo));
    expect(first.status).toBe(201);
    expect(first.headers.get('set-cookie')).toBeNull();
    const { id } = (await first.json()) as { id: string };
    const stored = await row(id);
    expect(stored).toMatchObject({ source: 'inspector', inspector_id: sub, seal: edge.seals.authorized, serial: 1, outcome: 'authorized', place: '台东三路 88 号', photo_key: `pending/${id}`, photo_type: 'image/png' });
    const object = await env.QDYP_PHOTOS.get(`pending/${id}`);
    expect(new Uint8Array(await object!.arrayBuffer())).toEqual(photo);

    const rows = await rowCount();
    const again = await v.fetch('/api/v1/reports', reportInit(token, report, photo));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ id });
    expect(await rowCount()).toBe(rows);
  });

  it('a JSON report without photo: 201, the seal stored as its text', async () => {
    const v = verifier();
    const { token } = await inspectorToken(signer(), T0);
    const res = await v.fetch('/api/v1/reports', reportInit(token, { seal: edge.seals.revoked, outcome: 'revoked' }));
    expect(res.status).toBe(201);
    expect(await row(((await res.json()) as { id: string }).id)).toMatchObject({ seal: edge.seals.revoked, serial: 3, photo_key: null });
  });

  it('a revoked token gets 403, and an older list put back into KV does not un-revoke it, even for a fresh verifier', async () => {
    const v = verifier();
    const { token, jti } = await inspectorToken(signer(), T0);
    const report = { seal: edge.seals.authorized, outcome: 'authorized' };
    expect((await v.fetch('/api/v1/reports', reportInit(token, report))).status).toBe(201);

    const older = await env.QDYP_KV.get('revoked-inspectors');
    await env.QDYP_KV.put('revoked-inspectors', await revokedList(signer(), 2, [jti], v.now()));
    v.advance(DEFAULT_TTL_MS);
    const rows = await rowCount();
    const refused = await v.fetch('/api/v1/reports', reportInit(token, report));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'token_revoked' });

    await env.QDYP_KV.put('revoked-inspectors', older!);
    v.advance(DEFAULT_TTL_MS);
    expect((await v.fetch('/api/v1/reports', reportInit(token, report))).status).toBe(403);
    // A new isolate with the same keeper (the Durable Object) never goes back either.
    const fresh = verifier(v.now().getTime(), v.keeper);
    expect((await fresh.fetch('/api/v1/reports', reportInit(token, report))).status).toBe(403);
    expect(await rowCount()).toBe(rows);
    await env.QDYP_KV.put('revoked-inspectors', await revokedList(signer(), 2, [jti], v.now()));
  });

  it('refuses bad input with its code, and stores nothing', async () => {
    const v = verifier();
    const { token } = await inspectorToken(signer(), T0);
    const good = { seal: edge.seals.authorized, outcome: 'authorized' };
    const rows = await rowCount();
    const photos = await photoCount();
    const cases: [RequestInit, number, string][] = [
      [reportInit(null, good), 401, 'token_missing'],
      [reportInit('not.a.token', good), 401, 'token_invalid'],
      [reportInit((await inspectorToken(edge.p.keys[1]!.signer, T0)).token, good), 401, 'token_invalid'], // a compromised key
      [{ ...reportInit(token, good), headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' } }, 415, 'unsupported_media_type'],
      [reportInit(token, { ...good, note: 'x'.repeat(20_000) }), 413, 'too_large'],
      [reportInit(token, { outcome: 'authorized' }), 400, 'seal_missing'],
      [reportInit(token, { ...good, outcome: 'fake' }), 400, 'bad_outcome'],
      [reportInit(token, { ...good, place: 'a\u202eb' }), 400, 'bad_place'],
      [reportInit(token, { ...good, note: 'line\nbreak' }), 400, 'bad_note'],
      [reportInit(token, { ...good, seal: 'NOT A SEAL%' }), 400, 'bad_seal'],
      [reportInit(token, { ...good, extra: 1 }), 400, 'unknown_field'],
      [reportInit(token, { ...good, note: 'n'.repeat(501) }), 400, 'note_too_long'],
      [reportInit(token, { ...good, observedAt: new Date(T0.getTime() + 10 * 60_000).toISOString() }), 400, 'observed_in_future'],
      [reportInit(token, { ...good, observedAt: 'yesterday' }), 400, 'bad_observed_at'],
      [reportInit(token, { ...good, idempotencyKey: 'has space' }), 400, 'bad_idempotency_key'],
      [reportInit(token, { outcome: 'no_seal', place: '市场' }), 400, 'no_seal_needs_place_and_photo'],
      [reportInit(token, good, new TextEncoder().encode('GIF89a not a photo at all'), 'image/gif'), 415, 'unsupported_photo'],
      [reportInit(token, good, png(640, 480, 5 * 1024 * 1024)), 413, 'photo_too_large'],
      [reportInit(token, good, png(640, 480, 6 * 1024 * 1024)), 413, 'too_large'], // the body cap, before any parsing
    ];
    for (const [init, status, error] of cases) {
      const res = await v.fetch('/api/v1/reports', init);
      expect([res.status, ((await res.json()) as { error: string }).error], error).toEqual([status, error]);
    }
    expect(await rowCount()).toBe(rows);
    expect(await photoCount()).toBe(photos);
  });

  it('no_seal with a place and a photo is taken; a wrong method is 405', async () => {
    const v = verifier();
    const { token } = await inspectorToken(signer(), T0);
    const res = await v.fetch('/api/v1/reports', reportInit(token, { outcome: 'no_seal', place: '即墨路小商品市场' }, png()));
    expect(res.status).toBe(201);
    expect(await row(((await res.json()) as { id: string }).id)).toMatchObject({ seal: null, serial: null, outcome: 'no_seal' });
    const put = await v.fetch('/api/v1/reports', { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
  });
});

describe('a verifier with no inbox', () => {
  it('answers every report route 503 reports_unavailable, with Retry-After', async () => {
    const app = createApp({ source: workersSource(env.QDYP_KV, env.QDYP_BUNDLES), root: parseRootJwk(env.QDYP_ROOT_JWK), clock: () => T0, log: () => {} });
    const { token } = await inspectorToken(signer(), T0);
    for (const [path, init] of [['/api/v1/reports', reportInit(token, { seal: edge.seals.authorized, outcome: 'authorized' })], ['/api/v1/reports?after=0', {}]] as const) {
      const res = await app.request(`${URL_BASE}${path}`, init);
      expect([res.status, res.headers.get('retry-after'), ((await res.json()) as { error: string }).error]).toEqual([503, '30', 'reports_unavailable']);
    }
  });
});

describe('the office pulls and acknowledges', () => {
  it('pull with a signed request; a replayed nonce and a wrong path are refused; ack deletes the photo', async () => {
    const v = verifier();
    const { token } = await inspectorToken(signer(), T0);
    const filed = await v.fetch('/api/v1/reports', reportInit(token, { seal: edge.seals.suspended, outcome: 'suspended' }, png()));
    const { id } = (await filed.json()) as { id: string };

    const path = '/api/v1/reports?after=0&limit=500';
    const auth = await officeAuth(signer(), 'GET', path, v.now());
    const pulled = await v.fetch(path, { headers: { authorization: auth } });
    expect(pulled.status).toBe(200);
    const body = (await pulled.json()) as { reports: { id: string; cursor: number; hasPhoto: boolean }[]; cursor: number };
    const mine = body.reports.find((r) => r.id === id)!;
    expect(mine).toMatchObject({ id, source: 'inspector', seal: edge.seals.suspended, serial: 2, outcome: 'suspended', hasPhoto: true, count: 1 });
    expect(body.cursor).toBe(body.reports.at(-1)!.cursor);

    expect((await v.fetch(path, { headers: { authorization: auth } })).status).toBe(401); // replayed
    expect((await v.fetch('/api/v1/reports?after=1&limit=500', { headers: { authorization: await officeAuth(signer(), 'GET', path, v.now()) } })).status).toBe(401);
    expect((await v.fetch(path)).status).toBe(401);
    expect((await v.fetch(path, { headers: { authorization: await officeAuth(edge.p.keys[1]!.signer, 'GET', path, v.now()) } })).status).toBe(401);

    const photoPath = `/api/v1/reports/${id}/photo`;
    const photo = await v.fetch(photoPath, { headers: { authorization: await officeAuth(signer(), 'GET', photoPath, v.now()) } });
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await photo.arrayBuffer())).toEqual(png());

    // The cursor is bound by the signature: a body that says another cursor is refused.
    const ackPath = `/api/v1/reports/ack?cursor=${mine.cursor}`;
    const moved = await v.fetch(ackPath, {
      method: 'POST',
      headers: { authorization: await officeAuth(signer(), 'POST', ackPath, v.now()), 'content-type': 'application/json' },
      body: JSON.stringify({ cursor: mine.cursor + 5 }),
    });
    expect(moved.status).toBe(400);
    expect(await env.QDYP_PHOTOS.get(`pending/${id}`)).not.toBeNull();
    const ack = await v.fetch(ackPath, {
      method: 'POST',
      headers: { authorization: await officeAuth(signer(), 'POST', ackPath, v.now()), 'content-type': 'application/json' },
      body: JSON.stringify({ cursor: mine.cursor }),
    });
    expect(ack.status).toBe(200);
    expect(await env.QDYP_PHOTOS.get(`pending/${id}`)).toBeNull();
    expect(await row(id)).toMatchObject({ photo_key: null });
    const gone = await v.fetch(photoPath, { headers: { authorization: await officeAuth(signer(), 'GET', photoPath, v.now()) } });
    expect(gone.status).toBe(404);
  });

  it('ack sweeps a photo no row names (a crash between the two writes), after the grace period', async () => {
    await env.QDYP_PHOTOS.put('pending/orphan-from-a-crash', png());
    const v = verifier(Date.now() + 2 * 60 * 60 * 1000);
    const ack = await v.fetch('/api/v1/reports/ack?cursor=0', {
      method: 'POST',
      headers: { authorization: await officeAuth(signer(), 'POST', '/api/v1/reports/ack?cursor=0', v.now()), 'content-type': 'application/json' },
      body: JSON.stringify({ cursor: 0 }),
    });
    expect(ack.status).toBe(200);
    expect(await env.QDYP_PHOTOS.get('pending/orphan-from-a-crash')).toBeNull();
  });
});
