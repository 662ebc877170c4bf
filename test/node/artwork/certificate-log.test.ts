// The certificate and the transparency log: made after a published checkpoint covers the
// licence's entry, an annex page prints the .tlog-proof line for line, so the printed paper can
// be checked (typed back in, the text is the proof file again); made before, the certificate
// says where the proof will be online. Read back with pdftotext, page 1 scanned with zbarimg.
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeLogEntry,
  generateKeyPair,
  leafHashes,
  logEntryProof,
  logOrigin,
  noteSigner,
  parseTlogProof,
  signCheckpoint,
  TileBuilder,
  tilePath,
  type LicenceLogEntry,
} from '../../../src/core/index.ts';
import { ArtworkError, renderCertificatePdf } from '../../../src/node/artwork/index.ts';
import { T0 } from '../../support/programme.ts';
import { licenceFixture, ORIGIN, pdfPageToPng, pdfText, scan, Workdir, type Fixture } from './tools.ts';

const INDEX = 33;
let fixture: Fixture;
let dir: Workdir;
let proof: string;

function entryFor(f: Fixture, i: number): string {
  const e = f.programme.entries.get(f.serial)!;
  const entry: LicenceLogEntry = {
    v: 1,
    event: 'licence.update',
    time: T0.toISOString(),
    licence: { ...e, holder: { ...e.holder, address: e.holder.address ?? null }, serial: f.serial, rev: 2, sealKid: 'A'.repeat(43), number: i === INDEX ? e.number : `QDYP-2026-${String(900 + i).padStart(6, '0')}` },
  };
  return encodeLogEntry(entry);
}

beforeAll(async () => {
  fixture = await licenceFixture(7, { products: ['海参礼盒', '即食海参'], trademarks: ['海滨'] });
  dir = new Workdir();
  const texts = Array.from({ length: 40 }, (_, i) => entryFor(fixture, i));
  const builder = new TileBuilder();
  const tiles = new Map<string, Uint8Array>();
  for (const t of await builder.append(await leafHashes(texts.map((t) => new TextEncoder().encode(t))))) tiles.set(tilePath(t.level, t.index, t.width), t.hashes);
  const log = logOrigin(ORIGIN);
  const checkpoint = await signCheckpoint({ origin: log, size: texts.length, root: await builder.root() }, await noteSigner(log, await generateKeyPair()));
  proof = await logEntryProof(INDEX, texts[INDEX]!, checkpoint, async (l, i, w) => tiles.get(tilePath(l, i, w))!);
});
afterAll(() => dir.remove());

/** The proof as pdftotext reads it off the annex: from its header to its signature line, continued lines joined. */
function typedBack(text: string): string {
  const lines = text.split('\n').map((l) => l.trimEnd());
  const joined: string[] = [];
  let pending = '';
  for (const line of lines.slice(lines.indexOf('c2sp.org/tlog-proof@v1'))) {
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1);
      continue;
    }
    joined.push(pending + line);
    pending = '';
    if (joined.at(-1)!.startsWith('\u2014 ')) break;
  }
  // A proof has exactly two blank lines (pdftotext drops them): before the checkpoint and before its signatures.
  return `${joined.filter((l) => l !== '').join('\n')}\n`;
}

describe('the certificate made after the checkpoint', () => {
  let pdf: Uint8Array;
  let file: string;
  beforeAll(async () => {
    pdf = await renderCertificatePdf({ sealUrl: fixture.url, licenceDocument: fixture.document, log: { index: INDEX, proof } });
    file = dir.file('certificate-log.pdf', pdf);
  });

  it('has a log annex between the certificate and the print guide, and stays under 1 MB', async () => {
    expect(pdf.length).toBeLessThan(1024 * 1024);
    expect((await PDFDocument.load(pdf)).getPageCount()).toBe(3);
    const page2 = (await pdfText(file)).split('\f')[1]!;
    expect(page2).toContain('附页：透明日志记录');
    expect(page2).toContain('Annex: transparency log record');
    expect(page2).toContain(`本许可的最新记录是青岛优品透明日志的第 ${INDEX} 条`);
    expect(page2).toContain('verify.qdyp.example/log');
    expect(page2.replace(/\s+/g, ' ')).toContain('qdyp verify LICENCE.jws --proof FILE');
  });

  it('prints the proof so that, typed back in, it is the proof file again', async () => {
    const page2 = (await pdfText(file)).split('\f')[1]!;
    const parsed = parseTlogProof(proof);
    expect(page2).toContain(`index ${INDEX}`);
    const back = typedBack(page2);
    // The blank lines pdftotext leaves out, put back where the format has them.
    const restored = back.replace(`\n${parsed.checkpoint.split('\n')[0]}\n`, `\n\n${parsed.checkpoint.split('\n')[0]}\n`).replace(/\n(\u2014 )/, '\n\n$1');
    expect(restored).toBe(proof);
  });

  it('says on page 1 that the proof is in the annex, and page 1 still scans to the seal URL', async () => {
    const page1 = (await pdfText(file)).split('\f')[0]!;
    expect(page1).toContain(`透明日志第 ${INDEX} 条，证明见附页`);
    expect(page1).toContain(`Transparency log entry ${INDEX}, proof printed in the annex`);
    expect(await scan(await pdfPageToPng(file, 1, 200))).toEqual([fixture.url]);
  });
});

describe('the certificate made before the checkpoint covers the entry', () => {
  it('has no log annex, and says where the proof will be online', async () => {
    const pdf = await renderCertificatePdf({ sealUrl: fixture.url, licenceDocument: fixture.document, log: { index: INDEX } });
    expect((await PDFDocument.load(pdf)).getPageCount()).toBe(2);
    const text = await pdfText(dir.file('certificate-pending.pdf', pdf));
    expect(text).toContain(`透明日志第 ${INDEX} 条，证明见 verify.qdyp.example/log/entry/${INDEX}`);
    expect(text).toContain(`proof available online at verify.qdyp.example/log/entry/${INDEX}`);
    expect(text).not.toContain('c2sp.org/tlog-proof@v1');
  });

  it('refuses a proof of another entry, or text that is not a proof', async () => {
    for (const log of [{ index: INDEX + 1, proof }, { index: INDEX, proof: 'not a proof' }, { index: -1 }]) {
      await expect(renderCertificatePdf({ sealUrl: fixture.url, licenceDocument: fixture.document, log })).rejects.toBeInstanceOf(ArtworkError);
    }
  });
});
