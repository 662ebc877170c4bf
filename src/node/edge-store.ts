// The local edge store: one file per published artifact, under the fixed names the edge uses
// as KV keys (DESIGN §3). The Node verifier reads such a directory (QDYP_EDGE_DIR).

import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ARTIFACT_NAMES, type ArtifactName, type TrustArtifacts } from '../core/index.ts';
import { writeFileAtomic } from './files.ts';

export { ARTIFACT_NAMES, type ArtifactName } from '../core/index.ts';
export type Artifacts = Record<ArtifactName, string>;

/** Writes each artifact atomically; the bundle last, so it never runs ahead of the others. */
export function writeEdge(dir: string, artifacts: Artifacts): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const name of ARTIFACT_NAMES) writeFileAtomic(path.join(dir, name), artifacts[name]);
}

/** `dir/name`; null for a name that is not an artifact's (nothing else in dir is ever read). */
function artifactFile(dir: string, name: ArtifactName): string | null {
  return ARTIFACT_NAMES.includes(name) ? path.join(dir, name) : null;
}

/** A missing file is an unpublished artifact; any other failure is the store's. */
function unpublishedIfMissing(error: unknown): null {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
  throw error;
}

/** An artifact's text as published in `dir`, or null when it is not published. */
export async function readEdgeArtifact(dir: string, name: ArtifactName): Promise<string | null> {
  const file = artifactFile(dir, name);
  return file === null ? null : readFile(file, 'utf8').catch(unpublishedIfMissing);
}

/** readEdgeArtifact for synchronous callers (the CLI). */
export function readEdgeArtifactSync(dir: string, name: ArtifactName): string | null {
  const file = artifactFile(dir, name);
  if (file === null) return null;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    return unpublishedIfMissing(error);
  }
}

/** Every artifact published in `dir`; a missing one is left out. */
export function readEdge(dir: string): Partial<Artifacts> {
  const artifacts: Partial<Artifacts> = {};
  for (const name of ARTIFACT_NAMES) {
    const text = readEdgeArtifactSync(dir, name);
    if (text !== null) artifacts[name] = text;
  }
  return artifacts;
}

/** What a verifier needs from the store; a missing file is null (verdicts say cannot_confirm). */
export function readTrustArtifacts(dir: string): TrustArtifacts {
  return {
    keyList: readEdgeArtifactSync(dir, 'key-list'),
    statusList: readEdgeArtifactSync(dir, 'status-list'),
    register: readEdgeArtifactSync(dir, 'register'),
  };
}

/** The file `wrangler kv bulk put` takes: [{ key, value }] for each artifact given, values as strings. */
export function kvBulkEntries(artifacts: Partial<Artifacts>): { key: string; value: string }[] {
  return ARTIFACT_NAMES.flatMap((name) => {
    const value = artifacts[name];
    return value === undefined ? [] : [{ key: name, value }];
  });
}
