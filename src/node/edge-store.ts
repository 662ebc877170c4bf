// The local edge store: one file per published artifact, under the fixed names the edge uses
// as KV keys (DESIGN §3). The Node verifier reads such a directory (QDYP_EDGE_DIR).

import fs from 'node:fs';
import path from 'node:path';
import type { TrustArtifacts } from '../core/index.ts';
import { writeFileAtomic } from './files.ts';

export const ARTIFACT_NAMES = ['key-list', 'status-list', 'register', 'bundle', 'revoked-inspectors'] as const;
export type ArtifactName = (typeof ARTIFACT_NAMES)[number];
export type Artifacts = Record<ArtifactName, string>;

/** Writes each artifact atomically; the bundle last, so it never runs ahead of the others. */
export function writeEdge(dir: string, artifacts: Artifacts): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const name of ARTIFACT_NAMES) writeFileAtomic(path.join(dir, name), artifacts[name]);
}

export function readEdgeArtifact(dir: string, name: ArtifactName): string | null {
  try {
    return fs.readFileSync(path.join(dir, name), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** What a verifier needs from the store; a missing file is null (verdicts say cannot_confirm). */
export function readTrustArtifacts(dir: string): TrustArtifacts {
  return {
    keyList: readEdgeArtifact(dir, 'key-list'),
    statusList: readEdgeArtifact(dir, 'status-list'),
    register: readEdgeArtifact(dir, 'register'),
  };
}
