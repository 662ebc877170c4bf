// Bar P3 (DESIGN §6): `qdyp import` licences/s × signatures per licence ≥ 0.7× the raw
// node:crypto Ed25519 sign rate, measured side by side in this run.
//
// The import is the real command, in-process: read, decode and parse the CSV, check every
// row, then sign, store and audit in chunks whose commits survive a power cut
// (synchronous=FULL). Its time runs from the call to the progress line of the last commit;
// the one publish at the end is reported beside it (it costs what the whole register costs,
// whatever the batch size). The raw rate is `crypto.sign(null, data, KeyObject)` in a loop on
// one thread, over the very bytes an import signs (seal and licence-document signing inputs),
// measured right before and right after the import.
import { sign } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadavg } from 'node:os';
import { parseSeal } from '../src/core/index.ts';
import { main } from '../src/node/cli/main.ts';
import { loadSigner } from '../src/node/key-files.ts';
import { openRegistry } from '../src/node/registry/db.ts';
import { activeKey } from '../src/node/registry/keys.ts';
import { listLicences } from '../src/node/registry/licences.ts';
import { generatedCsv } from '../test/node/import/batch-files.ts';

const ROWS = 20_000;
const WARM_UP_ROWS = 2_000;
const RAW_SIGNS = 30_000;
/** A seal and a licence document: what planIssues signs for each new licence. */
const SIGNATURES_PER_LICENCE = 2;
const NOW = '2026-11-27T04:00:00Z';

interface Timed {
  code: number;
  /** Seconds from the call to the last chunk's progress line, and to the return. */
  imported: number;
  total: number;
  stderr: string;
}

async function qdyp(argv: string[], rows = 0): Promise<Timed> {
  let stderr = '';
  let imported = NaN;
  const start = performance.now();
  const done = `imported ${rows}/${rows}\n`;
  const code = await main(argv, {
    stdout: { write: () => true },
    stderr: {
      write: (text: string) => {
        stderr += text;
        if (text === done) imported = (performance.now() - start) / 1000;
        return true;
      },
    },
    env: { QDYP_NOW: NOW, QDYP_ACTOR: 'bench' },
    cwd: os.tmpdir(),
  });
  return { code, imported, total: (performance.now() - start) / 1000, stderr };
}

async function newRegistry(dir: string, name: string, rows: number): Promise<{ db: string; csv: string }> {
  const db = path.join(dir, name, 'qdyp.sqlite');
  const init = await qdyp(['--db', db, 'init', '--origin', 'https://v.qdyp.cn']);
  if (init.code !== 0) throw new Error(`init failed: ${init.stderr}`);
  const csv = path.join(dir, `${name}.csv`);
  fs.writeFileSync(csv, generatedCsv(rows));
  return { db, csv };
}

/** Signatures per second of node:crypto on one thread, cycling through `messages`. */
function rawSignRate(key: Parameters<typeof sign>[2], messages: Uint8Array[]): number {
  const start = performance.now();
  for (let i = 0; i < RAW_SIGNS; i++) sign(null, messages[i % messages.length]!, key);
  return RAW_SIGNS / ((performance.now() - start) / 1000);
}

export default async function importBench(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qdyp-bench-import-'));
  try {
    // Warm up (JIT, worker start-up) and collect the bytes an import signs, with their key.
    const warm = await newRegistry(dir, 'warm-up', WARM_UP_ROWS);
    const warmed = await qdyp(['--db', warm.db, 'import', warm.csv], WARM_UP_ROWS);
    if (warmed.code !== 0) throw new Error(`warm-up import failed: ${warmed.stderr}`);
    const registry = openRegistry(warm.db);
    const signer = await loadSigner(registry, activeKey(registry.db)!.kid);
    const messages = listLicences(registry.db).flatMap((l) => [parseSeal(l.seal)!.signed, new TextEncoder().encode(l.document.slice(0, l.document.lastIndexOf('.')))]);
    registry.close();

    const { db, csv } = await newRegistry(dir, 'measured', ROWS);
    const before = rawSignRate(signer.keyObject, messages);
    const run = await qdyp(['--db', db, 'import', csv], ROWS);
    const after = rawSignRate(signer.keyObject, messages);
    if (run.code !== 0 || Number.isNaN(run.imported)) throw new Error(`import failed: ${run.stderr}`);

    const signRate = (before + after) / 2;
    const licencesPerSecond = ROWS / run.imported;
    const ratio = (licencesPerSecond * SIGNATURES_PER_LICENCE) / signRate;
    console.log(
      `P3 ratio=${ratio.toFixed(3)} licences_per_s=${licencesPerSecond.toFixed(0)} signatures_per_licence=${SIGNATURES_PER_LICENCE} sign_per_s=${signRate.toFixed(0)}` +
        ` rows=${ROWS} import_s=${run.imported.toFixed(2)} publish_s=${(run.total - run.imported).toFixed(2)} sign_per_s_before=${before.toFixed(0)} sign_per_s_after=${after.toFixed(0)}` +
        ` cores=${os.availableParallelism()} load=${loadavg()[0]!.toFixed(2)}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
