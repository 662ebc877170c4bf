// An edge directory as `qdyp publish --to local` writes it (Node only: the workerd tests use
// KV and R2), laid out by edge-store's one mapping from store keys to files.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEdgeFile } from '../../src/node/edge-store.ts';
import type { Artifacts } from './fixtures.ts';

export async function writeEdgeDir(artifacts: Artifacts, dir?: string): Promise<string> {
  const target = dir ?? (await mkdtemp(join(tmpdir(), 'qdyp-edge-')));
  for (const [key, data] of [...Object.entries(artifacts.texts), ...Object.entries(artifacts.bundles)]) writeEdgeFile(target, key, data, false);
  return target;
}
