// The shopper's report form (GET/POST /report) through the whole app: the contact stored only
// as a JWE the office's key opens, no address anywhere, a per-address throttle, repeats merged
// into a count, hostile text and bad requests refused with nothing stored, no cookie ever.
import { exportJWK, generateKeyPair } from 'jose';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contactPublicJwk, decryptContact, type ContactPrivateJwk, type ContactPublicJwk } from '../../src/core/index.ts';
import { createApp, type VerifierDeps } from '../../src/web/index.ts';
import { PAGE_MESSAGES } from '../../src/web/messages.ts';
import { MemoryInbox } from '../support/memory-inbox.ts';
import { edgeWithEveryOutcome, memorySource, T0, type Edge } from './fixtures.ts';

const ADDRESS = '203.0.113.77';
const FORM = 'application/x-www-form-urlencoded';
const zh = PAGE_MESSAGES['zh-CN'].report;
const en = PAGE_MESSAGES.en.report;

let edge: Edge;
let seal: string;
let office: { publicJwk: ContactPublicJwk; privateJwk: ContactPrivateJwk };
let inbox: MemoryInbox;
let logs: string[];

function appWith(overrides: Partial<VerifierDeps> = {}) {
  return createApp({
    source: memorySource(edge.artifacts),
    root: edge.rootJwk,
    clock: () => T0,
    verifyOrigin: 'https://verify.example.cn',
    log: (line) => logs.push(line),
    inbox,
    contactKey: office.publicJwk,
    clientAddress: (c) => c.req.header('x-test-client') ?? null,
    ...overrides,
  });
}

function post(app: ReturnType<typeof createApp>, fields: Record<string, string>, headers: Record<string, string> = {}, query = '') {
  return app.request(`http://localhost/report${query}`, {
    method: 'POST',
    headers: { 'content-type': FORM, 'x-test-client': ADDRESS, 'sec-fetch-site': 'same-origin', origin: 'null', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

beforeAll(async () => {
  edge = await edgeWithEveryOutcome();
  seal = edge.seals.authorized;
  const pair = await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true });
  const privateJwk = (await exportJWK(pair.privateKey)) as ContactPrivateJwk;
  office = { privateJwk, publicJwk: contactPublicJwk(privateJwk) };
});

beforeEach(() => {
  inbox = new MemoryInbox();
  logs = [];
});

function expectNoCookie(res: Response) {
  expect(res.headers.get('set-cookie')).toBeNull();
}

describe('GET /report', () => {
  it('shows the form for a scanned seal: the seal hidden, the three complaints, a contact field, who sees it', async () => {
    const res = await appWith().request(`http://localhost/report?seal=${seal.toLowerCase()}`);
    expect(res.status).toBe(200);
    expectNoCookie(res);
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<form method="post" action="/report" accept-charset="UTF-8">');
    expect(html).toContain(`<input type="hidden" name="seal" value="${seal}"/>`);
    for (const problem of ['not_listed', 'looks_fake', 'other']) expect(html).toContain(`id="problem-${problem}" name="problem" value="${problem}"`);
    expect(html).toContain('<label for="place">');
    expect(html).toContain('id="contact" name="contact" maxlength="100"');
    expect(html).toContain(zh.privacy);
    expect(html).toContain(zh.privacyContact);
    expect(html).toContain(`href="/V/${seal}?lang=zh"`);
    expect(html).toContain(`href="/report?seal=${seal}&amp;lang=en"`);
  });

  it('for a mark with no QR code: no seal, the place required; without a contact key it says no contact is taken', async () => {
    const res = await appWith({ contactKey: null }).request('http://localhost/report?lang=en');
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<input type="hidden" name="problem" value="no_seal"/>');
    expect(html).not.toContain('name="seal"');
    expect(html).toMatch(/<input type="text" id="place" name="place" maxlength="200" required=""/);
    expect(html).not.toContain('name="contact"');
    expect(html).toContain(en.noContact);
    expect(html).not.toContain(en.privacyContact.slice(0, 30));
  });

  it('refuses a seal parameter that cannot be a seal (400), and other methods (405)', async () => {
    const app = appWith();
    expect((await app.request('http://localhost/report?seal=not-a-seal!')).status).toBe(400);
    const put = await app.request('http://localhost/report', { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
  });
});

describe('POST /report', () => {
  it('stores the report with the contact only as a JWE the office key opens, and no address anywhere', async () => {
    const contact = '微信 shopper_qd 13800000000';
    const res = await post(appWith(), { seal, problem: 'looks_fake', place: '青岛市市南区某超市', note: '包装印刷模糊', contact, lang: 'zh' });
    expect(res.status).toBe(200);
    expectNoCookie(res);
    const html = await res.text();
    expect(html).toContain(`<h1>${zh.thanks.title}</h1>`);
    expect(html).not.toContain(contact);
    expect(inbox.records).toHaveLength(1);
    const [record] = inbox.records;
    expect(record).toMatchObject({ source: 'shopper', inspectorId: null, seal, outcome: 'looks_fake', place: '青岛市市南区某超市', note: '包装印刷模糊', count: 1, hasPhoto: false, receivedAt: T0.toISOString() });
    expect(record!.serial).toEqual(expect.any(Number));
    expect(record!.contactJwe!.split('.')).toHaveLength(5);
    await expect(decryptContact(record!.contactJwe!, office.privateJwk)).resolves.toBe(contact);
    const everything = JSON.stringify([inbox.records, inbox.inputs]);
    expect(everything).not.toContain(ADDRESS);
    expect(everything).not.toContain('13800000000');
    expect(logs.join('\n')).not.toContain(ADDRESS);
    expect(logs.join('\n')).not.toContain('13800000000');
  });

  it('answers in the page language: English through the hidden lang field', async () => {
    const res = await post(appWith(), { seal, problem: 'other', lang: 'en' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain(`<h1>${en.thanks.title}</h1>`);
  });

  it('takes a mark seen with no QR code, which needs a place', async () => {
    const app = appWith();
    const missing = await post(app, { problem: 'no_seal', place: '  ' });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('role="alert"');
    expect(inbox.inputs).toHaveLength(0);
    expect((await post(app, { problem: 'no_seal', place: '李村大集' })).status).toBe(200);
    expect(inbox.records[0]).toMatchObject({ seal: null, serial: null, outcome: 'no_seal', place: '李村大集' });
  });

  it('drops a contact when no office key is configured: never stored in the clear', async () => {
    await post(appWith({ contactKey: null }), { seal, problem: 'other', contact: 'me@example.com' });
    expect(inbox.records[0]!.contactJwe).toBeNull();
    expect(JSON.stringify(inbox.inputs)).not.toContain('me@example.com');
  });

  it('merges repeats about one seal and complaint into a count, never refusing them', async () => {
    const app = appWith();
    for (let i = 0; i < 3; i++) {
      expect((await post(app, { seal, problem: 'not_listed' }, { 'x-test-client': `198.51.100.${i}` })).status).toBe(200);
    }
    expect(inbox.records).toHaveLength(1);
    expect(inbox.records[0]!.count).toBe(3);
  });

  it('throttles one address (429 with Retry-After) and not another; an IPv6 client by its /64', async () => {
    const app = appWith({ reportRate: { max: 3, windowMs: 600_000 } });
    for (let i = 0; i < 3; i++) expect((await post(app, { seal, problem: 'other' })).status).toBe(200);
    const refused = await post(app, { seal, problem: 'other' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('600');
    expect(await refused.text()).toContain(zh.refusals.tooMany.title);
    expect(inbox.records[0]!.count).toBe(3);
    expect((await post(app, { seal, problem: 'other' }, { 'x-test-client': '198.51.100.9' })).status).toBe(200);
    for (let i = 1; i <= 3; i++) expect((await post(app, { seal, problem: 'other' }, { 'x-test-client': `2001:db8:1:2::${i}` })).status).toBe(200);
    expect((await post(app, { seal, problem: 'other' }, { 'x-test-client': '2001:db8:1:2:ffff::1' })).status).toBe(429);
  });

  it('fails open when the rate limiter cannot be reached: the report is stored and the outage logged, never the address', async () => {
    const app = appWith({ rateLimit: { take: () => Promise.reject(new Error('unreachable')) } });
    const res = await post(app, { seal, problem: 'other' });
    expect(res.status).toBe(200);
    expect(inbox.records).toHaveLength(1);
    expect(logs.some((line) => line.includes('rate limit unavailable'))).toBe(true);
    expect(logs.join('\n')).not.toContain(ADDRESS);
  });

  it.each([
    ['a direction override', 'place', 'Evil\u202Eoc dooG'],
    ['a zero-width space', 'note', 'fine\u200Btext'],
    ['a control character', 'contact', 'bell\u0007'],
    ['a line break in a one-line field', 'place', 'one\ntwo'],
    ['a tag character', 'note', 'hi\u{E0041}'],
    ['U+FFFD (what bad percent-encoding decodes to)', 'note', 'x\uFFFD'],
    ['too long a place', 'place', '店'.repeat(201)],
    ['too long a note', 'note', 'x'.repeat(501)],
    ['too long a contact', 'contact', '1'.repeat(101)],
  ])('refuses %s: the form again with the message, nothing stored', async (_, field, value) => {
    const res = await post(appWith(), { seal, problem: 'looks_fake', [field]: value });
    expect(res.status).toBe(400);
    expectNoCookie(res);
    const html = await res.text();
    expect(html).toContain('<div class="alert" role="alert" id="report-error">');
    expect(html).toContain(`<a href="#${field}">`);
    expect(html).toContain(`id="${field}"`);
    expect(html).toMatch(new RegExp(`id="${field}"[^>]*aria-invalid="true"`));
    expect(html).toContain('value="looks_fake" required="" checked=""');
    expect(inbox.inputs).toHaveLength(0);
  });

  it('accepts line breaks in the note, and refuses an unknown complaint or one that contradicts the seal', async () => {
    const app = appWith();
    expect((await post(app, { seal, problem: 'other', note: 'line one\r\nline two' })).status).toBe(200);
    expect(inbox.records[0]!.note).toBe('line one\nline two');
    for (const problem of ['', 'authorized', 'no_seal']) expect((await post(app, { seal, problem })).status).toBe(400);
    expect((await post(app, { problem: 'looks_fake', place: 'x' })).status).toBe(400);
    expect((await post(app, { seal: 'not a seal', problem: 'other' })).status).toBe(400);
    expect(inbox.inputs).toHaveLength(1);
  });

  it('refuses a body over 8 KB (413) and anything but a URL-encoded form (415)', async () => {
    const app = appWith();
    const big = await post(app, { seal, problem: 'other', note: 'x'.repeat(9000) });
    expect(big.status).toBe(413);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('note=' + 'x'.repeat(1000)));
        controller.close();
      },
    });
    const chunked = await app.request('http://localhost/report', { method: 'POST', headers: { 'content-type': FORM }, body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    for (const type of ['application/json', 'multipart/form-data; boundary=x', 'text/plain', 'application/x-www-form-urlencoded; charset=gbk']) {
      const res = await post(app, { seal, problem: 'other' }, { 'content-type': type });
      expect(res.status, type).toBe(415);
    }
    const untyped = await app.request('http://localhost/report', { method: 'POST', body: new Blob(['seal=x']) });
    expect(untyped.status).toBe(415);
    expect(inbox.inputs).toHaveLength(0);
  });

  it('refuses posts from another site by Sec-Fetch-Site or Origin, and takes our own', async () => {
    const app = appWith();
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { 'sec-fetch-site': undefined, origin: 'https://evil.example' } as Record<string, string | undefined>]) {
      const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>;
      const all: Record<string, string> = { 'content-type': FORM, ...clean };
      if (!('origin' in clean)) all.origin = 'null';
      const res = await app.request('http://localhost/report', { method: 'POST', headers: all, body: `seal=${seal}&problem=other` });
      expect(res.status, JSON.stringify(headers)).toBe(403);
    }
    expect(inbox.inputs).toHaveLength(0);
    const ours = await app.request('http://localhost/report', { method: 'POST', headers: { 'content-type': FORM, origin: 'http://localhost' }, body: `seal=${seal}&problem=other` });
    expect(ours.status).toBe(200);
    const official = await app.request('http://localhost/report', { method: 'POST', headers: { 'content-type': FORM, origin: 'https://verify.example.cn' }, body: `seal=${seal}&problem=other` });
    expect(official.status).toBe(200);
  });

  it('answers 503 with Retry-After when there is no inbox or storage fails, never 5xx otherwise', async () => {
    const none = await post(appWith({ inbox: undefined }), { seal, problem: 'other' });
    expect(none.status).toBe(503);
    expect(none.headers.get('retry-after')).toBe('120');
    expect(await none.text()).toContain(zh.refusals.unavailable.title);
    inbox.failing = true;
    const failed = await post(appWith(), { seal, problem: 'other', contact: '13800000000' });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('120');
    expectNoCookie(failed);
    expect(logs.join('\n')).toContain('report inbox unavailable');
    expect(logs.join('\n')).not.toContain('13800000000');
  });
});

describe('the way in without a QR code', () => {
  it('the home page and the 404 page link to the form for a mark seen with no QR code', async () => {
    for (const [path, status] of [['/', 200], ['/no-such-page', 404]] as const) {
      const res = await appWith().request(`http://localhost${path}`, { headers: { 'accept-language': 'en' } });
      expect(res.status).toBe(status);
      expect(await res.text()).toContain(`${en.noSealLinkLead} <a href="/report?lang=en">${en.noSealLink}</a>`);
    }
  });
});

describe('the scan page', () => {
  it('links to the report form with its seal, in its language, on every verdict', async () => {
    const app = appWith();
    for (const [code, s] of Object.entries(edge.seals)) {
      const html = await (await app.request(`http://localhost/V/${s.toLowerCase()}?lang=en`)).text();
      expect(html, code).toContain(`<p class="report-link"><a href="/report?seal=${s.toUpperCase()}&amp;lang=en">Report a problem</a></p>`);
    }
  });
});
