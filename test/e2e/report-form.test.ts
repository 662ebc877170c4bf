// The shopper's report form in a real browser: headless Chromium at a 360×740 phone viewport,
// JavaScript off, from a scan page through the form to the thank-you page, under the page's own
// CSP (form-action 'self'). axe (WCAG 2.2 A/AA) on the form, a refused form and the thank-you
// page in both languages. Screenshots go to test/artifacts/.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { exportJWK, generateKeyPair } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactPublicJwk, decryptContact, type ContactPrivateJwk, type Locale } from '../../src/core/index.ts';
import { createApp } from '../../src/web/index.ts';
import { PAGE_MESSAGES } from '../../src/web/messages.ts';
import { MemoryInbox } from '../support/memory-inbox.ts';
import { edgeWithEveryOutcome, memorySource, T0, type Edge } from '../web/fixtures.ts';
import { ARTIFACTS, axeViolations, launchChromium } from './browser.ts';


let edge: Edge;
let inbox: MemoryInbox;
let officeKey: ContactPrivateJwk;
let server: ServerType;
let base: string;
let fontsDir: string;
let browser: Browser;
const phones: Partial<Record<Locale, BrowserContext>> = {};

beforeAll(async () => {
  edge = await edgeWithEveryOutcome();
  inbox = new MemoryInbox();
  const pair = await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true });
  officeKey = (await exportJWK(pair.privateKey)) as ContactPrivateJwk;
  const app = createApp({
    source: memorySource(edge.artifacts),
    root: edge.rootJwk,
    clock: () => T0,
    verifyOrigin: 'https://verify.example.cn',
    log: () => {},
    inbox,
    contactKey: contactPublicJwk(officeKey),
    // Generous here: the axe runs post several times from one address.
    reportRate: { max: 50 },
    clientAddress: (c) => (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress ?? null,
  });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fontsDir = await mkdtemp(join(tmpdir(), 'qdyp-fonts-'));
  browser = await launchChromium(fontsDir);
  for (const locale of ['zh-CN', 'en-US']) {
    phones[locale === 'zh-CN' ? 'zh-CN' : 'en'] = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, javaScriptEnabled: false, locale });
  }
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await rm(fontsDir, { recursive: true, force: true });
});

async function tab(locale: Locale): Promise<{ page: Page; console: string[] }> {
  const page = await phones[locale]!.newPage();
  const console: string[] = [];
  page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
  return { page, console };
}

describe('the report form in Chromium at 360×740, JavaScript off', () => {
  for (const locale of ['zh-CN', 'en'] as Locale[]) {
    it(`from a scan page to the thank-you page (${locale})`, async () => {
      const t = PAGE_MESSAGES[locale];
      const { page, console } = await tab(locale);
      try {
        const seal = edge.seals.authorized;
        await page.goto(`${base}/V/${seal}`, { waitUntil: 'load' });
        await page.getByRole('link', { name: t.reportLink }).click();
        await page.waitForURL(/\/report\?seal=/);
        expect(await page.locator('h1').innerText()).toBe(t.report.title);
        expect(await page.locator('body').innerText()).toContain(t.report.privacyContact);
        await page.screenshot({ path: join(ARTIFACTS, `report-form-${locale}.png`), fullPage: true });

        // A hidden character is refused, and the form comes back with the message announced.
        await page.getByLabel(t.report.problems.looks_fake).check();
        await page.getByLabel(t.report.place).fill('青岛市市南区\u202E某超市');
        await page.getByRole('button', { name: t.report.submit }).click();
        await page.waitForLoadState('load');
        expect(await page.getByRole('alert').innerText()).toContain(t.report.errors.hidden);
        expect(await page.getByLabel(t.report.problems.looks_fake).isChecked()).toBe(true);
        await page.screenshot({ path: join(ARTIFACTS, `report-form-refused-${locale}.png`), fullPage: true });

        // The browser notes the refusal's 400 status; nothing else may complain from here on.
        expect(console).toEqual(['error: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
        console.length = 0;
        const before = inbox.records.length;
        await page.getByLabel(t.report.place).fill('青岛市市南区某超市');
        await page.getByLabel(t.report.note).fill('包装印刷模糊\n二维码贴纸是后贴的');
        await page.getByLabel(t.report.contact).fill('13800000000');
        await page.getByRole('button', { name: t.report.submit }).click();
        await page.waitForLoadState('load');
        expect(await page.locator('h1').innerText()).toBe(t.report.thanks.title);
        expect(await page.locator('html').getAttribute('lang')).toBe(locale);
        expect(await page.context().cookies()).toEqual([]);
        expect(console).toEqual([]);
        await page.screenshot({ path: join(ARTIFACTS, `report-thanks-${locale}.png`), fullPage: true });

        expect(inbox.records).toHaveLength(before + 1);
        const record = inbox.records.at(-1)!;
        expect(record).toMatchObject({ seal, outcome: 'looks_fake', place: '青岛市市南区某超市', note: '包装印刷模糊\n二维码贴纸是后贴的' });
        await expect(decryptContact(record.contactJwe!, officeKey)).resolves.toBe('13800000000');
        expect(JSON.stringify(inbox.inputs)).not.toContain('127.0.0.1');
      } finally {
        await page.close();
      }
    });
  }

  it('for a mark seen with no QR code, from the home page', async () => {
    const t = PAGE_MESSAGES['zh-CN'].report;
    const { page } = await tab('zh-CN');
    try {
      await page.goto(`${base}/`, { waitUntil: 'load' });
      await page.getByRole('link', { name: t.noSealLink }).click();
      await page.waitForURL(/\/report\?lang=zh$/);
      await page.getByLabel(t.place).fill('李村大集');
      await page.getByRole('button', { name: t.submit }).click();
      await page.waitForLoadState('load');
      expect(await page.locator('h1').innerText()).toBe(t.thanks.title);
      expect(inbox.records.at(-1)).toMatchObject({ seal: null, outcome: 'no_seal', place: '李村大集' });
      await page.screenshot({ path: join(ARTIFACTS, 'report-no-seal-thanks-zh-CN.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('the home page, the form, a refused form and the thank-you page pass axe (WCAG 2.2 A/AA) in both languages', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: true, bypassCSP: true });
    const found: string[] = [];
    const check = async (page: Page, what: string) => {
      for (const v of await axeViolations(page)) found.push(`${what}: ${v}`);
    };
    try {
      for (const lang of ['zh', 'en']) {
        const t = PAGE_MESSAGES[lang === 'en' ? 'en' : 'zh-CN'].report;
        const page = await context.newPage();
        await page.goto(`${base}/?lang=${lang}`, { waitUntil: 'load' });
        await check(page, `home ${lang}`);
        await page.goto(`${base}/report?lang=${lang}`, { waitUntil: 'load' });
        await check(page, `no-seal form ${lang}`);
        await page.goto(`${base}/report?seal=${edge.seals.revoked}&lang=${lang}`, { waitUntil: 'load' });
        await check(page, `form ${lang}`);
        await page.getByLabel(t.problems.other).check();
        await page.getByLabel(t.note).fill('x\u200By');
        await page.getByRole('button', { name: t.submit }).click();
        await page.waitForLoadState('load');
        expect(await page.getByRole('alert').count()).toBe(1);
        await check(page, `refused form ${lang}`);
        await page.getByLabel(t.note).fill('');
        await page.getByRole('button', { name: t.submit }).click();
        await page.waitForLoadState('load');
        expect(await page.locator('h1').innerText()).toBe(t.thanks.title);
        await check(page, `thanks ${lang}`);
        await page.close();
      }
    } finally {
      await context.close();
    }
    expect(found).toEqual([]);
  });
});
