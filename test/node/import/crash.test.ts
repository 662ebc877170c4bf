// Crash safety: the real `qdyp` executable imports 100,000 rows in a child process and is
// killed with SIGKILL mid-way (watching its progress lines, each printed after a chunk
// commits). The database must be intact, every committed licence must have its audit event,
// and running the same file again must end with exactly 100,000 licences.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliRegistry, NOW } from '../support.ts';
import { generatedCsv, query } from './batch-files.ts';

const BIN = fileURLToPath(new URL('../../../bin/qdyp.js', import.meta.url));
const ROWS = 100_000;

/** Runs the import in a child and kills it once `killAt` rows are reported committed. */
function importAndKill(db: string, file: string, killAt: number): Promise<{ signal: NodeJS.Signals | null; reported: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--db', db, 'import', file], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, QDYP_NOW: NOW, QDYP_ACTOR: 'crash-test' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let reported = 0;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr += text;
      for (const [, done] of stderr.matchAll(/^imported (\d+)\/\d+$/gm)) reported = Math.max(reported, Number(done));
      if (reported >= killAt && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ signal, reported, stderr }));
  });
}

function checkIntegrity(db: string): { licences: number } {
  expect(query(db, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  expect(query(db, 'PRAGMA foreign_key_check')).toEqual([]);
  // Every licence has its audit event, every event its licence; likewise for holders.
  const unaudited = query(db, `SELECT number FROM licences l WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.action = 'licence.issue' AND a.subject = l.number)`);
  expect(unaudited).toEqual([]);
  const [{ licences, issued, holders, added, periods }] = query<Record<string, number>>(
    db,
    `SELECT (SELECT count(*) FROM licences) AS licences, (SELECT count(*) FROM audit_events WHERE action = 'licence.issue') AS issued,
            (SELECT count(*) FROM holders) AS holders, (SELECT count(*) FROM audit_events WHERE action = 'holder.add') AS added,
            (SELECT count(*) FROM validity_periods) AS periods`,
  ) as [Record<string, number>];
  expect({ issued, added, periods }).toEqual({ issued: licences, added: holders, periods: licences });
  return { licences: licences! };
}

describe('qdyp import survives SIGKILL', () => {
  it(`a child importing ${ROWS} rows is killed mid-way; the database is intact and re-running completes it`, async () => {
    const reg = await cliRegistry();
    const file = path.join(reg.dir, 'city.csv');
    fs.writeFileSync(file, generatedCsv(ROWS));

    const killed = await importAndKill(reg.db, file, 0.3 * ROWS);
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const { licences: committed } = checkIntegrity(reg.db);
    // Killed between 10% and 90%, and nothing reported as committed was lost.
    expect(committed).toBeGreaterThanOrEqual(Math.max(0.1 * ROWS, killed.reported));
    expect(committed).toBeLessThanOrEqual(0.9 * ROWS);
    expect(committed % 1000).toBe(0); // whole chunks only

    const again = await reg.run(['import', file, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json()).toMatchObject({ rows: ROWS, licencesIssued: ROWS - committed, skipped: committed, published: true });
    expect(checkIntegrity(reg.db).licences).toBe(ROWS);
    const [range] = query<{ first: number; last: number; refs: number; numbers: number }>(
      reg.db,
      `SELECT min(serial) AS first, max(serial) AS last, count(DISTINCT ref) AS refs, count(DISTINCT number) AS numbers FROM licences WHERE batch = '2026'`,
    );
    expect(range).toEqual({ first: 1, last: ROWS, refs: ROWS, numbers: ROWS });
  }, 300_000);
});
