// The programme office's operations on the registry of record, shared by the CLI, the console,
// the demo seeder and the batch import. Each change is one SQLite transaction together with
// its audit event; refused input throws RefusedError and changes nothing.
//
// Operations that sign read first, sign, then write in a transaction that re-checks what they
// read (the licence's revision, the next serial, the active key) and start over if it moved.
// Signing is node:crypto's synchronous Ed25519 (byte for byte what the core's WebCrypto
// functions make, at a fraction of the cost per call); a batch import plans a chunk of
// licences, has them signed on a worker thread, and writes them through the same functions.

import { sign as ed25519Sign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import {
  addDays,
  assembleJws,
  assembleSeal,
  cstDate,
  describeIssuingKey,
  generateKeyPair,
  isCalendarDate,
  keyId,
  LICENCE_NUMBER_RE,
  MAX_SERIAL,
  normaliseOrigin,
  publicJwk,
  QdypError,
  SECTORS,
  sealUrl,
  licenceDocumentSigningInput,
  sealSigningInput,
  signKeyList,
  TIERS,
  isRegionCode,
  type CalendarDate,
  type IssuingKey,
  type LicenceClaims,
  type LicenceStatus,
  type PrivateJwk,
  type Sector,
  type Tier,
} from '../core/index.ts';
import { RefusedError } from './errors.ts';
import { ensureKeysDir, issuingKeyFile, loadSigner, readPrivateKey, rootSigner, writePrivateKey, writePublicJwk, type NodeSigner } from './key-files.ts';
import { appendAudit, appendAuditJson } from './registry/audit.ts';
import { readConfig, writeConfig, type RegistryConfig } from './registry/config.ts';
import { openRegistry, registryPaths, type Registry } from './registry/db.ts';
import { getHolder, getHolders, insertHolder, updateHolderRow, type HolderRecord } from './registry/holders.ts';
import { activeKey, findKey, insertKey, listKeys, setKeyStatus, type KeyRecord } from './registry/keys.ts';
import {
  getLicence,
  getLicenceBySerial,
  issuedReferences,
  insertLicence,
  listLicences,
  nextSequence,
  nextSerial,
  registerEntry,
  updateLicenceRow,
  type LicenceRecord,
} from './registry/licences.ts';
import { usccProblem } from './uscc.ts';

export interface IssuerContext {
  registry: Registry;
  /** The instant of the change (tests and drills set it; the CLI reads QDYP_NOW or the clock). */
  now: Date;
  /** Who: recorded in the audit log. */
  actor: string;
}

const LIMITS = { name: 200, address: 300, chain: 100, product: 200, trademark: 100, reason: 500, listItems: 100, batch: 100, ref: 100 };
const MAX_SEQUENCE = 999_999;
const ATTEMPTS = 5;
/** Licence documents name this issuer, as the key list and register do. */
const ISSUER = 'qdyp';

// ---------------------------------------------------------------------------------------------
// Input checks: each returns the value to store or throws RefusedError.

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text is stored exactly as given; only what cannot be shown faithfully is refused. */
export function checkText(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw new RefusedError('invalid_text', `${field} must not be empty`);
  if (value.includes('\uFFFD')) throw new RefusedError('invalid_text', `${field} contains U+FFFD: the text was damaged in transit (not valid UTF-8?)`);
  if (CONTROL.test(value)) throw new RefusedError('invalid_text', `${field} must not contain control characters or line breaks`);
  if (LONE_SURROGATE.test(value)) throw new RefusedError('invalid_text', `${field} is not valid Unicode text`);
  // Code points never outnumber UTF-16 units: count them only when the units exceed the cap.
  if (value.length > max && [...value].length > max) throw new RefusedError('invalid_text', `${field} is longer than ${max} characters`);
  return value;
}

function optionalText(field: string, value: unknown, max: number): string | null {
  return value === undefined || value === null || value === '' ? null : checkText(field, value, max);
}

export function checkUscc(value: unknown): string {
  const code = typeof value === 'string' ? value.trim().toUpperCase() : '';
  const problem = usccProblem(code);
  if (problem === 'length') throw new RefusedError('invalid_uscc', `统一社会信用代码 (USCC) must be 18 characters; "${code}" has ${[...code].length}`);
  if (problem === 'alphabet') throw new RefusedError('invalid_uscc', `统一社会信用代码 (USCC) "${code}" may use only digits and capital letters other than I, O, S, V and Z`);
  if (problem === 'check') throw new RefusedError('invalid_uscc', `统一社会信用代码 (USCC) "${code}" is not valid: its check character (the 18th) does not match; please re-check the code`);
  return code;
}

export function checkRegion(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (!isRegionCode(value)) {
    throw new RefusedError('invalid_region', `region must be a GB/T 2260 code of Qingdao or its districts (370200, 370202, …, 370285); "${String(value)}" is not one`);
  }
  return value;
}

function checkTier(value: unknown): Tier {
  if (!TIERS.includes(value as Tier)) throw new RefusedError('invalid_tier', `tier must be one of ${TIERS.join(', ')}; "${String(value)}" is not`);
  return value as Tier;
}

function checkSector(value: unknown): Sector {
  if (!SECTORS.includes(value as Sector)) throw new RefusedError('invalid_sector', `sector must be one of ${SECTORS.join(', ')}; "${String(value)}" is not`);
  return value as Sector;
}

/** Dates already found valid: a batch import checks the same few dates on every row. */
const validDates = new Set<string>();

export function checkDate(field: string, value: unknown): CalendarDate {
  if (typeof value === 'string' && validDates.has(value)) return value;
  if (!isCalendarDate(value)) throw new RefusedError('invalid_date', `${field} must be a date as YYYY-MM-DD; "${String(value)}" is not`);
  if (validDates.size < 4096) validDates.add(value);
  return value;
}

function checkList(field: string, values: unknown, max: number, required: boolean): string[] {
  const list = values === undefined || values === null ? [] : values;
  if (!Array.isArray(list)) throw new RefusedError('invalid_list', `${field} must be a list`);
  if (required && list.length === 0) throw new RefusedError('invalid_list', `at least one ${field} is required`);
  if (list.length > LIMITS.listItems) throw new RefusedError('invalid_list', `at most ${LIMITS.listItems} ${field} entries`);
  return list.map((v) => checkText(field, v, max));
}

function checkReason(value: unknown, required: boolean): string | null {
  if (!required && (value === undefined || value === null || value === '')) return null;
  if (value === undefined || value === null || value === '') throw new RefusedError('invalid_text', 'a reason is required');
  return checkText('reason', value, LIMITS.reason);
}

function checkNumber(value: unknown): string {
  const number = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!LICENCE_NUMBER_RE.test(number)) throw new RefusedError('unknown_licence', `"${String(value)}" is not a licence number (QDYP-YYYY-NNNNNN)`);
  return number;
}

export function checkPeriod(from: CalendarDate, until: CalendarDate, horizon: CalendarDate): void {
  if (until < from) throw new RefusedError('invalid_period', `the validity period ends (${until}) before it starts (${from})`);
  if (until > horizon) {
    throw new RefusedError('invalid_period', `the validity period may not run past ${horizon}, when the signing key's seals stop verifying`);
  }
}

// ---------------------------------------------------------------------------------------------
// Shared machinery.

/** The registry moved between reading and writing: the change starts over. */
export class Conflict extends Error {}

/**
 * Runs a change alone within this process, and again if its transaction finds that another
 * process changed the registry while it was signing.
 */
function withRetry<T>(ctx: IssuerContext, operation: () => Promise<T>): Promise<T> {
  return ctx.registry.exclusive(async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (error) {
        if (!(error instanceof Conflict)) throw error;
        if (attempt >= ATTEMPTS) throw new RefusedError('conflict', 'the registry kept changing while this change was being signed; try again');
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * attempt));
      }
    }
  });
}

/** The last instant formatted: a batch import asks for the same one on every row. */
let lastAt = { time: NaN, text: '' };

function at(ctx: IssuerContext): string {
  const time = ctx.now.getTime();
  if (time !== lastAt.time) lastAt = { time, text: ctx.now.toISOString() };
  return lastAt.text;
}

/** The active issuing key and its signer, refusing if its signing window does not cover today. */
export async function signingKey(ctx: IssuerContext): Promise<{ key: KeyRecord; signer: NodeSigner }> {
  const key = activeKey(ctx.registry.db);
  if (!key) throw new RefusedError('key_not_signing', 'the registry has no active issuing key: run qdyp keys rotate');
  const today = cstDate(ctx.now);
  if (today < key.signFrom || today > key.signUntil) {
    throw new RefusedError('key_not_signing', `the active issuing key ${key.kid} may sign from ${key.signFrom} to ${key.signUntil}, not on ${today}: run qdyp keys rotate`);
  }
  return { key, signer: await loadSigner(ctx.registry, key.kid) };
}

function statusListUri(config: RegistryConfig): string {
  return `${config.origin.toLowerCase()}/api/v1/status-list`;
}

const encoder = new TextEncoder();

function ed25519(keyObject: KeyObject, data: Uint8Array): Uint8Array {
  return ed25519Sign(null, data, keyObject);
}

function documentSigningInput(ctx: IssuerContext, licence: LicenceRecord, config: RegistryConfig, kid: string): string {
  const { status: _status, statusReason: _reason, statusChangedAt: _changed, ...details } = registerEntry(licence);
  const claims: LicenceClaims = {
    ...details,
    iss: ISSUER,
    iat: Math.floor(ctx.now.getTime() / 1000),
    status: { status_list: { idx: licence.serial, uri: statusListUri(config) } },
  };
  return licenceDocumentSigningInput(claims, kid);
}

function signDocument(ctx: IssuerContext, licence: LicenceRecord, config: RegistryConfig, signer: NodeSigner): string {
  const input = documentSigningInput(ctx, licence, config, signer.kid);
  return assembleJws(input, ed25519(signer.keyObject, encoder.encode(input)));
}

function signSeal(key: KeyRecord, signer: NodeSigner, serial: number): string {
  const input = sealSigningInput({ sid: signer.sid, serial, horizon: key.verifyUntil });
  return assembleSeal(input, ed25519(signer.keyObject, input));
}

function licenceSnapshot(licence: LicenceRecord) {
  return { ...registerEntry(licence), serial: licence.serial, sealKid: licence.sealKid, seal: licence.seal, documentKid: licence.documentKid };
}

/**
 * What a licence.issue event records: who, when and why are the event's own columns; this is
 * the licence's public details and serial. Its seal and licence document are not repeated:
 * they are in its row, written once at issue (a reseal's or update's event keeps the old ones).
 */
function issueSnapshotJson(licence: LicenceRecord): string {
  return JSON.stringify({ ...registerEntry(licence), serial: licence.serial });
}

function holderSnapshot(holder: HolderRecord) {
  return { uscc: holder.uscc, name: holder.name, address: holder.address, region: holder.region };
}

function requireLicence(ctx: IssuerContext, number: unknown): LicenceRecord {
  const checked = checkNumber(number);
  const licence = getLicence(ctx.registry.db, checked);
  if (!licence) throw new RefusedError('unknown_licence', `no licence ${checked} in the registry`);
  return licence;
}

function requireNotRevoked(licence: LicenceRecord, action: string): void {
  if (licence.status === 'revoked') throw new RefusedError('invalid_transition', `licence ${licence.number} is revoked (final): it cannot be ${action}`);
}

/** The seal URL the QR code carries. */
export function licenceSealUrl(registry: Registry, licence: Pick<LicenceRecord, 'seal'>): string {
  return sealUrl(readConfig(registry.db).origin, licence.seal);
}

// ---------------------------------------------------------------------------------------------
// Registry and keys.

export interface InitInput {
  dbPath: string;
  origin: string;
  /** The root key to use (e.g. from QDYP_ROOT_KEY); otherwise `rootKeyFile` is read or created. */
  rootKey?: PrivateJwk;
  /** Where the root key is, or is to be made (default: keys/root.jwk beside the database). */
  rootKeyFile?: string;
  now: Date;
  actor: string;
}

export interface InitResult {
  registry: Registry;
  origin: string;
  rootKid: string;
  /** The file holding the root private key, or null when it came from the caller. */
  rootKeyFile: string | null;
  rootKeyCreated: boolean;
  issuingKey: KeyRecord;
}

/** Creates a registry: database, root key (unless given), first issuing key, signed key list. */
export async function initRegistry(input: InitInput): Promise<InitResult> {
  let origin: string;
  try {
    origin = normaliseOrigin(input.origin);
  } catch (error) {
    if (error instanceof QdypError) throw new RefusedError('invalid_origin', `--origin: ${error.message}`);
    throw error;
  }
  const paths = registryPaths(input.dbPath);
  if (fs.existsSync(paths.dbPath)) throw new RefusedError('registry_exists', `a registry already exists at ${paths.dbPath}; init never overwrites one`);
  let rootJwk = input.rootKey;
  const rootKeyFile = rootJwk ? null : (input.rootKeyFile ?? paths.defaultRootKey);
  if (rootKeyFile && fs.existsSync(rootKeyFile)) rootJwk = readPrivateKey(rootKeyFile);

  fs.mkdirSync(paths.dir, { recursive: true });
  ensureKeysDir(paths.keysDir);
  const created: string[] = [];
  if (!rootJwk) {
    rootJwk = await generateKeyPair();
    writePrivateKey(rootKeyFile!, rootJwk);
    created.push(rootKeyFile!);
  }
  const rootKid = await keyId(rootJwk);
  const root = await rootSigner(rootJwk, rootKid);
  const issuingJwk = await generateKeyPair();
  const issuing = await describeIssuingKey(publicJwk(issuingJwk), input.now);
  const keyList = await signKeyList([issuing], 1, input.now, root);

  let registry: Registry | undefined;
  try {
    const keyFile = issuingKeyFile(paths.keysDir, issuing.kid);
    writePrivateKey(keyFile, issuingJwk);
    created.push(keyFile);
    registry = openRegistry(paths.dbPath, { create: true, now: input.now });
    created.push(paths.dbPath, `${paths.dbPath}-wal`, `${paths.dbPath}-shm`);
    const when = input.now.toISOString();
    const db = registry.db;
    db.transaction(() => {
      writeConfig(db, { origin, rootKid, rootJwk: publicJwk(rootJwk), keyListVersion: 1, keyList });
      insertKey(db, issuing, when);
      appendAudit(db, { at: when, actor: input.actor, action: 'registry.init', subject: 'registry', after: { origin, rootKid, issuingKid: issuing.kid, keyListVersion: 1 } });
    })();
    writePublicJwk(paths.rootPublicJwk, publicJwk(rootJwk));
  } catch (error) {
    registry?.close();
    for (const file of created) fs.rmSync(file, { force: true });
    throw error;
  }
  return {
    registry,
    origin,
    rootKid,
    rootKeyFile,
    rootKeyCreated: rootKeyFile !== null && created.includes(rootKeyFile),
    issuingKey: findKey(registry.db, issuing.kid)!,
  };
}

export interface KeyChange {
  /** The key list version now published. */
  keyListVersion: number;
  /** The new active key, when one was made. */
  active: KeyRecord | null;
}

interface KeyPlan {
  action: string;
  subject?: string;
  reason: string | null;
  statusChanges: Map<string, IssuingKey['status']>;
  withNewKey: boolean;
}

/**
 * Re-signs the key list with `statusChanges` applied and, with `withNewKey`, a new active key
 * (the old active one retired unless it is being compromised). One transaction, one event.
 */
async function changeKeys(
  ctx: IssuerContext,
  rootKey: PrivateJwk,
  plan: KeyPlan,
): Promise<KeyChange> {
  return ctx.registry.exclusive(() => changeKeysNow(ctx, rootKey, plan));
}

async function changeKeysNow(
  ctx: IssuerContext,
  rootKey: PrivateJwk,
  plan: KeyPlan,
): Promise<KeyChange> {
  const db = ctx.registry.db;
  const config = readConfig(db);
  const root = await rootSigner(rootKey, config.rootKid);
  const before = listKeys(db);
  const version = config.keyListVersion + 1;
  let newJwk: PrivateJwk | null = null;
  let newKey: IssuingKey | null = null;
  const statusChanges = new Map(plan.statusChanges);
  if (plan.withNewKey) {
    newJwk = await generateKeyPair();
    newKey = await describeIssuingKey(publicJwk(newJwk), ctx.now);
    const current = before.find((k) => k.status === 'active');
    if (current && !statusChanges.has(current.kid)) statusChanges.set(current.kid, 'retired');
  }
  const keys: IssuingKey[] = before.map((k) => ({ ...k, status: statusChanges.get(k.kid) ?? k.status }));
  if (newKey) keys.push(newKey);
  const keyList = await signKeyList(keys, version, ctx.now, root);

  const keyFile = newKey && issuingKeyFile(ctx.registry.keysDir, newKey.kid);
  if (keyFile && newJwk) writePrivateKey(keyFile, newJwk);
  try {
    db.transaction(() => {
      const now = readConfig(db);
      const current = listKeys(db);
      if (now.keyListVersion !== config.keyListVersion || JSON.stringify(current.map((k) => [k.kid, k.status])) !== JSON.stringify(before.map((k) => [k.kid, k.status]))) {
        throw new RefusedError('conflict', 'the keys changed while this change was being signed; try again');
      }
      for (const [kid, status] of statusChanges) setKeyStatus(db, kid, status, at(ctx));
      if (newKey) insertKey(db, newKey, at(ctx));
      writeConfig(db, { keyListVersion: version, keyList });
      appendAudit(db, {
        at: at(ctx),
        actor: ctx.actor,
        action: plan.action,
        subject: plan.subject ?? newKey?.kid ?? 'registry',
        reason: plan.reason,
        before: { keyListVersion: config.keyListVersion, keys: before.map((k) => ({ kid: k.kid, status: k.status })) },
        after: { keyListVersion: version, keys: keys.map((k) => ({ kid: k.kid, status: k.status })) },
      });
    })();
  } catch (error) {
    if (keyFile) fs.rmSync(keyFile, { force: true });
    throw error;
  }
  if (newKey) ctx.registry.signers.delete(newKey.kid);
  return { keyListVersion: version, active: newKey ? findKey(db, newKey.kid)! : null };
}

/** A new active issuing key; the old one is retired (signs nothing new; its seals keep verifying). */
export async function rotateKey(ctx: IssuerContext, rootKey: PrivateJwk, reason?: string | null): Promise<KeyChange & { retired: KeyRecord | null; active: KeyRecord }> {
  const previous = activeKey(ctx.registry.db) ?? null;
  const change = await changeKeys(ctx, rootKey, { action: 'keys.rotate', reason: checkReason(reason, false), statusChanges: new Map(), withNewKey: true });
  return { ...change, active: change.active!, retired: previous && findKey(ctx.registry.db, previous.kid)! };
}

export interface CompromiseResult extends KeyChange {
  compromised: KeyRecord;
  /** Licences signed by a compromised key and not revoked: run `licence reseal` on each. */
  toReseal: LicenceRecord[];
}

/** Marks a key compromised: its seals and documents fail from the next publish. */
export async function compromiseKey(ctx: IssuerContext, kidOrSid: string, rootKey: PrivateJwk, reason?: string | null): Promise<CompromiseResult> {
  const key = findKey(ctx.registry.db, kidOrSid.trim());
  if (!key) throw new RefusedError('unknown_key', `no issuing key ${kidOrSid} in the registry (see qdyp keys list)`);
  if (key.status === 'compromised') throw new RefusedError('invalid_transition', `key ${key.kid} is already marked compromised`);
  const change = await changeKeys(ctx, rootKey, {
    action: 'keys.compromise',
    subject: key.kid,
    reason: checkReason(reason, false),
    statusChanges: new Map([[key.kid, 'compromised']]),
    withNewKey: key.status === 'active',
  });
  ctx.registry.signers.delete(key.kid);
  return { ...change, compromised: findKey(ctx.registry.db, key.kid)!, toReseal: licencesToReseal(ctx.registry) };
}

/** Licences whose seal or document a compromised key signed, except revoked ones. */
export function licencesToReseal(registry: Registry): LicenceRecord[] {
  const compromised = listKeys(registry.db)
    .filter((k) => k.status === 'compromised')
    .map((k) => k.kid);
  if (compromised.length === 0) return [];
  return listLicences(registry.db, { signedBy: compromised }).filter((l) => l.status !== 'revoked');
}

/** Re-signs the key list as it stands under a new version (before the old one expires). */
export async function refreshKeyList(ctx: IssuerContext, rootKey: PrivateJwk): Promise<KeyChange> {
  return changeKeys(ctx, rootKey, { action: 'keys.relist', subject: 'registry', reason: null, statusChanges: new Map(), withNewKey: false });
}

// ---------------------------------------------------------------------------------------------
// Holders.

export interface HolderInput {
  uscc: string;
  name: string;
  address?: string | null;
  region?: string | null;
}

/** Checks a new holder's details; throws RefusedError naming the problem. */
export function checkHolderInput(ctx: IssuerContext, input: HolderInput): HolderRecord {
  return {
    uscc: checkUscc(input.uscc),
    name: checkText('name', input.name, LIMITS.name),
    address: optionalText('address', input.address, LIMITS.address),
    region: checkRegion(input.region),
    createdAt: at(ctx),
    updatedAt: at(ctx),
  };
}

function insertHolderAudited(ctx: IssuerContext, holder: HolderRecord, when = at(ctx)): void {
  insertHolder(ctx.registry.db, holder);
  appendAudit(ctx.registry.db, { at: when, actor: ctx.actor, action: 'holder.add', subject: holder.uscc, after: holderSnapshot(holder) });
}

export async function addHolder(ctx: IssuerContext, input: HolderInput): Promise<HolderRecord> {
  const holder = checkHolderInput(ctx, input);
  const db = ctx.registry.db;
  db.transaction(() => {
    const existing = getHolder(db, holder.uscc);
    if (existing) throw new RefusedError('duplicate_holder', `holder ${holder.uscc} is already registered (as ${existing.name}); use qdyp holder update`);
    insertHolderAudited(ctx, holder);
  })();
  return holder;
}

export interface HolderChanges {
  name?: string;
  /** null or '' clears it. */
  address?: string | null;
  region?: string | null;
}

/** Changes a holder's details; a new name re-signs the holder's licence documents. */
export async function updateHolder(ctx: IssuerContext, uscc: string, changes: HolderChanges, reason?: string | null): Promise<HolderRecord> {
  const code = checkUscc(uscc);
  const why = checkReason(reason, false);
  const db = ctx.registry.db;
  return withRetry(ctx, async () => {
    const current = getHolder(db, code);
    if (!current) throw new RefusedError('unknown_holder', `no holder ${code} in the registry (add it with qdyp holder add)`);
    const next: HolderRecord = {
      ...current,
      name: changes.name === undefined ? current.name : checkText('name', changes.name, LIMITS.name),
      address: changes.address === undefined ? current.address : optionalText('address', changes.address, LIMITS.address),
      region: changes.region === undefined ? current.region : checkRegion(changes.region),
      updatedAt: at(ctx),
    };
    if (JSON.stringify(holderSnapshot(next)) === JSON.stringify(holderSnapshot(current))) {
      throw new RefusedError('nothing_to_change', `holder ${code} already has these details`);
    }
    // The licence documents carry the holder's name: re-sign those still in force.
    const resigned: { licence: LicenceRecord; revision: number }[] = [];
    if (next.name !== current.name) {
      const affected = listLicences(db, { holder: code }).filter((l) => l.status !== 'revoked');
      if (affected.length > 0) {
        const config = readConfig(db);
        const { key, signer } = await signingKey(ctx);
        for (const licence of affected) {
          const renamed: LicenceRecord = { ...licence, holder: { uscc: code, name: next.name }, documentKid: key.kid };
          renamed.document = signDocument(ctx, renamed, config, signer);
          resigned.push({ licence: renamed, revision: licence.revision });
        }
      }
    }
    db.transaction(() => {
      if (getHolder(db, code)?.updatedAt !== current.updatedAt) throw new Conflict();
      updateHolderRow(db, next);
      for (const { licence, revision } of resigned) {
        if (!updateLicenceRow(db, licence, revision, at(ctx))) throw new Conflict();
      }
      appendAudit(db, {
        at: at(ctx),
        actor: ctx.actor,
        action: 'holder.update',
        subject: code,
        reason: why,
        before: holderSnapshot(current),
        after: { ...holderSnapshot(next), ...(resigned.length ? { documentsResigned: resigned.map((r) => r.licence.number) } : {}) },
      });
    })();
    return next;
  });
}

// ---------------------------------------------------------------------------------------------
// Licences.

export interface IssueInput {
  /** The holder's USCC (already registered). */
  holder: string;
  tier: string;
  sector: string;
  chain?: string | null;
  products: string[];
  trademarks?: string[];
  /** Default: the holder's region. */
  region?: string | null;
  /** Default: today in China Standard Time. */
  validFrom?: string;
  /** Exactly one of validUntil and validDays. */
  validUntil?: string;
  validDays?: number;
  /** A selection batch and the row's reference in it: issuing the same pair again changes nothing. */
  batch?: string | null;
  ref?: string | null;
  reason?: string | null;
}

/** An issue request that passed every check, ready to sign. */
export interface CheckedIssue {
  /** As registered, or (batch import) a new holder to register with the licence. */
  holder: HolderRecord;
  tier: Tier;
  sector: Sector;
  chain: string | null;
  products: string[];
  trademarks: string[];
  region: string | null;
  validFrom: CalendarDate;
  validUntil: CalendarDate;
  batch: string | null;
  ref: string | null;
  reason: string | null;
}

/** Checks one issue request against the registry; throws RefusedError naming the problem. */
export function checkIssueInput(ctx: IssuerContext, input: IssueInput): CheckedIssue {
  const uscc = checkUscc(input.holder);
  const holder = getHolder(ctx.registry.db, uscc);
  if (!holder) throw new RefusedError('unknown_holder', `no holder ${uscc} in the registry (add it with qdyp holder add)`);
  return checkIssueTerms(ctx, input, holder);
}

/** Checks an issue request's terms for `holder` (registered, or checked to be added with it). */
export function checkIssueTerms(ctx: IssuerContext, input: Omit<IssueInput, 'holder'>, holder: HolderRecord): CheckedIssue {
  const tier = checkTier(input.tier);
  const sector = checkSector(input.sector);
  const chain = optionalText('chain', input.chain, LIMITS.chain);
  const products = checkList('product', input.products, LIMITS.product, true);
  const trademarks = checkList('trademark', input.trademarks, LIMITS.trademark, false);
  const region = input.region === undefined ? holder.region : checkRegion(input.region);
  const validFrom = input.validFrom === undefined ? cstDate(ctx.now) : checkDate('valid from', input.validFrom);
  let validUntil: CalendarDate;
  if ((input.validUntil === undefined) === (input.validDays === undefined)) {
    throw new RefusedError('invalid_period', 'give exactly one of: the last valid date (--until), or a number of days (--valid-days)');
  }
  if (input.validDays !== undefined) {
    if (!Number.isSafeInteger(input.validDays) || input.validDays < 1) throw new RefusedError('invalid_period', 'the number of valid days must be a whole number of at least 1');
    validUntil = addDays(validFrom, input.validDays - 1);
  } else {
    validUntil = checkDate('valid until', input.validUntil);
  }
  if (validUntil < validFrom) throw new RefusedError('invalid_period', `the validity period ends (${validUntil}) before it starts (${validFrom})`);
  const batch = optionalText('batch', input.batch, LIMITS.batch);
  const ref = optionalText('ref', input.ref, LIMITS.ref);
  if ((batch === null) !== (ref === null)) throw new RefusedError('invalid_text', 'a batch and a reference within it go together');
  return { holder, tier, sector, chain, products, trademarks, region, validFrom, validUntil, batch, ref, reason: checkReason(input.reason, false) };
}

export interface Issued {
  licence: LicenceRecord;
  /** false when the (batch, ref) was issued before: nothing changed. */
  created: boolean;
}

/** Issues one licence: a new serial, number, seal and licence document, with its audit event. */
export async function issueLicence(ctx: IssuerContext, input: IssueInput): Promise<LicenceRecord> {
  return (await issueLicences(ctx, [input]))[0]!.licence;
}

/** Refuses a (batch, ref) that appears twice among the requests. */
export function refuseDuplicateReferences(checked: CheckedIssue[]): void {
  const references = new Set<string>();
  for (const c of checked) {
    if (c.batch === null) continue;
    const id = JSON.stringify([c.batch, c.ref]);
    if (references.has(id)) throw new RefusedError('duplicate_reference', `batch ${c.batch} reference ${c.ref} appears twice`);
    references.add(id);
  }
}

/**
 * Issues several licences in ONE transaction (all or nothing). Requests whose (batch, ref) is
 * already in the registry are skipped and returned as they are.
 */
export async function issueLicences(ctx: IssuerContext, inputs: IssueInput[]): Promise<Issued[]> {
  const checked = inputs.map((input) => checkIssueInput(ctx, input));
  refuseDuplicateReferences(checked);
  return (await issueChecked(ctx, checked)).issued;
}

export interface IssueOutcome {
  /** One per request, in order. */
  issued: Issued[];
  /** Holders registered along with their first licence. */
  holdersAdded: HolderRecord[];
}

/**
 * Issues checked requests in ONE immediate transaction with their audit events. Signing
 * happens inside it, so nothing it read can move; a request's holder that is not registered
 * yet is registered with its first licence.
 */
async function issueChecked(ctx: IssuerContext, requests: CheckedIssue[]): Promise<IssueOutcome> {
  const db = ctx.registry.db;
  return withRetry(ctx, async () => {
    const { key, signer } = await signingKey(ctx);
    return db
      .transaction(() => {
        const plan = planIssues(ctx, requests, key, issueStart(ctx), new Map());
        const signatures = plan.signingInputs.map((input) => ed25519(signer.keyObject, input));
        return writePlan(ctx, plan, signatures);
      })
      .immediate();
  });
}

/**
 * Licence documents' signing inputs for many licences under one key: documentSigningInput's
 * text exactly (the same header, the same claims in the same order, base64url without
 * padding), with the header encoded once and the claims through Buffer's native encoder.
 */
class DocumentInputs {
  private header: string | null = null;
  private readonly iat: number;
  private readonly uri: string;

  constructor(
    private readonly ctx: IssuerContext,
    private readonly config: RegistryConfig,
    private readonly kid: string,
  ) {
    this.iat = Math.floor(ctx.now.getTime() / 1000);
    this.uri = statusListUri(config);
  }

  signingInput(licence: LicenceRecord): string {
    if (this.header === null) {
      // The first one through the core, which fixes the header for the rest.
      const input = documentSigningInput(this.ctx, licence, this.config, this.kid);
      this.header = input.slice(0, input.indexOf('.') + 1);
      return input;
    }
    const claims = {
      number: licence.number,
      holder: { name: licence.holder.name, uscc: licence.holder.uscc },
      tier: licence.tier,
      sector: licence.sector,
      chain: licence.chain,
      region: licence.region,
      products: licence.products,
      trademarks: licence.trademarks,
      validFrom: licence.validFrom,
      validUntil: licence.validUntil,
      iss: ISSUER,
      iat: this.iat,
      status: { status_list: { idx: licence.serial, uri: this.uri } },
    } satisfies LicenceClaims;
    return this.header + Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  }
}

/** Where the next licence's serial and number start. */
export interface IssueStart {
  serial: number;
  sequence: number;
}

export function issueStart(ctx: IssuerContext): IssueStart {
  return { serial: nextSerial(ctx.registry.db), sequence: nextSequence(ctx.registry.db, cstDate(ctx.now).slice(0, 4)) };
}

type PlannedIssue =
  | { existing: LicenceRecord }
  | { licence: LicenceRecord; sealInput: Uint8Array<ArrayBuffer>; documentInput: string; newHolder: HolderRecord | null; reason: string | null };

/** Licences numbered and laid out for one transaction, waiting for their signatures. */
export interface IssuePlan {
  kid: string;
  start: IssueStart;
  /** Where the licences after these start (a batch import plans its next chunk from here). */
  next: IssueStart;
  entries: PlannedIssue[];
  /** What to sign, two per new licence in order: its seal's bytes, then its document's. */
  signingInputs: Uint8Array<ArrayBuffer>[];
}

/**
 * Numbers and lays out the licences for `requests` from `start`, skipping (batch, ref) pairs
 * already issued. `pending` holds holders planned in earlier, not yet written plans and
 * receives this plan's new holders: each is registered once, with its first licence.
 */
export function planIssues(ctx: IssuerContext, requests: CheckedIssue[], key: KeyRecord, start: IssueStart, pending: Map<string, HolderRecord>): IssuePlan {
  const db = ctx.registry.db;
  const config = readConfig(db);
  const year = cstDate(ctx.now).slice(0, 4);
  const when = at(ctx);
  const entries: PlannedIssue[] = [];
  const signingInputs: Uint8Array<ArrayBuffer>[] = [];
  let { serial, sequence } = start;
  const refsByBatch = new Map<string, string[]>();
  for (const c of requests) {
    if (c.batch === null) continue;
    const refs = refsByBatch.get(c.batch);
    if (refs) refs.push(c.ref!);
    else refsByBatch.set(c.batch, [c.ref!]);
  }
  const issued = new Map([...refsByBatch].map(([batch, refs]) => [batch, issuedReferences(db, batch, refs)]));
  const documents = new DocumentInputs(ctx, config, key.kid);
  const unknown = new Set<string>();
  for (const c of requests) if (!pending.has(c.holder.uscc)) unknown.add(c.holder.uscc);
  const registered = getHolders(db, unknown);
  for (const c of requests) {
    const existing = c.batch !== null ? issued.get(c.batch)!.get(c.ref!) : undefined;
    if (existing !== undefined) {
      entries.push({ existing: getLicenceBySerial(db, existing)! });
      continue;
    }
    checkPeriod(c.validFrom, c.validUntil, key.verifyUntil);
    if (serial > MAX_SERIAL) throw new RefusedError('serials_exhausted', 'the status list has no serials left');
    if (sequence > MAX_SEQUENCE) throw new RefusedError('serials_exhausted', `licence numbers for ${year} are used up`);
    let holder = pending.get(c.holder.uscc) ?? registered.get(c.holder.uscc);
    let newHolder: HolderRecord | null = null;
    if (!holder) pending.set(c.holder.uscc, (holder = newHolder = c.holder));
    const licence: LicenceRecord = {
      serial,
      number: `QDYP-${year}-${String(sequence).padStart(6, '0')}`,
      holder: { name: holder.name, uscc: holder.uscc },
      tier: c.tier,
      sector: c.sector,
      chain: c.chain,
      region: c.region,
      products: c.products,
      trademarks: c.trademarks,
      validFrom: c.validFrom,
      validUntil: c.validUntil,
      status: 'valid',
      statusReason: null,
      statusChangedAt: when,
      sealKid: key.kid,
      seal: '',
      documentKid: key.kid,
      document: '',
      issuedAt: when,
      revision: 1,
      batch: c.batch,
      ref: c.ref,
    };
    const sealInput = sealSigningInput({ sid: key.sid, serial, horizon: key.verifyUntil });
    const documentInput = documents.signingInput(licence);
    signingInputs.push(sealInput, Buffer.from(documentInput, 'latin1') as Uint8Array<ArrayBuffer>);
    entries.push({ licence, sealInput, documentInput, newHolder, reason: c.reason });
    serial++;
    sequence++;
  }
  return { kid: key.kid, start, next: { serial, sequence }, entries, signingInputs };
}

/**
 * Writes a plan, given the signatures over its signing inputs, in one transaction with an
 * audit event per licence and per new holder. Throws Conflict, writing nothing, if the
 * registry moved since the plan was made (another process issued, rotated the key or
 * registered one of its holders).
 */
export function writePlan(ctx: IssuerContext, plan: IssuePlan, signatures: Uint8Array[]): IssueOutcome {
  const db = ctx.registry.db;
  const when = at(ctx);
  return db
    .transaction((): IssueOutcome => {
      const fresh = plan.entries.some((entry) => 'licence' in entry);
      if (activeKey(db)?.kid !== plan.kid) throw new Conflict();
      if (fresh) {
        const now = issueStart(ctx);
        if (now.serial !== plan.start.serial || now.sequence !== plan.start.sequence) throw new Conflict();
      }
      const issued: Issued[] = [];
      const holdersAdded: HolderRecord[] = [];
      const holdersChecked = new Set<string>();
      let signature = 0;
      for (const entry of plan.entries) {
        if (!('licence' in entry)) {
          issued.push({ licence: entry.existing, created: false });
          continue;
        }
        const { licence } = entry;
        if (!holdersChecked.has(licence.holder.uscc)) {
          holdersChecked.add(licence.holder.uscc);
          if (entry.newHolder) {
            try {
              insertHolderAudited(ctx, entry.newHolder, when);
            } catch (error) {
              // Another process registered the holder since the plan was made.
              if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new Conflict();
              throw error;
            }
            holdersAdded.push(entry.newHolder);
          } else if (getHolder(db, licence.holder.uscc)?.name !== licence.holder.name) {
            throw new Conflict();
          }
        }
        licence.seal = assembleSeal(entry.sealInput, signatures[signature++]!);
        licence.document = assembleJws(entry.documentInput, signatures[signature++]!);
        try {
          insertLicence(db, licence, when);
        } catch (error) {
          // Another process issued the same (batch, ref) since the plan was made.
          if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new Conflict();
          throw error;
        }
        appendAuditJson(db, when, ctx.actor, 'licence.issue', licence.number, entry.reason, null, issueSnapshotJson(licence));
        issued.push({ licence, created: true });
      }
      return { issued, holdersAdded };
    })
    .immediate();
}

/**
 * The shared path of every change to one licence: read, derive the next record (signing if
 * needed), then write it with its audit event if nobody changed the licence meanwhile.
 */
async function changeLicence(
  ctx: IssuerContext,
  number: unknown,
  action: string,
  reason: string | null,
  derive: (current: LicenceRecord) => Promise<LicenceRecord>,
): Promise<LicenceRecord> {
  const db = ctx.registry.db;
  return withRetry(ctx, async () => {
    const current = requireLicence(ctx, number);
    const next = await derive(current);
    db.transaction(() => {
      if (!updateLicenceRow(db, next, current.revision, at(ctx))) throw new Conflict();
      appendAudit(db, { at: at(ctx), actor: ctx.actor, action, subject: current.number, reason, before: licenceSnapshot(current), after: licenceSnapshot(next) });
    })();
    return getLicence(db, current.number)!;
  });
}

async function resignDocument(ctx: IssuerContext, licence: LicenceRecord): Promise<LicenceRecord> {
  const { key, signer } = await signingKey(ctx);
  const next = { ...licence, documentKid: key.kid };
  next.document = signDocument(ctx, next, readConfig(ctx.registry.db), signer);
  return next;
}

export interface LicenceChanges {
  products?: string[];
  trademarks?: string[];
  /** null or '' clears it. */
  chain?: string | null;
  /** null or '' clears it. */
  region?: string | null;
}

/** Changes what the register shows (a list given replaces that list); the seal stays. */
export async function updateLicence(ctx: IssuerContext, number: string, changes: LicenceChanges, reason?: string | null): Promise<LicenceRecord> {
  const why = checkReason(reason, false);
  return changeLicence(ctx, number, 'licence.update', why, async (current) => {
    requireNotRevoked(current, 'updated');
    const next: LicenceRecord = {
      ...current,
      products: changes.products === undefined ? current.products : checkList('product', changes.products, LIMITS.product, true),
      trademarks: changes.trademarks === undefined ? current.trademarks : checkList('trademark', changes.trademarks, LIMITS.trademark, false),
      chain: changes.chain === undefined ? current.chain : optionalText('chain', changes.chain, LIMITS.chain),
      region: changes.region === undefined ? current.region : checkRegion(changes.region),
    };
    if (JSON.stringify(registerEntry(next)) === JSON.stringify(registerEntry(current))) {
      throw new RefusedError('nothing_to_change', `licence ${current.number} already has these details`);
    }
    return resignDocument(ctx, next);
  });
}

/** A new validity period (default: from the current start) for the same serial and seal. */
export async function renewLicence(ctx: IssuerContext, number: string, period: { validUntil: string; validFrom?: string }, reason?: string | null): Promise<LicenceRecord> {
  const why = checkReason(reason, false);
  const until = checkDate('valid until', period.validUntil);
  const from = period.validFrom === undefined ? undefined : checkDate('valid from', period.validFrom);
  return changeLicence(ctx, number, 'licence.renew', why, async (current) => {
    requireNotRevoked(current, 'renewed');
    const validFrom = from ?? current.validFrom;
    const sealKey = findKey(ctx.registry.db, current.sealKid)!;
    checkPeriod(validFrom, until, sealKey.verifyUntil);
    if (validFrom === current.validFrom && until === current.validUntil) {
      throw new RefusedError('nothing_to_change', `licence ${current.number} is already valid from ${validFrom} to ${until}`);
    }
    return resignDocument(ctx, { ...current, validFrom, validUntil: until });
  });
}

/** A new seal (and document) under the active key: after a key compromise. Needs new artwork. */
export async function resealLicence(ctx: IssuerContext, number: string, reason?: string | null): Promise<LicenceRecord> {
  const why = checkReason(reason, false);
  return changeLicence(ctx, number, 'licence.reseal', why, async (current) => {
    requireNotRevoked(current, 'resealed');
    const { key, signer } = await signingKey(ctx);
    if (current.sealKid === key.kid && current.documentKid === key.kid) {
      throw new RefusedError('nothing_to_change', `licence ${current.number} is already sealed under the active key ${key.kid}`);
    }
    checkPeriod(current.validFrom, current.validUntil, key.verifyUntil);
    const next: LicenceRecord = { ...current, sealKid: key.kid, documentKid: key.kid };
    next.seal = signSeal(key, signer, current.serial);
    next.document = signDocument(ctx, next, readConfig(ctx.registry.db), signer);
    return next;
  });
}

const TRANSITIONS: Record<'suspend' | 'reinstate' | 'revoke', { from: LicenceStatus[]; to: LicenceStatus; past: string }> = {
  suspend: { from: ['valid'], to: 'suspended', past: 'suspended' },
  reinstate: { from: ['suspended'], to: 'valid', past: 'reinstated' },
  revoke: { from: ['valid', 'suspended'], to: 'revoked', past: 'revoked' },
};

async function changeStatus(ctx: IssuerContext, number: string, transition: keyof typeof TRANSITIONS, reason: string): Promise<LicenceRecord> {
  const why = checkReason(reason, true)!;
  const rule = TRANSITIONS[transition];
  return changeLicence(ctx, number, `licence.${transition}`, why, async (current) => {
    if (!rule.from.includes(current.status)) {
      const detail =
        current.status === rule.to ? `it is already ${current.status}` : current.status === 'revoked' ? 'it is revoked, and revocation is final' : `it is ${current.status}`;
      throw new RefusedError('invalid_transition', `licence ${current.number} cannot be ${rule.past}: ${detail}`);
    }
    return { ...current, status: rule.to, statusReason: why, statusChangedAt: at(ctx) };
  });
}

export function suspendLicence(ctx: IssuerContext, number: string, reason: string): Promise<LicenceRecord> {
  return changeStatus(ctx, number, 'suspend', reason);
}

export function reinstateLicence(ctx: IssuerContext, number: string, reason: string): Promise<LicenceRecord> {
  return changeStatus(ctx, number, 'reinstate', reason);
}

export function revokeLicence(ctx: IssuerContext, number: string, reason: string): Promise<LicenceRecord> {
  return changeStatus(ctx, number, 'revoke', reason);
}
