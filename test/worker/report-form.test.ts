// The shopper's report form through the real Worker entry (SELF) inside workerd: its real D1
// (QDYP_REPORTS, migrated as wrangler would), the office's contact key (QDYP_REPORT_KEY_JWK, made
// by vitest.config.ts, its private half injected here) and the ReportThrottle Durable Object
// (QDYP_THROTTLE) that counts posts per client address for every isolate, in memory only.
import { applyD1Migrations, env, runInDurableObject, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { decryptContact } from '../../src/core/index.ts';
import { REPORT_RATE } from '../../src/web/index.ts';
import { SHARDS } from '../../src/worker/throttle.ts';
import { edgeWithEveryOutcome, type Edge } from '../web/fixtures.ts';
import { putAll } from './store.ts';

const ORIGIN = 'https://verify.example.cn';
const ADDRESS = '203.0.113.7';

let edge: Edge;

function post(fields: Record<string, string>, address: string) {
  return SELF.fetch(`${ORIGIN}/report`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', 'cf-connecting-ip': address },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Every row of every table of ours in the inbox's D1, as JSON. */
async function everyRow(): Promise<string> {
  const { results: tables } = await env.QDYP_REPORTS.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'").all<{ name: string }>();
  expect(tables.map((t) => t.name)).toContain('reports');
  const dump: Record<string, unknown[]> = {};
  for (const { name } of tables) dump[name] = (await env.QDYP_REPORTS.prepare(`SELECT * FROM "${name}"`).all()).results;
  return JSON.stringify(dump);
}

const shopperRows = (seal: string, outcome: string) =>
  env.QDYP_REPORTS.prepare("SELECT * FROM reports WHERE source = 'shopper' AND seal = ? AND outcome = ?").bind(seal, outcome).all<Record<string, unknown>>();

beforeAll(async () => {
  await applyD1Migrations(env.QDYP_REPORTS, env.TEST_MIGRATIONS);
  edge = await edgeWithEveryOutcome(inject('workerRoot'));
  await putAll(edge.artifacts);
});

describe('POST /report through the Worker entry', () => {
  it('lands in D1 with the contact only as a JWE the office opens, no client address anywhere, no cookie', async () => {
    const seal = edge.seals.authorized;
    const res = await post({ seal, problem: 'looks_fake', place: '台东三路 88 号', contact: 'shopper@example.com' }, ADDRESS);
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).toContain('<html lang="zh-CN">');

    const { results } = await shopperRows(seal, 'looks_fake');
    expect(results).toHaveLength(1);
    const row = results[0]!;
    expect(row).toMatchObject({ source: 'shopper', seal, serial: 1, place: '台东三路 88 号', inspector_id: null, count: 1 });
    expect(row.contact_jwe).toMatch(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){4}$/);
    expect(await decryptContact(row.contact_jwe as string, inject('reportKey'))).toBe('shopper@example.com');

    const dump = await everyRow();
    expect(dump).not.toContain(ADDRESS);
    expect(dump).not.toContain('shopper@example.com');
  });

  it('the throttle object writes no storage: the address is only ever in memory, hashed', async () => {
    for (let shard = 0; shard < SHARDS; shard++) {
      const stub = env.QDYP_THROTTLE.get(env.QDYP_THROTTLE.idFromName(`throttle-${shard}`));
      await runInDurableObject(stub, async (_instance, state) => {
        expect((await state.storage.list()).size).toBe(0);
      });
    }
  });

  it('merges repeats about one seal into a count', async () => {
    const seal = edge.seals.revoked;
    for (let i = 1; i <= 3; i++) expect((await post({ seal, problem: 'not_listed' }, `198.51.100.${i}`)).status).toBe(200);
    const { results } = await shopperRows(seal, 'not_listed');
    expect(results).toHaveLength(1);
    expect(results[0]!.count).toBe(3);
  });

  it(`after ${REPORT_RATE.max} posts from one address a 429 with Retry-After, while another address still succeeds`, async () => {
    const seal = edge.seals.suspended;
    const address = '198.51.100.20';
    for (let i = 0; i < REPORT_RATE.max; i++) expect((await post({ seal, problem: 'other' }, address)).status, `post ${i + 1}`).toBe(200);
    const refused = await post({ seal, problem: 'other' }, address);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('set-cookie')).toBeNull();
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(REPORT_RATE.windowMs / 1000);
    expect((await post({ seal, problem: 'other' }, '198.51.100.21')).status).toBe(200);
    // Refused, not stored: the count holds the ones let through only.
    const { results } = await shopperRows(seal, 'other');
    expect(results[0]!.count).toBe(REPORT_RATE.max + 1);
    expect(await everyRow()).not.toContain(address);
  });
});
