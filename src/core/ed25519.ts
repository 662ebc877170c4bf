// One Ed25519 verification interface for every runtime. WebCrypto where the runtime has
// Ed25519 (Node, workerd, current browsers): native and fast. Elsewhere (older browsers, the
// inspector page offline) @noble/ed25519 in its strict RFC 8032 mode (`zip215: false`), which
// agrees with WebCrypto on every Wycheproof verdict; its default ZIP-215 mode would accept
// non-canonical encodings that RFC 8032 forbids.

import { verifyAsync } from '@noble/ed25519';
import { base64url } from 'jose';
import { QdypError } from './errors.ts';
import { isPublicJwk, publicJwk, type PublicJwk } from './keys.ts';

export type Ed25519Engine = 'webcrypto' | 'noble';
export const ED25519_ENGINES: readonly Ed25519Engine[] = ['webcrypto', 'noble'];

/** A public key for the noble engine: its 32 raw bytes. */
export class RawVerifyKey {
  readonly engine = 'noble';
  constructor(readonly bytes: Uint8Array) {}
}

/** What verifyEd25519 takes: a WebCrypto key, or raw bytes for the noble engine. */
export type VerifyKey = CryptoKey | RawVerifyKey;

const ED25519 = { name: 'Ed25519' } as const;

// RFC 8032 §7.1 TEST 1: a runtime counts as having Ed25519 only if it verifies a known answer.
const hex = (text: string) => new Uint8Array(text.match(/../g)!.map((b) => parseInt(b, 16)));
const PROBE = {
  publicKey: hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
  signature: hex(
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  ),
};

let detected: Promise<Ed25519Engine> | undefined;

/** The engine this runtime should use: WebCrypto when it verifies Ed25519, else noble. */
export function defaultEngine(): Promise<Ed25519Engine> {
  detected ??= detectEngine(globalThis.crypto?.subtle);
  return detected;
}

/**
 * WebCrypto if `subtle` verifies a known Ed25519 answer; noble otherwise (no WebCrypto, no
 * Ed25519 in it — older browsers throw NotSupportedError — or a wrong answer).
 */
export async function detectEngine(subtle: SubtleCrypto | undefined): Promise<Ed25519Engine> {
  if (!subtle) return 'noble';
  try {
    const key = await subtle.importKey('raw', PROBE.publicKey, ED25519, false, ['verify']);
    return (await subtle.verify(ED25519, key, PROBE.signature, new Uint8Array(0))) ? 'webcrypto' : 'noble';
  } catch {
    return 'noble';
  }
}

/**
 * Imports a public JWK for verification with `engine` (default: defaultEngine()). The `x`
 * member must be the canonical base64url of 32 bytes, so one key has exactly one JWK text
 * (and so one thumbprint) whichever engine reads it.
 */
export async function importVerifyKey(jwk: PublicJwk, engine?: Ed25519Engine): Promise<VerifyKey> {
  if (!isPublicJwk(jwk)) throw new QdypError('ERR_KEY_INVALID', 'not an Ed25519 public JWK');
  const bytes = base64url.decode(jwk.x);
  if (bytes.length !== 32 || base64url.encode(bytes) !== jwk.x) throw new QdypError('ERR_KEY_INVALID', 'Ed25519 public key is not canonical base64url');
  if ((engine ?? (await defaultEngine())) === 'noble') {
    // noble hashes with WebCrypto's SHA-512; without it every signature would look forged, so
    // refuse the key instead: verdicts then say cannot_confirm, never bad_signature.
    if (typeof globalThis.crypto?.subtle?.digest !== 'function') throw new QdypError('ERR_CRYPTO_UNAVAILABLE', 'this runtime has no SHA-512 for Ed25519');
    return new RawVerifyKey(bytes);
  }
  return crypto.subtle.importKey('jwk', publicJwk(jwk), ED25519, true, ['verify']);
}

/** True only for a valid RFC 8032 signature of `data` by the key; false for any other bytes. */
export function verifyEd25519(key: VerifyKey, signature: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<boolean> {
  if (signature.length !== 64) return Promise.resolve(false);
  if (key instanceof RawVerifyKey) return verifyAsync(signature, data, key.bytes, { zip215: false }).catch(() => false);
  // The seal hot path: straight to the native primitive, nothing in between.
  return crypto.subtle.verify(ED25519, key, signature, data);
}
