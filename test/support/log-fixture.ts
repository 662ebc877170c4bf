// A transparency log as `qdyp publish` would leave it in a store, built for the tests straight
// from core (log-entry.ts's encoder, TileBuilder, storedEntryBundle, signCheckpoint), and a
// programme whose key list carries the log key and whose licence entries name their latest log
// entry. Web APIs only: the Node, workerd and Chromium tests all use it.
//
// A TestLog keeps every file it ever wrote, like a store that publishes only new tiles: the
// partial tiles and bundles of each earlier size stay beside the newer ones.
import {
  compressBytes,
  describeIssuingKey,
  inflateCapped,
  MAX_ENTRY_BUNDLE_BYTES,
  encodeLogEntry,
  generateKeyPair,
  leafHashes,
  licenceEntryKey,
  LOG_CHECKPOINT_KEY,
  logEntriesKey,
  logOrigin,
  logTileKey,
  noteSigner,
  publicJwk,
  signCheckpoint,
  storedEntryBundle,
  signerFor,
  signLicenceEntry,
  TileBuilder,
  tileWidth,
  TILE_WIDTH,
  type LicenceLogEntry,
  type LogEntry,
  type NoteSigner,
  type PrivateJwk,
} from '../../src/core/index.ts';
import { artifactsOf, edgeWithEveryOutcome, T0, type Artifacts, type Edge } from '../web/fixtures.ts';
import type { Programme, TestKey } from './programme.ts';

const encoder = new TextEncoder();

export interface LogKey extends TestKey {
  jwk: PrivateJwk;
}

/** A log key (role `log`): its record goes into the key list like an issuing key's. */
export async function newLogKey(time = T0): Promise<LogKey> {
  const jwk = await generateKeyPair();
  return { jwk, signer: await signerFor(jwk), record: await describeIssuingKey(publicJwk(jwk), time, {}, 'log') };
}

export class TestLog {
  /** Every entry's text, in log order. */
  readonly entries: string[] = [];
  /** Every tile and entry bundle written so far, by store key. */
  readonly files = new Map<string, Uint8Array>();
  /** The last checkpoint signed (null before the first). */
  checkpoint: string | null = null;

  private constructor(
    /** The log's name: logOrigin of the verify origin. */
    readonly origin: string,
    readonly key: LogKey,
    private readonly signer: NoteSigner,
    private builder: TileBuilder,
  ) {}

  static async create(verifyOrigin: string, key?: LogKey): Promise<TestLog> {
    const origin = logOrigin(verifyOrigin);
    const k = key ?? (await newLogKey());
    return new TestLog(origin, k, await noteSigner(origin, k.jwk), new TileBuilder());
  }

  get size(): number {
    return this.entries.length;
  }

  /** Appends entries (texts, or entries to encode) and writes the tiles and bundles that changed. */
  async append(entries: readonly (string | LogEntry)[]): Promise<void> {
    const texts = entries.map((e) => (typeof e === 'string' ? e : encodeLogEntry(e)));
    const before = this.entries.length;
    this.entries.push(...texts);
    const size = this.entries.length;
    for (const tile of await this.builder.append(await leafHashes(texts.map((t) => encoder.encode(t))))) {
      this.files.set(logTileKey(tile.level, tile.index, tile.width), tile.hashes);
    }
    for (let b = Math.floor(before / TILE_WIDTH); b * TILE_WIDTH < size; b++) {
      const width = tileWidth(0, b, size);
      const bundle = this.entries.slice(b * TILE_WIDTH, b * TILE_WIDTH + width).map((t) => encoder.encode(t));
      this.files.set(logEntriesKey(b, width), await storedEntryBundle(bundle));
    }
  }

  /** Signs a checkpoint of the log as it stands (by the log key, or by `signer`). */
  async sign(signer: NoteSigner = this.signer): Promise<string> {
    this.checkpoint = await signCheckpoint({ origin: this.origin, size: this.size, root: await this.builder.root() }, signer);
    return this.checkpoint;
  }

  /** Another log with the same key and the same entries so far, to diverge from this one (a fork). */
  async fork(): Promise<TestLog> {
    const copy = new TestLog(this.origin, this.key, this.signer, new TileBuilder());
    await copy.append(this.entries);
    return copy;
  }

  /** The log's files as a store holds them: the checkpoint as text, tiles and bundles as bytes. */
  artifacts(): Artifacts {
    return { texts: this.checkpoint ? { [LOG_CHECKPOINT_KEY]: this.checkpoint } : {}, bundles: Object.fromEntries(this.files) };
  }
}

/** A licence.* entry for serial `serial` as it stands in `p` now. */
export function licenceLogEntry(p: Programme, serial: number, event: LicenceLogEntry['event'], time: Date): LicenceLogEntry {
  const { logIndex: _logIndex, ...e } = p.entries.get(serial)!;
  return {
    v: 1,
    event,
    time: time.toISOString(),
    licence: {
      number: e.number,
      serial,
      rev: p.revisions.get(serial)!,
      sealKid: p.keys[0]!.record.kid,
      holder: { name: e.holder.name, uscc: e.holder.uscc, address: e.holder.address },
      tier: e.tier,
      sector: e.sector,
      chain: e.chain,
      region: e.region,
      products: e.products,
      trademarks: e.trademarks,
      validFrom: e.validFrom,
      validUntil: e.validUntil,
      status: e.status,
      statusReason: e.statusReason,
      statusChangedAt: e.statusChangedAt,
    },
  };
}

/**
 * `artifacts` with each licence entry of `p` signed again naming its latest log entry (the
 * entry JWS's `log` claim), as the publisher does once the log is on.
 */
export async function withLogIndices(p: Programme, artifacts: Artifacts, logIndex: ReadonlyMap<number, number>, time = T0): Promise<Artifacts> {
  const texts = { ...artifacts.texts };
  for (const [serial, index] of logIndex) {
    const rev = p.revisions.get(serial)!;
    const key = licenceEntryKey(serial, rev % 256);
    if (texts[key] === undefined) continue;
    texts[key] = await signLicenceEntry(p.entries.get(serial)!, { serial, rev, time, log: index }, p.keys[0]!.signer);
  }
  return { texts, bundles: { ...artifacts.bundles } };
}

export interface EdgeWithLog {
  edge: Edge;
  log: TestLog;
  /** The licence serial → its latest licence.* entry. */
  logIndex: Map<number, number>;
  /** Everything published: lists, entries (naming their log entries), bundles and the log. */
  artifacts: Artifacts;
}

/**
 * Every outcome's programme (test/web/fixtures.ts) with a log: a key.init entry, one
 * licence.issue per licence, then the suspension and revocation of licences 2 and 3, a holder
 * change, and `extra` more updates of licence 1 (to reach a size with full tiles), signed.
 */
export async function edgeWithLog(verifyOrigin: string, options: { root?: PrivateJwk; extra?: number } = {}): Promise<EdgeWithLog> {
  const edge = await edgeWithEveryOutcome(options.root);
  const p = edge.p;
  const log = await TestLog.create(verifyOrigin);
  p.keys.push(log.key);
  const logIndex = new Map<number, number>();
  let tick = 0;
  const time = () => new Date(T0.getTime() - 86_400_000 + 1000 * tick++);
  await log.append([
    {
      v: 1,
      event: 'key.init',
      time: time().toISOString(),
      keys: p.keys.map((k) => ({ kid: k.record.kid, role: k.record.role ?? 'issue', status: k.record.status })),
      keyList: { version: 1, iat: Math.floor(T0.getTime() / 1000), exp: Math.floor(T0.getTime() / 1000) + 365 * 86400, sha256: 'A'.repeat(43) },
    },
  ]);
  for (const serial of [...p.entries.keys()].sort((a, b) => a - b)) {
    const event = serial === 2 ? 'licence.suspend' : serial === 3 ? 'licence.revoke' : 'licence.issue';
    if (event !== 'licence.issue') await log.append([licenceLogEntry(p, serial, 'licence.issue', time())]);
    logIndex.set(serial, log.size);
    await log.append([licenceLogEntry(p, serial, event, time())]);
  }
  const holder = p.entries.get(1)!.holder;
  await log.append([{ v: 1, event: 'holder.update', time: time().toISOString(), holder: { uscc: holder.uscc, name: holder.name, address: holder.address } }]);
  const extra = Array.from({ length: options.extra ?? 0 }, () => licenceLogEntry(p, 1, 'licence.update', time()));
  if (extra.length > 0) {
    await log.append(extra);
    logIndex.set(1, log.size - 1);
  }
  await log.sign();
  const published = await withLogIndices(p, await artifactsOf(p, { bundles: false }), logIndex);
  const files = log.artifacts();
  return { edge, log, logIndex, artifacts: { texts: { ...published.texts, ...files.texts }, bundles: { ...published.bundles, ...files.bundles } } };
}

/** What an HTTP client reads for a log file of `log`: entry bundles arrive inflated (Content-Encoding: gzip). */
export async function servedLogFile(log: TestLog, key: string): Promise<Uint8Array> {
  const stored = log.files.get(key)!;
  return key.startsWith('log/tile/entries/') ? inflateCapped(stored, 'gzip', MAX_ENTRY_BUNDLE_BYTES) : stored;
}

/** A stored entry bundle changed by `change` on its inflated bytes, stored again. */
export async function restoredBundle(stored: Uint8Array, change: (bundle: Uint8Array) => Uint8Array): Promise<Uint8Array> {
  return compressBytes([change(await inflateCapped(stored, 'gzip', MAX_ENTRY_BUNDLE_BYTES))], 'gzip');
}
