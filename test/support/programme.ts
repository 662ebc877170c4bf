// A small programme for tests, built from Web APIs only so the same fixtures run in Node and
// in workerd: a root key, issuing keys, licences, and the artifacts a publish would write
// (key list, status list, revision list and one entry per licence, under their store keys).
import {
  bundleRegionIncludes,
  buildTrustContext,
  createSeal,
  describeIssuingKey,
  entryLookupFromTexts,
  generateKeyPair,
  licenceEntryKey,
  publicJwk,
  rootTrust,
  signerFor,
  signKeyList,
  signLicenceDocument,
  signLicenceEntry,
  signRevisionList,
  signStatusList,
  STATUS_VALUE,
  type BundleRow,
  type IssuingKey,
  type LicenceClaims,
  type LicenceEntry,
  type PublicJwk,
  type QdypError,
  type RootTrust,
  type Signer,
  type TrustArtifacts,
  type TrustContext,
  type TrustOptions,
} from '../../src/core/index.ts';

export const T0 = new Date('2026-11-27T04:00:00Z'); // 12:00 in Beijing
export const STATUS_URI = 'https://verify.example/api/v1/status-list';
export const REVISION_URI = 'https://verify.example/api/v1/revision-list';

export interface TestKey {
  signer: Signer;
  record: IssuingKey;
}

export interface Programme {
  root: RootTrust;
  /** The pinned root's public JWK (to build a RootTrust for another Ed25519 engine). */
  rootJwk: PublicJwk;
  rootSigner: Signer;
  keys: TestKey[];
  entries: Map<number, LicenceEntry>;
  /** Each licence's full detail revision (≥ 1). */
  revisions: Map<number, number>;
  seals: Map<number, string>;
  documents: Map<number, string>;
}

export async function newKey(time = T0): Promise<TestKey> {
  const jwk = await generateKeyPair();
  return { signer: await signerFor(jwk), record: await describeIssuingKey(publicJwk(jwk), time) };
}

export async function newProgramme(): Promise<Programme> {
  const rootJwk = await generateKeyPair();
  return {
    root: await rootTrust(publicJwk(rootJwk)),
    rootJwk: publicJwk(rootJwk),
    rootSigner: await signerFor(rootJwk),
    keys: [await newKey()],
    entries: new Map(),
    revisions: new Map(),
    seals: new Map(),
    documents: new Map(),
  };
}

export function entry(serial: number, overrides: Partial<LicenceEntry> = {}): LicenceEntry {
  return {
    number: `QDYP-2026-${String(serial).padStart(6, '0')}`,
    holder: { name: '青岛海滨食品有限公司', uscc: '91370200MA3C5X8Y1K', address: '青岛市黄岛区海滨路 1 号' },
    tier: 'product',
    sector: 'agriculture',
    chain: '食品饮料',
    region: '370211',
    products: ['海参礼盒'],
    trademarks: ['海滨'],
    validFrom: '2026-01-01',
    validUntil: '2028-12-31',
    status: 'valid',
    statusReason: null,
    statusChangedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** Issues a licence under `key` (default: the programme's first key), at revision 1. */
export async function issue(p: Programme, serial: number, overrides: Partial<LicenceEntry> = {}, key = p.keys[0]!): Promise<string> {
  const e = entry(serial, overrides);
  p.entries.set(serial, e);
  p.revisions.set(serial, 1);
  const seal = await createSeal({ serial, horizon: key.record.verifyUntil }, key.signer);
  p.seals.set(serial, seal);
  const { status: _status, statusReason: _reason, statusChangedAt: _changed, holder, ...details } = e;
  const claims: LicenceClaims = {
    ...details,
    holder: { name: holder.name, uscc: holder.uscc },
    iss: 'qdyp',
    iat: Math.floor(T0.getTime() / 1000),
    status: { status_list: { idx: serial, uri: STATUS_URI } },
  };
  p.documents.set(serial, await signLicenceDocument(claims, key.signer));
  return seal;
}

/** Changes what a licence's entry shows: a new revision (`by` further changes at once). */
export function revise(p: Programme, serial: number, overrides: Partial<LicenceEntry> = {}, by = 1): void {
  p.entries.set(serial, { ...p.entries.get(serial)!, ...overrides });
  p.revisions.set(serial, p.revisions.get(serial)! + by);
}

export interface PublishOptions {
  time?: Date;
  version?: number;
  /** Who signs the key list (default: the root). */
  keyListSigner?: Pick<Signer, 'kid' | 'privateKey'>;
  /** Which issuing key signs the status and revision lists (default: the first). */
  issuer?: TestKey;
  /** Which issuing key signs the licence entries (default: the issuer). */
  entrySigner?: TestKey;
  keys?: IssuingKey[];
}

/** What a publish writes: the lists, and every licence's entry under its store key. */
export interface Published {
  keyList: string;
  statusList: string;
  revisionList: string;
  /** `licence/{serial}/{r}` → the entry's JWS. */
  store: Map<string, string>;
}

export async function publish(p: Programme, options: PublishOptions = {}): Promise<Published> {
  const time = options.time ?? T0;
  const issuer = options.issuer ?? p.keys[0]!;
  const size = Math.max(0, ...p.entries.keys()) + 1;
  const statuses = new Uint8Array(size);
  const revisions = new Uint8Array(size);
  const store = new Map<string, string>();
  for (const [serial, e] of p.entries) {
    const rev = p.revisions.get(serial)!;
    statuses[serial] = STATUS_VALUE[e.status];
    revisions[serial] = rev % 256;
    store.set(licenceEntryKey(serial, rev % 256), await signLicenceEntry(e, { serial, rev, time }, (options.entrySigner ?? issuer).signer));
  }
  return {
    keyList: await signKeyList(options.keys ?? p.keys.map((k) => k.record), options.version ?? 1, time, options.keyListSigner ?? p.rootSigner),
    statusList: await signStatusList(statuses, { uri: STATUS_URI, time }, issuer.signer),
    revisionList: await signRevisionList(revisions, { uri: REVISION_URI, time }, issuer.signer),
    store,
  };
}

/** The bundle rows for the programme's licences. */
export function bundleRows(p: Programme, region: string | null = null): BundleRow[] {
  return [...p.entries]
    .filter(([, e]) => bundleRegionIncludes(region, e.region))
    .map(([serial, e]) => ({ serial, rev: p.revisions.get(serial)!, entry: e }));
}

export interface TrustFixtureOptions extends Omit<TrustOptions, 'root' | 'entries'> {
  root?: RootTrust;
  /** The instant entries are verified at (default T0). */
  clock?: () => Date;
  /** Hears every refused entry. */
  onProblem?: (serial: number, value: number, error: QdypError) => void;
}

/**
 * The trust context a verifier builds from `published` (lists as given, overridable), with
 * entries read from its store and verified on every lookup.
 */
export function trustPublished(
  p: Programme,
  published: Published,
  options: TrustFixtureOptions = {},
  artifacts: TrustArtifacts = {},
): Promise<TrustContext> {
  const { clock = () => T0, onProblem, root = p.root, ...rest } = options;
  const texts: TrustArtifacts = { keyList: published.keyList, statusList: published.statusList, revisionList: published.revisionList, ...artifacts };
  return buildTrustContext(texts, {
    ...rest,
    root,
    entries: (ctx) => entryLookupFromTexts((serial, value) => Promise.resolve(published.store.get(licenceEntryKey(serial, value)) ?? null), ctx.keyList, clock, onProblem),
  });
}
