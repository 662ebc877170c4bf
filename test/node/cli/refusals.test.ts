// Every refused command gives a clear message and a non-zero exit, and changes nothing: not a
// row in any table, not a published artifact, not a key file.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliRegistry, dumpTables, filesUnder, ORIGIN, qdyp, sealUrlOf, tempDir, USCC, type Run } from '../support.ts';

let reg: Awaited<ReturnType<typeof cliRegistry>>;
let revoked: string;
let valid: string;

function snapshot(dir: string): Record<string, unknown> {
  const files: Record<string, string> = {};
  for (const sub of ['edge', 'keys']) {
    for (const [name, content] of Object.entries(filesUnder(path.join(dir, sub)))) files[`${sub}/${name}`] = content;
  }
  return { tables: dumpTables(path.join(dir, 'qdyp.sqlite')), files };
}

const issueArgs = ['licence', 'issue', '--holder', USCC.a, '--tier', 'product', '--sector', 'agriculture', '--product', '海参礼盒'];

beforeAll(async () => {
  reg = await cliRegistry();
  expect((await reg.run(['holder', 'add', '--uscc', USCC.a, '--name', '青岛海滨食品有限公司', '--region', '370211'])).code).toBe(0);
  valid = (await reg.run([...issueArgs, '--until', '2028-12-31'])).stdout.split('\n')[0]!;
  revoked = (await reg.run([...issueArgs, '--until', '2028-12-31'])).stdout.split('\n')[0]!;
  expect((await reg.run(['licence', 'revoke', revoked, '--reason', '冒用'])).code).toBe(0);
});

async function refused(argv: string[], exit: 1 | 2, message: RegExp, env?: Record<string, string>): Promise<Run> {
  const before = snapshot(reg.dir);
  const result = await reg.run(argv, env);
  expect(result.code, result.stderr).toBe(exit);
  expect(result.stderr).toMatch(message);
  expect(result.stdout).toBe('');
  expect(snapshot(reg.dir)).toEqual(before);
  return result;
}

describe('refused commands change nothing', () => {
  it('invalid USCC: wrong check character, wrong length, letters outside the alphabet', async () => {
    await refused(['holder', 'add', '--uscc', '91370200163562681H', '--name', 'x'], 1, /统一社会信用代码.*check character/);
    await refused(['holder', 'add', '--uscc', '9137020016356268', '--name', 'x'], 1, /must be 18 characters/);
    await refused(['holder', 'add', '--uscc', '9137020016356268IG', '--name', 'x'], 1, /capital letters other than I, O, S, V and Z/);
  });

  it('unknown holder, duplicate holder', async () => {
    await refused(['licence', 'issue', '--holder', USCC.b, '--tier', 'product', '--sector', 'agriculture', '--product', 'x', '--until', '2028-12-31'], 1, new RegExp(`no holder ${USCC.b}`));
    await refused(['holder', 'add', '--uscc', USCC.a, '--name', 'again'], 1, /already registered/);
    await refused(['holder', 'update', USCC.b, '--name', 'x'], 1, /no holder/);
    await refused(['holder', 'show', USCC.b], 1, /no holder/);
  });

  it('unknown tier or sector ("industry" is only ever a tier)', async () => {
    await refused(['licence', 'issue', '--holder', USCC.a, '--tier', 'brand', '--sector', 'agriculture', '--product', 'x', '--until', '2028-12-31'], 1, /tier must be one of product, enterprise, industry, region/);
    await refused(['licence', 'issue', '--holder', USCC.a, '--tier', 'product', '--sector', 'industry', '--product', 'x', '--until', '2028-12-31'], 1, /sector must be one of manufacturing, agriculture, services, marine/);
  });

  it('region 999999', async () => {
    await refused(['holder', 'add', '--uscc', USCC.b, '--name', 'x', '--region', '999999'], 1, /GB\/T 2260.*"999999" is not one/);
    await refused([...issueArgs, '--until', '2028-12-31', '--region', '999999'], 1, /"999999" is not one/);
    await refused(['licence', 'update', valid, '--region', '999999'], 1, /"999999" is not one/);
  });

  it('revoke twice; reinstate a revoked licence; reinstate a valid one', async () => {
    await refused(['licence', 'revoke', revoked, '--reason', 'again'], 1, /already revoked/);
    await refused(['licence', 'reinstate', revoked, '--reason', 'undo'], 1, /revocation is final/);
    await refused(['licence', 'reinstate', valid, '--reason', 'x'], 1, /cannot be reinstated: it is already valid/);
    await refused(['licence', 'suspend', 'QDYP-2026-999999', '--reason', 'x'], 1, /no licence QDYP-2026-999999/);
  });

  it('--until before --from; an impossible date', async () => {
    await refused([...issueArgs, '--from', '2027-01-02', '--until', '2027-01-01'], 1, /ends \(2027-01-01\) before it starts \(2027-01-02\)/);
    await refused([...issueArgs, '--until', '2027-02-29'], 1, /YYYY-MM-DD/);
    await refused(['licence', 'renew', valid, '--until', '2020-01-01'], 1, /before it starts/);
  });

  it('invalid UTF-8 in an argument (Node receives U+FFFD)', async () => {
    await refused(['holder', 'add', '--uscc', USCC.b, '--name', '青岛\uFFFD公司'], 2, /argument 6 is not valid UTF-8/);
    await refused(['licence', 'suspend', valid, '--reason', 'bad \uFFFD bytes'], 2, /not valid UTF-8/);
  });

  it('usage errors exit 2', async () => {
    await refused(['licence', 'suspend', valid], 2, /--reason is required/);
    await refused([...issueArgs, '--until', '2028-12-31', '--valid-days', '30'], 2, /exactly one of --until DATE and --valid-days N/);
    await refused([...issueArgs, '--valid-days', 'thirty'], 2, /--valid-days must be a whole number/);
    await refused(['licence', 'issue', '--holder', USCC.a, '--tier', 'product', '--sector', 'agriculture', '--until', '2028-12-31'], 2, /--product is required/);
    await refused(['licence', 'update', valid], 2, /nothing to update/);
    await refused(['licence', 'frobnicate'], 2, /unknown command "licence frobnicate"/);
    await refused(['frobnicate'], 2, /unknown command "frobnicate"/);
    await refused(['holder', 'add', '--uscc', USCC.b, '--name', 'x', '--colour', 'red'], 2, /Unknown option '--colour'/);
    await refused(['licence', 'show'], 2, /missing argument/);
    await refused(['licence', 'list', '--status', 'lost'], 2, /--status must be one of/);
    await refused(['licence', 'list'], 2, /QDYP_NOW must be an ISO-8601 instant/, { QDYP_NOW: 'tomorrow' });
  });

  it('text that cannot be shown faithfully: control characters, line breaks, empty names', async () => {
    await refused(['holder', 'add', '--uscc', USCC.b, '--name', 'line\nbreak'], 1, /control characters or line breaks/);
    await refused(['holder', 'add', '--uscc', USCC.b, '--name', '   '], 1, /name must not be empty/);
  });

  it('key commands: unknown key, a root key that is not this registry’s', async () => {
    await refused(['keys', 'compromise', 'nope'], 1, /no issuing key nope/);
    const stranger = path.join(tempDir(), 'other-root.jwk');
    expect((await qdyp(['--db', path.join(path.dirname(stranger), 'x.sqlite'), 'init', '--origin', ORIGIN, '--root-key', stranger])).code).toBe(0);
    await refused(['keys', 'rotate', '--root-key', stranger], 1, /not this registry's root key/);
    await refused(['keys', 'rotate', '--root-key', path.join(reg.dir, 'missing.jwk')], 1, /cannot read the private key file/);
  });

  it('init refuses an existing registry and an origin over 28 characters', async () => {
    await refused(['init', '--origin', ORIGIN], 1, /already exists/);
    const dir = tempDir();
    const result = await qdyp(['init', '--origin', 'https://verify.qingdao-youpin.cn', '--db', path.join(dir, 'qdyp.sqlite')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/32 characters; at most 28/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('backup refuses without a passphrase; restore refuses to overwrite without --force', async () => {
    const file = path.join(tempDir(), 'b.qdyp');
    await refused(['backup', file], 1, /set QDYP_BACKUP_PASSPHRASE/);
    expect(fs.existsSync(file)).toBe(false);
    await refused(['backup', file], 1, /at least 12 characters/, { QDYP_BACKUP_PASSPHRASE: 'short' });
    expect((await reg.run(['backup', file], { QDYP_BACKUP_PASSPHRASE: 'a long enough passphrase' })).code).toBe(0);
    await refused(['restore', file], 1, /restore replaces it only with --force/, { QDYP_BACKUP_PASSPHRASE: 'a long enough passphrase' });
    await refused(['restore', file, '--force'], 1, /passphrase is wrong/, { QDYP_BACKUP_PASSPHRASE: 'the wrong passphrase' });
  });

  it('the seal of a refused issue was never published', async () => {
    // Sanity check that the registry still works after all the refusals.
    const url = await sealUrlOf(reg.run, valid);
    expect((await reg.run(['verify', url])).code).toBe(0);
  });
});

describe('text with quotes, backslashes and SQL metacharacters', () => {
  const name = `O'Brien "青岛" \\ back\\slash; DROP TABLE holders; -- %_ \`tick\` $(whoami) 'or'1'='1`;
  const product = `'; DELETE FROM licences WHERE '1'='1`;
  const trademark = `"TM" \\N \\' 海\\尔`;
  const reason = `因为 "抽检" \\ 不合格; --`;

  it('is accepted, stored and shown exactly as given', async () => {
    const r = await cliRegistry();
    expect((await r.run(['holder', 'add', '--uscc', USCC.c, '--name', name, '--address', product])).code).toBe(0);
    const issued = await r.run(['licence', 'issue', '--holder', USCC.c, '--tier', 'enterprise', '--sector', 'services', '--product', product, '--trademark', trademark, '--chain', name, '--until', '2028-12-31']);
    expect(issued.code, issued.stderr).toBe(0);
    const number = issued.stdout.split('\n')[0]!;
    expect((await r.run(['licence', 'suspend', number, '--reason', reason])).code).toBe(0);

    const holder = (await r.run(['holder', 'show', USCC.c, '--json'])).json();
    expect(holder).toMatchObject({ name, address: product });
    expect((await r.run(['holder', 'show', USCC.c])).stdout).toContain(`holder      ${name}\n`);
    const licence = (await r.run(['licence', 'show', number, '--json'])).json();
    expect(licence).toMatchObject({ holder: { name }, chain: name, products: [product], trademarks: [trademark], statusReason: reason });
    const shown = (await r.run(['licence', 'show', number])).stdout;
    for (const line of [`product    ${product}\n`, `trademark  ${trademark}\n`, `chain      ${name}\n`]) expect(shown).toContain(line);

    const verdict = await r.run(['verify', licence.sealUrl, '--json']);
    expect(verdict.json().licence).toMatchObject({ holder: { name }, products: [product], trademarks: [trademark], statusReason: reason });
    const events = (await r.run(['audit', '--licence', number, '--json'])).json();
    expect(events[1]).toMatchObject({ action: 'licence.suspend', reason });

    const tables = dumpTables(r.db) as Record<string, { rows: Record<string, unknown>[] }>;
    expect(tables.holders!.rows[0]).toMatchObject({ name, address: product });
    expect(JSON.parse(tables.licences!.rows[0]!.products as string)).toEqual([product]);
  });
});
