// `qdyp import`: encodings, every bad row refused by line with nothing changed, idempotent
// re-imports, holders matched by USCC, dry runs, progress lines and the published result.
import fs from 'node:fs';
import path from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { importSelectionBatch } from '../../../src/node/import/index.ts';
import { addHolder } from '../../../src/node/issuer/index.ts';
import { licenceDetails, licenceDocumentSigningInput } from '../../../src/core/index.ts';
import { openRegistry } from '../../../src/node/registry/db.ts';
import { getLicence } from '../../../src/node/registry/licences.ts';
import { apiRegistry, cliRegistry, dumpTables, filesUnder, NOW, qdyp, USCC, type Run } from '../support.ts';
import { generatedCsv, HEADER, query, toGb18030, usccFor } from './batch-files.ts';

type Registry = Awaited<ReturnType<typeof cliRegistry>>;

/** Writes `content` as `name` in the registry's directory and imports it. */
async function importFile(reg: Registry, content: string | Uint8Array, args: string[] = [], name = 'batch.csv'): Promise<Run> {
  const file = path.join(reg.dir, name);
  fs.writeFileSync(file, content);
  return reg.run(['import', file, ...args]);
}

function edgeFiles(reg: Registry): Record<string, string> {
  return filesUnder(path.join(reg.dir, 'edge'));
}

// What Excel on Chinese Windows writes for "CSV (逗号分隔)": no BOM, CRLF, a field quoted only
// when it holds a comma, a quote or a line break (quotes doubled); Chinese punctuation as is;
// dates as the sheet shows them; the trailing row of bare commas Excel counts as used.
const EXCEL_ROWS = [
  HEADER,
  `2024,A-001,${USCC.a},"青岛啤酒股份有限公司（""青啤""）","青岛市市北区登州路56号, 青岛啤酒博物馆旁",370203,product,manufacturing,食品饮料,青岛啤酒经典1903；纯生啤酒,青岛啤酒；崂山,2024/7/1,2027/6/30`,
  `2024,A-002,${USCC.a},"青岛啤酒股份有限公司（""青啤""）","青岛市市北区登州路56号, 青岛啤酒博物馆旁",市北区,企业,工业,食品饮料,"啤酒,饮料",青岛啤酒,2024-07-01,2027-06-30`,
  `2024,B-001,${USCC.b},海信视像科技股份有限公司,青岛市崂山区株洲路151号,370212,产品品牌,manufacturing,智能家电,激光电视;ULED电视,海信；Hisense,2024/7/1,2029/6/30`,
  `2024,C-001,${USCC.c},崂山茶产业协会,,崂山区,区域,农业,"茶叶，绿茶",崂山绿茶,崂山茶,2024/7/1,2026/12/31`,
  ',,,,,,,,,,,,',
];

describe('qdyp import: encodings', () => {
  it('a GB18030 file as Excel on Chinese Windows saves it imports exactly as its UTF-8 twin', async () => {
    const text = `${EXCEL_ROWS.join('\r\n')}\r\n`;
    const gb = toGb18030(text);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(gb)).toThrow(); // really GB bytes
    expect(gb.subarray(0, 3)).not.toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]); // Excel's "CSV UTF-8"

    const gbReg = await cliRegistry();
    const utfReg = await cliRegistry();
    const gbRun = await importFile(gbReg, gb, ['--json']);
    const utfRun = await importFile(utfReg, utf8, ['--json']);
    expect(gbRun.code, gbRun.stderr).toBe(0);
    expect(utfRun.code, utfRun.stderr).toBe(0);
    expect(gbRun.json()).toMatchObject({ encoding: 'gb18030', rows: 4, holdersAdded: 3, licencesIssued: 4, skipped: 0, published: true });
    expect(utfRun.json()).toMatchObject({ encoding: 'utf-8', rows: 4, holdersAdded: 3, licencesIssued: 4, skipped: 0, published: true });

    // The same tables, but for what a different registry's keys must change.
    expect(comparable(gbReg.db)).toEqual(comparable(utfReg.db));

    const [first, second] = (await gbReg.run(['licence', 'list', '--json'])).json();
    expect(first).toMatchObject({
      holder: { uscc: USCC.a, name: '青岛啤酒股份有限公司（"青啤"）' },
      tier: 'product',
      region: '370203',
      products: ['青岛啤酒经典1903', '纯生啤酒'],
      trademarks: ['青岛啤酒', '崂山'],
      validFrom: '2024-07-01',
      validUntil: '2027-06-30',
      batch: '2024',
      ref: 'A-001',
    });
    expect(second).toMatchObject({ tier: 'enterprise', sector: 'manufacturing', products: ['啤酒,饮料'] });
    const holder = (await gbReg.run(['holder', 'show', USCC.a, '--json'])).json();
    expect(holder).toMatchObject({ address: '青岛市市北区登州路56号, 青岛啤酒博物馆旁', region: '370203' });
  });

  it('refuses bytes that are neither UTF-8 nor GB18030, and UTF-16, changing nothing', async () => {
    const reg = await cliRegistry();
    const before = dumpTables(reg.db);
    const latin1 = Buffer.concat([Buffer.from(`${HEADER}\r\n2024,1,${USCC.a},Caf`), Buffer.from([0xe9, 0xff, 0x0d, 0x0a])]);
    const r = await importFile(reg, latin1);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/neither UTF-8 nor GB18030/);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\r\n`, 'utf16le')]);
    expect((await importFile(reg, utf16)).stderr).toMatch(/UTF-16/);
    expect(dumpTables(reg.db)).toEqual(before);
  });
});

/** Every table a batch import writes, minus what differs between two registries' keys. */
function comparable(dbFile: string) {
  const licences = query<Record<string, unknown>>(dbFile, 'SELECT * FROM licences ORDER BY serial').map(({ seal_kid, seal, document_kid, document, ...rest }) => ({
    ...rest,
    // The document's signed claims, without its header (which names the key).
    claims: JSON.parse(Buffer.from(String(document).split('.')[1]!, 'base64url').toString('utf8')),
    typ: decodeProtectedHeader(String(document)).typ,
    sealLength: String(seal).length,
  }));
  const audit = query<{ action: string; after: string | null }>(dbFile, `SELECT * FROM audit_events WHERE action != 'registry.init' ORDER BY id`).map(({ after, ...event }) => {
    const { seal, sealKid, documentKid, ...rest } = after === null ? ({} as Record<string, unknown>) : JSON.parse(after);
    return { ...event, after: rest };
  });
  return {
    holders: query(dbFile, 'SELECT * FROM holders ORDER BY uscc'),
    licences,
    periods: query(dbFile, 'SELECT * FROM validity_periods ORDER BY id'),
    audit,
  };
}

describe('qdyp import: bad rows', () => {
  it('refuses a file with three bad rows, naming each line and reason, and changes nothing', async () => {
    const reg = await cliRegistry();
    expect((await importFile(reg, generatedCsv(6, '2023'), [], 'earlier.csv')).code).toBe(0);
    const before = dumpTables(reg.db);
    const edge = edgeFiles(reg);

    const good = (ref: number, uscc = usccFor(100 + ref)) => `2024,${ref},${uscc},青岛企业${ref},青岛市,370202,product,manufacturing,,产品${ref},,2025-01-01,2026-12-31`;
    const lines = [
      HEADER, //                                                                    line 1
      good(1), //                                                                   line 2
      '', //                                                                        line 3 (blank)
      good(2, `${usccFor(102).slice(0, 17)}${usccFor(102).endsWith('0') ? '1' : '0'}`), // line 4: check character wrong
      good(3), //                                                                   line 5
      good(4).replace(',370202,', ',370299,'), //                                  line 6: no such region
      ',,,,,,,,,,,,', //                                                            line 7 (Excel's empty row)
      good(5).replace('2025-01-01,2026-12-31', '2026-01-01,2025-12-31'), //        line 8: ends before it starts
      good(6), //                                                                   line 9
    ];
    const run = await importFile(reg, `${lines.join('\r\n')}\r\n`, ['--json']);
    expect(run.code).toBe(1);
    const refusal = run.json();
    expect(refusal).toMatchObject({ refused: 'invalid_rows' });
    expect(refusal.problems.map((p: { line: number }) => p.line)).toEqual([4, 6, 8]);
    expect(refusal.problems[0].message).toMatch(/USCC.*check character/);
    expect(refusal.problems[1].message).toMatch(/region.*"370299" is not one/);
    expect(refusal.problems[2].message).toMatch(/ends \(2025-12-31\) before it starts \(2026-01-01\)/);
    expect(run.stderr).toMatch(/^qdyp: refused: 3 bad row\(s\); nothing was imported\n {2}line 4: .*\n {2}line 6: .*\n {2}line 8: .*\n$/);

    expect(dumpTables(reg.db)).toEqual(before);
    expect(edgeFiles(reg)).toEqual(edge);
  });

  it('a bad row after chunks already signed ahead still leaves everything unchanged', async () => {
    const reg = await cliRegistry();
    const before = dumpTables(reg.db);
    const edge = edgeFiles(reg);
    // 2,400 good rows (two chunks and more, signed while later rows are checked), then a bad one.
    const csv = `${generatedCsv(2400).trimEnd()}\r\n2026,2401,${usccFor(5000)},青岛企业,青岛市,370299,product,manufacturing,,产品,,2026-01-01,2028-12-31\r\n`;
    const run = await importFile(reg, csv, ['--json']);
    expect(run.code).toBe(1);
    expect(run.json().problems.map((p: { line: number }) => p.line)).toEqual([2402]);
    expect(dumpTables(reg.db)).toEqual(before);
    expect(edgeFiles(reg)).toEqual(edge);
  });

  it('reports rows the file itself contradicts: a (batch, ref) twice, one holder described two ways, a short row', async () => {
    const reg = await cliRegistry();
    const before = dumpTables(reg.db);
    const row = (ref: string, name: string) => `2024,${ref},${USCC.a},${name},青岛市,370202,product,manufacturing,,啤酒,,2025-01-01,2026-12-31`;
    const csv = [HEADER, row('1', '青岛啤酒'), row('2', '青岛啤酒'), row('1', '青岛啤酒'), row('3', '青岛啤酒集团'), '2024,4,青岛啤酒'].join('\n');
    const run = await importFile(reg, csv);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('line 4: batch 2024 ref 1 is already on line 2');
    expect(run.stderr).toContain(`line 5: holder ${USCC.a} is named differently on line 2`);
    expect(run.stderr).toMatch(/line 6: the row has 3 fields but the header has 13/);
    expect(dumpTables(reg.db)).toEqual(before);
  });

  it('refuses a header that does not name the columns', async () => {
    const reg = await cliRegistry();
    const run = await importFile(reg, `${HEADER.replace('valid_until', 'valid_untl')}\n`);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/line 1 must name the columns .*: unknown column\(s\) "valid_untl"; missing column\(s\) valid_until/);
  });
});

describe('qdyp import: idempotent, resumable, matched by USCC', () => {
  it('re-importing the same file changes nothing: every row is skipped', async () => {
    const reg = await cliRegistry();
    const first = await importFile(reg, generatedCsv(30), ['--json']);
    expect(first.json()).toMatchObject({ rows: 30, holdersAdded: 15, licencesIssued: 30, skipped: 0 });
    const before = dumpTables(reg.db);
    const again = await importFile(reg, generatedCsv(30), ['--json']);
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ rows: 30, holdersAdded: 0, licencesIssued: 0, skipped: 30, published: true });
    expect(dumpTables(reg.db)).toEqual(before);
  });

  it('a longer file completes a shorter one: only the new rows are issued', async () => {
    const reg = await cliRegistry();
    await importFile(reg, generatedCsv(10));
    const run = await importFile(reg, generatedCsv(25), ['--json']);
    expect(run.json()).toMatchObject({ rows: 25, holdersAdded: 8, licencesIssued: 15, skipped: 10 });
    const numbers = query<{ number: string; ref: string }>(reg.db, 'SELECT number, ref FROM licences ORDER BY serial');
    expect(numbers.map((l) => l.ref)).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1)));
    expect(new Set(numbers.map((l) => l.number)).size).toBe(25);
  });

  it('--dry-run checks and counts, and changes nothing', async () => {
    const reg = await cliRegistry();
    await importFile(reg, generatedCsv(4));
    const before = dumpTables(reg.db);
    const edge = edgeFiles(reg);
    const run = await importFile(reg, generatedCsv(9), ['--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/9 rows, all good\. Nothing was changed/);
    expect(run.stdout).toMatch(/add holders +3\n +issue licences +5\n +skip rows +4 \(already imported\)/);
    expect(dumpTables(reg.db)).toEqual(before);
    expect(edgeFiles(reg)).toEqual(edge);
  });

  it('a registered holder keeps its record; a different name or address in the file is a warning', async () => {
    const reg = await cliRegistry();
    expect((await reg.run(['holder', 'add', '--uscc', usccFor(0), '--name', '青岛品牌企业零有限公司', '--address', '青岛市市南区'])).code).toBe(0);
    const run = await importFile(reg, generatedCsv(4), ['--json']);
    expect(run.code).toBe(0);
    const summary = run.json();
    expect(summary).toMatchObject({ holdersAdded: 1, licencesIssued: 4 });
    expect(summary.differences).toEqual([
      { uscc: usccFor(0), line: 2, field: 'name', registered: '青岛品牌企业零有限公司', file: '青岛品牌企业0有限公司' },
      { uscc: usccFor(0), line: 2, field: 'address', registered: '青岛市市南区', file: '青岛市市南区香港中路0号' },
    ]);
    const holder = (await reg.run(['holder', 'show', usccFor(0), '--json'])).json();
    expect(holder).toMatchObject({ name: '青岛品牌企业零有限公司', address: '青岛市市南区' });
    const licences = (await reg.run(['licence', 'list', '--holder', usccFor(0), '--json'])).json();
    expect(licences.map((l: { holder: { name: string } }) => l.holder.name)).toEqual(['青岛品牌企业零有限公司', '青岛品牌企业零有限公司']);

    const text = await importFile(reg, generatedCsv(4));
    expect(text.stdout).toContain(`warning: line 2: holder ${usccFor(0)} has name "青岛品牌企业0有限公司" in the file but "青岛品牌企业零有限公司" in the registry`);
  });
});

describe('qdyp import: progress, audit and the published result', () => {
  it('prints a progress line per committed chunk, audits every holder and licence, publishes once, and the seals verify', async () => {
    const reg = await cliRegistry();
    const run = await importFile(reg, generatedCsv(2500));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('imported 1000/2500\nimported 2000/2500\nimported 2500/2500\n');
    expect(run.stdout).toMatch(/holders added +1250\n +licences issued +2500\n +rows skipped +0/);

    const unaudited = query(reg.db, `SELECT number FROM licences l WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.action = 'licence.issue' AND a.subject = l.number)`);
    expect(unaudited).toEqual([]);
    const events = query<{ action: string; n: number }>(reg.db, `SELECT action, count(*) AS n FROM audit_events GROUP BY action ORDER BY action`);
    expect(events).toEqual([
      { action: 'holder.add', n: 1250 },
      { action: 'licence.issue', n: 2500 },
      { action: 'registry.init', n: 1 },
    ]);
    const [event] = query<{ reason: string; after: string }>(reg.db, `SELECT reason, after FROM audit_events WHERE subject = 'QDYP-2026-002500'`);
    expect(event!.reason).toBe('imported from batch.csv, line 2501');
    // The event records the licence's public details; its seal and document are in its row.
    const [row] = query<{ serial: number; holder_uscc: string }>(reg.db, `SELECT serial, holder_uscc FROM licences WHERE number = 'QDYP-2026-002500'`);
    expect(JSON.parse(event!.after)).toEqual({
      number: 'QDYP-2026-002500',
      holder: { name: '青岛品牌企业1249有限公司', uscc: row!.holder_uscc, address: '青岛市市南区香港中路1249号' },
      tier: 'product',
      sector: 'manufacturing',
      chain: '智能家电',
      region: '370202',
      products: ['冰箱', '洗衣机'],
      trademarks: ['海尔', '卡萨帝'],
      validFrom: '2026-01-01',
      validUntil: '2028-12-31',
      status: 'valid',
      statusReason: null,
      statusChangedAt: '2026-11-27T04:00:00.000Z',
      serial: row!.serial,
    });

    for (const number of ['QDYP-2026-000001', 'QDYP-2026-002500']) {
      const shown = (await reg.run(['licence', 'show', number, '--json'])).json();
      // The document is byte for byte what the core's licenceDocumentSigningInput makes of the licence.
      const registry = openRegistry(reg.db);
      const licence = getLicence(registry.db, number)!;
      const details = licenceDetails(licence);
      const claims = { ...details, iss: 'qdyp', iat: Date.parse(NOW) / 1000, status: { status_list: { idx: licence.serial, uri: 'https://v.qdyp.cn/api/v1/status-list' } } };
      expect(licence.document.slice(0, licence.document.lastIndexOf('.'))).toBe(licenceDocumentSigningInput(claims, licence.documentKid));
      registry.close();
      const verified = await reg.run(['verify', shown.sealUrl, '--json']);
      expect(verified.json()).toMatchObject({ code: 'authorized', licence: { number } });
      const document = path.join(reg.dir, `${number}.jws`);
      fs.writeFileSync(document, shown.document);
      expect((await reg.run(['verify', document])).code).toBe(0);
    }
  });

  it('says what it is for on --help, and needs a file', async () => {
    const help = await qdyp(['import', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: qdyp import FILE\.csv \[--dry-run\]/);
    expect(help.stdout).toContain('batch, ref, uscc, holder_name, address, region, tier, sector, chain, products, trademarks, valid_from, valid_until');
    expect((await qdyp(['import'])).code).toBe(2);
    const reg = await cliRegistry();
    const missing = await reg.run(['import', path.join(reg.dir, 'nope.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.csv \(ENOENT\)/);
  });

  it('another process registering a holder mid-import: the chunk planned ahead is planned again, and its holder keeps that record', async () => {
    const ctx = await apiRegistry();
    const file = path.join(ctx.dir, 'batch.csv');
    fs.writeFileSync(file, generatedCsv(3000));
    // Holder 700 first appears in rows 1401-1402: the second chunk, planned before the first is written.
    const other = openRegistry(ctx.registry.dbPath);
    const progress: number[] = [];
    const summary = await importSelectionBatch(ctx, file, {
      onProgress: (done) => {
        progress.push(done);
        if (done === 1000) void addHolder({ registry: other, now: ctx.now, actor: 'other-officer' }, { uscc: usccFor(700), name: '另一进程登记的企业' });
      },
    });
    other.close();
    expect(progress).toEqual([0, 1000, 2000, 3000]);
    expect(summary).toMatchObject({ rows: 3000, licencesIssued: 3000, holdersAdded: 1499, skipped: 0 });
    expect(query(ctx.registry.dbPath, `SELECT name FROM holders WHERE uscc = '${usccFor(700)}'`)).toEqual([{ name: '另一进程登记的企业' }]);
    const documents = query<{ document: string }>(ctx.registry.dbPath, `SELECT document FROM licences WHERE holder_uscc = '${usccFor(700)}'`);
    for (const { document } of documents) expect(JSON.parse(Buffer.from(document.split('.')[1]!, 'base64url').toString()).holder.name).toBe('另一进程登记的企业');
    const [{ serials, last }] = query<{ serials: number; last: number }>(ctx.registry.dbPath, 'SELECT count(DISTINCT serial) AS serials, max(serial) AS last FROM licences') as [{ serials: number; last: number }];
    expect({ serials, last }).toEqual({ serials: 3000, last: 3000 });
    expect(query(ctx.registry.dbPath, `SELECT actor FROM audit_events WHERE action = 'holder.add' AND subject = '${usccFor(700)}'`)).toEqual([{ actor: 'other-officer' }]);
  });
});
