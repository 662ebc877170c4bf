// Licence entries as the verifier looks them up: one small signed piece per licence, read
// from the store only when a scan needs it — verifySeal asks for an entry only after the
// seal's signature held under a trusted key, so random or forged seals never cost a read —
// and kept, verified, in a least-recently-used cache with a byte budget for one TTL. A missing
// or refused entry is kept as missing for the TTL too: a licence scanned a thousand times
// while its entry is absent costs one read per TTL, not a thousand.

import { licenceEntryKey, QdypError, verifyLicenceEntry, type EntryLookup, type LicenceEntry, type TrustedKeyList } from '../core/index.ts';
import type { ArtifactSource } from './artifact-source.ts';

/** Room for ~10,000 typical entries. */
export const DEFAULT_ENTRY_CACHE_BYTES = 8 * 1024 * 1024;
/** What a "missing" mark is counted as: its key and the map's own overhead. */
const MISSING_BYTES = 64;

export interface EntryCacheOptions {
  source: ArtifactSource;
  budgetBytes: number;
  ttlMs: number;
  clock: () => Date;
  log: (line: string) => void;
}

interface Cached {
  entry: LicenceEntry | null;
  bytes: number;
  freshUntil: number;
}

export class EntryCache {
  readonly #options: EntryCacheOptions;
  /** Insertion order is recency order: the first key is the least recently used. */
  readonly #cached = new Map<string, Cached>();
  readonly #pending = new Map<string, Promise<LicenceEntry | null>>();
  #bytes = 0;
  /** The key list the cached entries were verified under: another one starts afresh. */
  #keyList: string | null = null;

  constructor(options: EntryCacheOptions) {
    if (!(options.budgetBytes >= 0)) throw new Error('the entry cache budget must be a number of bytes');
    this.#options = options;
  }

  /** Bytes of entry text held now (for tests and logs). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The lookup a trust context built on `keyList` uses. */
  lookup(keyList: TrustedKeyList | null): EntryLookup {
    const id = keyList && `${keyList.version}/${keyList.iat}`;
    if (id !== this.#keyList) {
      // A new key list may have marked a key compromised: nothing verified under the old one stands.
      this.#cached.clear();
      this.#bytes = 0;
      this.#keyList = id;
    }
    if (!keyList) return { get: () => Promise.resolve(null) };
    return { get: (serial, value) => this.#get(keyList, serial, value) };
  }

  #get(keyList: TrustedKeyList, serial: number, value: number): Promise<LicenceEntry | null> {
    const key = `${serial}/${value}`;
    const now = this.#options.clock().getTime();
    const hit = this.#cached.get(key);
    if (hit) {
      this.#cached.delete(key);
      this.#bytes -= hit.bytes;
      if (now < hit.freshUntil) {
        this.#cached.set(key, hit);
        this.#bytes += hit.bytes;
        return Promise.resolve(hit.entry);
      }
    }
    const pendingKey = `${keyList.version}/${keyList.iat}|${key}`;
    let pending = this.#pending.get(pendingKey);
    if (!pending) {
      pending = this.#fetch(keyList, serial, value, key, hit).finally(() => this.#pending.delete(pendingKey));
      this.#pending.set(pendingKey, pending);
    }
    return pending;
  }

  async #fetch(keyList: TrustedKeyList, serial: number, value: number, key: string, stale: Cached | undefined): Promise<LicenceEntry | null> {
    let text: string | null;
    try {
      text = await this.#options.source.getText(licenceEntryKey(serial, value));
    } catch (error) {
      // A blip in the store does not throw away what was verified: as with the lists, the
      // entry last verified stands for one more TTL. Nothing verified: not kept, so the store
      // is tried again on the next scan of this licence.
      this.#options.log(`licence entry ${key} could not be read (${error instanceof Error ? error.name : 'error'})${stale?.entry ? '; keeping the last verified one for one more TTL' : `; cannot confirm serial ${serial}`}`);
      if (!stale?.entry) return null;
      this.#keep(key, stale.entry, stale.bytes);
      return stale.entry;
    }
    let entry: LicenceEntry | null = null;
    if (text === null) {
      this.#options.log(`licence entry ${key} is not published; serial ${serial} cannot be confirmed for one TTL`);
    } else {
      try {
        entry = await verifyLicenceEntry(text, keyList, { serial, value }, this.#options.clock());
      } catch (error) {
        const code = error instanceof QdypError ? error.code : 'an unexpected error';
        this.#options.log(`licence entry ${key} refused (${code}); serial ${serial} cannot be confirmed for one TTL`);
      }
    }
    // Only if the key list is still the one it was verified under.
    if (this.#keyList === `${keyList.version}/${keyList.iat}`) this.#keep(key, entry, entry && text ? text.length : MISSING_BYTES);
    return entry;
  }

  #keep(key: string, entry: LicenceEntry | null, bytes: number): void {
    const budget = this.#options.budgetBytes;
    if (bytes > budget) return;
    const old = this.#cached.get(key);
    if (old) {
      this.#cached.delete(key);
      this.#bytes -= old.bytes;
    }
    for (const [oldest, cached] of this.#cached) {
      if (this.#bytes + bytes <= budget) break;
      this.#cached.delete(oldest);
      this.#bytes -= cached.bytes;
    }
    this.#cached.set(key, { entry, bytes, freshUntil: this.#options.clock().getTime() + this.#options.ttlMs });
    this.#bytes += bytes;
  }
}
