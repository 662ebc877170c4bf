// `qdyp artwork NUMBER --format pdf` and the transparency log: once the registry's published
// log (edge/) covers the licence's latest entry, the certificate's annex prints that entry's
// .tlog-proof, the same file the proof download and the verifier hand out; before, page 1 says
// where the proof will be online.
import fs from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { licenceLogProof } from '../../../src/node/log-proofs.ts';
import { pdfText } from '../artwork/tools.ts';
import { query } from '../import/batch-files.ts';
import { cliRegistry, USCC } from '../support.ts';

let reg: Awaited<ReturnType<typeof cliRegistry>>;
let number: string;
let index: number;

beforeAll(async () => {
  reg = await cliRegistry();
  expect((await reg.run(['holder', 'add', '--uscc', USCC.a, '--name', '青岛崂山茶业有限公司', '--region', '370212'])).code).toBe(0);
  const issued = await reg.run(['licence', 'issue', '--holder', USCC.a, '--tier', 'product', '--sector', 'agriculture', '--product', '崂山绿茶', '--valid-days', '365', '--json']);
  expect(issued.code, issued.stderr).toBe(0);
  number = issued.json().number;
  index = query<{ log_index: number }>(reg.db, `SELECT log_index FROM licences WHERE number = '${number}'`)[0]!.log_index;
});

describe('qdyp artwork --format pdf', () => {
  it("prints the licence's .tlog-proof in the annex once the published log covers it", async () => {
    const out = path.join(reg.dir, 'certificate.pdf');
    const run = await reg.run(['artwork', number, '--format', 'pdf', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect((await PDFDocument.load(fs.readFileSync(out))).getPageCount()).toBe(3);
    const text = await pdfText(out);
    const [{ entry }] = query<{ entry: string }>(reg.db, `SELECT entry FROM log_entries WHERE idx = ${index}`) as [{ entry: string }];
    const proof = await licenceLogProof(path.join(reg.dir, 'edge'), index, entry);
    if (proof.kind !== 'proof') throw new Error('the log is published');
    expect(text).toContain(`透明日志第 ${index} 条，证明见附页`);
    // Every line of the proof file that fits a printed line is there as it is.
    for (const line of proof.text.split('\n').filter((l) => l !== '' && l.length < 100)) expect(text).toContain(line);
  });

  it('says where the proof will be online while no published checkpoint covers the entry', async () => {
    fs.rmSync(path.join(reg.dir, 'edge', 'log', 'checkpoint'));
    const out = path.join(reg.dir, 'pending.pdf');
    expect((await reg.run(['artwork', number, '--format', 'pdf', '--out', out])).code).toBe(0);
    expect((await PDFDocument.load(fs.readFileSync(out))).getPageCount()).toBe(2);
    expect(await pdfText(out)).toContain(`透明日志第 ${index} 条，证明见 v.qdyp.cn/log/entry/${index}`);
  });
});
