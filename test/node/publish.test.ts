import fs from 'node:fs';
import path from 'node:path';
import { compactVerify, decodeJwt, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { buildTrustContext, parseBundle, rootTrust, verifySeal } from '../../src/core/index.ts';
import { ARTIFACT_NAMES, kvBulkEntries, readTrustArtifacts } from '../../src/node/edge-store.ts';
import { addHolder, issueLicence, refreshKeyList, revokeLicence, suspendLicence } from '../../src/node/issuer/index.ts';
import { readPrivateKey } from '../../src/node/key-files.ts';
import { keyListDue, keyListExpiry, publishLocal, publishToCloudflare, wranglerBulkPutCommand } from '../../src/node/publish.ts';
import { readConfig } from '../../src/node/registry/config.ts';
import { activeKey } from '../../src/node/registry/keys.ts';
import { apiRegistry, USCC } from './support.ts';

async function programme() {
  const ctx = await apiRegistry();
  await addHolder(ctx, { uscc: USCC.a, name: '青岛海滨食品有限公司', region: '370211' });
  const input = { holder: USCC.a, tier: 'product', sector: 'marine', products: ['海参'], validUntil: '2028-12-31' };
  const licences = [await issueLicence(ctx, input), await issueLicence(ctx, input), await issueLicence(ctx, input)];
  await suspendLicence(ctx, licences[1]!.number, '抽检');
  await revokeLicence(ctx, licences[2]!.number, '冒用');
  return { ctx, licences };
}

describe('publish', () => {
  it('writes exactly the five artifacts, each verifiable from the pinned root', async () => {
    const { ctx, licences } = await programme();
    const { artifacts, warnings } = await publishLocal(ctx.registry, ctx.now);
    expect(warnings).toEqual([]);
    // Temp files are renamed into place: nothing else is left in the store.
    expect(fs.readdirSync(ctx.registry.edgeDir).sort()).toEqual([...ARTIFACT_NAMES].sort());
    for (const name of ARTIFACT_NAMES) expect(fs.readFileSync(path.join(ctx.registry.edgeDir, name), 'utf8')).toBe(artifacts[name]);

    const root = await rootTrust(readConfig(ctx.registry.db).rootJwk);
    const trust = await buildTrustContext(readTrustArtifacts(ctx.registry.edgeDir), { root });
    expect(trust.problems).toEqual([]);
    const codes = await Promise.all(licences.map(async (l) => (await verifySeal(l.seal, ctx.now, trust)).code));
    expect(codes).toEqual(['authorized', 'suspended', 'revoked']);

    // The status list reads with the reference library: serial 0 unused, then 0 valid, 2 suspended, 1 revoked.
    const list = getListFromStatusListJWT(artifacts['status-list']);
    expect([0, 1, 2, 3].map((i) => list.getStatus(i))).toEqual([0, 0, 2, 1]);
    expect(decodeJwt(artifacts['status-list'])).toMatchObject({ sub: 'https://v.qdyp.cn/api/v1/status-list', ttl: 60 });

    const bundle = parseBundle(artifacts.bundle);
    expect(bundle).toEqual({ keyList: artifacts['key-list'], statusList: artifacts['status-list'], register: artifacts.register, asOf: ctx.now.toISOString() });

    const key = activeKey(ctx.registry.db)!;
    const revoked = await compactVerify(artifacts['revoked-inspectors'], await importJWK(key.jwk, 'EdDSA'));
    expect(revoked.protectedHeader).toMatchObject({ typ: 'qdyp-revoked-inspectors+jwt', kid: key.kid });
    expect(JSON.parse(new TextDecoder().decode(revoked.payload))).toEqual({ iat: Math.floor(ctx.now.getTime() / 1000), jtis: [] });
  });

  it('an empty registry publishes a usable, empty status list and register', async () => {
    const ctx = await apiRegistry();
    const { artifacts } = await publishLocal(ctx.registry, ctx.now);
    const root = await rootTrust(readConfig(ctx.registry.db).rootJwk);
    const trust = await buildTrustContext({ keyList: artifacts['key-list'], statusList: artifacts['status-list'], register: artifacts.register }, { root });
    expect(trust.problems).toEqual([]);
    expect(trust.register!.entries.size).toBe(0);
  });

  it('re-signs the key list under a new version when it nears expiry', async () => {
    const ctx = await apiRegistry();
    const later = { ...ctx, now: new Date(ctx.now.getTime() + 340 * 24 * 3600 * 1000) };
    expect(keyListDue(ctx.registry, ctx.now)).toBe(false);
    expect(keyListDue(ctx.registry, later.now)).toBe(true);
    const { warnings } = await publishLocal(ctx.registry, later.now);
    expect(warnings.join('\n')).toMatch(/key list expires/);
    const result = await refreshKeyList(later, readPrivateKey(path.join(ctx.registry.keysDir, 'root.jwk')));
    expect(result.keyListVersion).toBe(2);
    expect(keyListExpiry(ctx.registry).getTime()).toBe(later.now.getTime() + 365 * 24 * 3600 * 1000);
    expect(keyListDue(ctx.registry, later.now)).toBe(false);
  });

  it('--to cloudflare: builds the wrangler command and the bulk file, and reports a failure', async () => {
    const { ctx } = await programme();
    const { artifacts } = await publishLocal(ctx.registry, ctx.now);
    expect(wranglerBulkPutCommand('/tmp/a.json')).toEqual({ command: 'npx', args: ['wrangler', 'kv', 'bulk', 'put', '--remote', '--binding', 'QDYP_KV', '/tmp/a.json'] });
    let seen: { command: string; args: string[]; cwd: string; file: unknown; mode: number } | undefined;
    publishToCloudflare(artifacts, {
      cwd: '/somewhere',
      run: (command, args, cwd) => {
        const file = args[args.length - 1]!;
        seen = { command, args, cwd, file: JSON.parse(fs.readFileSync(file, 'utf8')), mode: fs.statSync(file).mode & 0o777 };
        return 0;
      },
    });
    expect(seen).toMatchObject({ command: 'npx', cwd: '/somewhere', mode: 0o600 });
    expect(seen!.args.slice(0, 7)).toEqual(['wrangler', 'kv', 'bulk', 'put', '--remote', '--binding', 'QDYP_KV']);
    expect(seen!.file).toEqual(kvBulkEntries(artifacts));
    expect((seen!.file as { key: string }[]).map((e) => e.key)).toEqual([...ARTIFACT_NAMES]);
    // The temporary bulk file is removed afterwards.
    expect(fs.existsSync(seen!.args[seen!.args.length - 1]!)).toBe(false);
    expect(() => publishToCloudflare(artifacts, { run: () => 1 })).toThrow(expect.objectContaining({ code: 'publish_failed' }));
  });
});
