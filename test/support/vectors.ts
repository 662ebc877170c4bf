// Public Ed25519 vectors live in ../shared/vectors beside the project (never copied in).
// The config reads them in Node and hands them to both runtimes through vitest's `provide`.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface WycheproofTest {
  tcId: number;
  comment: string;
  msg: string;
  sig: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
export interface Vectors {
  present: boolean;
  required: boolean;
  wycheproof: { publicKey: { pk: string }; publicKeyJwk: { kty: string; crv: string; x: string }; tests: WycheproofTest[] }[];
  rfc8032: { name: string; secret_key: string; public_key: string; message: string; signature: string }[];
  rfc8037: { jwk_private: Record<string, string>; jwk_public: Record<string, string>; jws: string; payload: string } | null;
}

export function loadVectors(): Vectors {
  const dir = fileURLToPath(new URL('../../../shared/vectors/', import.meta.url));
  const required = Boolean(process.env.CI);
  if (!existsSync(`${dir}wycheproof_ed25519.json`)) return { present: false, required, wycheproof: [], rfc8032: [], rfc8037: null };
  const read = (name: string) => JSON.parse(readFileSync(`${dir}${name}`, 'utf8'));
  return { present: true, required, wycheproof: read('wycheproof_ed25519.json').testGroups, rfc8032: read('rfc8032.json'), rfc8037: read('rfc8037.json') };
}

declare module 'vitest' {
  export interface ProvidedContext {
    vectors: Vectors;
  }
}
