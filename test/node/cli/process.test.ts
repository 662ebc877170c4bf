// The real `qdyp` executable in child processes: exit statuses, --db on either side of the
// command, and argument bytes that are not UTF-8.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dumpTables, NOW, ORIGIN, tempDir, USCC } from '../support.ts';

const BIN = fileURLToPath(new URL('../../../bin/qdyp.js', import.meta.url));
const ENV = { PATH: process.env.PATH, HOME: process.env.HOME, QDYP_NOW: NOW, QDYP_ACTOR: 'process-test' };

function qdyp(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, env: ENV, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the qdyp executable', () => {
  it('exits 0, 1 and 2, with --db before or after the command', () => {
    const dir = tempDir();
    const db = path.join(dir, 'reg', 'qdyp.sqlite');
    expect(qdyp(['init', '--origin', ORIGIN, '--db', db], dir).code).toBe(0);
    const added = qdyp(['--db', db, 'holder', 'add', '--uscc', USCC.a, '--name', '青岛海滨食品有限公司'], dir);
    expect(added).toMatchObject({ code: 0, stdout: `Registered holder ${USCC.a}: 青岛海滨食品有限公司\n` });
    const refused = qdyp(['holder', 'add', '--uscc', USCC.a, '--name', 'again', '--db', 'reg/qdyp.sqlite'], dir);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(/already registered/);
    const usage = qdyp(['--db', db, 'holder', 'add', '--uscc'], dir);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--uscc/);
  });

  it('refuses an argument that is not valid UTF-8 and changes nothing', () => {
    const dir = tempDir();
    const db = path.join(dir, 'qdyp.sqlite');
    expect(qdyp(['init', '--origin', ORIGIN, '--db', db], dir).code).toBe(0);
    const before = dumpTables(db);
    // The shell passes the raw bytes: "青" cut short (E9 9D) followed by 0xFF.
    const result = spawnSync('/bin/sh', ['-c', `exec "$0" "$1" --db "$2" holder add --uscc "$3" --name "$(printf 'Qingdao \\351\\235 \\377')"`, process.execPath, BIN, db, USCC.a], {
      cwd: dir,
      env: ENV,
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/argument 8 is not valid UTF-8/);
    expect(dumpTables(db)).toEqual(before);
  });
});
