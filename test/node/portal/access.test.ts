// Who gets what: holder A gets nothing of holder B's by guessing numbers or file names (the
// very same "not found" as for a number that does not exist), a signed-out visitor reaches
// nothing private, a form without the right CSRF token or from another origin is refused with
// nothing written, bad input of every kind gets a 4xx page in the portal's style (never a 5xx)
// with nothing written, and the cookies and headers carry the attributes they must.
import { beforeAll, describe, expect, it } from 'vitest';
import { dumpTables } from '../support.ts';
import { Client, PASSWORD, PASSWORD_B, portalFixture, startPortal, testClock, USCC, type Fixture, type TestPortal } from './support.ts';

let fx: Fixture;
let portal: TestPortal;
let a: Client;
let b: Client;
const clock = testClock();

beforeAll(async () => {
  fx = await portalFixture();
  portal = startPortal(fx, { clock: clock.now });
  a = new Client(portal, '203.0.113.7');
  b = new Client(portal, '203.0.113.8');
  expect((await a.activate(USCC.a, fx.codes.a, PASSWORD)).status).toBe(303);
  expect((await b.activate(USCC.b, fx.codes.b, PASSWORD_B)).status).toBe(303);
  expect((await a.signIn(USCC.a, 'admin', PASSWORD)).status).toBe(303);
  expect((await b.signIn(USCC.b, 'admin', PASSWORD_B)).status).toBe(303);
});

const portalDb = () => dumpTables(portal.store.file);

/**
 * A 4xx page in the portal's own style, with the snapshot's time on it and no script: a notice
 * (`notFound`), or the form shown again with its problem (`problem:formExpired`).
 */
async function expectNoticePage(res: Response, status: number, notice: string): Promise<string> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8');
  expect(res.headers.get('cache-control')).toBe('no-store');
  const html = await res.text();
  expect(html).toContain(notice.startsWith('problem:') ? `data-problem="${notice.slice(8)}"` : `data-notice="${notice}"`);
  expect(html).toContain('本页信息截至 2026-11-27 12:00（北京时间）');
  expect(html).not.toContain('<script');
  return html;
}

describe('access control', () => {
  it("holder A gets exactly the same not-found for B's licence as for one that does not exist", async () => {
    const missing = 'QDYP-2026-999999';
    const pairs: [string, string][] = [
      [`/portal/licences/${fx.numbers.b1}`, `/portal/licences/${missing}`],
      [`/portal/licences/${fx.numbers.b1.toLowerCase()}`, `/portal/licences/${missing}`],
      [`/portal/licences/${fx.numbers.b1}/qr.svg`, `/portal/licences/${missing}/qr.svg`],
      [`/portal/licences/${fx.numbers.b1}/licence.jws`, `/portal/licences/${missing}/licence.jws`],
      [`/portal/licences/${fx.numbers.b1}/certificate.pdf`, `/portal/licences/${missing}/certificate.pdf`],
      [`/portal/licences/${fx.numbers.b1}/qr-30mm-600dpi.png`, `/portal/licences/${fx.numbers.a1}/qr-31mm-600dpi.png`],
      [`/portal/licences/${fx.numbers.a1}/../../${fx.numbers.b1}`, `/portal/licences/${'9'.repeat(5000)}`],
    ];
    const reference = await expectNoticePage(await a.get(`/portal/licences/${missing}`), 404, 'notFound');
    for (const [theirs, nobodys] of pairs) {
      const r1 = await a.get(theirs);
      const r2 = await a.get(nobodys);
      expect(r1.status, theirs).toBe(404);
      expect(r2.status, nobodys).toBe(404);
      const [t1, t2] = [await r1.text(), await r2.text()];
      expect(t1).toBe(t2);
      expect(t1).toBe(reference);
      expect(t1).not.toContain(fx.numbers.b1);
      expect(t1).not.toContain('Hangzhou');
    }
    // B still gets its own.
    expect((await b.get(`/portal/licences/${fx.numbers.b1}`)).status).toBe(200);
    expect(await (await b.get('/portal/')).text()).not.toContain(fx.numbers.a1);
  });

  it('a signed-out visitor reaches nothing private: every private path redirects to sign-in', async () => {
    const visitor = new Client(portal, '198.51.100.20');
    const garbage = new Client(portal, '198.51.100.21');
    garbage.cookies.set('qdyp_portal_session', 'x'.repeat(43));
    const forged = new Client(portal, '198.51.100.22');
    forged.cookies.set('qdyp_portal_session', '%%%;;;');
    const paths = [
      '/portal/',
      `/portal/licences/${fx.numbers.a1}`,
      `/portal/licences/${fx.numbers.a1}/qr.svg`,
      `/portal/licences/${fx.numbers.a1}/qr-30mm-600dpi.png`,
      `/portal/licences/${fx.numbers.a1}/certificate.pdf`,
      `/portal/licences/${fx.numbers.a1}/licence.jws`,
      `/portal/licences/${fx.numbers.a1}/print-guide.html`,
      '/portal/licences/QDYP-2026-999999',
    ];
    for (const client of [visitor, garbage, forged]) {
      for (const p of paths) {
        const res = await client.get(p);
        expect(res.status, p).toBe(303);
        expect(res.headers.get('location')).toBe('/portal/sign-in');
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(await res.text()).toBe('');
      }
    }
    expect((await visitor.get('/portal/?lang=en')).headers.get('location')).toBe('/portal/sign-in?lang=en');
    expect((await visitor.get('/portal')).headers.get('location')).toBe('/portal/');
  });
});

describe('CSRF', () => {
  it('refuses a sign-in or activation form without the right token, or from another origin, writing nothing', async () => {
    const c = new Client(portal, '198.51.100.30');
    const token = await c.csrf('/portal/sign-in');
    const before = portalDb();
    const cases: [string, Record<string, string>, Parameters<Client['post']>[2]][] = [
      ['no token', { uscc: USCC.a, user: 'admin', password: PASSWORD }, {}],
      ['a wrong token', { csrf: 'A'.repeat(43), uscc: USCC.a, user: 'admin', password: PASSWORD }, {}],
      ["another session's token", { csrf: (await new Client(portal).csrf('/portal/sign-in')), uscc: USCC.a, user: 'admin', password: PASSWORD }, {}],
      ['another origin', { csrf: token, uscc: USCC.a, user: 'admin', password: PASSWORD }, { origin: 'https://evil.example' }],
      ['no origin at all', { csrf: token, uscc: USCC.a, user: 'admin', password: PASSWORD }, { origin: null }],
    ];
    for (const [what, fields, options] of cases) {
      const res = await c.post('/portal/sign-in', fields, options);
      expect(res.status, what).toBe(403);
      expect(res.headers.getSetCookie().some((line) => line.startsWith('qdyp_portal_session=')), what).toBe(false);
      expect(await res.text()).toContain('</html>');
    }
    const activation = await c.post('/portal/activate', { csrf: 'B'.repeat(43), uscc: USCC.a, code: fx.codes.aStaff, password: PASSWORD, confirm: PASSWORD });
    expect(activation.status).toBe(403);
    expect(portalDb()).toEqual(before);
    // The right token from the right origin works (so the refusals were about the token).
    expect((await c.post('/portal/sign-in', { csrf: token, uscc: USCC.a, user: 'admin', password: PASSWORD })).status).toBe(303);
  });

  it('refuses a sign-out without the session token: the session lives on', async () => {
    const c = new Client(portal, '198.51.100.31');
    expect((await c.signIn(USCC.a, 'admin', PASSWORD)).status).toBe(303);
    const before = portalDb();
    for (const csrf of ['', 'x', await new Client(portal).csrf('/portal/sign-in')]) {
      await expectNoticePage(await c.post('/portal/sign-out', { csrf }), 403, 'forbidden');
    }
    await expectNoticePage(await c.post('/portal/sign-out', { csrf: 'x' }, { origin: 'https://evil.example' }), 403, 'forbidden');
    expect(portalDb()).toEqual(before);
    expect((await c.get('/portal/')).status).toBe(200);
  });
});

describe('bad input', () => {
  it('gets a 4xx page in the same style, never a 5xx, and nothing is written', async () => {
    const c = new Client(portal, '198.51.100.40');
    const token = await c.csrf('/portal/sign-in');
    const activateToken = await c.csrf('/portal/activate');
    const before = portalDb();
    const good = { csrf: token, uscc: USCC.a, user: 'admin', password: PASSWORD };
    const body = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const cases: [string, string, Parameters<Client['post']>[2], number, string][] = [
      ['oversized body', '/portal/sign-in', { body: `${body(good)}&pad=${'x'.repeat(20_000)}` }, 413, 'payloadTooLarge'],
      ['JSON', '/portal/sign-in', { contentType: 'application/json', body: JSON.stringify(good) }, 415, 'unsupportedMediaType'],
      ['multipart', '/portal/sign-in', { contentType: 'multipart/form-data; boundary=x', body: '--x--' }, 415, 'unsupportedMediaType'],
      ['text/plain', '/portal/sign-in', { contentType: 'text/plain', body: body(good) }, 415, 'unsupportedMediaType'],
      ['a field twice', '/portal/sign-in', { body: `${body(good)}&user=other` }, 400, 'badRequest'],
      ['an overlong USCC', '/portal/sign-in', { body: body({ ...good, uscc: USCC.a.repeat(3) }) }, 400, 'badRequest'],
      ['an overlong password', '/portal/sign-in', { body: body({ ...good, password: 'p'.repeat(1025) }) }, 400, 'badRequest'],
      ['a control character', '/portal/sign-in', { body: body({ ...good, user: 'ad\u0000min' }) }, 400, 'badRequest'],
      ['a line break', '/portal/sign-in', { body: body({ ...good, user: 'ad\nmin' }) }, 400, 'badRequest'],
      ['damaged UTF-8', '/portal/sign-in', { body: `${body(good).replace('user=admin', 'user=ad%FFmin')}` }, 400, 'badRequest'],
      ['an overlong code', '/portal/activate', { body: body({ csrf: activateToken, uscc: USCC.a, code: 'A'.repeat(101), password: PASSWORD, confirm: PASSWORD }) }, 400, 'badRequest'],
      ['garbage', '/portal/activate', { body: '%%%&&&==\u00ff' }, 403, 'problem:formExpired'],
    ];
    for (const [what, target, options, status, notice] of cases) {
      const res = await c.post(target, {}, options);
      expect(res.status, what).toBe(status);
      await expectNoticePage(res, status, notice);
    }
    // A body with no length given, streamed past the cap.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
        controller.close();
      },
    });
    const streamed = await c.request('/portal/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expectNoticePage(streamed, 413, 'payloadTooLarge');
    expect(portalDb()).toEqual(before);
  });

  it('malformed fields re-show the form with a 400 and what to fix; still nothing written', async () => {
    const c = new Client(portal, '198.51.100.41');
    const csrf = await c.csrf('/portal/sign-in');
    const before = portalDb();
    const shapes: [Record<string, string>, string][] = [
      [{ csrf, uscc: 'not a uscc', user: 'admin', password: PASSWORD }, 'usccShape'],
      [{ csrf, uscc: USCC.a, user: '   ', password: PASSWORD }, 'userShape'],
      [{ csrf, uscc: USCC.a, user: 'admin', password: '' }, 'passwordMissing'],
    ];
    for (const [fields, problem] of shapes) {
      const res = await c.post('/portal/sign-in', fields);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(`data-problem="${problem}"`);
    }
    const activateCsrf = await c.csrf('/portal/activate');
    const res = await c.post('/portal/activate', { csrf: activateCsrf, uscc: USCC.a, code: 'not-a-code', password: PASSWORD, confirm: PASSWORD });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('data-problem="codeShape"');
    expect(portalDb()).toEqual(before);
  });

  it('wrong methods get 405 with Allow, unknown paths the 404 page', async () => {
    const put = await a.request('/portal/sign-in', { method: 'PUT', headers: { origin: 'http://localhost' } });
    await expectNoticePage(put, 405, 'methodNotAllowed');
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
    const get = await a.get('/portal/sign-out');
    await expectNoticePage(get, 405, 'methodNotAllowed');
    expect(get.headers.get('allow')).toBe('POST');
    await expectNoticePage(await a.get('/portal/nothing-here'), 404, 'notFound');
    await expectNoticePage(await a.request(`/portal/licences/${fx.numbers.a1}`, { method: 'DELETE', headers: { origin: 'http://localhost' } }), 405, 'methodNotAllowed');
    const head = await a.request(`/portal/licences/${fx.numbers.a1}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});

describe('cookies and headers', () => {
  it('the session cookie is HttpOnly, SameSite=Strict, Path=/portal/, Secure when configured or on https; a new one at every sign-in', async () => {
    const c = new Client(portal, '198.51.100.50');
    const first = await c.signIn(USCC.a, 'admin', PASSWORD);
    const line = first.headers.getSetCookie().find((l) => l.startsWith('qdyp_portal_session='))!;
    expect(line).toMatch(/^qdyp_portal_session=[A-Za-z0-9_-]{43}; Path=\/portal\/; HttpOnly; SameSite=Strict$/);
    const oldToken = c.cookies.get('qdyp_portal_session')!;

    // Signing in again, even while signed in: a new token, and the old one ends.
    // The sign-in form's token is the form cookie's (the page itself now redirects: signed in).
    const formToken = c.cookies.get('qdyp_portal_form')!;
    const again = await c.post('/portal/sign-in', { csrf: formToken, uscc: USCC.a, user: 'admin', password: PASSWORD });
    expect(again.status).toBe(303);
    const newToken = c.cookies.get('qdyp_portal_session')!;
    expect(newToken).not.toBe(oldToken);
    const stale = new Client(portal, '198.51.100.50');
    stale.cookies.set('qdyp_portal_session', oldToken);
    expect((await stale.get('/portal/')).status).toBe(303);

    const form = (await new Client(portal).get('/portal/sign-in')).headers.getSetCookie()[0]!;
    expect(form).toMatch(/^qdyp_portal_form=[A-Za-z0-9_-]{43}; Path=\/portal\/; HttpOnly; SameSite=Strict$/);

    const securePortal = startPortal(fx, { clock: clock.now, secureCookies: true });
    const s = new Client(securePortal, '198.51.100.51');
    expect((await s.activate(USCC.a, fx.codes.aStaff, PASSWORD)).status).toBe(303);
    const secureLine = (await s.signIn(USCC.a, 'zhang', PASSWORD)).headers.getSetCookie().find((l) => l.startsWith('qdyp_portal_session='))!;
    expect(secureLine).toMatch(/; Path=\/portal\/; HttpOnly; Secure; SameSite=Strict$/);
    const https = await portal.app.request('https://portal.example/portal/sign-in');
    expect(https.headers.getSetCookie()[0]).toMatch(/; Secure; SameSite=Strict$/);
    expect(https.headers.get('strict-transport-security')).toBeNull(); // only when configured
    expect((await securePortal.app.request('https://portal.example/portal/sign-in')).headers.get('strict-transport-security')).toMatch(/^max-age=/);
  });

  it('pages: a strict CSP with the one stylesheet hash, no script, no framing, no referrer, no-store', async () => {
    for (const p of ['/portal/', `/portal/licences/${fx.numbers.a1}`, '/portal/sign-in', '/portal/activate', '/portal/missing']) {
      const res = await (p.includes('sign-in') || p.includes('activate') ? new Client(portal) : a).get(p);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+='; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'$/);
      const html = await res.text();
      const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
      const { createHash } = await import('node:crypto');
      expect(csp).toContain(`'sha256-${createHash('sha256').update(css).digest('base64')}'`);
      expect(html).not.toMatch(/<script|\son\w+=|style="/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    const svg = await a.get(`/portal/licences/${fx.numbers.a1}/qr.svg`);
    expect(svg.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'; sandbox");
  });
});
