// The console's licences: finding and filtering, each action through the issuer with the
// officer's name in the audit log and a publication after it, refusals as the CLI words them
// with nothing changed, bulk revocation with a second officer, issuing, and the downloads.
import fs from 'node:fs';
import path from 'node:path';
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { describe, expect, it } from 'vitest';
import { openRegistry } from '../../../src/node/registry/db.ts';
import { getLicence, listPeriods, type LicenceRecord } from '../../../src/node/registry/licences.ts';
import { lastPublication, searchAudit, type AuditSearch } from '../../../src/node/registry/search.ts';
import { dumpTables, qdyp, sealUrlOf, tempDir } from '../support.ts';
import { Client, consoleFixture, officerClient, OFFICERS, startConsole, USCC, type ConsoleFixture } from './support.ts';

/** A copy of the fixture's registry (database, keys, edge store), for a test that changes it. */
function copyOf(fixture: ConsoleFixture): ConsoleFixture {
  const dir = tempDir('qdyp-console-licences-');
  fs.cpSync(fixture.dir, dir, { recursive: true });
  const db = path.join(dir, path.basename(fixture.db));
  return { ...fixture, dir, db, run: (argv, env) => qdyp([...argv, '--db', db], env) };
}

function read<T>(fixture: ConsoleFixture, fn: (db: ReturnType<typeof openRegistry>['db']) => T): T {
  const registry = openRegistry(fixture.db, { readonly: true });
  try {
    return fn(registry.db);
  } finally {
    registry.close();
  }
}

const licenceOf = (fixture: ConsoleFixture, number: string): LicenceRecord => read(fixture, (db) => getLicence(db, number)!);
const auditOf = (fixture: ConsoleFixture, filter: AuditSearch) => read(fixture, (db) => searchAudit(db, filter, { limit: 1000, offset: 0 }).events);

/** Text as the page escapes it. */
function escaped(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The licence numbers linked from a list page's table. */
function listed(html: string): string[] {
  return [...html.matchAll(/<a class="mono" href="\/console\/licences\/(QDYP-\d{4}-\d{6})">/g)].map((m) => m[1]!);
}

/** The CLI's refusal message: what `qdyp` prints after "qdyp: refused: ". */
function cliRefusal(stderr: string): string {
  const m = /^qdyp: refused: (.+)$/m.exec(stderr);
  expect(m, stderr).not.toBeNull();
  return m![1]!;
}

async function issueWithCli(fixture: ConsoleFixture, argv: string[]): Promise<string> {
  const r = await fixture.run(['licence', 'issue', '--tier', 'product', '--sector', 'marine', ...argv]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.split('\n')[0]!;
}

describe('console licences: finding them', async () => {
  const fixture = await consoleFixture();
  const n = fixture.numbers;

  it('finds licences by holder name, USCC and number prefix', async () => {
    const client = await officerClient(startConsole(fixture));
    const byName = await client.get(`/console/licences?text=${encodeURIComponent('海滨食品')}`);
    expect(byName.status).toBe(200);
    expect(listed(await byName.text()).sort()).toEqual([n.a1, n.aSuspended, n.aRevoked, n.aEnding].sort());
    expect(listed(await (await client.get('/console/licences?text=Hangzhou')).text())).toEqual([n.b1]);
    expect(listed(await (await client.get(`/console/licences?text=${USCC.b.toLowerCase()}`)).text())).toEqual([n.b1]);
    expect(listed(await (await client.get(`/console/licences?text=${n.a1}`)).text())).toEqual([n.a1]);
    // Unfiltered: everything, newest first, with holder, products and the status in words.
    const all = await (await client.get('/console/licences')).text();
    expect(listed(all)).toEqual([n.b1, n.aEnding, n.aRevoked, n.aSuspended, n.a1]);
    expect(all).toContain('青岛海滨食品有限公司');
    expect(all).toContain('即食海参');
    expect(all).toMatch(/state-suspended">已暂停</);
    expect(all).toMatch(/state-revoked">已撤销</);
  });

  it('filters by status, region, tier, sector and the 90-day window, and links the CSV export with the same filter', async () => {
    const client = await officerClient(startConsole(fixture));
    const list = async (query: string) => {
      const res = await client.get(`/console/licences?${query}`);
      expect(res.status, query).toBe(200);
      return res.text();
    };
    expect(listed(await list('status=suspended'))).toEqual([n.aSuspended]);
    expect(listed(await list('status=revoked'))).toEqual([n.aRevoked]);
    expect(listed(await list('region=370211')).sort()).toEqual([n.a1, n.aSuspended, n.aRevoked, n.aEnding].sort());
    expect(listed(await list('expiring=1'))).toEqual([n.aEnding]);
    expect(listed(await list('tier=product&sector=marine&status=valid')).sort()).toEqual([n.a1, n.aEnding, n.b1].sort());
    const none = await list('sector=agriculture');
    expect(listed(none)).toEqual([]);
    expect(none).toContain('没有符合条件的授权');
    const html = await list(`text=${encodeURIComponent('海滨')}&status=valid&region=370211`);
    expect(html).toContain(`href="/console/exports/licences.csv?text=${encodeURIComponent('海滨')}&amp;region=370211&amp;status=valid"`);
    // The selects keep what was chosen.
    expect(html).toMatch(/<option value="valid" selected="">/);
  });

  it('says 已过期 for a valid licence past its last day', async () => {
    const copy = copyOf(fixture);
    const expired = await issueWithCli(copy, ['--holder', USCC.b, '--product', '旧茶', '--from', '2025-01-01', '--until', '2025-06-30']);
    const client = await officerClient(startConsole(copy));
    const html = await (await client.get(`/console/licences?text=${expired}`)).text();
    expect(listed(html)).toEqual([expired]);
    expect(html).toMatch(/state-expired">已过期</);
    expect(await (await client.get(`/console/licences/${expired}`)).text()).toMatch(/state-expired">已过期</);
  });

  it('answers garbage in the query and the path with a 4xx page, never a 5xx', async () => {
    const client = await officerClient(startConsole(fixture));
    const bad: [string, number, string?][] = [
      ['/console/licences?tier=bogus', 400, '“类别”须为以下之一'],
      ['/console/licences?sector=%3Cscript%3E', 400, '“行业”须为以下之一'],
      ['/console/licences?region=999999', 400, '“地区”须为'],
      ['/console/licences?status=deleted', 400, '“状态”须为'],
      ['/console/licences?expiring=yes', 400, '90 天内到期'],
      ['/console/licences?tier=product&tier=region', 400, '给了不止一次'],
      [`/console/licences?text=${'x'.repeat(5000)}`, 400, '太长'],
      ['/console/licences?text=a%00b', 400, '控制字符'],
      ['/console/licences?offset=-1', 400, 'offset'],
      ['/console/licences?offset=1e3', 400, 'offset'],
      ['/console/licences?offset=99999999999999999999', 400, 'offset'],
      ['/console/licences/QDYP-2026-999999', 404],
      [`/console/licences/${'Q'.repeat(65)}`, 404],
      ['/console/licences/%E0%A4%A', 404],
      [`/console/licences/${n.a1}/artwork.gif`, 404],
      ['/console/licences/bulk/abc', 404],
      ['/console/licences/bulk/99', 404],
      ['/console/licences/bulk/0', 404],
    ];
    for (const [url, status, text] of bad) {
      const res = await client.get(url);
      expect(res.status, url).toBe(status);
      const html = await res.text();
      if (text) expect(html, url).toContain(text);
      expect(html).not.toMatch(/at \w+ \(|Error:/);
    }
    // The bad value is shown back, escaped.
    expect(await (await client.get('/console/licences?sector=%3Cscript%3E')).text()).not.toContain('<script>');
    // A page past the end, a garbage history offset: pages that work.
    expect((await client.get('/console/licences?offset=5000')).status).toBe(200);
    expect((await client.get(`/console/licences/${n.a1}?offset=zzz`)).status).toBe(200);
    expect((await client.get(`/console/licences/${n.a1.toLowerCase()}`)).status).toBe(200);
  });

  it('shows a clerk the licence but no action, and refuses a clerk’s suspension (403) with nothing changed', async () => {
    const app = startConsole(fixture);
    const clerk = await officerClient(app, OFFICERS.clerk);
    const html = await (await clerk.get(`/console/licences/${n.a1}`)).text();
    expect(html).toContain(n.a1);
    expect(html).not.toMatch(/data-action="(suspend|revoke|renew|update|reseal|reinstate)"/);
    expect(html).not.toContain(`/console/licences/${n.a1}/suspend`);
    expect(html).toContain('你的角色只能查看授权');
    const list = await (await clerk.get(`/console/licences?text=${USCC.a}&status=valid`)).text();
    expect(list).not.toContain('/console/licences/new');
    expect(list).not.toContain('action="/console/licences/bulk"');
    expect((await clerk.get('/console/licences/new')).status).toBe(403);

    const before = dumpTables(fixture.db);
    const { csrf } = Client.hiddenFields(html, '/console/sign-out');
    const res = await clerk.post(`/console/licences/${n.a1}/suspend`, { csrf: csrf!, once: 'AAAAAAAAAAAAAAAAAAAAAA', reason: '抽检' });
    expect(res.status).toBe(403);
    expect(dumpTables(fixture.db)).toEqual(before);
  });
});

describe('console licences: one licence’s actions', async () => {
  const fixture = await consoleFixture();
  const n = fixture.numbers;

  it('suspends with a reason: the registry, the audit log (officer:王芳) and a new publication', async () => {
    const copy = copyOf(fixture);
    const app = startConsole(copy);
    const client = await officerClient(app);
    const statusListBefore = fs.readFileSync(path.join(copy.dir, 'edge', 'status-list'), 'utf8');
    const serial = licenceOf(copy, n.a1).serial;
    expect(getListFromStatusListJWT(statusListBefore).getStatus(serial)).toBe(0);

    const page = await (await client.get(`/console/licences/${n.a1}`)).text();
    expect(page).toContain('此原因将在公众扫码页面上公开显示');
    const res = await client.submit(`/console/licences/${n.a1}`, `/console/licences/${n.a1}/suspend`, { reason: '抽检不合格，暂停销售' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(new RegExp(`^/console/licences/${n.a1}\\?ok=`));

    const licence = licenceOf(copy, n.a1);
    expect(licence).toMatchObject({ status: 'suspended', statusReason: '抽检不合格，暂停销售' });
    const [event] = auditOf(copy, { licence: n.a1 });
    expect(event).toMatchObject({ action: 'licence.suspend', actor: `officer:${OFFICERS.officer}`, reason: '抽检不合格，暂停销售' });

    await app.kit.publisher.flush();
    expect(read(copy, (db) => lastPublication(db))).toEqual({ publishedAt: app.kit.clock().toISOString(), pendingEntries: 0 });
    const statusList = fs.readFileSync(path.join(copy.dir, 'edge', 'status-list'), 'utf8');
    expect(getListFromStatusListJWT(statusList).getStatus(serial)).toBe(2);

    // The page after the redirect: the notice, the state in words, the history with the officer.
    const after = await (await client.get(res.headers.get('location')!)).text();
    expect(after).toContain('已暂停');
    expect(after).toContain('抽检不合格，暂停销售');
    expect(after).toContain(`officer:${OFFICERS.officer}`);
    expect(after).toContain('data-action="reinstate"');
    expect(after).not.toContain('data-action="suspend"');
  });

  it('reinstates a suspended licence', async () => {
    const copy = copyOf(fixture);
    const client = await officerClient(startConsole(copy));
    const res = await client.submit(`/console/licences/${n.aSuspended}`, `/console/licences/${n.aSuspended}/reinstate`, { reason: '整改完成' });
    expect(res.status).toBe(303);
    expect(licenceOf(copy, n.aSuspended)).toMatchObject({ status: 'valid', statusReason: '整改完成' });
    expect(auditOf(copy, { licence: n.aSuspended })[0]).toMatchObject({ action: 'licence.reinstate', actor: `officer:${OFFICERS.officer}` });
  });

  it('revokes only with the confirmation box ticked', async () => {
    const copy = copyOf(fixture);
    const client = await officerClient(startConsole(copy));
    const before = dumpTables(copy.db);
    const unticked = await client.submit(`/console/licences/${n.a1}`, `/console/licences/${n.a1}/revoke`, { reason: '冒用' });
    expect(unticked.status).toBe(422);
    const html = await unticked.text();
    expect(html).toContain('请勾选“我确认撤销不可恢复”');
    expect(html).toContain('value="冒用"');
    expect(dumpTables(copy.db)).toEqual(before);

    const ticked = await client.submit(`/console/licences/${n.a1}`, `/console/licences/${n.a1}/revoke`, { reason: '冒用', confirm: '1' });
    expect(ticked.status).toBe(303);
    expect(licenceOf(copy, n.a1)).toMatchObject({ status: 'revoked', statusReason: '冒用' });
    const after = await (await client.get(`/console/licences/${n.a1}`)).text();
    expect(after).toContain('不能再更改');
    expect(after).not.toContain('data-action="revoke"');
  });

  it('shows a refused action with the CLI’s message, and changes nothing', async () => {
    const copy = copyOf(fixture);
    const client = await officerClient(startConsole(copy));
    // The page still offers reinstatement; meanwhile the licence is reinstated from the CLI.
    const stale = await (await client.get(`/console/licences/${n.aSuspended}`)).text();
    expect((await copy.run(['licence', 'reinstate', n.aSuspended, '--reason', '整改完成'])).code).toBe(0);
    const cli = await copy.run(['licence', 'reinstate', n.aSuspended, '--reason', '再次恢复']);
    expect(cli.code).not.toBe(0);
    const message = cliRefusal(cli.stderr);
    expect(message).toContain('cannot be reinstated');

    const before = dumpTables(copy.db);
    const res = await client.post(`/console/licences/${n.aSuspended}/reinstate`, { ...Client.hiddenFields(stale, `/console/licences/${n.aSuspended}/reinstate`), reason: '再次恢复' });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain(`<span lang="en">${escaped(message)}</span>`);
    // The page as it is now: the licence is valid, so suspension is offered instead.
    expect(html).toContain('data-action="suspend"');
    expect(html).not.toContain('data-action="reinstate"');
    expect(dumpTables(copy.db)).toEqual(before);
  });

  it('runs a form sent twice once: the second answer is 409 and there is one audit event', async () => {
    const copy = copyOf(fixture);
    const client = await officerClient(startConsole(copy));
    const html = await (await client.get(`/console/licences/${n.b1}`)).text();
    const fields = { ...Client.hiddenFields(html, `/console/licences/${n.b1}/suspend`), reason: '抽检' };
    expect((await client.post(`/console/licences/${n.b1}/suspend`, fields)).status).toBe(303);
    const again = await client.post(`/console/licences/${n.b1}/suspend`, fields);
    expect(again.status).toBe(409);
    expect(auditOf(copy, { licence: n.b1, action: 'licence.suspend' })).toHaveLength(1);
  });

  it('renews, updates (a list replaces, an empty field keeps, a clear clears) and refuses what the CLI refuses', async () => {
    const copy = copyOf(fixture);
    const client = await officerClient(startConsole(copy));
    const pagePath = `/console/licences/${n.a1}`;
    const renewed = await client.submit(pagePath, `${pagePath}/renew`, { until: '2029-06-30' });
    expect(renewed.status).toBe(303);
    expect(licenceOf(copy, n.a1)).toMatchObject({ validFrom: licenceOf(fixture, n.a1).validFrom, validUntil: '2029-06-30' });
    expect(read(copy, (db) => listPeriods(db, licenceOf(copy, n.a1).serial)).map((p) => p.validUntil)).toEqual(['2028-12-31', '2029-06-30']);

    const updated = await client.submit(pagePath, `${pagePath}/update`, { products: '即食海参\r\n  海参礼盒  \r\n\r\n', 'clear-chain': '1', reason: '扩大范围' });
    expect(updated.status).toBe(303);
    expect(licenceOf(copy, n.a1)).toMatchObject({ products: ['即食海参', '海参礼盒'], trademarks: ['海滨'], chain: null, region: '370211' });
    expect(auditOf(copy, { licence: n.a1 })[0]).toMatchObject({ action: 'licence.update', actor: `officer:${OFFICERS.officer}`, reason: '扩大范围' });

    const cleared = await client.submit(pagePath, `${pagePath}/update`, { 'clear-trademarks': '1', region: 'none' });
    expect(cleared.status).toBe(303);
    expect(licenceOf(copy, n.a1)).toMatchObject({ trademarks: [], region: null });

    const before = dumpTables(copy.db);
    const nothing = await client.submit(pagePath, `${pagePath}/update`, {});
    expect(nothing.status).toBe(422);
    expect(await nothing.text()).toContain('nothing to update');
    const badDate = await client.submit(pagePath, `${pagePath}/renew`, { until: '2029-02-30' });
    expect(badDate.status).toBe(422);
    expect(await badDate.text()).toContain('valid until must be a date as YYYY-MM-DD');
    const reseal = await client.submit(pagePath, `${pagePath}/reseal`, {});
    expect(reseal.status).toBe(409);
    expect(await reseal.text()).toContain('is already sealed under the active key');
    const noReason = await client.submit(pagePath, `${pagePath}/suspend`, { reason: '' });
    expect(noReason.status).toBe(422);
    expect(await noReason.text()).toContain('a reason is required');
    expect(dumpTables(copy.db)).toEqual(before);
  });
});

describe('console licences: bulk revocation', async () => {
  const fixture = await consoleFixture();
  const n = fixture.numbers;

  it('revokes a filtered list of up to three at once, and offers nothing without a filter', async () => {
    const copy = copyOf(fixture);
    const app = startConsole(copy);
    const client = await officerClient(app);
    expect(await (await client.get('/console/licences')).text()).not.toContain('action="/console/licences/bulk"');

    const listPath = `/console/licences?text=${USCC.a}`;
    const html = await (await client.get(listPath)).text();
    // a1, aSuspended and aEnding; aRevoked is left out.
    expect(html).toContain('撤销筛选结果中的全部 3 个授权');
    const res = await client.submit(listPath, '/console/licences/bulk', { reason: '主体注销', confirm: '1' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/console\/licences\?text=91370200163562681G&ok=/);
    for (const number of [n.a1, n.aSuspended, n.aEnding]) {
      expect(licenceOf(copy, number)).toMatchObject({ status: 'revoked', statusReason: '主体注销' });
      expect(auditOf(copy, { licence: number })[0]).toMatchObject({ action: 'licence.revoke', actor: `officer:${OFFICERS.officer}` });
    }
    expect(licenceOf(copy, n.b1).status).toBe('valid');
    await app.kit.publisher.flush();
    expect(read(copy, (db) => lastPublication(db)).pendingEntries).toBe(0);
  });

  it('refuses when the results changed after the page was shown, or without the box ticked', async () => {
    const copy = copyOf(fixture);
    const client = await officerClient(startConsole(copy));
    const listPath = `/console/licences?text=${USCC.b}`;
    const html = await (await client.get(listPath)).text();
    expect(html).toContain('撤销筛选结果中的全部 1 个授权');
    const unticked = await client.post('/console/licences/bulk', { ...Client.hiddenFields(html, '/console/licences/bulk'), reason: '主体注销' });
    expect(unticked.status).toBe(422);
    await issueWithCli(copy, ['--holder', USCC.b, '--product', '白茶', '--until', '2028-12-31']);
    const before = dumpTables(copy.db);
    // The same page's form, with a fresh once-token (the first was used by the refused post).
    const res = await client.post('/console/licences/bulk', { ...Client.hiddenFields(html, '/console/licences/bulk'), once: 'BBBBBBBBBBBBBBBBBBBBBB', reason: '主体注销', confirm: '1' });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('筛选结果在你打开页面之后有了变化');
    expect(dumpTables(copy.db)).toEqual(before);
  });

  it('makes more than three a request that a second officer confirms; the requester cannot', async () => {
    const copy = copyOf(fixture);
    const extra = await issueWithCli(copy, ['--holder', USCC.a, '--product', '海米', '--until', '2028-12-31']);
    const app = startConsole(copy);
    const wang = await officerClient(app, OFFICERS.officer);
    const li = await officerClient(app, OFFICERS.second);
    const listPath = `/console/licences?text=${USCC.a}`;
    expect(await (await wang.get(listPath)).text()).toContain('撤销筛选结果中的全部 4 个授权');
    const requested = await wang.submit(listPath, '/console/licences/bulk', { reason: '主体注销', confirm: '1' });
    expect(requested.status).toBe(303);
    const bulkPath = requested.headers.get('location')!.split('?')[0]!;
    expect(bulkPath).toMatch(/^\/console\/licences\/bulk\/\d+$/);
    const wanted = [n.a1, n.aSuspended, n.aEnding, extra].sort();
    for (const number of wanted) expect(licenceOf(copy, number).status).not.toBe('revoked');
    const pending = await (await wang.get(bulkPath)).text();
    expect(listed(pending).sort()).toEqual(wanted);
    expect(pending).toContain('须由另一位主管确认');
    expect(await (await li.get('/console/licences/bulk')).text()).toContain(`href="${bulkPath}"`);

    // Issued after the request: not in it, so not revoked by it.
    const later = await issueWithCli(copy, ['--holder', USCC.a, '--product', '紫菜', '--until', '2028-12-31']);

    // The requester is offered no confirm button; a confirmation sent anyway is refused.
    expect(pending).not.toContain(`action="${bulkPath}/confirm"`);
    expect(pending).toContain('data-bulk-own');
    expect(await (await li.get(bulkPath)).text()).toContain(`action="${bulkPath}/confirm"`);
    const before = dumpTables(copy.db);
    const own = await wang.post(`${bulkPath}/confirm`, Client.hiddenFields(pending, `${bulkPath}/cancel`));
    expect(own.status).toBe(409);
    expect(await own.text()).toContain('a second officer must confirm a bulk revocation; it was requested by you');
    expect(dumpTables(copy.db)).toEqual(before);

    const confirmed = await li.submit(bulkPath, `${bulkPath}/confirm`);
    expect(confirmed.status).toBe(303);
    for (const number of wanted) {
      expect(licenceOf(copy, number)).toMatchObject({ status: 'revoked', statusReason: '主体注销' });
      expect(auditOf(copy, { licence: number })[0]).toMatchObject({ action: 'licence.revoke', actor: `officer:${OFFICERS.second}` });
    }
    expect(licenceOf(copy, later).status).toBe('valid');
    const id = bulkPath.split('/').pop();
    const bulkEvents = auditOf(copy, {}).filter((e) => e.subject === `bulk:${id}`);
    expect(bulkEvents.map((e) => [e.action, e.actor])).toEqual([
      ['bulk_revoke.confirm', `officer:${OFFICERS.second}`],
      ['bulk_revoke.start', `officer:${OFFICERS.second}`],
      ['bulk_revoke.request', `officer:${OFFICERS.officer}`],
    ]);
    const done = await (await li.get(bulkPath)).text();
    expect(done).toContain('已确认并执行');
    expect(done).not.toContain(`action="${bulkPath}/confirm"`);
    await app.kit.publisher.flush();
    expect(read(copy, (db) => lastPublication(db)).pendingEntries).toBe(0);
  });

  it('lets an officer cancel a pending request, revoking nothing', async () => {
    const copy = copyOf(fixture);
    await issueWithCli(copy, ['--holder', USCC.a, '--product', '海米', '--until', '2028-12-31']);
    const app = startConsole(copy);
    const wang = await officerClient(app, OFFICERS.officer);
    const listPath = `/console/licences?text=${USCC.a}`;
    const requested = await wang.submit(listPath, '/console/licences/bulk', { reason: '主体注销', confirm: '1' });
    const bulkPath = requested.headers.get('location')!.split('?')[0]!;
    const cancelled = await wang.submit(bulkPath, `${bulkPath}/cancel`, { reason: '申请有误' });
    expect(cancelled.status).toBe(303);
    expect(await (await wang.get(bulkPath)).text()).toContain('已取消');
    expect(licenceOf(copy, n.a1).status).toBe('valid');
    const clerk = await officerClient(app, OFFICERS.clerk);
    expect((await clerk.post(`${bulkPath}/confirm`, {})).status).toBe(403);
  });
});

describe('console licences: issuing and downloads', async () => {
  const fixture = await consoleFixture();
  const n = fixture.numbers;

  it('issues a licence from the form, as `qdyp licence issue` does', async () => {
    const copy = copyOf(fixture);
    const client = await officerClient(startConsole(copy));
    const res = await client.submit('/console/licences/new', '/console/licences', {
      holder: USCC.b.toLowerCase(),
      tier: 'product',
      sector: 'agriculture',
      chain: '茶叶',
      products: '龙井绿茶礼盒\n碧螺春\n',
      trademarks: '西湖',
      until: '2028-12-31',
      reason: '第二批遴选',
    });
    expect(res.status).toBe(303);
    const number = /^\/console\/licences\/(QDYP-\d{4}-\d{6})\?ok=/.exec(res.headers.get('location')!)?.[1];
    expect(number).toBeDefined();
    expect(licenceOf(copy, number!)).toMatchObject({
      holder: { uscc: USCC.b },
      tier: 'product',
      sector: 'agriculture',
      chain: '茶叶',
      products: ['龙井绿茶礼盒', '碧螺春'],
      trademarks: ['西湖'],
      region: null,
      validFrom: '2026-11-27',
      validUntil: '2028-12-31',
      status: 'valid',
    });
    expect(auditOf(copy, { licence: number! })[0]).toMatchObject({ action: 'licence.issue', actor: `officer:${OFFICERS.officer}` });
  });

  it('refuses a bad USCC with the CLI’s message, keeps what was typed and issues nothing', async () => {
    const copy = copyOf(fixture);
    const client = await officerClient(startConsole(copy));
    const badUscc = '91370200163562681X';
    const cli = await copy.run(['licence', 'issue', '--holder', badUscc, '--tier', 'product', '--sector', 'marine', '--product', '海参', '--until', '2028-12-31']);
    const message = cliRefusal(cli.stderr);
    const before = dumpTables(copy.db);
    const res = await client.submit('/console/licences/new', '/console/licences', {
      holder: badUscc,
      tier: 'product',
      sector: 'marine',
      chain: '海洋食品',
      products: '海参\n鲍鱼',
      until: '2028-12-31',
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain(`<span lang="en">${escaped(message)}</span>`);
    expect(html).toContain(`value="${badUscc}"`);
    expect(html).toContain('value="海洋食品"');
    expect(html).toMatch(/<textarea id="issue-products" name="products" required="">海参\n鲍鱼<\/textarea>/);
    expect(html).toMatch(/<option value="marine" selected="">/);
    expect(dumpTables(copy.db)).toEqual(before);

    const both = await client.submit('/console/licences/new', '/console/licences', { holder: USCC.a, tier: 'product', sector: 'marine', products: '海参', until: '2028-12-31', days: '30' });
    expect(both.status).toBe(422);
    expect(await both.text()).toContain('give exactly one of');
    const days = await client.submit('/console/licences/new', '/console/licences', { holder: USCC.a, tier: 'product', sector: 'marine', products: '海参', days: 'ten' });
    expect(days.status).toBe(422);
    expect(dumpTables(copy.db)).toEqual(before);
  });

  it('downloads the SVG, the 30 mm 600 dpi PNG and the PDF certificate, and shows the QR inline', async () => {
    const client = await officerClient(startConsole(fixture));
    const base = `/console/licences/${n.a1}`;
    const svg = await client.get(`${base}/artwork.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('content-disposition')).toBe(`attachment; filename="${n.a1}-30mm.svg"`);
    expect(await svg.text()).toMatch(/<svg[\s>]/);
    const png = await client.get(`${base}/artwork.png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('content-disposition')).toBe(`attachment; filename="${n.a1}-30mm-600dpi.png"`);
    expect([...new Uint8Array(await png.arrayBuffer()).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const pdf = await client.get(`${base}/certificate.pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect(new TextDecoder().decode(new Uint8Array(await pdf.arrayBuffer()).subarray(0, 5))).toBe('%PDF-');

    const html = await (await client.get(base)).text();
    expect(html).toMatch(/<img class="qr" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
    expect(html).toContain(`<a href="${escaped(await sealUrlOf(fixture.run, n.a1))}">打开公众扫码页面</a>`);
    expect(html).toContain(`${base}/artwork.png`);
  });

  it('links the scan page on the verifier the console publishes for, when set', async () => {
    const client = await officerClient(startConsole(fixture, { verifyOrigin: 'http://localhost:8787' }));
    const html = await (await client.get(`/console/licences/${n.a1}`)).text();
    expect(html).toContain(`<a href="http://localhost:8787/V/${licenceOf(fixture, n.a1).seal}">打开公众扫码页面</a>`);
  });
});
