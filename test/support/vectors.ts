// Public vectors live in ../shared/vectors beside the project (never copied in): Ed25519
// (Wycheproof, RFC 8032, RFC 8037) and the transparency log's (RFC 6962 Merkle proofs from
// transparency-dev/merkle, the signed-note vector). The config reads them in Node and hands
// them to both runtimes through vitest's `provide`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface WycheproofTest {
  tcId: number;
  comment: string;
  msg: string;
  sig: string;
  result: 'valid' | 'invalid' | 'acceptable';
}

/** One transparency-dev/merkle case: `file` is its path under merkle/; hashes in base64. */
export interface MerkleInclusionCase {
  file: string;
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
export interface MerkleConsistencyCase {
  file: string;
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
export interface SignedNoteVector {
  ed25519: { verifier_key: string; signer_key: string; text: string; signed_note: string; bad_verifier_keys: string[] };
  tree_note: { size: number; record_hash_of: string; body: string };
}

export interface Vectors {
  present: boolean;
  required: boolean;
  wycheproof: { publicKey: { pk: string }; publicKeyJwk: { kty: string; crv: string; x: string }; tests: WycheproofTest[] }[];
  rfc8032: { name: string; secret_key: string; public_key: string; message: string; signature: string }[];
  rfc8037: { jwk_private: Record<string, string>; jwk_public: Record<string, string>; jws: string; payload: string } | null;
  merkle: { inclusion: MerkleInclusionCase[]; consistency: MerkleConsistencyCase[] };
  signedNote: SignedNoteVector | null;
}

/** Every JSON file under `dir` (recursively), with its path relative to `base`, sorted. */
function jsonFiles(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? jsonFiles(`${dir}/${e.name}`, base) : e.name.endsWith('.json') ? [`${dir}/${e.name}`.slice(base.length + 1)] : []))
    .sort();
}

export function loadVectors(): Vectors {
  const dir = fileURLToPath(new URL('../../../shared/vectors/', import.meta.url));
  const required = Boolean(process.env.CI);
  const empty = { merkle: { inclusion: [], consistency: [] }, signedNote: null };
  if (!existsSync(`${dir}wycheproof_ed25519.json`)) return { present: false, required, wycheproof: [], rfc8032: [], rfc8037: null, ...empty };
  const read = (name: string) => JSON.parse(readFileSync(`${dir}${name}`, 'utf8'));
  const cases = (kind: string) => jsonFiles(`${dir}merkle/${kind}`).map((file) => ({ file: `${kind}/${file}`, ...read(`merkle/${kind}/${file}`) }));
  return {
    present: true,
    required,
    wycheproof: read('wycheproof_ed25519.json').testGroups,
    rfc8032: read('rfc8032.json'),
    rfc8037: read('rfc8037.json'),
    merkle: { inclusion: cases('inclusion'), consistency: cases('consistency') },
    signedNote: existsSync(`${dir}signed-note.json`) ? read('signed-note.json') : null,
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    vectors: Vectors;
  }
}
