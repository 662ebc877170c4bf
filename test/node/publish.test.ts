import fs from 'node:fs';
import path from 'node:path';
import { compactVerify, decodeJwt, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { bundleKey, licenceEntryKey, LOG_CHECKPOINT_KEY, logEntriesKey, logTileKey, openBundle, rootTrust, verifySeal } from '../../src/core/index.ts';
import { edgeFile, listEdgeKeys, readEdgeBytes, trustFromEdge } from '../../src/node/edge-store.ts';
import { addHolder, compromiseKey, issueLicence, refreshKeyList, revokeLicence, rotateKey, suspendLicence, updateHolder, updateLicence } from '../../src/node/issuer/index.ts';
import { readPrivateKey } from '../../src/node/key-files.ts';
import { BUNDLE_REGIONS, keyListDue, keyListExpiry, KV_BULK_MAX, publishedBytes, publishLocal, publishToCloudflare, wranglerBulkPutCommand } from '../../src/node/publish.ts';
import { readConfig } from '../../src/node/registry/config.ts';
import { activeKey } from '../../src/node/registry/keys.ts';
import { getLicence } from '../../src/node/registry/licences.ts';
import { logSize } from '../../src/node/registry/log.ts';
import { unpublished } from '../../src/node/registry/publishing.ts';
import { apiRegistry, USCC } from './support.ts';

async function programme() {
  const ctx = await apiRegistry();
  await addHolder(ctx, { uscc: USCC.a, name: '青岛海滨食品有限公司', address: '青岛市黄岛区', region: '370211' });
  const input = { holder: USCC.a, tier: 'product', sector: 'marine', products: ['海参'], validUntil: '2028-12-31' };
  const licences = [await issueLicence(ctx, input), await issueLicence(ctx, input), await issueLicence(ctx, input)];
  await suspendLicence(ctx, licences[1]!.number, '抽检');
  await revokeLicence(ctx, licences[2]!.number, '冒用');
  return { ctx, licences };
}

async function codes(ctx: Awaited<ReturnType<typeof programme>>['ctx'], seals: string[]) {
  const root = await rootTrust(readConfig(ctx.registry.db).rootJwk);
  const trust = await trustFromEdge(ctx.registry.edgeDir, { root, clock: () => ctx.now });
  expect(trust.problems).toEqual([]);
  return Promise.all(seals.map(async (seal) => (await verifySeal(seal, ctx.now, trust)).code));
}

describe('publish', () => {
  it('writes the lists, one entry per licence and the bundles, each verifiable from the pinned root', async () => {
    const { ctx, licences } = await programme();
    const publication = await publishLocal(ctx.registry, ctx.now, { bundles: true });
    expect(publication.warnings).toEqual([]);
    const keys = listEdgeKeys(ctx.registry.edgeDir);
    expect(keys).toEqual(
      [
        'key-list',
        'status-list',
        'revision-list',
        'revoked-inspectors',
        ...BUNDLE_REGIONS.map(bundleKey),
        ...licences.map((l) => licenceEntryKey(l.serial, getLicence(ctx.registry.db, l.number)!.revision % 256)),
        // The transparency log (log-publish.test.ts): its first tile, bundle and checkpoint.
        ...publication.log.map(([key]) => key),
      ].sort(),
    );
    expect(publication.log.map(([key]) => key)).toEqual([logEntriesKey(0, logSize(ctx.registry.db)), logTileKey(0, 0, logSize(ctx.registry.db)), LOG_CHECKPOINT_KEY]);
    // Temp files are renamed into place, and entries sit in per-thousand folders.
    expect(fs.readdirSync(ctx.registry.edgeDir).filter((f) => f.startsWith('.'))).toEqual([]);
    expect(edgeFile(ctx.registry.edgeDir, 'licence/1234/7')).toBe(path.join(ctx.registry.edgeDir, 'licence', '1', '1234.7'));
    expect(await codes(ctx, licences.map((l) => l.seal))).toEqual(['authorized', 'suspended', 'revoked']);

    // The lists read with the reference library: serial 0 unused, then 0 valid, 2 suspended, 1 revoked.
    const lists = Object.fromEntries(publication.lists);
    const list = getListFromStatusListJWT(lists['status-list']!);
    expect([0, 1, 2, 3].map((i) => list.getStatus(i))).toEqual([0, 0, 2, 1]);
    expect(decodeJwt(lists['status-list']!)).toMatchObject({ sub: 'https://v.qdyp.cn/api/v1/status-list', ttl: 60 });
    expect(decodeJwt(lists['revision-list']!)).toMatchObject({ sub: 'https://v.qdyp.cn/api/v1/revision-list', status_list: { bits: 8 } });
    expect(publication.lists.map(([key]) => key)).toEqual(['revision-list', 'status-list', 'key-list', 'revoked-inspectors']);

    const root = await rootTrust(readConfig(ctx.registry.db).rootJwk);
    const bundle = await openBundle((await readEdgeBytes(ctx.registry.edgeDir, 'bundle'))!, root);
    expect(bundle).toMatchObject({ count: 3, region: null, asOf: ctx.now.toISOString() });
    expect((await verifySeal(licences[0]!.seal, ctx.now, bundle.context)).licence).toMatchObject({ holder: { address: '青岛市黄岛区' } });
    const elsewhere = await openBundle((await readEdgeBytes(ctx.registry.edgeDir, 'bundle/370212'))!, root);
    expect(elsewhere.count).toBe(0);

    const key = activeKey(ctx.registry.db)!;
    const revoked = await compactVerify(lists['revoked-inspectors']!, await importJWK(key.jwk, 'EdDSA'));
    expect(revoked.protectedHeader).toMatchObject({ typ: 'qdyp-revoked-inspectors+jwt', kid: key.kid });
    const iat = Math.floor(ctx.now.getTime() / 1000);
    expect(JSON.parse(new TextDecoder().decode(revoked.payload))).toEqual({ iss: 'qdyp', version: 0, iat, exp: iat + 14 * 24 * 60 * 60, jtis: [] });
    expect(unpublished(ctx.registry.db)).toEqual([]);
  });

  it('publishes only what changed: one revocation writes one entry and the lists', async () => {
    const { ctx, licences } = await programme();
    await publishLocal(ctx.registry, ctx.now);
    const next = { ...ctx, now: new Date(ctx.now.getTime() + 60_000) };
    await revokeLicence(next, licences[0]!.number, '冒用标识');
    expect(unpublished(ctx.registry.db)).toMatchObject([{ target: 'local', pendingEntries: 1 }]);
    const publication = await publishLocal(ctx.registry, next.now);
    expect(publication.entries.map(([key]) => key)).toEqual([licenceEntryKey(licences[0]!.serial, 2)]);
    expect(publication.bundles).toEqual([]);
    expect(publishedBytes(publication)).toBeLessThan(8 * 1024);
    expect(await codes(next, [licences[0]!.seal])).toEqual(['revoked']);
    // The old entry is still there (a verifier reading the older list may still want it).
    expect(fs.existsSync(edgeFile(ctx.registry.edgeDir, licenceEntryKey(licences[0]!.serial, 1))!)).toBe(true);
  });

  it("a holder's new name or address republishes every licence of the holder, revoked ones too", async () => {
    const { ctx, licences } = await programme();
    await publishLocal(ctx.registry, ctx.now);
    await updateHolder(ctx, USCC.a, { address: '青岛市黄岛区长江中路 1 号' });
    const publication = await publishLocal(ctx.registry, ctx.now);
    expect(publication.entries.length).toBe(3);
    const root = await rootTrust(readConfig(ctx.registry.db).rootJwk);
    const trust = await trustFromEdge(ctx.registry.edgeDir, { root, clock: () => ctx.now });
    for (const l of licences) expect((await verifySeal(l.seal, ctx.now, trust)).licence?.holder.address).toBe('青岛市黄岛区长江中路 1 号');
    await updateLicence(ctx, licences[0]!.number, { products: ['海参', '鲍鱼'] });
    expect((await publishLocal(ctx.registry, ctx.now)).entries.length).toBe(1);
  });

  it('after a key compromise every entry is signed again, so licences sealed by other keys still verify', async () => {
    const { ctx, licences } = await programme();
    const root = readPrivateKey(path.join(ctx.registry.keysDir, 'root.jwk'));
    await publishLocal(ctx.registry, ctx.now);
    const sealedByFirst = licences[0]!;
    await rotateKey(ctx, root);
    await updateLicence(ctx, sealedByFirst.number, { products: ['海参', '海胆'] }); // its entry is now signed by the second key
    await publishLocal(ctx.registry, ctx.now);
    await compromiseKey(ctx, activeKey(ctx.registry.db)!.kid, root);
    expect(unpublished(ctx.registry.db)).toMatchObject([{ target: 'local', pendingEntries: 3 }]);
    const publication = await publishLocal(ctx.registry, ctx.now);
    expect(publication.entries).toHaveLength(3);
    expect(await codes(ctx, [sealedByFirst.seal])).toEqual(['authorized']);
  });

  it('an empty registry publishes usable, empty lists', async () => {
    const ctx = await apiRegistry();
    await publishLocal(ctx.registry, ctx.now);
    const root = await rootTrust(readConfig(ctx.registry.db).rootJwk);
    const trust = await trustFromEdge(ctx.registry.edgeDir, { root });
    expect(trust.problems).toEqual([]);
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

  it('--to cloudflare: entries first in batches, bundles to R2, the lists last; pending until it succeeds', async () => {
    const { ctx, licences } = await programme();
    await publishLocal(ctx.registry, ctx.now);
    expect(wranglerBulkPutCommand('/tmp/a.json')).toEqual({ command: 'npx', args: ['wrangler', 'kv', 'bulk', 'put', '--remote', '--binding', 'QDYP_KV', '/tmp/a.json'] });
    expect(KV_BULK_MAX).toBe(10_000);
    // A failure leaves Cloudflare's changes pending (and local's published).
    await expect(publishToCloudflare(ctx.registry, ctx.now, { run: () => 1 })).rejects.toMatchObject({ code: 'publish_failed' });
    expect(unpublished(ctx.registry.db).map((t) => t.target)).toEqual(['cloudflare']);
    const seen: { command: string; args: string[]; cwd: string; file: unknown; mode: number }[] = [];
    await publishToCloudflare(ctx.registry, ctx.now, {
      cwd: '/somewhere',
      run: (command, args, cwd) => {
        const file = args.includes('--file') ? args[args.indexOf('--file') + 1]! : args[args.length - 1]!;
        const body = args.includes('r2') ? fs.statSync(file).size : JSON.parse(fs.readFileSync(file, 'utf8'));
        seen.push({ command, args, cwd, file: body, mode: fs.statSync(file).mode & 0o777 });
        return 0;
      },
    });
    expect(seen.every((s) => s.command === 'npx' && s.cwd === '/somewhere' && s.mode === 0o600)).toBe(true);
    expect(seen[0]!.args.slice(0, 7)).toEqual(['wrangler', 'kv', 'bulk', 'put', '--remote', '--binding', 'QDYP_KV']);
    // …then the log's tiles, in the same batch.
    expect((seen[0]!.file as { key: string }[]).map((e) => e.key)).toEqual([
      ...licences.map((l) => licenceEntryKey(l.serial, getLicence(ctx.registry.db, l.number)!.revision % 256)),
      logEntriesKey(0, logSize(ctx.registry.db)),
      logTileKey(0, 0, logSize(ctx.registry.db)),
    ]);
    expect(seen.slice(1, 1 + BUNDLE_REGIONS.length).map((s) => s.args.slice(0, 5))).toEqual(BUNDLE_REGIONS.map((r) => ['wrangler', 'r2', 'object', 'put', `qdyp-bundles/${bundleKey(r)}`]));
    expect((seen.at(-2)!.file as { key: string }[]).map((e) => e.key)).toEqual(['revision-list', 'status-list', 'key-list', 'revoked-inspectors']);
    // The log's checkpoint, alone, the very last.
    expect((seen.at(-1)!.file as { key: string }[]).map((e) => e.key)).toEqual([LOG_CHECKPOINT_KEY]);
    expect(unpublished(ctx.registry.db)).toEqual([]);
  });
});
