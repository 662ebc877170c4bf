// Bar P11 (DESIGN §6): an inclusion proof from log tiles at 1,000,000 entries — tiles fetched
// and time taken — on a log built here directly from the core functions (src/core/tlog): a
// million ~300-byte JSON entries, hashed, tiled, bundled, and a signed checkpoint.
//
// The build hashes with node:crypto (the office's side passes its synchronous SHA-256 as
// `sha256`; WebCrypto's asynchronous digest would take ~30 s of the run on Node 20). The proof
// is checked as a verifier does it: WebCrypto only, the checkpoint's signature, the entry from
// its bundle, the tiles the proof needs (at most 5: the entry's tile at levels 0, 1, 2 and the
// two partial tiles on the right edge), the proof computed from them and verified.
import { hash } from 'node:crypto';
import { loadavg } from 'node:os';
import {
  decodeEntryBundle,
  encodeEntryBundle,
  entryBundlePath,
  generateKeyPair,
  inclusionProofFromTiles,
  leafHash,
  leafHashes,
  noteSigner,
  noteVerifier,
  openCheckpoint,
  publicJwk,
  signCheckpoint,
  TileBuilder,
  tilePath,
  tilesForTree,
  treeRootFromTiles,
  verifyInclusion,
  type Sha256,
  type TileReader,
} from '../src/core/index.ts';

const ENTRIES = 1_000_000;
const CHUNK = 4096;
const PROOFS = 25;
const ORIGIN = 'v.qdyp.cn/log';
const MAX_PROOF_TILES = 5;

const nodeSha256: Sha256 = (data) => hash('sha256', data, 'buffer');
const encoder = new TextEncoder();

/** A realistic-ish entry: one licence event as canonical JSON, about 300 bytes. */
function entry(i: number): Uint8Array {
  const serial = String(i + 1).padStart(6, '0');
  return encoder.encode(
    JSON.stringify({
      v: 1,
      seq: i,
      event: ['issue', 'update', 'renew', 'suspend', 'reinstate', 'revoke'][i % 6],
      time: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      number: `QDYP-2026-${serial}`,
      serial: i + 1,
      holder: `91370200${String(i).padStart(9, '0')}G`,
      details: { tier: 'product', sector: 'agriculture', product: '崂山绿茶', region: '370212' },
      validFrom: '2026-01-01',
      validUntil: '2029-01-01',
      status: i % 6 === 3 ? 'suspended' : i % 6 === 5 ? 'revoked' : 'valid',
    }),
  );
}

export default async function tlogBench(): Promise<void> {
  // Build: entries → leaf hashes → tiles (every tile kept, as the edge store would), bundles
  // encoded as a publish would write them (only one kept: the proof reads one entry).
  console.error(`P11: building a log of ${ENTRIES.toLocaleString('en')} entries…`);
  const target = Math.floor(ENTRIES * 0.618);
  const tiles = new Map<string, Uint8Array>();
  const bundles = new Map<string, Uint8Array>();
  const builder = new TileBuilder(0, [], nodeSha256);
  let entryBytes = 0;
  let bundle: Uint8Array[] = [];
  const buildStart = performance.now();
  for (let start = 0; start < ENTRIES; start += CHUNK) {
    const chunk = Array.from({ length: Math.min(CHUNK, ENTRIES - start) }, (_, j) => entry(start + j));
    for (const [j, e] of chunk.entries()) {
      entryBytes += e.length;
      bundle.push(e);
      const i = start + j;
      if (bundle.length === 256 || i === ENTRIES - 1) {
        const bytes = encodeEntryBundle(bundle);
        const index = Math.floor(i / 256);
        if (index === Math.floor(target / 256)) bundles.set(entryBundlePath(index, bundle.length), bytes);
        bundle = [];
      }
    }
    for (const tile of await builder.append(await leafHashes(chunk, nodeSha256))) tiles.set(tilePath(tile.level, tile.index, tile.width), tile.hashes);
  }
  const root = await builder.root();
  const jwk = await generateKeyPair();
  const checkpoint = await signCheckpoint({ origin: ORIGIN, size: ENTRIES, root }, await noteSigner(ORIGIN, jwk));
  const buildSeconds = (performance.now() - buildStart) / 1000;
  const expected = tilesForTree(ENTRIES);
  if (expected.some((t) => !tiles.has(tilePath(t.level, t.index, t.width)))) throw new Error('P11: a tile of the tree was not built');

  // Check: what a verifier does for one entry, from a cold start of each proof.
  const verifier = await noteVerifier(ORIGIN, publicJwk(jwk));
  let fetched = 0;
  const readTile: TileReader = async (level, index, width) => {
    fetched++;
    const tile = tiles.get(tilePath(level, index, width));
    if (!tile) throw new Error(`P11: no tile ${tilePath(level, index, width)}`);
    return tile;
  };
  const check = async (index: number, entryBytes?: Uint8Array) => {
    fetched = 0;
    const start = performance.now();
    const { checkpoint: cp } = await openCheckpoint(checkpoint, [verifier], ORIGIN);
    const data = entryBytes ?? decodeEntryBundle(bundles.get(entryBundlePath(Math.floor(index / 256)))!, 256)[index % 256]!;
    const { proof, tiles: read } = await inclusionProofFromTiles(index, cp.size, readTile);
    if (!(await verifyInclusion(await leafHash(data), index, cp.size, proof, cp.root))) throw new Error(`P11: the proof of entry ${index} does not verify`);
    return { ms: performance.now() - start, tiles: read.length, fetched };
  };

  const first = await check(target);
  if (!(await verifyInclusion(await leafHash(entry(target)), target, ENTRIES, (await inclusionProofFromTiles(target, ENTRIES, readTile)).proof, root))) throw new Error('P11: wrong entry');
  if ((await treeRootFromTiles(ENTRIES, readTile)).some((b, i) => b !== root[i])) throw new Error('P11: the root from tiles is not the built root');
  // More entries across the log (their bytes regenerated: only one bundle was kept).
  const runs = [first];
  for (let k = 1; k < PROOFS; k++) {
    const index = Math.floor((k / PROOFS) * ENTRIES) + (k * 7919) % 1000;
    runs.push(await check(index, entry(index)));
  }
  const maxTiles = Math.max(...runs.map((r) => r.tiles));
  if (maxTiles > MAX_PROOF_TILES || runs.some((r) => r.fetched !== r.tiles)) throw new Error(`P11: a proof read ${maxTiles} tiles (at most ${MAX_PROOF_TILES})`);
  const sorted = runs.map((r) => r.ms).sort((a, b) => a - b);
  console.log(
    `P11 proof_tiles=${first.tiles} proof_ms=${first.ms.toFixed(1)} proof_tiles_max=${maxTiles} proof_ms_median=${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} proofs=${runs.length}` +
      ` entries=${ENTRIES} entry_bytes_avg=${Math.round(entryBytes / ENTRIES)} tiles=${tiles.size} build_s=${buildSeconds.toFixed(1)} build_hash=node:crypto load=${loadavg()[0]!.toFixed(2)}`,
  );
}
