// A small programme for tests, built from Web APIs only so the same fixtures run in Node and
// in workerd: a root key, issuing keys, licences, and the artifacts a publish would write.
import {
  createSeal,
  describeIssuingKey,
  generateKeyPair,
  publicJwk,
  rootTrust,
  signerFor,
  signKeyList,
  signRegister,
  signStatusList,
  signLicenceDocument,
  STATUS_VALUE,
  type IssuingKey,
  type LicenceClaims,
  type PublicJwk,
  type RegisterEntry,
  type RootTrust,
  type Signer,
  type TrustArtifacts,
} from '../../src/core/index.ts';

export const T0 = new Date('2026-11-27T04:00:00Z'); // 12:00 in Beijing

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
  entries: Map<number, RegisterEntry>;
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
    seals: new Map(),
    documents: new Map(),
  };
}

export function entry(serial: number, overrides: Partial<RegisterEntry> = {}): RegisterEntry {
  return {
    number: `QDYP-2026-${String(serial).padStart(6, '0')}`,
    holder: { name: '青岛海滨食品有限公司', uscc: '91370200MA3C5X8Y1K' },
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

/** Issues a licence under `key` (default: the programme's first key). */
export async function issue(p: Programme, serial: number, overrides: Partial<RegisterEntry> = {}, key = p.keys[0]!): Promise<string> {
  const e = entry(serial, overrides);
  p.entries.set(serial, e);
  const seal = await createSeal({ serial, horizon: key.record.verifyUntil }, key.signer);
  p.seals.set(serial, seal);
  const { status: _status, statusReason: _reason, statusChangedAt: _changed, ...details } = e;
  const claims: LicenceClaims = {
    ...details,
    iss: 'qdyp',
    iat: Math.floor(T0.getTime() / 1000),
    status: { status_list: { idx: serial, uri: 'https://verify.example/api/v1/status-list' } },
  };
  p.documents.set(serial, await signLicenceDocument(claims, key.signer));
  return seal;
}

export interface PublishOptions {
  time?: Date;
  version?: number;
  /** Who signs the key list (default: the root). */
  keyListSigner?: Pick<Signer, 'kid' | 'privateKey'>;
  /** Which issuing key signs the status list and register (default: the first). */
  issuer?: TestKey;
  keys?: IssuingKey[];
}

export async function publish(p: Programme, options: PublishOptions = {}): Promise<TrustArtifacts> {
  const time = options.time ?? T0;
  const issuer = options.issuer ?? p.keys[0]!;
  const size = Math.max(0, ...p.entries.keys()) + 1;
  const statuses = new Uint8Array(size);
  for (const [serial, e] of p.entries) statuses[serial] = STATUS_VALUE[e.status];
  return {
    keyList: await signKeyList(options.keys ?? p.keys.map((k) => k.record), options.version ?? 1, time, options.keyListSigner ?? p.rootSigner),
    statusList: await signStatusList(statuses, { uri: 'https://verify.example/api/v1/status-list', time }, issuer.signer),
    register: await signRegister(p.entries, time, issuer.signer),
  };
}
