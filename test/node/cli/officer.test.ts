// qdyp officer add|list|disable|reset on a real registry: a one-time set-up code printed once
// (text and --json) that the console's set-up accepts, stored only as its hash; a list that
// shows state and never a hash; a disable and a reset that end sign-in; audit events with the
// actor; and refusals that exit 1 (or 2 for usage) and change nothing.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/node/accounts/index.ts';
import { activationCodeHash, completeOfficerSetup, officerForSignIn } from '../../../src/node/issuer/index.ts';
import { openRegistry } from '../../../src/node/registry/db.ts';
import { cliRegistry, dumpTables, NOW, qdyp } from '../support.ts';

const CODE = /[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){4}/;
const DAY_MS = 86_400_000;
const now = new Date(NOW);

let reg: Awaited<ReturnType<typeof cliRegistry>>;

function rows<T = any>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(reg.db, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

function registryBytes(): string {
  return fs
    .readdirSync(reg.dir)
    .filter((name) => name.startsWith('qdyp.sqlite'))
    .map((name) => fs.readFileSync(path.join(reg.dir, name)).toString('latin1'))
    .join('\n');
}

/** The console's set-up, as it calls the issuer. */
async function setUp(name: string, code: string, at = now): Promise<void> {
  const registry = openRegistry(reg.db, { now: at });
  try {
    await completeOfficerSetup({ registry, now: at, actor: `officer:${name}` }, name, code, await hashPassword('a long enough password for 青岛'));
  } finally {
    registry.close();
  }
}

function signIn(name: string): boolean {
  const registry = openRegistry(reg.db);
  try {
    return officerForSignIn(registry.db, name) !== undefined;
  } finally {
    registry.close();
  }
}

beforeAll(async () => {
  reg = await cliRegistry();
});

describe('qdyp officer add', () => {
  it('prints the name, role, a one-time code, its expiry and where to use it; the code works once at set-up and is stored only as its hash', async () => {
    const added = await reg.run(['officer', 'add', '王海', '--role', 'admin'], { QDYP_ACTOR: 'director-liu' });
    expect(added.code, added.stderr).toBe(0);
    const code = CODE.exec(added.stdout)![0];
    const expiresAt = new Date(now.getTime() + 7 * DAY_MS).toISOString();
    expect(added.stdout).toBe(
      `Added officer 王海 (role admin).\nOne-time set-up code: ${code}\nValid until:          ${expiresAt} (2026-12-04 12:00 Beijing time)\nSign in at /console/setup with this code to choose a password.\n`,
    );
    expect(added.stderr).toContain('shown only now');
    expect(added.stderr).toContain('qdyp officer reset 王海');

    expect(rows('SELECT name, role, password_hash, setup_code_hash, setup_expires_at, disabled_at FROM officers')).toEqual([
      { name: '王海', role: 'admin', password_hash: null, setup_code_hash: activationCodeHash(code), setup_expires_at: expiresAt, disabled_at: null },
    ]);
    expect(registryBytes()).not.toContain(code.replace(/-/g, ''));
    const audit = rows('SELECT actor, action, subject, after FROM audit_events WHERE subject = ?', 'officer:王海');
    expect(audit).toEqual([{ actor: 'director-liu', action: 'officer.add', subject: 'officer:王海', after: JSON.stringify({ name: '王海', role: 'admin' }) }]);

    expect(signIn('王海')).toBe(false);
    await setUp('王海', code.toLowerCase());
    expect(signIn('王海')).toBe(true);
    await expect(setUp('王海', code)).rejects.toMatchObject({ code: 'setup_code' });
  });

  it('--json gives the code too, the role defaults to officer, --days sets the expiry', async () => {
    const added = await reg.run(['officer', 'add', 'Li Na', '--days', '2', '--json']);
    expect(added.code, added.stderr).toBe(0);
    const shown = added.json();
    expect(shown).toEqual({
      name: 'Li Na',
      role: 'officer',
      state: 'awaiting_setup',
      setupExpiresAt: new Date(now.getTime() + 2 * DAY_MS).toISOString(),
      setupExpired: false,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      disabledAt: null,
      setupCode: expect.stringMatching(new RegExp(`^${CODE.source}$`)),
      expiresAt: new Date(now.getTime() + 2 * DAY_MS).toISOString(),
      setupPath: '/console/setup',
    });
    expect(rows('SELECT setup_code_hash FROM officers WHERE name = ?', 'Li Na')).toEqual([{ setup_code_hash: activationCodeHash(shown.setupCode) }]);
    expect((await reg.run(['officer', 'add', '王芳', '--role', 'clerk', '--json'])).json().role).toBe('clerk');
  });
});

describe('qdyp officer list, disable, reset', () => {
  it('list shows each officer with role and state, never a code or a hash; disable and reset end sign-in', async () => {
    const own = await cliRegistry();
    const run = own.run;
    const zhang = await run(['officer', 'add', '张伟', '--role', 'admin', '--json']);
    const zhao = await run(['officer', 'add', '赵强', '--json']);
    const sun = await run(['officer', 'add', '孙丽', '--role', 'clerk', '--days', '1', '--json']);
    const previous = reg;
    reg = own;
    try {
      await setUp('张伟', zhang.json().setupCode);
      await setUp('赵强', zhao.json().setupCode);
      expect(signIn('赵强')).toBe(true);

      const disabled = await run(['officer', 'disable', '赵强', '--reason', '离职'], { QDYP_ACTOR: 'director-liu' });
      expect(disabled.code, disabled.stderr).toBe(0);
      expect(disabled.stdout).toBe(`Disabled officer 赵强 (role officer) at ${now.toISOString()}.\n`);
      expect(signIn('赵强')).toBe(false);

      const reset = await run(['officer', 'reset', '张伟', '--days', '3']);
      expect(reset.code, reset.stderr).toBe(0);
      expect(reset.stdout).toMatch(/^Reset officer 张伟 \(role admin\)\.\nOne-time set-up code: /);
      const newCode = CODE.exec(reset.stdout)![0];
      expect(newCode).not.toBe(zhang.json().setupCode);
      expect(signIn('张伟')).toBe(false);
      expect(reset.stdout).toContain(`Valid until:          ${new Date(now.getTime() + 3 * DAY_MS).toISOString()}`);
      await expect(setUp('张伟', zhang.json().setupCode)).rejects.toMatchObject({ code: 'setup_code' });
      const resetJson = await run(['officer', 'reset', '张伟', '--json']);
      expect(resetJson.json()).toMatchObject({ name: '张伟', state: 'awaiting_setup', setupCode: expect.stringMatching(CODE) });

      const later = { QDYP_NOW: new Date(now.getTime() + 2 * DAY_MS).toISOString() };
      const human = await run(['officer', 'list'], later);
      expect(human.code).toBe(0);
      expect(human.stdout.split('\n').filter(Boolean)).toEqual([
        `张伟  admin    awaiting set-up  created ${now.toISOString()}  code until ${new Date(now.getTime() + 7 * DAY_MS).toISOString()}`,
        `赵强  officer  disabled         created ${now.toISOString()}  disabled ${now.toISOString()}`,
        `孙丽  clerk    awaiting set-up  created ${now.toISOString()}  code expired ${new Date(now.getTime() + DAY_MS).toISOString()} (qdyp officer reset)`,
      ]);
      const json = await run(['officer', 'list', '--json'], later);
      expect(json.json().map((o: { name: string; state: string; role: string }) => [o.name, o.role, o.state])).toEqual([
        ['张伟', 'admin', 'awaiting_setup'],
        ['赵强', 'officer', 'disabled'],
        ['孙丽', 'clerk', 'awaiting_setup'],
      ]);
      expect(Object.keys(json.json()[0]).sort()).toEqual(['createdAt', 'disabledAt', 'name', 'role', 'setupExpired', 'setupExpiresAt', 'state', 'updatedAt']);
      const hashes = rows<{ password_hash: string | null; setup_code_hash: string | null }>('SELECT password_hash, setup_code_hash FROM officers');
      for (const listing of [human.stdout, json.stdout]) {
        expect(listing).not.toContain('scrypt$');
        for (const h of hashes) if (h.setup_code_hash) expect(listing).not.toContain(h.setup_code_hash);
        expect(listing).not.toContain(sun.json().setupCode);
      }
      expect(rows('SELECT actor, action, reason FROM audit_events WHERE subject = ? ORDER BY id', 'officer:赵强')).toEqual([
        { actor: 'test-officer', action: 'officer.add', reason: null },
        { actor: 'officer:赵强', action: 'officer.setup', reason: null },
        { actor: 'director-liu', action: 'officer.disable', reason: '离职' },
      ]);
      expect(rows('SELECT action FROM audit_events WHERE subject = ? ORDER BY id', 'officer:张伟').map((r) => r.action)).toEqual([
        'officer.add',
        'officer.setup',
        'officer.reset',
        'officer.reset',
      ]);
    } finally {
      reg = previous;
    }
  });

  it('an empty list says how to add one', async () => {
    const own = await cliRegistry();
    expect((await own.run(['officer', 'list'])).stdout).toBe('No officers. Add one with qdyp officer add NAME.\n');
    expect((await own.run(['officer', 'list', '--json'])).json()).toEqual([]);
  });

  it('--help on the group and each command', async () => {
    const group = await qdyp(['officer', '--help']);
    expect(group.code).toBe(0);
    for (const sub of ['add', 'list', 'disable', 'reset']) {
      expect(group.stdout).toContain(`officer ${sub}`);
      const help = await qdyp(['officer', sub, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: qdyp officer ${sub}`));
    }
    expect((await qdyp(['--help'])).stdout).toContain('  officer ');
    expect((await qdyp(['officer'])).code).toBe(2);
  });
});

describe('refusals change nothing', () => {
  it('existing or unknown names, hostile or empty names, bad roles and periods, a second disable', async () => {
    await reg.run(['officer', 'add', '钱伟']);
    expect((await reg.run(['officer', 'disable', '钱伟'])).code).toBe(0);
    const tables = dumpTables(reg.db);
    const cases: [string[], number, RegExp][] = [
      [['officer', 'add', '王海'], 1, /refused: there is already an officer "王海"/],
      [['officer', 'add', ' 王海 '], 1, /already an officer "王海"/],
      [['officer', 'add', '钱伟'], 1, /already an officer "钱伟" \(it was disabled/],
      [['officer', 'add', '周平', '--role', 'root'], 1, /role is one of clerk, officer, admin; "root" is not/],
      [['officer', 'add', '周平', '--days', '0'], 1, /1 to 30 days; 0 is not/],
      [['officer', 'add', '周平', '--days', '31'], 1, /1 to 30 days; 31 is not/],
      [['officer', 'add', '周平', '--days', 'soon'], 2, /--days must be a whole number/],
      [['officer', 'add', 'Evil\u202eoc dooG'], 1, /U\+202E \(RIGHT-TO-LEFT OVERRIDE\)/],
      [['officer', 'add', 'a\u200bb'], 1, /U\+200B/],
      [['officer', 'add', 'tab\there'], 1, /control characters/],
      [['officer', 'add', '\u001b[31mred'], 1, /control characters/],
      [['officer', 'add', '   '], 1, /must not be empty/],
      [['officer', 'add', 'x'.repeat(65)], 1, /longer than 64 characters/],
      [['officer', 'add'], 2, /missing argument/],
      [['officer', 'add', 'a', 'b'], 2, /unexpected argument "b"/],
      [['officer', 'add', '周平', '--admin'], 2, /Unknown option '--admin'/],
      [['officer', 'disable', '钱伟'], 1, /already disabled at/],
      [['officer', 'disable', 'nobody'], 1, /no officer "nobody"/],
      [['officer', 'disable', '王海', '--reason', 'a\u202eb'], 1, /U\+202E/],
      [['officer', 'reset', 'nobody'], 1, /no officer "nobody"/],
      [['officer', 'reset', '钱伟'], 1, /disabled .*cannot be reset/],
      [['officer', 'reset', '王海', '--days', '99'], 1, /1 to 30 days/],
      [['officer', 'frobnicate'], 2, /unknown command "officer frobnicate"/],
    ];
    for (const [argv, code, message] of cases) {
      const r = await reg.run(argv);
      expect(r.code, argv.join(' ')).toBe(code);
      expect(r.stderr, argv.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/[\u001b\u202e\u200b]/);
      expect(r.stdout, argv.join(' ')).not.toMatch(CODE);
    }
    expect(dumpTables(reg.db)).toEqual(tables);
  });
});
