// Registry-wide settings: the verify origin (upper-cased, as seals carry it), the pinned root
// public key, and the current signed key list with its version.

import type { PublicJwk } from '../../core/index.ts';
import { statement, type Db } from './db.ts';
import { recordChange } from './publishing.ts';

export interface RegistryConfig {
  origin: string;
  rootKid: string;
  rootJwk: PublicJwk;
  keyListVersion: number;
  /** The key list as last signed by the root: publish reuses it (the root is often offline). */
  keyList: string;
}

const NAMES = { origin: 'origin', rootKid: 'root_kid', rootJwk: 'root_jwk', keyListVersion: 'key_list_version', keyList: 'key_list' } as const;

export function readConfig(db: Db): RegistryConfig {
  const rows = statement(db, 'SELECT name, value FROM config').all() as { name: string; value: string }[];
  const map = new Map(rows.map((r) => [r.name, r.value]));
  const get = (name: string): string => {
    const value = map.get(name);
    if (value === undefined) throw new Error(`registry config lacks ${name}: the registry was not initialised completely`);
    return value;
  };
  return {
    origin: get(NAMES.origin),
    rootKid: get(NAMES.rootKid),
    rootJwk: JSON.parse(get(NAMES.rootJwk)) as PublicJwk,
    keyListVersion: Number(get(NAMES.keyListVersion)),
    keyList: get(NAMES.keyList),
  };
}

export function writeConfig(db: Db, values: Partial<RegistryConfig>): void {
  const upsert = statement(db, 'INSERT INTO config (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value');
  for (const [field, value] of Object.entries(values) as [keyof RegistryConfig, unknown][]) {
    if (value === undefined) continue;
    upsert.run(NAMES[field], typeof value === 'string' ? value : JSON.stringify(value));
  }
  // A newly signed key list is to be published to every target.
  if (values.keyList !== undefined) recordChange(db);
}
