// The console's import: an upload is checked as `qdyp import --dry-run` checks it and its page
// shows the same report (every bad row by line, nothing imported); an officer confirms, the
// import runs in the background with its progress on the page, audited under that officer,
// one at a time, and resumable as the CLI's (rows already issued are skipped).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { dumpTables } from '../support.ts';
import { generatedCsv, HEADER, toGb18030, usccFor } from '../import/batch-files.ts';
import { Client, consoleFixture, OFFICERS, officerClient, startConsole, USCC, type TestConsole } from './support.ts';

function rows<T = Record<string, unknown>>(db: string, sql: string, ...params: unknown[]): T[] {
  const handle = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return handle.prepare(sql).all(...params) as T[];
  } finally {
    handle.close();
  }
}

const count = (db: string, sql: string, ...params: unknown[]) => (rows<{ n: number }>(db, sql, ...params)[0]!.n);

/** The registry's tables once nothing is waiting to be published. */
async function tables(app: TestConsole, db: string): Promise<Record<string, unknown>> {
  await app.kit.publisher.flush();
  return dumpTables(db);
}

/** The page's text, tags dropped and entities read, for matching the report's lines. */
function text(html: string): string {
  return html.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Sends the import page's upload form with `content` as the file. */
async function upload(client: Client, content: string | Uint8Array, name = 'batch.csv'): Promise<Response> {
  const html = await (await client.get('/console/import')).text();
  const form = new FormData();
  for (const [k, v] of Object.entries(Client.hiddenFields(html, '/console/import'))) form.set(k, v);
  form.set('file', new File([typeof content === 'string' ? content : new Uint8Array(content)], name, { type: 'text/csv' }));
  return client.post('/console/import', {}, { body: form });
}

/** Uploads and returns the import's page path. */
async function uploaded(client: Client, content: string | Uint8Array, name?: string): Promise<string> {
  const res = await upload(client, content, name);
  expect(res.status).toBe(303);
  const location = res.headers.get('location')!;
  expect(location).toMatch(/^\/console\/import\/\d+$/);
  return location;
}

/**
 * Opens the page until the import is no longer running (each open as a browser's refresh):
 * the page then, and how many times it showed the progress.
 */
async function untilFinished(client: Client, page: string): Promise<string> {
  return (await watch(client, page)).html;
}

async function watch(client: Client, page: string): Promise<{ html: string; progressShown: number }> {
  let shown = 0;
  for (let i = 0; i < 400; i++) {
    const res = await client.get(page);
    const html = await res.text();
    if (!html.includes('data-state="running"')) {
      expect(res.headers.get('refresh')).toBeNull();
      return { html, progressShown: shown };
    }
    shown++;
    expect(res.headers.get('refresh')).toBe('2');
    expect(html).toMatch(/<progress id="progress" max="\d+" value="\d+">/);
    expect(text(html)).toMatch(/已导入 \d+ \/ \d+ 行/);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${page} still running`);
}

function withBadRow(csv: string, line: number, replace: (row: string) => string): string {
  const lines = csv.split('\r\n');
  lines[line - 1] = replace(lines[line - 1]!);
  return lines.join('\r\n');
}

describe('console import: checking', async () => {
  const fixture = await consoleFixture();

  it('a file with one bad row: the row is reported by line with its message, and nothing is imported', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const before = await tables(app, fixture.db);
    // Line 3 (the second row) has a USCC whose check character is wrong.
    const good = usccFor(1);
    const csv = withBadRow(generatedCsv(4, 'BAD'), 3, (row) => row.replace(usccFor(0), `${good.slice(0, 17)}${good.endsWith('0') ? '1' : '0'}`));
    const page = await uploaded(client, csv);
    const html = await (await client.get(page)).text();
    expect(html).toContain('data-state="refused"');
    expect(text(html)).toContain('refused: 1 bad row(s); nothing was imported');
    expect(text(html)).toMatch(/ {2}line 3: 统一社会信用代码 \(USCC\) "[0-9A-Z]{18}" is not valid: its check character \(the 18th\) does not match/);
    expect(text(html)).toContain('没有导入任何内容');
    expect(html).not.toContain('/run"');
    expect(await tables(app, fixture.db)).toEqual(before);
  });

  it('reports every bad row, each by its line', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app, OFFICERS.clerk);
    let csv = generatedCsv(5, 'BAD2');
    csv = withBadRow(csv, 2, (row) => row.replace('2028-12-31', '2028-02-30'));
    csv = withBadRow(csv, 5, (row) => row.replace(',product,', ',gold,'));
    const html = await (await client.get(await uploaded(client, csv))).text();
    expect(text(html)).toContain('refused: 2 bad row(s); nothing was imported');
    expect(text(html)).toMatch(/line 2: valid until must be a date as YYYY-MM-DD; "2028-02-30" is not/);
    expect(text(html)).toMatch(/line 5: tier must be one of/);
  });

  it('refuses an empty file, and bytes that are neither UTF-8 nor GB18030, importing nothing', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const before = await tables(app, fixture.db);
    const empty = await (await client.get(await uploaded(client, new Uint8Array(0), 'empty.csv'))).text();
    expect(text(empty)).toContain('refused: the file is empty');
    const latin1 = Buffer.concat([Buffer.from(`${HEADER}\r\n2024,1,${USCC.c},Caf`), Buffer.from([0xe9, 0xff, 0x0d, 0x0a])]);
    const odd = await (await client.get(await uploaded(client, latin1, 'latin1.csv'))).text();
    expect(text(odd)).toContain('refused: the file is neither UTF-8 nor GB18030/GBK text');
    expect(await tables(app, fixture.db)).toEqual(before);
  });

  it('reads a GB18030 file as Excel on Chinese Windows saves it, and shows the counts a run would have', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const gb = toGb18030(generatedCsv(3, 'GB'));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(gb)).toThrow();
    const html = await (await client.get(await uploaded(client, gb, '遴选结果.csv'))).text();
    expect(html).toContain('data-state="checked"');
    expect(text(html)).toContain('Checked 遴选结果.csv (read as GB18030: it is not valid UTF-8): 3 rows, all good.');
    expect(text(html)).toMatch(/add holders {10}2/);
    expect(text(html)).toMatch(/issue licences {7}3/);
  });

  it('keeps the upload under the console directory, named by its SHA-256, mode 0600', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const csv = generatedCsv(2, 'STORE');
    await uploaded(client, csv);
    const [imp] = app.kit.store.imports(1);
    expect(path.dirname(imp!.file)).toBe(app.kit.store.uploadsDir);
    expect(path.basename(imp!.file)).toBe(`${imp!.sha256}.csv`);
    expect(fs.readFileSync(imp!.file, 'utf8')).toBe(csv);
    expect(fs.statSync(imp!.file).mode & 0o777).toBe(0o600);
    expect(imp).toMatchObject({ name: 'batch.csv', uploadedBy: OFFICERS.officer, state: 'checked', totalRows: 2 });
  });

  it('refuses a post that is not multipart, one without a file, and one over the cap', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const before = await tables(app, fixture.db);
    const html = await (await client.get('/console/import')).text();
    const hidden = Client.hiddenFields(html, '/console/import');
    expect((await client.post('/console/import', { ...hidden, file: 'batch,ref' })).status).toBe(415);

    const none = new FormData();
    for (const [k, v] of Object.entries(Client.hiddenFields(await (await client.get('/console/import')).text(), '/console/import'))) none.set(k, v);
    none.set('file', new File([], '', { type: 'application/octet-stream' }));
    const noFile = await client.post('/console/import', {}, { body: none });
    expect(noFile.status).toBe(400);
    expect(await noFile.text()).toContain('请选择要上传的 CSV 文件');

    const big = new FormData();
    for (const [k, v] of Object.entries(Client.hiddenFields(await (await client.get('/console/import')).text(), '/console/import'))) big.set(k, v);
    big.set('file', new File([new Uint8Array(33 * 1024 * 1024).fill(0x61)], 'big.csv', { type: 'text/csv' }));
    const tooBig = await client.post('/console/import', {}, { body: big });
    expect(tooBig.status).toBe(413);
    expect(app.kit.store.imports()).toEqual([]);
    expect(await tables(app, fixture.db)).toEqual(before);
  });
});

describe('console import: running', async () => {
  const fixture = await consoleFixture();

  it('a clerk uploads and sees the check, but cannot confirm', async () => {
    const app = startConsole(fixture);
    const clerk = await officerClient(app, OFFICERS.clerk);
    const before = await tables(app, fixture.db);
    const page = await uploaded(clerk, generatedCsv(2, 'CLERK'));
    const html = await (await clerk.get(page)).text();
    expect(html).toContain('data-state="checked"');
    expect(html).toContain('等待主管确认');
    expect(html).not.toContain(`action="${page}/run"`);
    // Even with a good form token from another page, the run is refused by role.
    const hidden = Client.hiddenFields(await (await clerk.get('/console/import')).text(), '/console/import');
    const res = await clerk.post(`${page}/run`, hidden);
    expect(res.status).toBe(403);
    expect(app.kit.store.import(Number(page.split('/').pop()))!.state).toBe('checked');
    expect(await tables(app, fixture.db)).toEqual(before);
  });

  it('an officer confirms: progress while it runs, then the summary; licences issued and audited under that officer', async () => {
    const app = startConsole(fixture);
    const clerk = await officerClient(app, OFFICERS.clerk);
    const officer = await officerClient(app, OFFICERS.officer);
    const csv = generatedCsv(1200, 'RUN');
    const page = await uploaded(clerk, csv);
    const checkedHtml = await (await officer.get(page)).text();
    expect(checkedHtml).toContain(`action="${page}/run"`);
    expect(text(checkedHtml)).toContain('Checked batch.csv (UTF-8): 1200 rows, all good.');
    // A second copy of the confirm form, to send again once the import is done.
    const spare = Client.hiddenFields(await (await officer.get(page)).text(), `${page}/run`);

    const run = await officer.submit(page, `${page}/run`);
    expect(run.status).toBe(303);
    expect(run.headers.get('location')).toMatch(new RegExp(`^${page}\\?ok=`));
    const { html, progressShown } = await watch(officer, page);
    expect(progressShown).toBeGreaterThan(0);
    expect(html).toContain('data-state="done"');
    expect(text(html)).toContain('Imported batch.csv (UTF-8): 1200 rows.');
    expect(text(html)).toMatch(/holders added {8}600/);
    expect(text(html)).toMatch(/licences issued {6}1200/);
    expect(text(html)).toContain('Published to the edge store.');

    expect(count(fixture.db, `SELECT count(*) AS n FROM licences WHERE batch = 'RUN'`)).toBe(1200);
    const byActor = (action: string, subjects: string) =>
      rows(fixture.db, `SELECT actor, count(*) AS n FROM audit_events WHERE action = ? AND subject IN (${subjects}) GROUP BY actor`, action);
    expect(byActor('licence.issue', `SELECT number FROM licences WHERE batch = 'RUN'`)).toEqual([{ actor: `officer:${OFFICERS.officer}`, n: 1200 }]);
    expect(byActor('holder.add', `SELECT holder_uscc FROM licences WHERE batch = 'RUN'`)).toEqual([{ actor: `officer:${OFFICERS.officer}`, n: 600 }]);
    expect(app.kit.store.import(Number(page.split('/').pop()))).toMatchObject({ state: 'done', startedBy: OFFICERS.officer, doneRows: 1200, totalRows: 1200 });
    expect(app.kit.publisher.state.publications).toBeGreaterThan(0);

    // Confirming the done import again (a second copy of the form) changes nothing.
    const before = await tables(app, fixture.db);
    const again = await officer.post(`${page}/run`, spare);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('这个导入已经完成，不会再导入一次');
    expect(await tables(app, fixture.db)).toEqual(before);

    // The same file uploaded and run again skips every row: the licences stay as they are.
    const licencesBefore = rows(fixture.db, `SELECT * FROM licences WHERE batch = 'RUN' ORDER BY serial`);
    const page2 = await uploaded(clerk, csv);
    expect(text(await (await officer.get(page2)).text())).toMatch(/skip rows {12}1200 \(already imported\)/);
    expect((await officer.submit(page2, `${page2}/run`)).status).toBe(303);
    const html2 = await untilFinished(officer, page2);
    expect(text(html2)).toMatch(/licences issued {6}0/);
    expect(text(html2)).toMatch(/rows skipped {9}1200/);
    expect(rows(fixture.db, `SELECT * FROM licences WHERE batch = 'RUN' ORDER BY serial`)).toEqual(licencesBefore);
  });

  it('runs one import at a time: a second confirmation while one runs gets a clear message', async () => {
    const app = startConsole(fixture);
    const officer = await officerClient(app);
    const first = await uploaded(officer, generatedCsv(2, 'ONE'));
    const second = await uploaded(officer, generatedCsv(2, 'TWO'));
    const firstId = Number(first.split('/').pop());
    // The first is running (claimed as a confirmation would claim it).
    expect(app.kit.store.startImport(firstId, OFFICERS.second, app.kit.clock().toISOString())).toBe('started');
    const html = await (await officer.get(second)).text();
    expect(text(html)).toContain(`另一个导入（#${firstId}）正在进行`);
    const before = await tables(app, fixture.db);
    const res = await officer.submit(second, `${second}/run`);
    expect(res.status).toBe(409);
    expect(text(await res.text())).toContain(`另一个导入（#${firstId}）正在进行：同一时间只能运行一个导入`);
    expect(app.kit.store.import(Number(second.split('/').pop()))!.state).toBe('checked');
    expect(await tables(app, fixture.db)).toEqual(before);
    app.kit.store.finishImport(firstId, 'failed', { kind: 'failed', message: 'test' }, app.kit.clock().toISOString());
  });

  it('an import interrupted by a stop is resumed from its page, skipping the rows already issued', async () => {
    const first = startConsole(fixture);
    const officer = await officerClient(first);
    const csv = generatedCsv(4, 'RESUME');
    const page = await uploaded(officer, csv);
    const id = Number(page.split('/').pop());
    // The console stopped after the first two rows were committed: they are in the registry
    // (imported here by the CLI from the same rows), and the import was left 'running'.
    const part = path.join(fixture.dir, 'resume-part.csv');
    fs.writeFileSync(part, csv.split('\r\n').slice(0, 3).join('\r\n'));
    expect((await fixture.run(['import', part])).code).toBe(0);
    expect(first.kit.store.startImport(id, OFFICERS.officer, first.kit.clock().toISOString())).toBe('started');
    await first.close();

    const second = startConsole(fixture, { dataDir: first.dataDir });
    expect(second.logs.join('\n')).toContain('1 import(s) were interrupted');
    const client = await officerClient(second, OFFICERS.second);
    const html = await (await client.get(page)).text();
    expect(html).toContain('data-state="failed"');
    expect(text(html)).toContain('控制台在导入时停止了');
    expect(html).toContain('继续导入');
    expect((await client.submit(page, `${page}/run`)).status).toBe(303);
    const done = await untilFinished(client, page);
    expect(done).toContain('data-state="done"');
    expect(text(done)).toMatch(/licences issued {6}2/);
    expect(text(done)).toMatch(/rows skipped {9}2 \(already imported\)/);
    expect(count(fixture.db, `SELECT count(*) AS n FROM licences WHERE batch = 'RESUME'`)).toBe(4);
    expect(count(fixture.db, `SELECT count(*) AS n FROM audit_events WHERE action = 'licence.issue' AND actor = ? AND reason LIKE 'imported from %'`, `officer:${OFFICERS.second}`)).toBe(2);
  });

  it('lists recent imports on the import page', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    await uploaded(client, generatedCsv(1, 'LIST'), 'list.csv');
    const html = await (await client.get('/console/import')).text();
    const [latest] = app.kit.store.imports(1);
    expect(html).toContain(`href="/console/import/${latest!.id}"`);
    expect(text(html)).toContain('list.csv');
    expect(text(html)).toContain('检查通过，等待确认');
  });
});
