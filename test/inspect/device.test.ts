// The inspector device's trust state, without a browser: what a sync accepts, what it refuses
// (and that a refusal keeps the last good data), the floors it never goes below, and the clock
// it trusts. The page stores the same records in IndexedDB (test/e2e/inspect.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, STATUS_LIFETIME_S } from '../../src/core/index.ts';
import { BUNDLE_REFRESH_MS, Device, trustedNow, type DeviceStore } from '../../src/inspect/device.ts';
import { classifyCode, judgeOnDevice, judgeOnline } from '../../src/inspect/judge.ts';
import { bundleRows, issue, newProgramme, publish, revise, T0, type Programme, type Published } from '../support/programme.ts';

class MemoryStore implements DeviceStore {
  readonly data = new Map<string, unknown>();
  failWrites = false;
  async get<T>(key: string): Promise<T | undefined> {
    return structuredClone(this.data.get(key)) as T | undefined;
  }
  async put(entries: Record<string, unknown>): Promise<void> {
    if (this.failWrites) throw new Error('quota');
    for (const [k, v] of Object.entries(entries)) this.data.set(k, structuredClone(v));
  }
}

const HOUR = 60 * 60 * 1000;
let p: Programme;

async function edition(time: Date, region: string | null = null): Promise<{ published: Published; bundle: Uint8Array }> {
  const published = await publish(p, { time });
  const bundle = await buildBundle({ ...published, rows: bundleRows(p), region, time }, p.keys[0]!.signer);
  return { published, bundle };
}

/** A server answering the four paths the device syncs from. */
function server(e: { published: Published; bundle: Uint8Array } | null, override: Partial<Record<string, Response | 'offline'>> = {}) {
  const requested: string[] = [];
  const fetcher = async (path: string): Promise<Response> => {
    requested.push(path);
    const key = path.split('?')[0]!;
    const o = override[key];
    if (o === 'offline') throw new TypeError('Failed to fetch');
    if (o) return o.clone();
    if (!e) return new Response('{}', { status: 404 });
    if (key === '/api/v1/bundle') return new Response(e.bundle as BodyInit);
    const text = { '/api/v1/key-list': e.published.keyList, '/api/v1/status-list': e.published.statusList, '/api/v1/revision-list': e.published.revisionList }[key];
    return text ? new Response(text) : new Response('', { status: 404 });
  };
  return { fetcher, requested };
}

beforeAll(async () => {
  p = await newProgramme();
  await issue(p, 1, { region: '370211' });
  await issue(p, 2, { region: '370212' });
  await issue(p, 3, { region: '370211', status: 'revoked', statusReason: '冒用' });
});

describe('syncing the device', () => {
  it('verifies and saves a bundle, then judges offline from it, saying how old the data is', async () => {
    const store = new MemoryStore();
    const first = await edition(T0);
    const device = new Device(store, p.root, () => T0.getTime() + HOUR);
    const result = await device.sync(server(first).fetcher, null);
    expect(result.ok).toBe(true);
    const trust = await new Device(store, p.root, () => T0.getTime() + 3 * HOUR).load();
    expect(trust.opened?.count).toBe(3);
    const now = new Date(T0.getTime() + 3 * HOUR);
    const ok = await judgeOnDevice(p.seals.get(1)!, trust.opened, now);
    expect(ok).toMatchObject({ where: 'device', reason: null, verdict: { code: 'authorized', statusAsOf: T0.toISOString() } });
    expect((await judgeOnDevice(p.seals.get(3)!, trust.opened, now)).verdict.code).toBe('revoked');
    expect(trust.floors).toMatchObject({ statusIat: T0.getTime() / 1000, bundleIat: T0.getTime() / 1000, keyListVersion: 1 });
  });

  it('keeps the last good bundle through every kind of failed sync, and records the failure', async () => {
    const store = new MemoryStore();
    const good = await edition(T0);
    const device = new Device(store, p.root, () => T0.getTime() + HOUR);
    expect((await device.sync(server(good).fetcher, null)).ok).toBe(true);
    const saved = structuredClone(store.data.get('trust'));
    const truncated = good.bundle.slice(0, good.bundle.length - 20);
    const flipped = good.bundle.slice();
    flipped[flipped.length - 30] = flipped[flipped.length - 30]! ^ 1;
    const other = await newProgramme();
    await issue(other, 1);
    const otherPublished = await publish(other);
    const foreign = await buildBundle({ ...otherPublished, rows: bundleRows(other), region: null, time: T0 }, other.keys[0]!.signer);
    const cases: [string, ReturnType<typeof server>['fetcher'], string][] = [
      ['offline', server(good, { '/api/v1/bundle': 'offline' }).fetcher, 'offline'],
      ['a server error', server(good, { '/api/v1/bundle': new Response('oops', { status: 502 }) }).fetcher, 'http'],
      ['nothing published', server(null).fetcher, 'not_published'],
      ['a truncated bundle', server(good, { '/api/v1/bundle': new Response(truncated as BodyInit) }).fetcher, 'refused'],
      ['a corrupted bundle', server(good, { '/api/v1/bundle': new Response(flipped as BodyInit) }).fetcher, 'refused'],
      ['garbage', server(good, { '/api/v1/bundle': new Response('<html>captive portal</html>') }).fetcher, 'refused'],
      ["another programme's bundle", server({ published: otherPublished, bundle: foreign }, {}).fetcher, 'refused'],
    ];
    for (const [name, fetcher, error] of cases) {
      const result = await device.sync(fetcher, null, { full: true });
      expect([name, result.ok, result.error]).toEqual([name, false, error]);
      expect(store.data.get('trust'), name).toEqual(saved);
      expect(store.data.get('lastAttempt'), name).toMatchObject({ ok: false, error });
      const trust = await device.load();
      expect(trust.opened?.count, name).toBe(3);
      expect(trust.lastAttempt, name).toMatchObject({ ok: false, error });
    }
    store.failWrites = true;
    expect((await device.sync(server(good).fetcher, null, { full: true })).error).toBe('storage');
    store.failWrites = false;
    expect(store.data.get('trust')).toEqual(saved);
  });

  it('never goes back: an older bundle or older lists after a newer one are refused as rolled back', async () => {
    const store = new MemoryStore();
    const old = await edition(T0);
    revise(p, 1, { products: ['新产品'] });
    const newer = await edition(new Date(T0.getTime() + 2 * HOUR));
    const device = new Device(store, p.root, () => T0.getTime() + 3 * HOUR);
    expect((await device.sync(server(newer).fetcher, null)).ok).toBe(true);
    const replay = await device.sync(server(old).fetcher, null, { full: true });
    expect(await device.sync(server(old).fetcher, null)).toMatchObject({ ok: false, error: 'rolled_back', bundleFetched: false });
    expect(replay).toMatchObject({ ok: false, error: 'rolled_back' });
    const trust = await device.load();
    expect(trust.opened?.asOf).toBe(new Date(T0.getTime() + 2 * HOUR).toISOString());
    expect((await judgeOnDevice(p.seals.get(1)!, trust.opened, new Date(T0.getTime() + 3 * HOUR))).verdict.licence?.products).toEqual(['新产品']);
  });

  it('refuses a bundle already past its status list’s exp (stale), keeping the one it has', async () => {
    const store = new MemoryStore();
    const e = await edition(T0);
    const late = T0.getTime() + (STATUS_LIFETIME_S + 60) * 1000;
    expect(await new Device(store, p.root, () => late).sync(server(e).fetcher, null)).toMatchObject({ ok: false, error: 'stale' });
    expect(store.data.has('trust')).toBe(false);
  });

  it('past the status list’s exp the device says cannot_confirm, with the reason', async () => {
    const store = new MemoryStore();
    const e = await edition(T0);
    expect((await new Device(store, p.root, () => T0.getTime() + HOUR).sync(server(e).fetcher, null)).ok).toBe(true);
    const late = new Date(T0.getTime() + (STATUS_LIFETIME_S + 60) * 1000);
    const trust = await new Device(store, p.root, () => late.getTime()).load();
    expect(await judgeOnDevice(p.seals.get(1)!, trust.opened, late)).toMatchObject({ verdict: { code: 'cannot_confirm' }, reason: 'data_expired' });
  });

  it('a district bundle says a licence is not in its data, never a bare cannot_confirm', async () => {
    const store = new MemoryStore();
    const e = await edition(T0, '370212');
    expect((await new Device(store, p.root, () => T0.getTime() + HOUR).sync(server(e).fetcher, '370212')).ok).toBe(true);
    const trust = await new Device(store, p.root, () => T0.getTime() + HOUR).load();
    const now = new Date(T0.getTime() + HOUR);
    expect(await judgeOnDevice(p.seals.get(1)!, trust.opened, now)).toMatchObject({ verdict: { code: 'cannot_confirm' }, reason: 'not_in_district' });
    expect(await judgeOnDevice(p.seals.get(2)!, trust.opened, now)).toMatchObject({ verdict: { code: 'authorized' }, reason: null });
    // Revoked stands from the status list alone, even outside the district's rows.
    expect((await judgeOnDevice(p.seals.get(3)!, trust.opened, now)).verdict.code).toBe('revoked');
  });

  it('with no data the verdict is cannot_confirm because there is none', async () => {
    expect(await judgeOnDevice(p.seals.get(1)!, null, T0)).toMatchObject({ verdict: { code: 'cannot_confirm' }, reason: 'no_data' });
  });
});

describe('syncing on poor signal', () => {
  it('a routine sync of a young bundle fetches only the lists, and still learns every revocation', async () => {
    const q = await newProgramme();
    await issue(q, 1);
    await issue(q, 2);
    const time0 = T0;
    const published = await publish(q, { time: time0 });
    const bundle = await buildBundle({ ...published, rows: bundleRows(q), region: null, time: time0 }, q.keys[0]!.signer);
    const store = new MemoryStore();
    let clock = time0.getTime() + 60_000;
    const device = new Device(store, q.root, () => clock);
    expect((await device.sync(server({ published, bundle }).fetcher, null)).bundleFetched).toBe(true);
    revise(q, 2, { status: 'revoked', statusReason: '冒用' });
    const later = await publish(q, { time: new Date(time0.getTime() + HOUR) });
    clock = time0.getTime() + 2 * HOUR;
    const quiet = server({ published: later, bundle });
    const routine = await device.sync(quiet.fetcher, null);
    expect(routine).toMatchObject({ ok: true, bundleFetched: false });
    expect(quiet.requested.some((p) => p.startsWith('/api/v1/bundle'))).toBe(false);
    const trust = await device.load();
    const now = new Date(clock);
    expect((await judgeOnDevice(q.seals.get(2)!, trust.opened, now)).verdict.code).toBe('revoked');
    expect(trust.opened?.context.statusList?.iat).toBe(time0.getTime() / 1000 + 3600);
    // The button (full) and an old bundle both download it again.
    expect((await device.sync(quiet.fetcher, null, { full: true })).bundleFetched).toBe(true);
    clock = time0.getTime() + BUNDLE_REFRESH_MS + HOUR;
    expect((await device.sync(quiet.fetcher, null)).bundleFetched).toBe(true);
    // Lists that fail to arrive on a routine sync are a failed sync, the data kept.
    clock = time0.getTime() + 2 * HOUR;
    const fresh = new MemoryStore();
    const d2 = new Device(fresh, q.root, () => clock);
    await d2.sync(server({ published: later, bundle }).fetcher, null);
    const broken = await d2.sync(server({ published: later, bundle }, { '/api/v1/status-list': new Response('', { status: 502 }) }).fetcher, null);
    expect(broken).toMatchObject({ ok: false, error: 'http', bundleFetched: false });
    expect((await d2.load()).opened?.count).toBe(2);
  });
});

describe('the device clock', () => {
  it('is never trusted below the newest signed time seen, and is reported when behind', () => {
    const floors = { keyListVersion: 1, statusIat: 0, revisionIat: 0, bundleIat: 0, signedTime: T0.getTime() / 1000 };
    expect(trustedNow(T0.getTime() - 24 * HOUR, floors)).toEqual({ now: T0, clockBehind: true });
    expect(trustedNow(T0.getTime() - 60_000, floors)).toEqual({ now: T0, clockBehind: false });
    expect(trustedNow(T0.getTime() + HOUR, floors)).toEqual({ now: new Date(T0.getTime() + HOUR), clockBehind: false });
  });

  it('a device set back a year still judges from the data’s time, and still accepts the data', async () => {
    const store = new MemoryStore();
    const e = await edition(T0);
    // The first sync has no floor yet; the clock behind makes the lists look future-dated.
    const behind = () => T0.getTime() - 365 * 24 * HOUR;
    const first = await new Device(store, p.root, () => T0.getTime()).sync(server(e).fetcher, null);
    expect(first.ok).toBe(true);
    const trust = await new Device(store, p.root, behind).load();
    expect(trust.opened).not.toBeNull();
    const { now, clockBehind } = trustedNow(behind(), trust.floors);
    expect(clockBehind).toBe(true);
    expect((await judgeOnDevice(p.seals.get(2)!, trust.opened, now)).verdict.code).toBe('authorized');
  });
});

describe('what a code is', () => {
  const hosts = ['verify.example.cn', '127.0.0.1:8080'];
  it('takes only /v/ URLs of this programme’s hosts holding a seal', () => {
    const seal = p.seals.get(1)!;
    expect(classifyCode(`HTTPS://VERIFY.EXAMPLE.CN/V/${seal}`, hosts)).toEqual({ kind: 'seal', seal, text: `HTTPS://VERIFY.EXAMPLE.CN/V/${seal}` });
    expect(classifyCode(`http://127.0.0.1:8080/v/${seal}`, hosts).kind).toBe('seal');
    for (const text of [
      `https://verify.example.cn.evil.com/V/${seal}`,
      `https://evil.com/V/${seal}`,
      `https://user@verify.example.cn/V/${seal}`,
      `javascript:alert(1)//verify.example.cn/V/${seal}`,
      `https://verify.example.cn/V/NOTASEAL`,
      `https://verify.example.cn/portal/`,
      seal,
      'WIFI:S:market;T:WPA;P:secret;;',
      '',
    ]) {
      expect(classifyCode(text, hosts), text).toEqual({ kind: 'foreign', text });
    }
  });
});

describe('asking the edge', () => {
  it('takes a verdict from /api/v1/verify as judged online; anything else is no answer', async () => {
    const verdict = { code: 'authorized', authorized: true, licence: null, statusAsOf: T0.toISOString(), checkedAt: T0.toISOString() };
    const asked: string[] = [];
    const ok = await judgeOnline('SEAL+/', async (path) => {
      asked.push(path);
      return Response.json(verdict);
    });
    expect(ok).toEqual({ verdict, where: 'online', reason: null });
    expect(asked).toEqual(['/api/v1/verify?seal=SEAL%2B%2F']);
    expect(await judgeOnline('S', async () => new Response('down', { status: 503 }))).toBeNull();
    expect(await judgeOnline('S', async () => new Response('<html>wifi login</html>'))).toBeNull();
    expect(await judgeOnline('S', async () => Response.json({ code: 7 }))).toBeNull();
    expect(await judgeOnline('S', async () => Promise.reject(new TypeError('Failed to fetch')))).toBeNull();
    // Poor signal: a request that never answers is given up after the timeout.
    const hanging = (_: string, init?: RequestInit) =>
      new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    expect(await judgeOnline('S', hanging, 50)).toBeNull();
  });
});
