// `qdyp artwork` on a registry whose keys directory is gone: artwork comes only from what was
// signed at issuance, and what it prints scans (zbarimg) to a seal that verifies.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliRegistry, USCC, type Run } from '../support.ts';

let reg: Awaited<ReturnType<typeof cliRegistry>>;
let number: string;
let sealUrl: string;

function zbar(file: string): string {
  return execFileSync('zbarimg', ['--quiet', '--raw', file], { encoding: 'utf8' }).trim();
}

beforeAll(async () => {
  reg = await cliRegistry();
  expect((await reg.run(['holder', 'add', '--uscc', USCC.a, '--name', '青岛崂山茶业有限公司', '--address', '青岛市崂山区北宅街道', '--region', '370212'])).code).toBe(0);
  const issued = await reg.run(['licence', 'issue', '--holder', USCC.a, '--tier', 'product', '--sector', 'agriculture', '--product', '崂山绿茶', '--trademark', '崂山', '--valid-days', '365', '--json']);
  expect(issued.code).toBe(0);
  ({ number, sealUrl } = issued.json());
  // The portal's machine and a print shop's have no private key: neither does this registry now.
  fs.rmSync(path.join(reg.dir, 'keys'), { recursive: true });
});

describe('qdyp artwork with no keys directory', () => {
  const out = (name: string) => path.join(reg.dir, name);

  it.each([
    ['png', ['--size-mm', '25', '--dpi', '300']],
    ['png', []],
    ['svg', ['--framed']],
  ])('%s %j scans to the seal URL, which verifies', async (format, extra) => {
    const file = out(`art-${format}-${extra.join('')}.${format}`);
    const run: Run = await reg.run(['artwork', number, '--format', format, ...extra, '--out', file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    let png = file;
    if (format === 'svg') {
      png = `${file}.png`;
      execFileSync('rsvg-convert', ['--width', '800', '--background-color', 'white', '--output', png, file]);
    }
    const decoded = zbar(png);
    expect(decoded).toBe(sealUrl);
    const verdict = await reg.run(['verify', decoded, '--json']);
    expect(verdict.json()).toMatchObject({ code: 'authorized', licence: { number } });
  });

  it('pdf: the certificate names the holder and the licence, and its QR scans', async () => {
    const file = out('certificate.pdf');
    expect((await reg.run(['artwork', number, '--format', 'pdf', '--out', file])).code).toBe(0);
    expect(fs.statSync(file).size).toBeLessThan(1024 * 1024);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    expect(text).toContain('青岛崂山茶业有限公司');
    expect(text).toContain('青岛市崂山区北宅街道');
    expect(text).toContain(number);
    execFileSync('pdftoppm', ['-png', '-r', '200', '-f', '1', '-l', '1', file, out('certificate')]);
    const page = fs.readdirSync(reg.dir).find((f) => f.startsWith('certificate') && f.endsWith('.png'))!;
    expect(zbar(out(page))).toBe(sealUrl);
  });

  it('refuses a size below the minimum with the reason, and writes nothing', async () => {
    const file = out('too-small.png');
    const run = await reg.run(['artwork', number, '--format', 'png', '--size-mm', '20', '--out', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/0\.4 mm.*smallest print is [\d.]+ mm/s);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses an unknown licence and a bad format', async () => {
    expect((await reg.run(['artwork', 'QDYP-2026-999999', '--format', 'png', '--out', out('x.png')])).code).toBe(1);
    expect((await reg.run(['artwork', number, '--format', 'gif', '--out', out('x.gif')])).code).toBe(2);
  });
});
