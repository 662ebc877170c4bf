// CSV exports: the licence and holder lists as filtered, UTF-8 with a BOM for Excel, Chinese
// headers, an attachment named by the day, and a cell a spreadsheet would run as a formula
// defused. The filters are read by readLicenceFilter, shared with the licence list.
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { readLicenceFilter } from '../../../src/node/console/filters.ts';
import { usccFor } from '../import/batch-files.ts';
import { consoleFixture, NOW, officerClient, startConsole, USCC } from './support.ts';

const LICENCE_HEADER = ['授权编号', '品牌主体', '统一社会信用代码', '级别', '领域', '产业链', '地区', '产品', '商标', '有效期起', '有效期至', '状态', '状态原因', '批次', '批次编号'];
const FORMULA_NAME = '=HYPERLINK("http://evil.example","点我")公司';
const FORMULA_USCC = usccFor(900);

async function csvOf(res: Response): Promise<{ bytes: Uint8Array; table: string[][] }> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const table = parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(3)), { relax_column_count: false }) as string[][];
  return { bytes, table };
}

describe('console exports', async () => {
  const fixture = await consoleFixture();
  const outputs: string[] = [];
  for (const argv of [
    ['holder', 'add', '--uscc', FORMULA_USCC, '--name', FORMULA_NAME, '--region', '370202'],
    ['licence', 'issue', '--holder', FORMULA_USCC, '--tier', 'enterprise', '--sector', 'services', '--product', '+cmd|calc', '--product', '咨询', '--until', '2028-06-30'],
  ]) {
    const r = await fixture.run(argv);
    expect(r.code, r.stderr).toBe(0);
    outputs.push(r.stdout);
  }
  // Issued in the holder's region, 370202.
  const formulaLicence = outputs[1]!.split('\n')[0]!;

  it('exports every licence with a BOM, Chinese headers and an attachment named by the day', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const res = await client.get('/console/exports/licences.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="licences-20261127.csv"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { bytes, table } = await csvOf(res);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(table[0]).toEqual(LICENCE_HEADER);
    expect(table).toHaveLength(1 + 6);
    const suspended = table.find((row) => row[0] === fixture.numbers.aSuspended)!;
    expect(suspended).toEqual([
      fixture.numbers.aSuspended,
      '青岛海滨食品有限公司',
      USCC.a,
      '产品品牌',
      '海洋经济',
      '海洋食品',
      '黄岛区',
      '虾皮',
      '海滨',
      expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      '2028-12-31',
      '已暂停',
      '抽检不合格，整改期间暂停',
      '',
      '',
    ]);
  });

  it('defuses a holder name and a product a spreadsheet would run as a formula', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const { table } = await csvOf(await client.get(`/console/exports/licences.csv?text=${FORMULA_USCC}`));
    expect(table).toHaveLength(2);
    expect(table[1]![1]).toBe(`'${FORMULA_NAME}`);
    expect(table[1]![3]).toBe('企业品牌');
    expect(table[1]![7]).toBe("'+cmd|calc；咨询");
    const holders = await client.get(`/console/exports/holders.csv?text=${FORMULA_USCC}`);
    expect(holders.headers.get('content-disposition')).toBe('attachment; filename="holders-20261127.csv"');
    const { table: rows } = await csvOf(holders);
    expect(rows).toEqual([
      ['统一社会信用代码', '名称', '地址', '地区', '授权数量', '登记时间', '更新时间'],
      [FORMULA_USCC, `'${FORMULA_NAME}`, '', '市南区', '1', expect.stringMatching(/^2026-11-27 \d\d:\d\d$/), expect.stringMatching(/^2026-11-27 /)],
    ]);
  });

  it('applies the list filters: status, tier and sector, region, text, expiring', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    const numbers = async (query: string) => (await csvOf(await client.get(`/console/exports/licences.csv?${query}`))).table.slice(1).map((row) => row[0]).sort();
    expect(await numbers('status=suspended')).toEqual([fixture.numbers.aSuspended]);
    expect(await numbers('status=revoked')).toEqual([fixture.numbers.aRevoked]);
    expect(await numbers('sector=services&tier=enterprise')).toHaveLength(1);
    expect(await numbers(`text=${encodeURIComponent('Hangzhou')}`)).toEqual([fixture.numbers.b1]);
    // aEnding runs to 2027-01-31: within 90 days of 2026-11-27, and valid.
    expect(await numbers('expiring=1')).toEqual([fixture.numbers.aEnding]);
    expect(await numbers('region=370202')).toEqual([formulaLicence]);
    expect(await numbers('region=370211&status=valid')).toEqual([fixture.numbers.a1, fixture.numbers.aEnding]);
    const holders = (await csvOf(await client.get('/console/exports/holders.csv?region=370211'))).table.slice(1).map((row) => row[0]);
    expect(holders).toEqual([USCC.a]);
  });

  it('refuses a bad filter with a 400 page, not a partial file', async () => {
    const app = startConsole(fixture);
    const client = await officerClient(app);
    for (const query of ['tier=gold', 'status=expired', 'region=110000', 'expiring=yes', `text=${'x'.repeat(201)}`, 'batch=%07']) {
      const res = await client.get(`/console/exports/licences.csv?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    }
    expect((await client.get('/console/exports/holders.csv?region=1')).status).toBe(400);
  });

  it('readLicenceFilter: the filter, and the normalised parameters for links', () => {
    const query: Record<string, string> = { text: ' 海滨 ', tier: 'product', status: '', expiring: '1', offset: '50' };
    const from = (q: Record<string, string>) => (name: string) => (q[name] === undefined ? undefined : [q[name]!]);
    expect(readLicenceFilter(from(query), '2026-11-27')).toEqual({
      ok: true,
      filter: { text: '海滨', tier: 'product', expiringWithinDays: { today: '2026-11-27', days: 90 } },
      params: { text: '海滨', tier: 'product', expiring: '1' },
    });
    expect(readLicenceFilter(from({ sector: 'space' }), '2026-11-27')).toMatchObject({ ok: false, problem: expect.stringContaining('行业') });
    expect(readLicenceFilter(() => ['a', 'b'], '2026-11-27')).toMatchObject({ ok: false, problem: expect.stringContaining('不止一次') });
  });
});
