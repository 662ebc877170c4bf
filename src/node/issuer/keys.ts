// Creating a registry and the key ceremonies: init (root key, first issuing key, first log key,
// key list), rotate (either role), compromise, and re-signing the key list. Each is one
// transaction with its audit event and its transparency log entry; the root key is needed only
// here.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import {
  describeIssuingKey,
  encodeLogEntry,
  generateKeyPair,
  keyId,
  keyRole,
  normaliseOrigin,
  publicJwk,
  QdypError,
  signKeyList,
  type IssuingKey,
  type KeyLogEvent,
  type KeyRole,
  type PrivateJwk,
} from '../../core/index.ts';
import { RefusedError } from '../errors.ts';
import { ensureKeysDir, forgetSigner, issuingKeyFile, readPrivateKey, rootSigner, writePrivateKey, writePublicJwk } from '../key-files.ts';
import { appendAudit } from '../registry/audit.ts';
import { readConfig, writeConfig } from '../registry/config.ts';
import { openRegistry, registryPaths, type Registry } from '../registry/db.ts';
import { activeKey, activeLogKey, findKey, insertKey, listKeys, setKeyStatus, type KeyRecord } from '../registry/keys.ts';
import { licencesToReseal, type LicenceRecord } from '../registry/licences.ts';
import { appendLogEntry } from '../registry/log.ts';
import { resetAllTargets } from '../registry/publishing.ts';
import { checkReason } from './checks.ts';
import { at, type IssuerContext } from './context.ts';

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
  logKey: KeyRecord;
}

/**
 * What a key event logs: the keys it concerns (as they stand after it) and the key list signed
 * with it, named by its SHA-256 (anyone holding the published list can check it is that one).
 */
function keyLogText(event: KeyLogEvent, time: string, keys: readonly IssuingKey[], keyList: string): string {
  const claims = JSON.parse(Buffer.from(keyList.split('.')[1]!, 'base64url').toString('utf8')) as { version: number; iat: number; exp: number };
  return encodeLogEntry({
    v: 1,
    event,
    time,
    keys: keys.map((k) => ({ kid: k.kid, role: keyRole(k), status: k.status })),
    keyList: { version: claims.version, iat: claims.iat, exp: claims.exp, sha256: createHash('sha256').update(keyList).digest('base64url') },
  });
}

/** Creates a registry: database, root key (unless given), first issuing and log keys, signed key list. */
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
  const logJwk = await generateKeyPair();
  const log = await describeIssuingKey(publicJwk(logJwk), input.now, {}, 'log');
  const keyList = await signKeyList([issuing, log], 1, input.now, root);

  let registry: Registry | undefined;
  try {
    const keyFile = issuingKeyFile(paths.keysDir, issuing.kid);
    writePrivateKey(keyFile, issuingJwk);
    created.push(keyFile);
    const logKeyFile = issuingKeyFile(paths.keysDir, log.kid);
    writePrivateKey(logKeyFile, logJwk);
    created.push(logKeyFile);
    registry = openRegistry(paths.dbPath, { create: true, now: input.now });
    created.push(paths.dbPath, `${paths.dbPath}-wal`, `${paths.dbPath}-shm`);
    const when = input.now.toISOString();
    const db = registry.db;
    db.transaction(() => {
      writeConfig(db, { origin, rootKid, rootJwk: publicJwk(rootJwk), keyListVersion: 1, keyList });
      insertKey(db, issuing, when);
      insertKey(db, log, when);
      appendAudit(db, { at: when, actor: input.actor, action: 'registry.init', subject: 'registry', after: { origin, rootKid, issuingKid: issuing.kid, logKid: log.kid, keyListVersion: 1 } });
      appendLogEntry(db, keyLogText('key.init', when, [issuing, log], keyList));
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
    logKey: findKey(registry.db, log.kid)!,
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
  event: KeyLogEvent;
  subject?: string;
  reason: string | null;
  statusChanges: Map<string, IssuingKey['status']>;
  /** A new active key of this role, or null for none. */
  newKey: KeyRole | null;
}

/**
 * Re-signs the key list with `statusChanges` applied and, with `newKey`, a new active key of
 * that role (the old active one of the role retired unless it is being compromised). One
 * transaction, one audit event, one log entry naming the keys changed (a re-signed list's
 * entry names every listed key).
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
  if (plan.newKey) {
    const role = plan.newKey;
    newJwk = await generateKeyPair();
    newKey = await describeIssuingKey(publicJwk(newJwk), ctx.now, {}, role);
    const current = before.find((k) => k.status === 'active' && keyRole(k) === role);
    if (current && !statusChanges.has(current.kid)) statusChanges.set(current.kid, 'retired');
  }
  const keys: IssuingKey[] = before.map((k) => ({ ...k, status: statusChanges.get(k.kid) ?? k.status }));
  if (newKey) keys.push(newKey);
  const concerned = plan.event === 'key_list.sign' ? keys : keys.filter((k) => statusChanges.has(k.kid) || k === newKey);
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
      // Entries signed by a compromised issuing key stop verifying: all are signed again at the
      // next publish (a log key signs only checkpoints, signed afresh at every publish anyway).
      if (keys.some((k) => statusChanges.get(k.kid) === 'compromised' && keyRole(k) === 'issue')) resetAllTargets(db);
      appendAudit(db, {
        at: at(ctx),
        actor: ctx.actor,
        action: plan.action,
        subject: plan.subject ?? newKey?.kid ?? 'registry',
        reason: plan.reason,
        before: { keyListVersion: config.keyListVersion, keys: before.map((k) => ({ kid: k.kid, status: k.status })) },
        after: { keyListVersion: version, keys: keys.map((k) => ({ kid: k.kid, status: k.status })) },
      });
      appendLogEntry(db, keyLogText(plan.event, at(ctx), concerned, keyList));
    })();
  } catch (error) {
    if (keyFile) fs.rmSync(keyFile, { force: true });
    throw error;
  }
  if (newKey) forgetSigner(ctx.registry, newKey.kid);
  return { keyListVersion: version, active: newKey ? findKey(db, newKey.kid)! : null };
}

/**
 * A new active issuing key; the old one is retired (signs nothing new; its seals keep
 * verifying). With `role: 'log'`, a new log key instead (the old log key retired: checkpoints it
 * signed keep verifying); a registry that predates the log gets its first log key so.
 */
export async function rotateKey(
  ctx: IssuerContext,
  rootKey: PrivateJwk,
  reason?: string | null,
  options: { role?: KeyRole } = {},
): Promise<KeyChange & { retired: KeyRecord | null; active: KeyRecord }> {
  const role = options.role ?? 'issue';
  const previous = (role === 'log' ? activeLogKey(ctx.registry.db) : activeKey(ctx.registry.db)) ?? null;
  const change = await changeKeys(ctx, rootKey, { action: 'keys.rotate', event: 'key.rotate', reason: checkReason(reason, false), statusChanges: new Map(), newKey: role });
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
    event: 'key.compromise',
    subject: key.kid,
    reason: checkReason(reason, false),
    statusChanges: new Map([[key.kid, 'compromised']]),
    newKey: key.status === 'active' ? keyRole(key) : null,
  });
  forgetSigner(ctx.registry, key.kid);
  return { ...change, compromised: findKey(ctx.registry.db, key.kid)!, toReseal: licencesToReseal(ctx.registry.db) };
}

/** Re-signs the key list as it stands under a new version (before the old one expires). */
export async function refreshKeyList(ctx: IssuerContext, rootKey: PrivateJwk): Promise<KeyChange> {
  return changeKeys(ctx, rootKey, { action: 'keys.relist', event: 'key_list.sign', subject: 'registry', reason: null, statusChanges: new Map(), newKey: null });
}
