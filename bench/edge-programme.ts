// A programme's published artifacts for bar P7, built straight from the core functions (no
// registry, no million signatures): the key list; the status list (2 bits) and revision list
// (8 bits) covering every serial, from seeded random data (1% revoked, 1% suspended, 5% of
// details revised; a status change moves the revision too, as in the registry); and signed
// entries only for the licences the measured scans read, plus a few hundred others so the
// store is not trivially small. Their details come from syntheticLicences, the same rows at
// every programme size, so the scans of two programmes read entries of the same sizes.
import {
  createSeal,
  licenceEntryKey,
  signKeyList,
  signLicenceEntry,
  signRevisionList,
  signStatusList,
  STATUS_VALUE,
  type PublicJwk,
} from '../src/core/index.ts';
import { newProgramme, REVISION_URI, STATUS_URI, T0 } from '../test/support/programme.ts';
import { mulberry32, syntheticLicences } from '../test/support/synthetic.ts';

/** What a child process (edge-cold.ts) reads: the store, the pinned root, the seals to scan. */
export interface EdgeProgramme {
  licences: number;
  rootJwk: PublicJwk;
  /** The verifier's clock (ms since the epoch). */
  time: number;
  /** Store key → text, as KV (or the edge directory) holds them. */
  store: Record<string, string>;
  /** Seals of valid licences whose entries are in the store, all distinct. */
  seals: string[];
  revoked: number;
  suspended: number;
  revised: number;
}

/** Extra signed entries no scan reads. */
const OTHER_ENTRIES = 300;

/**
 * A programme of `licences` (serials 1…licences) with `scans` scannable licences. The seed
 * fixes which serials are revoked, suspended or revised; every run sees the same programme.
 */
export async function edgeProgramme(licences: number, scans: number, seed = 7): Promise<EdgeProgramme> {
  const p = await newProgramme();
  const key = p.keys[0]!;
  const random = mulberry32(seed + licences);
  const serial = () => 1 + Math.floor(random() * licences);

  const statuses = new Uint8Array(licences + 1);
  const revisions = new Uint32Array(licences + 1);
  revisions.fill(1, 1);
  let revoked = 0;
  let suspended = 0;
  let revised = 0;
  while (revoked < licences / 100) {
    const s = serial();
    if (statuses[s] === 0) {
      statuses[s] = STATUS_VALUE.revoked;
      revisions[s]! += 1 + Math.floor(random() * 2);
      revoked++;
    }
  }
  while (suspended < licences / 100) {
    const s = serial();
    if (statuses[s] === 0) {
      statuses[s] = STATUS_VALUE.suspended;
      revisions[s]! += 1 + Math.floor(random() * 2);
      suspended++;
    }
  }
  while (revised < licences / 20) {
    const s = serial();
    if (revisions[s] === 1) {
      // Mostly one or two changes; now and then a licence changed many times (past 256 too).
      revisions[s] = random() < 0.02 ? 2 + Math.floor(random() * 400) : 2 + Math.floor(random() * 3);
      revised++;
    }
  }

  // The scanned licences: valid, distinct, a quarter of them revised (their entry is not r = 1).
  const picked = new Set<number>();
  const scanned: number[] = [];
  while (scanned.length < scans) {
    const s = serial();
    if (statuses[s] !== 0 || picked.has(s)) continue;
    picked.add(s);
    if (scanned.length % 4 === 3 && revisions[s] === 1) revisions[s] = 3;
    scanned.push(s);
  }
  const others: number[] = [];
  while (others.length < Math.min(OTHER_ENTRIES, licences - scans)) {
    const s = serial();
    if (picked.has(s)) continue;
    picked.add(s);
    others.push(s);
  }

  const time = T0;
  const store: Record<string, string> = {
    'key-list': await signKeyList([key.record], 1, time, p.rootSigner),
    'status-list': await signStatusList(statuses, { uri: STATUS_URI, time }, key.signer),
    'revision-list': await signRevisionList(
      revisions.map((r) => r % 256),
      { uri: REVISION_URI, time },
      key.signer,
    ),
  };
  const rows = syntheticLicences(scans + others.length);
  const seals: string[] = [];
  for (const [i, s] of [...scanned, ...others].entries()) {
    const row = rows[i]!;
    const status = statuses[s] === STATUS_VALUE.revoked ? 'revoked' : statuses[s] === STATUS_VALUE.suspended ? 'suspended' : 'valid';
    const entry = { ...row.entry, number: `QDYP-${row.entry.validFrom.slice(0, 4)}-${String(s).padStart(7, '0')}`, status, statusReason: status === 'valid' ? null : '抽检不合格' } as const;
    store[licenceEntryKey(s, revisions[s]! % 256)] = await signLicenceEntry(entry, { serial: s, rev: revisions[s]!, time }, key.signer);
    if (i < scans) seals.push(await createSeal({ serial: s, horizon: key.record.verifyUntil }, key.signer));
  }
  return { licences, rootJwk: p.rootJwk, time: time.getTime() + 60_000, store, seals, revoked, suspended, revised };
}
