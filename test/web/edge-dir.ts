// An edge directory as `qdyp publish --to local` writes it (Node only: the workerd tests use KV).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Artifacts } from './fixtures.ts';

export async function writeEdgeDir(artifacts: Artifacts, dir?: string): Promise<string> {
  const target = dir ?? (await mkdtemp(join(tmpdir(), 'qdyp-edge-')));
  for (const [name, text] of Object.entries(artifacts)) await writeFile(join(target, name), text!);
  return target;
}
