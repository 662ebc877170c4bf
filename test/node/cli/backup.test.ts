// backup then restore into a fresh directory reproduces every table, and the restored
// registry can still sign.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRegistry, dumpTables, qdyp, tempDir, USCC } from '../support.ts';

const PASSPHRASE = { QDYP_BACKUP_PASSPHRASE: '青岛优品 backup passphrase 2026' };

async function populated() {
  const reg = await cliRegistry();
  await reg.run(['holder', 'add', '--uscc', USCC.a, '--name', '青岛海滨食品有限公司', '--region', '370211']);
  await reg.run(['holder', 'add', '--uscc', USCC.b, '--name', '青岛智能家电有限公司', '--address', '青岛市崂山区']);
  const issue = (holder: string, product: string) =>
    reg.run(['licence', 'issue', '--holder', holder, '--tier', 'product', '--sector', 'manufacturing', '--product', product, '--until', '2028-12-31', '--json']);
  const a = (await issue(USCC.a, '海参')).json();
  const b = (await issue(USCC.b, '冰箱')).json();
  await reg.run(['licence', 'suspend', b.number, '--reason', '抽检']);
  await reg.run(['keys', 'rotate']);
  await reg.run(['licence', 'renew', a.number, '--until', '2029-06-30']);
  return { ...reg, a, b };
}

describe('backup and restore', () => {
  it('reproduce every table into a fresh directory, and the restored registry can sign', async () => {
    const reg = await populated();
    const file = path.join(tempDir(), 'qdyp.backup');
    const backup = await reg.run(['backup', file, '--json'], PASSPHRASE);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.json().keys).toBe(3); // the retired key too (its file still exists), and the log key
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    // Neither the root key nor any issuing key appears in clear.
    const text = fs.readFileSync(file, 'utf8');
    for (const name of fs.readdirSync(path.join(reg.dir, 'keys'))) {
      const { d } = JSON.parse(fs.readFileSync(path.join(reg.dir, 'keys', name), 'utf8'));
      expect(text).not.toContain(d);
    }

    const fresh = path.join(tempDir(), 'restored', 'qdyp.sqlite');
    // Compared with what the original published (nothing newer there: nothing to catch up).
    const restored = await qdyp(['restore', file, '--db', fresh, '--edge', path.join(reg.dir, 'edge')], PASSPHRASE);
    expect(restored.code, restored.stderr).toBe(0);
    // Every table but the publishing bookkeeping, which is the new directory's own (its edge/
    // started empty, so it was published in full).
    const registryTables = (db: string) => {
      const { publish_targets: _t, pending_entries: _p, ...rest } = dumpTables(db);
      return rest;
    };
    expect(registryTables(fresh)).toEqual(registryTables(reg.db));
    const freshDir = path.dirname(fresh);
    expect(fs.readFileSync(path.join(freshDir, 'root.public.jwk'), 'utf8')).toBe(fs.readFileSync(path.join(reg.dir, 'root.public.jwk'), 'utf8'));
    const keys = fs.readdirSync(path.join(freshDir, 'keys')).sort();
    expect(keys).toEqual(fs.readdirSync(path.join(reg.dir, 'keys')).filter((n) => n !== 'root.jwk').sort());
    expect(fs.statSync(path.join(freshDir, 'keys')).mode & 0o777).toBe(0o700);
    for (const name of keys) expect(fs.statSync(path.join(freshDir, 'keys', name)).mode & 0o777).toBe(0o600);

    // The restored registry published its edge: old seals verify from it.
    const run = (argv: string[]) => qdyp([...argv, '--db', fresh]);
    expect((await run(['verify', reg.a.sealUrl, '--json'])).json()).toMatchObject({ code: 'authorized', licence: { validUntil: '2029-06-30' } });
    expect((await run(['verify', reg.b.sealUrl, '--json'])).json().code).toBe('suspended');
    // And it can still sign: issue after restoring.
    const issued = await run(['licence', 'issue', '--holder', USCC.a, '--tier', 'enterprise', '--sector', 'marine', '--product', '海洋牧场', '--valid-days', '730', '--json']);
    expect(issued.code, issued.stderr).toBe(0);
    expect(issued.json()).toMatchObject({ number: 'QDYP-2026-000003', serial: 3 });
    expect((await run(['verify', issued.json().sealUrl])).code).toBe(0);
    // The root key stayed behind: rotating needs it brought back.
    const rotate = await run(['keys', 'rotate']);
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toMatch(/root key is needed/);
    const withRoot = await run(['keys', 'rotate', '--root-key', path.join(reg.dir, 'keys', 'root.jwk')]);
    expect(withRoot.code, withRoot.stderr).toBe(0);
  });

  it('restore --force replaces an existing registry; a damaged backup restores nothing', async () => {
    const reg = await populated();
    const file = path.join(tempDir(), 'qdyp.backup');
    expect((await reg.run(['backup', file], PASSPHRASE)).code).toBe(0);
    const snapshot = dumpTables(reg.db);
    await reg.run(['licence', 'revoke', reg.a.number, '--reason', 'after the backup']);
    expect(dumpTables(reg.db)).not.toEqual(snapshot);

    const damaged = path.join(tempDir(), 'damaged.backup');
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    doc.database.base64 = Buffer.from('not a database').toString('base64');
    fs.writeFileSync(damaged, JSON.stringify(doc));
    const refused = await reg.run(['restore', damaged, '--force'], PASSPHRASE);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/database part is damaged/);

    // Against an empty published state the backup comes back exactly as it was…
    const nothingPublished = tempDir();
    const elsewhere = path.join(tempDir(), 'elsewhere', 'qdyp.sqlite');
    const blind = await qdyp(['restore', file, '--db', elsewhere, '--edge', nothingPublished], PASSPHRASE);
    expect(blind.code).toBe(1);
    expect(blind.stderr).toMatch(/nothing is published .* to compare the backup with/);
    expect(fs.existsSync(elsewhere)).toBe(false);
    const exact = await qdyp(['restore', file, '--db', elsewhere, '--edge', nothingPublished, '--without-published-state', '--json'], PASSPHRASE);
    expect(exact.code, exact.stderr).toBe(0);
    expect(exact.json()).toMatchObject({ caughtUp: [], published: false });

    // …but in place, the edge already shows the revocation made after the backup: the restore
    // catches up with it instead of publishing the licence as authorized again.
    const restored = await reg.run(['restore', file, '--force', '--json'], PASSPHRASE);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.json()).toMatchObject({ caughtUp: [reg.a.number], published: true });
    expect((await reg.run(['verify', reg.a.sealUrl, '--json'])).json()).toMatchObject({ code: 'revoked', licence: { statusReason: 'after the backup' } });
    const audit = (await reg.run(['audit', '--licence', reg.a.number, '--json'])).json();
    expect(JSON.stringify(audit)).toContain('registry.catch_up');
  });

  it('an edge that is behind the backup is not adopted: a revocation the backup holds stays', async () => {
    const reg = await populated();
    const behind = path.join(tempDir(), 'edge-before');
    fs.cpSync(path.join(reg.dir, 'edge'), behind, { recursive: true });
    await reg.run(['licence', 'revoke', reg.a.number, '--reason', 'before the backup']);
    const file = path.join(tempDir(), 'qdyp.backup');
    expect((await reg.run(['backup', file], PASSPHRASE)).code).toBe(0);
    const restored = await reg.run(['restore', file, '--force', '--edge', behind, '--json'], PASSPHRASE);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.json()).toMatchObject({ caughtUp: [], published: true });
    expect((await reg.run(['verify', reg.a.sealUrl, '--json'])).json()).toMatchObject({ code: 'revoked', licence: { statusReason: 'before the backup' } });
  });

  it('restore refuses a backup older than a published key ceremony or than published licences', async () => {
    const reg = await populated();
    const file = path.join(tempDir(), 'qdyp.backup');
    expect((await reg.run(['backup', file], PASSPHRASE)).code).toBe(0);
    await reg.run(['licence', 'issue', '--holder', USCC.a, '--tier', 'product', '--sector', 'marine', '--product', '鲍鱼', '--until', '2028-12-31']);
    const before = dumpTables(reg.db);
    const newer = await reg.run(['restore', file, '--force'], PASSPHRASE);
    expect(newer.code).toBe(1);
    expect(newer.stderr).toMatch(/issued after it/);
    expect(dumpTables(reg.db)).toEqual(before);
    expect((await reg.run(['keys', 'rotate'])).code).toBe(0);
    const ceremony = await reg.run(['restore', file, '--force'], PASSPHRASE);
    expect(ceremony.code).toBe(1);
    expect(ceremony.stderr).toMatch(/key list is version 3, the backup's 2/);
  });
});
