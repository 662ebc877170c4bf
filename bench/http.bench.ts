// Bars P2 and P5 (DESIGN §6) on the Node entry, measured as ratios in one run.
//
// P2: the verifier runs as its own process (as `qdyp serve` does) on an edge directory; the
// load generator is autocannon, driven from this process over loopback, on the same 2 cores.
//   distinct = /api/v1/verify over seals the server has never seen ÷ in-process verifySeal at
//              the same concurrency;
//   repeated = /api/v1/verify for one seal ÷ /healthz.
// P5: the largest verdict page, in bytes on the wire (status line, headers and body; the Node
// server does not compress, so raw is what travels; gzip is printed for a compressing front).
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { buildTrustContext, createSeal, entryLookupFromTexts, licenceEntryKey, OUTCOMES, verifySeal, type Outcome, type TrustContext } from '../src/core/index.ts';
import { entry, issue, newProgramme, T0, type Programme } from '../test/support/programme.ts';
import { writeEdgeDir } from '../test/web/edge-dir.ts';
import { artifactsOf } from '../test/web/fixtures.ts';

const CONCURRENCY = 32;
const DISTINCT_PER_ROUND = 3_000;
const REPEATED_PER_ROUND = 6_000;
const ROUNDS = 7;
// One round's worth first, not counted: JIT, sockets, the server's first trust context. autocannon
// prepares a request or two per connection beyond `amount`: those use up seals too.
const DISTINCT_SEALS = (DISTINCT_PER_ROUND + 4 * CONCURRENCY) * (ROUNDS + 1);

export default async function httpBench(): Promise<void> {
  console.error(`P2: signing ${DISTINCT_SEALS} seals…`);
  const { p, seals, pages } = await programme();
  const artifacts = await artifactsOf(p, { bundles: false });
  const edgeDir = await writeEdgeDir(artifacts);
  // In process, each verdict verifies the licence's entry as the server must for a seal it has
  // never seen (read from memory here, from the edge directory there): the same work.
  const { texts } = artifacts;
  const ctx = await buildTrustContext(
    { keyList: texts['key-list'], statusList: texts['status-list'], revisionList: texts['revision-list'] },
    { root: p.root, entries: (c) => entryLookupFromTexts((serial, value) => Promise.resolve(texts[licenceEntryKey(serial, value)] ?? null), c.keyList, () => T0) },
  );
  const server = await startServerProcess(edgeDir, p);
  try {
    await p2(server.url, seals, ctx);
    await p5(server.url, pages);
  } finally {
    server.child.kill();
  }
}

interface PageCase {
  name: string;
  path: string;
}

/** Licences for the distinct-seal rounds, plus the richest licences a page could show for P5. */
async function programme(): Promise<{ p: Programme; seals: string[]; pages: PageCase[] }> {
  const p = await newProgramme();
  const key = p.keys[0]!;
  const seals: string[] = [];
  for (let serial = 1; serial <= DISTINCT_SEALS; serial++) {
    p.entries.set(serial, entry(serial));
    p.revisions.set(serial, 1);
    seals.push(await createSeal({ serial, horizon: key.record.verifyUntil }, key.signer));
  }
  const rich = {
    holder: { name: '青岛海滨现代农业与海洋食品科技集团股份有限公司（黄岛区分公司）', uscc: '91370200MA3C5X8Y1K', address: '山东省青岛市黄岛区滨海大道 1888 号海洋食品产业园 3 号楼 5 层' },
    products: Array.from({ length: 12 }, (_, i) => `即食海参礼盒（${i + 1}号规格，500克装）`),
    trademarks: ['海滨', '海滨优品', 'HAIBIN', '琴岛海韵', '崂山湾'],
    chain: '食品饮料·海洋食品精深加工',
  };
  const base = DISTINCT_SEALS;
  const richSeals: Partial<Record<Outcome, string>> = {
    authorized: await issue(p, base + 1, rich),
    suspended: await issue(p, base + 2, { ...rich, status: 'suspended', statusReason: '2026年第三季度市场监管抽检中，产品标签与授权范围不符，责令整改期间暂停使用标识' }),
    revoked: await issue(p, base + 3, { ...rich, status: 'revoked', statusReason: '超出授权范围使用青岛优品标识，经复核后撤销许可' }),
    expired: await issue(p, base + 4, { ...rich, validFrom: '2023-01-01', validUntil: '2025-12-31' }),
    not_yet_valid: await issue(p, base + 5, { ...rich, validFrom: '2027-01-01' }),
  };
  const pages: PageCase[] = [];
  for (const outcome of OUTCOMES) {
    const seal = richSeals[outcome] ?? 'A'.repeat(120); // the rest show no licence: malformed stands for them
    for (const lang of ['zh', 'en']) pages.push({ name: `${outcome}-${lang}`, path: `/V/${seal}?lang=${lang}` });
  }
  return { p, seals, pages };
}

/** The Node entry in its own process, serving the edge directory at the fixtures' time. */
async function startServerProcess(edgeDir: string, p: Programme): Promise<{ url: string; child: ChildProcess }> {
  const script = `
    const { startServer } = await import(${JSON.stringify(new URL('../src/node/server.ts', import.meta.url).href)});
    const options = JSON.parse(process.env.QDYP_BENCH_SERVER);
    const server = await startServer({ ...options, clock: () => new Date(options.time), log: () => {} });
    console.log(server.url);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('..', import.meta.url),
    env: { ...process.env, QDYP_BENCH_SERVER: JSON.stringify({ port: 0, edgeDir, rootJwk: p.rootJwk, time: T0.getTime() }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
  });
  return { url, child };
}

/** Requests per second for `amount` requests over `CONCURRENCY` connections, from first send to last response. */
async function httpRate(url: string, amount: number, path: () => string): Promise<number> {
  let responses = 0;
  let last = 0;
  const start = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const run = autocannon({ url, connections: CONCURRENCY, amount, requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: path() }) }] }, (error, done) =>
      error ? reject(error) : resolve(done),
    );
    // autocannon's own duration is counted in whole seconds: too coarse for short rounds.
    run.on('response', () => {
      responses++;
      last = performance.now();
    });
  });
  if (result.errors || result.timeouts || result.non2xx) throw new Error(`P2: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
  return responses / ((last - start) / 1000);
}

/** verifySeal calls per second with `CONCURRENCY` in flight. */
async function inProcessRate(amount: number, seal: (i: number) => string, ctx: TrustContext): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < amount) await verifySeal(seal(next++), T0, ctx);
    }),
  );
  return amount / ((performance.now() - start) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function p2(url: string, seals: string[], ctx: TrustContext): Promise<void> {
  // Every response must be the real verdict, not an error page answered quickly.
  for (const seal of [seals[0]!, seals.at(-1)!]) {
    const body = (await (await fetch(`${url}/api/v1/verify?seal=${seal}`)).json()) as { code: string };
    if (body.code !== 'authorized') throw new Error(`P2: the server says ${body.code}`);
  }
  let unseen = 2; // seals[0] and the last one have been asked for
  const distinct = () => httpRate(url, DISTINCT_PER_ROUND, () => `/api/v1/verify?seal=${seals[unseen++]}`);
  const inProcess = () => inProcessRate(DISTINCT_PER_ROUND, (i) => seals[i % seals.length]!, ctx);
  const repeated = () => httpRate(url, REPEATED_PER_ROUND, () => `/api/v1/verify?seal=${seals[0]}`);
  const health = () => httpRate(url, REPEATED_PER_ROUND, () => '/healthz');

  await distinct();
  await inProcess();
  await repeated();
  await health();
  const rates = { distinct: [] as number[], inProcess: [] as number[], repeated: [] as number[], health: [] as number[] };
  const ratios = { distinct: [] as number[], repeated: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which side of a pair goes first: a busy neighbour slows both sides alike.
    const pair = async (a: () => Promise<number>, b: () => Promise<number>) => {
      if (round % 2 === 0) return [await a(), await b()] as const;
      const second = await b();
      return [await a(), second] as const;
    };
    const [d, i] = await pair(distinct, inProcess);
    const [r, h] = await pair(repeated, health);
    rates.distinct.push(d);
    rates.inProcess.push(i);
    rates.repeated.push(r);
    rates.health.push(h);
    ratios.distinct.push(d / i);
    ratios.repeated.push(r / h);
  }
  if (unseen > seals.length) throw new Error(`P2: needed ${unseen} unseen seals, had ${seals.length}`);
  console.error(`P2 distinct ratios by round: ${ratios.distinct.map((r) => r.toFixed(2)).join(' ')}`);
  console.error(`P2 repeated ratios by round: ${ratios.repeated.map((r) => r.toFixed(2)).join(' ')}`);
  console.log(
    `P2 distinct=${median(ratios.distinct).toFixed(3)} repeated=${median(ratios.repeated).toFixed(3)} ` +
      `http_distinct_per_s=${median(rates.distinct).toFixed(0)} verify_seal_per_s=${median(rates.inProcess).toFixed(0)} ` +
      `http_repeated_per_s=${median(rates.repeated).toFixed(0)} healthz_per_s=${median(rates.health).toFixed(0)} ` +
      `concurrency=${CONCURRENCY} rounds=${ROUNDS}`,
  );
}

/** The whole HTTP response for `path`, as bytes off the socket. */
function wire(url: string, path: string): Promise<Buffer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
    // Not end(): the server closes after its answer (Connection: close), not at our half-close.
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
  });
}

async function p5(url: string, pages: PageCase[]): Promise<void> {
  let largest: { name: string; bytes: number; body: Buffer } = { name: '', bytes: 0, body: Buffer.alloc(0) };
  for (const page of pages) {
    const response = await wire(url, page.path);
    if (!response.toString('latin1', 0, 12).startsWith('HTTP/1.1 200')) throw new Error(`P5: ${page.name} did not answer 200`);
    if (/content-encoding/i.test(response.toString('latin1', 0, response.indexOf('\r\n\r\n')))) throw new Error('P5: unexpected compression');
    if (response.length > largest.bytes) largest = { name: page.name, bytes: response.length, body: response.subarray(response.indexOf('\r\n\r\n') + 4) };
  }
  console.log(`P5 bytes=${largest.bytes} page=${largest.name} body_bytes=${largest.body.length} gzip_body_bytes=${gzipSync(largest.body).length} limit=${16 * 1024}`);
}
