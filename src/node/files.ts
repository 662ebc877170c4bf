// Crash-safe file writes: a reader sees the old file or the new one, never half of either.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Temp file in the same directory, flushed (unless `flush` is false: the caller flushes many
 * files at once with syncFileSystem), then renamed over the target.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644, flush = true): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const fd = fs.openSync(temp, 'wx', mode);
  try {
    if (typeof data === 'string') fs.writeSync(fd, data);
    else fs.writeSync(fd, data);
    if (flush) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/** Writes a file that must not exist yet, flushed (used for private keys). */
export function writeNewFile(file: string, data: string, mode: number): void {
  const fd = fs.openSync(file, 'wx', mode);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Flushes every file written on the file system holding `dir` (syncfs, through coreutils'
 * `sync -f`): one call instead of an fsync per file when a publication writes thousands.
 */
export function syncFileSystem(dir: string): void {
  const result = spawnSync('sync', ['-f', dir], { stdio: 'ignore' });
  if (result.status !== 0) spawnSync('sync', [], { stdio: 'ignore' });
}
