// A holder's whole visit, with no key anywhere: activate with the invitation code, sign in,
// see only its own licences (suspended and revoked ones first, renewal due), open one, and
// download every file, each checked by a tool nobody here wrote: the SVG and PNG scan (zbarimg)
// to the licence's scan URL, the PDF's text (pdftotext) has the licence number, and the .jws
// verifies with `qdyp verify`. Then sign out: the session ends on the server.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openPortalSnapshot } from '../../../src/node/portal/index.ts';
import { pdfText, scan, svgToPng, Workdir } from '../artwork/tools.ts';
import { qdyp } from '../support.ts';
import { Client, PASSWORD, portalFixture, startPortal, testClock, USCC, type Fixture, type TestPortal } from './support.ts';

let fx: Fixture;
let portal: TestPortal;
let holder: Client;
const clock = testClock();
const work = new Workdir();

beforeAll(async () => {
  fx = await portalFixture();
  expect(fs.existsSync(path.join(fx.dir, 'keys'))).toBe(false);
  portal = startPortal(fx, { clock: clock.now });
  holder = new Client(portal);
  return () => work.remove();
});

function text(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ');
}

describe('a holder with no key anywhere', () => {
  it('activates with USCC and code, then signs in with USCC, user and password', async () => {
    const form = await holder.get('/portal/activate');
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('激活账户');
    expect(html).toContain('至少 15 个字符');
    expect(html).toMatch(/<input type="password" id="password" name="password" autocomplete="new-password"/);
    expect(html).toMatch(/<input type="password" id="confirm" name="confirm" autocomplete="new-password"/);

    // The code as someone copies it from a letter: lower case, spaces for dashes.
    const typed = fx.codes.a.toLowerCase().replace(/-/g, ' ');
    const activated = await holder.activate(USCC.a.toLowerCase(), typed, PASSWORD);
    expect(activated.status).toBe(303);
    const next = activated.headers.get('location')!;
    expect(next).toBe(`/portal/sign-in?activated=1&uscc=${USCC.a}&user=admin`);
    const signInPage = await (await holder.get(next)).text();
    expect(signInPage).toContain('账户已激活');
    expect(signInPage).toMatch(/<input type="text" id="user" name="user" autocomplete="username" value="admin"/);
    expect(signInPage).toMatch(/autocomplete="current-password"/);

    const signedIn = await holder.signIn(USCC.a, 'Admin', PASSWORD);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/portal/');
  });

  it('lists only its own licences, suspended and revoked first with what they mean for printing', async () => {
    const res = await holder.get('/portal/');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    const words = text(html);
    for (const n of [fx.numbers.a1, fx.numbers.aSuspended, fx.numbers.aRevoked, fx.numbers.aEnding]) expect(html).toContain(n);
    expect(html).not.toContain(fx.numbers.b1);
    expect(words).toContain('本页信息截至 2026-11-27 12:00（北京时间）');
    // Both alerts come before the first licence card.
    const firstCard = html.indexOf(`data-licence="${fx.numbers.a1}"`);
    expect(html.indexOf('data-state="suspended"')).toBeGreaterThan(-1);
    expect(html.indexOf('data-state="suspended"')).toBeLessThan(firstCard);
    expect(html.indexOf('data-state="revoked"')).toBeLessThan(firstCard);
    expect(words).toMatch(/已暂停 · \S+ 自 2026-11-27 起暂停，原因：抽检不合格，整改期间暂停。暂停期间不得在新印制的包装上使用此二维码/);
    expect(words).toMatch(/已撤销 · \S+ 自 2026-11-27 起撤销，原因：超出授权范围使用标识。不得再印制或使用此二维码/);
    expect(words).toContain('有效期还剩 65 天（至 2027-01-31）');
    expect(words).toContain('即食海参');
    expect(words).toContain('海滨');
    const snap = openPortalSnapshot(fx.snapshotFile);
    const scanUrl = snap.licence(USCC.a, fx.numbers.a1)!.sealUrl;
    snap.close();
    expect(html).toContain(scanUrl);

    const en = await (await holder.get('/portal/?lang=en')).text();
    expect(text(en)).toContain('Information as of 2026-11-27 12:00 (Beijing time)');
    expect(en).toContain('Suspended since 2026-11-27');
    expect(en).toContain(`href="/portal/licences/${fx.numbers.a1}?lang=en"`);
    expect(en).toContain('action="/portal/sign-out?lang=en"');
  });

  it('shows a licence with its downloads and the line on verifying the .jws', async () => {
    const res = await holder.get(`/portal/licences/${fx.numbers.a1}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const file of ['qr.svg', 'certificate.pdf', 'print-guide.html', 'licence.jws']) expect(html).toContain(`/portal/licences/${fx.numbers.a1}/${file}`);
    for (const mm of [25, 30, 40]) for (const dpi of [300, 600]) expect(html).toContain(`/portal/licences/${fx.numbers.a1}/qr-${mm}mm-${dpi}dpi.png`);
    expect(text(html)).toContain(`qdyp verify ${fx.numbers.a1}.jws`);
    expect(html).toMatch(/<img class="qr" src="data:image\/svg\+xml;base64,/);
  });

  it('downloads SVG and every PNG that scan to the scan URL', async () => {
    const snap = openPortalSnapshot(fx.snapshotFile);
    const scanUrl = snap.licence(USCC.a, fx.numbers.a1)!.sealUrl;
    snap.close();
    const base = `/portal/licences/${fx.numbers.a1}`;

    const svg = await holder.get(`${base}/qr.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('content-disposition')).toBe(`attachment; filename="${fx.numbers.a1}-30mm.svg"`);
    expect(svg.headers.get('cache-control')).toBe('no-store');
    const svgFile = work.file('qr.svg', new Uint8Array(await svg.arrayBuffer()));
    const png = path.join(work.path, 'svg.png');
    await svgToPng(svgFile, png, 600);
    expect(await scan(png)).toEqual([scanUrl]);

    for (const mm of [25, 30, 40]) {
      for (const dpi of [300, 600]) {
        const res = await holder.get(`${base}/qr-${mm}mm-${dpi}dpi.png`);
        expect(res.status, `${mm} mm ${dpi} dpi`).toBe(200);
        expect(res.headers.get('content-type')).toBe('image/png');
        const file = work.file(`qr-${mm}-${dpi}.png`, new Uint8Array(await res.arrayBuffer()));
        expect(await scan(file)).toEqual([scanUrl]);
      }
    }
  });

  it('downloads the certificate PDF, the print guide and the licence document, which verifies', async () => {
    const base = `/portal/licences/${fx.numbers.a1}`;
    const pdf = await holder.get(`${base}/certificate.pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const pdfFile = work.file('certificate.pdf', new Uint8Array(await pdf.arrayBuffer()));
    expect(await pdfText(pdfFile)).toContain(fx.numbers.a1);

    const guide = await holder.get(`${base}/print-guide.html`);
    expect(guide.status).toBe(200);
    expect(guide.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(guide.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+';/);
    expect(await guide.text()).toContain('<style>');

    const jws = await holder.get(`${base}/licence.jws`);
    expect(jws.status).toBe(200);
    expect(jws.headers.get('content-disposition')).toBe(`attachment; filename="${fx.numbers.a1}.jws"`);
    const jwsFile = work.file(`${fx.numbers.a1}.jws`, await jws.text());
    const verified = await qdyp(['verify', jwsFile, '--db', fx.db]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toContain(fx.numbers.a1);
  });

  it('signs out with a POST that ends the session on the server; Back then shows nothing private', async () => {
    const kept = new Map(holder.cookies);
    const page = await (await holder.get('/portal/')).text();
    const csrf = /action="\/portal\/sign-out"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const out = await holder.post('/portal/sign-out', { csrf });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/portal/sign-in?signed-out=1');
    expect(holder.cookies.has('qdyp_portal_session')).toBe(false);
    expect((await holder.get('/portal/')).status).toBe(303);

    // The old cookie, replayed (a copied cookie, or a browser that kept it), opens nothing.
    const replay = new Client(portal);
    for (const [k, v] of kept) replay.cookies.set(k, v);
    const res = await replay.get(`/portal/licences/${fx.numbers.a1}/qr.svg`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/portal/sign-in');
  });
});
