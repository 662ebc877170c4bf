// `qdyp verify LICENCE.jws --proof FILE`: the licence's .tlog-proof checked offline against the
// key list the verify already trusts (the edge directory, or a trust bundle). The proof must
// hold, be of this licence and say what the document says; an older event of the licence is
// reported as such, and every refusal exits non-zero with a clear message.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatTlogProof, parseTlogProof } from '../../../src/core/index.ts';
import { licenceLogProof } from '../../../src/node/log-proofs.ts';
import { startServer } from '../../../src/node/server.ts';
import { query } from '../import/batch-files.ts';
import { cliRegistry, tempDir, USCC } from '../support.ts';

type Reg = Awaited<ReturnType<typeof cliRegistry>>;
let reg: Reg;
let files: string;

/** The licence's document and the .tlog-proof of its latest log entry, as files. */
async function saved(number: string, name: string): Promise<{ document: string; proof: string; index: number }> {
  const shown = await reg.run(['licence', 'show', number, '--json']);
  const [{ log_index: index }] = query<{ log_index: number }>(reg.db, `SELECT log_index FROM licences WHERE number = '${number}'`) as [{ log_index: number }];
  const [{ entry }] = query<{ entry: string }>(reg.db, `SELECT entry FROM log_entries WHERE idx = ${index}`) as [{ entry: string }];
  const made = await licenceLogProof(path.join(reg.dir, 'edge'), index, entry);
  if (made.kind !== 'proof') throw new Error('not yet published');
  const document = path.join(files, `${name}.jws`);
  const proof = path.join(files, `${name}.tlog-proof`);
  fs.writeFileSync(document, `${shown.json().document}\n`);
  fs.writeFileSync(proof, made.text);
  return { document, proof, index };
}

let a: Awaited<ReturnType<typeof saved>>;
let aBefore: Awaited<ReturnType<typeof saved>>;
let b: Awaited<ReturnType<typeof saved>>;

beforeAll(async () => {
  reg = await cliRegistry();
  files = tempDir();
  await reg.run(['holder', 'add', '--uscc', USCC.a, '--name', '青岛海滨食品有限公司', '--region', '370211']);
  await reg.run(['holder', 'add', '--uscc', USCC.b, '--name', '青岛智能家电有限公司']);
  const issue = (holder: string, product: string) => reg.run(['licence', 'issue', '--holder', holder, '--tier', 'product', '--sector', 'manufacturing', '--product', product, '--until', '2028-12-31']);
  expect((await issue(USCC.a, '海参')).code).toBe(0);
  expect((await issue(USCC.b, '冰箱')).code).toBe(0);
  aBefore = await saved('QDYP-2026-000001', 'a-before');
  b = await saved('QDYP-2026-000002', 'b');
  const updated = await reg.run(['licence', 'update', 'QDYP-2026-000001', '--product', '海参', '--product', '鲍鱼']);
  expect(updated.code, updated.stderr).toBe(0);
  a = await saved('QDYP-2026-000001', 'a');
});

const verify = async (document: string, proof: string, extra: string[] = []) => {
  const run = await reg.run(['verify', document, '--proof', proof, ...extra]);
  const json = await reg.run(['verify', document, '--proof', proof, '--json', ...extra]);
  return { code: run.code, text: run.stdout, json: json.json(), jsonCode: json.code };
};

describe('verify LICENCE.jws --proof', () => {
  it("holds for the licence's latest entry: logged as entry N in the checkpoint of size S", async () => {
    const size = Number(fs.readFileSync(path.join(reg.dir, 'edge', 'log', 'checkpoint'), 'utf8').split('\n')[1]);
    const result = await verify(a.document, a.proof);
    expect(result.code).toBe(0);
    expect(result.jsonCode).toBe(0);
    expect(result.json).toMatchObject({ code: 'authorized', logIndex: a.index, proof: { ok: true, match: 'match', index: a.index, event: 'licence.update', checkpoint: { size }, log: 'v.qdyp.cn/log' } });
    expect(result.text).toContain(`transparency log: logged as entry ${a.index} in the checkpoint of size ${size} (licence.update,`);
  });

  it("is the very file the verifier serves at /log/entry/N.tlog-proof", async () => {
    const rootJwk = JSON.parse(fs.readFileSync(path.join(reg.dir, 'root.public.jwk'), 'utf8'));
    const server = await startServer({ port: 0, edgeDir: path.join(reg.dir, 'edge'), rootJwk, verifyOrigin: 'https://v.qdyp.cn', clock: () => new Date('2026-11-27T04:00:00Z'), log: () => {} });
    try {
      const res = await fetch(`${server.url}/log/entry/${a.index}.tlog-proof`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(fs.readFileSync(a.proof, 'utf8'));
    } finally {
      await server.close();
    }
  });

  it("holds offline against a trust bundle's key list", async () => {
    // (The bundle is rebuilt on a schedule: its verdict may lag, the proof needs its key list only.)
    const result = await verify(a.document, a.proof, ['--bundle', path.join(reg.dir, 'edge', 'bundle')]);
    expect(result.json).toMatchObject({ bundle: { region: null }, proof: { ok: true, match: 'match', index: a.index } });
  });

  it('reports a proof of an older event of the licence as such, not as a match', async () => {
    // The issue entry with today's document: it lacks the product added since.
    const stale = await verify(a.document, aBefore.proof);
    expect(stale.code).toBe(1);
    expect(stale.json.proof).toMatchObject({ ok: false, match: 'older', index: aBefore.index, event: 'licence.issue' });
    expect(stale.json.proof.message).toContain(`the licence's latest is entry ${a.index}`);
    expect(stale.json.proof.message).toContain('products');
    // Even with the document of its own time: the licence has changed since.
    const old = await verify(aBefore.document, aBefore.proof);
    expect(old.json.proof).toMatchObject({ ok: false, match: 'older' });
    expect(old.text).toContain('transparency log: the proof is refused: the proof is of an older event of this licence');
  });

  it("refuses another licence's proof", async () => {
    const result = await verify(a.document, b.proof);
    expect(result.code).toBe(1);
    expect(result.json.proof).toMatchObject({ ok: false, match: 'other_licence' });
    expect(result.json.proof.message).toContain('about licence QDYP-2026-000002 (serial 2), not QDYP-2026-000001');
  });

  it('refuses a tampered proof, a forged entry, a proof without its entry, and a file that is no proof', async () => {
    const parsed = parseTlogProof(fs.readFileSync(a.proof, 'utf8'));
    const write = (name: string, text: string) => {
      const file = path.join(files, name);
      fs.writeFileSync(file, text);
      return file;
    };
    const hash = structuredClone(parsed);
    hash.proof[0]![0]! ^= 1;
    const cases: [string, string, string][] = [
      ['hash.tlog-proof', formatTlogProof(hash), 'ERR_TLOG_PROOF'],
      ['entry.tlog-proof', formatTlogProof({ ...parsed, extra: new TextEncoder().encode(new TextDecoder().decode(parsed.extra).replace('鲍鱼', '鲍鱼礼盒')) }), 'ERR_TLOG_PROOF'],
      ['bare.tlog-proof', formatTlogProof({ ...parsed, extra: undefined }), 'ERR_TLOG_MALFORMED'],
      ['signature.tlog-proof', fs.readFileSync(a.proof, 'utf8').replace(/\n(\d+)\n/, (_m, n: string) => `\n${Number(n) + 1}\n`), 'ERR_TLOG_SIGNATURE'],
      ['garbage.tlog-proof', 'not a proof\n', 'ERR_TLOG_MALFORMED'],
    ];
    for (const [name, text, code] of cases) {
      const result = await verify(a.document, write(name, text));
      expect(result.code, name).toBe(1);
      expect(result.json.proof, name).toMatchObject({ ok: false, error: code });
      expect(result.text, name).toContain('transparency log: the proof is refused: the proof does not hold:');
      // The verdict itself still stands.
      expect(result.json.code, name).toBe('authorized');
    }
  });

  it('is for a licence document only, and a missing proof file is a usage error', async () => {
    const url = (await reg.run(['licence', 'show', 'QDYP-2026-000001', '--json'])).json().sealUrl;
    expect((await reg.run(['verify', url, '--proof', a.proof])).code).toBe(2);
    expect((await reg.run(['verify', a.document, '--proof', path.join(files, 'none.tlog-proof')])).code).toBe(2);
  });
});
