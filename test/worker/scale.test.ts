// A programme the old whole-register design could not serve from one isolate (30,000
// licences: a register of ~16 MB, a trust context of hundreds of MB), published into real KV
// — every licence's entry and the three lists, built with the core's own functions — and
// scanned through the real Worker entry (SELF.fetch). The clock is vitest's fake Date, which
// the Worker (in this isolate) sees too.
import { env, SELF } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  createSeal,
  licenceEntryKey,
  publicJwk,
  signerFor,
  signKeyList,
  signLicenceEntry,
  signRevisionList,
  signStatusList,
  STATUS_VALUE,
  type LicenceEntry,
} from '../../src/core/index.ts';
import { DEFAULT_TTL_MS } from '../../src/web/index.ts';
import { newKey, REVISION_URI, STATUS_URI, T0 } from '../support/programme.ts';
import { syntheticLicences, type SyntheticLicence } from '../support/synthetic.ts';

const COUNT = 30_000;
// Later than the other workerd test files publish, so their lists never outrank these.
const TS = new Date(T0.getTime() + 3 * 24 * 60 * 60 * 1000);
const ORIGIN = 'https://verify.example.cn';

let licences: SyntheticLicence[];
let key: Awaited<ReturnType<typeof newKey>>;
let rootSigner: Awaited<ReturnType<typeof signerFor>>;
const picked: Record<'authorized' | 'revised' | 'revoked' | 'suspended' | 'later', SyntheticLicence> = {} as never;
const seals: Partial<Record<keyof typeof picked, string>> = {};

async function publishLists(time: Date): Promise<void> {
  const statuses = new Uint8Array(COUNT + 1);
  const revisions = new Uint8Array(COUNT + 1);
  for (const l of licences) {
    statuses[l.serial] = STATUS_VALUE[l.entry.status];
    revisions[l.serial] = l.rev % 256;
  }
  await env.QDYP_KV.put('key-list', await signKeyList([key.record], 1, TS, rootSigner));
  await env.QDYP_KV.put('status-list', await signStatusList(statuses, { uri: STATUS_URI, time }, key.signer));
  await env.QDYP_KV.put('revision-list', await signRevisionList(revisions, { uri: REVISION_URI, time }, key.signer));
}

const putEntry = async (l: SyntheticLicence, time: Date) =>
  env.QDYP_KV.put(licenceEntryKey(l.serial, l.rev % 256), await signLicenceEntry(l.entry, { serial: l.serial, rev: l.rev, time }, key.signer));

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(TS);
  rootSigner = await signerFor(inject('workerRoot'));
  expect(publicJwk(inject('workerRoot'))).toEqual(JSON.parse(env.QDYP_ROOT_JWK));
  key = await newKey(T0);
  licences = syntheticLicences(COUNT);
  for (const l of licences) {
    if (l.serial % 97 === 0 && l.entry.status === 'valid') l.entry = { ...l.entry, status: 'suspended', statusReason: '抽检不合格，整改中', statusChangedAt: TS.toISOString() };
  }
  const valid = licences.filter((l) => l.entry.status === 'valid' && l.entry.validFrom <= '2026-11-30' && l.entry.validUntil >= '2026-12-31');
  picked.authorized = valid.find((l) => l.rev === 1)!;
  picked.revised = valid.find((l) => l.rev > 1)!;
  picked.later = valid.filter((l) => l.rev === 1).at(-1)!;
  picked.revoked = licences.find((l) => l.entry.status === 'revoked')!;
  picked.suspended = licences.find((l) => l.entry.status === 'suspended')!;
  for (const [name, l] of Object.entries(picked)) seals[name as keyof typeof picked] = await createSeal({ serial: l.serial, horizon: key.record.verifyUntil }, key.signer);

  // Entries first (as a publish writes them), many at a time, then the lists that name them.
  for (let i = 0; i < licences.length; i += 1_000) await Promise.all(licences.slice(i, i + 1_000).map((l) => putEntry(l, TS)));
  await publishLists(TS);
  vi.setSystemTime(TS.getTime() + 1_000);
}, 120_000);

afterAll(() => {
  vi.useRealTimers();
});

type Verdict = { code: string; licence: LicenceEntry | null; statusAsOf: string | null };
const verdict = async (seal: string): Promise<Verdict> => (await SELF.fetch(`${ORIGIN}/api/v1/verify?seal=${seal}`)).json();

describe(`a programme of ${COUNT.toLocaleString('en')} licences in KV, through the Worker entry`, () => {
  it('authorized, revised, revoked and suspended licences get their verdicts and their own details', async () => {
    const health = await (await SELF.fetch(`${ORIGIN}/healthz`)).text();
    expect(health).toBe(`ok: key list v1, status as of ${TS.toISOString()}, revisions as of ${TS.toISOString()}\n`);
    for (const [name, code] of [['authorized', 'authorized'], ['revised', 'authorized'], ['later', 'authorized'], ['revoked', 'revoked'], ['suspended', 'suspended']] as const) {
      const v = await verdict(seals[name]!);
      expect(v.code, name).toBe(code);
      expect(v.licence, name).toEqual({ ...picked[name].entry, status: code === 'authorized' ? 'valid' : code });
    }
    const page = await (await SELF.fetch(`${ORIGIN}/V/${seals.suspended}`)).text();
    expect(page).toContain('data-outcome="suspended"');
    expect(page).toContain(`<dd>${picked.suspended.entry.number}</dd>`);
    expect(page).toContain('<dt>原因</dt><dd>抽检不合格，整改中</dd>');
  });

  it('a revocation published to KV shows within the TTL', async () => {
    const seal = seals.later!;
    const start = Date.now();
    const revoked = picked.later;
    expect((await verdict(seal)).code).toBe('authorized');

    // The office revokes it ten seconds later: a new entry (its revision moves), then the lists.
    vi.setSystemTime(start + 10_000);
    revoked.rev += 1;
    revoked.entry = { ...revoked.entry, status: 'revoked', statusReason: '冒用授权范围', statusChangedAt: new Date(Date.now()).toISOString() };
    await putEntry(revoked, new Date(Date.now()));
    await publishLists(new Date(Date.now()));

    vi.setSystemTime(start + DEFAULT_TTL_MS - 1);
    expect((await verdict(seal)).code).toBe('authorized'); // the isolate's cached lists: the cache is real
    vi.setSystemTime(start + DEFAULT_TTL_MS);
    const after = await verdict(seal);
    expect(after).toMatchObject({ code: 'revoked', licence: { number: revoked.entry.number, status: 'revoked', statusReason: '冒用授权范围' } });
    expect((await (await SELF.fetch(`${ORIGIN}/V/${seal}?lang=en`)).text())).toContain('data-outcome="revoked"');
    // Every other licence is as it was.
    expect((await verdict(seals.authorized!)).code).toBe('authorized');
    expect((await verdict(seals.suspended!)).code).toBe('suspended');
  });
});
