// The dashboard: the fixture's licences counted by status, tier, sector and district, what
// expires within 90 days, how publishing stands (a warning when nothing was published for a day
// or the published status list is about to expire), and what waits: reports, bulk
// revocations, licences to reseal.
import { describe, expect, it } from 'vitest';
import { requestBulkRevocation } from '../../../src/node/issuer/index.ts';
import { insertReport, type NewReport } from '../../../src/node/registry/reports.ts';
import { consoleFixture, NOW, officerClient, startConsole, testClock } from './support.ts';

const DAY_S = 86_400;

/** The number on the dashboard's tile `name`. */
function stat(html: string, name: string): number {
  const m = new RegExp(`<li data-stat="${name}"><b>(\\d+)</b>`).exec(html);
  if (!m) throw new Error(`no tile ${name}`);
  return Number(m[1]);
}

/** The count in the breakdown table `table`, row `key`. */
function breakdown(html: string, table: string, key: string): number {
  const t = new RegExp(`<table data-stats="${table}">([\\s\\S]*?)</table>`).exec(html)?.[1] ?? '';
  const m = new RegExp(`<tr data-key="${key}"><th scope="row">[^<]*</th><td class="num">(\\d+)</td>`).exec(t);
  if (!m) throw new Error(`no row ${key} in ${table}`);
  return Number(m[1]);
}

function report(edgeId: string, overrides: Partial<NewReport> = {}): NewReport {
  return {
    sourceUrl: 'https://v.qdyp.cn',
    edgeId,
    cursor: Number(edgeId.slice(1)),
    source: 'shopper',
    inspectorId: null,
    seal: null,
    serial: null,
    licence: null,
    outcome: 'no_seal',
    place: '台东步行街',
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

describe('console dashboard', async () => {
  const fixture = await consoleFixture();

  it('counts the licences by status, tier, sector and district as the fixture has them', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const res = await client.get('/console/');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(stat(html, 'total')).toBe(5);
    expect(stat(html, 'valid')).toBe(3);
    expect(stat(html, 'suspended')).toBe(1);
    expect(stat(html, 'revoked')).toBe(1);
    expect(stat(html, 'expired')).toBe(0);
    // aEnding runs to 2027-01-31: 65 days after 2026-11-27.
    expect(stat(html, 'expiring')).toBe(1);
    expect(html).toContain('<a href="/console/licences?expiring=1" data-link="expiring">');
    expect(breakdown(html, 'tier', 'product')).toBe(5);
    expect(breakdown(html, 'tier', 'enterprise')).toBe(0);
    expect(html).toMatch(/<th scope="row">产品品牌<\/th>/);
    expect(breakdown(html, 'sector', 'marine')).toBe(5);
    expect(breakdown(html, 'sector', 'agriculture')).toBe(0);
    expect(html).toMatch(/<th scope="row">海洋经济<\/th>/);
    // The licence's own region: holder A's four carry 黄岛区, holder B's one none.
    expect(breakdown(html, 'region', '370211')).toBe(4);
    expect(breakdown(html, 'region', 'none')).toBe(1);
    expect(html).toMatch(/<th scope="row">黄岛区（370211）<\/th>/);
  });

  it('shows the last publication and the status list expiry, with no warning while fresh', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const html = await (await client.get('/console/')).text();
    // The fixture's CLI published at NOW (12:00 in Beijing); the status list lasts 14 days.
    expect(html).toMatch(/<dd data-field="published-at">2026-11-27 12:00（北京时间）<\/dd>/);
    expect(html).toMatch(/<dd data-field="status-list-exp">2026-12-11 12:0\d（北京时间）<\/dd>/);
    expect(html).toMatch(/<dd data-field="pending">0<\/dd>/);
    expect(html).not.toContain('data-warning=');
  });

  it('warns when nothing has been published for over a day, and when the status list is about to expire', async () => {
    const clock = testClock();
    const app = startConsole(fixture, { clock: clock.now });
    clock.advance(DAY_S - 120);
    let html = await (await (await officerClient(app)).get('/console/')).text();
    expect(html).not.toContain('data-warning="publish-stale"');

    clock.advance(120);
    html = await (await (await officerClient(app)).get('/console/')).text();
    expect(html).toMatch(/<p class="warn" role="status" data-warning="publish-stale">注意：已经超过一天没有发布。/);
    expect(html).toContain(`npx qdyp --db ${app.kit.registry.dbPath} publish`);
    expect(html).not.toContain('data-warning="status-list-expiring"');

    clock.advance(11 * DAY_S);
    html = await (await (await officerClient(app)).get('/console/')).text();
    expect(html).toContain('data-warning="status-list-expiring"');
    expect(html).toMatch(/已发布的状态列表将于 2026-12-11 12:0\d（北京时间）过期/);
  });

  it("shows the console's last failed publication as a problem, in English as logged", async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    expect(await (await client.get('/console/')).text()).not.toContain('data-problem="publish-failed"');
    app.kit.publisher.state.lastError = 'the registry has no active issuing key: run qdyp keys rotate';
    const html = await (await client.get('/console/')).text();
    expect(html).toContain('<p class="problem" role="alert" data-problem="publish-failed">上次自动发布失败，更改仍在等待发布：<span lang="en">the registry has no active issuing key: run qdyp keys rotate</span></p>');
  });

  it('shows the reports waiting, pending bulk revocations and licences to reseal, each linked', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    let html = await (await client.get('/console/')).text();
    expect(html).toContain('待处理的举报：0 条');
    expect(html).toContain('等待第二位主管确认的批量撤销：0 项');

    const db = app.kit.registry.db;
    insertReport(db, report('r1'));
    insertReport(db, report('r2', { licence: fixture.numbers.a1 }));
    const bulk = await requestBulkRevocation({ registry: app.kit.registry, now: app.kit.clock(), actor: 'officer:李强' }, [fixture.numbers.a1, fixture.numbers.b1], '批量抽检不合格');
    html = await (await client.get('/console/')).text();
    expect(html).toContain('<a href="/console/reports?state=new">待处理的举报：2 条</a>');
    expect(html).toContain('等待第二位主管确认的批量撤销：1 项');
    expect(html).toContain(`<a href="/console/licences/bulk/${bulk.id}">批量撤销 #${bulk.id}：2 个许可</a>`);
    expect(html).toContain('由 officer:李强');
    expect(html).toContain('需要重新签发封签的许可：0 个');
  });
});
