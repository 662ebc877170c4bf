// The holder portal in a real browser, over real HTTP, with no key anywhere: headless Chromium
// at a 360×740 phone viewport with JavaScript OFF walks activate → sign in → the licence →
// SVG, PNG and PDF downloads through the real links (checked by zbarimg and pdftotext) → sign
// out → Back, which shows nothing private. Then axe (WCAG 2.0–2.2 A/AA) on every kind of page,
// in zh-CN and English. Screenshots go to test/artifacts/portal-*.png (git-ignored).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locale } from '../../src/core/index.ts';
import { openPortalSnapshot } from '../../src/node/portal/index.ts';
import { startAppsServer, type RunningServer } from '../../src/node/server.ts';
import { NOW, PASSWORD, portalFixture, startPortal, USCC, type Fixture } from '../node/portal/support.ts';
import { ARTIFACTS, axeViolations, launchChromium, WCAG } from './browser.ts';

const run = promisify(execFile);
const HOLDER_NAME = '青岛海滨食品有限公司';
const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

let fx: Fixture;
let server: RunningServer;
let browser: Browser;
let work: string;
let scanUrl: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  fx = await portalFixture();
  expect(fs.existsSync(join(fx.dir, 'keys'))).toBe(false);
  const snap = openPortalSnapshot(fx.snapshotFile);
  scanUrl = snap.licence(USCC.a, fx.numbers.a1)!.sealUrl;
  snap.close();
  // The clock stays at the fixture's NOW, so the renewal reminder and "as of" line are fixed.
  const portal = startPortal(fx, { clock: () => new Date(NOW) });
  server = await startAppsServer({ port: 0, mounts: [{ path: '/', app: portal.app }] });
  work = await mkdtemp(join(tmpdir(), 'qdyp-portal-e2e-'));
  browser = await launchChromium(work);
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  for (const c of contexts.splice(0)) await c.close();
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function phone(options: BrowserContextOptions): Promise<BrowserContext> {
  const context = await browser.newContext({ ...PHONE, ...options });
  contexts.push(context);
  return context;
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `portal-${name}.png`), fullPage: true });

/** Clicks a link or button that navigates, and waits for the page it leads to. */
async function follow(page: Page, selector: string, url: RegExp): Promise<void> {
  await Promise.all([page.waitForURL(url), page.locator(selector).click()]);
}

async function signIn(page: Page, password: string): Promise<void> {
  await page.locator('#uscc').fill(USCC.a);
  await page.locator('#user').fill('admin');
  await page.locator('#password').fill(password);
  await follow(page, 'form[data-form=sign-in] button[type=submit]', /\/portal\/(\?lang=en)?$/);
}

/** Clicks a download link and saves what arrives under the work directory. */
async function download(page: Page, kind: string): Promise<{ file: string; name: string }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(`a[data-download="${kind}"]`).click()]);
  expect(await dl.failure()).toBeNull();
  const file = join(work, `${kind}-${dl.suggestedFilename()}`);
  await dl.saveAs(file);
  return { file, name: dl.suggestedFilename() };
}

describe('the holder portal in Chromium at 360×740, JavaScript off, no key anywhere', () => {
  it('activate → sign in → the licence → SVG, PNG and PDF downloads → sign out → Back shows nothing private', async () => {
    const context = await phone({ javaScriptEnabled: false, locale: 'zh-CN', acceptDownloads: true });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));

    // Signed out, the portal sends you to sign in.
    await page.goto(`${server.url}/portal/`);
    expect(new URL(page.url()).pathname).toBe('/portal/sign-in');
    await expect.poll(() => page.locator('p.asof[data-as-of]').count()).toBe(1);
    await shot(page, 'walk-1-sign-in');

    // Activate with USCC and the invitation code; back on sign-in with the fields prefilled.
    await follow(page, 'a[data-link=activate]', /\/portal\/activate$/);
    await page.locator('#uscc').fill(USCC.a);
    await page.locator('#code').fill(fx.codes.a);
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#confirm').fill(PASSWORD);
    await shot(page, 'walk-2-activate');
    await follow(page, 'form[data-form=activate] button[type=submit]', /\/portal\/sign-in\?activated=1/);
    expect(await page.locator('p.ok[role=status]').innerText()).toContain('账户已激活');
    expect(await page.locator('#uscc').inputValue()).toBe(USCC.a);
    expect(await page.locator('#user').inputValue()).toBe('admin');
    await shot(page, 'walk-3-activated');

    // A wrong password is refused, in words, on the same form.
    await page.locator('#password').fill('not the password at all, sorry');
    await page.locator('form[data-form=sign-in] button[type=submit]').click();
    await expect.poll(() => page.locator('p.problem[data-problem=signInWrong]').count()).toBe(1);
    await shot(page, 'walk-4-sign-in-refused');

    // The right one: the holder's licences, the suspended and revoked ones stated plainly.
    await page.locator('#password').fill(PASSWORD);
    await follow(page, 'form[data-form=sign-in] button[type=submit]', /\/portal\/$/);
    expect(await page.locator('section.alert[data-state=suspended]').count()).toBe(1);
    expect(await page.locator('section.alert[data-state=revoked]').count()).toBe(1);
    const card = page.locator(`section.card[data-licence="${fx.numbers.a1}"]`);
    await expect.poll(() => card.isVisible()).toBe(true);
    expect(await card.locator('dd[data-scan-url]').innerText()).toBe(scanUrl);
    expect(await page.locator(`section.card[data-licence="${fx.numbers.b1}"]`).count()).toBe(0);
    await shot(page, 'walk-5-licences');

    // One licence: its QR preview (a data: image the CSP allows) and its downloads.
    await follow(page, `section.card[data-licence="${fx.numbers.a1}"] a[data-link=licence]`, new RegExp(`/portal/licences/${fx.numbers.a1}$`));
    expect(await page.locator('h1').innerText()).toContain(fx.numbers.a1);
    expect(await page.locator('img.qr').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await page.locator('img.qr').boundingBox()).toMatchObject({ width: 160, height: 160 });
    await shot(page, 'walk-6-licence');

    const svg = await download(page, 'svg');
    expect(svg.name).toBe(`${fx.numbers.a1}-30mm.svg`);
    expect(await readFile(svg.file, 'utf8')).toMatch(/^(<\?xml[^>]*>\s*)?<svg[\s>][\s\S]*<\/svg>\s*$/);

    const png = await download(page, 'png-30-600');
    expect(png.name).toMatch(/\.png$/);
    const scanned = (await run('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', png.file])).stdout.split('\n').filter((l) => l !== '');
    expect(scanned).toEqual([scanUrl]);

    const pdf = await download(page, 'pdf');
    expect(pdf.name).toMatch(/\.pdf$/);
    expect((await run('pdftotext', ['-enc', 'UTF-8', pdf.file, '-'])).stdout).toContain(fx.numbers.a1);

    // The language switch keeps you on the same page.
    await follow(page, 'a.lang', new RegExp(`/portal/licences/${fx.numbers.a1}\\?lang=en$`));
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await shot(page, 'walk-7-licence-en');

    // Sign out (a POST), then Back: the private page is asked for again and is not given.
    await follow(page, 'div[data-account] button[data-action=sign-out]', /\/portal\/sign-in\?.*signed-out=1/);
    expect(await page.locator('p.ok[role=status]').innerText()).toBe('You have signed out.');
    await shot(page, 'walk-8-signed-out');
    await page.goBack();
    await page.waitForLoadState('load');
    expect(new URL(page.url()).pathname).toBe('/portal/sign-in');
    expect(await page.locator('form[data-form=sign-in]').count()).toBe(1);
    const body = await page.locator('body').innerText();
    const html = await page.content();
    for (const secret of [...Object.values(fx.numbers), HOLDER_NAME, scanUrl]) {
      expect(body).not.toContain(secret);
      expect(html).not.toContain(secret);
    }
    await shot(page, 'walk-9-back-after-sign-out');

    // Nothing was fetched from anywhere else (the QR preview is a data: URL).
    expect(requests.filter((u) => !u.startsWith(`${server.url}/`) && !u.startsWith('data:'))).toEqual([]);
    await page.close();
  });

  for (const locale of ['zh-CN', 'en'] as Locale[]) {
    it(`axe finds no WCAG 2.2 A/AA violation on any portal page (${locale})`, async () => {
      // axe injects its script into the page, so this context has JavaScript on (the pages are
      // the same: they run none). The portal's CSP (default-src 'none', no script-src) would
      // block the injected script; bypassCSP lets it run. The stylesheet still applies (the
      // colour-contrast checks see the real colours).
      const context = await phone({ javaScriptEnabled: true, bypassCSP: true, locale: locale === 'en' ? 'en-US' : 'zh-CN' });
      const page = await context.newPage();
      const q = locale === 'en' ? '?lang=en' : '';
      const found: Record<string, string[]> = {};
      const check = async (name: string) => {
        expect(await page.locator('html').getAttribute('lang')).toBe(locale);
        const violations = await axeViolations(page);
        if (violations.length > 0) found[name] = violations;
        await shot(page, `${name}-${locale}`);
      };
      const go = async (path: string, status = 200) => {
        const res = await page.goto(`${server.url}${path}`);
        expect(res?.status(), path).toBe(status);
      };

      await go(`/portal/sign-in${q}`);
      await check('sign-in');

      await go(`/portal/activate${q}`);
      await check('activate');
      // A refusal shown on the activation form: the two passwords differ.
      await page.locator('#uscc').fill(USCC.a);
      await page.locator('#code').fill(fx.codes.aStaff);
      await page.locator('#password').fill(PASSWORD);
      await page.locator('#confirm').fill(`${PASSWORD} and more`);
      await page.locator('form[data-form=activate] button[type=submit]').click();
      await expect.poll(() => page.locator('p.problem[data-problem=passwordsDiffer]').count()).toBe(1);
      await check('activate-refused');

      // A refusal shown on the sign-in form: a wrong password.
      await go(`/portal/sign-in${q}`);
      await page.locator('#uscc').fill(USCC.a);
      await page.locator('#user').fill('admin');
      await page.locator('#password').fill('this is not the right password');
      await page.locator('form[data-form=sign-in] button[type=submit]').click();
      await expect.poll(() => page.locator('p.problem[data-problem=signInWrong]').count()).toBe(1);
      await check('sign-in-refused');

      await go(`/portal/nothing${q}`, 404);
      expect(await page.locator('section[data-notice=notFound]').count()).toBe(1);
      await check('not-found');

      // Signed in: the list, one licence (suspended, so its alert shows too), the 404 page.
      await go(`/portal/sign-in${q}`);
      await signIn(page, PASSWORD);
      expect(new URL(page.url()).pathname).toBe('/portal/');
      expect(await page.locator(`section.card[data-licence="${fx.numbers.a1}"]`).count()).toBe(1);
      await check('licences');

      await go(`/portal/licences/${fx.numbers.a1}${q}`);
      expect(await page.locator('img.qr').count()).toBe(1);
      await check('licence');

      await go(`/portal/licences/${fx.numbers.aSuspended}${q}`);
      expect(await page.locator('section.alert[data-state=suspended]').count()).toBe(1);
      await check('licence-suspended');

      await go(`/portal/licences/${fx.numbers.b1}${q}`, 404);
      await check('not-found-signed-in');

      await page.locator('div[data-account] button[data-action=sign-out]').click();
      await page.waitForURL(/signed-out=1/);
      await check('signed-out');

      expect(found).toEqual({});

      // And the harness itself is not a no-op: the same checks catch a page that is wrong.
      await page.setContent('<html><body><img src="data:,"><input id="x"></body></html>');
      const wrong = (await new AxeBuilder({ page }).withTags(WCAG).analyze()).violations.map((v) => v.id);
      expect(wrong).toEqual(expect.arrayContaining(['html-has-lang', 'image-alt', 'label']));
      await page.close();
    });
  }
});
