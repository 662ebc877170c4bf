// A key list is never trusted below the version floor: after a compromise, an older bundle
// (still unexpired, signed by the root) replayed to `qdyp verify` cannot say "authorized".
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRegistry, USCC } from '../support.ts';

describe('key-list version floor', () => {
  it('refuses an old bundle replayed after keys compromise', async () => {
    const reg = await cliRegistry();
    expect((await reg.run(['holder', 'add', '--uscc', USCC.a, '--name', '青岛某某食品有限公司'])).code).toBe(0);
    const issued = await reg.run(['licence', 'issue', '--holder', USCC.a, '--tier', 'product', '--sector', 'agriculture', '--product', '鱼丸', '--valid-days', '365', '--json']);
    const { sealUrl } = issued.json();
    expect((await reg.run(['publish'])).code).toBe(0); // bundles are rebuilt by qdyp publish
    const oldBundle = path.join(reg.dir, 'old-bundle.json');
    fs.copyFileSync(path.join(reg.dir, 'edge', 'bundle'), oldBundle);

    const keys = (await reg.run(['keys', 'list', '--json'])).json();
    const active = keys.keys.find((k: { status: string; role: string }) => k.status === 'active' && k.role === 'issue');
    const compromised = await reg.run(['keys', 'compromise', active.kid, '--reason', 'drill', '--json']);
    expect(compromised.code).toBe(0);
    expect(compromised.json().keyListVersion).toBe(2);

    expect((await reg.run(['verify', sealUrl, '--json'])).json().code).toBe('key_compromised');
    // Without a floor, the replayed bundle still speaks for the compromised key...
    expect((await reg.run(['verify', sealUrl, '--bundle', oldBundle, '--json'])).json().code).toBe('authorized');
    // ...with one, its key list is refused and nothing is confirmed.
    const floored = await reg.run(['verify', sealUrl, '--bundle', oldBundle, '--min-key-list-version', '2', '--json']);
    expect(floored.code).toBe(1);
    expect(floored.json().code).toBe('cannot_confirm');
    const byEnv = await reg.run(['verify', sealUrl, '--bundle', oldBundle, '--json'], { QDYP_MIN_KEY_LIST_VERSION: '2' });
    expect(byEnv.json().code).toBe('cannot_confirm');
    expect((await reg.run(['verify', sealUrl, '--min-key-list-version', 'two'])).code).toBe(2);
  });
});
