// The snapshot the portal serves from, followed as the office replaces it: the path is stat'ed
// before each use, and when its modification time or inode differ from the open file's, the
// new file is opened (read-only) and the old one closed. A replacement that cannot be opened
// (half copied with --inplace, another format) leaves the previous snapshot in service, logged
// once. Callers take what they need from the snapshot synchronously: it may be closed at the
// next request.

import fs from 'node:fs';
import { openPortalSnapshot, type PortalSnapshot } from './snapshot.ts';

export class CurrentSnapshot {
  readonly file: string;
  readonly #log: (line: string) => void;
  #open: PortalSnapshot;
  /** The (mtime, inode) last refused, so a bad file is logged once, not on every request. */
  #refused: string | null = null;

  /** Opens `file` now: throws if it is missing or not a portal snapshot. */
  constructor(file: string, log: (line: string) => void) {
    this.file = file;
    this.#log = log;
    this.#open = openPortalSnapshot(file);
  }

  /** The newest snapshot that could be opened. */
  get(): PortalSnapshot {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.file);
    } catch {
      // Between an unlink and a rename, or gone: keep serving what we have.
      return this.#open;
    }
    if (stat.mtimeMs === this.#open.mtimeMs && stat.ino === this.#open.ino) return this.#open;
    const version = `${stat.mtimeMs}:${stat.ino}`;
    if (version === this.#refused) return this.#open;
    try {
      const next = openPortalSnapshot(this.file);
      this.#open.close();
      this.#open = next;
      this.#refused = null;
      this.#log(`opened the portal snapshot of ${next.snapshotInfo().createdAt}`);
    } catch (error) {
      this.#refused = version;
      this.#log(`the new portal snapshot could not be opened (${error instanceof Error ? error.message : 'unknown error'}); still serving the one of ${this.#open.snapshotInfo().createdAt}`);
    }
    return this.#open;
  }

  close(): void {
    this.#open.close();
  }
}
