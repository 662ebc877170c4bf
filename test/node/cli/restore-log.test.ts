// `qdyp restore` and the transparency log: a backup older than the published log gets the
// entries published since from the published entry bundles, before anything is appended, so
// the restored office's next checkpoints extend the one auditors saw (`qdyp log verify --state`
// holds across the restore). A published log that is not an extension of the backup's (a
// fork), or one that does not verify, refuses the restore and changes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { edgeFile } from '../../../src/node/edge-store.ts';
import { logEntriesKey, openStoredEntryBundle, storedEntryBundle } from '../../../src/core/index.ts';
import { query } from '../import/batch-files.ts';
import { cliRegistry, dumpTables, qdyp, tempDir, USCC } from '../support.ts';

const PASSPHRASE = { QDYP_BACKUP_PASSPHRASE: '青岛优品 backup passphrase 2026' };
type Reg = Awaited<ReturnType<typeof cliRegistry>>;

async function ok(reg: Reg, argv: string[], env?: Record<string, string>) {
  const run = await reg.run(argv, env);
  expect(run.code, `${argv.join(' ')}: ${run.stderr}`).toBe(0);
  return run;
}

async function withLicences(): Promise<Reg> {
  const reg = await cliRegistry();
  await ok(reg, ['holder', 'add', '--uscc', USCC.a, '--name', '青岛海滨食品有限公司', '--region', '370211']);
  await ok(reg, ['holder', 'add', '--uscc', USCC.b, '--name', '青岛智能家电有限公司']);
  await ok(reg, ['licence', 'issue', '--holder', USCC.a, '--tier', 'product', '--sector', 'marine', '--product', '海参', '--until', '2028-12-31']);
  await ok(reg, ['licence', 'issue', '--holder', USCC.b, '--tier', 'product', '--sector', 'manufacturing', '--product', '冰箱', '--until', '2028-12-31']);
  return reg;
}

const entries = (db: string) => query<{ idx: number; entry: string }>(db, 'SELECT idx, entry FROM log_entries ORDER BY idx');
const logIndices = (db: string) => query<{ number: string; log_index: number }>(db, 'SELECT number, log_index FROM licences ORDER BY serial');

describe('restore recovers the published log', () => {
  it('appends the entries published after the backup, points caught-up licences at them, and the log extends as audited', async () => {
    const reg = await withLicences();
    const file = path.join(tempDir(), 'qdyp.backup');
    await ok(reg, ['backup', file], PASSPHRASE);
    const backupSize = entries(reg.db).length;
    await ok(reg, ['licence', 'suspend', 'QDYP-2026-000001', '--reason', '抽检不合格']);
    await ok(reg, ['licence', 'update', 'QDYP-2026-000002', '--product', '冰箱', '--product', '洗衣机']);
    await ok(reg, ['holder', 'update', USCC.a, '--address', '青岛市黄岛区长江中路 1 号']);
    const published = entries(reg.db);
    const pointers = logIndices(reg.db);
    expect(published.length).toBeGreaterThan(backupSize + 2);
    const state = path.join(tempDir(), 'log-state.json');
    await ok(reg, ['log', 'verify', '--state', state]);

    const restored = await reg.run(['restore', file, '--force', '--json'], PASSPHRASE);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.json()).toMatchObject({ logRecovered: published.length - backupSize, caughtUp: ['QDYP-2026-000001', 'QDYP-2026-000002'] });
    // The office's log is the published one again, byte for byte, and each licence points at
    // its latest entry (which says what the caught-up licence says).
    expect(entries(reg.db)).toEqual(published);
    expect(logIndices(reg.db)).toEqual(pointers);
    expect(JSON.parse(published[pointers[0]!.log_index]!.entry)).toMatchObject({ event: 'licence.suspend' });

    // Published again after the restore: the auditor's last checkpoint still holds...
    const after = await reg.run(['log', 'verify', '--state', state, '--json']);
    expect(after.code, after.stdout).toBe(0);
    expect(after.json()).toMatchObject({ ok: true, consistency: 'same' });
    // ...and so does every checkpoint after the next change.
    await ok(reg, ['licence', 'reinstate', 'QDYP-2026-000001', '--reason', '整改完成']);
    expect((await reg.run(['log', 'verify', '--state', state, '--json'])).json()).toMatchObject({ ok: true, consistency: 'extends', checkpoint: { size: published.length + 1 } });
    expect((await ok(reg, ['log', 'search', '--licence', 'QDYP-2026-000001', '--json'])).json().map((r: { entry: { event: string } }) => r.entry.event)).toEqual([
      'licence.issue',
      'licence.suspend',
      'holder.update',
      'licence.reinstate',
    ]);
  });

  it('a change published without its checkpoint (a publish cut short) is caught up with an entry of its own', async () => {
    const reg = await withLicences();
    const file = path.join(tempDir(), 'qdyp.backup');
    await ok(reg, ['backup', file], PASSPHRASE);
    const backupSize = entries(reg.db).length;
    const checkpoint = edgeFile(path.join(reg.dir, 'edge'), 'log/checkpoint')!;
    const old = fs.readFileSync(checkpoint, 'utf8');
    await ok(reg, ['licence', 'suspend', 'QDYP-2026-000001', '--reason', '抽检不合格']);
    await ok(reg, ['holder', 'update', USCC.b, '--name', '青岛智能家电股份有限公司']);
    // The publication wrote the entries and the lists, and stopped before the checkpoint.
    fs.writeFileSync(checkpoint, old);
    const state = path.join(tempDir(), 'log-state.json');
    await ok(reg, ['log', 'verify', '--state', state]);

    const restored = await reg.run(['restore', file, '--force', '--json'], PASSPHRASE);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.json()).toMatchObject({ logRecovered: 0, caughtUp: ['QDYP-2026-000001', 'QDYP-2026-000002'] });
    // Every adopted change has its entry in the restored log (the holder's first), and each
    // licence points at its latest licence entry, as the office's would.
    const log = entries(reg.db).map((e) => JSON.parse(e.entry));
    expect(log.slice(backupSize).map((e) => e.event)).toEqual(['holder.update', 'licence.suspend']);
    expect(log[backupSize]).toMatchObject({ holder: { uscc: USCC.b, name: '青岛智能家电股份有限公司' } });
    const [first, second] = logIndices(reg.db);
    expect(first!.log_index).toBe(backupSize + 1);
    expect(log[first!.log_index]).toMatchObject({ event: 'licence.suspend', licence: { number: 'QDYP-2026-000001', status: 'suspended', statusReason: '抽检不合格' } });
    expect(log[second!.log_index]).toMatchObject({ event: 'licence.issue', licence: { number: 'QDYP-2026-000002' } });
    const shown = (await ok(reg, ['licence', 'show', 'QDYP-2026-000001', '--json'])).json();
    expect(log[first!.log_index].licence.rev).toBe(query<{ revision: number }>(reg.db, `SELECT revision FROM licences WHERE number = 'QDYP-2026-000001'`)[0]!.revision);
    expect(shown).toMatchObject({ status: 'suspended' });
    // Published again: the auditor's last checkpoint still holds.
    await ok(reg, ['publish']);
    expect((await reg.run(['log', 'verify', '--state', state, '--json'])).json()).toMatchObject({ ok: true, consistency: 'extends', checkpoint: { size: backupSize + 2 } });
  });

  it('a backup ahead of the published log keeps its own entries when they extend the published ones', async () => {
    const reg = await withLicences();
    const behind = path.join(tempDir(), 'edge-behind');
    fs.cpSync(path.join(reg.dir, 'edge'), behind, { recursive: true });
    await ok(reg, ['licence', 'revoke', 'QDYP-2026-000002', '--reason', '转让']);
    const file = path.join(tempDir(), 'qdyp.backup');
    await ok(reg, ['backup', file], PASSPHRASE);
    const own = entries(reg.db);
    const restored = await reg.run(['restore', file, '--force', '--edge', behind, '--json'], PASSPHRASE);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.json()).toMatchObject({ logRecovered: 0 });
    expect(entries(reg.db)).toEqual(own);
  });
});

describe('restore refuses a published log it cannot extend, and changes nothing', () => {
  it('a fork: the published log and the backup part at an entry', async () => {
    // One office (O) backs up, then changes a licence and publishes. The same backup restored
    // elsewhere (X) makes another change: X's backup and O's published log part at that entry.
    const o = await withLicences();
    const file = path.join(tempDir(), 'o.backup');
    await ok(o, ['backup', file], PASSPHRASE);
    const parting = entries(o.db).length;
    await ok(o, ['licence', 'suspend', 'QDYP-2026-000001', '--reason', '抽检不合格']);

    const x = path.join(tempDir(), 'x', 'qdyp.sqlite');
    const nothing = path.join(tempDir(), 'nothing-published');
    fs.mkdirSync(nothing);
    expect((await qdyp(['restore', file, '--db', x, '--edge', nothing, '--without-published-state'], PASSPHRASE)).code).toBe(0);
    expect((await qdyp(['licence', 'update', 'QDYP-2026-000002', '--product', '空调', '--db', x])).code).toBe(0);
    const xFile = path.join(tempDir(), 'x.backup');
    expect((await qdyp(['backup', xFile, '--db', x], PASSPHRASE)).code).toBe(0);

    const before = dumpTables(o.db);
    const refused = await o.run(['restore', xFile, '--force'], PASSPHRASE);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`is not an extension of the backup's (${parting + 1} entries): its entry ${parting} is not the backup's; restoring it would fork the log, so nothing was restored`);
    expect(dumpTables(o.db)).toEqual(before);
  });

  it('published entries that do not rebuild the checkpoint, and a checkpoint that does not verify', async () => {
    const reg = await withLicences();
    const file = path.join(tempDir(), 'qdyp.backup');
    await ok(reg, ['backup', file], PASSPHRASE);
    await ok(reg, ['licence', 'suspend', 'QDYP-2026-000001', '--reason', '抽检不合格']);
    const size = entries(reg.db).length;
    const before = dumpTables(reg.db);

    const tampered = path.join(tempDir(), 'edge');
    fs.cpSync(path.join(reg.dir, 'edge'), tampered, { recursive: true });
    const bundle = edgeFile(tampered, logEntriesKey(0, size))!;
    const logged = (await openStoredEntryBundle(new Uint8Array(fs.readFileSync(bundle)), size)).map((e) => new TextDecoder().decode(e));
    logged[size - 1] = logged[size - 1]!.replace('抽检不合格', '抽检合格了');
    fs.writeFileSync(bundle, await storedEntryBundle(logged.map((e) => new TextEncoder().encode(e))));
    const forged = await reg.run(['restore', file, '--force', '--edge', tampered], PASSPHRASE);
    expect(forged.code).toBe(1);
    expect(forged.stderr).toContain("the backup's entries and the published ones after them do not give the published checkpoint's root");

    const unsigned = path.join(tempDir(), 'edge');
    fs.cpSync(path.join(reg.dir, 'edge'), unsigned, { recursive: true });
    const checkpoint = edgeFile(unsigned, 'log/checkpoint')!;
    fs.writeFileSync(checkpoint, fs.readFileSync(checkpoint, 'utf8').replace(`\n${size}\n`, `\n${size + 1}\n`));
    const bad = await reg.run(['restore', file, '--force', '--edge', unsigned], PASSPHRASE);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/the log checkpoint published at .* does not verify/);
    expect(dumpTables(reg.db)).toEqual(before);
  });
});
