// The market inspector's offline page (/inspect) in real headless Chromium at 360×740: a real
// registry made through the CLI (`qdyp init`, holders, licences, a revocation, `publish`), a
// real verifier (startServer on its edge/), and photos of printed labels made from the real
// artwork. The page syncs its trust bundle online, is then reloaded offline from its service
// worker and judges on the device; a live (fake) camera, codes that are not ours, bad files, a
// failed or corrupted refresh, district data, the history and its CSV, WeChat, the CSP and
// axe (WCAG 2.2 A/AA) in both languages. Screenshots go to test/artifacts/inspect-*.png.
import fs from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES, type Locale } from '../../src/core/index.ts';
import { startServer, type RunningServer } from '../../src/node/server.ts';
import { labelArtworkPng, labelPhoto, noCodePhoto, y4mFromJpeg } from '../support/label-photo.ts';
import { cliRegistry, ORIGIN, USCC } from '../node/support.ts';
import { ARTIFACTS, axeViolations, launchChromium } from './browser.ts';

const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
/** A decode in the page's worker takes about a second; generous, but bounded. */
const DECODE_MS = 20_000;
const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 12; M2102J2SC Build/SKQ1.211006.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 MMWEBSDK/20221012 MMWEBID/1571 MicroMessenger/8.0.30.2260(0x28001E55) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64';

type Reg = Awaited<ReturnType<typeof cliRegistry>>;
interface Licence {
  number: string;
  sealUrl: string;
}
interface Phone {
  context: BrowserContext;
  page: Page;
  locale: Locale;
  /** Every request the context made (page, workers, service worker). */
  requests: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
}

// The registry's clock: a little before the real present, so what it signs is valid now (the
// page's clock is the real one) and its status list (14 days) has not expired.
const REG_NOW = new Date(Date.now() - 2 * 60 * 1000).toISOString();

let reg: Reg;
let server: RunningServer;
/** Every request the verifier received, as METHOD path. */
const hits: string[] = [];
/**
 * What reached the verifier since `from`, but the browser's own update check of the service
 * worker script (Chromium makes it on navigation; Playwright's offline emulation does not cover it).
 */
const hitsSince = (from: number) => hits.slice(from).filter((h) => h !== 'GET /inspect/sw.js');
let browser: Browser;
let work: string;
let statusExp: number;
const licences: Record<'laoshan' | 'huangdao' | 'revoked', Licence> = {} as never;
const photos: Record<'authorized' | 'revoked' | 'forged' | 'huangdao' | 'noCode' | 'foreign' | 'camera', Uint8Array> = {} as never;
let cameraVideo: string;
const contexts: BrowserContext[] = [];
const phones: Partial<Record<'zh' | 'en', Phone>> = {};

async function issue(holder: string, product: string): Promise<Licence> {
  const issued = await reg.run(['licence', 'issue', '--holder', holder, '--tier', 'product', '--sector', 'agriculture', '--product', product, '--valid-days', '365', '--json'], { QDYP_NOW: REG_NOW });
  expect(issued.code, issued.stderr).toBe(0);
  const { number, sealUrl } = issued.json();
  return { number, sealUrl };
}

beforeAll(async () => {
  reg = await cliRegistry();
  const env = { QDYP_NOW: REG_NOW };
  expect((await reg.run(['holder', 'add', '--uscc', USCC.a, '--name', '青岛崂山茶业有限公司', '--region', '370212'], env)).code).toBe(0);
  expect((await reg.run(['holder', 'add', '--uscc', USCC.b, '--name', '青岛黄岛海产有限公司', '--region', '370211'], env)).code).toBe(0);
  licences.laoshan = await issue(USCC.a, '崂山绿茶');
  licences.huangdao = await issue(USCC.b, '海参');
  licences.revoked = await issue(USCC.a, '崂山红茶');
  expect((await reg.run(['licence', 'revoke', licences.revoked.number, '--reason', '冒用标识'], env)).code).toBe(0);
  const published = await reg.run(['publish', '--to', 'local'], env);
  expect(published.code, published.stderr).toBe(0);
  const edgeDir = join(reg.dir, 'edge');
  const statusList = fs.readFileSync(join(edgeDir, 'status-list'), 'utf8');
  statusExp = JSON.parse(Buffer.from(statusList.split('.')[1]!, 'base64url').toString('utf8')).exp;
  const rootJwk = JSON.parse(fs.readFileSync(join(reg.dir, 'root.public.jwk'), 'utf8'));
  // The registry's origin (the one in its QR codes) is the official verify origin; the clock is real.
  server = await startServer({ port: 0, edgeDir, rootJwk, verifyOrigin: ORIGIN, log: () => {} });
  server.server.on('request', (req: { method?: string; url?: string }) => hits.push(`${req.method} ${req.url}`));

  const { laoshan, huangdao, revoked } = licences;
  const forgedUrl = `${laoshan.sealUrl.slice(0, -1)}${laoshan.sealUrl.endsWith('A') ? 'B' : 'A'}`;
  const [laoshanArt, revokedArt, forgedArt, huangdaoArt] = await Promise.all([
    labelArtworkPng(laoshan.sealUrl, laoshan.number),
    labelArtworkPng(revoked.sealUrl, revoked.number),
    labelArtworkPng(forgedUrl, laoshan.number),
    labelArtworkPng(huangdao.sealUrl, huangdao.number),
  ]);
  photos.authorized = labelPhoto(laoshanArt, 'mixed', 1);
  photos.revoked = labelPhoto(revokedArt, 'mixed', 2);
  photos.forged = labelPhoto(forgedArt, 'mixed', 3);
  photos.huangdao = labelPhoto(huangdaoArt, 'mixed', 4);
  photos.noCode = noCodePhoto(5);
  photos.foreign = new Uint8Array(await QRCode.toBuffer('https://example.com/hello'));
  photos.camera = labelPhoto(laoshanArt, 'rotation', 6);

  work = await mkdtemp(join(tmpdir(), 'qdyp-inspect-e2e-'));
  cameraVideo = join(work, 'label.y4m');
  await writeFile(cameraVideo, y4mFromJpeg(photos.camera, 3));
  browser = await launchChromium(work);
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => {});
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const inspectUrl = () => `${server.url}/inspect`;

/** A phone (a fresh context, so fresh storage) with a tab recording requests and errors. */
async function newPhone(locale: Locale, options: BrowserContextOptions = {}, on: Browser = browser): Promise<Phone> {
  const context = await on.newContext({ ...PHONE, locale: locale === 'en' ? 'en-US' : 'zh-CN', ...options });
  contexts.push(context);
  const requests: string[] = [];
  const errors: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { context, page, locale, requests, errors };
}

/** Opens /inspect and waits until the bundle is on the device. */
async function openSynced(phone: Phone, count = 3): Promise<void> {
  const response = await phone.page.goto(inspectUrl(), { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
  await phone.page.locator(`#data .data-asof[data-count="${count}"]`).waitFor({ timeout: 15_000 });
}

interface Shown {
  outcome: string | null;
  where: string | null;
  asof: string | null;
  reason: string | null;
  text: string;
}

/** Uploads a file through "choose a photo" and waits for what the page makes of it. */
async function upload(page: Page, buffer: Uint8Array, name = 'label.jpg', mimeType = 'image/jpeg'): Promise<Shown> {
  // An earlier verdict must not be taken for this one.
  await page.evaluate(() => document.getElementById('result')!.replaceChildren());
  await page.setInputFiles('#photo', { name, mimeType, buffer: Buffer.from(buffer) });
  const result = page.locator('#result .result');
  await result.waitFor({ timeout: DECODE_MS });
  return result.evaluate((el) => ({
    outcome: el.getAttribute('data-outcome'),
    where: el.getAttribute('data-where'),
    asof: el.querySelector('.asof')?.getAttribute('data-asof') ?? null,
    reason: el.querySelector('.reason')?.getAttribute('data-reason') ?? null,
    text: (el as HTMLElement).innerText,
  }));
}

/** The page's verdict titles are the scan page's (src/core's messages); its own words are spelled out here. */
const title = (locale: Locale, code: 'authorized' | 'revoked' | 'bad_signature' | 'cannot_confirm') => MESSAGES[locale].outcomes[code].title;
const NOT_OURS = { 'zh-CN': '不是青岛优品的查验码', en: 'Not a Qingdao Premium Products seal' } as const;

const AS_OF = { 'zh-CN': /状态数据截至 .+（(刚刚|\d+ 分钟前)）/, en: /Status as of .+ \((just now|\d+ min ago)\)/ } as const;

const shot = (page: Page, name: string, locale: Locale) => page.screenshot({ path: join(ARTIFACTS, `inspect-${name}-${locale}.png`), fullPage: true });

async function axe(page: Page, what: string): Promise<string[]> {
  return (await axeViolations(page)).map((v) => `${what}: ${v}`);
}

describe('the inspector page /inspect in Chromium at 360×740', () => {
  it('online: served under a strict CSP, syncs the whole city\'s bundle, and says how old it is (zh-CN, en)', async () => {
    for (const locale of ['zh-CN', 'en'] as Locale[]) {
      const phone = await newPhone(locale);
      phones[locale === 'en' ? 'en' : 'zh'] = phone;
      const response = await phone.page.goto(inspectUrl(), { waitUntil: 'load' });
      expect(response?.status()).toBe(200);
      const csp = response!.headers()['content-security-policy']!;
      expect(csp).toContain("'wasm-unsafe-eval'");
      expect(csp).not.toContain("'unsafe-inline'");
      expect(csp).not.toMatch(/'unsafe-eval'/);
      expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval'/);
      expect(csp).toMatch(/connect-src 'self'/);
      const data = phone.page.locator('#data .data-asof[data-count="3"]');
      await data.waitFor({ timeout: 15_000 });
      expect(await phone.page.locator('html').getAttribute('lang')).toBe(locale);
      expect(await data.innerText()).toMatch(locale === 'en' ? /Status as of .+\n3 licences saved \(Whole city\)/ : /状态数据截至 .+\n已保存 3 个许可（全市）/);
      // The status list's time: when the registry published.
      expect(Math.abs(Date.parse((await data.getAttribute('data-asof'))!) - Date.parse(REG_NOW))).toBeLessThan(60_000);
      // No warning (headless Chromium does not grant persistent storage: that notice is right).
      expect(await phone.page.locator('.banners [data-banner]:not([data-banner="storage"])').count()).toBe(0);
      // The service worker is installed and active: the page is cached for offline use.
      const scope = await phone.page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
      expect(scope).toBe(`${server.url}/inspect`);
      expect(await axe(phone.page, `idle ${locale}`)).toEqual([]);
      await shot(phone.page, 'synced', locale);
    }
  });

  it('a QR code that is not ours: said so, its text shown, never opened', async () => {
    const { page, requests } = phones.zh!;
    const shown = await upload(page, photos.foreign, 'hello.png', 'image/png');
    expect(shown.outcome).toBe('foreign');
    expect(shown.text).toContain(NOT_OURS['zh-CN']);
    expect(await page.locator('#result .code-text').innerText()).toBe('https://example.com/hello');
    expect(await page.locator('#result a').count()).toBe(0);
    expect(await axe(page, 'foreign zh-CN')).toEqual([]);
    // Give a link-follower every chance to show itself, then look.
    await page.waitForTimeout(300);
    expect(requests.filter((u) => u.includes('example.com'))).toEqual([]);
  });

  it('bad input: no code, not an image, a huge image refused from its header while the page stays responsive', async () => {
    const { page } = phones.zh!;
    const none = await upload(page, photos.noCode);
    expect(none.outcome).toBe('no_code');
    expect(none.text).toBe('照片中没有找到二维码。请靠近、对准二维码，保持清晰后再拍。');

    const random = new Uint8Array(5000);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) % 251;
    const junk = await upload(page, random, 'x.jpg');
    expect(junk.outcome).toBe('not_image');
    expect(junk.text).toBe('这个文件不是可识别的图片（请用 JPEG 或 PNG 照片）。');

    // A valid PNG signature and IHDR claiming 12,000 × 12,000 pixels (144 megapixels).
    const header = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
    header.writeUInt32BE(13, 8);
    header.write('IHDR', 12, 'ascii');
    header.writeUInt32BE(12_000, 16);
    header.writeUInt32BE(12_000, 20);
    header.set([8, 2, 0, 0, 0], 24);
    const started = Date.now();
    const huge = await upload(page, header, 'huge.png', 'image/png');
    expect(huge.outcome).toBe('too_large');
    expect(huge.text).toBe('照片太大（12000 × 12000 像素）。请用较低的分辨率重拍。');
    expect(Date.now() - started).toBeLessThan(5000);
    // Still responsive: the language switch works at once, and back.
    await page.locator('#lang').click();
    await expect.poll(() => page.locator('html').getAttribute('lang'), { timeout: 2000 }).toBe('en');
    expect(await page.locator('#sync').innerText()).toBe('Sync now');
    await page.locator('#lang').click();
    await expect.poll(() => page.locator('html').getAttribute('lang'), { timeout: 2000 }).toBe('zh-CN');
  });

  it('a failed or corrupted refresh keeps the last good bundle, and says so', async () => {
    const { page, context } = phones.zh!;
    const banner = page.locator('.banners [data-banner="sync-failed"]');
    await context.route('**/api/v1/bundle**', (route) => route.fulfill({ status: 500, body: 'boom' }));
    try {
      await page.locator('#sync').click();
      await banner.waitFor({ timeout: 10_000 });
      expect(await banner.innerText()).toMatch(/同步失败：服务器出错( \(HTTP 500\))? 仍使用上次同步的数据。$/);
      expect(await page.locator('#data .data-asof[data-count="3"]').count()).toBe(1);
      const judged = await upload(page, photos.authorized);
      expect(judged).toMatchObject({ outcome: 'authorized', where: 'device', reason: null });
    } finally {
      await context.unroute('**/api/v1/bundle**');
    }

    // A good sync clears the banner.
    await page.locator('#sync').click();
    await banner.waitFor({ state: 'detached', timeout: 10_000 });

    // The real bundle with one product's name changed: its digest no longer matches.
    let altered = false;
    await context.route('**/api/v1/bundle**', async (route) => {
      const real = await route.fetch();
      const original = await real.body();
      const text = gunzipSync(original).toString('utf8');
      const changed = text.replace('崂山绿茶', '崂山金茶');
      altered = changed !== text;
      await route.fulfill({ status: 200, contentType: 'application/gzip', body: gzipSync(Buffer.from(changed, 'utf8')) });
    });
    try {
      await page.locator('#sync').click();
      await banner.waitFor({ timeout: 10_000 });
      expect(altered).toBe(true);
      expect(await banner.innerText()).toMatch(/同步失败：数据签名或格式不对，已拒收( \(.+\))? 仍使用上次同步的数据。$/);
      expect(await page.locator('#data .data-asof[data-count="3"]').count()).toBe(1);
      const judged = await upload(page, photos.authorized);
      expect(judged).toMatchObject({ outcome: 'authorized', where: 'device' });
      // The device's licence details are still the signed ones.
      expect(judged.text).toContain('崂山绿茶');
      expect(judged.text).not.toContain('崂山金茶');
    } finally {
      await context.unroute('**/api/v1/bundle**');
    }
    await page.locator('#sync').click();
    await banner.waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('offline, reloaded from the service worker: authorized, revoked and forged judged on the device (zh-CN, en)', async () => {
    for (const key of ['zh', 'en'] as const) {
      const { page, context, locale } = phones[key]!;
      await page.evaluate(async () => void (await navigator.serviceWorker.ready));
      await context.setOffline(true);
      const served = hits.length;
      const response = await page.reload({ waitUntil: 'load' });
      expect(response?.fromServiceWorker()).toBe(true);
      expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${server.url}/inspect/sw.js`);
      expect(await page.evaluate(() => navigator.onLine)).toBe(false);
      await page.locator('#data .data-asof[data-count="3"]').waitFor({ timeout: 10_000 });
      await page.locator('.banners [data-banner="offline"]').waitFor();

      const authorized = await upload(page, photos.authorized);
      expect(authorized).toMatchObject({ outcome: 'authorized', where: 'device', reason: null });
      expect(authorized.text).toContain(title(locale, 'authorized'));
      expect(authorized.text).toContain(locale === 'en' ? 'Judged on this device, offline' : '在本机查验（离线数据）');
      expect(authorized.text).toMatch(AS_OF[locale]);
      expect(authorized.asof).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(authorized.text).toContain(licences.laoshan.number);
      expect(authorized.text).toContain('青岛崂山茶业有限公司');
      expect(await page.locator('#result .verdict.authorized').count()).toBe(1);
      expect(await axe(page, `authorized ${locale}`)).toEqual([]);
      await shot(page, 'authorized', locale);

      const revoked = await upload(page, photos.revoked);
      expect(revoked).toMatchObject({ outcome: 'revoked', where: 'device', reason: null });
      expect(revoked.text).toContain(title(locale, 'revoked'));
      expect(revoked.text).toContain('冒用标识');
      expect(revoked.text).toMatch(AS_OF[locale]);
      expect(await axe(page, `revoked ${locale}`)).toEqual([]);
      await shot(page, 'revoked', locale);

      const forged = await upload(page, photos.forged);
      expect(forged).toMatchObject({ outcome: 'bad_signature', where: 'device', reason: null });
      expect(forged.text).toContain(title(locale, 'bad_signature'));
      expect(forged.text).not.toContain('青岛崂山茶业有限公司');

      if (key === 'en') {
        const foreign = await upload(page, photos.foreign, 'hello.png', 'image/png');
        expect(foreign.outcome).toBe('foreign');
        expect(foreign.text).toContain(NOT_OURS.en);
        expect(await axe(page, 'foreign en')).toEqual([]);
      }
      // Offline means offline: the page, its files and every verdict came from this phone alone.
      expect(hitsSince(served)).toEqual([]);
    }
  });

  it('history: the checks are listed, exported as CSV (UTF-8 BOM, the licence numbers), and cleared', async () => {
    const { page } = phones.zh!;
    const items = page.locator('#history ol.checks li');
    await expect.poll(() => items.count(), { timeout: 5000 }).toBeGreaterThanOrEqual(5);
    const codes = await items.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-code')));
    // Newest first: forged, revoked, authorized (offline), then the earlier ones.
    expect(codes.slice(0, 3)).toEqual(['bad_signature', 'revoked', 'authorized']);
    expect(codes).toContain('foreign');
    expect(await items.nth(1).innerText()).toContain(licences.revoked.number);
    expect(await items.nth(2).innerText()).toMatch(/本机离线 · 状态数据截至/);

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export').click()]);
    expect(download.suggestedFilename()).toMatch(/^qdyp-checks-\d{4}-\d\d-\d\d\.csv$/);
    const csv = await readFile((await download.path())!);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = csv.toString('utf8').slice(1);
    expect(text.split(/\r?\n/)[0]).toBe('查验时间,许可编号,持有人,结果代码,结果,状态数据截至,查验方式,二维码内容');
    expect(text).toContain(licences.laoshan.number);
    expect(text).toContain(licences.revoked.number);
    expect(text).toContain('https://example.com/hello');

    page.once('dialog', (d) => void d.accept());
    await page.locator('#clear').click();
    await page.locator('#history').getByText('还没有查验记录。').waitFor({ timeout: 5000 });
    expect(await items.count()).toBe(0);
    expect(await page.locator('#export').isDisabled()).toBe(true);
  });

  it('district data: a licence from another district cannot be confirmed offline, and says why', async () => {
    const phone = await newPhone('zh-CN');
    const { page, context } = phone;
    await openSynced(phone);
    await page.locator('#scope').selectOption('370212');
    await page.locator('#data .data-asof[data-count="2"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('#data .data-asof').innerText()).toContain('已保存 2 个许可（崂山区）');
    await context.setOffline(true);
    const elsewhere = await upload(page, photos.huangdao);
    expect(elsewhere).toMatchObject({ outcome: 'cannot_confirm', where: 'device', reason: 'not_in_district' });
    expect(elsewhere.text).toContain('不在本机所存地区的数据中');
    expect(elsewhere.text).toContain(title('zh-CN', 'cannot_confirm'));
    const here = await upload(page, photos.authorized);
    expect(here).toMatchObject({ outcome: 'authorized', where: 'device' });
    // In English too.
    await page.locator('#lang').click();
    const en = await upload(page, photos.huangdao);
    expect(en.reason).toBe('not_in_district');
    expect(en.text).toContain('Not in this district’s data');
    // Back online, it syncs by itself (no reload, no button), and what the district's data
    // cannot confirm is asked of the edge: judged online.
    const before = hits.length;
    await context.setOffline(false);
    // (the lists only: the district's bundle is hours old at most, and revocations are in the lists)
    await expect.poll(() => hits.slice(before).some((h) => h.startsWith('GET /api/v1/status-list')), { timeout: 10_000 }).toBe(true);
    expect(hits.slice(before).some((h) => h.startsWith('GET /api/v1/bundle'))).toBe(false);
    const online = await upload(page, photos.huangdao);
    expect(online).toMatchObject({ outcome: 'authorized', where: 'online', reason: null });
    expect(online.text).toContain('Judged online');
    expect(phone.errors).toEqual([]);
  });

  it('WeChat\'s built-in browser: warned, and photo checks still work', async () => {
    const phone = await newPhone('zh-CN', { userAgent: WECHAT_UA });
    await openSynced(phone);
    const banner = phone.page.locator('.banners [data-banner="wechat"]');
    await banner.waitFor();
    expect(await banner.innerText()).toContain('微信内置浏览器');
    const judged = await upload(phone.page, photos.authorized);
    expect(judged).toMatchObject({ outcome: 'authorized', where: 'device' });
    expect(phone.errors).toEqual([]);
    // Not shown outside WeChat.
    expect(await phones.en!.page.locator('.banners [data-banner="wechat"]').count()).toBe(0);
  });

  it('the live camera (Chromium\'s fake camera playing a label photo) finds the code and judges it, no photo uploaded', async () => {
    const camera = await launchChromium(undefined, ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${cameraVideo}`]);
    try {
      const phone = await newPhone('zh-CN', { permissions: ['camera'] }, camera);
      await openSynced(phone);
      const { page } = phone;
      const chooser: string[] = [];
      page.on('filechooser', () => chooser.push('opened'));
      await page.locator('#camera').click();
      await expect.poll(() => page.locator('video.camera').isVisible(), { timeout: 5000 }).toBe(true);
      const result = page.locator('#result .result');
      await result.waitFor({ timeout: DECODE_MS });
      expect(await result.getAttribute('data-outcome')).toBe('authorized');
      expect(await result.getAttribute('data-where')).toBe('device');
      expect(await result.innerText()).toContain(licences.laoshan.number);
      // A found code stops the camera.
      expect(await page.locator('video.camera').isHidden()).toBe(true);
      expect(await page.locator('#camera').innerText()).toBe('用相机扫描');
      expect(await page.evaluate(() => (document.querySelector('video.camera') as HTMLVideoElement).srcObject)).toBeNull();
      expect(chooser).toEqual([]);
      expect(phone.errors).toEqual([]);
    } finally {
      await camera.close();
    }
  });

  it('past the status list\'s expiry, offline: cannot confirm, data expired, and a banner says so (zh-CN, en)', async () => {
    for (const key of ['zh', 'en'] as const) {
      const { page, context, locale } = phones[key]!;
      // The device's clock an hour past the status list's exp; offline, so it cannot ask the edge.
      await context.setOffline(true);
      await page.clock.install({ time: new Date((statusExp + 3600) * 1000) });
      const served = hits.length;
      await page.reload({ waitUntil: 'load' });
      const expired = page.locator('.banners [data-banner="expired"]');
      await expired.waitFor({ timeout: 10_000 });
      expect(await expired.innerText()).toMatch(locale === 'en' ? /^The data on this device expired at / : /^本机数据已于 .+ 过期/);
      const judged = await upload(page, photos.authorized);
      expect(judged).toMatchObject({ outcome: 'cannot_confirm', where: 'device', reason: 'data_expired' });
      expect(judged.text).toContain(title(locale, 'cannot_confirm'));
      expect(judged.text).toContain(locale === 'en' ? 'The data on this device has expired' : '本机数据已过期，无法确认许可状态');
      expect(await axe(page, `expired ${locale}`)).toEqual([]);
      await shot(page, 'expired', locale);
      expect(hitsSince(served)).toEqual([]);
    }
  });

  it('across the walk: no request to any other origin, and no console errors but the refused refresh\'s', () => {
    for (const key of ['zh', 'en'] as const) {
      const { requests, errors } = phones[key]!;
      expect(requests.length).toBeGreaterThan(10);
      expect(requests.filter((u) => !u.startsWith(`${server.url}/`) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
      const unexpected = errors.filter((e) => !(key === 'zh' && /status of 500/.test(e)));
      expect(unexpected).toEqual([]);
    }
  });
});
