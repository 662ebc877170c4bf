// Bars Q1, P1 and P4 (DESIGN §6), measured in one run on this machine.
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { loadavg } from 'node:os';
import QRCode from 'qrcode';
import {
  createSeal,
  MAX_HORIZON,
  MAX_ORIGIN_LENGTH,
  MAX_SERIAL,
  normaliseOrigin,
  parseSeal,
  RawVerifyKey,
  sealUrl,
  signStatusList,
  STATUS_VALUE,
  verifySeal,
} from '../src/core/index.ts';
import { issue, newProgramme, publish, T0, trustPublished } from '../test/support/programme.ts';

const SEALS = 2_000;
const CONCURRENCY = 64;
// Short rounds, many of them, alternating: a busy neighbour slows both sides of a pair alike.
const OPS_PER_ROUND = 1_500;
const ROUNDS = 81;
const NODE_ROUNDS = 7;

export default async function coreBench(): Promise<void> {
  await q1();
  await p1();
  await p4();
}

/** Q1: the QR version at ECC Q for the longest seal URL the format allows. */
async function q1(): Promise<void> {
  const p = await newProgramme();
  const origin = normaliseOrigin(`https://${'v'.repeat(MAX_ORIGIN_LENGTH - 'https://'.length)}`);
  const seal = await createSeal({ serial: MAX_SERIAL, horizon: MAX_HORIZON }, p.keys[0]!.signer);
  const url = sealUrl(origin, seal);
  const qr = QRCode.create([{ data: url, mode: 'alphanumeric' }], { errorCorrectionLevel: 'Q' });
  console.log(`Q1 version=${qr.version} modules=${qr.modules.size} url_chars=${url.length} origin_chars=${origin.length}`);
}

interface Rate {
  /** Calls per second of wall-clock time. */
  perSecond: number;
  /** Calls per second of this process's CPU time (all threads): steadier on a busy machine. */
  perCpuSecond: number;
}

/** Runs `total` calls of `op` with `concurrency` in flight. */
async function rate(total: number, concurrency: number, op: () => Promise<unknown>): Promise<Rate> {
  let started = 0;
  const worker = async () => {
    while (started++ < total) await op();
  };
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: total / wall, perCpuSecond: total / ((used.user + used.system) / 1e6) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** P1: verifySeal over distinct seals against the bare WebCrypto verify it makes, same bytes. */
async function p1(): Promise<void> {
  console.error(`P1: issuing ${SEALS} licences…`);
  const p = await newProgramme();
  const seals: string[] = [];
  for (let serial = 1; serial <= SEALS; serial++) seals.push(await issue(p, serial));
  const ctx = await trustPublished(p, await publish(p));
  // Licence entries are trust data, verified once per licence and kept by the edge's entry
  // cache (src/web/entry-cache.ts) for the TTL, as the whole register was verified once per
  // context before; verifySeal itself caches nothing per seal and checks every seal's own
  // signature. So here, as on the edge, entries come from a cache the first pass fills.
  const verified = new Map<string, ReturnType<typeof ctx.entries.get>>();
  const uncached = ctx.entries;
  ctx.entries = {
    get(serial, value) {
      const key = `${serial}/${value}`;
      let entry = verified.get(key);
      if (!entry) verified.set(key, (entry = uncached.get(serial, value)));
      return entry;
    },
  };
  const parsed = seals.map((s) => parseSeal(s)!);
  const trusted = ctx.keyList!.bySid.get(parsed[0]!.sid)!;
  // DESIGN §6: on Node the primitive must be native, so the engine here must be WebCrypto.
  if (trusted.key instanceof RawVerifyKey) throw new Error('P1 must measure WebCrypto, not the noble fallback');
  const key = trusted.key;
  const ed25519 = { name: 'Ed25519' };

  // Measure the real path: every seal must come out authorized, every primitive call true.
  for (const [i, seal] of seals.entries()) {
    if ((await verifySeal(seal, T0, ctx)).code !== 'authorized') throw new Error(`seal ${i + 1} did not verify`);
    if (!(await crypto.subtle.verify(ed25519, key, parsed[i]!.signature, parsed[i]!.signed))) throw new Error('primitive refused a seal');
  }

  // Each side walks through all the seals in turn, round after round.
  let verifyCursor = 0;
  let primitiveCursor = 0;
  const verifyRound = () => rate(OPS_PER_ROUND, CONCURRENCY, () => verifySeal(seals[verifyCursor++ % SEALS]!, T0, ctx));
  const primitiveRound = () =>
    rate(OPS_PER_ROUND, CONCURRENCY, () => {
      const s = parsed[primitiveCursor++ % SEALS]!;
      return crypto.subtle.verify(ed25519, key, s.signature, s.signed);
    });
  await verifyRound();
  await primitiveRound();
  const verifyRates: number[] = [];
  const primitiveRates: number[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let v: Rate;
    let prim: Rate;
    if (round % 2 === 0) {
      v = await verifyRound();
      prim = await primitiveRound();
    } else {
      prim = await primitiveRound();
      v = await verifyRound();
    }
    verifyRates.push(v.perSecond);
    primitiveRates.push(prim.perSecond);
    ratios.push(v.perSecond / prim.perSecond);
    cpuRatios.push(v.perCpuSecond / prim.perCpuSecond);
  }
  console.error(`P1 ratios by round: ${ratios.map((r) => r.toFixed(2)).join(' ')}`);
  console.error(`P1 CPU-time ratios by round: ${cpuRatios.map((r) => r.toFixed(2)).join(' ')}`);

  const keyObject = createPublicKey({ key: { ...trusted.jwk }, format: 'jwk' });
  const nodeRates: number[] = [];
  for (let round = 0; round < NODE_ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < OPS_PER_ROUND; i++) {
      const s = parsed[(round * OPS_PER_ROUND + i) % SEALS]!;
      if (!nodeVerify(null, s.signed, keyObject, s.signature)) throw new Error('node:crypto refused a seal');
    }
    nodeRates.push(OPS_PER_ROUND / ((performance.now() - start) / 1000));
  }

  console.log(
    `P1 ratio=${median(ratios).toFixed(3)} verify_per_s=${median(verifyRates).toFixed(0)} primitive_per_s=${median(primitiveRates).toFixed(0)} ` +
      `node_crypto_per_s=${median(nodeRates).toFixed(0)} cpu_ratio=${median(cpuRatios).toFixed(3)} concurrency=${CONCURRENCY} seals=${SEALS} ` +
      `rounds=${ROUNDS} load=${loadavg()[0]!.toFixed(1)}`,
  );
}

/** P4: the signed status list for 100,000 licences with 1% revoked at random. */
async function p4(): Promise<void> {
  const p = await newProgramme();
  const entries = 100_000;
  const statuses = new Uint8Array(entries);
  const picks = new Uint32Array(1);
  let revoked = 0;
  while (revoked < entries / 100) {
    const i = crypto.getRandomValues(picks)[0]! % entries;
    if (statuses[i] === 0) {
      statuses[i] = STATUS_VALUE.revoked;
      revoked++;
    }
  }
  const jwt = await signStatusList(statuses, { uri: 'https://verify.qdyp.example/api/v1/status-list', time: T0 }, p.keys[0]!.signer);
  console.log(`P4 bytes=${jwt.length} entries=${entries} revoked_pct=1`);
}
