// `qdyp verify` and `qdyp serve` read the pinned root, the key-list floor and the official origin
// through the verifier's one settings parser (src/web/config.ts), and refuse a bad one with a
// usage error before doing anything: above all a private key given as the pinned root.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRegistry } from '../support.ts';

const SEAL_URL = 'HTTPS://V.QDYP.CN/V/NOTASEAL';

describe('the verifier settings on the command line', () => {
  it('refuses a private key as the pinned root, from --root or QDYP_ROOT_JWK, without echoing it', async () => {
    const reg = await cliRegistry();
    const privateFile = path.join(reg.dir, 'keys', 'root.jwk');
    const privateText = fs.readFileSync(privateFile, 'utf8');
    const { d } = JSON.parse(privateText) as { d: string };

    const byFile = await reg.run(['verify', SEAL_URL, '--root', privateFile]);
    expect(byFile.code).toBe(2);
    expect(byFile.stderr).toContain(`${privateFile} is a private key: the pinned root must be the root's public JWK (without "d")`);
    const byEnv = await reg.run(['verify', SEAL_URL], { QDYP_ROOT_JWK: privateText });
    expect(byEnv.code).toBe(2);
    expect(byEnv.stderr).toContain('QDYP_ROOT_JWK is a private key');
    const served = await reg.run(['serve', '--root', privateFile], { PORT: '0' });
    expect(served.code).toBe(2);
    expect(served.stderr).toContain('is a private key');
    for (const run of [byFile, byEnv, served]) expect(run.stdout + run.stderr).not.toContain(d);

    // The public half beside the database is still what verify pins by default.
    expect((await reg.run(['verify', SEAL_URL, '--json'])).json().code).toBe('malformed');
  });

  it('names the bad setting: a root that is no key, a floor that is no version, an origin that is no URL', async () => {
    const reg = await cliRegistry();
    const notJson = path.join(reg.dir, 'root.txt');
    fs.writeFileSync(notJson, 'not json');
    expect((await reg.run(['verify', SEAL_URL, '--root', notJson])).stderr).toContain(`${notJson} is not a JSON Web Key`);
    const x25519 = JSON.stringify({ kty: 'OKP', crv: 'X25519', x: 'B'.repeat(43) });
    expect((await reg.run(['verify', SEAL_URL], { QDYP_ROOT_JWK: x25519 })).stderr).toContain('QDYP_ROOT_JWK is not an Ed25519 public JWK');

    const byFlag = await reg.run(['verify', SEAL_URL, '--min-key-list-version', '0']);
    expect(byFlag).toMatchObject({ code: 2 });
    expect(byFlag.stderr).toContain('--min-key-list-version is not a positive whole number');
    expect((await reg.run(['verify', SEAL_URL], { QDYP_MIN_KEY_LIST_VERSION: 'two' })).stderr).toContain('QDYP_MIN_KEY_LIST_VERSION is not a positive whole number');
    expect((await reg.run(['serve'], { PORT: '0', QDYP_MIN_KEY_LIST_VERSION: '1.5' })).stderr).toContain('QDYP_MIN_KEY_LIST_VERSION is not a positive whole number');

    const badOrigin = await reg.run(['serve'], { PORT: '0', QDYP_VERIFY_ORIGIN: 'verify.example.cn' });
    expect(badOrigin.code).toBe(2);
    expect(badOrigin.stderr).toContain('QDYP_VERIFY_ORIGIN is not an http(s) origin');
  });
});
