// --help on every command and group; bare groups and unknown commands are usage errors.
import { describe, expect, it } from 'vitest';
import { qdyp } from '../support.ts';

const GROUPS: Record<string, string[]> = {
  holder: ['add', 'update', 'show', 'list'],
  licence: ['issue', 'update', 'renew', 'reseal', 'suspend', 'reinstate', 'revoke', 'show', 'list'],
  keys: ['list', 'rotate', 'compromise', 'contact-key'],
  inspector: ['add', 'list', 'revoke'],
  officer: ['add', 'list', 'disable', 'reset'],
  reports: ['pull', 'list', 'show', 'triage'],
};
const COMMANDS = ['init', 'publish', 'verify', 'audit', 'backup', 'restore', 'import', 'artwork', 'serve', 'report'];

describe('--help', () => {
  it('top level: --help and help exit 0; nothing at all is a usage error', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = await qdyp(argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: qdyp \[--db FILE\] COMMAND/);
      for (const name of [...COMMANDS, ...Object.keys(GROUPS)]) expect(r.stdout).toContain(`  ${name} `);
    }
    expect((await qdyp([])).code).toBe(2);
  });

  it('every command and group, before or after its name', async () => {
    for (const name of COMMANDS) {
      const r = await qdyp([name, '--help']);
      expect(r.code, name).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: qdyp ${name} `));
      expect(r.stdout).toContain('--db FILE');
    }
    for (const [group, subs] of Object.entries(GROUPS)) {
      const r = await qdyp([group, '--help']);
      expect(r.code, group).toBe(0);
      for (const sub of subs) expect(r.stdout).toContain(`${group} ${sub}`);
      expect((await qdyp([group])).code).toBe(2);
      for (const sub of subs) {
        for (const argv of [[group, sub, '--help'], ['--help', group, sub], [group, sub, '-h', '--db', '/nonexistent/x.sqlite']]) {
          const s = await qdyp(argv);
          expect(s.code, argv.join(' ')).toBe(0);
          expect(s.stdout).toMatch(new RegExp(`^Usage: qdyp ${group} ${sub}`));
        }
      }
    }
  });
});
