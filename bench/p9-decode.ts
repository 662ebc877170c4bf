// Bar P9: label-photo decode rate ≥ 95% and ≥ zbarimg's on the same generated photos, in one
// run, side by side (a photo is decoded by ours, then by zbarimg, before the next).
//
// Photos: 40 of each kind (test/support/label-photo.ts: rotation, perspective, blur, glare,
// heavy JPEG, a small code), each of one of several real seals' framed artwork (different
// keys' seals, licence numbers and origins), from `--seed N` (default 9). Ours is decodeQrImage
// (the inspector page's zxing-wasm reader) on the file's bytes; zbarimg runs as a user would,
// `zbarimg --quiet --raw FILE`, one process a photo. A success is exactly the seal URL.
// Times are medians: ours in-process (file read included), zbarimg's the whole process.
// P9.none: photos with no code in them (ours must find nothing; its time to say so).
//
// `npm run bench -- decode [--seed N] [--keep]`, or `npx tsx bench/p9-decode.ts [--seed N] [--keep]`
// (--keep leaves the photos in the temporary directory, to look at the misses).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sealUrl } from '../src/core/index.ts';
import { decodeQrImage } from '../src/node/qr-decode.ts';
import { labelArtworkPng, labelPhoto, noCodePhoto, PHOTO_KINDS, type PhotoKind } from '../test/support/label-photo.ts';
import { entry, issue, newKey, newProgramme } from '../test/support/programme.ts';

const PER_KIND = 40;
const NO_CODE_PHOTOS = 20;
const DEFAULT_SEED = 9;
const ORIGINS = ['HTTPS://VERIFY.QDYP.EXAMPLE', 'HTTPS://YP.QINGDAO.GOV.CN', 'HTTP://QDYP.CN', 'HTTPS://V.QDYP.ORG.CN:8443'];
const SERIALS = [1, 42, 777, 12_345, 250_001, 3_000_007, 99_999_999, 4_294_967_295];

interface Label {
  url: string;
  png: Uint8Array;
}

interface Trial {
  kind: PhotoKind;
  ours: boolean;
  zbar: boolean;
  oursMs: number;
  zbarMs: number;
}

const median = (values: number[]) => (values.length === 0 ? NaN : [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!);
const rate = (trials: Trial[], pick: (t: Trial) => boolean) => trials.filter(pick).length / trials.length;
const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? '1.00' : 'inf') : (a / b).toFixed(2));

function seedFromArgs(argv: string[]): number {
  const at = argv.indexOf('--seed');
  if (at === -1) return DEFAULT_SEED;
  const seed = Number(argv[at + 1]);
  if (!Number.isSafeInteger(seed)) throw new Error('p9-decode: --seed takes an integer');
  return seed;
}

/** Real seals from two issuing keys, their URLs under several origins, as framed artwork. */
async function labels(): Promise<Label[]> {
  const programme = await newProgramme();
  programme.keys.push(await newKey());
  const out: Label[] = [];
  for (const [i, serial] of SERIALS.entries()) {
    const seal = await issue(programme, serial, {}, programme.keys[i % 2]!);
    const url = sealUrl(ORIGINS[i % ORIGINS.length]!, seal);
    out.push({ url, png: await labelArtworkPng(url, entry(serial).number) });
  }
  return out;
}

/** zbarimg as a user runs it: its printed lines, and the whole process's wall time. */
function zbarimg(file: string): Promise<{ lines: string[]; ms: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn('zbarimg', ['--quiet', '--raw', file], { stdio: ['ignore', 'pipe', 'ignore'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      // 0: found; 4: found nothing. Anything else is a failure of the tool, not of a photo.
      if (code !== 0 && code !== 4) reject(new Error(`zbarimg exited ${code} on ${file}`));
      else resolve({ lines: Buffer.concat(out).toString('utf8').split('\n').map((l) => l.trim()).filter(Boolean), ms });
    });
  });
}

async function ours(file: string): Promise<{ text: string | null; ms: number }> {
  const start = performance.now();
  const result = await decodeQrImage(new Uint8Array(await fs.promises.readFile(file)));
  return { text: result.ok ? result.text : null, ms: performance.now() - start };
}

function summary(id: string, trials: Trial[]): string {
  const decodeRate = rate(trials, (t) => t.ours);
  const zbarRate = rate(trials, (t) => t.zbar);
  const ms = median(trials.map((t) => t.oursMs));
  const zbarMs = median(trials.map((t) => t.zbarMs));
  return (
    `${id} decode_rate=${decodeRate.toFixed(3)} zbarimg_rate=${zbarRate.toFixed(3)} ratio=${ratio(decodeRate, zbarRate)} ` +
    `ms_per_photo=${ms.toFixed(1)} zbarimg_ms=${zbarMs.toFixed(1)} ms_ratio=${(ms / zbarMs).toFixed(2)} photos=${trials.length}`
  );
}

export default async function p9DecodeBench(argv: string[] = process.argv.slice(2)): Promise<void> {
  const seed = seedFromArgs(argv);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qdyp-bench-p9-'));
  try {
    const made = await labels();
    // The reader's one-time load, outside the per-photo times (reported on its own).
    const loadStart = performance.now();
    const warm = await decodeQrImage(made[0]!.png);
    const loadMs = performance.now() - loadStart;
    if (!warm.ok || warm.text !== made[0]!.url) throw new Error('p9-decode: the artwork itself does not decode');

    console.error(`P9: making ${PER_KIND * PHOTO_KINDS.length} label photos (seed ${seed}) in ${dir}…`);
    const photos: { kind: PhotoKind; url: string; file: string }[] = [];
    for (const [k, kind] of PHOTO_KINDS.entries()) {
      for (let i = 0; i < PER_KIND; i++) {
        const label = made[(i + k) % made.length]!;
        const file = path.join(dir, `${kind}-${String(i).padStart(2, '0')}.jpg`);
        fs.writeFileSync(file, labelPhoto(label.png, kind, seed * 1_000_003 + k * 1_009 + i));
        photos.push({ kind, url: label.url, file });
      }
    }
    const empty: string[] = [];
    for (let i = 0; i < NO_CODE_PHOTOS; i++) {
      const file = path.join(dir, `none-${String(i).padStart(2, '0')}.jpg`);
      fs.writeFileSync(file, noCodePhoto(seed * 1_000_003 + 50_000 + i));
      empty.push(file);
    }

    console.error('P9: decoding each photo with ours, then zbarimg…');
    const trials: Trial[] = [];
    const misses: string[] = [];
    for (const photo of photos) {
      const a = await ours(photo.file);
      const b = await zbarimg(photo.file);
      const trial = { kind: photo.kind, ours: a.text === photo.url, zbar: b.lines.includes(photo.url), oursMs: a.ms, zbarMs: b.ms };
      trials.push(trial);
      if (!trial.ours) misses.push(`${path.basename(photo.file)}${trial.zbar ? ' (zbarimg read it)' : ''}`);
    }
    let falseReads = 0;
    let zbarFalseReads = 0;
    const emptyMs: number[] = [];
    const zbarEmptyMs: number[] = [];
    for (const file of empty) {
      const a = await ours(file);
      const b = await zbarimg(file);
      if (a.text !== null) falseReads++;
      if (b.lines.length > 0) zbarFalseReads++;
      emptyMs.push(a.ms);
      zbarEmptyMs.push(b.ms);
    }
    if (misses.length > 0) console.error(`P9 missed by ours: ${misses.join(', ')}`);

    console.log(`${summary('P9', trials)} load_ms=${loadMs.toFixed(0)} seed=${seed} seals=${made.length} load=${os.loadavg()[0]!.toFixed(1)}`);
    for (const kind of PHOTO_KINDS) console.log(summary(`P9.${kind}`, trials.filter((t) => t.kind === kind)));
    console.log(
      `P9.none photos=${empty.length} false_reads=${falseReads} zbarimg_false_reads=${zbarFalseReads} ` +
        `ms_per_photo=${median(emptyMs).toFixed(1)} zbarimg_ms=${median(zbarEmptyMs).toFixed(1)}`,
    );
  } finally {
    if (argv.includes('--keep')) console.error(`P9: photos kept in ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await p9DecodeBench();
}
