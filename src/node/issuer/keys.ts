// Creating a registry and the key ceremonies: init (root key, first issuing key, key list),
// rotate, compromise, and re-signing the key list. Each is one transaction with its audit event;
// the root key is needed only here.

import fs from 'node:fs';
import { describeIssuingKey, generateKeyPair, keyId, normaliseOrigin, publicJwk, QdypError, signKeyList, type IssuingKey, type PrivateJwk } from '../../core/index.ts';
import { RefusedError } from '../errors.ts';
import { ensureKeysDir, forgetSigner, issuingKeyFile, readPrivateKey, rootSigner, writePrivateKey, writePublicJwk } from '../key-files.ts';
import { appendAudit } from '../registry/audit.ts';
import { readConfig, writeConfig } from '../registry/config.ts';
import { openRegistry, registryPaths, type Registry } from '../registry/db.ts';
import { activeKey, findKey, insertKey, listKeys, setKeyStatus, type KeyRecord } from '../registry/keys.ts';
import { licencesToReseal, type LicenceRecord } from '../registry/licences.ts';
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
      // Entries signed by a compromised key stop verifying: all are signed again at the next publish.
      if ([...statusChanges.values()].includes('compromised')) resetAllTargets(db);
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
  if (newKey) forgetSigner(ctx.registry, newKey.kid);
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
  forgetSigner(ctx.registry, key.kid);
  return { ...change, compromised: findKey(ctx.registry.db, key.kid)!, toReseal: licencesToReseal(ctx.registry.db) };
}

/** Re-signs the key list as it stands under a new version (before the old one expires). */
export async function refreshKeyList(ctx: IssuerContext, rootKey: PrivateJwk): Promise<KeyChange> {
  return changeKeys(ctx, rootKey, { action: 'keys.relist', subject: 'registry', reason: null, statusChanges: new Map(), withNewKey: false });
}
