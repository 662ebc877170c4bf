// The licence lifecycle through the CLI, checked the way the edge sees it: `qdyp verify` reads
// only the published artifacts.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src/core/index.ts';
import { cliRegistry, qdyp, sealUrlOf, tempDir, USCC } from '../support.ts';

type Reg = Awaited<ReturnType<typeof cliRegistry>>;

async function withLicence(until = '2028-12-31'): Promise<Reg & { number: string; url: string }> {
  const reg = await cliRegistry();
  expect((await reg.run(['holder', 'add', '--uscc', USCC.a, '--name', '青岛海滨食品有限公司', '--address', '青岛市黄岛区', '--region', '370211'])).code).toBe(0);
  const issued = await reg.run(['licence', 'issue', '--holder', USCC.a, '--tier', 'product', '--sector', 'agriculture', '--chain', '食品饮料', '--product', '海参礼盒', '--trademark', '海滨', '--until', until]);
  expect(issued.code, issued.stderr).toBe(0);
  const [number, url] = issued.stdout.trim().split('\n') as [string, string];
  return { ...reg, number, url };
}

async function verdict(reg: Reg, subject: string, extra: string[] = [], env?: Record<string, string>) {
  const result = await reg.run(['verify', subject, '--json', ...extra], env);
  return { exit: result.code, ...result.json() };
}

describe('licence issue', () => {
  it('prints the number and the seal URL, which verifies as authorized with DESIGN §4 JSON', async () => {
    const reg = await withLicence();
    expect(reg.number).toBe('QDYP-2026-000001');
    expect(reg.url).toMatch(/^HTTPS:\/\/V\.QDYP\.CN\/V\/[A-Z2-7]{120}$/);
    const result = await reg.run(['verify', reg.url, '--json']);
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({
      code: 'authorized',
      authorized: true,
      licence: {
        number: 'QDYP-2026-000001',
        holder: { name: '青岛海滨食品有限公司', uscc: USCC.a, address: '青岛市黄岛区' },
        tier: 'product',
        sector: 'agriculture',
        chain: '食品饮料',
        region: '370211',
        products: ['海参礼盒'],
        trademarks: ['海滨'],
        validFrom: '2026-11-27',
        validUntil: '2028-12-31',
        status: 'valid',
        statusReason: null,
        statusChangedAt: '2026-11-27T04:00:00.000Z',
      },
      // Each publication that changes the lists dates them at least a second after the last one
      // (no two different lists share a time): under this frozen clock, a second or two later.
      statusAsOf: expect.stringMatching(/^2026-11-27T04:00:0[0-5]\.000Z$/),
      checkedAt: '2026-11-27T04:00:00.000Z',
      // The licence's latest transparency log entry (0 is the key list's at init).
      logIndex: 1,
    });
    // A scanner that lower-cases the URL, and the bare seal, verify the same.
    expect((await verdict(reg, reg.url.toLowerCase())).code).toBe('authorized');
    expect((await verdict(reg, reg.url.split('/V/')[1]!)).code).toBe('authorized');
    const human = await reg.run(['verify', reg.url]);
    expect(human.stdout).toMatch(/^正品授权 \/ Authorized {2}\(authorized\)\n/);
  });
});

describe('status changes show in verify right after the command', () => {
  it('suspend → reinstate → revoke', async () => {
    const reg = await withLicence();
    expect((await reg.run(['licence', 'suspend', reg.number, '--reason', '抽检不合格'])).code).toBe(0);
    expect(await verdict(reg, reg.url)).toMatchObject({ exit: 1, code: 'suspended', licence: { status: 'suspended', statusReason: '抽检不合格' } });
    expect((await reg.run(['licence', 'reinstate', reg.number, '--reason', '整改完成'])).code).toBe(0);
    expect(await verdict(reg, reg.url)).toMatchObject({ exit: 0, code: 'authorized', licence: { status: 'valid' } });
    expect((await reg.run(['licence', 'revoke', reg.number, '--reason', '冒用标识'])).code).toBe(0);
    expect(await verdict(reg, reg.url)).toMatchObject({ exit: 1, code: 'revoked', licence: { status: 'revoked', statusReason: '冒用标识' } });
    const events = (await reg.run(['audit', '--licence', reg.number, '--json'])).json();
    expect(events.map((e: { action: string }) => e.action)).toEqual(['licence.issue', 'licence.suspend', 'licence.reinstate', 'licence.revoke']);
    expect(events[3]).toMatchObject({ actor: 'test-officer', reason: '冒用标识', before: { status: 'valid' }, after: { status: 'revoked' } });
  });

  it('without the edge store, verify cannot confirm (it never reads the database)', async () => {
    const reg = await withLicence();
    fs.rmSync(path.join(reg.dir, 'edge', 'status-list'));
    expect(await verdict(reg, reg.url)).toMatchObject({ exit: 1, code: 'cannot_confirm', licence: null, statusAsOf: null });
    fs.rmSync(path.join(reg.dir, 'edge'), { recursive: true });
    expect(await verdict(reg, reg.url)).toMatchObject({ exit: 1, code: 'cannot_confirm', licence: null });
    const human = await reg.run(['verify', reg.url]);
    expect(human.stdout).toMatch(/无法确认 \/ Cannot confirm/);
    expect(human.stdout).toMatch(/note: keyList: keyList is not published/);
    expect((await reg.run(['publish'])).code).toBe(0);
    expect((await verdict(reg, reg.url)).code).toBe('authorized');
  });

  it('a status list past its 14-day exp cannot confirm; a daily publish keeps it fresh', async () => {
    const reg = await withLicence();
    const later = { QDYP_NOW: '2026-12-12T04:00:00Z' };
    expect((await verdict(reg, reg.url, [], later)).code).toBe('cannot_confirm');
    expect((await reg.run(['publish'], later)).code).toBe(0);
    expect(await verdict(reg, reg.url, [], later)).toMatchObject({ code: 'authorized', statusAsOf: '2026-12-12T04:00:00.000Z' });
  });
});

describe('publish from cron', () => {
  it('re-signs the key list with the root at hand when it nears expiry, and warns without it', async () => {
    const reg = await withLicence();
    const later = { QDYP_NOW: '2027-11-01T04:00:00Z' };
    fs.renameSync(path.join(reg.dir, 'keys', 'root.jwk'), path.join(reg.dir, 'root.jwk'));
    const warned = await reg.run(['publish'], later);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toMatch(/warning: the key list expires at 2027-11-27T04:00:00.000Z/);
    const refreshed = await reg.run(['publish', '--root-key', path.join(reg.dir, 'root.jwk'), '--json'], later);
    expect(refreshed.stderr).toMatch(/Re-signed the key list \(version 2\)/);
    expect(refreshed.json()).toMatchObject({ to: 'local', keyListVersion: 2, warnings: [] });
    // Past the first key list's expiry, a plain publish (no root) still gives verdicts.
    const afterFirstExpiry = { QDYP_NOW: '2027-11-28T04:00:00Z' };
    const daily = await reg.run(['publish'], afterFirstExpiry);
    expect(daily).toMatchObject({ code: 0, stderr: '' });
    expect((await verdict(reg, reg.url, [], afterFirstExpiry)).code).toBe('authorized');
    expect((await reg.run(['publish', '--to', 'nowhere'])).code).toBe(2);
  });
});

describe('renew, update, rotate, compromise and reseal', () => {
  it('renew and update keep the seal valid', async () => {
    const reg = await withLicence('2027-03-31');
    const june = { QDYP_NOW: '2027-06-01T04:00:00Z' };
    expect((await reg.run(['publish'], june)).code).toBe(0);
    expect((await verdict(reg, reg.url, [], june)).code).toBe('expired');
    const renewed = await reg.run(['licence', 'renew', reg.number, '--until', '2027-12-31'], june);
    expect(renewed.stdout).toMatch(/valid 2026-11-27 to 2027-12-31; its seal is unchanged/);
    expect(await verdict(reg, reg.url, [], june)).toMatchObject({ code: 'authorized', licence: { validUntil: '2027-12-31' } });

    expect((await reg.run(['licence', 'update', reg.number, '--product', '海参礼盒', '--product', '即食海参', '--trademark', '海滨牌'], june)).code).toBe(0);
    expect(await verdict(reg, reg.url, [], june)).toMatchObject({ code: 'authorized', licence: { products: ['海参礼盒', '即食海参'], trademarks: ['海滨牌'] } });
    expect(await sealUrlOf(reg.run, reg.number)).toBe(reg.url);
    const shown = (await reg.run(['licence', 'show', reg.number, '--json'])).json();
    expect(shown.periods.map((p: { validUntil: string }) => p.validUntil)).toEqual(['2027-03-31', '2027-12-31']);
  });

  it('rotate: old seals keep verifying, new licences use the new key', async () => {
    const reg = await withLicence();
    const rotated = await reg.run(['keys', 'rotate', '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const { active, retired, keyListVersion } = rotated.json();
    expect(keyListVersion).toBe(2);
    expect(retired.status).toBe('retired');
    expect((await verdict(reg, reg.url)).code).toBe('authorized');
    const next = await reg.run(['licence', 'issue', '--holder', USCC.a, '--tier', 'enterprise', '--sector', 'services', '--product', '服务', '--valid-days', '365', '--json']);
    expect(next.json().sealKid).toBe(active.kid);
    expect((await verdict(reg, next.json().sealUrl)).code).toBe('authorized');
  });

  it('after keys compromise the old seal fails; reseal gives one that verifies', async () => {
    const reg = await withLicence();
    const kid = (await reg.run(['licence', 'show', reg.number, '--json'])).json().sealKid;
    const sid = (await reg.run(['keys', 'list', '--json'])).json().keys.find((k: { role: string }) => k.role === 'issue').sid;
    const compromised = await reg.run(['keys', 'compromise', sid, '--reason', '私钥泄露']);
    expect(compromised.code, compromised.stderr).toBe(0);
    expect(compromised.stdout).toContain(`Key ${kid} is marked compromised`);
    expect(compromised.stdout).toContain(`qdyp licence reseal ${reg.number}`);
    expect(await verdict(reg, reg.url)).toMatchObject({ exit: 1, code: 'key_compromised', licence: null });
    expect((await reg.run(['keys', 'list', '--json'])).json().toReseal).toEqual([reg.number]);

    const resealed = await reg.run(['licence', 'reseal', reg.number, '--json']);
    expect(resealed.code, resealed.stderr).toBe(0);
    const url = resealed.json().sealUrl;
    expect(url).not.toBe(reg.url);
    expect(await verdict(reg, url)).toMatchObject({ exit: 0, code: 'authorized', licence: { number: reg.number } });
    expect((await verdict(reg, reg.url)).code).toBe('key_compromised');
    expect((await reg.run(['keys', 'list', '--json'])).json().toReseal).toEqual([]);
  });
});

describe('verify inputs', () => {
  it('a licence document (JWS) in a file, and offline from a bundle with a pinned root', async () => {
    const reg = await withLicence();
    const doc = path.join(reg.dir, 'licence.jws');
    fs.writeFileSync(doc, `${(await reg.run(['licence', 'show', reg.number, '--json'])).json().document}\n`);
    expect(await verdict(reg, doc)).toMatchObject({ exit: 0, code: 'authorized', licence: { number: reg.number } });

    // Bundles are rebuilt by qdyp publish (cron, or on demand), not by every change.
    expect((await reg.run(['publish'])).code).toBe(0);
    const offline = tempDir();
    fs.copyFileSync(path.join(reg.dir, 'edge', 'bundle'), path.join(offline, 'bundle.json'));
    fs.copyFileSync(path.join(reg.dir, 'root.public.jwk'), path.join(offline, 'root.jwk'));
    fs.rmSync(path.join(reg.dir, 'edge'), { recursive: true });
    const result = await qdyp(['verify', reg.url, '--bundle', 'bundle.json', '--root', 'root.jwk', '--json'], {}, offline);
    expect(result.json()).toMatchObject({ code: 'authorized' });
    const root = fs.readFileSync(path.join(offline, 'root.jwk'), 'utf8');
    expect((await qdyp(['verify', reg.url, '--bundle', path.join(offline, 'bundle.json'), '--json'], { QDYP_ROOT_JWK: root })).json().code).toBe('authorized');

    // A different pinned root trusts nothing in the bundle.
    const other = await cliRegistry();
    const untrusted = await qdyp(['verify', reg.url, '--bundle', path.join(offline, 'bundle.json'), '--root', path.join(other.dir, 'root.public.jwk'), '--json']);
    expect(untrusted).toMatchObject({ code: 1 });
    expect(untrusted.json().code).toBe('cannot_confirm');
  });

  it('garbage is malformed; a picture that is no label photo is refused; no pinned root is a usage error', async () => {
    const reg = await withLicence();
    expect(await verdict(reg, 'HTTPS://V.QDYP.CN/V/NOTASEAL')).toMatchObject({ exit: 1, code: 'malformed', licence: null });
    const png = path.join(reg.dir, 'label.png');
    fs.writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const image = await reg.run(['verify', png]);
    expect(image.code).toBe(1);
    expect(image.stderr).toMatch(/label\.png cannot be read as a photo of a label/);
    fs.rmSync(path.join(reg.dir, 'root.public.jwk'));
    const noRoot = await reg.run(['verify', reg.url]);
    expect(noRoot.code).toBe(2);
    expect(noRoot.stderr).toMatch(/no pinned root key/);
  });
});

describe('--db and the audit trail', () => {
  it('accepts --db before or after the command, and QDYP_DB', async () => {
    const reg = await withLicence();
    const before = await qdyp(['--db', reg.db, 'licence', 'show', reg.number, '--json']);
    const after = await qdyp(['licence', 'show', reg.number, '--json', `--db=${reg.db}`]);
    const env = await qdyp(['licence', 'show', reg.number, '--json'], { QDYP_DB: reg.db });
    expect(before.code).toBe(0);
    expect(after.stdout).toBe(before.stdout);
    expect(env.stdout).toBe(before.stdout);
    const missing = await qdyp(['licence', 'list'], {}, tempDir());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no registry database at .*data\/qdyp\.sqlite/);
  });

  it('takes the root key from QDYP_ROOT_KEY, writing no root key file', async () => {
    const rootKey = JSON.stringify(await generateKeyPair());
    const db = path.join(tempDir(), 'qdyp.sqlite');
    const init = await qdyp(['init', '--origin', 'http://localhost:8080', '--db', db, '--json'], { QDYP_ROOT_KEY: rootKey });
    expect(init.code, init.stderr).toBe(0);
    expect(init.json()).toMatchObject({ origin: 'HTTP://LOCALHOST:8080', rootKeyFile: null });
    expect(fs.readdirSync(path.join(path.dirname(db), 'keys'))).not.toContain('root.jwk');
    expect((await qdyp(['keys', 'rotate', '--db', db])).code).toBe(1);
    expect((await qdyp(['keys', 'rotate', '--db', db], { QDYP_ROOT_KEY: rootKey })).code).toBe(0);
  });

  it('audit filters by licence and by day in Beijing', async () => {
    const reg = await withLicence();
    await reg.run(['licence', 'suspend', reg.number, '--reason', 'x'], { QDYP_NOW: '2026-12-01T15:59:00Z' }); // 23:59 on 1 Dec in Beijing
    await reg.run(['licence', 'reinstate', reg.number, '--reason', 'y'], { QDYP_NOW: '2026-12-01T16:00:00Z' }); // 00:00 on 2 Dec
    const all = (await reg.run(['audit', '--json'])).json();
    expect(all.map((e: { action: string }) => e.action)).toEqual(['registry.init', 'holder.add', 'licence.issue', 'licence.suspend', 'licence.reinstate']);
    const since = (await reg.run(['audit', '--since', '2026-12-02', '--json'])).json();
    expect(since.map((e: { action: string }) => e.action)).toEqual(['licence.reinstate']);
    expect((await reg.run(['audit', '--subject', USCC.a, '--json'])).json()).toMatchObject([{ action: 'holder.add' }]);
    const text = await reg.run(['audit', '--licence', reg.number.toLowerCase()]);
    expect(text.stdout.trim().split('\n')).toHaveLength(3);
  });
});
