// The local edge store: the published artifacts as files, under the keys the edge uses in KV
// (DESIGN §3). The Node verifier reads such a directory (QDYP_EDGE_DIR). One function maps a
// key to its file, so a million licence entries never land in one directory:
//   key-list, status-list, revision-list, revoked-inspectors   → the same name
//   licence/{serial}/{r}                                        → licence/{serial ÷ 1000}/{serial}.{r}
//   bundle, bundle/{region}                                     → bundle, bundle-{region}
//   log/checkpoint, log/tile/…                                  → the same path (log/tile/0/x001/234…)

import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildTrustContext, entryLookupFromTexts, isStoreKey, licenceEntryKey, type QdypError, type TrustContext, type TrustOptions } from '../core/index.ts';
import { nodeCodecs } from './codecs.ts';
import { writeFileAtomic } from './files.ts';

/** The file for a store key; null for anything that is not one (nothing else in dir is ever read). */
export function edgeFile(dir: string, key: string): string | null {
  if (!isStoreKey(key)) return null;
  const entry = /^licence\/(\d+)\/(\d+)$/.exec(key);
  if (entry) return path.join(dir, 'licence', String(Math.floor(Number(entry[1]) / 1000)), `${entry[1]}.${entry[2]}`);
  // The log's paths are tlog-tiles' own, already spread over directories of at most 1,000.
  if (key.startsWith('log/')) return path.join(dir, ...key.split('/'));
  return path.join(dir, key.replace('/', '-'));
}

/** Whether `key` is published in `dir` (without reading it: a bundle runs to megabytes). */
export function edgeHas(dir: string, key: string): boolean {
  const file = edgeFile(dir, key);
  return file !== null && fs.existsSync(file);
}

/** A missing file is an unpublished artifact; any other failure is the store's. */
function unpublishedIfMissing(error: unknown): null {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
  throw error;
}

/** An artifact's text as published in `dir`, or null when it is not published. */
export async function readEdgeText(dir: string, key: string): Promise<string | null> {
  const file = edgeFile(dir, key);
  return file === null ? null : readFile(file, 'utf8').catch(unpublishedIfMissing);
}

/** A binary artifact (a bundle, a log tile) as published in `dir`, or null. */
export async function readEdgeBytes(dir: string, key: string): Promise<Uint8Array | null> {
  const file = edgeFile(dir, key);
  return file === null ? null : readFile(file).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).catch(unpublishedIfMissing);
}

/** readEdgeText for synchronous callers (the CLI). */
export function readEdgeTextSync(dir: string, key: string): string | null {
  const file = edgeFile(dir, key);
  if (file === null) return null;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    return unpublishedIfMissing(error);
  }
}

/** Writes one artifact atomically (a reader sees the old file or the new, never half). */
export function writeEdgeFile(dir: string, key: string, data: string | Uint8Array, flush = true): void {
  const file = edgeFile(dir, key);
  if (file === null) throw new Error(`not a store key: ${key}`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, data, 0o644, flush);
}

/** Every key published in `dir` (for loading a directory into wrangler's local KV): lists, entries, bundles, the log. */
export function listEdgeKeys(dir: string): string[] {
  const keys: string[] = [];
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else {
        const key = /^licence\/\d+\/(\d+)\.(\d+)$/.exec(rel)
          ? rel.replace(/^licence\/\d+\/(\d+)\.(\d+)$/, 'licence/$1/$2')
          : rel.startsWith('log/')
            ? rel
            : rel.replace(/^bundle-/, 'bundle/');
        if (isStoreKey(key) && edgeFile(dir, key) === path.join(dir, rel)) keys.push(key);
      }
    }
  };
  if (fs.existsSync(dir)) walk('');
  return keys.sort();
}

export interface KvBulkEntry {
  key: string;
  value: string;
  /** The value is the base64 of the bytes to store (a binary value: a log tile). */
  base64?: true;
}

/**
 * The file `wrangler kv bulk put` takes: [{ key, value }], texts as they are and binary values
 * as base64 with `base64: true` (Cloudflare's bulk API decodes them; a JSON string cannot carry
 * bytes that are not UTF-8). Only for --remote: wrangler 4's --local mode decodes base64
 * values into a UTF-8 string, which mangles binary ones (scripts/dev-edge.ts loads the log
 * through Miniflare's KV binding instead).
 */
export function kvBulkEntries(artifacts: Iterable<[string, string | Uint8Array]>): KvBulkEntry[] {
  return [...artifacts].map(([key, value]) =>
    typeof value === 'string' ? { key, value } : { key, value: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'), base64: true },
  );
}

/**
 * The trust context an edge directory gives a verifier: its lists, and its licence entries read
 * (and verified) when a verdict needs one. What `qdyp verify` and the tests judge by.
 */
export async function trustFromEdge(
  dir: string,
  options: Omit<TrustOptions, 'entries'> & { clock?: () => Date; onProblem?: (serial: number, error: QdypError) => void },
): Promise<TrustContext> {
  const { clock, onProblem, ...trust } = options;
  return buildTrustContext(
    // (as the Node verifier does: node:zlib and Buffer decode a large list far faster, cold)
    { keyList: readEdgeTextSync(dir, 'key-list'), statusList: readEdgeTextSync(dir, 'status-list'), revisionList: readEdgeTextSync(dir, 'revision-list') },
    {
      ...nodeCodecs,
      ...trust,
      entries: (context) => entryLookupFromTexts((serial, value) => readEdgeText(dir, licenceEntryKey(serial, value)), context.keyList, clock, onProblem && ((serial, _value, error) => onProblem(serial, error))),
    },
  );
}
