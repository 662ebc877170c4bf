import fc from 'fast-check';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTrustContext, entryLookupFromTexts, licenceEntryKey, MESSAGES, OUTCOMES, SHOWS_LICENCE, verifySeal, type Outcome, type TrustContext } from '../../src/core/index.ts';
import { createApp, parseRootJwk, type VerifierDeps } from '../../src/web/index.ts';
import { edgeWithEveryOutcome, HOSTILE, memorySource, T0, type Edge } from './fixtures.ts';

let edge: Edge;
let app: ReturnType<typeof createApp>;
const logs: string[] = [];

function appWith(overrides: Partial<VerifierDeps> = {}) {
  return createApp({
    source: memorySource(edge.artifacts),
    root: edge.rootJwk,
    clock: () => T0,
    verifyOrigin: 'https://verify.example.cn',
    log: (line) => logs.push(line),
    ...overrides,
  });
}

const get = (path: string, init?: RequestInit) => app.request(`http://localhost${path}`, init);

beforeAll(async () => {
  edge = await edgeWithEveryOutcome();
  app = appWith();
});

async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest));
}

const pageHeaders = (csp: string) => ({
  'cache-control': 'no-cache',
  'content-security-policy': csp,
  'content-type': 'text/html; charset=UTF-8',
  'referrer-policy': 'no-referrer',
  vary: 'Accept-Language',
  'x-content-type-options': 'nosniff',
});

describe('the home page', () => {
  it('says how to check, and links to the no-QR report form and the inspection page, in both languages', async () => {
    const zh = await get('/');
    expect(zh.status).toBe(200);
    expect(zh.headers.get('set-cookie')).toBeNull();
    const html = await zh.text();
    expect(html).toContain('查验青岛优品标识');
    expect(html).toContain('href="/report?lang=zh"');
    expect(html).toContain('href="/inspect"');
    const en = await (await get('/?lang=en')).text();
    expect(en).toContain('Check a Qingdao Premium Products mark');
    expect(en).toContain('href="/report?lang=en"');
    expect((await get('/', { method: 'POST' })).status).toBe(405);
  });
});

describe('the verdict page', () => {
  it('renders every outcome with its own state, in both languages, with holder data only where allowed', async () => {
    for (const outcome of OUTCOMES) {
      for (const [locale, query] of [['zh-CN', ''], ['en', '?lang=en']] as const) {
        const res = await get(`/V/${edge.seals[outcome]}${query}`);
        expect(res.status, outcome).toBe(200);
        const html = await res.text();
        expect(html).toContain(`data-outcome="${outcome}"`);
        expect(html).toContain(`<h1>${MESSAGES[locale].outcomes[outcome].title}</h1>`);
        expect(html).toContain(MESSAGES[locale].outcomes[outcome].advice);
        expect(html).toContain(`<html lang="${locale}">`);
        // Serial 6 has no licence entry, so cannot_confirm has no holder to show either.
        expect(html.includes('青岛海滨食品有限公司'), outcome).toBe(SHOWS_LICENCE.has(outcome));
        expect(html).toContain('verify.example.cn');
        expect(html).toContain('href="tel:12315"');
      }
    }
  });

  it('tells the seven states apart by class and icon', async () => {
    const classes = new Map<Outcome, string>();
    for (const outcome of OUTCOMES) {
      const html = await (await get(`/V/${edge.seals[outcome]}`)).text();
      classes.set(outcome, /<section class="verdict (\w+)"/.exec(html)![1]!);
    }
    expect(Object.fromEntries(classes)).toEqual({
      authorized: 'authorized',
      suspended: 'suspended',
      revoked: 'revoked',
      expired: 'expired',
      not_yet_valid: 'pending',
      cannot_confirm: 'unknown',
      unknown_key: 'invalid',
      key_compromised: 'invalid',
      bad_signature: 'invalid',
      malformed: 'invalid',
    });
  });

  it('is the same whole page every time for the same verdict (authorized, zh-CN)', async () => {
    const res = await get(`/V/${edge.seals.authorized}`);
    const html = await res.text();
    const style = /<style>([^<]*)<\/style>/.exec(html)![1]!;
    expect(Object.fromEntries(res.headers)).toEqual(
      pageHeaders(`default-src 'none'; style-src 'sha256-${await sha256Base64(style)}'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`),
    );
    // The seal (in the report link) is made afresh each run, with the programme's keys.
    await expect(html.replace(edge.seals.authorized, '{SEAL}')).toMatchFileSnapshot('./snapshots/authorized.zh-CN.html');
  });

  it('is the same whole page every time for the same verdict (revoked, en)', async () => {
    const html = await (await get(`/V/${edge.seals.revoked}`, { headers: { 'accept-language': 'en-GB,en;q=0.9' } })).text();
    await expect(html.replace(edge.seals.revoked, '{SEAL}')).toMatchFileSnapshot('./snapshots/revoked.en.html');
  });

  it('shows the reason and time of a suspension, and when the status data is from', async () => {
    const zh = await (await get(`/V/${edge.seals.suspended}`)).text();
    expect(zh).toContain('<dt>原因</dt><dd>抽检不合格，整改中</dd>');
    expect(zh).toContain('<dt>变更时间</dt><dd>2026年10月8日 10:00（北京时间）</dd>');
    expect(zh).toContain('状态数据更新于 2026年11月27日 12:00（北京时间）');
    const en = await (await get(`/V/${edge.seals.suspended}?lang=en`)).text();
    expect(en).toContain('<dt>Licence status</dt><dd>Suspended</dd>');
    expect(en).toContain('Status as of 27 November 2026, 12:00 Beijing time');
  });

  it('folds the letter case some scanners apply', async () => {
    const html = await (await get(`/v/${edge.seals.authorized.toLowerCase()}`)).text();
    expect(html).toContain('data-outcome="authorized"');
  });

  it('speaks zh-CN by default, English when asked, and links to the other language', async () => {
    const lang = async (path: string, acceptLanguage?: string) => {
      const html = await (await get(path, acceptLanguage ? { headers: { 'accept-language': acceptLanguage } } : {})).text();
      return { lang: /<html lang="([^"]+)"/.exec(html)![1], link: /<a class="lang" href="([^"]+)"/.exec(html)![1] };
    };
    const seal = `/V/${edge.seals.authorized}`;
    expect(await lang(seal)).toEqual({ lang: 'zh-CN', link: '?lang=en' });
    expect(await lang(seal, 'en-US,en;q=0.9,zh;q=0.5')).toEqual({ lang: 'en', link: '?lang=zh' });
    expect(await lang(seal, 'fr-FR, zh-TW;q=0.8, en;q=0.7')).toEqual({ lang: 'zh-CN', link: '?lang=en' });
    expect(await lang(seal, 'de')).toEqual({ lang: 'zh-CN', link: '?lang=en' });
    expect(await lang(`${seal}?lang=en`, 'zh-CN')).toEqual({ lang: 'en', link: '?lang=zh' });
    expect(await lang(`${seal}?lang=zh`, 'en')).toEqual({ lang: 'zh-CN', link: '?lang=en' });
    expect(await lang(`${seal}?lang=xx`, 'en')).toEqual({ lang: 'en', link: '?lang=zh' });
  });

  it('says a revoked licence is revoked even when its details cannot be confirmed', async () => {
    for (const [query, locale] of [['', 'zh-CN'], ['?lang=en', 'en']] as const) {
      const html = await (await get(`/V/${edge.revokedWithoutEntry}${query}`)).text();
      expect(html).toContain('data-outcome="revoked"');
      expect(html).toContain(`<h1>${MESSAGES[locale].outcomes.revoked.title}</h1>`);
      expect(html).toContain(`<section class="card" data-details="unconfirmed"><h2>${locale === 'en' ? 'What the licence covers' : '授权详情'}</h2><p>${locale === 'en' ? 'This licence has been revoked. Its details could not be confirmed right now; do not take this mark as authorized.' : '该许可已被撤销。其授权详情暂时无法确认，请勿将此标识视为有效授权。'}</p></section>`);
      expect(html).not.toContain('QDYP-2026-');
    }
    const body = await (await get(`/api/v1/verify?seal=${edge.revokedWithoutEntry}`)).json();
    expect(body).toMatchObject({ code: 'revoked', authorized: false, licence: null, statusAsOf: T0.toISOString() });
  });

  it('shows the holder’s address', async () => {
    const zh = await (await get(`/V/${edge.seals.authorized}`)).text();
    expect(zh).toContain('<dt>地址</dt><dd>青岛市黄岛区海滨路 1 号</dd>');
    const en = await (await get(`/V/${edge.seals.authorized}?lang=en`)).text();
    expect(en).toContain('<dt>Address</dt><dd>青岛市黄岛区海滨路 1 号</dd>');
  });

  it('renders hostile holder text as text', async () => {
    const seal = edge.p.seals.get(8)!;
    for (const query of ['', '?lang=en']) {
      const html = await (await get(`/V/${seal}${query}`)).text();
      expect(html).toContain('data-outcome="authorized"');
      expect(html).not.toContain('<img');
      expect(html).not.toContain('<script');
      expect(html).not.toContain('</script>');
      expect(html).not.toContain('<b>tea');
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(html).toContain('<li>海参礼盒 &quot;特级&quot; &lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;</li>');
      expect(html).toContain('<li>O&#39;Brien&#39;s &lt;b&gt;tea&lt;/b&gt;</li>');
      expect(html).toContain('<dd>&amp;amp; 海滨</dd>');
      expect(html).toContain('<dd>青岛市 &lt;script&gt;alert(3)&lt;/script&gt; 路 1 号</dd>');
    }
    // The JSON carries the same text unchanged: escaping is the page's job, not the data's.
    const body = await (await get(`/api/v1/verify?seal=${seal}`)).json();
    expect(body.licence).toMatchObject(HOSTILE);
  });

  it('is small: under 16 KB for the largest verdict', async () => {
    for (const outcome of OUTCOMES) {
      for (const query of ['', '?lang=en']) {
        const bytes = (await (await get(`/V/${edge.seals[outcome]}${query}`)).arrayBuffer()).byteLength;
        expect(bytes).toBeLessThan(16 * 1024);
      }
    }
  });

  it('sends no cookies and refers to nothing outside the page', async () => {
    const res = await get(`/V/${edge.seals.authorized}`);
    expect(res.headers.get('set-cookie')).toBeNull();
    const html = await res.text();
    // Every URL in the page: the data: icon, the language switch, the phone number and the report form (same site).
    const urls = [...html.matchAll(/(?:href|src|action)="([^"]*)"/g)].map((m) => m[1]!);
    expect(urls.map((u) => u.split(/[,?:]/)[0])).toEqual(['data', '', 'tel', '/report']);
    expect(html).not.toMatch(/<script|<link rel="stylesheet"|@import|url\(/);
  });
});

describe('paths that cannot be a seal get the 400 page', () => {
  const bad = ['/V/', '/v/ABC=', '/V/AAAA%00AAAA', '/V/%FF%FE', '/V/%3Cscript%3E', '/V/A/B', '/V/18AAAA', `/V/${'A'.repeat(257)}`];
  it.each(bad)('%s', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    const html = await res.text();
    expect(html).toContain('data-notice="badRequest"');
    expect(html).toContain('<h1>无法识别的链接</h1>');
    expect(html).not.toContain('script');
  });

  it('a 256-character Base32 path is still a verdict (malformed), not a 400', async () => {
    const res = await get(`/V/${'B'.repeat(256)}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('data-outcome="malformed"');
  });
});

describe('the JSON API', () => {
  let ctx: TrustContext;
  beforeAll(async () => {
    const { texts } = edge.artifacts;
    ctx = await buildTrustContext(
      { keyList: texts['key-list'], statusList: texts['status-list'], revisionList: texts['revision-list'] },
      { root: edge.p.root, entries: (c) => entryLookupFromTexts((serial, value) => Promise.resolve(texts[licenceEntryKey(serial, value)] ?? null), c.keyList, () => T0) },
    );
  });

  it('answers every outcome with DESIGN §4 JSON, agreeing with the page', async () => {
    for (const outcome of OUTCOMES) {
      const res = await get(`/api/v1/verify?seal=${edge.seals[outcome]}`);
      expect(res.status).toBe(200);
      expect(Object.fromEntries(res.headers)).toEqual({
        'access-control-allow-origin': '*',
        'cache-control': 'no-cache',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        'content-type': 'application/json',
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
      });
      const body = await res.json();
      expect(body).toEqual(JSON.parse(JSON.stringify(await verifySeal(edge.seals[outcome], T0, ctx))));
      expect(body.code).toBe(outcome);
      const page = await (await get(`/V/${edge.seals[outcome]}`)).text();
      expect(page).toContain(`data-outcome="${body.code}"`);
      if (body.licence) expect(page).toContain(`<dd>${body.licence.number}</dd>`);
    }
  });

  it('gives the whole licence for an authorized seal', async () => {
    const body = await (await get(`/api/v1/verify?seal=${edge.seals.authorized}`)).json();
    expect(body).toEqual({
      code: 'authorized',
      authorized: true,
      licence: {
        number: 'QDYP-2026-000001',
        holder: { name: '青岛海滨食品有限公司', uscc: '91370200MA3C5X8Y1K', address: '青岛市黄岛区海滨路 1 号' },
        tier: 'product',
        sector: 'agriculture',
        chain: '食品饮料',
        region: '370211',
        products: ['海参礼盒'],
        trademarks: ['海滨'],
        validFrom: '2026-01-01',
        validUntil: '2028-12-31',
        status: 'valid',
        statusReason: null,
        statusChangedAt: '2026-01-01T00:00:00.000Z',
      },
      statusAsOf: T0.toISOString(),
      checkedAt: T0.toISOString(),
      logIndex: null,
    });
  });

  it('200 with malformed for any seal up to 256 characters, 400 beyond or when missing', async () => {
    for (const seal of ['x', '<script>', '%00', 'A'.repeat(256), '上海']) {
      const res = await get(`/api/v1/verify?seal=${encodeURIComponent(seal)}`);
      expect(res.status, seal).toBe(200);
      expect((await res.json()).code).toBe('malformed');
    }
    for (const [query, error] of [['', 'seal_missing'], ['?seal=', 'seal_missing'], ['?other=1', 'seal_missing'], [`?seal=${'A'.repeat(257)}`, 'seal_too_long']]) {
      const res = await get(`/api/v1/verify${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect((await res.json()).error).toBe(error);
    }
  });

  it('405 for other methods; CORS preflight allowed', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await get(`/api/v1/verify?seal=${edge.seals.authorized}`, { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      expect(await res.json()).toEqual({ error: 'method_not_allowed', message: 'Use GET, HEAD' });
    }
    const preflight = await get('/api/v1/verify', { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, HEAD');
  });

  it('HEAD answers like GET without a body', async () => {
    const res = await get(`/V/${edge.seals.authorized}`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });
});

const DATA_HEADERS = {
  'access-control-allow-origin': '*',
  'cache-control': 'public, max-age=30',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

describe('artifacts, keys and health', () => {
  it('passes the accepted lists on unchanged', async () => {
    for (const [path, name, type] of [
      ['/api/v1/key-list', 'key-list', 'application/jwt'],
      ['/api/v1/status-list', 'status-list', 'application/statuslist+jwt'],
      ['/api/v1/revision-list', 'revision-list', 'application/jwt'],
    ] as const) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(Object.fromEntries(res.headers)).toEqual({ ...DATA_HEADERS, 'content-type': type });
      expect(await res.text()).toBe(edge.artifacts.texts[name]);
    }
  });

  it('serves the bundles as published gzip, the whole programme or one district', async () => {
    for (const [query, key] of [['', 'bundle'], ['?region=370211', 'bundle/370211']] as const) {
      const res = await get(`/api/v1/bundle${query}`);
      expect(res.status).toBe(200);
      expect(Object.fromEntries(res.headers)).toEqual({ ...DATA_HEADERS, 'content-type': 'application/gzip' });
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(edge.artifacts.bundles[key]);
    }
  });

  it('a bundle region must be a programme region code: else 400; a known one not published: 404', async () => {
    for (const region of ['', 'x', '37021', '3702111', '110000', '370211%00', '<script>']) {
      const res = await get(`/api/v1/bundle?region=${region}`);
      expect(res.status, region).toBe(400);
      expect((await res.json()).error).toBe('region_unknown');
    }
    const res = await get('/api/v1/bundle?region=370212');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_published', message: 'No bundle for region 370212 is published' });
  });

  it('404 for an artifact that is not published', async () => {
    const bare = appWith({ source: memorySource({ texts: { 'key-list': edge.artifacts.texts['key-list']! }, bundles: {} }) });
    for (const [path, message] of [
      ['/api/v1/bundle', 'No bundle is published'],
      ['/api/v1/status-list', 'No status-list is published'],
      ['/api/v1/revision-list', 'No revision-list is published'],
    ]) {
      const res = await bare.request(`http://localhost${path}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'not_published', message });
    }
  });

  it('reads nothing but store keys: no path or query reaches another key', async () => {
    const source = memorySource(edge.artifacts);
    const v = appWith({ source });
    for (const path of ['/api/v1/bundle?region=../key-list', '/api/v1/bundle?region=370211/../../x', '/api/v1/register', '/api/v1/entry/1']) await v.request(`http://localhost${path}`);
    await v.request(`http://localhost/V/${edge.seals.authorized}`);
    expect([...source.reads.keys()].sort()).toEqual(['key-list', 'licence/1/1', 'revision-list', 'status-list']);
  });

  it('lists the trusted issuing keys as a JWKS, without compromised ones', async () => {
    const body = await (await get('/.well-known/jwks.json')).json();
    const [good, compromised] = edge.p.keys;
    expect(body).toEqual({ keys: [{ ...good!.record.jwk, kid: good!.record.kid, alg: 'EdDSA', use: 'sig' }] });
    expect(JSON.stringify(body)).not.toContain(compromised!.record.kid);
  });

  it('/healthz says ok with the key list version and status time', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(`ok: key list v1, status as of ${T0.toISOString()}, revisions as of ${T0.toISOString()}\n`);
  });
});

describe('garbage gets a 4xx, never a 5xx or a stack trace', () => {
  it('unknown paths 404, wrong methods 405', async () => {
    const notFound = await get('/wp-login.php');
    expect(notFound.status).toBe(404);
    expect(await notFound.text()).toContain('data-notice="notFound"');
    expect((await get('/api/v2/verify')).status).toBe(404);
    expect(await (await get('/api/v2/verify')).json()).toEqual({ error: 'not_found', message: 'No such resource' });
    const wrong = await get(`/V/${edge.seals.authorized}`, { method: 'POST', body: 'x' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
    expect(await wrong.text()).toContain('data-notice="methodNotAllowed"');
    expect((await get('/healthz', { method: 'DELETE' })).status).toBe(405);
  });

  it('random paths, queries, methods and headers', async () => {
    const byte = fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0')}`);
    const segment = fc.oneof(fc.string({ maxLength: 40 }).map(encodeURIComponent), fc.array(byte, { maxLength: 30 }).map((b) => b.join('')), fc.constantFrom('V', 'v', 'api', 'v1', 'verify', '.well-known', 'healthz', '..', '%2e%2e'));
    const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => `/${s.join('/')}`);
    const query = fc.oneof(fc.constant(''), fc.array(fc.tuple(fc.constantFrom('seal', 'lang', 'x', 'seal[]'), fc.oneof(fc.string({ maxLength: 300 }), fc.array(byte, { maxLength: 300 }).map((b) => b.join('')))), { maxLength: 4 }).map((pairs) => `?${pairs.map(([k, v]) => `${k}=${k === 'seal' || k === 'lang' ? v : encodeURIComponent(v)}`).join('&')}`));
    const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS');
    const acceptLanguage = fc.string({ maxLength: 200 }).filter((s) => /^[\x20-\x7e]*$/.test(s));
    await fc.assert(
      fc.asyncProperty(path, query, method, acceptLanguage, async (p, q, m, al) => {
        const res = await get(`${p}${q}`, { method: m, headers: { 'accept-language': al } });
        expect(res.status).toBeGreaterThanOrEqual(200);
        expect(res.status).toBeLessThan(500);
        const text = await res.text();
        expect(text).not.toMatch(/\bat .*\.(ts|js):\d+|Error:/);
      }),
      { numRuns: 400 },
    );
  });

  it('an overlong path under /V/ and a huge query', async () => {
    expect((await get(`/V/${'A'.repeat(100_000)}`)).status).toBe(400);
    const huge = await get(`/V/${edge.seals.authorized}?${'lang=en&'.repeat(5000)}`);
    expect(huge.status).toBe(200);
  });

  it('an unexpected failure is a plain page with no trace in it', async () => {
    const boom = new Hono().get('/now', () => {
      throw new Error('secret detail');
    });
    const broken = appWith({ mounts: [{ path: '/boom', app: boom }] });
    const res = await broken.request('http://localhost/boom/now');
    expect(res.status).toBe(500);
    const html = await res.text();
    expect(html).toContain('data-notice="error"');
    expect(html).not.toContain('secret detail');
    expect(logs.at(-1)).toBe('unexpected Error on GET /boom/now');
  });
});

describe('parseRootJwk', () => {
  it('takes a public Ed25519 JWK and refuses anything else, private keys included', () => {
    expect(parseRootJwk(JSON.stringify(edge.rootJwk))).toEqual(edge.rootJwk);
    expect(parseRootJwk('')).toBeNull();
    expect(parseRootJwk(undefined)).toBeNull();
    expect(parseRootJwk('{')).toBeNull();
    expect(parseRootJwk(JSON.stringify({ ...edge.rootJwk, crv: 'X25519' }))).toBeNull();
    expect(parseRootJwk(JSON.stringify({ ...edge.rootJwk, d: 'A'.repeat(43) }))).toBeNull();
  });

  it('createApp refuses a cache TTL above the status list TTL', () => {
    expect(() => appWith({ ttlMs: 61_000 })).toThrow(/TTL/);
    expect(() => appWith({ ttlMs: 0 })).toThrow(/TTL/);
  });
});
