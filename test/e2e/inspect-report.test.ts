// An inspector files a report from /inspect with no network: the token imported from its file,
// a label photo judged on the device, the report made and queued offline, then sent by itself
// when the network returns — and it arrives at the edge's inbox (the Node verifier's own data
// directory) exactly once, with its photo, even after a reload and another return online.
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReportInbox } from '../../src/node/report-inbox.ts';
import { startServer, type RunningServer } from '../../src/node/server.ts';
import { labelArtworkPng, labelPhoto } from '../support/label-photo.ts';
import { cliRegistry, ORIGIN, USCC } from '../node/support.ts';
import { axeViolations, launchChromium } from './browser.ts';

const REG_NOW = new Date(Date.now() - 2 * 60 * 1000).toISOString();

let server: RunningServer;
let browser: Browser;
let dataDir: string;
let tokenFile: string;
let inspectorId: string;
let photo: Uint8Array;
let number: string;

beforeAll(async () => {
  const reg = await cliRegistry();
  const env = { QDYP_NOW: REG_NOW };
  expect((await reg.run(['holder', 'add', '--uscc', USCC.a, '--name', '青岛崂山茶业有限公司', '--region', '370212'], env)).code).toBe(0);
  const issued = await reg.run(['licence', 'issue', '--holder', USCC.a, '--tier', 'product', '--sector', 'agriculture', '--product', '崂山绿茶', '--valid-days', '365', '--json'], env);
  expect(issued.code, issued.stderr).toBe(0);
  const { sealUrl } = issued.json();
  number = issued.json().number;
  tokenFile = join(reg.dir, 'inspector.jwt');
  const added = await reg.run(['inspector', 'add', '王检查', '--out', tokenFile, '--json'], env);
  expect(added.code, added.stderr).toBe(0);
  inspectorId = added.json().id;
  expect((await reg.run(['publish', '--to', 'local'], env)).code).toBe(0);
  dataDir = await mkdtemp(join(tmpdir(), 'qdyp-verifier-'));
  const rootJwk = JSON.parse(fs.readFileSync(join(reg.dir, 'root.public.jwk'), 'utf8'));
  server = await startServer({ port: 0, edgeDir: join(reg.dir, 'edge'), dataDir, rootJwk, verifyOrigin: ORIGIN, log: () => {} });
  photo = labelPhoto(await labelArtworkPng(sealUrl, number), 'mixed', 7);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const stored = async () => {
  const inbox = openReportInbox(dataDir);
  try {
    return await inbox.after(0, 100);
  } finally {
    inbox.close();
  }
};

describe('an inspector’s report from /inspect', () => {
  it('is made offline, queued on the device, sent when the network returns, and arrives once', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/inspect`);
    await page.locator('#data .data-asof[data-count="1"]').waitFor({ timeout: 15_000 });
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    // The token from its file, checked under the device's key list.
    await page.setInputFiles('#token-file', tokenFile);
    await page.locator(`#reports [data-token="${inspectorId}"]`).waitFor({ timeout: 10_000 });
    expect(await page.locator('#reports').innerText()).toContain('王检查');

    await context.setOffline(true);
    await page.reload();
    await page.locator('#data .data-asof[data-count="1"]').waitFor({ timeout: 15_000 });
    await page.setInputFiles('#photo', { name: 'label.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(photo) });
    await page.locator('#result .result[data-outcome="authorized"]').waitFor({ timeout: 20_000 });
    await page.locator('#report-this').click();
    await page.locator('#report-place').fill('即墨路小商品市场 3 号摊位');
    await page.locator('#report-note').fill('同一标识贴在多种商品上');
    expect(await axeViolations(page)).toEqual([]);
    await page.locator('#report-form button[type=submit]').click();
    await page.locator('[data-outcome="report_queued"]').waitFor({ timeout: 10_000 });
    await page.locator('#reports li[data-state="queued"]').waitFor();
    expect(await stored()).toEqual([]);

    // Back online: sent by itself, once.
    await context.setOffline(false);
    await page.locator('#reports li[data-state="sent"]').waitFor({ timeout: 15_000 });
    await page.reload();
    await page.locator('#reports li[data-state="sent"]').waitFor({ timeout: 15_000 });
    await context.setOffline(true);
    await context.setOffline(false);
    await page.waitForTimeout(500);
    const reports = await stored();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ source: 'inspector', inspectorId, outcome: 'authorized', place: '即墨路小商品市场 3 号摊位', note: '同一标识贴在多种商品上', hasPhoto: true });
    expect(reports[0]!.serial).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });
});
