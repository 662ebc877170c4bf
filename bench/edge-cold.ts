// Bar P7's child: one fresh verifier, as a cold Worker isolate or a newly started Node
// verifier meets its first request. Run by edge.bench.ts as
//   node --expose-gc --import tsx bench/edge-cold.ts PROGRAMME.json RUN WARM_SCANS
// Everything before the clock starts is start-up, not measured: loading the modules, reading
// the store (standing in for KV or the edge directory) and the pinned root key (configuration).
// Measured, from "artifacts requested" to "verdict returned": fetch the key list, status list
// and revision list from the store, verify and parse them (buildTrustContext), then one scan
// (verifySeal of a real seal, which reads and verifies that licence's entry). Then, with the
// context ready, warm scans of other seals (their entries read and verified afresh: nothing is
// cached per licence). Prints one JSON line on stdout.
import { readFileSync } from 'node:fs';
import { buildTrustContext, entryLookupFromTexts, licenceEntryKey, rootTrust, verifySeal } from '../src/core/index.ts';
import { nodeCodecs } from '../src/node/codecs.ts';
import type { EdgeProgramme } from './edge-programme.ts';

// The Node verifier decodes lists with nodeCodecs (node:zlib and Buffer), as here: Node 20's
// DecompressionStream and a JS base64 loop cost a cold process about ten times as much on a
// megabyte; workerd's are native, so the Worker keeps the core's defaults.

const [file, runArg, warmArg] = process.argv.slice(2);
const programme = JSON.parse(readFileSync(file!, 'utf8')) as EdgeProgramme;
const run = Number(runArg);
const store = new Map(Object.entries(programme.store));
const time = new Date(programme.time);
const root = await rootTrust(programme.rootJwk);
// A store read is I/O (a KV get, a file read): asynchronous, as the real ones are.
const fetchText = (key: string): Promise<string | null> => Promise.resolve(store.get(key) ?? null);
const seals = programme.seals;
const coldSeal = seals[run % seals.length]!;
const warmSeals = Array.from({ length: Number(warmArg) }, (_, i) => seals[(run + 1 + i) % seals.length]!);

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
gc();
const memory = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};
const before = memory();
// The first use of `performance` loads node:perf_hooks (~2 ms): start-up, not the verdict.
performance.now();
// CPU time too (all of the process's threads): what the Workers plan counts, and steadier than
// wall-clock time on a shared machine.
const cpu = process.cpuUsage();

const start = performance.now();
const [keyList, statusList, revisionList] = await Promise.all([fetchText('key-list'), fetchText('status-list'), fetchText('revision-list')]);
const ctx = await buildTrustContext(
  { keyList, statusList, revisionList },
  { root, ...nodeCodecs, entries: (c) => entryLookupFromTexts((serial, value) => fetchText(licenceEntryKey(serial, value)), c.keyList, () => time) },
);
const verdict = await verifySeal(coldSeal, time, ctx);
const coldMs = performance.now() - start;
const used = process.cpuUsage(cpu);
const coldCpuMs = (used.user + used.system) / 1000;
const atVerdict = memory();

const warmUs: number[] = [];
const codes = [verdict.code];
for (const seal of warmSeals) {
  const t = performance.now();
  const v = await verifySeal(seal, time, ctx);
  warmUs.push((performance.now() - t) * 1000);
  codes.push(v.code);
}
gc();
const retained = memory();

if (codes.some((code) => code !== 'authorized') || ctx.problems.length > 0) {
  console.error(`edge-cold: verdicts ${codes.join(' ')}; problems ${JSON.stringify(ctx.problems)}`);
  process.exit(1);
}
const sorted = [...warmUs].sort((a, b) => a - b);
console.log(
  JSON.stringify({
    coldMs,
    coldCpuMs,
    warmUs: sorted[Math.floor(sorted.length / 2)],
    secondScanUs: warmUs[0],
    heapDeltaMb: (atVerdict - before) / 2 ** 20,
    retainedMb: (retained - before) / 2 ** 20,
    totalMb: atVerdict / 2 ** 20,
    listBytes: (statusList?.length ?? 0) + (revisionList?.length ?? 0),
  }),
);
