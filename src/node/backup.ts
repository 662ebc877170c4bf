// Backups: one file holding a consistent snapshot of the database and the issuing private keys
// (never the root key), the keys encrypted with a passphrase (scrypt + AES-256-GCM). The
// database travels in clear (it is the public register plus holder contact details) but is
// bound to the encrypted part: its SHA-256 is authenticated data of the cipher, so neither
// half can be swapped without the restore noticing.

import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { keyId, publicJwk, type PrivateJwk } from '../core/index.ts';
import { applyCatchUp, applyLogRecovery, planCatchUp, type CatchUpPlan } from './catch-up.ts';
import { RefusedError } from './errors.ts';
import { writeFileAtomic } from './files.ts';
import { ensureKeysDir, issuingKeyFile, parsePrivateKey, writePublicJwk } from './key-files.ts';
import { readConfig } from './registry/config.ts';
import { openRegistry, registryPaths, type Registry } from './registry/db.ts';
import { listKeys } from './registry/keys.ts';
import { PUBLISH_TARGETS, raiseListIat, resetTarget } from './registry/publishing.ts';
import { SCHEMA_VERSION, schemaVersion } from './registry/migrations.ts';

export const BACKUP_PASSPHRASE_ENV = 'QDYP_BACKUP_PASSPHRASE';
export const MIN_PASSPHRASE_LENGTH = 12;
const FORMAT = 'qdyp-backup';
const FORMAT_VERSION = 1;
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

interface BackupDocument {
  format: typeof FORMAT;
  version: typeof FORMAT_VERSION;
  createdAt: string;
  database: { sha256: string; base64: string };
  keys: {
    kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
    cipher: 'aes-256-gcm';
    iv: string;
    tag: string;
    ciphertext: string;
  };
}

function checkPassphrase(passphrase: string | undefined): string {
  if (!passphrase) throw new RefusedError('no_passphrase', `set ${BACKUP_PASSPHRASE_ENV} to the backup passphrase`);
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) {
    throw new RefusedError('no_passphrase', `the backup passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters`);
  }
  return passphrase;
}

function associatedData(createdAt: string, sha256: string): Buffer {
  return Buffer.from(`${FORMAT}/${FORMAT_VERSION}\0${createdAt}\0${sha256}`, 'utf8');
}

function deriveKey(passphrase: string, salt: Buffer, params: { N: number; r: number; p: number }): Buffer {
  return scryptSync(passphrase.normalize('NFC'), salt, 32, { ...params, maxmem: SCRYPT.maxmem });
}

/** The backup file's text (database snapshot plus encrypted issuing keys) and how many keys it holds. */
export function createBackup(registry: Registry, passphrase: string | undefined, now: Date): { text: string; keys: number } {
  const secret = checkPassphrase(passphrase);
  const database = registry.db.serialize();
  // Header bytes 18 and 19 say WAL; an image read from memory must say rollback journal.
  // The restored registry goes back to WAL when it is opened.
  database[18] = 1;
  database[19] = 1;
  const keys: Record<string, PrivateJwk> = {};
  for (const key of listKeys(registry.db)) {
    if (key.status === 'compromised') continue;
    const file = issuingKeyFile(registry.keysDir, key.kid);
    if (!fs.existsSync(file)) {
      if (key.status === 'active') throw new RefusedError('missing_private_key', `the active ${key.role === 'log' ? 'log' : 'issuing'} key's file ${file} is missing: nothing to back up it with`);
      continue;
    }
    keys[key.kid] = parsePrivateKey(fs.readFileSync(file, 'utf8'), file);
  }
  const createdAt = now.toISOString();
  const sha256 = createHash('sha256').update(database).digest('hex');
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secret, salt, SCRYPT), iv);
  cipher.setAAD(associatedData(createdAt, sha256));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(keys), 'utf8'), cipher.final()]);
  const document: BackupDocument = {
    format: FORMAT,
    version: FORMAT_VERSION,
    createdAt,
    database: { sha256, base64: database.toString('base64') },
    keys: {
      kdf: { name: 'scrypt', N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, salt: salt.toString('base64') },
      cipher: 'aes-256-gcm',
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64'),
    },
  };
  return { text: `${JSON.stringify(document)}\n`, keys: Object.keys(keys).length };
}

export function writeBackup(registry: Registry, file: string, passphrase: string | undefined, now: Date): { keys: number; bytes: number } {
  const { text, keys } = createBackup(registry, passphrase, now);
  writeFileAtomic(file, text, 0o600);
  return { keys, bytes: Buffer.byteLength(text) };
}

interface OpenedBackup {
  createdAt: string;
  database: Buffer;
  keys: Map<string, PrivateJwk>;
}

const invalid = (detail: string) => new RefusedError('invalid_backup', `not a usable qdyp backup: ${detail}`);

/** Reads, authenticates and decrypts a backup; changes nothing. */
export async function openBackup(text: string, passphrase: string | undefined): Promise<OpenedBackup> {
  const secret = checkPassphrase(passphrase);
  let doc: BackupDocument;
  try {
    doc = JSON.parse(text) as BackupDocument;
  } catch {
    throw invalid('it is not JSON');
  }
  if (doc?.format !== FORMAT || doc.version !== FORMAT_VERSION || typeof doc.createdAt !== 'string' || !doc.database || !doc.keys?.kdf) {
    throw invalid(`it is not a ${FORMAT} version ${FORMAT_VERSION} file`);
  }
  const database = Buffer.from(String(doc.database.base64), 'base64');
  if (createHash('sha256').update(database).digest('hex') !== doc.database.sha256) throw invalid('the database part is damaged');
  const { kdf } = doc.keys;
  if (kdf.name !== 'scrypt' || ![kdf.N, kdf.r, kdf.p].every(Number.isSafeInteger) || kdf.N > 2 ** 20 || kdf.r > 32 || kdf.p > 16) throw invalid('unknown key derivation');
  let plain: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', deriveKey(secret, Buffer.from(kdf.salt, 'base64'), kdf), Buffer.from(doc.keys.iv, 'base64'));
    decipher.setAAD(associatedData(doc.createdAt, doc.database.sha256));
    decipher.setAuthTag(Buffer.from(doc.keys.tag, 'base64'));
    plain = Buffer.concat([decipher.update(Buffer.from(doc.keys.ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new RefusedError('invalid_backup', 'the passphrase is wrong or the backup is damaged: nothing was restored');
  }
  const keys = new Map<string, PrivateJwk>();
  for (const [kid, raw] of Object.entries(JSON.parse(plain) as Record<string, unknown>)) {
    const jwk = parsePrivateKey(JSON.stringify(raw), `backup key ${kid}`);
    if ((await keyId(jwk)) !== kid) throw invalid(`key ${kid} does not match its id`);
    keys.set(kid, jwk);
  }
  return { createdAt: doc.createdAt, database, keys };
}

/**
 * Checks the snapshot in memory before anything touches the disk, and compares it with what is
 * published at `edgeDir` (see catch-up.ts): refuses if the edge has what the backup cannot
 * catch up with.
 */
async function checkSnapshot(backup: OpenedBackup, edgeDir: string, now: Date): Promise<CatchUpPlan> {
  let db: Database.Database;
  try {
    db = new Database(backup.database);
  } catch {
    throw invalid('the database part is not an SQLite database');
  }
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw invalid('the database fails its integrity check');
    const version = schemaVersion(db);
    if (version < 1) throw invalid('the database holds no registry');
    if (version > SCHEMA_VERSION) throw new RefusedError('registry_too_new', `the backup's schema is version ${version}; this qdyp knows up to ${SCHEMA_VERSION}: upgrade qdyp`);
    readConfig(db);
    const active = listKeys(db).find((k) => k.status === 'active' && k.role !== 'log');
    if (!active || !backup.keys.has(active.kid)) throw invalid('it lacks the active issuing key, so the registry could not sign');
    return await planCatchUp(db, edgeDir, now);
  } finally {
    db.close();
  }
}

export interface RestoreInput {
  text: string;
  dbPath: string;
  passphrase: string | undefined;
  /** Replace an existing registry at dbPath. */
  force?: boolean;
  now: Date;
  actor: string;
  /** The published state to catch up with (default: the registry directory's edge/). */
  edgeDir?: string;
  /** Restore although no published state was found to compare with (nothing was ever published). */
  withoutPublishedState?: boolean;
}

/** Restores a backup into the registry directory of `dbPath`; returns the opened registry. */
export async function restoreBackup(
  input: RestoreInput,
): Promise<{ registry: Registry; createdAt: string; keys: number; caughtUp: string[]; published: boolean; logRecovered: number }> {
  const paths = registryPaths(input.dbPath);
  if (fs.existsSync(paths.dbPath) && !input.force) {
    throw new RefusedError('registry_exists', `a registry already exists at ${paths.dbPath}; restore replaces it only with --force`);
  }
  const backup = await openBackup(input.text, input.passphrase);
  const plan = await checkSnapshot(backup, input.edgeDir ?? paths.edgeDir, input.now);

  if (!plan.published && !input.withoutPublishedState) {
    throw new RefusedError(
      'restore_behind',
      `nothing is published at ${input.edgeDir ?? paths.edgeDir} to compare the backup with, so a restore could publish older licences than the edge shows: give --edge DIR (a copy of what production publishes), or --without-published-state if nothing was ever published from this registry; nothing was restored`,
    );
  }

  fs.mkdirSync(paths.dir, { recursive: true });
  ensureKeysDir(paths.keysDir);
  // A key file's name is its key's thumbprint, so rewriting one writes the same key.
  for (const [kid, jwk] of backup.keys) writeFileAtomic(issuingKeyFile(paths.keysDir, kid), `${JSON.stringify(jwk)}\n`, 0o600);
  // The backup is caught up beside its final place and renamed into it whole: a failure before
  // the rename leaves the registry that was there (or none), never a restored one not caught up.
  const staging = `${paths.dbPath}.restoring-${process.pid}`;
  for (const file of [staging, `${staging}-wal`, `${staging}-shm`]) fs.rmSync(file, { force: true });
  writeFileAtomic(staging, backup.database);
  let staged: Registry | undefined;
  try {
    staged = openRegistry(staging, { now: input.now });
    const db = staged.db;
    // This directory's edge/ may hold anything (or nothing): it gets every entry again, and no
    // list is dated before one the edge already has. The log's published entries come first.
    db.transaction(() => {
      applyLogRecovery(db, plan.log);
      resetTarget(db, 'local');
      if (plan.listIat !== null) for (const target of PUBLISH_TARGETS) raiseListIat(db, target, plan.listIat + 1);
    })();
    await applyCatchUp({ registry: staged, now: input.now, actor: input.actor }, plan);
    db.pragma('journal_mode = DELETE');
    staged.close();
    staged = undefined;
    // A leftover -wal from the replaced database would be replayed into the restored one.
    for (const suffix of ['-wal', '-shm']) fs.rmSync(`${paths.dbPath}${suffix}`, { force: true });
    fs.renameSync(staging, paths.dbPath);
  } catch (error) {
    staged?.close();
    for (const file of [staging, `${staging}-wal`, `${staging}-shm`]) fs.rmSync(file, { force: true });
    throw error;
  }
  const registry = openRegistry(paths.dbPath, { now: input.now });
  writePublicJwk(paths.rootPublicJwk, publicJwk(readConfig(registry.db).rootJwk));
  return { registry, createdAt: backup.createdAt, keys: backup.keys.size, caughtUp: plan.licences.map((l) => l.number), published: plan.published, logRecovered: plan.log?.entries.length ?? 0 };
}
