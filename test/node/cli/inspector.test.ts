// qdyp inspector add|list|revoke on a real registry: tokens the published key list accepts, a
// PNG that scans to the token, ids unique where names are not, no token stored or listed, a
// revocation published at once as a higher version that refuses the token, audit events with
// the actor, and refusals that change nothing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRevokedInspectors, rootTrust, verifyInspectorToken, type RevokedInspectors, type TrustedKeyList } from '../../../src/core/index.ts';
import { readEdgeTextSync, trustFromEdge } from '../../../src/node/edge-store.ts';
import { cliRegistry, dumpTables, filesUnder, NOW, tempDir } from '../support.ts';

const JWS = /(?<![\w-])ey[\w-]+\.ey[\w-]+\.[\w-]{86}(?![\w-])/g;
const DAY_MS = 86_400_000;
const now = new Date(NOW);

let reg: Awaited<ReturnType<typeof cliRegistry>>;
let keyList: TrustedKeyList;

function rows<T = any>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(reg.db, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

async function publishedRevoked(options: { minVersion?: number } = {}): Promise<RevokedInspectors> {
  return parseRevokedInspectors(readEdgeTextSync(path.join(reg.dir, 'edge'), 'revoked-inspectors')!, keyList, { ...options, time: now });
}

/** Every byte of the registry's database files (the WAL included). */
function registryBytes(): string {
  return fs
    .readdirSync(reg.dir)
    .filter((name) => name.startsWith('qdyp.sqlite'))
    .map((name) => fs.readFileSync(path.join(reg.dir, name)).toString('latin1'))
    .join('\n');
}

beforeAll(async () => {
  reg = await cliRegistry();
  expect((await reg.run(['publish'])).code).toBe(0);
  const root = await rootTrust(JSON.parse(fs.readFileSync(path.join(reg.dir, 'root.public.jwk'), 'utf8')));
  keyList = (await trustFromEdge(path.join(reg.dir, 'edge'), { root, time: now })).keyList!;
});

describe('qdyp inspector add', () => {
  it('writes a token the published key list accepts and a PNG that scans to it; the registry keeps all but the token', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'wang.jws');
    const added = await reg.run(['inspector', 'add', '王海', '--days', '45', '--out', out, '--json']);
    expect(added.code, added.stderr).toBe(0);
    const shown = added.json();
    expect(shown).toMatchObject({ name: '王海', status: 'active', out, png: `${out}.png`, revokedAt: null });
    expect(shown.token).toBeUndefined();
    expect(shown.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
    expect(Date.parse(shown.expiresAt) - Date.parse(shown.issuedAt)).toBe(45 * DAY_MS);

    const token = fs.readFileSync(out, 'utf8').trim();
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    expect(fs.statSync(`${out}.png`).mode & 0o777).toBe(0o600);
    const verified = await verifyInspectorToken(token, { keyList }, now, await publishedRevoked());
    expect(verified).toEqual({ ok: true, claims: { iss: 'qdyp', jti: shown.jti, sub: shown.id, name: '王海', iat: now.getTime() / 1000, exp: now.getTime() / 1000 + 45 * 86_400 } });
    expect(execFileSync('zbarimg', ['--quiet', '--raw', `${out}.png`], { encoding: 'utf8' }).trim()).toBe(token);

    expect(rows('SELECT id, name, jti, kid, revoked_at FROM inspectors WHERE id = ?', shown.id)).toEqual([
      { id: shown.id, name: '王海', jti: shown.jti, kid: shown.kid, revoked_at: null },
    ]);
    expect(keyList.byKid.get(shown.kid)?.status).toBe('active');
    // Nowhere in the database: not the token, not its signature.
    expect(registryBytes()).not.toContain(token.split('.')[2]);
    const audit = rows('SELECT actor, action, subject, after FROM audit_events WHERE subject = ?', shown.id);
    expect(audit).toMatchObject([{ actor: 'test-officer', action: 'inspector.add', subject: shown.id }]);
    expect(JSON.parse(audit[0].after)).toEqual({ id: shown.id, name: '王海', jti: shown.jti, issuedAt: shown.issuedAt, expiresAt: shown.expiresAt, kid: shown.kid });
  });

  it('prints the token and a terminal QR code; two inspectors of one name get two ids; list shows both, never a token', async () => {
    const first = await reg.run(['inspector', 'add', 'Li Na'], { QDYP_ACTOR: 'officer-zhang' });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('\u001b[47m'); // the terminal renderer's drawing
    expect(first.stdout).toMatch(/▄|▀|█/);
    const firstToken = first.stdout.replace(/\u001b\[\d+m/g, '').match(JWS)![0];
    const firstId = /inspector id ([0-9A-Z]{10})/.exec(first.stdout)![1]!;
    expect(first.stderr).toContain(`qdyp inspector revoke ${firstId}`);
    const second = await reg.run(['inspector', 'add', 'Li Na', '--json']);
    const secondToken = second.json().token as string;
    expect(second.json().id).not.toBe(firstId);
    expect(second.json().jti).not.toBe((await verifyInspectorToken(firstToken, { keyList }, now, null) as { claims: { jti: string } }).claims.jti);
    expect(await verifyInspectorToken(secondToken, { keyList }, now, null)).toMatchObject({ ok: true, claims: { sub: second.json().id, name: 'Li Na' } });
    expect(Date.parse(second.json().expiresAt) - Date.parse(second.json().issuedAt)).toBe(30 * DAY_MS);
    expect(rows(`SELECT actor FROM audit_events WHERE subject = ?`, firstId)).toEqual([{ actor: 'officer-zhang' }]);

    const human = await reg.run(['inspector', 'list']);
    const json = await reg.run(['inspector', 'list', '--json']);
    for (const listing of [human, json]) {
      expect(listing.code).toBe(0);
      expect(listing.stdout).toContain(firstId);
      expect(listing.stdout).toContain(second.json().id);
      expect(listing.stdout).not.toMatch(JWS);
      expect(listing.stdout).not.toContain(firstToken.split('.')[2]);
    }
    expect(json.json().filter((i: { name: string }) => i.name === 'Li Na')).toHaveLength(2);
    expect(Object.keys(json.json()[0]).sort()).toEqual(['expiresAt', 'id', 'issuedAt', 'jti', 'kid', 'name', 'revokeReason', 'revokedAt', 'status']);
  });
});

describe('qdyp inspector revoke', () => {
  it('publishes the jti at once on a higher version, and the token is then refused as revoked', async () => {
    const added = (await reg.run(['inspector', 'add', '赵强', '--json'])).json();
    const kept = (await reg.run(['inspector', 'add', '孙丽', '--json'])).json();
    const before = await publishedRevoked();
    const changed = rows<{ changed: number }>(`SELECT changed FROM publish_targets WHERE name = 'local'`)[0]!.changed;
    const oldList = readEdgeTextSync(path.join(reg.dir, 'edge'), 'revoked-inspectors')!;

    const revoked = await reg.run(['inspector', 'revoke', added.id.toLowerCase(), '--reason', '手机丢失'], { QDYP_ACTOR: 'officer-zhang' });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(added.jti);
    expect(revoked.stdout).not.toMatch(JWS);
    expect(revoked.stderr).toBe(''); // published to the local edge straight away

    const after = await publishedRevoked({ minVersion: before.version + 1 });
    expect(after.version).toBe(before.version + 1);
    expect([...after.jtis]).toEqual([...before.jtis, added.jti].sort());
    expect(await verifyInspectorToken(added.token, { keyList }, now, after)).toEqual({ ok: false, reason: 'revoked' });
    expect(await verifyInspectorToken(kept.token, { keyList }, now, after)).toMatchObject({ ok: true });
    // A verifier that has seen the new list never goes back to the old one.
    await expect(parseRevokedInspectors(oldList, keyList, { minVersion: after.version })).rejects.toMatchObject({ code: 'ERR_STATUS_ROLLBACK' });

    // Recorded as a change for every target, and published.
    expect(rows(`SELECT changed > ? AS moved, changed = published AS current FROM publish_targets WHERE name = 'local'`, changed)).toEqual([{ moved: 1, current: 1 }]);
    expect(rows('SELECT revoked_at, revoke_reason FROM inspectors WHERE id = ?', added.id)).toEqual([{ revoked_at: now.toISOString(), revoke_reason: '手机丢失' }]);
    const audit = rows('SELECT actor, action, reason, after FROM audit_events WHERE subject = ? ORDER BY id', added.id);
    expect(audit.map((e) => [e.actor, e.action, e.reason])).toEqual([
      ['test-officer', 'inspector.add', null],
      ['officer-zhang', 'inspector.revoke', '手机丢失'],
    ]);
    expect(JSON.parse(audit[1].after)).toMatchObject({ id: added.id, jti: added.jti, revokedAt: now.toISOString() });
    expect(audit[1].after).not.toContain(added.token.split('.')[2]);

    const listed = (await reg.run(['inspector', 'list', '--json'])).json().find((i: { id: string }) => i.id === added.id);
    expect(listed).toMatchObject({ status: 'revoked', revokeReason: '手机丢失' });
    expect((await reg.run(['inspector', 'list'])).stdout).toMatch(new RegExp(`${added.id}  revoked .*revoked ${NOW.slice(0, 10)}.*: 手机丢失`));
  });

  it('a revoked token leaves the list a day after it expires (every verifier refuses it then); the version stays', async () => {
    const own = await cliRegistry();
    const added = (await own.run(['inspector', 'add', '吴军', '--days', '1', '--json'])).json();
    expect((await own.run(['inspector', 'revoke', added.id])).code).toBe(0);
    const root = await rootTrust(JSON.parse(fs.readFileSync(path.join(own.dir, 'root.public.jwk'), 'utf8')));
    const listed = async (iso: string) => {
      expect((await own.run(['publish'], { QDYP_NOW: iso })).code).toBe(0);
      const time = new Date(iso);
      const keys = (await trustFromEdge(path.join(own.dir, 'edge'), { root, time })).keyList!;
      return parseRevokedInspectors(readEdgeTextSync(path.join(own.dir, 'edge'), 'revoked-inspectors')!, keys, { time });
    };
    const expiry = Date.parse(added.expiresAt);
    expect(await listed(new Date(expiry + DAY_MS - 60_000).toISOString())).toMatchObject({ version: 1, jtis: new Set([added.jti]) });
    expect(await listed(new Date(expiry + DAY_MS + 60_000).toISOString())).toMatchObject({ version: 1, jtis: new Set() });
  });

  it('a restore from a backup made before a revocation is refused (it would un-revoke the token)', async () => {
    const passphrase = { QDYP_BACKUP_PASSPHRASE: '青岛优品 backup passphrase 2026' };
    const own = await cliRegistry();
    const added = (await own.run(['inspector', 'add', '周平', '--json'])).json();
    const file = path.join(tempDir(), 'qdyp.backup');
    expect((await own.run(['backup', file], passphrase)).code).toBe(0);
    expect((await own.run(['inspector', 'revoke', added.id])).code).toBe(0);
    const before = dumpTables(own.db);
    const restored = await own.run(['restore', file, '--force'], passphrase);
    expect(restored.code).toBe(1);
    expect(restored.stderr).toMatch(/revoked-inspectors list is version 1, the backup has 0 revocation/);
    expect(dumpTables(own.db)).toEqual(before);
  });
});

describe('refusals change nothing', () => {
  it('unknown or malformed ids, a second revocation, --days 0 or 91, hostile or empty names, unwritable files', async () => {
    const victim = (await reg.run(['inspector', 'add', '钱伟', '--json'])).json();
    expect((await reg.run(['inspector', 'revoke', victim.id])).code).toBe(0);
    const tables = dumpTables(reg.db);
    const edge = filesUnder(path.join(reg.dir, 'edge'));
    const dir = tempDir();
    const cases: [string[], number, RegExp][] = [
      [['inspector', 'revoke', 'ABCDEFGHJK'], 1, /no inspector ABCDEFGHJK/],
      [['inspector', 'revoke', 'not-an-id'], 1, /is not an inspector id/],
      [['inspector', 'revoke', victim.id], 1, /already revoked .*final/],
      [['inspector', 'revoke', victim.id.slice(1) + 'O'], 1, /no inspector|not an inspector id/],
      [['inspector', 'revoke', 'ABCDEFGHJK', '--reason', 'a\u202eb'], 1, /U\+202E/],
      [['inspector', 'add', '王海', '--days', '0'], 1, /1 to 90 days; 0 is not/],
      [['inspector', 'add', '王海', '--days', '91'], 1, /1 to 90 days; 91 is not/],
      [['inspector', 'add', '王海', '--days', 'soon'], 2, /--days must be a whole number/],
      [['inspector', 'add', 'Evil\u202eoc dooG'], 1, /U\+202E \(RIGHT-TO-LEFT OVERRIDE\)/],
      [['inspector', 'add', 'a\u200bb'], 1, /U\+200B/],
      [['inspector', 'add', 'tab\there'], 1, /control characters/],
      [['inspector', 'add', '\u001b[31mred'], 1, /control characters/],
      [['inspector', 'add', '   '], 1, /must not be empty/],
      [['inspector', 'add', 'x'.repeat(65)], 1, /longer than 64 characters/],
      [['inspector', 'add', '王海', '--out', dir], 2, /is a directory/],
      [['inspector', 'add', '王海', '--out', path.join(dir, 'missing', 't.jws')], 2, /cannot write to/],
      [['inspector', 'add', '王海', '--out', path.join(dir, 't'), '--png', path.join(dir, 't')], 2, /must be different files/],
      [['inspector', 'add'], 2, /missing argument/],
    ];
    for (const [argv, code, message] of cases) {
      const r = await reg.run(argv);
      expect(r.code, argv.join(' ')).toBe(code);
      expect(r.stderr, argv.join(' ')).toMatch(message);
      // Hostile text is named, never echoed raw to the terminal.
      expect(r.stderr).not.toMatch(/[\u001b\u202e\u200b]/);
      expect(r.stdout).not.toMatch(JWS);
    }
    expect(dumpTables(reg.db)).toEqual(tables);
    expect(filesUnder(path.join(reg.dir, 'edge'))).toEqual(edge);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
