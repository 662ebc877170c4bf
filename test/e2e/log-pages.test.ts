// The transparency log's pages in a real browser: headless Chromium at 360×740, JavaScript
// off, served by the Node entry from an edge directory; axe (WCAG 2.2 A/AA) on each, in both
// languages, with and without a split-view warning. Screenshots go to test/artifacts/.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEdgeFile } from '../../src/node/edge-store.ts';
import { startServer, type RunningServer } from '../../src/node/server.ts';
import { edgeWithLog, licenceLogEntry, TestLog, type EdgeWithLog } from '../support/log-fixture.ts';
import { writeEdgeDir } from '../web/edge-dir.ts';
import { T0 } from '../web/fixtures.ts';
import { ARTIFACTS, axeViolations, launchChromium } from './browser.ts';

const ORIGIN = 'https://verify.example.cn';
let fx: EdgeWithLog;
let edgeDir: string;
let forkDir: string;
let dataDir: string;
let fontsDir: string;
let server: RunningServer;
/** A verifier that accepted the log, then was shown a fork of it. */
let forked: RunningServer;
let browser: Browser;
let phone: BrowserContext;

beforeAll(async () => {
  fx = await edgeWithLog(ORIGIN, { extra: 28 });
  edgeDir = await writeEdgeDir(fx.artifacts);
  server = await startServer({ port: 0, edgeDir, rootJwk: fx.edge.rootJwk, clock: () => T0, verifyOrigin: ORIGIN, log: () => {} });

  forkDir = await writeEdgeDir(fx.artifacts);
  dataDir = await mkdtemp(join(tmpdir(), 'qdyp-verifier-'));
  forked = await startServer({ port: 0, edgeDir: forkDir, dataDir, rootJwk: fx.edge.rootJwk, clock: () => T0, verifyOrigin: ORIGIN, log: () => {} });
  expect(await (await fetch(`${forked.url}/log/checkpoint`)).text()).toBe(fx.log.checkpoint);
  // The same log but for its last entry: a checkpoint of the same size with another root.
  const twin = await TestLog.create(ORIGIN, fx.log.key);
  await twin.append([...fx.log.entries.slice(0, -1), licenceLogEntry(fx.edge.p, 1, 'licence.renew', new Date(T0.getTime() - 1000))]);
  writeEdgeFile(forkDir, 'log/checkpoint', await twin.sign(), false);
  forked.refresh();

  fontsDir = await mkdtemp(join(tmpdir(), 'qdyp-fonts-'));
  browser = await launchChromium(fontsDir);
  phone = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, javaScriptEnabled: false, locale: 'zh-CN' });
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await forked?.close();
  for (const dir of [fontsDir, edgeDir, forkDir, dataDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

const PAGES = () => [
  { name: 'log', url: `${server.url}/log`, h1: { 'zh-CN': '公开日志', en: 'Public log' } },
  { name: 'log-entry-licence', url: `${server.url}/log/entry/${fx.logIndex.get(3)}`, h1: { 'zh-CN': `日志条目 ${fx.logIndex.get(3)}`, en: `Log entry ${fx.logIndex.get(3)}` } },
  { name: 'log-entry-key', url: `${server.url}/log/entry/0`, h1: { 'zh-CN': '日志条目 0', en: 'Log entry 0' } },
  { name: 'log-entry-missing', url: `${server.url}/log/entry/999`, h1: { 'zh-CN': '此条目不在公开日志中', en: 'This entry is not in the public log' }, status: 404 },
  { name: 'log-split-view', url: `${forked.url}/log`, h1: { 'zh-CN': '公开日志', en: 'Public log' } },
];

describe('the log’s pages in Chromium at 360×740, JavaScript off', () => {
  for (const locale of ['zh-CN', 'en'] as const) {
    it(`render with their stylesheet, fetch nothing else, and fit the phone (${locale})`, async () => {
      for (const p of PAGES()) {
        const page = await phone.newPage();
        const requests: string[] = [];
        page.on('request', (r) => requests.push(r.url()));
        try {
          const url = locale === 'en' ? `${p.url}?lang=en` : p.url;
          const response = await page.goto(url, { waitUntil: 'load' });
          expect(response?.status(), p.name).toBe(p.status ?? 200);
          expect(await page.locator('h1').first().innerText()).toBe(p.h1[locale]);
          expect(requests).toEqual([url]);
          // Nothing wider than the phone: hashes wrap.
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
          if (p.name === 'log-split-view') {
            const warning = page.locator('[data-split-view]');
            expect(await warning.evaluate((e) => getComputedStyle(e).borderLeftColor)).toBe('rgb(179, 38, 30)');
          }
          if (p.name === 'log-entry-licence') {
            expect(await page.locator('section.verdict').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(18, 114, 58)');
          }
          await page.screenshot({ path: join(ARTIFACTS, `${p.name}-${locale}.png`), fullPage: true });
        } finally {
          await page.close();
        }
      }
    });
  }

  it('pass axe (WCAG 2.2 A/AA) in both languages', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: true, bypassCSP: true });
    const found: string[] = [];
    try {
      for (const p of PAGES()) {
        for (const query of ['', '?lang=en']) {
          const page = await context.newPage();
          await page.goto(`${p.url}${query}`, { waitUntil: 'load' });
          // The evidence is folded away by default; axe checks it open too.
          await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
          for (const v of await axeViolations(page)) found.push(`${p.name}${query}: ${v}`);
          await page.close();
        }
      }
    } finally {
      await context.close();
    }
    expect(found).toEqual([]);
  });
});
