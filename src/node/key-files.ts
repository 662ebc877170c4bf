// Private keys on disk: keys/ is mode 0700, each private JWK mode 0600, one file per issuing key
// (`{kid}.jwk`) and the root key in `root.jwk` unless it lives elsewhere (offline media, or the
// QDYP_ROOT_KEY environment variable). Messages name files and key ids, never key material.

import { createPrivateKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isPrivateJwk, keyId, publicJwk, signerFor, type PrivateJwk, type PublicJwk, type Signer } from '../core/index.ts';
import { RefusedError } from './errors.ts';
import { writeFileAtomic, writeNewFile } from './files.ts';
import type { Registry } from './registry/db.ts';

export const ROOT_KEY_ENV = 'QDYP_ROOT_KEY';

export function ensureKeysDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

export function issuingKeyFile(keysDir: string, kid: string): string {
  return path.join(keysDir, `${kid}.jwk`);
}

/** Writes a private key to a new file (never over an existing one), mode 0600, flushed. */
export function writePrivateKey(file: string, jwk: PrivateJwk): void {
  try {
    writeNewFile(file, `${JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d })}\n`, 0o600);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'EEXIST' ? 'a file is already there' : (error as NodeJS.ErrnoException).code ?? 'write failed';
    throw new RefusedError('invalid_private_key', `cannot write the private key file ${file} (${reason})`);
  }
}

export function parsePrivateKey(text: string, source: string): PrivateJwk {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RefusedError('invalid_private_key', `${source} is not a JSON Web Key`);
  }
  if (!isPrivateJwk(value)) throw new RefusedError('invalid_private_key', `${source} is not an Ed25519 private JWK`);
  return { kty: 'OKP', crv: 'Ed25519', x: value.x, d: value.d };
}

export function readPrivateKey(file: string): PrivateJwk {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new RefusedError('missing_private_key', `cannot read the private key file ${file}`);
  }
  return parsePrivateKey(text, file);
}

/**
 * An issuing key's signer in Node: the WebCrypto key the core's sign functions take, and the
 * same key for node:crypto, whose synchronous `sign` costs a fraction of WebCrypto's per call
 * (issuing signs with it: a batch import signs two things per licence, thousands at a time).
 */
export type NodeSigner = Signer & { keyObject: KeyObject };

/** Issuing-key signers already loaded from a registry's keys/, by kid. */
const loaded = new WeakMap<Registry, Map<string, NodeSigner>>();

/** Loads (once per open registry) the signer for an issuing key, checking the file holds that very key. */
export async function loadSigner(registry: Registry, kid: string): Promise<NodeSigner> {
  let signers = loaded.get(registry);
  if (!signers) loaded.set(registry, (signers = new Map()));
  const cached = signers.get(kid);
  if (cached) return cached;
  const file = issuingKeyFile(registry.keysDir, kid);
  const jwk = readPrivateKey(file);
  if ((await keyId(jwk)) !== kid) throw new RefusedError('invalid_private_key', `${file} does not hold the key ${kid}`);
  const signer: NodeSigner = { ...(await signerFor(jwk)), keyObject: createPrivateKey({ key: { ...jwk }, format: 'jwk' }) };
  signers.set(kid, signer);
  return signer;
}

/** Drops a loaded signer (its key's status changed): the next use reads keys/ again. */
export function forgetSigner(registry: Registry, kid: string): void {
  loaded.get(registry)?.delete(kid);
}

export interface RootKeySource {
  /** --root-key FILE */
  file?: string;
  /** The environment, for QDYP_ROOT_KEY. */
  env?: Record<string, string | undefined>;
  /** The registry's keys/root.jwk. */
  defaultFile: string;
}

/** The root private key: --root-key FILE, else QDYP_ROOT_KEY, else keys/root.jwk. */
export function resolveRootKey(source: RootKeySource): PrivateJwk {
  if (source.file) return readPrivateKey(source.file);
  const fromEnv = source.env?.[ROOT_KEY_ENV];
  if (fromEnv) return parsePrivateKey(fromEnv, ROOT_KEY_ENV);
  if (!fs.existsSync(source.defaultFile)) {
    throw new RefusedError('missing_private_key', `the root key is needed: give --root-key FILE (it is not at ${source.defaultFile})`);
  }
  return readPrivateKey(source.defaultFile);
}

/** Checks that `jwk` is the registry's root and returns its signer. */
export async function rootSigner(jwk: PrivateJwk, expectedKid: string): Promise<Signer> {
  if ((await keyId(jwk)) !== expectedKid) {
    throw new RefusedError('wrong_root_key', `that is not this registry's root key (expected ${expectedKid})`);
  }
  return signerFor(jwk);
}

export function writePublicJwk(file: string, jwk: PublicJwk): void {
  writeFileAtomic(file, `${JSON.stringify(publicJwk(jwk))}\n`, 0o644);
}

