// qdyp holder invite: a one-time activation code, shown once, stored only as its hash, with
// an audit event that names the user and expiry but never the code.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationCodeHash, normaliseActivationCode } from '../../../src/node/issuer/index.ts';
import { cliRegistry, dumpTables, NOW, tempDir, USCC } from '../support.ts';

/** Five groups of four Crockford Base32 characters: 100 bits. */
const CODE_RE = /\b[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){4}\b/g;

let reg: Awaited<ReturnType<typeof cliRegistry>>;

function rows<T = any>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(reg.db, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Every byte of the registry directory's database files (the WAL included). */
function registryBytes(): string {
  return fs
    .readdirSync(reg.dir)
    .filter((name) => name.startsWith('qdyp.sqlite'))
    .map((name) => fs.readFileSync(path.join(reg.dir, name)).toString('latin1'))
    .join('\n');
}

beforeAll(async () => {
  reg = await cliRegistry();
  expect((await reg.run(['holder', 'add', '--uscc', USCC.a, '--name', '青岛海滨食品有限公司', '--region', '370211'])).code).toBe(0);
  expect((await reg.run(['holder', 'add', '--uscc', USCC.b, '--name', 'Hangzhou Tea Co.'])).code).toBe(0);
});

describe('activation codes', () => {
  it('normalise: case, dashes, spaces, full-width, O/I/L; refuse anything else', () => {
    const code = 'ABCD-EFGH-JKMN-PQRS-TVWX';
    expect(normaliseActivationCode(code)).toBe('ABCDEFGHJKMNPQRSTVWX');
    expect(normaliseActivationCode(' abcd efgh jkmn pqrs tvwx ')).toBe('ABCDEFGHJKMNPQRSTVWX');
    expect(normaliseActivationCode('ＡＢＣＤ－ＥＦＧＨ－ＪＫＭＮ－ＰＱＲＳ－ＴＶＷＸ')).toBe('ABCDEFGHJKMNPQRSTVWX');
    expect(normaliseActivationCode('O0IL-1111-2222-3333-4444')).toBe('00111111222233334444');
    expect(normaliseActivationCode('ABCD-EFGH-JKMN-PQRS-TVW')).toBeNull();
    expect(normaliseActivationCode('ABCD-EFGH-JKMN-PQRS-TVWU')).toBeNull();
    expect(normaliseActivationCode('ABCD-EFGH-JKMN-PQRS-TVWX-A')).toBeNull();
    expect(normaliseActivationCode('A'.repeat(10_000))).toBeNull();
    expect(activationCodeHash('abcd efgh jkmn pqrs tvwx')).toBe(createHash('sha256').update('ABCDEFGHJKMNPQRSTVWX').digest('hex'));
    expect(activationCodeHash('nope')).toBeNull();
  });
});

describe('qdyp holder invite', () => {
  let first: { uscc: string; user: string; code: string; expiresAt: string };

  it('prints the code once in a bilingual letter and stores only its hash', async () => {
    const r = await reg.run(['holder', 'invite', USCC.a]);
    expect(r.code, r.stderr).toBe(0);
    const codes = r.stdout.match(CODE_RE) ?? [];
    expect(codes).toHaveLength(1);
    const code = codes[0]!;
    expect(r.stdout).toContain('https://v.qdyp.cn/portal/');
    expect(r.stdout).toContain(USCC.a);
    expect(r.stdout).toContain('青岛海滨食品有限公司');
    expect(r.stdout).toContain('admin');
    expect(r.stdout).toContain('2026-12-11 12:00'); // 14 days after NOW, Beijing time
    expect(r.stdout).toMatch(/激活码/);
    expect(r.stdout).toMatch(/takes effect when the office next copies its portal snapshot/);
    expect(r.stdout).toMatch(/voids this code; it is also how a password is reset/);
    expect(r.stderr).toMatch(/takes effect when the portal next gets a snapshot: run qdyp portal snapshot/);

    const stored = rows('SELECT * FROM invitations');
    expect(stored).toEqual([
      { uscc: USCC.a, user: 'admin', code_hash: activationCodeHash(code), created_at: '2026-11-27T04:00:00.000Z', expires_at: '2026-12-11T04:00:00.000Z' },
    ]);
    const bytes = registryBytes();
    expect(bytes).not.toContain(code);
    expect(bytes).not.toContain(normaliseActivationCode(code)!);

    const audit = rows(`SELECT * FROM audit_events WHERE action = 'holder.invite'`);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'test-officer', subject: USCC.a, before: null, reason: null });
    expect(JSON.parse(audit[0].after)).toEqual({ user: 'admin', expiresAt: '2026-12-11T04:00:00.000Z' });
    const text = JSON.stringify(audit);
    expect(text).not.toContain(code);
    expect(text).not.toContain(normaliseActivationCode(code)!);
    expect(text).not.toContain(activationCodeHash(code)!);
    first = { uscc: USCC.a, user: 'admin', code, expiresAt: '2026-12-11T04:00:00.000Z' };
  });

  it('re-inviting voids the old code; --json; --user names another account (case folded)', async () => {
    const r = await reg.run(['holder', 'invite', USCC.a, '--json', '--days', '30']);
    expect(r.code, r.stderr).toBe(0);
    const again = r.json();
    expect(Object.keys(again).sort()).toEqual(['code', 'expiresAt', 'uscc', 'user']);
    expect(again).toMatchObject({ uscc: USCC.a, user: 'admin', expiresAt: '2026-12-27T04:00:00.000Z' });
    expect(again.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/);
    expect(again.code).not.toBe(first.code);
    const stored = rows('SELECT code_hash FROM invitations WHERE uscc = ?', USCC.a);
    expect(stored).toEqual([{ code_hash: activationCodeHash(again.code) }]);
    expect(rows('SELECT 1 FROM invitations WHERE code_hash = ?', activationCodeHash(first.code))).toEqual([]);
    const audit = rows(`SELECT before, after FROM audit_events WHERE action = 'holder.invite' ORDER BY id`);
    expect(JSON.parse(audit[1].before)).toEqual({ user: 'admin', expiresAt: first.expiresAt });

    const other = await reg.run(['holder', 'invite', USCC.a, '--user', ' Zhang.Wei ', '--json']);
    expect(other.code, other.stderr).toBe(0);
    expect(other.json().user).toBe('zhang.wei');
    expect(rows('SELECT user FROM invitations WHERE uscc = ? ORDER BY user', USCC.a)).toEqual([{ user: 'admin' }, { user: 'zhang.wei' }]);
  });

  it('--letter writes the letter (mode 0600) and prints only the code', async () => {
    const file = path.join(tempDir(), 'letter.txt');
    const r = await reg.run(['holder', 'invite', USCC.b, '--user', '张伟', '--letter', file]);
    expect(r.code, r.stderr).toBe(0);
    const code = (r.stdout.match(CODE_RE) ?? [])[0]!;
    expect(r.stdout.match(CODE_RE)).toHaveLength(1);
    expect(r.stdout).toContain(file);
    expect(r.stdout).not.toMatch(/门户地址/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const letter = fs.readFileSync(file, 'utf8');
    for (const part of [code, USCC.b, 'Hangzhou Tea Co.', '张伟', 'https://v.qdyp.cn/portal/', '2026-12-11 12:00', '【中文】', '[English]', '门户服务器']) expect(letter).toContain(part);
    expect(rows('SELECT code_hash FROM invitations WHERE uscc = ?', USCC.b)).toEqual([{ code_hash: activationCodeHash(code) }]);
  });

  it('refusals change nothing: unknown holder, bad user names, bad days', async () => {
    const cases: [string[], number, RegExp][] = [
      [['holder', 'invite', USCC.c], 1, new RegExp(`no holder ${USCC.c}`)],
      [['holder', 'invite', '91370200163562681H'], 1, /check character/],
      [['holder', 'invite', USCC.a, '--user', 'x'.repeat(65)], 1, /longer than 64/],
      [['holder', 'invite', USCC.a, '--user', ''], 1, /must not be empty/],
      [['holder', 'invite', USCC.a, '--user', '   '], 1, /must not be empty/],
      [['holder', 'invite', USCC.a, '--user', 'admin\u202e'], 1, /U\+202E/],
      [['holder', 'invite', USCC.a, '--user', 'a\tb'], 1, /control characters/],
      [['holder', 'invite', USCC.a, '--days', '31'], 1, /1 to 30 days/],
      [['holder', 'invite', USCC.a, '--days', '0'], 1, /1 to 30 days/],
      [['holder', 'invite', USCC.a, '--days', 'two'], 2, /whole number/],
      [['holder', 'invite', USCC.a, '--letter', path.join(tempDir(), 'missing', 'letter.txt')], 2, /cannot write/],
      [['holder', 'invite'], 2, /missing argument/],
    ];
    for (const [argv, exit, message] of cases) {
      const before = dumpTables(reg.db);
      const r = await reg.run(argv);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(exit);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(dumpTables(reg.db)).toEqual(before);
    }
  });

  it('is listed in qdyp holder --help', async () => {
    const r = await reg.run(['holder', '--help']);
    expect(r.stdout).toMatch(/holder invite/);
    expect(NOW).toBe('2026-11-27T04:00:00Z');
  });
});
