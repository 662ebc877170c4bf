// Bars P7 and P8 (issue 10): the edge at any programme size, measured in one run.
//
// P7 cold/warm: the first verdict of a fresh verifier, in fresh child processes (edge-cold.ts;
//   module loading not counted), for a programme of 1,000,000 licences ÷ one of 1,000 (1%
//   revoked, 1% suspended, 5% of details revised), the median of COLD_RUNS children each,
//   the two sizes alternating so a busy neighbour slows both alike. The programmes' artifacts
//   are built straight from core (edge-programme.ts): lists over every serial, entries only
//   for the licences scanned (and a few hundred more). Warm: further scans, context ready,
//   each of another seal whose entry is read and verified afresh. Heap: heap_mb is the growth
//   of heapUsed + external (the inflated lists are ArrayBuffers, outside heapUsed) from
//   "artifacts requested" to the verdict, garbage included; retained_mb the same after a GC;
//   process_heap_mb the child's whole heapUsed + external at the verdict (runtime, modules and
//   the store itself included). cold_cpu_ms is the child's CPU time over the same span (what the
//   Workers plan counts; steadier than wall-clock time on a shared machine).
// P7 publish: bytes one revocation publishes in a registry of 100,000 licences, with the real
//   importer, issuer and publisher (publishLocal), and the largest value it writes.
// P8: the offline bundle's gzip bytes a licence, for 100,000 varied licences and one district.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildBundle,
  bundleRegionIncludes,
  signKeyList,
  signRevisionList,
  signStatusList,
  STATUS_VALUE,
} from '../src/core/index.ts';
import { main } from '../src/node/cli/main.ts';
import { importSelectionBatch } from '../src/node/import/index.ts';
import { revokeLicence } from '../src/node/issuer/index.ts';
import { publishedBytes, publishLocal, type Publication } from '../src/node/publish.ts';
import { openRegistry } from '../src/node/registry/db.ts';
import { newProgramme, REVISION_URI, STATUS_URI, T0 } from '../test/support/programme.ts';
import { mulberry32, syntheticLicences } from '../test/support/synthetic.ts';
import { edgeProgramme } from './edge-programme.ts';

const SMALL = 1_000;
const LARGE = 1_000_000;
const COLD_RUNS = 7;
/** Warm scans in each child, each of another seal: the child reports their median. */
const WARM_SCANS = 16;
/** Distinct scannable licences a programme has: each child scans one cold and WARM_SCANS warm. */
const SCANS = COLD_RUNS + WARM_SCANS + 8;
const PUBLISH_LICENCES = 100_000;
const BUNDLE_LICENCES = 100_000;
/** The district whose bundle P8 also measures (黄岛区, the largest). */
const DISTRICT = '370211';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = path.resolve(here, '..');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

export default async function edgeBench(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qdyp-bench-edge-'));
  try {
    await p7Cold(dir);
    await p7Publish(dir);
    await p8();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface ColdRun {
  coldMs: number;
  coldCpuMs: number;
  warmUs: number;
  secondScanUs: number;
  heapDeltaMb: number;
  retainedMb: number;
  totalMb: number;
  listBytes: number;
}

/** One fresh verifier: a child process on the programme file. */
function coldRun(file: string, run: number): Promise<ColdRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(here, 'edge-cold.ts'), file, String(run), String(WARM_SCANS)], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ColdRun) : reject(new Error(`edge-cold.ts exited ${code}`))));
  });
}

async function p7Cold(dir: string): Promise<void> {
  const files: Record<number, string> = {};
  const sizes: Record<number, { lists: number; store: number; revoked: number; suspended: number; revised: number }> = {};
  for (const licences of [SMALL, LARGE]) {
    const start = performance.now();
    const programme = await edgeProgramme(licences, SCANS);
    files[licences] = path.join(dir, `programme-${licences}.json`);
    fs.writeFileSync(files[licences], JSON.stringify(programme));
    const store = programme.store;
    sizes[licences] = {
      lists: store['status-list']!.length + store['revision-list']!.length,
      store: Object.keys(store).length,
      revoked: programme.revoked,
      suspended: programme.suspended,
      revised: programme.revised,
    };
    console.error(
      `P7: programme of ${licences} built in ${((performance.now() - start) / 1000).toFixed(1)} s: status list ${store['status-list']!.length} B, ` +
        `revision list ${store['revision-list']!.length} B, ${sizes[licences].store} store keys`,
    );
  }

  const runs: Record<number, ColdRun[]> = { [SMALL]: [], [LARGE]: [] };
  for (let run = 0; run < COLD_RUNS; run++) {
    const order = run % 2 === 0 ? [SMALL, LARGE] : [LARGE, SMALL];
    for (const licences of order) runs[licences]!.push(await coldRun(files[licences]!, run));
  }
  const summary = (licences: number) => {
    const r = runs[licences]!;
    return {
      cold: median(r.map((x) => x.coldMs)),
      cpu: median(r.map((x) => x.coldCpuMs)),
      warm: median(r.map((x) => x.warmUs)),
      second: median(r.map((x) => x.secondScanUs)),
      heap: median(r.map((x) => x.heapDeltaMb)),
      retained: median(r.map((x) => x.retainedMb)),
      total: median(r.map((x) => x.totalMb)),
    };
  };
  const small = summary(SMALL);
  const large = summary(LARGE);
  for (const licences of [SMALL, LARGE]) {
    console.error(`P7 cold ms at ${licences}: ${runs[licences]!.map((x) => x.coldMs.toFixed(2)).join(' ')}`);
    console.error(`P7 cold CPU ms at ${licences}: ${runs[licences]!.map((x) => x.coldCpuMs.toFixed(2)).join(' ')}`);
    console.error(`P7 warm µs at ${licences}: ${runs[licences]!.map((x) => x.warmUs.toFixed(0)).join(' ')}`);
  }
  console.log(
    `P7 cold_ratio=${(large.cold / small.cold).toFixed(3)} warm_ratio=${(large.warm / small.warm).toFixed(3)} ` +
      `cold_ms_1m=${large.cold.toFixed(2)} cold_ms_1k=${small.cold.toFixed(2)} warm_us_1m=${large.warm.toFixed(0)} warm_us_1k=${small.warm.toFixed(0)} ` +
      `cold_cpu_ratio=${(large.cpu / small.cpu).toFixed(3)} cold_cpu_ms_1m=${large.cpu.toFixed(2)} cold_cpu_ms_1k=${small.cpu.toFixed(2)} ` +
      `heap_mb_1m=${large.heap.toFixed(1)} heap_mb_1k=${small.heap.toFixed(1)} retained_mb_1m=${large.retained.toFixed(1)} process_heap_mb_1m=${large.total.toFixed(1)} ` +
      `second_scan_us_1m=${large.second.toFixed(0)} second_scan_us_1k=${small.second.toFixed(0)} ` +
      `list_bytes_1m=${sizes[LARGE]!.lists} list_bytes_1k=${sizes[SMALL]!.lists} revoked_1m=${sizes[LARGE]!.revoked} suspended_1m=${sizes[LARGE]!.suspended} ` +
      `revised_1m=${sizes[LARGE]!.revised} runs=${COLD_RUNS} warm_scans=${WARM_SCANS} inflate=node-zlib licences=${LARGE}`,
  );
}

const CSV_HEADER = 'batch,ref,uscc,holder_name,address,region,tier,sector,chain,products,trademarks,valid_from,valid_until';
const csvCell = (value: string | null) => (value === null ? '' : /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** The largest value a publication writes to KV, bundles aside (they go to R2): [key, bytes]. */
function largestValue(publication: Publication): [string, number] {
  let largest: [string, number] = ['', 0];
  for (const [key, value] of [...publication.entries, ...publication.log, ...publication.lists]) if (value.length > largest[1]) largest = [key, value.length];
  return largest;
}

/**
 * A registry of PUBLISH_LICENCES varied licences through the real import (the CSV made from
 * syntheticLicences), made realistic for the lists (1% revoked, 1% suspended, 5% revised) by
 * updating rows directly before the first publish (thousands of issuer commands would take
 * minutes and measure nothing here); then one full publish, one revocation through the
 * issuer, and the publish that revocation needs: what it writes is the figure.
 */
async function p7Publish(dir: string): Promise<void> {
  const now = T0;
  const db = path.join(dir, 'registry', 'qdyp.sqlite');
  let stderr = '';
  const io = { stdout: { write: () => true }, stderr: { write: (text: string) => ((stderr += text), true) }, env: { QDYP_NOW: now.toISOString(), QDYP_ACTOR: 'bench' }, cwd: dir };
  if ((await main(['--db', db, 'init', '--origin', 'https://v.qdyp.cn'], io)) !== 0) throw new Error(`init failed: ${stderr}`);

  const lines = [CSV_HEADER];
  for (const { serial, entry: e } of syntheticLicences(PUBLISH_LICENCES, 2027)) {
    lines.push(
      ['2026', String(serial), e.holder.uscc, e.holder.name, e.holder.address, e.region, e.tier, e.sector, e.chain, e.products.join(';'), e.trademarks.join(';'), e.validFrom, e.validUntil]
        .map(csvCell)
        .join(','),
    );
  }
  const csv = path.join(dir, 'batch.csv');
  fs.writeFileSync(csv, `${lines.join('\r\n')}\r\n`);

  const registry = openRegistry(db, { now });
  try {
    const ctx = { registry, now, actor: 'bench' };
    console.error(`P7: importing ${PUBLISH_LICENCES} licences…`);
    let start = performance.now();
    const summary = await importSelectionBatch(ctx, csv);
    const importS = (performance.now() - start) / 1000;
    if (summary.licencesIssued !== PUBLISH_LICENCES) throw new Error(`P7: imported ${summary.licencesIssued} licences`);

    const random = mulberry32(10);
    const serials = registry.db.prepare('SELECT serial FROM licences ORDER BY serial').pluck().all() as number[];
    for (let i = serials.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [serials[i], serials[j]] = [serials[j]!, serials[i]!];
    }
    const setStatus = registry.db.prepare('UPDATE licences SET status = ?, status_reason = ?, status_changed_at = ?, revision = revision + 1 WHERE serial = ?');
    const revise = registry.db.prepare('UPDATE licences SET revision = revision + ? WHERE serial = ?');
    const hundredth = PUBLISH_LICENCES / 100;
    registry.db.transaction(() => {
      for (const s of serials.slice(0, hundredth)) setStatus.run('revoked', '抽检不合格', now.toISOString(), s);
      for (const s of serials.slice(hundredth, 2 * hundredth)) setStatus.run('suspended', '整改期间暂停使用', now.toISOString(), s);
      for (const s of serials.slice(2 * hundredth, 7 * hundredth)) revise.run(1 + Math.floor(random() * 3), s);
    })();

    start = performance.now();
    const full = await publishLocal(registry, now, { full: true });
    const fullS = (performance.now() - start) / 1000;

    const later = new Date(now.getTime() + 60_000);
    const victim = registry.db.prepare("SELECT number FROM licences WHERE status = 'valid' AND serial = ?").pluck().get(serials[7 * hundredth]!) as string;
    await revokeLicence({ ...ctx, now: later }, victim, '超出授权范围使用标识');
    start = performance.now();
    const change = await publishLocal(registry, later);
    const changeMs = performance.now() - start;
    if (change.entries.length !== 1) throw new Error(`P7: a revocation published ${change.entries.length} entries`);

    const [largestKey, largest] = largestValue(change);
    const [fullLargestKey, fullLargest] = largestValue(full);
    const lists = Object.fromEntries(change.lists.map(([key, text]) => [key, text.length]));
    console.log(
      `P7 publish_change_bytes=${publishedBytes(change)} largest_value_bytes=${largest} largest_key=${largestKey} ` +
        `entry_bytes=${change.entries[0]![1].length} status_list_bytes=${lists['status-list']} revision_list_bytes=${lists['revision-list']} ` +
        `full_publish_bytes=${publishedBytes(full)} full_largest_value_bytes=${fullLargest} full_largest_key=${fullLargestKey.replace(/\/\d+\/\d+$/, '/…')} ` +
        `import_s=${importS.toFixed(1)} publish_full_s=${fullS.toFixed(1)} publish_change_ms=${changeMs.toFixed(0)} licences=${PUBLISH_LICENCES}`,
    );
  } finally {
    registry.close();
  }
}

/** P8: the bundle, gzip as served, for BUNDLE_LICENCES varied licences and for one district. */
async function p8(): Promise<void> {
  const p = await newProgramme();
  const key = p.keys[0]!;
  const rows = syntheticLicences(BUNDLE_LICENCES);
  const statuses = new Uint8Array(BUNDLE_LICENCES + 1);
  const revisions = new Uint8Array(BUNDLE_LICENCES + 1);
  for (const { serial, rev, entry } of rows) {
    statuses[serial] = STATUS_VALUE[entry.status];
    revisions[serial] = rev % 256;
  }
  const lists = {
    keyList: await signKeyList([key.record], 1, T0, p.rootSigner),
    statusList: await signStatusList(statuses, { uri: STATUS_URI, time: T0 }, key.signer),
    revisionList: await signRevisionList(revisions, { uri: REVISION_URI, time: T0 }, key.signer),
  };
  const start = performance.now();
  const all = await buildBundle({ ...lists, rows, region: null, time: T0 }, key.signer);
  const allS = (performance.now() - start) / 1000;
  const district = await buildBundle({ ...lists, rows, region: DISTRICT, time: T0 }, key.signer);
  const inDistrict = rows.filter((r) => bundleRegionIncludes(DISTRICT, r.entry.region)).length;
  console.log(
    `P8 bundle_bytes_per_licence=${(all.length / BUNDLE_LICENCES).toFixed(1)} licences=${BUNDLE_LICENCES} region_bytes_per_licence=${(district.length / inDistrict).toFixed(1)} ` +
      `region=${DISTRICT} region_licences=${inDistrict} bundle_mb=${mb(all.length)} region_bundle_mb=${mb(district.length)} build_s=${allS.toFixed(1)}`,
  );
}
