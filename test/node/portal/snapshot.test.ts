// The portal snapshot holds exactly its allowlist: every table and column of the file is read
// and compared, and no value carries key material, an officer's name or an activation code.
// It is written with the registry's keys/ directory gone.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationCodeHash, normaliseActivationCode } from '../../../src/node/issuer/index.ts';
import { openPortalSnapshot, SNAPSHOT_FORMAT_VERSION, type PortalSnapshot } from '../../../src/node/portal/snapshot.ts';
import { cliRegistry, dumpTables, filesUnder, sealUrlOf, tempDir, USCC } from '../support.ts';

const ACTOR = 'officer-wang-7f3q';
const ENV = { QDYP_ACTOR: ACTOR };

const ALLOWLIST: Record<string, string[]> = {
  snapshot: ['format_version', 'created_at', 'origin'],
  holders: ['uscc', 'name', 'address', 'region'],
  licences: [
    'serial',
    'number',
    'holder_uscc',
    'tier',
    'sector',
    'chain',
    'region',
    'products',
    'trademarks',
    'valid_from',
    'valid_until',
    'status',
    'status_reason',
    'status_changed_at',
    'seal_url',
    'document',
    'issued_at',
    'log_index',
    'log_entry',
  ],
  invitations: ['uscc', 'user', 'code_hash', 'expires_at'],
  log: ['checkpoint'],
  log_tiles: ['level', 'idx', 'width', 'hashes'],
};

let reg: Awaited<ReturnType<typeof cliRegistry>>;
let out: string;
let privateParts: string[];
const codes = {} as Record<'a' | 'aVoided' | 'b' | 'expired', string>;
const numbers = {} as Record<'a1' | 'a2' | 'b1', string>;

async function ok(argv: string[], env: Record<string, string> = ENV): Promise<string> {
  const r = await reg.run(argv, env);
  expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  reg = await cliRegistry();
  await ok(['holder', 'add', '--uscc', USCC.a, '--name', '青岛海滨食品有限公司', '--address', '青岛市黄岛区长江中路 1 号', '--region', '370211']);
  await ok(['holder', 'add', '--uscc', USCC.b, '--name', 'Hangzhou Tea Co.']);
  await ok(['holder', 'add', '--uscc', USCC.c, '--name', '深圳某某公司']);
  const issue = (holder: string, product: string) =>
    ok(['licence', 'issue', '--holder', holder, '--tier', 'product', '--sector', 'agriculture', '--chain', '食品饮料', '--product', product, '--trademark', '海滨', '--until', '2028-12-31']);
  numbers.a1 = (await issue(USCC.a, '海参礼盒')).split('\n')[0]!;
  numbers.a2 = (await issue(USCC.a, '虾皮')).split('\n')[0]!;
  numbers.b1 = (await issue(USCC.b, '绿茶')).split('\n')[0]!;
  await ok(['licence', 'suspend', numbers.a2, '--reason', '抽检不合格']);
  codes.a = JSON.parse(await ok(['holder', 'invite', USCC.a, '--json'])).code;
  codes.aVoided = codes.a;
  codes.a = JSON.parse(await ok(['holder', 'invite', USCC.a, '--json'])).code; // voids the first
  codes.b = JSON.parse(await ok(['holder', 'invite', USCC.b, '--user', 'Li', '--json'])).code;
  // Invited a month ago for a day: expired by now, yet kept (the portal refuses it, and needs
  // it to tell a re-invite from an expired own invitation); not counted as open.
  codes.expired = JSON.parse(await ok(['holder', 'invite', USCC.c, '--days', '1', '--json'], { ...ENV, QDYP_NOW: '2026-10-27T04:00:00Z' })).code;

  // Every private key part the registry holds, before keys/ goes.
  privateParts = Object.values(filesUnder(path.join(reg.dir, 'keys')))
    .map((text) => (JSON.parse(text) as { d?: string }).d)
    .filter((d): d is string => typeof d === 'string');
  expect(privateParts.length).toBeGreaterThan(0);
  fs.rmSync(path.join(reg.dir, 'keys'), { recursive: true });

  out = path.join(tempDir(), 'portal.sqlite');
  const r = await reg.run(['portal', 'snapshot', '--out', out, '--json'], ENV);
  expect(r.code, r.stderr).toBe(0);
  expect(r.json()).toMatchObject({ file: out, holders: 3, licences: 3, invitations: 2, createdAt: '2026-11-27T04:00:00.000Z' });
});

describe('qdyp portal snapshot', () => {
  it('holds exactly the allowlisted tables and columns', () => {
    const db = new Database(out, { readonly: true, fileMustExist: true });
    try {
      const objects = db.prepare(`SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex_%' ORDER BY type, name`).all();
      expect(objects).toEqual([
        { type: 'index', name: 'licences_holder' },
        { type: 'table', name: 'holders' },
        { type: 'table', name: 'invitations' },
        { type: 'table', name: 'licences' },
        { type: 'table', name: 'log' },
        { type: 'table', name: 'log_tiles' },
        { type: 'table', name: 'snapshot' },
      ]);
      const tables: Record<string, string[]> = {};
      for (const { name } of db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]) {
        tables[name] = (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as { name: string }[]).map((c) => c.name);
      }
      expect(tables).toEqual(ALLOWLIST);
      // The rows, read through SELECT *: every column of every row holds only these.
      const rows = Object.fromEntries(Object.keys(tables).map((t) => [t, db.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[]]));
      for (const [t, list] of Object.entries(rows)) for (const row of list) expect(Object.keys(row)).toEqual(ALLOWLIST[t]);
      expect(rows.snapshot).toEqual([{ format_version: SNAPSHOT_FORMAT_VERSION, created_at: '2026-11-27T04:00:00.000Z', origin: 'HTTPS://V.QDYP.CN' }]);
      expect(rows.holders!.map((h) => h.uscc).sort()).toEqual([USCC.a, USCC.b, USCC.c].sort());
      expect(rows.licences!.map((l) => l.number)).toEqual([numbers.a1, numbers.a2, numbers.b1]);
      // Each licence's latest log entry as the registry logged it, and the log as published.
      const registry = new Database(reg.db, { readonly: true, fileMustExist: true });
      try {
        const logged = registry.prepare('SELECT l.number, l.log_index, e.entry FROM licences l JOIN log_entries e ON e.idx = l.log_index ORDER BY l.serial').all() as { number: string; log_index: number; entry: string }[];
        expect(rows.licences!.map((l) => [l.number, l.log_index, l.log_entry])).toEqual(logged.map((l) => [l.number, l.log_index, l.entry]));
        expect(JSON.parse(logged[1]!.entry as string).event).toBe('licence.suspend');
      } finally {
        registry.close();
      }
      expect(rows.log).toEqual([{ checkpoint: fs.readFileSync(path.join(reg.dir, 'edge', 'log', 'checkpoint'), 'utf8') }]);
      expect(rows.log_tiles!.map((t) => [t.level, t.idx, t.width, Buffer.compare(t.hashes as Buffer, fs.readFileSync(path.join(reg.dir, 'edge', 'log', 'tile', '0', `000.p/${t.width}`)))])).toEqual([[0, 0, rows.log_tiles![0]!.width, 0]]);
      expect(rows.invitations).toEqual([
        { uscc: USCC.b, user: 'li', code_hash: activationCodeHash(codes.b), expires_at: '2026-12-11T04:00:00.000Z' },
        { uscc: USCC.a, user: 'admin', code_hash: activationCodeHash(codes.a), expires_at: '2026-12-11T04:00:00.000Z' },
        { uscc: USCC.c, user: 'admin', code_hash: activationCodeHash(codes.expired), expires_at: '2026-10-28T04:00:00.000Z' },
      ].sort((x, y) => x.uscc.localeCompare(y.uscc)));

      const values = JSON.stringify(rows);
      const bytes = fs.readFileSync(out).toString('latin1');
      for (const text of [values, bytes]) {
        expect(text).not.toContain('"d":');
        expect(text).not.toContain(ACTOR);
        expect(text).not.toContain('test-officer');
        for (const d of privateParts) expect(text).not.toContain(d);
        for (const code of Object.values(codes)) {
          expect(text).not.toContain(code);
          expect(text).not.toContain(normaliseActivationCode(code)!);
        }
        expect(text).not.toContain(activationCodeHash(codes.aVoided)!);
      }
    } finally {
      db.close();
    }
  });

  it('is written with mode 0640, atomically, leaving no temp files; never over the registry', async () => {
    expect(fs.statSync(out).mode & 0o777).toBe(0o640);
    const before = fs.statSync(out).ino;
    expect((await reg.run(['portal', 'snapshot', '--out', out])).code).toBe(0);
    expect(fs.statSync(out).ino).not.toBe(before); // renamed into place, not rewritten
    expect(fs.readdirSync(path.dirname(out))).toEqual(['portal.sqlite']);

    const registry = dumpTables(reg.db);
    const r = await reg.run(['portal', 'snapshot', '--out', reg.db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not be the registry database/);
    expect(dumpTables(reg.db)).toEqual(registry);
    expect((await reg.run(['portal', 'snapshot', '--out', path.join(reg.dir, 'nowhere', 'x.sqlite')])).code).toBe(2);
    expect((await reg.run(['portal', 'snapshot'])).stderr).toMatch(/--out is required/);
  });
});

describe('openPortalSnapshot', () => {
  let snap: PortalSnapshot;
  beforeAll(() => {
    snap = openPortalSnapshot(out);
    return () => snap.close();
  });

  it('snapshotInfo and holder', () => {
    expect(snap.snapshotInfo()).toEqual({ formatVersion: SNAPSHOT_FORMAT_VERSION, createdAt: '2026-11-27T04:00:00.000Z', origin: 'HTTPS://V.QDYP.CN' });
    expect(snap.holder(USCC.a)).toEqual({ uscc: USCC.a, name: '青岛海滨食品有限公司', address: '青岛市黄岛区长江中路 1 号', region: '370211' });
    expect(snap.holder(USCC.a.toLowerCase())?.name).toBe('青岛海滨食品有限公司');
    expect(snap.holder('91370200163562681H')).toBeUndefined();
    expect(snap.mtimeMs).toBe(fs.statSync(out).mtimeMs);
  });

  it('licences: only the holder\'s own; another holder\'s number is not found', async () => {
    expect(snap.licencesOf(USCC.a).map((l) => l.number)).toEqual([numbers.a1, numbers.a2]);
    expect(snap.licencesOf(USCC.c)).toEqual([]);
    const a2 = snap.licence(USCC.a, numbers.a2)!;
    expect(a2).toMatchObject({
      number: numbers.a2,
      holderUscc: USCC.a,
      tier: 'product',
      sector: 'agriculture',
      chain: '食品饮料',
      products: ['虾皮'],
      trademarks: ['海滨'],
      validUntil: '2028-12-31',
      status: 'suspended',
      statusReason: '抽检不合格',
    });
    expect(a2.sealUrl).toBe(await sealUrlOf(reg.run, numbers.a2));
    const registry = new Database(reg.db, { readonly: true });
    expect(a2.document).toBe((registry.prepare('SELECT document FROM licences WHERE number = ?').get(numbers.a2) as { document: string }).document);
    registry.close();
    expect(a2.document.split('.')).toHaveLength(3);
    expect(snap.licence(USCC.b, numbers.b1)?.number).toBe(numbers.b1);
    expect(snap.licence(USCC.a, numbers.b1)).toBeUndefined();
    expect(snap.licence(USCC.b, numbers.a1)).toBeUndefined();
    expect(snap.licence(USCC.a, 'QDYP-2026-999999')).toBeUndefined();
  });

  it('invitations: by user, and by the code as typed', () => {
    expect(snap.invitation(USCC.a, 'admin')).toEqual({ uscc: USCC.a, user: 'admin', codeHash: activationCodeHash(codes.a), expiresAt: '2026-12-11T04:00:00.000Z' });
    expect(snap.invitation(USCC.b, 'LI')?.user).toBe('li');
    expect(snap.invitation(USCC.b, 'admin')).toBeUndefined();
    expect(snap.invitation(USCC.c, 'admin')).toEqual({ uscc: USCC.c, user: 'admin', codeHash: activationCodeHash(codes.expired), expiresAt: '2026-10-28T04:00:00.000Z' }); // expired: kept
    const typed = codes.a.toLowerCase().replace(/-/g, ' ');
    expect(snap.invitationByCode(USCC.a, typed)?.user).toBe('admin');
    expect(snap.invitationByCode(USCC.b, codes.a)).toBeUndefined();
    expect(snap.invitationByCode(USCC.a, codes.aVoided)).toBeUndefined();
    expect(snap.invitationByCode(USCC.a, 'not a code')).toBeUndefined();
  });

  it('is read-only, and refuses what is not a snapshot', () => {
    expect(() => openPortalSnapshot(path.join(tempDir(), 'missing.sqlite'))).toThrow();
    expect(() => openPortalSnapshot(reg.db)).toThrow(/not a portal snapshot/);
    const bytes = fs.readFileSync(out);
    const reader = openPortalSnapshot(out);
    reader.licencesOf(USCC.a);
    reader.invitationByCode(USCC.a, codes.a);
    reader.close();
    expect(fs.readFileSync(out).equals(bytes)).toBe(true);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['portal.sqlite']);
  });
});
