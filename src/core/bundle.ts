// The trust bundle: everything an inspector needs to verify offline, all licences or one
// district's, in one gzip file of UTF-8 lines separated (and ended) by "\n":
//   1. `qdyp-bundle/1`
//   2. the manifest: JWS (typ qdyp-bundle+jwt) by the key list's active key, payload
//      { iss, iat, region, count, sha256 }; sha256 = base64url SHA-256 of every byte after
//      line 2's "\n" (lines 3 to the end)
//   3. the key list JWS   4. the status list JWS   5. the revision list JWS
//   6… one JSON array per licence, sorted by serial (see BundleRow / ROW below); no status:
//      the status list is the authority. Rows carry no signature of their own: the manifest
//      signs them all.
// Offline, the rows are used with the newest status and revision lists the device holds (the
// bundle's own or fresher ones fetched since): a row whose rev mod 256 is not the revision
// list's value is stale, and its licence cannot be confirmed.

import { base64urlEncode } from './base64url.ts';
import { compressBytes, concatBytes, inflateWith, type Base64Decode, type Inflate } from './compression.ts';
import type { Ed25519Engine } from './ed25519.ts';
import { canonicalLicenceEntry, parseLicenceEntry, type LicenceEntry } from './entry.ts';
import { QdypError } from './errors.ts';
import { peekHeader, signJws, TYP } from './jws.ts';
import type { RootTrust } from './key-list.ts';
import type { Signer } from './keys.ts';
import { statusAt } from './status-list.ts';
import { buildTrustContext, MAX_REVISION_LIST_BYTES, MAX_STATUS_LIST_BYTES, verifyIssued, type EntryLookup, type TrustContext } from './trust-context.ts';

export const BUNDLE_FORMAT = 'qdyp-bundle/1';
/** A bundle never inflates past this. */
export const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;
/** No licence row is longer. */
export const MAX_BUNDLE_ROW_BYTES = 64 * 1024;
const MAX_MANIFEST_BYTES = 4 * 1024;
const MAX_KEY_LIST_LINE_BYTES = 64 * 1024;
/** The city itself: its licences go into every district's bundle. */
const CITY_REGION = '370200';

export interface BundleRow {
  serial: number;
  /** The licence's full detail revision (≥ 1). */
  rev: number;
  entry: LicenceEntry;
}

export interface BundleManifest {
  iss: 'qdyp';
  iat: number;
  region: string | null;
  count: number;
  sha256: string;
}

/** The store key a bundle is published under: `bundle` or `bundle/{region}`. */
export function bundleKey(region: string | null): string {
  return region === null ? 'bundle' : `bundle/${region}`;
}

/** Whether the bundle for `bundleRegion` (null: all) carries a licence of `licenceRegion`. */
export function bundleRegionIncludes(bundleRegion: string | null, licenceRegion: string | null): boolean {
  return bundleRegion === null || licenceRegion === null || licenceRegion === CITY_REGION || licenceRegion === bundleRegion;
}

const encoder = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true });
const JWS_TEXT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const NEWLINE = 0x0a;

/** A row: [serial, rev, number, holderName, uscc, holderAddress, tier, sector, chain, region,
 *  products, trademarks, validFrom, validUntil, statusReason, statusChangedAt]. */
function rowText({ serial, rev, entry }: BundleRow): string {
  const e = canonicalLicenceEntry(entry);
  return JSON.stringify([
    serial,
    rev,
    e.number,
    e.holder.name,
    e.holder.uscc,
    e.holder.address,
    e.tier,
    e.sector,
    e.chain,
    e.region,
    e.products,
    e.trademarks,
    e.validFrom,
    e.validUntil,
    e.statusReason,
    e.statusChangedAt,
  ]);
}

export interface BundleInput {
  keyList: string;
  statusList: string;
  revisionList: string;
  /** Every licence (in any order): those the region's bundle carries are picked here. */
  rows: Iterable<BundleRow>;
  /** null: all licences; a region code: that district's, plus city-wide and regionless ones. */
  region: string | null;
  time: Date;
}

/** Builds and signs a bundle; the gzip bytes to publish as they are. */
export async function buildBundle(input: BundleInput, signer: Pick<Signer, 'kid' | 'privateKey'>): Promise<Uint8Array> {
  for (const text of [input.keyList, input.statusList, input.revisionList]) {
    if (!JWS_TEXT.test(text)) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'bundle lists must be compact JWS');
  }
  const rows = [...input.rows].filter((r) => bundleRegionIncludes(input.region, r.entry.region)).sort((a, b) => a.serial - b.serial);
  const chunks: Uint8Array[] = [];
  let pending = `${input.keyList}\n${input.statusList}\n${input.revisionList}\n`;
  let previous = -1;
  for (const row of rows) {
    if (!Number.isSafeInteger(row.serial) || row.serial <= previous || row.serial > 0xffffffff) {
      throw new QdypError('ERR_ARTIFACT_MALFORMED', `bundle row serial ${row.serial} is repeated or out of range`);
    }
    if (!Number.isSafeInteger(row.rev) || row.rev < 1) throw new QdypError('ERR_ARTIFACT_MALFORMED', `bundle row ${row.serial} has no valid revision`);
    previous = row.serial;
    const line = rowText(row);
    if (line.length * 3 > MAX_BUNDLE_ROW_BYTES && encoder.encode(line).length > MAX_BUNDLE_ROW_BYTES) {
      throw new QdypError('ERR_ARTIFACT_TOO_LARGE', `bundle row ${row.serial} is over ${MAX_BUNDLE_ROW_BYTES} bytes`);
    }
    pending += `${line}\n`;
    if (pending.length > 1 << 20) {
      chunks.push(encoder.encode(pending));
      pending = '';
    }
  }
  chunks.push(encoder.encode(pending));
  const body = concatBytes(chunks);
  if (body.length > MAX_BUNDLE_BYTES - 64 * 1024) throw new QdypError('ERR_ARTIFACT_TOO_LARGE', 'bundle is too large');
  const sha256 = base64urlEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', body as Uint8Array<ArrayBuffer>)));
  const manifest: BundleManifest = { iss: 'qdyp', iat: Math.floor(input.time.getTime() / 1000), region: input.region, count: rows.length, sha256 };
  const head = `${BUNDLE_FORMAT}\n${await signJws(manifest, TYP.bundle, signer)}\n`;
  return compressBytes([encoder.encode(head), body], 'gzip');
}

export interface OpenBundleOptions {
  engine?: Ed25519Engine;
  /** How the bundle and its lists inflate (default: DecompressionStream; see Inflate). */
  inflate?: Inflate;
  /** How the lists' base64url decodes, once checked canonical (default: see Base64Decode). */
  base64?: Base64Decode;
  /** As in TrustOptions: what this device has already accepted. */
  minKeyListVersion?: number;
  minStatusIat?: number;
  minRevisionIat?: number;
  /** As in TrustOptions: lists dated more than 5 minutes after it are refused. */
  time?: Date;
  /** Lists fetched since the bundle was: each is used instead of the bundle's if newer. */
  keyList?: string | null;
  statusList?: string | null;
  revisionList?: string | null;
}

export interface OpenedBundle {
  /** Trust context over the newest lists, whose entries are the bundle's rows. */
  context: TrustContext;
  /** When the bundle was made (ISO-8601 UTC). */
  asOf: string;
  region: string | null;
  count: number;
  /** The manifest's signed time, in seconds (a lower bound on the present). */
  iat: number;
  /** Whether the bundle carries a row for this serial (current or not): a district bundle
   *  lacks the other districts' licences, which is not the same as a stale row. */
  includes(serial: number): boolean;
}

/**
 * Opens a bundle: inflates it (at most MAX_BUNDLE_BYTES), checks its manifest (typ, signed
 * by the key its own key list names active, inside that key's signing window, that key not
 * compromised in the newest key list) and the digest of everything after it, then builds the
 * trust context from the newest lists at hand. Throws QdypError (ERR_ARTIFACT_MALFORMED,
 * ERR_ARTIFACT_TOO_LARGE, ERR_BUNDLE_DIGEST, or why the key list or manifest was refused);
 * a list refused in the context is a problem there, as with buildTrustContext.
 */
export async function openBundle(bytes: Uint8Array, root: RootTrust, options: OpenBundleOptions = {}): Promise<OpenedBundle> {
  if (bytes.length > MAX_BUNDLE_BYTES) throw new QdypError('ERR_ARTIFACT_TOO_LARGE', 'bundle is too large');
  const data = await inflateWith(options.inflate, bytes, 'gzip', MAX_BUNDLE_BYTES);
  const lines = new LineReader(data);
  if (lines.text(lines.next(BUNDLE_FORMAT.length)) !== BUNDLE_FORMAT) throw new QdypError('ERR_ARTIFACT_MALFORMED', `not a ${BUNDLE_FORMAT} file`);
  const manifestText = lines.text(lines.next(MAX_MANIFEST_BYTES));
  const body = data.subarray(lines.offset);
  const keyListText = lines.text(lines.next(MAX_KEY_LIST_LINE_BYTES));
  const statusListText = lines.text(lines.next(MAX_STATUS_LIST_BYTES));
  const revisionListText = lines.text(lines.next(MAX_REVISION_LIST_BYTES));

  // The manifest is checked under the bundle's own key list: the key active when it was made.
  const own = await buildTrustContext({ keyList: keyListText }, { root, engine: options.engine, time: options.time });
  if (!own.keyList) {
    const problem = own.problems[0]!;
    throw new QdypError(problem.code === 'ERR_ARTIFACT_MISSING' ? 'ERR_ARTIFACT_MALFORMED' : problem.code, `bundle key list: ${problem.message}`);
  }
  const manifest = await verifyIssued(manifestText, own.keyList, TYP.bundle, MAX_MANIFEST_BYTES, decodeManifest);
  const digest = base64urlEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', body as Uint8Array<ArrayBuffer>)));
  if (digest !== manifest.sha256) throw new QdypError('ERR_BUNDLE_DIGEST', 'bundle content does not match its manifest');

  const rows = indexRows(data, lines, manifest.count);
  const context = await buildTrustContext(
    {
      keyList: [options.keyList, keyListText],
      statusList: [options.statusList, statusListText],
      revisionList: [options.revisionList, revisionListText],
    },
    {
      root,
      engine: options.engine,
      inflate: options.inflate,
      base64: options.base64,
      minKeyListVersion: options.minKeyListVersion,
      minStatusIat: options.minStatusIat,
      minRevisionIat: options.minRevisionIat,
      time: options.time,
      entries: (ctx) => rowLookup(data, rows, ctx),
    },
  );
  if (context.keyList) {
    const kid = peekHeader(manifestText, MAX_MANIFEST_BYTES).kid;
    const signer = context.keyList.byKid.get(kid);
    if (!signer) throw new QdypError('ERR_ARTIFACT_UNKNOWN_KEY', 'bundle signed by a key the newest key list does not list');
    if (signer.status === 'compromised') throw new QdypError('ERR_ARTIFACT_KEY_COMPROMISED', 'bundle signed by a compromised key');
  }
  return {
    context,
    asOf: new Date(manifest.iat * 1000).toISOString(),
    region: manifest.region,
    count: manifest.count,
    iat: manifest.iat,
    includes: (serial) => findRow(rows, serial) >= 0,
  };
}

function decodeManifest(value: unknown): BundleManifest {
  const v = value as Record<string, unknown> | null;
  if (
    typeof v !== 'object' ||
    v === null ||
    v.iss !== 'qdyp' ||
    !Number.isSafeInteger(v.iat) ||
    !(v.region === null || typeof v.region === 'string') ||
    !Number.isSafeInteger(v.count) ||
    (v.count as number) < 0 ||
    typeof v.sha256 !== 'string' ||
    Number.isNaN(new Date((v.iat as number) * 1000).getTime())
  ) {
    throw new QdypError('ERR_ARTIFACT_MALFORMED', 'bundle manifest lacks iss, iat, region, count or sha256');
  }
  return { iss: 'qdyp', iat: v.iat as number, region: v.region as string | null, count: v.count as number, sha256: v.sha256 };
}

/** Walks "\n"-ended lines of the inflated bundle, each at most a given length. */
class LineReader {
  offset = 0;
  constructor(readonly data: Uint8Array) {}

  /** The next line's [start, end) (without its "\n"); refuses one over `max` bytes. */
  next(max: number): [number, number] {
    const start = this.offset;
    const limit = Math.min(this.data.length, start + max + 1);
    const end = this.data.subarray(start, limit).indexOf(NEWLINE);
    if (end < 0) {
      throw limit === this.data.length
        ? new QdypError('ERR_ARTIFACT_MALFORMED', 'bundle is truncated')
        : new QdypError('ERR_ARTIFACT_TOO_LARGE', `bundle line over ${max} bytes`);
    }
    this.offset = start + end + 1;
    return [start, start + end];
  }

  get done(): boolean {
    return this.offset >= this.data.length;
  }

  text([start, end]: [number, number]): string {
    try {
      return utf8.decode(this.data.subarray(start, end));
    } catch {
      throw new QdypError('ERR_ARTIFACT_MALFORMED', 'bundle line is not UTF-8');
    }
  }
}

interface RowIndex {
  serials: Uint32Array;
  starts: Uint32Array;
  ends: Uint32Array;
}

const DIGIT_0 = 0x30;
const OPEN_BRACKET = 0x5b;
const COMMA = 0x2c;

/** Finds every row and its serial (read from the line's `[serial,` prefix), in order. */
function indexRows(data: Uint8Array, lines: LineReader, count: number): RowIndex {
  const index: RowIndex = { serials: new Uint32Array(count), starts: new Uint32Array(count), ends: new Uint32Array(count) };
  let previous = -1;
  for (let i = 0; i < count; i++) {
    if (lines.done) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'bundle has fewer rows than its manifest counts');
    const [start, end] = lines.next(MAX_BUNDLE_ROW_BYTES);
    let at = start + 1;
    let serial = 0;
    while (at < end && data[at]! >= DIGIT_0 && data[at]! <= DIGIT_0 + 9 && at - start <= 10) serial = serial * 10 + (data[at++]! - DIGIT_0);
    if (data[start] !== OPEN_BRACKET || at === start + 1 || data[at] !== COMMA || (data[start + 1] === DIGIT_0 && at > start + 2) || serial > 0xffffffff || serial <= previous) {
      throw new QdypError('ERR_ARTIFACT_MALFORMED', 'bundle rows must start with their serial, in increasing order');
    }
    previous = serial;
    index.serials[i] = serial;
    index.starts[i] = start;
    index.ends[i] = end;
  }
  if (!lines.done) throw new QdypError('ERR_ARTIFACT_MALFORMED', 'bundle has more rows than its manifest counts');
  return index;
}

const ROW_LENGTH = 16;

/** The entries a bundle serves: its rows, each current only if rev mod 256 is the list's value. */
function rowLookup(data: Uint8Array, rows: RowIndex, ctx: TrustContext): EntryLookup {
  return {
    get(serial, value) {
      const at = findRow(rows, serial);
      return Promise.resolve(at < 0 ? null : parseRow(data.subarray(rows.starts[at]!, rows.ends[at]!), serial, value, ctx));
    },
  };
}

/** The row index of `serial`, or -1. */
function findRow(rows: RowIndex, serial: number): number {
  let lo = 0;
  let hi = rows.serials.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const s = rows.serials[mid]!;
    if (s < serial) lo = mid + 1;
    else if (s > serial) hi = mid - 1;
    else return mid;
  }
  return -1;
}

function parseRow(line: Uint8Array, serial: number, value: number, ctx: TrustContext): LicenceEntry | null {
  let r: unknown[];
  try {
    r = JSON.parse(utf8.decode(line)) as unknown[];
  } catch {
    return null;
  }
  if (!Array.isArray(r) || r.length !== ROW_LENGTH || r[0] !== serial || !Number.isSafeInteger(r[1]) || (r[1] as number) < 1) return null;
  if ((r[1] as number) % 256 !== value) return null;
  const status = ctx.statusList && statusAt(ctx.statusList, serial);
  try {
    return parseLicenceEntry({
      number: r[2],
      holder: { name: r[3], uscc: r[4], address: r[5] },
      tier: r[6],
      sector: r[7],
      chain: r[8],
      region: r[9],
      products: r[10],
      trademarks: r[11],
      validFrom: r[12],
      validUntil: r[13],
      status: status === 1 ? 'revoked' : status === 2 ? 'suspended' : 'valid',
      statusReason: r[14],
      statusChangedAt: r[15],
    });
  } catch {
    return null;
  }
}
