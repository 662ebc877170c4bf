// The portal and the transparency log, with no key anywhere: the snapshot carries each
// licence's latest log entry and the log as published, so a holder downloads the licence's
// .tlog-proof beside its .jws (and `qdyp verify LICENCE.jws --proof` accepts the pair), and the
// certificate's annex prints it. Before a published checkpoint covers the entry, the page says
// the proof comes with the next publication, the download is not there, and the certificate
// says where the proof will be online.
import fs from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTlogProof } from '../../../src/core/index.ts';
import { writePortalSnapshot } from '../../../src/node/portal/index.ts';
import { pdfText, Workdir } from '../artwork/tools.ts';
import { query } from '../import/batch-files.ts';
import { tempDir } from '../support.ts';
import { Client, PASSWORD, portalFixture, startPortal, testClock, USCC, type Fixture } from './support.ts';

let fx: Fixture;
let holder: Client;
const work = new Workdir();
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const logIndexOf = (number: string) => query<{ log_index: number }>(fx.db, `SELECT log_index FROM licences WHERE number = '${number}'`)[0]!.log_index;

async function signedIn(snapshotFile?: string): Promise<Client> {
  const portal = startPortal(snapshotFile ? { ...fx, snapshotFile } : fx, { clock: testClock().now });
  const client = new Client(portal);
  expect((await client.activate(USCC.a, fx.codes.a, PASSWORD)).status).toBe(303);
  expect((await client.signIn(USCC.a, 'admin', PASSWORD)).status).toBe(303);
  return client;
}

beforeAll(async () => {
  fx = await portalFixture();
  holder = await signedIn();
  return () => work.remove();
});

describe('a licence whose entry the published checkpoint covers', () => {
  it('offers its .tlog-proof beside the .jws, and the pair verifies with qdyp verify --proof', async () => {
    const base = `/portal/licences/${fx.numbers.aSuspended}`;
    const page = await (await holder.get(base)).text();
    expect(page).toContain(`href="${base}/licence.tlog-proof"`);
    expect(text(page)).toContain(`透明日志第 ${logIndexOf(fx.numbers.aSuspended)} 条`);
    expect(text(page)).toContain(`qdyp verify ${fx.numbers.aSuspended}.jws --proof ${fx.numbers.aSuspended}.tlog-proof`);

    const res = await holder.get(`${base}/licence.tlog-proof`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=UTF-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${fx.numbers.aSuspended}.tlog-proof"`);
    const proofText = await res.text();
    const proof = parseTlogProof(proofText);
    expect(proof.index).toBe(logIndexOf(fx.numbers.aSuspended));
    // The licence's latest event: its suspension.
    expect(JSON.parse(new TextDecoder().decode(proof.extra))).toMatchObject({ event: 'licence.suspend', licence: { number: fx.numbers.aSuspended, status: 'suspended' } });

    const jws = await (await holder.get(`${base}/licence.jws`)).text();
    const files = tempDir();
    fs.writeFileSync(path.join(files, 'l.jws'), jws);
    fs.writeFileSync(path.join(files, 'l.tlog-proof'), proofText);
    const verified = await fx.run(['verify', path.join(files, 'l.jws'), '--proof', path.join(files, 'l.tlog-proof'), '--json']);
    expect(verified.json()).toMatchObject({ code: 'suspended', proof: { ok: true, match: 'match', index: proof.index } });
  });

  it("prints the proof in the certificate's annex", async () => {
    const pdf = await holder.get(`/portal/licences/${fx.numbers.a1}/certificate.pdf`);
    expect(pdf.status).toBe(200);
    const bytes = new Uint8Array(await pdf.arrayBuffer());
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(3);
    const words = await pdfText(work.file('certificate.pdf', bytes));
    expect(words).toContain('附页：透明日志记录');
    expect(words).toContain('c2sp.org/tlog-proof@v1');
    expect(words).toContain(`index ${logIndexOf(fx.numbers.a1)}`);
  });

  it("never hands out another holder's proof", async () => {
    expect((await holder.get(`/portal/licences/${fx.numbers.b1}/licence.tlog-proof`)).status).toBe(404);
  });
});

describe('a licence whose entry no published checkpoint covers yet', () => {
  let pending: Client;
  beforeAll(async () => {
    // The same registry, snapshotted from a copy of its edge/ without the log: as before the
    // first publication of these entries.
    const edge = path.join(tempDir(), 'edge');
    fs.cpSync(path.join(fx.dir, 'edge'), edge, { recursive: true });
    fs.rmSync(path.join(edge, 'log', 'checkpoint'));
    const out = path.join(tempDir('qdyp-portal-host-'), 'portal.sqlite');
    expect(writePortalSnapshot({ dbPath: fx.db, out, now: new Date('2026-11-27T04:00:00Z'), edgeDir: edge })).toMatchObject({ logSize: null, logTiles: 0 });
    pending = await signedIn(out);
  });

  it('says the proof comes with the next publication, and has no proof to download', async () => {
    const base = `/portal/licences/${fx.numbers.a1}`;
    const index = logIndexOf(fx.numbers.a1);
    const page = text(await (await pending.get(base)).text());
    expect(page).toContain(`本许可的最新记录是透明日志第 ${index} 条。其证明将在下次发布后提供，届时也可在 https://v.qdyp.cn/log/entry/${index} 查看。`);
    expect(page).not.toContain('licence.tlog-proof');
    const en = text(await (await pending.get(`${base}?lang=en`)).text());
    expect(en).toContain(`Its proof will be available after the next publication, and then also at https://v.qdyp.cn/log/entry/${index}.`);
    expect((await pending.get(`${base}/licence.tlog-proof`)).status).toBe(404);
  });

  it('makes the certificate without the annex, saying where the proof will be online', async () => {
    const bytes = new Uint8Array(await (await pending.get(`/portal/licences/${fx.numbers.a1}/certificate.pdf`)).arrayBuffer());
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(2);
    const words = await pdfText(work.file('pending.pdf', bytes));
    expect(words).toContain(`v.qdyp.cn/log/entry/${logIndexOf(fx.numbers.a1)}`);
    expect(words).not.toContain('c2sp.org/tlog-proof@v1');
  });
});
