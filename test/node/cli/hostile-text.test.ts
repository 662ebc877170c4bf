// Hostile and unusual text at every way in: terminal escape sequences are never echoed raw,
// invisible and direction-changing characters are refused (naming the field and code point),
// rare but legal characters are kept with a warning, a re-issued (batch, ref) is recognised,
// and an import says which encoding it read.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliRegistry, dumpTables, filesUnder, USCC, type Run } from '../support.ts';
import { HEADER, toGb18030, usccFor } from '../import/batch-files.ts';

type Registry = Awaited<ReturnType<typeof cliRegistry>>;

const ESC = '\x1b';
const BEL = '\x07';

/** The database and every published and key file: what a refused command must leave alone. */
function snapshot(reg: Registry): Record<string, unknown> {
  const files: Record<string, string> = {};
  for (const sub of ['edge', 'keys']) {
    const dir = path.join(reg.dir, sub);
    if (!fs.existsSync(dir)) continue;
    for (const [name, content] of Object.entries(filesUnder(dir, 'base64'))) files[`${sub}/${name}`] = content;
  }
  return { tables: dumpTables(reg.db), files };
}

/** Runs `argv`, expects exit 1 with `message` on stderr, nothing on stdout, and nothing changed. */
async function refused(reg: Registry, argv: string[], message: RegExp | string): Promise<Run> {
  const before = snapshot(reg);
  const result = await reg.run(argv);
  expect(result.code, result.stderr).toBe(1);
  if (typeof message === 'string') expect(result.stderr).toContain(message);
  else expect(result.stderr).toMatch(message);
  expect(result.stdout).toBe('');
  expect(snapshot(reg)).toEqual(before);
  return result;
}

/** No raw control character but the newlines our own output is made of. */
function expectNoRawControls(run: Run): void {
  for (const out of [run.stdout, run.stderr]) {
    expect(out).not.toContain(ESC);
    expect(out).not.toContain(BEL);
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  }
}

function writeCsv(reg: Registry, name: string, content: string | Uint8Array): string {
  const file = path.join(reg.dir, name);
  fs.writeFileSync(file, content);
  return file;
}

const row = (cells: Partial<Record<string, string>>, ref: string) => {
  const values: Record<string, string> = {
    batch: '2026',
    ref,
    uscc: usccFor(Number(ref)),
    holder_name: `青岛企业${ref}有限公司`,
    address: '青岛市市南区香港中路1号',
    region: '370202',
    tier: 'product',
    sector: 'manufacturing',
    chain: '食品饮料',
    products: '啤酒',
    trademarks: '崂山',
    valid_from: '2026-01-01',
    valid_until: '2028-12-31',
    ...cells,
  };
  return HEADER.split(',')
    .map((column) => values[column]!)
    .join(',');
};
const csv = (...rows: string[]) => `${[HEADER, ...rows].join('\r\n')}\r\n`;

const issueArgs = ['licence', 'issue', '--holder', USCC.a, '--tier', 'product', '--sector', 'agriculture', '--product', '海参礼盒', '--until', '2028-12-31'];

let reg: Registry;
let number: string;

beforeAll(async () => {
  reg = await cliRegistry();
  const added = await reg.run(['holder', 'add', '--uscc', USCC.a, '--name', '青岛海滨食品有限公司', '--region', '370211']);
  expect(added.code, added.stderr).toBe(0);
  const issued = await reg.run(issueArgs);
  expect(issued.code, issued.stderr).toBe(0);
  number = issued.stdout.split('\n')[0]!;
});

describe('terminal escape sequences are escaped, never echoed raw', () => {
  it('qdyp import --dry-run of a CSV whose cells carry ESC and BEL: refused by line, escaped, nothing changed', async () => {
    const file = writeCsv(
      reg,
      'evil.csv',
      csv(
        row({ region: `${ESC}[2J` }, '1'),
        row({ tier: `${ESC}]0;pwned${BEL}` }, '2'),
        row({ holder_name: `${ESC}[31m青岛${ESC}[0m`, products: `${ESC}[2J啤酒` }, '3'),
        row({ products: `啤酒;${ESC}]0;pwned${BEL}`, valid_until: `${ESC}[1A2028-12-31` }, '4'),
      ),
    );
    const before = snapshot(reg);
    const result = await reg.run(['import', file, '--dry-run']);
    expect(result.code, result.stderr).toBe(1);
    expectNoRawControls(result);
    expect(result.stderr).toMatch(/refused/);
    // The cells the messages quote are there, escaped.
    expect(result.stderr).toMatch(/line 2: .*region.*"\\u001b\[2J"/);
    expect(result.stderr).toMatch(/line 3: .*tier.*"\\u001b\]0;pwned\\u0007"/);
    expect(result.stderr).toMatch(/line 4: name must not contain control characters/);
    expect(result.stderr).toMatch(/line 5: /);
    expect(snapshot(reg)).toEqual(before);

    // The same file imported for real: refused the same way.
    const real = await reg.run(['import', file]);
    expect(real.code).toBe(1);
    expectNoRawControls(real);
    expect(snapshot(reg)).toEqual(before);
  });

  it('a refused command-line option carrying ESC is escaped', async () => {
    const tier = await refused(reg, ['licence', 'issue', '--holder', USCC.a, '--tier', `${ESC}[31mred`, '--sector', 'agriculture', '--product', 'x', '--until', '2028-12-31'], /tier must be one of/);
    expectNoRawControls(tier);
    expect(tier.stderr).toContain('"\\u001b[31mred"');

    const region = await refused(reg, ['licence', 'update', number, '--region', `${ESC}]0;pwned${BEL}`], /is not one/);
    expectNoRawControls(region);
    expect(region.stderr).toContain('\\u001b]0;pwned\\u0007');

    // A direction override in an echoed value is escaped too.
    const rlo = await refused(reg, ['holder', 'add', '--uscc', USCC.b, '--name', 'x', '--region', '\u202E370202'], /is not one/);
    expect(rlo.stderr).not.toContain('\u202E');
    expect(rlo.stderr).toContain('\\u202e370202');
  });

  it('usage errors echoing an unknown option or command are escaped (exit 2)', async () => {
    const before = snapshot(reg);
    const option = await reg.run(['holder', 'list', `--${ESC}[2Jx`]);
    expect(option.code).toBe(2);
    expectNoRawControls(option);
    expect(option.stderr).toContain('\\u001b[2Jx');
    const name = await reg.run([`${ESC}]0;pwned${BEL}`]);
    expect(name.code).toBe(2);
    expectNoRawControls(name);
    expect(name.stderr).toContain('unknown command "\\u001b]0;pwned\\u0007"');
    expect(snapshot(reg)).toEqual(before);
  });
});

describe('invisible and direction-changing characters are refused at input', () => {
  it('holder add --name with U+202E, or six combining marks in a row', async () => {
    const r = await refused(reg, ['holder', 'add', '--uscc', USCC.b, '--name', 'Evil\u202Eoc dooG'], /name contains U\+202E \(RIGHT-TO-LEFT OVERRIDE\)/);
    expect(r.stderr).toMatch(/invisible or direction-changing/);
    expect(r.stderr).not.toContain('\u202E');
    await refused(reg, ['holder', 'add', '--uscc', USCC.b, '--name', `a${'\u0301'.repeat(6)}`], /name stacks 6 combining marks in a row \(from U\+0301\); at most 4/);
    await refused(reg, ['holder', 'update', USCC.a, '--name', '青岛\u2066海滨\u2069食品'], /name contains U\+2066 \(LEFT-TO-RIGHT ISOLATE\)/);
  });

  it('licence issue: a trademark of only U+200B, products with U+200D, U+FEFF, U+2028, U+2066', async () => {
    const base = ['licence', 'issue', '--holder', USCC.a, '--tier', 'product', '--sector', 'agriculture', '--until', '2028-12-31'];
    await refused(reg, [...base, '--product', '海参', '--trademark', '\u200B'], /trademark contains U\+200B \(ZERO WIDTH SPACE\)/);
    await refused(reg, [...base, '--product', '海\u200D参'], /product contains U\+200D \(ZERO WIDTH JOINER\)/);
    await refused(reg, [...base, '--product', '海参', '--product', '鲍\uFEFF鱼'], /product contains U\+FEFF \(ZERO WIDTH NO-BREAK SPACE \(BOM\)\)/);
    await refused(reg, [...base, '--product', '海参\u2028礼盒'], /product contains U\+2028 \(LINE SEPARATOR\)/);
    await refused(reg, [...base, '--product', '\u2066海参'], /product contains U\+2066 \(LEFT-TO-RIGHT ISOLATE\)/);
    await refused(reg, [...base, '--product', '海参', '--chain', '食品\u200B饮料'], /chain contains U\+200B/);
  });

  it('licence update --product and --trademark', async () => {
    await refused(reg, ['licence', 'update', number, '--product', '海参\u202E盒礼'], /product contains U\+202E \(RIGHT-TO-LEFT OVERRIDE\)/);
    await refused(reg, ['licence', 'update', number, '--product', '海参', '--product', '\u200B'], /product contains U\+200B \(ZERO WIDTH SPACE\)/);
    await refused(reg, ['licence', 'update', number, '--trademark', `e${'\u0300'.repeat(5)}`], /trademark stacks 5 combining marks/);
  });

  it('qdyp import: each bad row listed by line with the code point, nothing imported', async () => {
    const file = writeCsv(
      reg,
      'hidden.csv',
      csv(
        row({}, '11'),
        row({ holder_name: 'Evil\u202Eoc dooG' }, '12'),
        row({ products: '啤酒;纯\u200D生' }, '13'),
        row({ trademarks: '\u200B' }, '14'),
        row({ holder_name: `a${'\u0301'.repeat(6)}` }, '15'),
        row({ chain: '食品\u2066饮料' }, '16'),
      ),
    );
    const before = snapshot(reg);
    for (const args of [['--dry-run'], []]) {
      const result = await reg.run(['import', file, ...args]);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/line 3: name contains U\+202E \(RIGHT-TO-LEFT OVERRIDE\)/);
      expect(result.stderr).toMatch(/line 4: product contains U\+200D \(ZERO WIDTH JOINER\)/);
      expect(result.stderr).toMatch(/line 5: trademark contains U\+200B \(ZERO WIDTH SPACE\)/);
      expect(result.stderr).toMatch(/line 6: name stacks 6 combining marks/);
      expect(result.stderr).toMatch(/line 7: chain contains U\+2066/);
      expect(result.stderr).not.toMatch(/line 2:/);
      expect(result.stderr).not.toContain('\u202E');
      expect(snapshot(reg)).toEqual(before);
    }
  });
});

describe('rare but legal characters are kept, with a warning', () => {
  const rare = '𠮷野家（青岛）食品有限公司';

  it('holder add --name with U+20BB7 exits 0 and warns', async () => {
    const r = await cliRegistry();
    const result = await r.run(['holder', 'add', '--uscc', USCC.b, '--name', rare]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^warning: name has characters the certificate font cannot draw: .*U\+20BB7/m);
    const shown = await r.run(['holder', 'show', USCC.b, '--json']);
    expect(shown.json().name).toBe(rare);
  });

  it('ordinary Chinese text gives no warning', async () => {
    const r = await cliRegistry();
    const added = await r.run(['holder', 'add', '--uscc', USCC.b, '--name', '青岛崂山矿泉水有限公司', '--address', '青岛市崂山区株洲路151号，A座']);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toBe('');
    const issued = await r.run(['licence', 'issue', '--holder', USCC.b, '--tier', 'product', '--sector', 'manufacturing', '--product', '崂山矿泉水', '--trademark', '崂山', '--chain', '食品饮料', '--until', '2028-12-31']);
    expect(issued.code, issued.stderr).toBe(0);
    expect(issued.stderr).not.toMatch(/warning/);
  });

  it('an import row with U+20BB7 imports, and the summary names the line and code point', async () => {
    const r = await cliRegistry();
    const file = writeCsv(r, 'rare.csv', csv(row({}, '21'), row({ holder_name: rare }, '22'), row({ products: '𠮷祥海参' }, '23')));
    const dry = await r.run(['import', file, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^warning: line 3: holder_name has characters the certificate font cannot draw: .*U\+20BB7/m);

    const result = await r.run(['import', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/licences issued\s+3/);
    expect(result.stdout).toMatch(/^warning: line 3: holder_name .*U\+20BB7/m);
    expect(result.stdout).toMatch(/^warning: line 4: products .*U\+20BB7/m);
    expect(result.stdout).not.toMatch(/warning: line 2:/);
    const holder = await r.run(['holder', 'show', usccFor(22), '--json']);
    expect(holder.json().name).toBe(rare);
  });
});

describe('licence issue --batch --ref again', () => {
  const terms = ['licence', 'issue', '--holder', USCC.a, '--tier', 'product', '--sector', 'agriculture', '--from', '2026-12-01', '--until', '2028-12-31', '--batch', '2026-B', '--ref', 'R-7'];

  it('with the same terms: exit 0, "already issued" with the number, nothing changed; with another product: refused, naming it', async () => {
    const r = await cliRegistry();
    expect((await r.run(['holder', 'add', '--uscc', USCC.a, '--name', '青岛海滨食品有限公司', '--region', '370211'])).code).toBe(0);
    const first = await r.run([...terms, '--product', '海参礼盒']);
    expect(first.code, first.stderr).toBe(0);
    const issuedNumber = first.stdout.split('\n')[0]!;
    expect(issuedNumber).toMatch(/^QDYP-\d{4}-\d{6}$/);

    const before = snapshot(r);
    const again = await r.run([...terms, '--product', '海参礼盒']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('already issued');
    expect(again.stdout).toContain(`is licence ${issuedNumber}`);
    expect(snapshot(r)).toEqual(before);

    const different = await refused(r, [...terms, '--product', '鲍鱼礼盒'], /refused/);
    expect(different.stderr).toMatch(/products: 海参礼盒 → 鲍鱼礼盒/);
    expect(different.stderr).toContain(issuedNumber);
    expect(different.stderr).toMatch(/nothing was issued/);
  });
});

describe('the import summary names the encoding read', () => {
  it('GB18030 and UTF-8', async () => {
    const text = csv(row({ holder_name: '青岛啤酒股份有限公司（“青啤”）' }, '31'));
    const gb = toGb18030(text);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(gb)).toThrow();

    const gbReg = await cliRegistry();
    const gbRun = await gbReg.run(['import', writeCsv(gbReg, 'gb.csv', gb)]);
    expect(gbRun.code, gbRun.stderr).toBe(0);
    expect(gbRun.stdout).toMatch(/^Imported .*gb\.csv \(read as GB18030: it is not valid UTF-8\): 1 rows\./m);
    const gbDry = await gbReg.run(['import', writeCsv(gbReg, 'gb2.csv', gb), '--dry-run']);
    expect(gbDry.stdout).toMatch(/^Checked .*gb2\.csv \(read as GB18030: it is not valid UTF-8\)/m);
    expect((await gbReg.run(['holder', 'show', usccFor(31), '--json'])).json().name).toBe('青岛啤酒股份有限公司（“青啤”）');

    const utfReg = await cliRegistry();
    const utfRun = await utfReg.run(['import', writeCsv(utfReg, 'utf.csv', text)]);
    expect(utfRun.code, utfRun.stderr).toBe(0);
    expect(utfRun.stdout).toMatch(/^Imported .*utf\.csv \(UTF-8\): 1 rows\./m);
    expect(utfRun.stdout).not.toMatch(/GB18030/);
  });
});
