// The reports pages: the reports pulled into the registry (made here with insertReport, as a
// pull stores them), filtered by licence, China-time dates and state; one report with its
// photo (served as stored, never sniffed) and its contact (opened only with the office's
// contact key); triage by officers only, audited under the officer's name, once per form.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encryptContact } from '../../../src/core/index.ts';
import { createContactKey } from '../../../src/node/issuer/contact-key.ts';
import { listAudit } from '../../../src/node/registry/audit.ts';
import { getLicence } from '../../../src/node/registry/licences.ts';
import { getReport, insertReport, type NewReport } from '../../../src/node/registry/reports.ts';
import { png } from '../../support/reports.ts';
import { Client, consoleFixture, NOW, OFFICERS, officerClient, startConsole } from './support.ts';

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 2, 3, 4, 5]);

function report(edgeId: string, overrides: Partial<NewReport> = {}): NewReport {
  return {
    sourceUrl: 'https://v.qdyp.cn',
    edgeId,
    cursor: Number(edgeId.slice(1)),
    source: 'inspector',
    inspectorId: 'K3M9QXA2BT',
    seal: null,
    serial: null,
    licence: null,
    outcome: 'no_seal',
    place: '即墨路小商品市场',
    note: null,
    observedAt: null,
    contactJwe: null,
    receivedAt: NOW,
    count: 1,
    pulledAt: NOW,
    photo: null,
    ...overrides,
  };
}

/** The report ids listed on a reports page, in order. */
function listed(html: string): number[] {
  return [...html.matchAll(/<tr data-report="(\d+)">/g)].map((m) => Number(m[1]));
}

describe('console reports', async () => {
  const fixture = await consoleFixture();
  const app = startConsole(fixture);
  const db = app.kit.registry.db;
  const { a1, b1 } = fixture.numbers;
  const sealed = (number: string) => ({ licence: number, serial: getLicence(db, number)!.serial, seal: `SEAL${getLicence(db, number)!.serial}` });
  const photo = png();
  const ids = {
    // 10:00 on 20 November in Beijing.
    a1: insertReport(db, report('r1', { ...sealed(a1), outcome: 'suspended', receivedAt: '2026-11-20T02:00:00.000Z', photo: { bytes: photo, type: 'image/png' } })),
    // 25 November in UTC, but 01:30 on 26 November in Beijing.
    b1: insertReport(db, report('r2', { ...sealed(b1), source: 'shopper', inspectorId: null, outcome: 'looks_fake', note: '包装<b>粗糙</b>', receivedAt: '2026-11-25T17:30:00.000Z', count: 3, photo: { bytes: JPEG, type: 'image/jpeg' } })),
    noSeal: insertReport(db, report('r3', { receivedAt: '2026-11-27T03:00:00.000Z' })),
  };

  it('lists the reports newest first, each linked to its licence, with the pull command', async () => {
    const client = await officerClient(app);
    const res = await client.get('/console/reports');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(listed(html)).toEqual([ids.noSeal, ids.b1, ids.a1]);
    expect(html).toContain(`<a href="/console/licences/${a1}">${a1}</a>`);
    expect(html).toContain(`<a href="/console/licences/${b1}">${b1}</a>`);
    expect(html).toContain('无封签');
    expect(html).toContain('包装&lt;b&gt;粗糙&lt;/b&gt;');
    expect(html).toContain('消费者');
    expect(html).toContain('巡查员<span class="mono"> K3M9QXA2BT</span>');
    expect(html).toContain(`<code data-command="pull">npx qdyp --db ${app.kit.registry.dbPath} reports pull</code>`);
  });

  it('filters by licence, by China-time date and by state', async () => {
    const client = await officerClient(app);
    const ids_ = async (query: string) => {
      const res = await client.get(`/console/reports?${query}`);
      expect(res.status, query).toBe(200);
      return listed(await res.text());
    };
    expect(await ids_(`licence=${a1}`)).toEqual([ids.a1]);
    expect(await ids_(`licence=${b1.toLowerCase()}`)).toEqual([ids.b1]);
    // r2 arrived on the 25th in UTC: on the 26th in Beijing, which is what the office means.
    expect(await ids_('from=2026-11-26&to=2026-11-26')).toEqual([ids.b1]);
    expect(await ids_('to=2026-11-25')).toEqual([ids.a1]);
    expect(await ids_('from=2026-11-27')).toEqual([ids.noSeal]);
    expect(await ids_('from=2026-11-20&to=2026-11-20')).toEqual([ids.a1]);
    expect(await ids_('state=closed')).toEqual([]);
    expect(await ids_(`state=new&licence=${a1}`)).toEqual([ids.a1]);
  });

  it('refuses filter values that cannot be one with a 400 page saying which', async () => {
    const client = await officerClient(app);
    for (const [query, says] of [
      ['licence=QDYP-12', '许可编号的格式'],
      ['from=2026-13-01', '开始日期必须是'],
      ['to=yesterday', '结束日期必须是'],
      ['from=2026-11-28&to=2026-11-20', '晚于'],
      ['state=%3Cscript%3E', '处理状态是'],
      ['offset=-1', 'offset'],
      [`licence=${'x'.repeat(300)}`, '太长了'],
    ] as const) {
      const res = await client.get(`/console/reports?${query}`);
      expect(res.status, query).toBe(400);
      const html = await res.text();
      expect(html, query).toContain('<p class="problem" role="alert">');
      expect(html, query).toContain(says);
      expect(html).not.toContain('<script>');
      expect(listed(html)).toEqual([]);
    }
  });

  it('serves a report photo with its stored type, nosniff and a CSP that allows nothing', async () => {
    const client = await officerClient(app);
    const res = await client.get(`/console/reports/${ids.a1}/photo`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(photo);

    const jpeg = await client.get(`/console/reports/${ids.b1}/photo`);
    expect(jpeg.headers.get('content-type')).toBe('image/jpeg');
    expect(new Uint8Array(await jpeg.arrayBuffer())).toEqual(JPEG);

    expect((await client.get(`/console/reports/${ids.noSeal}/photo`)).status).toBe(404);
    expect((await client.get('/console/reports/99999/photo')).status).toBe(404);
    expect((await client.get('/console/reports/abc/photo')).status).toBe(404);
    expect((await client.get('/console/reports/abc')).status).toBe(404);
  });

  it("shows a report with its photo, and opens a shopper's contact only with the contact key", async () => {
    const client = await officerClient(app);
    let html = await (await client.get(`/console/reports/${ids.a1}`)).text();
    expect(html).toContain(`<img class="photo" src="/console/reports/${ids.a1}/photo" alt="举报 ${ids.a1} 所附的照片"/>`);
    expect(html).toContain(`<a href="/console/licences/${a1}">打开许可 ${a1}，暂停或撤销</a>`);
    expect(html).toContain('没有留下');

    // Encrypted before the registry has a key of its own: a key made elsewhere.
    const other = createContactKey({ registry: { ...app.kit.registry, keysDir: `${app.kit.registry.dir}/other-keys` }, now: new Date(NOW), actor: 'test' });
    const withContact = insertReport(db, report('r4', { source: 'shopper', inspectorId: null, outcome: 'not_listed', contactJwe: await encryptContact('手机 138 0000 0000', other.publicJwk) }));
    html = await (await client.get(`/console/reports/${withContact}`)).text();
    expect(html).toContain('<span data-contact="sealed">已加密');
    expect(html).toContain('this registry has no contact key');
    expect(html).not.toContain('138 0000 0000');

    const mine = createContactKey({ registry: app.kit.registry, now: new Date(NOW), actor: 'test' });
    html = await (await client.get(`/console/reports/${withContact}`)).text();
    expect(html).toContain('encrypted to another contact key');
    expect(html).not.toContain('138 0000 0000');

    const opened = insertReport(db, report('r5', { source: 'shopper', inspectorId: null, outcome: 'other', contactJwe: await encryptContact('微信 qd<haibin>', mine.publicJwk) }));
    html = await (await client.get(`/console/reports/${opened}`)).text();
    expect(html).toContain('已加密，已用本办公室的联系方式密钥打开：<span class="mono" data-contact="opened">微信 qd&lt;haibin&gt;</span>');
  });

  it('lets an officer triage a report, audited as officer:王芳, and only once per form', async () => {
    const client = await officerClient(app);
    const before = listAudit(db, { subject: `report:${ids.b1}` }).length;
    const pagePath = `/console/reports/${ids.b1}`;
    const html = await (await client.get(pagePath)).text();
    const fields = { ...Client.hiddenFields(html, `${pagePath}/triage`), state: 'checking', note: '已派人到现场核查' };
    const res = await client.post(`${pagePath}/triage`, fields);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(new RegExp(`^/console/reports/${ids.b1}\\?ok=`));
    expect(getReport(db, ids.b1)).toMatchObject({ state: 'checking', stateNote: '已派人到现场核查' });
    const events = listAudit(db, { subject: `report:${ids.b1}` });
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)).toMatchObject({ actor: `officer:${OFFICERS.officer}`, action: 'report.triage', reason: '已派人到现场核查', after: { state: 'checking', note: '已派人到现场核查' } });

    const shown = await (await client.get(res.headers.get('location')!)).text();
    expect(shown).toContain('处理状态已设为“核查中”');
    expect(shown).toContain('<dd data-field="state">核查中：已派人到现场核查');

    // The same form again (Back, a double click): nothing runs twice.
    const again = await client.post(`${pagePath}/triage`, { ...fields, state: 'closed' });
    expect(again.status).toBe(409);
    expect(getReport(db, ids.b1)!.state).toBe('checking');
    expect(listAudit(db, { subject: `report:${ids.b1}` })).toHaveLength(before + 1);
  });

  it("shows the issuer's refusal of a triage, in English, and keeps what was typed", async () => {
    const client = await officerClient(app);
    const pagePath = `/console/reports/${ids.noSeal}`;
    const note = '长'.repeat(501);
    const res = await client.submit(pagePath, `${pagePath}/triage`, { state: 'closed', note });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/<p class="problem" role="alert"><span lang="en">[^<]*note[^<]*<\/span><\/p>/);
    expect(html).toContain(`>${note}</textarea>`);
    expect(getReport(db, ids.noSeal)!.state).toBe('new');

    const same = await client.submit(pagePath, `${pagePath}/triage`, { state: 'new', note: '' });
    expect(same.status).toBe(409);
    expect(await same.text()).toContain(`report ${ids.noSeal} is already new`);
  });

  it('does not let a clerk triage: no form, and a post is refused with nothing changed', async () => {
    const clerk = await officerClient(app, OFFICERS.clerk);
    const pagePath = `/console/reports/${ids.a1}`;
    const html = await (await clerk.get(pagePath)).text();
    expect(html).toContain('data-triage="role"');
    expect(html).not.toContain(`action="${pagePath}/triage"`);
    const before = listAudit(db, { subject: `report:${ids.a1}` }).length;
    // A well-formed post (the session's CSRF token, a fresh once-token): refused for the role alone.
    const guard = { csrf: Client.hiddenFields(html, '/console/sign-out').csrf!, once: randomBytes(16).toString('base64url') };
    const res = await clerk.post(`${pagePath}/triage`, { ...guard, state: 'closed', note: '' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('data-notice="role"');
    expect(getReport(db, ids.a1)!.state).toBe('new');
    expect(listAudit(db, { subject: `report:${ids.a1}` })).toHaveLength(before);
  });
});
