// Publishing: builds the signed artifacts from the registry and writes them to the local edge
// store (the registry's edge/) or to Cloudflare KV. The key list is the one the root last
// signed (kept in the registry, since the root key is usually offline); the status list,
// register and revoked-inspectors list are signed afresh by the active issuing key.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { createBundle, cstDate, signJws, signRegister, signStatusList, statusListUri, STATUS_VALUE, TYP, type RegisterEntry } from '../core/index.ts';
import { kvBulkEntries, writeEdge, type Artifacts } from './edge-store.ts';
import { RefusedError } from './errors.ts';
import { loadSigner } from './key-files.ts';
import { readConfig } from './registry/config.ts';
import type { Registry } from './registry/db.ts';
import { activeKey } from './registry/keys.ts';
import { licencesToReseal, listLicences, registerEntry, statusesBySerial } from './registry/licences.ts';

/** Re-sign the key list when it has fewer days than this left (it lasts a year). */
export const KEY_LIST_RENEW_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface Publication {
  artifacts: Artifacts;
  /** Things the office must act on soon; publishing went ahead. */
  warnings: string[];
}

/** When the stored key list expires: the one place that reads its exp. */
export function keyListExpiry(registry: Registry): Date {
  return new Date(decodeJwt(readConfig(registry.db).keyList).exp! * 1000);
}

function renewSoon(expiry: Date, now: Date): boolean {
  return expiry.getTime() - now.getTime() < KEY_LIST_RENEW_DAYS * DAY_MS;
}

/** True when the key list should be re-signed by the root (refreshKeyList) soon. */
export function keyListDue(registry: Registry, now: Date): boolean {
  return renewSoon(keyListExpiry(registry), now);
}

export async function buildArtifacts(registry: Registry, now: Date): Promise<Publication> {
  const db = registry.db;
  // One read transaction: every artifact describes the same moment of the registry.
  const snapshot = db.transaction(() => ({
    config: readConfig(db),
    key: activeKey(db),
    statuses: statusesBySerial(db),
    entries: listLicences(db).map((l): [number, RegisterEntry] => [l.serial, registerEntry(l)]),
  }))();
  const { config, key } = snapshot;
  if (!key) throw new RefusedError('publish_failed', 'the registry has no active issuing key: run qdyp keys rotate');
  const signer = await loadSigner(registry, key.kid);

  const warnings: string[] = [];
  const today = cstDate(now);
  // Verifiers refuse status signed outside the key's window; publishing it would turn every
  // scan into cannot_confirm at once, while the last good artifacts still hold for days.
  if (today > key.signUntil) throw new RefusedError('key_not_signing', `the active issuing key ${key.kid} stopped signing on ${key.signUntil}: run qdyp keys rotate, then publish`);
  const expiry = keyListExpiry(registry);
  if (expiry <= now) warnings.push(`the key list expired at ${expiry.toISOString()}: verifiers cannot confirm anything until the root re-signs it (qdyp keys rotate, or publish with the root key at hand)`);
  else if (renewSoon(expiry, now)) warnings.push(`the key list expires at ${expiry.toISOString()}: publish with the root key at hand, or run qdyp keys rotate`);
  const reseal = licencesToReseal(registry.db).length;
  if (reseal > 0) warnings.push(`${reseal} licence(s) still carry a seal from a compromised key: run qdyp licence reseal on each (qdyp keys list shows them)`);

  const size = snapshot.statuses.length ? snapshot.statuses[snapshot.statuses.length - 1]!.serial + 1 : 1;
  const statuses = new Uint8Array(size);
  for (const { serial, status } of snapshot.statuses) statuses[serial] = STATUS_VALUE[status];

  const statusList = await signStatusList(statuses, { uri: statusListUri(config.origin), time: now }, signer);
  const register = await signRegister(snapshot.entries, now, signer);
  const revokedInspectors = await signJws({ iat: Math.floor(now.getTime() / 1000), jtis: [] }, TYP.revokedInspectors, signer);
  const bundle = JSON.stringify(createBundle({ keyList: config.keyList, statusList, register }, now));
  return {
    artifacts: { 'key-list': config.keyList, 'status-list': statusList, register, bundle, 'revoked-inspectors': revokedInspectors },
    warnings,
  };
}

/**
 * Builds the artifacts and writes them to the registry's edge/ directory. The database's write
 * lock is held from the snapshot to the last file, so publications land in the order of the
 * changes they show: a slow publisher (cron) can never overwrite a newer one (a revocation).
 */
export async function publishLocal(registry: Registry, now: Date): Promise<Publication> {
  return registry.exclusive(async () => {
    const db = registry.db;
    db.exec('BEGIN IMMEDIATE');
    try {
      const publication = await buildArtifacts(registry, now);
      writeEdge(registry.edgeDir, publication.artifacts);
      return publication;
    } finally {
      db.exec('COMMIT');
    }
  });
}

/**
 * The command that writes the artifacts to the KV namespace bound as QDYP_KV. `--remote`
 * matters: wrangler 4 writes to local storage unless told otherwise. Run from the project
 * directory (where wrangler.toml binds QDYP_KV), logged in (`wrangler login` or
 * CLOUDFLARE_API_TOKEN).
 */
export function wranglerBulkPutCommand(file: string): { command: string; args: string[] } {
  return { command: 'npx', args: ['wrangler', 'kv', 'bulk', 'put', '--remote', '--binding', 'QDYP_KV', file] };
}

export interface CloudflareOptions {
  cwd?: string;
  /** Runs the command; returns its exit status (tests never reach the network). */
  run?: (command: string, args: string[], cwd: string) => number | null;
}

function runInherit(command: string, args: string[], cwd: string): number | null {
  return spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] }).status;
}

/** Pushes already-built artifacts to Cloudflare KV through wrangler. */
export function publishToCloudflare(artifacts: Artifacts, options: CloudflareOptions = {}): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qdyp-kv-'));
  const file = path.join(dir, 'artifacts.json');
  try {
    fs.writeFileSync(file, JSON.stringify(kvBulkEntries(artifacts)), { mode: 0o600 });
    const { command, args } = wranglerBulkPutCommand(file);
    const status = (options.run ?? runInherit)(command, args, options.cwd ?? process.cwd());
    if (status !== 0) throw new RefusedError('publish_failed', `wrangler kv bulk put failed (exit ${status ?? 'signal'}); the local edge store is up to date, Cloudflare is not`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
