// `qdyp verify PHOTO`: a photo of a printed label is decoded (zxing-wasm) and its QR code's text
// verified exactly as a scanned URL, from the registry's published edge/ store. A picture with
// no code, a code that is not a qdyp seal, an oversized or unreadable file: refused, exit 1.
import fs from 'node:fs';
import path from 'node:path';
import QRCode from 'qrcode';
import { beforeAll, describe, expect, it } from 'vitest';
import { labelArtworkPng, labelPhoto, noCodePhoto } from '../../support/label-photo.ts';
import { cliRegistry, USCC } from '../support.ts';

let reg: Awaited<ReturnType<typeof cliRegistry>>;
let valid: { number: string; sealUrl: string };
let revoked: { number: string; sealUrl: string };

const file = (name: string, bytes: Uint8Array | string) => {
  const f = path.join(reg.dir, name);
  fs.writeFileSync(f, bytes);
  return f;
};

async function issue(product: string): Promise<{ number: string; sealUrl: string }> {
  const issued = await reg.run(['licence', 'issue', '--holder', USCC.a, '--tier', 'product', '--sector', 'agriculture', '--product', product, '--valid-days', '365', '--json']);
  expect(issued.code, issued.stderr).toBe(0);
  const { number, sealUrl } = issued.json();
  return { number, sealUrl };
}

beforeAll(async () => {
  reg = await cliRegistry();
  expect((await reg.run(['holder', 'add', '--uscc', USCC.a, '--name', '青岛崂山茶业有限公司', '--region', '370212'])).code).toBe(0);
  valid = await issue('崂山绿茶');
  revoked = await issue('崂山红茶');
  expect((await reg.run(['licence', 'revoke', revoked.number, '--reason', '冒用标识'])).code).toBe(0);
});

describe('qdyp verify PHOTO', () => {
  it('a phone photo of an authorized licence\'s printed label (rotated, in perspective, blurred) is authorized', async () => {
    const photo = file('valid.jpg', labelPhoto(await labelArtworkPng(valid.sealUrl, valid.number), 'mixed', 1));
    const json = await reg.run(['verify', photo, '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.json()).toMatchObject({ code: 'authorized', authorized: true, licence: { number: valid.number, products: ['崂山绿茶'] }, decoded: valid.sealUrl });

    const human = await reg.run(['verify', photo]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^正品授权 \/ Authorized {2}\(authorized\)\n/);
    expect(human.stdout).toContain(`QR code       "${valid.sealUrl}"`);
    // Named by its contents, not its extension: a JPEG called label.dat is still a photo.
    const renamed = path.join(reg.dir, 'label.dat');
    fs.copyFileSync(photo, renamed);
    expect((await reg.run(['verify', renamed, '--json'])).json()).toMatchObject({ code: 'authorized', decoded: valid.sealUrl });
  });

  it('a photo of a revoked licence\'s label says revoked, exit 1', async () => {
    const photo = file('revoked.jpg', labelPhoto(await labelArtworkPng(revoked.sealUrl, revoked.number), 'mixed', 2));
    const run = await reg.run(['verify', photo, '--json']);
    expect(run.code).toBe(1);
    expect(run.json()).toMatchObject({ code: 'revoked', authorized: false, licence: { number: revoked.number, statusReason: '冒用标识' }, decoded: revoked.sealUrl });
  });

  it('a photo with no QR code is refused with a clear message', async () => {
    const photo = file('shelf.jpg', noCodePhoto(3));
    const run = await reg.run(['verify', photo, '--json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`qdyp: refused: no QR code found in ${photo}: `);
  });

  it('a QR code that is not a qdyp seal is refused, its text shown (escaped, truncated) and never opened', async () => {
    const png = file('hello.png', await QRCode.toBuffer('https://example.com/hello'));
    const run = await reg.run(['verify', png, '--json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/not a qdyp seal/);
    expect(run.stderr).toContain('"https://example.com/hello"');

    // Text that would break or reorder the output line (the decoder itself already shows C0
    // controls such as ESC as <ESC>), and is long.
    const hostile = `AUTHORIZED\u2028正品授权\u202e\u200b${'x'.repeat(400)}`;
    const evil = await reg.run(['verify', file('hostile.png', await QRCode.toBuffer(hostile)), '--json']);
    expect(evil.code).toBe(1);
    expect(evil.stderr).toMatch(/not a qdyp seal/);
    for (const raw of ['\u2028', '\u202e', '\u200b']) expect(evil.stderr).not.toContain(raw);
    expect(evil.stderr).toContain('"AUTHORIZED\\u2028正品授权\\u202e\\u200b');
    expect(evil.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(evil.stderr).not.toContain('x'.repeat(250));
    expect(evil.stderr).toContain(`${'x'.repeat(183)}" … (417 characters)`);
  });

  it('what counts as a seal is the seal parser\'s: another host\'s /v/ URL is checked by its signature', async () => {
    const seal = valid.sealUrl.split('/V/')[1]!;
    // A genuine seal behind another address still carries its signature, which decides.
    const elsewhere = `https://shop.example.com/v/${seal}`;
    const copied = await reg.run(['verify', file('elsewhere.png', await QRCode.toBuffer(elsewhere)), '--json']);
    expect(copied.code).toBe(0);
    expect(copied.json()).toMatchObject({ code: 'authorized', decoded: elsewhere });
    // A seal-shaped text whose signature was altered is a verdict (bad signature), not a refusal.
    const forged = `${valid.sealUrl.slice(0, -1)}${valid.sealUrl.endsWith('A') ? 'B' : 'A'}`;
    const bad = await reg.run(['verify', file('forged.png', await QRCode.toBuffer(forged)), '--json']);
    expect(bad.code).toBe(1);
    expect(bad.json()).toMatchObject({ code: 'bad_signature', authorized: false, decoded: forged });
    // Our own origin with something that is not a seal after /V/ is not a seal either.
    const broken = await reg.run(['verify', file('broken.png', await QRCode.toBuffer('HTTPS://V.QDYP.CN/V/NOTASEAL')), '--json']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/not a qdyp seal; it holds "HTTPS:\/\/V\.QDYP\.CN\/V\/NOTASEAL"/);
  });

  it('random bytes named x.jpg, an unreadable image, and binary junk are refused clearly', async () => {
    const random = new Uint8Array(5000);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) % 251;
    const jpg = await reg.run(['verify', file('x.jpg', random)]);
    expect(jpg.code).toBe(1);
    expect(jpg.stdout).toBe('');
    expect(jpg.stderr).toMatch(/x\.jpg cannot be read as a photo of a label, and is not a seal or licence document/);
    // A PNG signature with nothing behind it.
    const truncated = await reg.run(['verify', file('label.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))]);
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toMatch(/label\.png cannot be read as a photo of a label/);
    // Binary that is no image at all, under a neutral name.
    const junk = await reg.run(['verify', file('junk.bin', random)]);
    expect(junk.code).toBe(1);
    expect(junk.stderr).toMatch(/junk\.bin is neither a photo of a label .* nor a seal/);
    // A photo that is not there is a usage error, not a "malformed" verdict.
    const missing = await reg.run(['verify', path.join(reg.dir, 'nowhere.jpg')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nowhere\.jpg/);
  });

  it('a huge image is refused: over 32 MiB before it is read, over the pixel limit by the decoder', async () => {
    const big = path.join(reg.dir, 'big.jpg');
    fs.writeFileSync(big, Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
    fs.truncateSync(big, 33 * 1024 * 1024); // sparse: nothing to read, if it were read
    const tooBig = await reg.run(['verify', big]);
    expect(tooBig.code).toBe(1);
    expect(tooBig.stderr).toMatch(/big\.jpg is over 32 MiB/);

    // A PNG header claiming 10,000 × 10,000 pixels (100 megapixels).
    const header = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
    header.writeUInt32BE(13, 8);
    header.write('IHDR', 12, 'ascii');
    header.writeUInt32BE(10_000, 16);
    header.writeUInt32BE(10_000, 20);
    header.set([8, 2, 0, 0, 0], 24);
    const wide = await reg.run(['verify', file('wide.png', header)]);
    expect(wide.code).toBe(1);
    expect(wide.stderr).toMatch(/wide\.png: the photo is 10000 × 10000 pixels/);
  });

  it('--help describes photos, no longer "not supported"', async () => {
    const help = await reg.run(['verify', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: qdyp verify URL\|SEAL\|PHOTO\|LICENCE\.jws/);
    expect(help.stdout).toContain('photo of a label');
    expect(help.stdout).not.toContain('not supported');
  });
});
