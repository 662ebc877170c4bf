// The authority console in a real browser, over real HTTP, in one process with the verifier
// (as npm start runs them): headless Chromium at an office screen (1280 px) walks sign in →
// find a licence by holder name → suspend it with a reason → the public scan page says 已暂停 →
// reinstate → 正品授权; uploads a selection batch with one bad row (that row reported, nothing
// imported), then a good one (imported, with progress); the audit log names the officer for
// each. The same pages at 360 px, and axe (WCAG 2.0–2.2 A/AA) on every kind of console page.
// Screenshots go to test/artifacts/console-*.png (git-ignored).
import fs from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestBulkRevocation } from '../../src/node/issuer/index.ts';
import { openRegistry } from '../../src/node/registry/db.ts';
import { insertReport } from '../../src/node/registry/reports.ts';
import { getLicence, listLicences } from '../../src/node/registry/licences.ts';
import { startServer, type RunningServer } from '../../src/node/server.ts';
import { consoleFixture, NOW, OFFICER_PASSWORD, OFFICERS, startConsole, USCC, type ConsoleFixture, type TestConsole } from '../node/console/support.ts';
import { ARTIFACTS, axeViolations, launchChromium } from './browser.ts';

const HOLDER_NAME = '青岛海滨食品有限公司';
const REASON = '市场抽检不合格，整改期间暂停';

let fx: ConsoleFixture;
let app: TestConsole;
let server: RunningServer;
let browser: Browser;
let work: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  fx = await consoleFixture();
  // The clock runs from an hour after the fixture's NOW, at the real pace.
  const started = Date.now();
  const clock = () => new Date(Date.parse(NOW) + 3_600_000 + (Date.now() - started));
  let refresh = () => {};
  app = startConsole(fx, { clock, onPublished: () => refresh(), mergeMs: 200 });
  const root = JSON.parse(fs.readFileSync(join(fx.dir, 'root.public.jwk'), 'utf8'));
  server = await startServer({ port: 0, edgeDir: join(fx.dir, 'edge'), rootJwk: root, clock, log: () => {}, mounts: [{ path: '/', app: app.app }] });
  refresh = () => server.refresh();
  work = await mkdtemp(join(tmpdir(), 'qdyp-console-e2e-'));
  browser = await launchChromium(work);
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  for (const c of contexts.splice(0)) await c.close();
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function desk(width = 1280, javaScript = false): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: javaScript, locale: 'zh-CN' });
  contexts.push(context);
  return context.newPage();
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `console-${name}.png`), fullPage: true });

async function follow(page: Page, selector: string, url: RegExp): Promise<void> {
  await Promise.all([page.waitForURL(url), page.locator(selector).first().click()]);
}

async function signIn(page: Page, name: string = OFFICERS.officer): Promise<void> {
  await page.goto(`${server.url}/console/`);
  await page.waitForURL(/\/console\/sign-in$/);
  await page.locator('#name').fill(name);
  await page.locator('#password').fill(OFFICER_PASSWORD);
  await follow(page, 'main form button[type=submit]', /\/console\/$/);
}

function sealOf(number: string): string {
  const registry = openRegistry(fx.db, { readonly: true });
  try {
    return getLicence(registry.db, number)!.seal;
  } finally {
    registry.close();
  }
}

/** The public scan page's title, once the console's publication has reached the verifier. */
async function scanTitle(page: Page, seal: string, expected: string): Promise<string> {
  let title = '';
  for (let i = 0; i < 50; i++) {
    await page.goto(`${server.url}/V/${seal}`);
    title = (await page.locator('h1').first().textContent())?.trim() ?? '';
    if (title.includes(expected)) break;
    await page.waitForTimeout(100);
  }
  return title;
}

function csv(rows: string[][]): string {
  const header = 'batch,ref,uscc,holder_name,address,region,tier,sector,chain,products,trademarks,valid_from,valid_until';
  return `${[header, ...rows.map((r) => r.join(','))].join('\n')}\n`;
}

describe('the authority console in Chromium', () => {
  it('finds a licence by holder name, suspends it (已暂停 on the scan page), reinstates it (正品授权)', async () => {
    const page = await desk();
    await signIn(page);
    await shot(page, 'dashboard-1280');
    await page.goto(`${server.url}/console/licences`);
    await page.locator('#f-text').fill(HOLDER_NAME);
    await follow(page, 'form[role=search] button[type=submit]', /\/console\/licences\?/);
    await shot(page, 'licences-1280');
    await follow(page, `a[href="/console/licences/${fx.numbers.a1}"]`, new RegExp(`/console/licences/${fx.numbers.a1}$`));
    await expect.poll(() => page.locator('main').textContent()).toContain(HOLDER_NAME);

    await page.locator('#suspend-reason').fill(REASON);
    await expect.poll(() => page.locator('form[action$="/suspend"]').textContent()).toContain('公众扫码页面');
    await follow(page, 'button[data-action=suspend]', new RegExp(`/console/licences/${fx.numbers.a1}\\?ok=`));
    await shot(page, 'licence-suspended-1280');

    const seal = sealOf(fx.numbers.a1);
    const scan = await desk(360);
    expect(await scanTitle(scan, seal, '已暂停')).toContain('已暂停');
    expect(await scan.locator('main').textContent()).toContain(REASON);

    await page.locator('#reinstate-reason').fill('整改完成，复检合格');
    await follow(page, 'button[data-action=reinstate]', new RegExp(`/console/licences/${fx.numbers.a1}\\?ok=`));
    expect(await scanTitle(scan, seal, '正品授权')).toContain('正品授权');
  });

  it('reports the bad row of a selection batch and imports nothing; imports a good one with progress', async () => {
    const page = await desk();
    await signIn(page);
    const before = (() => {
      const r = openRegistry(fx.db, { readonly: true });
      try {
        return listLicences(r.db).length;
      } finally {
        r.close();
      }
    })();
    const good = [
      ['2026年第一批', 'E2E-1', USCC.c, '青岛琴岛啤酒有限公司', '青岛市市北区登州路 1 号', '370203', 'product', 'manufacturing', '食品饮料', '琴岛啤酒', '琴岛', '2026-12-01', '2029-11-30'],
      ['2026年第一批', 'E2E-2', USCC.c, '青岛琴岛啤酒有限公司', '青岛市市北区登州路 1 号', '370203', 'product', 'manufacturing', '食品饮料', '琴岛黑啤', '琴岛', '2026-12-01', '2029-11-30'],
    ];
    const bad = [...good, ['2026年第一批', 'E2E-3', '123', '坏行有限公司', '', '370203', 'product', 'manufacturing', '', '某产品', '', '2026-12-01', '2029-11-30']];
    const badFile = join(work, 'bad.csv');
    const goodFile = join(work, 'good.csv');
    await writeFile(badFile, csv(bad));
    await writeFile(goodFile, csv(good));

    await page.goto(`${server.url}/console/import`);
    await shot(page, 'import-1280');
    await page.locator('input[type=file]').setInputFiles(badFile);
    await follow(page, 'form[enctype="multipart/form-data"] button[type=submit]', /\/console\/import\/\d+/);
    const report = (await page.locator('main').textContent()) ?? '';
    // The bad row is line 4 (header, two good rows, then it).
    expect(report).toMatch(/4/);
    expect(report).toMatch(/uscc|统一社会信用代码/i);
    await shot(page, 'import-refused-1280');
    expect(await page.locator('button[data-action=run-import]').count()).toBe(0);
    const after = openRegistry(fx.db, { readonly: true });
    expect(listLicences(after.db).length).toBe(before);
    after.close();

    await page.goto(`${server.url}/console/import`);
    await page.locator('input[type=file]').setInputFiles(goodFile);
    await follow(page, 'form[enctype="multipart/form-data"] button[type=submit]', /\/console\/import\/\d+/);
    await shot(page, 'import-checked-1280');
    await follow(page, 'button[data-action=run-import]', /\/console\/import\/\d+/);
    await expect.poll(async () => (await page.reload(), (await page.locator('main').textContent()) ?? ''), { timeout: 20_000 }).toMatch(/导入完成|已完成/);
    await shot(page, 'import-done-1280');
    const done = openRegistry(fx.db, { readonly: true });
    expect(listLicences(done.db).length).toBe(before + 2);
    done.close();
  });

  it('the audit log names the officer for each of those actions', async () => {
    const page = await desk();
    await signIn(page);
    await page.goto(`${server.url}/console/audit?licence=${fx.numbers.a1}`);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain(`officer:${OFFICERS.officer}`);
    expect(text).toMatch(/licence\.suspend/);
    expect(text).toMatch(/licence\.reinstate/);
    await shot(page, 'audit-1280');
    await page.goto(`${server.url}/console/audit?actor=${encodeURIComponent(`officer:${OFFICERS.officer}`)}`);
    const mine = (await page.locator('main').textContent()) ?? '';
    expect(mine).toMatch(/licence\.issue/);
  });

  it('axe finds no WCAG 2.2 A/AA violation on any console page, at 1280 px and 360 px', async () => {
    // What the pages of one record need: a pulled report, and a bulk revocation waiting for a second officer.
    const db = app.kit.registry.db;
    const reportId = insertReport(db, {
      sourceUrl: server.url, edgeId: 'e2e-1', cursor: 1, source: 'shopper', inspectorId: null, seal: null, serial: null, licence: null,
      outcome: 'no_seal', place: '台东三路步行街', note: '包装上没有二维码', observedAt: null, contactJwe: null,
      receivedAt: new Date(Date.parse(NOW) + 3_600_000).toISOString(), count: 1, pulledAt: new Date(Date.parse(NOW) + 3_600_000).toISOString(), photo: null,
    });
    const bulk = await requestBulkRevocation(
      { registry: app.kit.registry, now: new Date(Date.parse(NOW) + 3_700_000), actor: `officer:${OFFICERS.officer}` },
      [fx.numbers.a1, fx.numbers.aSuspended, fx.numbers.aEnding, fx.numbers.b1],
      '批次资格被撤销',
    );
    const found: Record<string, string[]> = {};
    for (const width of [1280, 360]) {
      // axe injects its script into the page, so this context has JavaScript on (the pages have none of their own).
      const page = await desk(width, true);
      const check = async (name: string, path: string | null) => {
        if (path) await page.goto(`${server.url}${path}`);
        const violations = await axeViolations(page);
        if (violations.length > 0) found[`${name}@${width}`] = violations;
        await shot(page, `${name}-${width}`);
      };
      await check('sign-in', '/console/sign-in');
      await check('setup', '/console/setup');
      await signIn(page, OFFICERS.second);
      await check('dashboard', null);
      await check('licences', `/console/licences?text=${encodeURIComponent(HOLDER_NAME)}`);
      await check('licence', `/console/licences/${fx.numbers.aSuspended}`);
      await check('licence-new', '/console/licences/new');
      await check('bulk', '/console/licences/bulk');
      await check('holders', '/console/holders');
      await check('holder', `/console/holders/${USCC.a}`);
      await check('holder-new', '/console/holders/new');
      await check('import', '/console/import');
      await check('import-refused', '/console/import/1');
      await check('import-done', '/console/import/2');
      await check('bulk-request', `/console/licences/bulk/${bulk.id}`);
      await check('reports', '/console/reports');
      await check('report', `/console/reports/${reportId}`);
      await check('audit', '/console/audit');
      await check('keys', '/console/keys');
      await check('not-found', '/console/nothing-here');
      await check('bad-filter', '/console/licences?tier=space');
      // The invitation's one-time code, shown by the POST's own answer.
      await page.goto(`${server.url}/console/holders/${USCC.b}`);
      const once = await page.locator('form[action$="/invite"] input[name=once]').getAttribute('value');
      await Promise.all([page.waitForURL(/\/invite$/), page.locator('form[action$="/invite"] button[type=submit]').click()]);
      expect(await page.locator('.secret').count()).toBeGreaterThan(0);
      await check('invitation-code', null);
      // The same form sent a second time (a double click): nothing is done twice, and the page says so.
      await page.goto(`${server.url}/console/holders/${USCC.b}`);
      await page.locator('form[action$="/invite"] input[name=once]').evaluate((input, value) => ((input as HTMLInputElement).value = value!), once);
      await Promise.all([page.waitForURL(/\/invite$/), page.locator('form[action$="/invite"] button[type=submit]').click()]);
      expect(await page.locator('[data-notice=duplicate]').count()).toBe(1);
      await check('duplicate', null);
      // A clerk asking for what only officers may do.
      const clerk = await browser.newContext({ viewport: { width, height: 900 }, locale: 'zh-CN' });
      contexts.push(clerk);
      const clerkPage = await clerk.newPage();
      await signIn(clerkPage, OFFICERS.clerk);
      const res = await clerkPage.goto(`${server.url}/console/licences/new`);
      expect(res?.status()).toBe(403);
      const violations = await axeViolations(clerkPage);
      if (violations.length > 0) found[`role@${width}`] = violations;
      await shot(clerkPage, `role-${width}`);
    }
    expect(found).toEqual({});
  }, 240_000);
});
