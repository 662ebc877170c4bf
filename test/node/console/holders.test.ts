// Holders in the console: the list and its search, registering, updating and inviting through
// the same issuer functions as `qdyp holder` (audited under the officer's name), refusals that
// show the CLI's message with what was typed and change nothing, and the activation code shown
// once, in the POST's own response, with only its hash kept.
import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { activationCodeHash } from '../../../src/node/issuer/index.ts';
import { CONSOLE_DB_FILE } from '../../../src/node/console/index.ts';
import { dumpTables } from '../support.ts';
import { Client, consoleFixture, OFFICERS, officerClient, startConsole, USCC, type TestConsole } from './support.ts';
import { usccFor } from '../import/batch-files.ts';

function rows<T = Record<string, unknown>>(db: string, sql: string, ...params: unknown[]): T[] {
  const handle = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return handle.prepare(sql).all(...params) as T[];
  } finally {
    handle.close();
  }
}

/** The registry's tables once nothing is waiting to be published. */
async function tables(app: TestConsole, db: string): Promise<Record<string, unknown>> {
  await app.kit.publisher.flush();
  return dumpTables(db);
}

function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('console holders: list and search', async () => {
  const fixture = await consoleFixture();

  it('lists holders with their licence counts and the CSV export link', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app, OFFICERS.clerk);
    const res = await client.get('/console/holders');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`href="/console/holders/${USCC.a}"`);
    expect(html).toContain(`href="/console/holders/${USCC.b}"`);
    // Holder A has four licences, B one.
    expect(text(html)).toMatch(new RegExp(`${USCC.a} 青岛海滨食品有限公司 370211 黄岛区 4 `));
    expect(text(html)).toMatch(new RegExp(`${USCC.b} Hangzhou Tea Co\\. — 1 `));
    expect(html).toContain('href="/console/exports/holders.csv"');
  });

  it('searches by part of the name, by USCC and by region, and keeps the filter in the export link', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const byName = await (await client.get(`/console/holders?text=${encodeURIComponent('海滨')}`)).text();
    expect(byName).toContain(USCC.a);
    expect(byName).not.toContain(USCC.b);
    expect(byName).toContain(`href="/console/exports/holders.csv?text=${encodeURIComponent('海滨')}"`);
    const byUscc = await (await client.get(`/console/holders?text=${USCC.b.toLowerCase()}`)).text();
    expect(byUscc).toContain(USCC.b);
    expect(byUscc).not.toContain(`/console/holders/${USCC.a}"`);
    const byRegion = await (await client.get('/console/holders?region=370211')).text();
    expect(byRegion).toContain(USCC.a);
    expect(byRegion).not.toContain(`/console/holders/${USCC.b}"`);
  });

  it('answers a bad filter with a 400 page, not a crash', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const res = await client.get('/console/holders?region=999999');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('地区须为');
    expect((await client.get('/console/holders?offset=-1')).status).toBe(400);
    expect((await client.get('/console/holders/NOT-A-USCC')).status).toBe(404);
    expect((await client.get(`/console/holders/${USCC.c}`)).status).toBe(404);
  });

  it("shows a holder's details and its licences, each linked to its page", async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const res = await client.get(`/console/holders/${USCC.a}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('青岛市黄岛区长江中路 1 号');
    for (const number of [fixture.numbers.a1, fixture.numbers.aSuspended, fixture.numbers.aRevoked, fixture.numbers.aEnding]) {
      expect(html).toContain(`href="/console/licences/${number}"`);
    }
    expect(html).not.toContain(fixture.numbers.b1);
    expect(text(html)).toContain('已暂停');
    expect(text(html)).toContain('已撤销');
  });
});

describe('console holders: add and update', async () => {
  const fixture = await consoleFixture();

  it('a clerk registers a holder with the checks of qdyp holder add, audited under the clerk', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app, OFFICERS.clerk);
    const res = await client.submit('/console/holders/new', '/console/holders', { uscc: ` ${USCC.c.toLowerCase()} `, name: '崂山茶产业协会', address: '青岛市崂山区', region: '370212' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(new RegExp(`^/console/holders/${USCC.c}\\?ok=`));
    expect(rows(fixture.db, 'SELECT uscc, name, address, region FROM holders WHERE uscc = ?', USCC.c)).toEqual([{ uscc: USCC.c, name: '崂山茶产业协会', address: '青岛市崂山区', region: '370212' }]);
    expect(rows(fixture.db, `SELECT actor FROM audit_events WHERE action = 'holder.add' AND subject = ?`, USCC.c)).toEqual([{ actor: `officer:${OFFICERS.clerk}` }]);
    const shown = await client.get(res.headers.get('location')!);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain('已登记品牌主体');
  });

  it('refuses a bad USCC, a duplicate and invisible characters with the CLI message and the typed values, changing nothing', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const before = await tables(app, fixture.db);

    const badCheck = `${USCC.a.slice(0, 17)}${USCC.a.endsWith('G') ? 'H' : 'G'}`;
    const bad = await client.submit('/console/holders/new', '/console/holders', { uscc: badCheck, name: '某某食品有限公司', address: '青岛市', region: '370202' });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain('its check character (the 18th) does not match');
    expect(badHtml).toContain('<span lang="en">');
    expect(badHtml).toContain(`value="${badCheck}"`);
    expect(badHtml).toContain('value="某某食品有限公司"');
    expect(badHtml).toMatch(/<option value="370202" selected/);

    const duplicate = await client.submit('/console/holders/new', '/console/holders', { uscc: USCC.a, name: '另一家公司' });
    expect(duplicate.status).toBe(409);
    expect(await duplicate.text()).toContain(`holder ${USCC.a} is already registered`);

    const override = await client.submit('/console/holders/new', '/console/holders', { uscc: usccFor(77), name: 'Evil\u202Eoc dooG' });
    expect(override.status).toBe(422);
    expect(await override.text()).toContain('U+202E (RIGHT-TO-LEFT OVERRIDE)');

    // A control character never reaches the issuer: the form itself is refused.
    const control = await client.submit('/console/holders/new', '/console/holders', { uscc: usccFor(78), name: '青岛\u0007公司' });
    expect(control.status).toBe(400);
    expect(await control.text()).not.toMatch(/at .*\.ts:\d+/);

    expect(await tables(app, fixture.db)).toEqual(before);
  });

  it('an officer updates name, address and region with a reason; the audit names the officer', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const page = `/console/holders/${USCC.b}`;
    const res = await client.submit(page, page, { name: 'Hangzhou Tea Company', address: '杭州市西湖区', region: '370202', reason: '工商变更登记' });
    expect(res.status).toBe(303);
    expect(rows(fixture.db, 'SELECT name, address, region FROM holders WHERE uscc = ?', USCC.b)).toEqual([{ name: 'Hangzhou Tea Company', address: '杭州市西湖区', region: '370202' }]);
    const audit = rows<{ actor: string; reason: string; after: string }>(fixture.db, `SELECT actor, reason, after FROM audit_events WHERE action = 'holder.update' AND subject = ?`, USCC.b);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: `officer:${OFFICERS.officer}`, reason: '工商变更登记' });
    // The new name re-signed the holder's licence document.
    expect(JSON.parse(audit[0]!.after)).toMatchObject({ name: 'Hangzhou Tea Company', documentsResigned: [fixture.numbers.b1] });
    await app.kit.publisher.flush();
    expect(app.kit.publisher.state.publications).toBeGreaterThan(0);
  });

  it('refuses an update that changes nothing, and a bad region, with the typed values kept', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const page = `/console/holders/${USCC.a}`;
    const before = await tables(app, fixture.db);
    const same = await client.submit(page, page, { name: '青岛海滨食品有限公司', address: '青岛市黄岛区长江中路 1 号', region: '370211' });
    expect(same.status).toBe(409);
    expect(await same.text()).toContain(`holder ${USCC.a} already has these details`);
    const region = await client.submit(page, page, { name: '青岛海滨食品股份有限公司', region: '110000', reason: '改制' });
    expect(region.status).toBe(422);
    const html = await region.text();
    expect(html).toContain('region must be a GB/T 2260 code');
    expect(html).toContain('value="青岛海滨食品股份有限公司"');
    expect(html).toContain('value="改制"');
    expect(await tables(app, fixture.db)).toEqual(before);
  });
});

describe('console holders: portal invitations', async () => {
  const fixture = await consoleFixture();

  it('shows the activation code once, in the response to the POST, and keeps only its hash', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const page = `/console/holders/${USCC.a}`;
    const html = await (await client.get(page)).text();
    const form = { ...Client.hiddenFields(html, `${page}/invite`), user: 'Sales', days: '7' };
    const res = await client.post(`${page}/invite`, form);
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    const shown = await res.text();
    const code = /<span class="secret">([^<]+)<\/span>/.exec(shown)?.[1];
    expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);
    // The letter, with the portal's address and the user's name as stored (lower-cased).
    expect(shown).toContain('账户开通邀请函');
    expect(shown).toContain(`激活码 Activation code:  ${code}`);
    expect(shown).toContain('https://v.qdyp.cn/portal/');
    expect(shown).toContain('用户名 User name:        sales');

    // Only the hash in the registry; the code in no table of the registry or the console.
    const invitations = rows<{ user: string; code_hash: string; expires_at: string }>(fixture.db, 'SELECT user, code_hash, expires_at FROM invitations WHERE uscc = ?', USCC.a);
    expect(invitations).toEqual([{ user: 'sales', code_hash: activationCodeHash(code!), expires_at: new Date(app.kit.clock().getTime() + 7 * 86_400_000).toISOString() }]);
    const bare = code!.replace(/-/g, '');
    for (const dump of [dumpTables(fixture.db), dumpTables(path.join(app.dataDir, CONSOLE_DB_FILE))]) {
      const all = JSON.stringify(dump);
      expect(all).not.toContain(code);
      expect(all).not.toContain(bare);
    }
    expect(rows(fixture.db, `SELECT actor, after FROM audit_events WHERE action = 'holder.invite' AND subject = ?`, USCC.a)).toEqual([
      { actor: `officer:${OFFICERS.officer}`, after: JSON.stringify({ user: 'sales', expiresAt: invitations[0]!.expires_at }) },
    ]);

    // The holder's page lists the invitation, never the code.
    const again = await (await client.get(page)).text();
    expect(again).toContain('<td>sales</td>');
    expect(again).not.toContain(code);
    expect(again).not.toContain(bare);

    // The same form sent again (reload, Back) does nothing: no second code.
    const resent = await client.post(`${page}/invite`, form);
    expect(resent.status).toBe(409);
    expect(await resent.text()).not.toMatch(/class="secret"/);
    expect(rows(fixture.db, 'SELECT code_hash FROM invitations WHERE uscc = ?', USCC.a)).toEqual([{ code_hash: activationCodeHash(code!) }]);
  });

  it('a clerk may invite; a refused invitation shows the CLI message and changes nothing', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app, OFFICERS.clerk);
    const page = `/console/holders/${USCC.b}`;
    const before = await tables(app, fixture.db);
    const tooLong = await client.submit(page, `${page}/invite`, { user: 'admin', days: '31' });
    expect(tooLong.status).toBe(422);
    const html = await tooLong.text();
    expect(html).toContain('an invitation lasts 1 to 30 days; 31 is not that');
    expect(html).toContain('value="31"');
    expect(html).not.toMatch(/class="secret"/);
    const hidden = await client.submit(page, `${page}/invite`, { user: 'ad\u200Bmin', days: '14' });
    expect(hidden.status).toBe(422);
    expect(await hidden.text()).toContain('U+200B (ZERO WIDTH SPACE)');
    const notNumber = await client.submit(page, `${page}/invite`, { user: 'admin', days: 'two' });
    expect(notNumber.status).toBe(422);
    expect(await tables(app, fixture.db)).toEqual(before);

    const ok = await client.submit(page, `${page}/invite`, { user: 'admin', days: '' });
    expect(ok.status).toBe(200);
    expect(rows(fixture.db, `SELECT actor FROM audit_events WHERE action = 'holder.invite' AND subject = ?`, USCC.b)).toEqual([{ actor: `officer:${OFFICERS.clerk}` }]);
  });
});
