// The scan page in a real browser: headless Chromium at a 360×740 phone viewport, JavaScript
// off, served by the Node entry from an edge directory. Screenshots go to test/artifacts/.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES, type Locale } from '../../src/core/index.ts';
import { startServer, type RunningServer } from '../../src/node/server.ts';
import { writeEdgeDir } from '../web/edge-dir.ts';
import { edgeWithEveryOutcome, T0, type Edge } from '../web/fixtures.ts';
import { ARTIFACTS, axeViolations, launchChromium } from './browser.ts';

let edge: Edge;
let edgeDir: string;
let fontsDir: string;
let server: RunningServer;
let browser: Browser;
/** Phones set to Chinese and to English (Accept-Language follows the locale). */
const phones: Partial<Record<Locale, BrowserContext>> = {};

beforeAll(async () => {
  edge = await edgeWithEveryOutcome();
  edgeDir = await writeEdgeDir(edge.artifacts);
  server = await startServer({ port: 0, edgeDir, rootJwk: edge.rootJwk, clock: () => T0, verifyOrigin: 'https://verify.example.cn', log: () => {} });
  fontsDir = await mkdtemp(join(tmpdir(), 'qdyp-fonts-'));
  browser = await launchChromium(fontsDir);
  for (const locale of ['zh-CN', 'en-US']) {
    phones[locale === 'zh-CN' ? 'zh-CN' : 'en'] = await browser.newContext({
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      javaScriptEnabled: false,
      locale,
    });
  }
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rm(fontsDir, { recursive: true, force: true });
  await rm(edgeDir, { recursive: true, force: true });
});

/** Opens a URL in a fresh tab and records every request and console complaint it causes. */
async function open(url: string, phone: Locale = 'zh-CN'): Promise<{ page: Page; requests: string[]; console: string[] }> {
  const page = await phones[phone]!.newPage();
  const requests: string[] = [];
  const console: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
  const response = await page.goto(url, { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
  return { page, requests, console };
}

const CASES = [
  { outcome: 'authorized', name: 'authorized', holder: true, colour: 'rgb(18, 114, 58)' },
  { outcome: 'suspended', name: 'suspended', holder: true, colour: 'rgb(166, 79, 0)' },
  { outcome: 'revoked', name: 'revoked', holder: true, colour: 'rgb(179, 38, 30)' },
  { outcome: 'bad_signature', name: 'forged', holder: false, colour: 'rgb(31, 31, 31)' },
  // Beyond the four the issue names: the other states must look different too.
  { outcome: 'expired', name: 'expired', holder: true, colour: 'rgb(95, 99, 104)' },
  { outcome: 'not_yet_valid', name: 'not-yet-valid', holder: true, colour: 'rgb(42, 93, 159)' },
  { outcome: 'cannot_confirm', name: 'cannot-confirm', holder: false, colour: 'rgb(255, 255, 255)' },
] as const;

describe('the verdict page in Chromium at 360×740, JavaScript off', () => {
  for (const { outcome, name, holder, colour } of CASES) {
    for (const locale of ['zh-CN', 'en'] as Locale[]) {
      it(`${name} (${locale})`, async () => {
        const url = `${server.url}/V/${edge.seals[outcome]}${locale === 'en' ? '?lang=en' : ''}`;
        const { page, requests, console } = await open(url);
        try {
          const text = MESSAGES[locale].outcomes[outcome];
          expect(await page.locator('h1').innerText()).toBe(text.title);
          const body = await page.locator('body').innerText();
          expect(body).toContain(text.summary);
          expect(body).toContain(text.advice);
          expect(body).toContain('verify.example.cn');
          expect(body.includes('青岛海滨食品有限公司')).toBe(holder);
          if (holder) expect(body).toContain('QDYP-2026-00000');
          // The stylesheet applied under the CSP (its hash matched): the state has its colour.
          expect(await page.locator('section.verdict').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe(colour);
          // The page itself and nothing else: no fonts, scripts, images or favicon fetches.
          expect(requests).toEqual([url]);
          expect(console).toEqual([]);
          await page.screenshot({ path: join(ARTIFACTS, `verdict-${name}-${locale}.png`), fullPage: true });
        } finally {
          await page.close();
        }
      });
    }
  }

  it('revoked with its details unconfirmed (no entry published): still revoked, and says so', async () => {
    for (const locale of ['zh-CN', 'en'] as Locale[]) {
      const url = `${server.url}/V/${edge.revokedWithoutEntry}${locale === 'en' ? '?lang=en' : ''}`;
      const { page, requests } = await open(url);
      try {
        expect(await page.locator('h1').innerText()).toBe(MESSAGES[locale].outcomes.revoked.title);
        expect(await page.locator('section.verdict').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(179, 38, 30)');
        expect(await page.locator('[data-details="unconfirmed"] p').innerText()).toMatch(locale === 'en' ? /^This licence has been revoked\. Its details could not be confirmed/ : /^该许可已被撤销。其授权详情暂时无法确认/);
        expect(await page.locator('body').innerText()).not.toContain('QDYP-2026-');
        expect(requests).toEqual([url]);
        await page.screenshot({ path: join(ARTIFACTS, `verdict-revoked-unconfirmed-${locale}.png`), fullPage: true });
      } finally {
        await page.close();
      }
    }
  });

  it('every verdict page passes axe (WCAG 2.2 A/AA) in both languages', async () => {
    // axe injects a script: a context with JavaScript on and the page's CSP bypassed runs it
    // on the very pages shoppers get (the stylesheet still applies by its hash).
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: true, bypassCSP: true });
    const found: string[] = [];
    try {
      const seals = [...CASES.map((c) => edge.seals[c.outcome]), edge.revokedWithoutEntry];
      for (const seal of seals) {
        for (const query of ['', '?lang=en']) {
          const page = await context.newPage();
          await page.goto(`${server.url}/V/${seal}${query}`, { waitUntil: 'load' });
          for (const v of await axeViolations(page)) found.push(`${seal.slice(0, 8)}${query}: ${v}`);
          await page.close();
        }
      }
    } finally {
      await context.close();
    }
    expect(found).toEqual([]);
  });

  it('follows Accept-Language, and the switch link changes language', async () => {
    const { page } = await open(`${server.url}/V/${edge.seals.authorized}`, 'en');
    try {
      expect(await page.locator('h1').innerText()).toBe('Authorized');
      await page.getByRole('link', { name: '中文' }).click();
      await page.waitForURL(/\?lang=zh$/);
      expect(await page.locator('h1').innerText()).toBe('正品授权');
      expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    } finally {
      await page.close();
    }
  });

  it('the 400 page for a link that cannot be a seal looks the same', async () => {
    const page = await phones['zh-CN']!.newPage();
    try {
      const response = await page.goto(`${server.url}/V/NOT-A-SEAL`);
      expect(response?.status()).toBe(400);
      expect(await page.locator('h1').innerText()).toBe('无法识别的链接');
      await page.screenshot({ path: join(ARTIFACTS, 'notice-bad-request-zh-CN.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });
});
